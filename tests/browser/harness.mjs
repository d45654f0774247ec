// Shared pieces of the browser tests: the real liveblog-server on a free
// loopback port, tokens minted with the same secret, REST helpers, and
// Debian's Chromium driven by playwright-core. Everything started here is
// stopped by the test that started it.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const serverBinary = process.env.LIVEBLOG_SERVER_BINARY ?? path.join(root, "build/liveblog-server");
export const artifacts = path.join(root, "test-artifacts");
const secret = "browser-test-secret-0123456789abcdef";

export function tempDir() {
  return mkdtempSync(path.join(tmpdir(), "liveblog-browser-"));
}

// Starts the server; resolves once it prints its URL. `port` 0 picks a free one.
export async function startServer({ dataDir = tempDir(), port = 0, args = [] } = {}) {
  const proc = spawn(
    serverBinary,
    ["--listen", `127.0.0.1:${port}`, "--data-dir", dataDir, "--no-demo", "--static-dir", path.join(root, "client-demo"),
     "--presence-interval-s", "0.5", ...args],
    { env: { ...process.env, LIVEBLOG_SECRET: secret }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  proc.stderr.on("data", (d) => (log += d));
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("server did not start:\n" + log)), 15000);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on("exit", (code) => reject(new Error(`server exited (${code}):\n${log}`)));
  });
  const server = {
    url,
    port: Number(new URL(url).port),
    dataDir,
    log: () => log,
    pid: proc.pid,
    // SIGTERM, as an operator would; SIGKILL if it has not exited in 10 s.
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10000);
      await exited;
      clearTimeout(timer);
    },
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

export function mintToken(role = "admin", sub = "browser-test") {
  const dir = tempDir();
  try {
    return execFileSync(serverBinary, ["token", "--sub", sub, "--role", role, "--ttl", "1h", "--data-dir", dir], {
      env: { ...process.env, LIVEBLOG_SECRET: secret },
    }).toString().trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function api(server, token, method, route, body, headers = {}) {
  const res = await fetch(server.url + route, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

export function screenshotPath(name) {
  mkdirSync(artifacts, { recursive: true });
  return path.join(artifacts, name);
}

// ---------------------------------------------------------------------------
// Live pages
// ---------------------------------------------------------------------------

// Polls `fn` (sync or async) until it returns a truthy value; that value is
// returned. Throws with `what` after `timeout` ms.
export async function until(fn, { timeout = 10000, interval = 25, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// Opens /stories/{id} with JavaScript on in a new context and waits until the
// page is live: connected, and subscribed (the viewer count, sent with the
// subscription, is shown). `dialogs` counts every alert/confirm/prompt.
export async function openReader(browser, server, storyId, contextOptions = {}, prepare = async () => {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...contextOptions });
  await prepare(context);
  const page = await context.newPage();
  const reader = { context, page, dialogs: 0, errors: [] };
  page.on("dialog", (d) => {
    reader.dialogs++;
    d.dismiss().catch(() => {});
  });
  page.on("pageerror", (err) => reader.errors.push(err));
  const res = await page.goto(`${server.url}/stories/${storyId}`);
  if (res.status() !== 200) throw new Error(`reader page: HTTP ${res.status()}`);
  await page.locator('body[data-connection="open"]').waitFor({ state: "attached", timeout: 10000 });
  await page.locator(".story-status .viewers").waitFor({ state: "visible", timeout: 10000 });
  return reader;
}

// data-entry-id of every article in the reader's stream, in page order.
export function streamIds(page) {
  return page.locator("section.entries > article.entry").evaluateAll((as) => as.map((a) => a.dataset.entryId));
}

// The stream article of an entry (not its pinned copy).
export function streamEntry(page, entryId) {
  return page.locator(`section.entries > article[data-entry-id="${entryId}"]`);
}

// Opens the editor console in a new context and signs in by pasting `token`
// into the token field. Resolves once the workspace is shown.
export async function openEditor(browser, server, token, contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...contextOptions });
  const page = await context.newPage();
  const editor = { context, page, dialogs: 0, errors: [] };
  page.on("dialog", (d) => {
    editor.dialogs++;
    d.dismiss().catch(() => {});
  });
  page.on("pageerror", (err) => editor.errors.push(err));
  await page.goto(`${server.url}/editor`);
  await page.locator("#token-input").fill(token);
  await page.locator("#signin-form button[type=submit]", { hasText: "Se connecter" }).click();  // (getByRole takes ~2 s on this page)
  await page.locator("#workspace").waitFor({ state: "visible", timeout: 10000 });
  await page.locator('#conn-admin[data-state="ready"]').waitFor({ timeout: 10000 });
  return editor;
}
