// A reader whose network breaks WebSockets: the page falls back to
// Server-Sent Events and still follows the story live.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openFixture, closeFixture, api, openReader, streamIds, streamEntry } from "./harness.mjs";

let server, browser, token;

before(async () => ({ server, token, browser } = await openFixture()));

after(() => closeFixture({ server, browser }));

test("with WebSockets blocked the page follows the story over SSE", async (t) => {
  let res = await api(server, token, "POST", "/api/stories", { id: "sans-ws", title: "Direct sans WebSocket", lang: "fr" });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  res = await api(server, token, "POST", "/api/stories/sans-ws/entries", { blocks: [{ type: "text", text: "Déjà là" }] });
  const rendered = res.body.entry_id;

  // page.route / context.route do not see WebSocket handshakes in Chromium
  // (a route on **/ws never fires), so the block is a WebSocket route that
  // refuses every connection before it opens, as a proxy that breaks
  // upgrades would.
  let wsAttempts = 0;
  const sse = [];
  const r = await openReader(browser, server, "sans-ws", {}, async (context) => {
    await context.routeWebSocket("**/ws", (ws) => {
      wsAttempts++;
      ws.close({ code: 1006 }).catch(() => {});
    });
    context.on("request", (req) => {
      if (new URL(req.url()).pathname.startsWith("/sse/")) sse.push(req.url());
    });
  });
  t.after(() => r.context.close());
  const page = r.page;
  assert.equal(await page.locator("body").getAttribute("data-transport"), "sse");
  assert.ok(wsAttempts >= 2, `the page tried WebSockets first (${wsAttempts} attempts)`);
  assert.ok(sse.length >= 1, "an SSE stream was opened");
  assert.match(sse[0], /\/sse\/stories\/sans-ws\?since=1&epoch=/, "it resumes from the page's data-seq");
  await page.evaluate(() => { window.__sameDocument = true; });

  res = await api(server, token, "POST", "/api/stories/sans-ws/entries",
    { title: "Arrivée par SSE", blocks: [{ type: "text", text: "Publiée après le chargement de la page." }] });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const live = res.body.entry_id;
  await streamEntry(page, live).locator("h2.entry-title", { hasText: "Arrivée par SSE" }).waitFor({ timeout: 10000 });

  // An edit comes through the same stream.
  res = await api(server, token, "PATCH", `/api/stories/sans-ws/entries/${rendered}`,
    { blocks: [{ type: "text", text: "Déjà là, et corrigée" }] }, { "If-Match": "1" });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await streamEntry(page, rendered).locator("p", { hasText: "Déjà là, et corrigée" }).waitFor({ timeout: 10000 });

  assert.deepEqual(await streamIds(page), [live, rendered]);
  assert.equal(await page.locator("body").getAttribute("data-transport"), "sse");
  assert.equal(await page.locator("body").getAttribute("data-connection"), "open");
  assert.ok(await page.evaluate(() => window.__sameDocument === true), "the page was not reloaded");
  assert.deepEqual(r.errors, []);
});
