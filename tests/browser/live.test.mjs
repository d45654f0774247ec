// The live reader page (/stories/{id} with JavaScript) following a story
// while it changes: an entry published from the editor console, edits,
// deletions, pins and status changes made through the REST API, hostile text
// arriving live, and screenshots of the result.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  openFixture, closeFixture, api, screenshotPath, openReader, openEditor, streamIds, streamEntry, waitFor,
} from "./harness.mjs";

let server, browser, token;

// Each test closes the browser contexts it opened (an open live page keeps
// the CPU busy, which slows the next tests on a small machine).
async function reader(t, storyId, options) {
  const r = await openReader(browser, server, storyId, options);
  t.after(() => r.context.close());
  // Set once; still there after the test means the page was never reloaded.
  await r.page.evaluate(() => { window.__sameDocument = true; });
  return r;
}

async function editor(t) {
  const e = await openEditor(browser, server, token);
  t.after(() => e.context.close());
  return e;
}

const sameDocument = (page) => page.evaluate(() => window.__sameDocument === true);

async function createStory(id, fields = {}) {
  const res = await api(server, token, "POST", "/api/stories", { id, title: `Direct ${id}`, lang: "fr", ...fields });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.story;
}

async function post(storyId, entry) {
  const res = await api(server, token, "POST", `/api/stories/${storyId}/entries`, entry);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.entry_id;
}

before(async () => ({ server, token, browser } = await openFixture({ sub: "Rédaction test" })));

after(() => closeFixture({ server, browser }));

