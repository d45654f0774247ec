// The desk in the console, in Chromium against the real server: a
// contributor's entry goes through review (submitted, sent back with a
// comment, reworked, resubmitted) and an editor publishes it; an editor
// schedules an entry and it appears on the open reader page at its time.
// The reader page never shows anything of the desk before publication.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeFixture, openConsole, openFixture, openReader, screenshotPath, api, waitFor } from "./harness.mjs";
import { serverBinary } from "../js/support/server.mjs";

let server, browser, token;
const STORY = "desk-direct";
const users = {
  dan: { email: "dan@redaction.example", name: "Dan Contributeur", role: "contributor", password: "mot de passe de Dan" },
  eve: { email: "eve@redaction.example", name: "Ève Éditrice", role: "editor", password: "mot de passe d’Ève" },
};

before(async () => {
  ({ server, token, browser } = await openFixture({ sub: "Desk test" }));
  for (const u of Object.values(users))
    execFileSync(serverBinary, ["user", "add", "--password-stdin", "--data-dir", server.dataDir, "--email", u.email,
      "--name", u.name, "--role", u.role], { input: u.password + "\n" });
  assert.equal((await api(server, token, "POST", "/api/stories", { id: STORY, title: "Direct du desk", lang: "fr" })).status, 201);
});
after(() => closeFixture({ server, browser }));

async function signIn(user) {
  const c = await openConsole(browser, server, user.email, user.password);
  await c.page.locator("#story-select").selectOption(STORY);
  await c.page.locator("#desk-panel").waitFor({ state: "visible" });
  return c;
}

// Answers the next prompt with `text` (the harness dismisses dialogs otherwise).
function answerNextPrompt(page, text) {
  page.removeAllListeners("dialog");
  page.once("dialog", (d) => d.accept(text));
}

const deskItem = (page, text) => page.locator("#desk-list li.desk-item", { hasText: text });

test("a contributor submits, an editor sends it back, the contributor reworks it, the editor publishes it", async () => {
  const reader = await openReader(browser, server, STORY);
  const dan = await signIn(users.dan);
  const eve = await signIn(users.eve);
  const first = "La préfecture confirme la fermeture du pont.";

  // Dan writes: his main button submits for review; there is no way for him to publish.
  assert.equal(await dan.page.locator("#publish").textContent(), "Soumettre pour relecture");
  assert.equal(await dan.page.locator("#schedule-group").isHidden(), true);
  await dan.page.locator("#blocks > li.block-text textarea").first().fill(first);
  await dan.page.locator("#publish").click();
  await dan.page.locator("#draft-status", { hasText: "Soumis pour relecture" }).waitFor({ timeout: 10000 });
  await deskItem(dan.page, first).locator(".badge", { hasText: "À relire" }).waitFor({ timeout: 10000 });

  // Ève sees it arrive, live, and sends it back with a comment.
  const atEve = deskItem(eve.page, first);
  await atEve.locator(".badge", { hasText: "À relire" }).waitFor({ timeout: 10000 });
  await eve.page.screenshot({ path: screenshotPath("console-desk-review.png"), fullPage: true });
  answerNextPrompt(eve.page, "Précisez depuis quand.");
  await atEve.locator("button", { hasText: "Renvoyer" }).click();

  // Dan sees the comment, reopens his draft, completes it and resubmits.
  const atDan = deskItem(dan.page, first);
  await atDan.locator(".desk-comment", { hasText: "Précisez depuis quand." }).waitFor({ timeout: 10000 });
  await atDan.locator(".badge", { hasText: "Brouillon" }).waitFor();
  await atDan.locator("button", { hasText: "Ouvrir" }).click();
  await dan.page.locator("#composer-title", { hasText: "Élément du desk" }).waitFor();
  const reworked = `${first} Depuis 18 h.`;
  await dan.page.locator("#blocks > li.block-text textarea").first().fill(reworked);
  await dan.page.locator("#publish").click();
  await dan.page.locator("#draft-status", { hasText: "Soumis pour relecture" }).waitFor({ timeout: 10000 });

  // Nothing reached the reader page so far.
  assert.equal(await reader.page.locator("section.entries > article", { hasText: "préfecture" }).count(), 0);

  // Ève publishes: the reader page shows it, with Dan as the author; the desk empties on both consoles.
  const resubmitted = deskItem(eve.page, "Depuis 18 h.");
  await resubmitted.locator(".badge", { hasText: "À relire" }).waitFor({ timeout: 10000 });
  await resubmitted.locator("button", { hasText: "Publier" }).click();
  const published = reader.page.locator("section.entries > article", { hasText: "Depuis 18 h." });
  await published.waitFor({ timeout: 10000 });
  assert.match(await published.textContent(), /Dan Contributeur/);
  await waitFor(async () => (await deskItem(dan.page, "Depuis 18 h.").count()) === 0, 5000, "gone from Dan's desk");
  await waitFor(async () => (await deskItem(eve.page, "Depuis 18 h.").count()) === 0, 5000, "gone from Ève's desk");
  await reader.page.screenshot({ path: screenshotPath("reader-after-review.png") });

  // The audit log has the send-back and the publication, by Ève.
  const audit = await api(server, token, "GET", "/api/audit?limit=100");
  assert.equal(audit.status, 200);
  for (const action of ["draft.sent_back", "entry.published"])
    assert.ok(audit.body.events.some((e) => e.action === action && e.actor.name === "Ève Éditrice"), action);
  for (const c of [reader, dan, eve]) assert.deepEqual(c.errors, []);
  for (const c of [reader, dan, eve]) await c.context.close();
});

test("an editor schedules an entry: it appears on the open reader page at its time", async () => {
  const reader = await openReader(browser, server, STORY);
  const eve = await signIn(users.eve);
  const text = "Entrée programmée : la conférence de presse commence.";
  await eve.page.locator("#blocks > li.block-text textarea").first().fill(text);
  // Four seconds from now, in the browser's local time (what the datetime-local field takes).
  const due = await eve.page.evaluate(() => {
    const d = new Date(Date.now() + 4000);
    d.setMilliseconds(0);  // the field holds whole seconds
    const pad = (n) => String(n).padStart(2, "0");
    document.querySelector("#schedule-at").value =
      `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    return d.getTime();
  });
  await eve.page.locator("#schedule").click();
  await eve.page.locator("#draft-status", { hasText: "Programmé pour" }).waitFor({ timeout: 10000 });
  const item = deskItem(eve.page, text);
  await item.locator(".badge", { hasText: "Programmé" }).waitFor({ timeout: 10000 });
  await eve.page.screenshot({ path: screenshotPath("console-desk-scheduled.png"), fullPage: true });
  assert.equal(await reader.page.locator("section.entries > article", { hasText: "conférence de presse" }).count(), 0);

  await reader.page.locator("section.entries > article", { hasText: "conférence de presse" }).waitFor({ timeout: 10000 });
  const seen = Date.now();
  assert.ok(seen >= due - 200, `published before its time (${seen - due} ms)`);
  assert.ok(seen <= due + 2500, `published late (${seen - due} ms)`);
  await waitFor(async () => (await item.count()) === 0, 5000, "gone from the desk");
  for (const c of [reader, eve]) assert.deepEqual(c.errors, []);
  for (const c of [reader, eve]) await c.context.close();
});
