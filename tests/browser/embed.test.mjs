// The embed (<liveblog-story>, client-demo/js/embed.js) on a page of
// another origin: a second local HTTP server on another loopback port
// serves a plain article page holding the two lines a web producer pastes.
// The liveblog server lists that origin in --cors-origins. Checked in
// Chromium: the snapshot renders (entries, pinned, key events, an uploaded
// photo loading from the liveblog server), a new entry arrives live and is
// announced, the host themes it through custom properties and ::part, "load
// older" reads the API across origins, new entries wait behind the button
// while the reader is inside the stream, a server restart loses and
// duplicates nothing, axe finds nothing serious, 360 px fits, and the
// iframe variant resizes (skipped until the server serves /embed/stories/).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { api, axeViolations, launchBrowser, mintToken, screenshotPath, startServer, waitFor, watchDuplicateEntries } from "./harness.mjs";
import { root } from "../js/support/server.mjs";

let server, host, browser, token, dataDir, hostOrigin;
const hostRequests = [];
const cors = () => ["--cors-origins", hostOrigin];

// The host site: /article?story=S&attr=value… is an article page with the
// two lines (attributes other than story and lang come from the query);
// /frame?story=S holds the iframe variant and the resize snippet of
// docs/embed.md. Everything is built from the test's own values.
function hostPage(url) {
  const story = url.searchParams.get("story");
  const attrs = [...url.searchParams].filter(([k]) => k.startsWith("data-"))
    .map(([k, v]) => (v === "" ? ` ${k}` : ` ${k}="${v}"`)).join("");
  const fallback = url.searchParams.has("fallback")
    ? `<p class="fallback"><a href="${server.url}/stories/${story}">Suivre le direct sur le site</a></p>` : "";
  const filler = url.searchParams.has("long") ? "<p>Texte de l’article.</p>".repeat(40) : "";
  const embed = url.pathname === "/frame"
    ? `<iframe id="frame" src="${server.url}/embed/stories/${story}" title="Direct" style="width:100%;border:0" height="150"></iframe>
<script>
addEventListener("message", (e) => {
  if (e.origin !== "${server.url}" || !e.data || e.data.type !== "liveblog:height") return;
  for (const f of document.querySelectorAll("iframe")) if (f.contentWindow === e.source) f.style.height = e.data.height + "px";
  (window.heights = window.heights || []).push(e.data.height);
});
</script>`
    : `<script type="module" src="${server.url}/static/js/embed.js"></script>
<liveblog-story story="${story}" lang="fr"${attrs}>${fallback}</liveblog-story>${url.searchParams.has("second")
    ? `\n<liveblog-story id="second" story="${url.searchParams.get("second")}"></liveblog-story>` : ""}`;
  return `<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Le journal</title>
<style>body{font-family:Georgia,serif;max-width:40rem;margin:0 auto;padding:1rem}</style></head>
<body>
<main>
<h1>Soirée électorale : suivez les résultats</h1>
<p>Un article du journal, qui embarque le direct.</p>
${embed}
${filler}
</main>
</body>
</html>
`;
}