test("an entry published in the editor console appears on an open reader page without a reload; so do its console edits", async (t) => {
  await createStory("autre-direct", { title: "Un autre direct" });
  const { page: ed, errors: editorErrors } = await editor(t);

  // Create the story from the console; it is then selected.
  await ed.locator("#create-story > summary").click();
  await ed.locator("#create-slug").fill("console-direct");
  await ed.locator("#create-title").fill("Direct de la console");
  await ed.locator("#create-form button[type=submit]", { hasText: "Créer le direct" }).click();
  await waitFor(async () => (await ed.locator("#story-select").inputValue()) === "console-direct",
    10000, "the created story to be selected");
  await ed.locator('#conn-feed[data-state="live"]').waitFor({ timeout: 10000 });
  await ed.locator("#composer").waitFor({ state: "visible" });

  // The reader page, in a second browser context, live before anything is posted.
  const r = await reader(t, "console-direct");
  assert.equal(await streamIds(r.page).then((ids) => ids.length), 0);

  // Compose: a new draft starts with one empty text block; fill it, then add
  // a second text block with the button and fill that one too.
  const text = `Premiers chiffres de participation (${Date.now()})`;
  const more = "Les bureaux ferment à **20 h**.";
  await ed.locator("#blocks > li.block-text textarea").first().fill(text);
  await ed.locator(`#add-block-buttons button[aria-label="Ajouter un bloc texte"]`).click();
  await ed.locator("#blocks > li.block-text").nth(1).waitFor();
  await ed.locator("#blocks > li.block-text").nth(1).locator("textarea").fill(more);
  await ed.locator("#preview strong", { hasText: "20 h" }).waitFor({ timeout: 5000 });

  // Timestamps taken in the browsers: the click's capture phase on the
  // editor, the first frame that shows the entry on the reader. Both are
  // wall-clock times of the same machine (timeOrigin + now).
  await r.page.evaluate((wanted) => {
    const stream = document.querySelector("section.entries");
    const seen = () => [...stream.querySelectorAll("article.entry")]
      .some((a) => !a.hidden && a.textContent.includes(wanted) && a.checkVisibility());
    new MutationObserver((_, obs) => {
      if (!seen()) return;
      obs.disconnect();
      window.__insertedAt = performance.timeOrigin + performance.now();
      requestAnimationFrame(() => { window.__paintedAt = performance.timeOrigin + performance.now(); });
    }).observe(stream, { childList: true, subtree: true });
  }, text);
  await ed.evaluate(() => {
    document.querySelector("#publish").addEventListener("click", () => {
      window.__clickedAt = performance.timeOrigin + performance.now();
    }, { capture: true, once: true });
  });

  const t0 = performance.now();
  await ed.locator("#publish").click();
  const article = r.page.locator("section.entries > article.entry", { hasText: text });
  await article.waitFor({ state: "visible", timeout: 10000 });
  const nodeMs = performance.now() - t0;
  const paintedAt = await waitFor(() => r.page.evaluate(() => window.__paintedAt), 10000, "the reader's frame");
  const insertedAt = await r.page.evaluate(() => window.__insertedAt);
  const clickedAt = await ed.evaluate(() => window.__clickedAt);
  assert.ok(clickedAt, "the click was recorded");
  console.log(`click-to-visible: ${(paintedAt - clickedAt).toFixed(1)} ms ` +
    `(entry in the reader's DOM after ${(insertedAt - clickedAt).toFixed(1)} ms; ` +
    `seen by the test driver after ${nodeMs.toFixed(1)} ms)`);
  assert.ok(paintedAt - clickedAt < 5000, "the entry showed within 5 s");

  // Exactly once, in place, with the server's markup.
  const ids = await streamIds(r.page);
  assert.equal(ids.length, 1);
  assert.equal(await article.getAttribute("data-entry-id"), ids[0]);
  assert.equal(await article.getAttribute("data-version"), "1");
  assert.deepEqual(await article.locator("p").allTextContents(), [text, "Les bureaux ferment à 20 h."]);
  assert.equal(await article.locator("p strong").textContent(), "20 h");
  assert.equal(await article.locator(".entry-meta .author").textContent(), "Rédaction test");
  assert.ok(await sameDocument(r.page), "the reader page was not reloaded");
  assert.equal(await r.page.locator("section.entries > p.empty").count(), 0, "the empty-story note is gone");

  // The console confirms, lists the entry and clears the composer.
  await ed.locator("#draft-status", { hasText: "Entrée publiée." }).waitFor({ timeout: 5000 });
  await ed.locator(`#entry-list > li[data-entry-id="${ids[0]}"]`, { hasText: text }).waitFor({ timeout: 5000 });
  assert.equal(await ed.locator("#blocks > li").count(), 1, "the composer starts a new draft");
  assert.equal(await ed.locator("#blocks textarea").inputValue(), "");

  // The console with its story selected, after signing in and publishing.
  await ed.evaluate(() => window.scrollTo(0, 0));
  await ed.screenshot({ path: screenshotPath("editor-console-desktop.png"), fullPage: true });

  // Changes made in the console reach the same open page: pin, edit, end.
  const id = ids[0];
  const card = ed.locator(`#entry-list > li[data-entry-id="${id}"]`);
  await card.locator(`button[data-focus-key="pin:${id}"]`, { hasText: "Épingler" }).click();
  await r.page.locator(`section.pinned-entries > article#pinned-${id}`).waitFor({ timeout: 5000 });
  await card.locator(`button[data-focus-key="pin:${id}"]`, { hasText: "Désépingler" }).waitFor({ timeout: 5000 });

  await card.locator(`button[data-focus-key="edit:${id}"]`).click();
  await ed.locator("#composer-title", { hasText: "Modifier l’entrée" }).waitFor({ timeout: 5000 });
  assert.equal(await ed.locator("#blocks textarea").first().inputValue(), text);
  await ed.locator("#blocks textarea").first().fill(`${text}, corrigé`);
  await ed.locator("#publish", { hasText: "Enregistrer la modification" }).click();
  await article.locator("p", { hasText: `${text}, corrigé` }).waitFor({ timeout: 5000 });
  assert.match(await article.locator(".entry-meta .updated").textContent(), /^mis à jour \d\d:\d\d$/);
  await r.page.locator(`section.pinned-entries > article#pinned-${id} p`, { hasText: `${text}, corrigé` })
    .waitFor({ timeout: 5000 });
  assert.equal(await article.getAttribute("data-version"), "3");

  await ed.locator('#story-form input[name="status"][value="ended"]').check();
  await ed.locator("#story-save").click();
  await r.page.locator(".story-status .badge.badge-ended", { hasText: "Terminé" }).waitFor({ timeout: 5000 });
  await ed.locator("#story-form-msg", { hasText: "Direct enregistré (Terminé)." }).waitFor({ timeout: 5000 });

  assert.deepEqual(await streamIds(r.page), [id]);
  assert.ok(await sameDocument(r.page), "the reader page was not reloaded");
  assert.equal(r.dialogs, 0);
  assert.deepEqual(editorErrors, []);
  assert.deepEqual(r.errors, []);
});

