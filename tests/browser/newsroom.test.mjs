// The newsroom in the console, in Chromium against the real server: an admin
// made with `liveblog-server user add` signs in with email and password,
// creates a contributor and an API token from the console, the contributor
// signs in (and may not publish), a revoked token stops working, the audit
// log shows it all; signing out ends the session.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeFixture, openConsole, openFixture, openReader, screenshotPath, api, waitFor, streamEntry } from "./harness.mjs";
import { serverBinary } from "../js/support/server.mjs";

let server, browser, token;
const email = "ada@redaction.example", password = "mot de passe d’Ada";

before(async () => {
  ({ server, token, browser } = await openFixture({ sub: "Rédaction test" }));
  execFileSync(serverBinary, ["user", "add", "--password-stdin", "--data-dir", server.dataDir, "--email", email,
    "--name", "Ada Admin", "--role", "admin"], { input: password + "\n" });
  const made = await api(server, token, "POST", "/api/stories", { id: "redaction", title: "Direct de la rédaction", lang: "fr" });
  assert.equal(made.status, 201);
});
after(() => closeFixture({ server, browser }));

test("an admin signs in, creates a contributor and a token, and reads the audit log", async () => {
  const admin = await openConsole(browser, server, email, password);
  const { page } = admin;
  await page.locator("#whoami-text", { hasText: "Ada Admin" }).waitFor();
  await page.locator("#newsroom-panel").waitFor({ state: "visible" });
  // The cookie is HttpOnly: the page's script cannot read it.
  assert.equal(await page.evaluate(() => document.cookie.includes("liveblog_session")), false);

  await page.locator("#user-name").fill("Camille Contributrice");
  await page.locator("#user-email").fill("cam@redaction.example");
  await page.locator("#user-role").selectOption("contributor");
  await page.locator("#user-form button[type=submit]").click();
  const created = await page.locator("#user-created").textContent({ timeout: 10000 }).then(async () => {
    await page.locator("#user-created", { hasText: "Mot de passe" }).waitFor({ timeout: 10000 });
    return page.locator("#user-created").textContent();
  });
  const camPassword = created.split(": ").pop().trim();
  assert.equal(camPassword.length, 20);
  await page.locator("#user-rows tr", { hasText: "cam@redaction.example" }).waitFor();

  await page.locator("#token-name").fill("CMS Lyon");
  await page.locator("#token-create-form button[type=submit]").click();
  await page.locator("#token-created", { hasText: "lbt_" }).waitFor({ timeout: 10000 });
  const secret = (await page.locator("#token-created").textContent()).split(": ").pop().trim();
  const posted = await api(server, secret, "POST", "/api/stories/redaction/entries", { blocks: [{ type: "text", text: "du CMS" }] });
  assert.equal(posted.status, 201);
  await page.locator("#token-rows tr", { hasText: "CMS Lyon" }).locator("button", { hasText: "Révoquer" }).click();
  await page.locator("#token-rows tr", { hasText: "révoqué" }).waitFor({ timeout: 10000 });
  const refused = await api(server, secret, "POST", "/api/stories/redaction/entries", { blocks: [{ type: "text", text: "non" }] });
  assert.equal(refused.status, 401);

  for (const action of ["sign_in", "user.created", "token.created", "token.revoked"])
    await page.locator(`#audit-list li[data-action="${action}"]`).first().waitFor({ timeout: 10000 });
  await page.screenshot({ path: screenshotPath("console-newsroom.png"), fullPage: true });

  // The contributor signs in; the console has no newsroom panel for them, and publishing is refused.
  const cam = await openConsole(browser, server, "cam@redaction.example", camPassword);
  await cam.page.locator("#whoami-text", { hasText: "contributeur" }).waitFor();
  assert.equal(await cam.page.locator("#newsroom-panel").isHidden(), true);
  const res = await cam.page.evaluate(async () => {
    const me = await (await fetch("/api/session")).json();
    const r = await fetch("/api/stories/redaction/entries", {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token },
      body: JSON.stringify({ blocks: [{ type: "text", text: "essai" }] }),
    });
    return { status: r.status, body: await r.json() };
  });
  assert.equal(res.status, 403);
  assert.equal(res.body.error.code, "forbidden");

  // Signing out ends the session: a reload shows the sign-in form again.
  await cam.page.locator("#signout").click();
  await cam.page.reload();
  await cam.page.locator("#email-input").waitFor({ state: "visible" });
  await waitFor(async () => (await cam.page.locator("#workspace").isHidden()), 3000, "workspace hidden");
  assert.deepEqual(admin.errors, []);
  assert.deepEqual(cam.errors, []);
  await admin.context.close();
  await cam.context.close();
});