function startHost() {
  return new Promise((resolve) => {
    const srv = http.createServer((req, res) => {
      const url = new URL(req.url, "http://127.0.0.1");
      hostRequests.push(url.pathname);
      if (url.pathname !== "/article" && url.pathname !== "/frame") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end(hostPage(url));
    });
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}

before(async () => {
  host = await startHost();
  hostOrigin = `http://127.0.0.1:${host.address().port}`;
  server = await startServer({ args: cors() });
  dataDir = server.dataDir;
  token = mintToken({ sub: "Embed test" });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  server?.cleanup();
  host?.close();
});

async function createStory(id, title) {
  const res = await api(server, token, "POST", "/api/stories", { id, title, lang: "fr", summary: `Résumé de ${title}` });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

async function post(story, text, extra = {}) {
  const res = await api(server, token, "POST", `/api/stories/${story}/entries`, { blocks: [{ type: "text", text }], ...extra });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.entry_id;
}

// Opens the host page in a new context; resolves when the embed is ready.
async function openHost(query, { viewport = { width: 1280, height: 900 }, path: route = "/article", wait = true, prepare } = {}) {
  const context = await browser.newContext({ viewport });
  if (prepare) await prepare(context);
  const page = await context.newPage();
  const h = { context, page, errors: [], requests: [] };
  page.on("pageerror", (err) => h.errors.push(err));
  page.on("request", (req) => h.requests.push(req));
  const res = await page.goto(`${hostOrigin}${route}?${new URLSearchParams(query)}`);
  assert.equal(res.status(), 200);
  if (wait) await page.waitForFunction(() => document.querySelector("liveblog-story")?.ready === true, null, { timeout: 10000 });
  return h;
}

// data-entry-id of the stream's visible articles, in order.
const streamIds = (page) => page.evaluate(() => [...document.querySelector("liveblog-story").shadowRoot
  .querySelectorAll("section.entries > article.entry")].filter((a) => !a.hidden).map((a) => a.dataset.entryId));

const inShadow = (page, selector, options) => page.locator(`liveblog-story ${selector}`, options);

test("the two lines on another origin render the snapshot and follow the story live", async (t) => {
  await createStory("embed-direct", "Soirée électorale");
  const photo = await fetch(`${server.url}/api/media`, {
    method: "POST", headers: { Authorization: `Bearer ${token}` },
    body: fs.readFileSync(path.join(root, "tests", "fixtures", "images", "photo.jpg")),
  }).then((r) => r.json());
  assert.ok(photo.media?.id, JSON.stringify(photo));
  const first = await post("embed-direct", "Les bureaux de vote ferment à 20 h.");
  const key = await post("embed-direct", "Premières estimations : la gauche en tête.", { key_event: true });
  const pinned = await post("embed-direct", "Résultats définitifs attendus vers 23 h.", { pinned: true });
  const withPhoto = await post("embed-direct", "La foule place de la République.", {
    blocks: [{ type: "text", text: "La foule place de la République." },
      { type: "image", media: photo.media.id, alt: "La foule sur la place", caption: "Vers 21 h." }],
  });

  const h = await openHost({ story: "embed-direct", fallback: "" });
  t.after(() => h.context.close());
  const { page } = h;
  assert.deepEqual(await streamIds(page), [withPhoto, pinned, key, first]);
  assert.equal(await inShadow(page, ".story-title").textContent(), "Soirée électorale");
  assert.equal(await inShadow(page, ".badge").textContent(), "En direct");
  assert.equal(await inShadow(page, `section.pinned-entries > article#pinned-${pinned}`).count(), 1);
  assert.match(await inShadow(page, "nav.key-events li").textContent(), /Premières estimations/);
  assert.equal(await page.evaluate(() => document.querySelector("liveblog-story").transport), "websocket");

  // The fallback stays in the light DOM (crawlers read it) and is hidden.
  assert.equal(await page.locator("liveblog-story > p.fallback a").count(), 1);
  assert.equal(await page.locator("liveblog-story > p.fallback").isVisible(), false);

  // The photo comes from the liveblog server, never from the host.
  const img = inShadow(page, `article#entry-${withPhoto} picture img`);
  assert.ok((await img.getAttribute("src")).startsWith(`${server.url}/media/${photo.media.id}/`));
  const webp = await inShadow(page, `article#entry-${withPhoto} picture source`).getAttribute("srcset");
  assert.ok(webp.split(", ").every((c) => c.startsWith(`${server.url}/media/`)), webp);
  await img.scrollIntoViewIfNeeded();
  await waitFor(() => img.evaluate((el) => el.complete && el.naturalWidth > 0), 10000, "the photo to load");
  assert.deepEqual(hostRequests.filter((p) => p.startsWith("/media/")), []);

  // Live: a new entry goes on top, highlighted, and is announced.
  await page.evaluate(() => window.scrollTo(0, 0));
  const fresh = await post("embed-direct", "Le taux de participation atteint 62 %.");
  await inShadow(page, `article#entry-${fresh}`).waitFor({ timeout: 5000 });
  assert.deepEqual((await streamIds(page))[0], fresh);
  assert.match(await inShadow(page, `article#entry-${fresh}`).getAttribute("class"), /is-new/);
  await waitFor(async () => (await inShadow(page, "[aria-live=polite]").textContent()) ===
    "Nouvelle entrée\u00a0: Le taux de participation atteint 62 %.", 5000, "the announcement");

  // A key event's link scrolls to its entry inside the shadow tree and focuses it.
  await inShadow(page, "nav.key-events a").click();
  assert.equal(await page.evaluate(() => document.querySelector("liveblog-story").shadowRoot.activeElement?.id), `entry-${key}`);

  await page.evaluate(() => document.querySelector("liveblog-story").shadowRoot.getAnimations().forEach((a) => a.finish()));
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: "/tmp/embed-host.png", fullPage: true });
  await page.screenshot({ path: screenshotPath("embed-host.png"), fullPage: true });
  assert.deepEqual(h.errors, []);
});

test("the host themes the embed through custom properties and ::part", async (t) => {
  const h = await openHost({ story: "embed-direct" });
  t.after(() => h.context.close());
  const { page } = h;
  const keyEntry = inShadow(page, "section.entries > article.key-event").first();
  const style = (loc, prop) => loc.evaluate((el, p) => getComputedStyle(el)[p], prop);
  assert.equal(await style(keyEntry, "borderLeftColor"), "rgb(176, 0, 26)", "the default accent");
  await page.addStyleTag({ content: `
    liveblog-story { --liveblog-accent: rgb(0, 90, 160); --liveblog-font: "Courier New", monospace; }
    liveblog-story::part(entry) { background-color: rgb(250, 240, 200); }
    liveblog-story::part(load-older) { text-transform: uppercase; }` });
  assert.equal(await style(keyEntry, "borderLeftColor"), "rgb(0, 90, 160)");
  assert.equal(await style(inShadow(page, ".badge-live"), "backgroundColor"), "rgb(0, 90, 160)");
  assert.equal(await style(keyEntry, "backgroundColor"), "rgb(250, 240, 200)");
  assert.match(await style(inShadow(page, ".entry-meta").first(), "fontFamily"), /Courier New/);
  // The host page's own rules stop at the shadow root.
  await page.addStyleTag({ content: "article { border: 5px solid rgb(255, 0, 0) !important; } p { color: rgb(255, 0, 0) !important; }" });
  assert.notEqual(await style(keyEntry, "borderTopColor"), "rgb(255, 0, 0)");
  assert.notEqual(await style(inShadow(page, "section.entries > article p").first(), "color"), "rgb(255, 0, 0)");
  await page.screenshot({ path: screenshotPath("embed-themed.png"), fullPage: true });
});

test("load older reads the API across origins; new entries wait while the reader is inside the stream", async (t) => {
  await createStory("embed-long", "Un long direct");
  const ids = [];
  for (let k = 1; k <= 25; k++) ids.push(await post("embed-long", `Entrée numéro ${k}.`, { key_event: k % 5 === 0 }));
  const newest = [...ids].reverse();

  const h = await openHost({ story: "embed-long", long: "" });
  t.after(() => h.context.close());
  const { page } = h;
  assert.deepEqual(await streamIds(page), newest.slice(0, 20), "the snapshot's 20");
  const older = inShadow(page, "button.load-older");
  assert.equal(await older.textContent(), "Entrées précédentes");
  await older.focus();
  await page.keyboard.press("Enter");
  await waitFor(async () => (await streamIds(page)).length === 25, 10000, "the older page");
  assert.deepEqual(await streamIds(page), newest);
  const apiCall = h.requests.find((r) => r.url().startsWith(`${server.url}/api/stories/embed-long/entries?`));
  assert.ok(apiCall, "the older page came from the API");
  assert.match(apiCall.url(), /before=\d+/);
  assert.equal((await apiCall.response()).headers()["access-control-allow-origin"], hostOrigin);
  assert.equal(await older.isVisible(), false, "nothing older left");
  // Focus moved to the first entry shown, not to the page's body.
  assert.equal(await page.evaluate(() => document.querySelector("liveblog-story").shadowRoot.activeElement?.dataset.entryId), ids[4]);

  // The reader scrolls down into the stream: a new entry waits behind the button.
  await inShadow(page, `article#entry-${ids[10]}`).scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollBy(0, 200));
  const late = await post("embed-long", "Entrée arrivée pendant la lecture.");
  const banner = inShadow(page, "button.new-entries-banner");
  await banner.waitFor({ state: "visible", timeout: 5000 });
  assert.equal((await banner.textContent()).trim(), "↑ 1 nouvelle entrée");
  assert.equal(await inShadow(page, `article#entry-${late}`).isVisible(), false);
  const box = await banner.boundingBox();
  assert.ok(box.y >= 0 && box.y < 100, `the button floats at the top of the viewport (y=${box.y})`);
  await banner.click();
  await inShadow(page, `article#entry-${late}`).waitFor({ state: "visible" });
  assert.equal(await banner.isVisible(), false);
  assert.equal(await page.evaluate(() => document.querySelector("liveblog-story").shadowRoot.activeElement?.dataset.entryId), late);
  assert.deepEqual(h.errors, []);
});

