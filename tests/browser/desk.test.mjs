// The desk in the console, in Chromium against the real server: a
// contributor's entry goes through review (submitted, sent back with a
// comment, reworked, resubmitted) and an editor publishes it; an editor
// schedules an entry and it appears on the open reader page at its time.
// The reader page never shows anything of the desk before publication.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  axeViolations, closeFixture, openConsole, openFixture, openReader, screenshotPath, api, waitFor, streamEntry,
} from "./harness.mjs";
import { serverBinary } from "../js/support/server.mjs";

let server, browser, token;
const STORY = "desk-direct";
const users = {
  dan: { email: "dan@redaction.example", name: "Dan Contributeur", role: "contributor", password: "mot de passe de Dan" },
  eve: { email: "eve@redaction.example", name: "Ève Éditrice", role: "editor", password: "mot de passe d’Ève" },
  ada: { email: "ada@redaction.example", name: "Ada Admin", role: "admin", password: "mot de passe d’Ada" },
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

// Fills the composer's "Programmer à" with `ms` from now, in the browser's
// local time (what a datetime-local field takes, to the second); returns that time.
function scheduleIn(page, ms) {
  return page.evaluate((ahead) => {
    const d = new Date(Date.now() + ahead);
    d.setMilliseconds(0);
    const pad = (n) => String(n).padStart(2, "0");
    document.querySelector("#schedule-at").value =
      `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    return d.getTime();
  }, ms);
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
  // The console with a desk to review, as axe-core reads it: nothing serious or critical.
  assert.deepEqual(await axeViolations(eve.page), []);
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
  assert.deepEqual(await axeViolations(reader.page), []);

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
  const due = await scheduleIn(eve.page, 4000);
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

test("the whole way in the console: an admin creates a contributor, who drafts and submits; the admin schedules it, then corrects it", async () => {
  const reader = await openReader(browser, server, STORY);
  const ada = await signIn(users.ada);
  // A contributor account, made in the console's newsroom panel.
  await ada.page.locator("#user-name").fill("Fanny Pigiste");
  await ada.page.locator("#user-email").fill("fanny@redaction.example");
  await ada.page.locator("#user-role").selectOption("contributor");
  await ada.page.locator("#user-form button[type=submit]").click();
  await ada.page.locator("#user-created", { hasText: "Mot de passe" }).waitFor({ timeout: 10000 });
  const password = (await ada.page.locator("#user-created").textContent()).split(": ").pop().trim();
  const fanny = await signIn({ email: "fanny@redaction.example", password });

  // Fanny keeps a draft, then submits it from the desk.
  const text = "Le cortège arrive place de la République.";
  await fanny.page.locator("#blocks > li.block-text textarea").first().fill(text);
  await fanny.page.locator("#save-draft").click();
  const atFanny = deskItem(fanny.page, text);
  await atFanny.locator(".badge", { hasText: "Brouillon" }).waitFor({ timeout: 10000 });
  await atFanny.locator("button", { hasText: "Soumettre" }).click();
  await atFanny.locator(".badge", { hasText: "À relire" }).waitFor({ timeout: 10000 });

  // Ada opens it, completes it and schedules it three seconds ahead.
  await deskItem(ada.page, text).locator("button", { hasText: "Ouvrir" }).click();
  await ada.page.locator("#composer-title", { hasText: "Élément du desk" }).waitFor();
  await ada.page.locator("#blocks > li.block-text textarea").first().fill(`${text} Environ 3 000 personnes.`);
  await scheduleIn(ada.page, 3000);
  await ada.page.locator("#schedule").click();
  await deskItem(fanny.page, "Environ 3 000").locator(".badge", { hasText: "Programmé" }).waitFor({ timeout: 10000 });
  const article = reader.page.locator("section.entries > article", { hasText: "Environ 3 000 personnes." });
  await article.waitFor({ timeout: 10000 });
  assert.match(await article.textContent(), /Fanny Pigiste/);
  const published = streamEntry(reader.page, await article.getAttribute("data-entry-id"));

  // A public correction from Ada's console appears under it on the open page.
  const card = ada.page.locator("#entry-list li", { hasText: "Environ 3 000 personnes." });
  await card.locator("button", { hasText: "Modifier" }).click();
  await ada.page.locator("#blocks > li.block-text textarea").first().fill(`${text} Environ 30 000 personnes.`);
  await ada.page.locator("#entry-correction").check();
  await ada.page.locator("#entry-correction-note").fill("Il s’agissait de 30 000 personnes, pas 3 000.");
  await ada.page.locator("#publish").click();
  await published.locator("p.correction", { hasText: "Il s’agissait de 30 000 personnes" }).waitFor({ timeout: 10000 });
  assert.match(await published.textContent(), /Environ 30 000 personnes/);
  await reader.page.screenshot({ path: screenshotPath("reader-scheduled-corrected.png") });
  for (const c of [reader, ada, fanny]) assert.deepEqual(c.errors, []);
  for (const c of [reader, ada, fanny]) await c.context.close();
});
