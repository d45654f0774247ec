// A server restart under an open reader page: the server is stopped with
// SIGTERM and started again on the same port and data dir; the page
// reconnects, resumes from the last seq it applied and shows every entry
// exactly once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openFixture, closeFixture, startServer, api, openReader, streamIds, streamEntry, watchDuplicateEntries } from "./harness.mjs";

let server, browser, token, dataDir;

before(async () => {
  ({ server, token, browser } = await openFixture());
  dataDir = server.dataDir;
});

after(() => closeFixture({ server, browser }));

async function post(text, extra = {}) {
  const res = await api(server, token, "POST", "/api/stories/relance/entries", { blocks: [{ type: "text", text }], ...extra });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.entry_id;
}

test("entries posted around a server restart all appear once on the open page", async (t) => {
  let res = await api(server, token, "POST", "/api/stories", { id: "relance", title: "Direct relancé", lang: "fr" });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const rendered = [await post("Rendue par le serveur 1"), await post("Rendue par le serveur 2")];

  const r = await openReader(browser, server, "relance");
  t.after(() => r.context.close());
  const page = r.page;
  await watchDuplicateEntries(page, () => document.querySelector("section.entries"));
  assert.deepEqual(await streamIds(page), [...rendered].reverse());

  // Two entries the page gets live before the restart.
  const beforeStop = [await post("En direct avant l’arrêt 1"), await post("En direct avant l’arrêt 2")];
  for (const id of beforeStop) await streamEntry(page, id).waitFor({ timeout: 5000 });

  // SIGTERM: the page notices and says it is reconnecting.
  const port = server.port;
  await server.stop();
  await page.locator('body[data-connection="reconnecting"]').waitFor({ state: "attached", timeout: 10000 });
  await page.locator(".conn-state", { hasText: "reconnexion…" }).waitFor({ state: "visible", timeout: 5000 });

  // Same port, same data dir; post at once, before the page is back.
  const restartedAt = performance.now();
  server = await startServer({ port, dataDir });
  assert.equal(server.port, port);
  const afterRestart = [await post("Après la reprise 1"), await post("Après la reprise 2"), await post("Après la reprise 3")];
  // An edit of an entry the page already has comes back in place.
  res = await api(server, token, "PATCH", `/api/stories/relance/entries/${beforeStop[0]}`,
    { blocks: [{ type: "text", text: "En direct avant l’arrêt 1, corrigée après la reprise" }] }, { "If-Match": "1" });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const stateAfterPosts = await page.locator("body").getAttribute("data-connection");

  await page.locator('body[data-connection="open"]').waitFor({ state: "attached", timeout: 20000 });
  for (const id of afterRestart) await streamEntry(page, id).waitFor({ timeout: 10000 });
  const transport = await page.locator("body").getAttribute("data-transport");
  console.log(`reconnected ${(performance.now() - restartedAt).toFixed(0)} ms after the restart, over ${transport}; ` +
    `the page was "${stateAfterPosts}" when the posts after the restart were done`);
  await page.locator(".conn-state").waitFor({ state: "hidden", timeout: 5000 });

  // A last entry, posted once the page is back: when it shows, everything
  // before it has been applied.
  const sentinel = await post("Dernière entrée");
  await streamEntry(page, sentinel).waitFor({ timeout: 10000 });

  const expected = [...rendered, ...beforeStop, ...afterRestart, sentinel].reverse();
  const ids = await streamIds(page);
  const counts = {};
  for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
  assert.deepEqual(Object.entries(counts).filter(([, n]) => n > 1), [], "no entry shown twice");
  assert.deepEqual(expected.filter((id) => !counts[id]), [], "no entry missing");
  assert.deepEqual(ids, expected, "every entry once, newest first");
  assert.deepEqual(await page.evaluate(() => window.__twice), [], "never two copies of an entry, even for a moment");
  assert.equal(await page.locator("article[data-entry-id]").count(), expected.length, "no other copy anywhere on the page");
  const edited = streamEntry(page, beforeStop[0]);
  assert.equal(await edited.getAttribute("data-version"), "2");
  assert.match(await edited.textContent(), /corrigée après la reprise/);
  assert.equal(await edited.locator(".updated").count(), 1);
  assert.ok(await page.evaluate(() => window.__sameDocument === true), "the page was not reloaded");
  assert.equal(r.dialogs, 0);
  assert.deepEqual(r.errors, []);
});