test("data-key-events-only, data-order and data-limit", async (t) => {
  const ids = [];
  const all = await (await fetch(`${server.url}/api/stories/embed-long/entries?limit=100`)).json();
  for (const e of all.entries) if (e.key_event) ids.push(e.id);  // newest first: 25, 20, 15, 10, 5
  const h = await openHost({ story: "embed-long", "data-key-events-only": "", "data-order": "oldest", "data-limit": "3", "data-no-title": "" });
  t.after(() => h.context.close());
  const { page } = h;
  assert.deepEqual(await streamIds(page), ids.slice(0, 3).reverse(), "the 3 newest key events, oldest first");
  assert.equal(await inShadow(page, ".story-title").isVisible(), false);
  assert.equal(await inShadow(page, "nav.key-events").isVisible(), false, "the stream is the key events list");
  // In oldest-first order "load older" is above the stream.
  const above = await page.evaluate(() => {
    const root = document.querySelector("liveblog-story").shadowRoot;
    return !!(root.querySelector(".older").compareDocumentPosition(root.querySelector("section.entries")) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(above);
  await inShadow(page, "button.load-older").click();
  await waitFor(async () => (await streamIds(page)).length === 5, 10000, "the older key events");
  assert.deepEqual(await streamIds(page), [...ids].reverse());
  // A new key event goes at the bottom; a plain entry is not shown.
  const plain = await post("embed-long", "Une entrée ordinaire.");
  const keyNew = await post("embed-long", "Un nouveau moment clé.", { key_event: true });
  await inShadow(page, `article#entry-${keyNew}`).waitFor({ timeout: 5000 });
  const shown = await streamIds(page);
  assert.equal(shown[shown.length - 1], keyNew);
  assert.ok(!shown.includes(plain));
  assert.deepEqual(h.errors, []);
});

test("with WebSockets blocked the embed follows the story over SSE, across origins", async (t) => {
  let wsAttempts = 0;
  const sse = [];
  const h = await openHost({ story: "embed-direct" }, {
    prepare: async (context) => {
      // As in sse-fallback.test.mjs: a proxy that breaks every upgrade.
      await context.routeWebSocket("**/ws", (ws) => {
        wsAttempts++;
        ws.close({ code: 1006 }).catch(() => {});
      });
      context.on("response", (res) => {
        if (new URL(res.url()).pathname.startsWith("/sse/")) sse.push(res);
      });
    },
  });
  t.after(() => h.context.close());
  const { page } = h;
  assert.equal(await page.evaluate(() => document.querySelector("liveblog-story").transport), "sse");
  assert.ok(wsAttempts >= 2, `WebSockets were tried first (${wsAttempts} attempts)`);
  assert.equal((await sse[0].allHeaders())["access-control-allow-origin"], hostOrigin);
  const fresh = await post("embed-direct", "Arrivée par Server-Sent Events.");
  await inShadow(page, `article#entry-${fresh}`).waitFor({ timeout: 10000 });
  assert.deepEqual(h.errors, []);
});

test("two embeds share one WebSocket; changing an attribute restarts one", async (t) => {
  const sockets = [];
  const h = await openHost({ story: "embed-direct", second: "embed-long" }, {
    prepare: async (context) => context.on("page", (p) => p.on("websocket", (ws) => sockets.push(ws.url()))),
  });
  t.after(() => h.context.close());
  const { page } = h;
  await page.waitForFunction(() => document.getElementById("second").ready === true, null, { timeout: 10000 });
  assert.equal(sockets.length, 1, `one connection for both (${sockets})`);
  assert.ok(await page.evaluate(() => [...document.querySelectorAll("liveblog-story")].every((el) => el.matches(":state(ready)"))));
  const second = page.locator("#second section.entries > article.entry");
  assert.equal(await second.count(), 20);
  await page.evaluate(() => document.getElementById("second").setAttribute("data-limit", "2"));
  await waitFor(async () => (await second.count()) === 2, 5000, "the restarted embed to show 2 entries");
  // The first embed was not disturbed.
  assert.equal(await page.evaluate(() => document.querySelector("liveblog-story").connectionState), "open");
  assert.deepEqual(h.errors, []);
});

test("after a server restart, entries posted meanwhile arrive once, nothing missed", async (t) => {
  await createStory("embed-relance", "Direct relancé");
  const rendered = [await post("embed-relance", "Avant 1"), await post("embed-relance", "Avant 2")];
  const h = await openHost({ story: "embed-relance" });
  t.after(() => h.context.close());
  const { page } = h;
  await watchDuplicateEntries(page, () => document.querySelector("liveblog-story").shadowRoot.querySelector("section.entries"));
  const live = [await post("embed-relance", "En direct 1")];
  await inShadow(page, `article#entry-${live[0]}`).waitFor({ timeout: 5000 });

  const port = server.port;
  await server.stop();
  await page.waitForFunction(() => document.querySelector("liveblog-story").connectionState === "reconnecting", null, { timeout: 10000 });
  await inShadow(page, ".conn-state", { hasText: "reconnexion…" }).waitFor({ state: "visible", timeout: 5000 });
  server = await startServer({ port, dataDir, args: cors() });
  assert.equal(server.port, port);
  const afterRestart = [await post("embed-relance", "Après 1"), await post("embed-relance", "Après 2"), await post("embed-relance", "Après 3")];
  await page.waitForFunction(() => document.querySelector("liveblog-story").connectionState === "open", null, { timeout: 20000 });
  for (const id of afterRestart) await inShadow(page, `article#entry-${id}`).waitFor({ timeout: 10000 });
  await inShadow(page, ".conn-state").waitFor({ state: "hidden", timeout: 5000 });
  const sentinel = await post("embed-relance", "Dernière");
  await inShadow(page, `article#entry-${sentinel}`).waitFor({ timeout: 10000 });

  const expected = [...rendered, ...live, ...afterRestart, sentinel].reverse();
  assert.deepEqual(await streamIds(page), expected, "every entry once, newest first");
  assert.deepEqual(await page.evaluate(() => window.__twice), [], "never two copies of an entry, even for a moment");
  assert.ok(await page.evaluate(() => window.__sameDocument === true), "the page was not reloaded");
  assert.deepEqual(h.errors, []);
});

test("accessible: axe finds nothing serious, and it fits a 360 px screen", async (t) => {
  const h = await openHost({ story: "embed-direct" }, { viewport: { width: 360, height: 740 } });
  t.after(() => h.context.close());
  const { page } = h;
  assert.deepEqual(await axeViolations(page), []);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the 360 px page is ${overflow}px wider than the viewport`);
  const outside = await page.evaluate(() => {
    const width = document.documentElement.clientWidth + 0.5;
    const all = [...document.querySelector("liveblog-story").shadowRoot.querySelectorAll("*")];
    return all.filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > width)
      .map((el) => el.tagName + (el.className ? `.${el.className}` : ""));
  });
  assert.deepEqual(outside, []);
  // The region is named after the story, the announcements are polite.
  assert.equal(await inShadow(page, "section.live").getAttribute("aria-label"), "Direct\u00a0: Soirée électorale");
  await page.screenshot({ path: screenshotPath("embed-360.png"), fullPage: true });
});

test("a missing story keeps the fallback and says nothing is there", async (t) => {
  const h = await openHost({ story: "pas-de-direct", fallback: "" }, { wait: false });
  t.after(() => h.context.close());
  const { page } = h;
  await page.waitForTimeout(1500);
  assert.equal(await page.locator("liveblog-story > p.fallback").isVisible(), true);
  assert.equal(await page.evaluate(() => document.querySelector("liveblog-story").ready), false);
  const h2 = await openHost({ story: "pas-de-direct" }, { wait: false });
  t.after(() => h2.context.close());
  await inShadow(h2.page, ".notice", { hasText: "Ce direct est introuvable." }).waitFor({ timeout: 10000 });
});

test("the iframe embed tells the host its height, which grows with a new entry", async (t) => {
  const probe = await fetch(`${server.url}/embed/stories/embed-direct`);
  if (probe.status === 404) {
    t.skip("GET /embed/stories/{id} answers 404: the server's iframe route is not built yet");
    return;
  }
  assert.equal(probe.status, 200);
  const h = await openHost({ story: "embed-direct" }, { path: "/frame", wait: false });
  t.after(() => h.context.close());
  const { page } = h;
  const frame = page.locator("#frame");
  const height = () => frame.evaluate((f) => f.getBoundingClientRect().height);
  await waitFor(async () => (await height()) > 300, 10000, "the iframe to take its content's height");
  const inner = page.frameLocator("#frame");
  await inner.locator("liveblog-story section.entries > article.entry").first().waitFor({ timeout: 10000 });
  const before = await height();
  const docHeight = await inner.locator("html").evaluate((el) => Math.ceil(el.getBoundingClientRect().height));
  assert.ok(Math.abs(before - docHeight) <= 1, `iframe ${before}px for a ${docHeight}px document`);
  const fresh = await post("embed-direct", "Une entrée qui agrandit le cadre, avec assez de texte pour prendre une ligne ou deux.");
  await inner.locator(`liveblog-story article#entry-${fresh}`).waitFor({ timeout: 10000 });
  await waitFor(async () => (await height()) > before, 5000, "the iframe to grow");
  const heights = await page.evaluate(() => window.heights);
  assert.ok(heights.length >= 2 && heights[heights.length - 1] > heights[0], `heights posted: ${heights}`);
  await page.screenshot({ path: screenshotPath("embed-frame.png"), fullPage: true });
  assert.deepEqual(h.errors, []);
});