test("edits, deletions, pins and status changes appear in place on the open page", async (t) => {
  await createStory("modifs", { title: "Direct modifié" });
  const a = await post("modifs", { blocks: [{ type: "text", text: "Version initiale de A" }] });
  const b = await post("modifs", { title: "Entrée B", blocks: [{ type: "text", text: "Texte de B" }] });
  const c = await post("modifs", { blocks: [{ type: "text", text: "Entrée C, bientôt supprimée" }] });
  const r = await reader(t, "modifs");
  const page = r.page;
  assert.deepEqual(await streamIds(page), [c, b, a]);
  assert.equal(await page.locator(".story-status .badge").textContent(), "En direct");

  // Edit A.
  let res = await api(server, token, "PATCH", `/api/stories/modifs/entries/${a}`,
    { blocks: [{ type: "text", text: "Version corrigée de A" }] }, { "If-Match": '"1"' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const entryA = streamEntry(page, a);
  await entryA.locator("p", { hasText: "Version corrigée de A" }).waitFor({ timeout: 5000 });
  assert.equal(await entryA.getAttribute("data-version"), "2");
  assert.match(await entryA.locator(".entry-meta .updated").textContent(), /^mis à jour \d\d:\d\d$/);
  assert.equal(await page.getByText("Version initiale de A").count(), 0);

  // Pin B: the pinned block appears with a copy of B.
  res = await api(server, token, "POST", `/api/stories/modifs/entries/${b}/pin`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const pinned = page.locator(`section.pinned-entries > article#pinned-${b}`);
  await pinned.waitFor({ state: "visible", timeout: 5000 });
  assert.equal(await pinned.locator(".pin-label").textContent(), "Épinglé");
  assert.equal(await pinned.locator("h2.entry-title").textContent(), "Entrée B");
  assert.match(await streamEntry(page, b).getAttribute("class"), /\bis-pinned\b/);

  // Pin C too, then delete it: both of its copies go, B stays pinned.
  res = await api(server, token, "POST", `/api/stories/modifs/entries/${c}/pin`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await page.locator(`section.pinned-entries > article#pinned-${c}`).waitFor({ timeout: 5000 });
  res = await api(server, token, "DELETE", `/api/stories/modifs/entries/${c}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await streamEntry(page, c).waitFor({ state: "detached", timeout: 5000 });
  assert.deepEqual(await streamIds(page), [b, a]);
  assert.equal(await page.locator(`article[data-entry-id="${c}"]`).count(), 0);
  assert.deepEqual(await page.locator("section.pinned-entries > article")
    .evaluateAll((as) => as.map((x) => x.dataset.entryId)), [b]);

  // Status: paused, then ended.
  const badge = page.locator(".story-status .badge");
  res = await api(server, token, "PATCH", "/api/stories/modifs", { status: "paused" });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await page.locator(".story-status .badge.badge-paused", { hasText: "En pause" }).waitFor({ timeout: 5000 });
  res = await api(server, token, "PATCH", "/api/stories/modifs", { status: "ended", title: "Direct terminé" });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await page.locator(".story-status .badge.badge-ended", { hasText: "Terminé" }).waitFor({ timeout: 5000 });
  assert.equal(await badge.count(), 1);
  assert.equal(await page.locator("body").getAttribute("data-status"), "ended");
  await waitFor(async () => (await page.title()) === "Direct terminé", 10000, "the new title");
  assert.equal(await page.locator(".story-header h1").textContent(), "Direct terminé");

  // Unpinning B removes the pinned block; B stays in the stream.
  res = await api(server, token, "DELETE", `/api/stories/modifs/entries/${b}/pin`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await page.locator("section.pinned-entries").waitFor({ state: "detached", timeout: 5000 });
  assert.deepEqual(await streamIds(page), [b, a]);

  // The live page now says what a fresh render says.
  const fresh = await r.context.newPage();
  await fresh.goto(`${server.url}/stories/modifs`);
  const freshIds = await streamIds(fresh);
  assert.deepEqual(freshIds, [b, a]);
  for (const id of [a, b]) {
    assert.equal(await streamEntry(page, id).getAttribute("data-version"),
      await streamEntry(fresh, id).getAttribute("data-version"));
  }
  await fresh.close();
  assert.ok(await sameDocument(page), "the reader page was not reloaded");
  assert.deepEqual(r.errors, []);
});

test("hostile text posted live renders as text and runs nothing", async (t) => {
  await createStory("hostile", { title: "Direct hostile" });
  await post("hostile", { blocks: [{ type: "text", text: "Avant" }] });
  const r = await reader(t, "hostile");
  const e = await editor(t);
  const ed = e.page;
  await ed.locator("#story-select").selectOption("hostile");
  await ed.locator('#conn-feed[data-state="live"]').waitFor({ timeout: 10000 });

  const payload = "<img src=x onerror=alert(1)>";
  const id = await post("hostile", {
    title: `${payload} titre`,
    key_event: true,
    blocks: [
      { type: "text", text: `${payload} **gras** <script>alert(2)</script>` },
      { type: "heading", text: payload },
      { type: "list", items: [payload, "<svg onload=alert(3)>"] },
      { type: "quote", text: payload, cite: payload },
    ],
  });
  const article = streamEntry(r.page, id);
  await article.waitFor({ state: "visible", timeout: 5000 });
  // The key events list and the editor's entry list get it too.
  await r.page.locator("nav.key-events li", { hasText: payload }).waitFor({ timeout: 5000 });
  await ed.locator(`#entry-list > li[data-entry-id="${id}"]`).waitFor({ timeout: 5000 });
  // An image that errors fires onerror right after it is inserted: settle briefly.
  await r.page.waitForTimeout(300);

  assert.match(await article.locator("p").first().textContent(), /^<img src=x onerror=alert\(1\)> gras <script>alert\(2\)<\/script>$/);
  assert.equal(await article.locator("p strong").textContent(), "gras");
  assert.equal(await article.locator("h2.entry-title").textContent(), `${payload} titre`);
  assert.equal(await article.locator("h3").textContent(), payload);
  assert.deepEqual(await article.locator("li").allTextContents(), [payload, "<svg onload=alert(3)>"]);
  assert.equal(await article.locator("blockquote cite").textContent(), payload);
  for (const page of [r.page, ed]) {
    assert.equal(await page.locator("img[src=x], img[src='x']").count(), 0);
    assert.equal(await page.locator("article img, article svg, article script").count(), 0);
  }
  assert.equal(await r.page.locator("script:not([src]):not([type='application/ld+json']):not([type='importmap'])").count(), 0);
  // The import map (the server's own: versioned URLs of its modules) holds nothing else.
  const map = JSON.parse(await r.page.locator("script[type='importmap']").textContent());
  for (const [from, to] of Object.entries(map.imports)) {
    assert.match(from, /^\/static\/js\/[a-z-]+\.js$/);
    assert.equal(to, `${from}?v=${to.split("?v=")[1]}`);
    assert.match(to, /\?v=[0-9a-f]{12}$/);
  }
  assert.equal(r.dialogs, 0, "no dialog on the reader page");
  assert.equal(e.dialogs, 0, "no dialog on the editor console");
  assert.deepEqual(r.errors, []);
  assert.deepEqual(e.errors, []);
});

test("screenshots of the live page, desktop and 360 px, after live updates", async (t) => {
  await createStory("ecran", { title: "Soirée électorale : les résultats en direct", summary: "Suivez la soirée minute par minute." });
  const first = await post("ecran", { blocks: [{ type: "text", text: "Les bureaux de vote ferment à 20 h dans les grandes villes." }] });
  await post("ecran", {
    title: "Participation en hausse",
    blocks: [{ type: "text", text: "À 17 h, la participation atteignait **52 %**, selon _le ministère_." }],
  });
  const desktop = await reader(t, "ecran", { viewport: { width: 1280, height: 900 } });
  const phone = await reader(t, "ecran", { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

  const live = [];
  live.push(await post("ecran", {
    title: "Premières estimations",
    key_event: true,
    blocks: [
      { type: "heading", text: "La gauche en tête à Paris" },
      { type: "text", text: "Selon les premières estimations, voir [le détail](https://example.org/resultats) des chiffres." },
      { type: "list", items: ["Paris : 54 %", "Lyon : 49 %", "Marseille : 47 %", "Une ville au nom interminable-sur-la-rivière-du-nord : 51 %"] },
    ],
  }));
  live.push(await post("ecran", {
    blocks: [{ type: "quote", text: "Nous attendons les résultats définitifs avant de nous prononcer.", cite: "Une porte-parole" }],
  }));
  live.push(await post("ecran", {
    pinned: true,
    blocks: [{ type: "text", text: "Épinglé : résultats définitifs attendus vers 23 h. Unmotsansespacetrèstrèslongquidoitcouperproprementsurpetitécran." }],
  }));
  let res = await api(server, token, "PATCH", `/api/stories/ecran/entries/${first}`,
    { blocks: [{ type: "text", text: "Les bureaux de vote ont fermé à 20 h dans les grandes villes." }] }, { "If-Match": "1" });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const last = live[live.length - 1];

  for (const { page } of [desktop, phone]) {
    await page.locator(`section.pinned-entries > article#pinned-${last}`).waitFor({ timeout: 5000 });
    await streamEntry(page, first).locator(".updated").waitFor({ timeout: 5000 });
    await page.locator("nav.key-events li", { hasText: "Premières estimations" }).waitFor({ timeout: 5000 });
    const ids = await streamIds(page);
    assert.equal(ids.length, 5);
    assert.equal(new Set(ids).size, 5);
    assert.deepEqual(ids.slice(0, 3), [...live].reverse());
    // End the "new entry" highlight so the screenshot shows the resting page.
    await page.evaluate(() => document.getAnimations().forEach((a) => a.finish()));
    await page.evaluate(() => window.scrollTo(0, 0));
  }

  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the 360 px page is ${overflow}px wider than the viewport`);
  // No element sticks out of the viewport horizontally.
  const outside = await phone.page.evaluate(() => [...document.querySelectorAll("body *")]
    .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .map((el) => el.tagName + (el.className ? "." + el.className : "")));
  assert.deepEqual(outside, []);

  await desktop.page.screenshot({ path: screenshotPath("reader-live-desktop.png"), fullPage: true });
  await phone.page.screenshot({ path: screenshotPath("reader-live-360.png"), fullPage: true });
  assert.deepEqual(desktop.errors, []);
  assert.deepEqual(phone.errors, []);
});