test("a wrong password says so, without saying which part is wrong", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/editor`);
  await page.locator("#email-input").fill(email);
  await page.locator("#password-input").fill("pas le bon mot de passe");
  await page.locator("#signin-form button[type=submit]").click();
  await page.locator("#signin-msg", { hasText: "E-mail ou mot de passe incorrect" }).waitFor({ timeout: 10000 });
  await context.close();
});

test("a correction note appears live under the entry on an open reader page, and stays after a reload", async () => {
  const posted = await api(server, token, "POST", "/api/stories/redaction/entries",
    { blocks: [{ type: "text", text: "La participation atteint 21 %." }] });
  assert.equal(posted.status, 201);
  const reader = await openReader(browser, server, "redaction");
  const entry = streamEntry(reader.page, posted.body.entry_id);
  await entry.waitFor();
  const res = await api(server, token, "PATCH", `/api/stories/redaction/entries/${posted.body.entry_id}`, {
    blocks: [{ type: "text", text: "La participation atteint 12 %." }],
    correction: "Le chiffre était 12 %, pas 21 %.",
  }, { "If-Match": '"1"' });
  assert.equal(res.status, 200);
  await entry.locator("p.correction", { hasText: "Le chiffre était 12 %, pas 21 %." }).waitFor({ timeout: 5000 });
  const text = await entry.locator("p.correction").textContent();
  assert.match(text, /^Corrigé à \d\d:\d\d\u00a0: Le chiffre était 12 %, pas 21 %\.$/);
  await reader.page.screenshot({ path: screenshotPath("reader-correction.png") });
  await reader.page.reload();
  await streamEntry(reader.page, posted.body.entry_id).locator("p.correction").waitFor();
  assert.deepEqual(reader.errors, []);
  await reader.context.close();
});

test("the console shows an entry's history with a diff, and restores a version", async () => {
  const posted = await api(server, token, "POST", "/api/stories/redaction/entries",
    { blocks: [{ type: "text", text: "Premier bilan : trois blessés." }] });
  await api(server, token, "PATCH", `/api/stories/redaction/entries/${posted.body.entry_id}`,
    { blocks: [{ type: "text", text: "Premier bilan : quatre blessés." }] }, { "If-Match": '"1"' });
  const admin = await openConsole(browser, server, email, password);
  const { page } = admin;
  const card = page.locator(`#entry-list li[data-entry-id="${posted.body.entry_id}"]`);
  await card.waitFor({ timeout: 10000 });
  await card.locator("button", { hasText: "Historique" }).click();
  await page.locator("#history-list li.revision").nth(1).waitFor({ timeout: 5000 });
  assert.equal(await page.locator("#history-list li.revision").count(), 2);
  assert.equal(await page.locator("#history-list li.revision").first().locator("del").textContent(), "trois");
  assert.equal(await page.locator("#history-list li.revision").first().locator("ins").textContent(), "quatre");
  await page.screenshot({ path: screenshotPath("console-history.png") });
  await page.locator("#history-list li.revision").nth(1).locator("button", { hasText: "Restaurer" }).click();
  await page.locator("#composer-title", { hasText: "Modifier" }).waitFor();
  await page.locator("#publish").click();
  await waitFor(async () => {
    const res = await api(server, token, "GET", `/api/stories/redaction/entries?limit=50`);
    const e = res.body.entries.find((x) => x.id === posted.body.entry_id);
    return e && e.version === 3 && e.blocks[0].text === "Premier bilan : trois blessés.";
  }, 5000, "the restored version saved");
  assert.deepEqual(admin.errors, []);
  await admin.context.close();
});

test("two consoles see each other on the story, and a warning when both edit one entry", async () => {
  const posted = await api(server, token, "POST", "/api/stories/redaction/entries",
    { blocks: [{ type: "text", text: "À deux mains." }] });
  execFileSync(serverBinary, ["user", "add", "--password-stdin", "--data-dir", server.dataDir, "--email",
    "bea@redaction.example", "--name", "Béa Éditrice", "--role", "editor"], { input: "mot de passe de Béa\n" });
  const ada = await openConsole(browser, server, email, password);
  const bea = await openConsole(browser, server, "bea@redaction.example", "mot de passe de Béa");
  await ada.page.locator("#editors-line", { hasText: "Béa Éditrice" }).waitFor({ timeout: 10000 });
  await bea.page.locator("#editors-line", { hasText: "Ada Admin" }).waitFor({ timeout: 10000 });

  const adaCard = ada.page.locator(`#entry-list li[data-entry-id="${posted.body.entry_id}"]`);
  await adaCard.locator("button", { hasText: "Modifier" }).click();
  await bea.page.locator("#editors-line", { hasText: "Ada Admin (modifie « À deux mains. »)" }).waitFor({ timeout: 10000 });
  const beaCard = bea.page.locator(`#entry-list li[data-entry-id="${posted.body.entry_id}"]`);
  await beaCard.locator("button", { hasText: "Modifier" }).click();
  await bea.page.locator("#edit-banner", { hasText: "Ada Admin modifie aussi cette entrée" }).waitFor({ timeout: 10000 });
  await ada.page.locator("#edit-banner", { hasText: "Béa Éditrice modifie aussi cette entrée" }).waitFor({ timeout: 10000 });
  await bea.page.screenshot({ path: screenshotPath("console-two-editors.png") });

  // Ada leaves: Béa's console no longer lists her.
  await ada.context.close();
  await waitFor(async () => bea.page.locator("#editors-line").isHidden(), 5000, "Ada gone from the list");
  assert.deepEqual(bea.errors, []);
  await bea.context.close();
});
