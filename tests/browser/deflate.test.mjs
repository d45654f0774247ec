// permessage-deflate (RFC 7692) with three independent implementations:
// Chromium, Node's `ws` and Python's `websockets` (Debian's python3-websockets).
// Each negotiates the extension (or not), subscribes, and must receive every
// entry posted meanwhile, in order, with the same text a plain reader gets;
// compressed readers must receive fewer bytes on the wire.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import WebSocket from "ws";
import { openFixture, closeFixture, api, startServer } from "./harness.mjs";

let server, browser, token;
const STORY = "compression";
const TEXT = "Les bureaux de vote ferment à 20 heures ; la participation s'établit à 61,4 % selon le ministère de l'Intérieur, "
  + "en hausse de trois points par rapport au premier tour. Les premières estimations sont attendues à la fermeture.";

before(async () => {
  ({ server, token, browser } = await openFixture());
  const r = await api(server, token, "POST", "/api/stories", { id: STORY, title: "Compression", lang: "fr" });
  assert.equal(r.status, 201);
});

after(() => closeFixture({ server, browser }));

async function postEntries(n, tag) {
  const seqs = [];
  for (let i = 0; i < n; i++) {
    const r = await api(server, token, "POST", `/api/stories/${STORY}/entries`, {
      blocks: [{ type: "text", text: `${tag} ${i} — ${TEXT}` }],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    seqs.push(r.body.seq);
  }
  return seqs;
}

// A Node `ws` reader: resolves with the events' seqs and texts and the bytes read.
function nodeReader(url, perMessageDeflate, count) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate });
    const events = [];
    const timer = setTimeout(() => reject(new Error(`node ws: ${events.length}/${count} events`)), 15000);
    ws.on("message", (data) => {
      const m = JSON.parse(data.toString());
      if (m.type === "subscribed") ws.emit("ready");
      if (m.type === "event" && m.op === "entry.created") {
        events.push({ seq: m.seq, text: m.entry.blocks[0].text });
        if (events.length === count) {
          clearTimeout(timer);
          const bytes = ws._socket.bytesRead;
          ws.close();
          resolve({ events, bytes, extensions: ws.extensions });
        }
      }
    });
    ws.on("open", () => ws.send(JSON.stringify({ type: "subscribe", story: STORY })));
    ws.on("error", reject);
    ws.ready = new Promise((r) => ws.once("ready", r));
    nodeReader.last = ws;
  });
}

test("Node ws: compressed and plain readers get the same events in order; compressed ones read fewer bytes", async () => {
  const url = server.url.replace("http", "ws") + "/ws";
  const compressed = nodeReader(url, { serverNoContextTakeover: true, clientNoContextTakeover: true, threshold: 0 }, 20);
  const compressedWs = nodeReader.last;
  const plain = nodeReader(url, false, 20);
  const plainWs = nodeReader.last;
  await Promise.all([compressedWs.ready, plainWs.ready]);
  // A client offering the extension compresses its own messages too: the server inflates them.
  assert.match(compressedWs.extensions, /^permessage-deflate/);
  assert.equal(plainWs.extensions, "");
  const seqs = await postEntries(20, "node");
  const [c, p] = await Promise.all([compressed, plain]);
  assert.deepEqual(c.events.map((e) => e.seq), seqs);
  assert.deepEqual(c.events, p.events);
  assert.ok(c.bytes < p.bytes * 0.8, `compressed ${c.bytes} B vs plain ${p.bytes} B`);
});

test("Python websockets: negotiates the extension and receives every event", async () => {
  const url = server.url.replace("http", "ws") + "/ws";
  const script = `
import asyncio, json, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        exts = [type(e).__name__ for e in ws.extensions]
        await ws.send(json.dumps({"type": "subscribe", "story": sys.argv[2]}))
        seqs = []
        while True:
            m = json.loads(await ws.recv())
            if m["type"] == "subscribed":
                print(json.dumps({"ready": True, "extensions": exts}), flush=True)
            if m["type"] == "event" and m["op"] == "entry.created" and m["entry"]["blocks"][0]["text"].startswith("python"):
                seqs.append(m["seq"])
                if len(seqs) == int(sys.argv[3]):
                    print(json.dumps({"seqs": seqs}), flush=True)
                    return
asyncio.run(asyncio.wait_for(main(), 15))
`;
  const py = spawn("/usr/bin/python3", ["-c", script, url, STORY, "10"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  py.stdout.on("data", (d) => (out += d));
  py.stderr.on("data", (d) => (err += d));
  const exited = new Promise((r) => py.on("exit", r));
  const deadline = Date.now() + 15000;
  while (!out.includes("ready") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(out.includes("ready"), `python did not subscribe: ${err}`);
  assert.deepEqual(JSON.parse(out.split("\n")[0]).extensions, ["PerMessageDeflate"]);
  const seqs = await postEntries(10, "python");
  assert.equal(await exited, 0, err);
  assert.deepEqual(JSON.parse(out.trim().split("\n").pop()).seqs, seqs);
});

test("Chromium: the page's WebSocket negotiates permessage-deflate and the reader goes live", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/stories/${STORY}`);
  const result = page.evaluate(({ url, story, n }) => new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const seqs = [];
    setTimeout(() => reject(new Error(`chromium: ${seqs.length}/${n}`)), 15000);
    ws.onopen = () => ws.send(JSON.stringify({ type: "subscribe", story }));
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === "subscribed") window.__ready = ws.extensions;
      if (m.type === "event" && m.op === "entry.created" && m.entry.blocks[0].text.startsWith("chromium")) {
        seqs.push(m.seq);
        if (seqs.length === n) resolve({ extensions: ws.extensions, seqs });
      }
    };
  }), { url: server.url.replace("http", "ws") + "/ws", story: STORY, n: 10 });
  await page.waitForFunction(() => window.__ready !== undefined, null, { timeout: 10000 });
  const seqs = await postEntries(10, "chromium");
  const got = await result;
  assert.match(got.extensions, /^permessage-deflate/);
  assert.deepEqual(got.seqs, seqs);
  // The page itself (reader-page.js through the client library) is live too.
  await page.locator(`article[data-entry-id]`, { hasText: "chromium 9" }).first().waitFor({ timeout: 10000 });
  await context.close();
});

test("--ws-deflate false: no extension, plain frames", async () => {
  const off = await startServer({ args: ["--ws-deflate", "false"] });
  try {
    const ws = new WebSocket(off.url.replace("http", "ws") + "/ws", { perMessageDeflate: true });
    await new Promise((resolve, reject) => {
      ws.on("open", resolve);
      ws.on("error", reject);
    });
    assert.equal(ws.extensions, "");
    ws.close();
  } finally {
    await off.stop();
    off.cleanup();
  }
});
