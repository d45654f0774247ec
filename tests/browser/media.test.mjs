// Photos, the lead image, related links and embed cards, in Chromium against
// the real server: an editor drops a photo on an image block (alt text
// required), and the open reader page shows it live as a <picture> that
// loads from /media/; the story panel sets an uploaded lead image and two
// related links, shown live and after a reload; a social post's address
// becomes a card captured once from a local oEmbed provider, which the
// reader's browser never contacts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import {
  api, axeViolations, closeFixture, launchBrowser, mintToken, openConsole, openReader, startServer, waitFor,
} from "./harness.mjs";
import { root, serverBinary } from "../js/support/server.mjs";

const STORY = "photos-direct";
const POST_URL = "https://social.example/p/1";
const editor = { email: "photo@redaction.example", name: "Paula Photo", role: "editor", password: "mot de passe de Paula" };
const fixture = (name) => path.join(root, "tests", "fixtures", "images", name);

let server, browser, token, provider, configDir;
const oembedRequests = [];

// A tiny oEmbed provider on an ephemeral port: the answer a social network
// gives for POST_URL (its blockquote, as the networks' embed code has it).
function startProvider() {
  return new Promise((resolve) => {
    const srv = http.createServer((req, res) => {
      const url = new URL(req.url, "http://127.0.0.1");
      oembedRequests.push(url.pathname + url.search);
      if (url.pathname !== "/oembed") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({
        version: "1.0", type: "rich", provider_name: "Testsocial", author_name: "Jane",
        author_url: "https://social.example/jane",
        html: "<blockquote><p>Hello from the test</p>— Jane <a href=\"https://social.example/p/1\">December 7, 2026</a></blockquote>",
      }));
    });
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}

before(async () => {
  provider = await startProvider();
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), "liveblog-media-"));
  const config = path.join(configDir, "config.json");
  fs.writeFileSync(config, JSON.stringify({
    oembed_providers: [{
      name: "Testsocial", endpoint: `http://127.0.0.1:${provider.address().port}/oembed`, schemes: ["https://social.example/*"],
    }],
  }));
  server = await startServer({ args: ["--config", config] });
  token = mintToken({ sub: "Media test" });
  browser = await launchBrowser();
  execFileSync(serverBinary, ["user", "add", "--password-stdin", "--data-dir", server.dataDir, "--email", editor.email,
    "--name", editor.name, "--role", editor.role], { input: editor.password + "\n" });
  assert.equal((await api(server, token, "POST", "/api/stories", { id: STORY, title: "Photos en direct", lang: "fr" })).status, 201);
});

after(async () => {
  await closeFixture({ server, browser });
  provider?.close();
  if (configDir) fs.rmSync(configDir, { recursive: true, force: true });
});

async function signIn() {
  const c = await openConsole(browser, server, editor.email, editor.password);
  await c.page.locator("#story-select").selectOption(STORY);
  await c.page.locator("#composer").waitFor({ state: "visible" });
  return c;
}

// Drops `file` on `selector` as a browser would: a DataTransfer holding a
// File made in the page from the fixture's bytes.
async function dropFile(page, selector, file, type) {
  const b64 = fs.readFileSync(fixture(file)).toString("base64");
  await page.evaluate(({ selector, b64, name, type }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name, { type }));
    const target = document.querySelector(selector);
    for (const kind of ["dragenter", "dragover", "drop"])
      target.dispatchEvent(new DragEvent(kind, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { selector, b64, name: file, type });
}

// The image has loaded (lazy images are scrolled to first).
async function imageLoads(locator) {
  await locator.scrollIntoViewIfNeeded();
  await waitFor(() => locator.evaluate((img) => img.complete && img.naturalWidth > 0), 10000, "the image to load");
}

test("a photo dropped on an image block reaches the open reader page as a <picture>", async () => {
  const reader = await openReader(browser, server, STORY);
  const ed = await signIn();
  const { page } = ed;
  await page.locator("#blocks > li.block-text textarea").first().fill("La foule grossit place de la République.");
  await page.locator('#add-block-buttons button[aria-label="Ajouter un bloc image"]').click();
  const block = page.locator("#blocks > li.block-image");
  await block.waitFor();

  // A file the server refuses: the message names its code, nothing is kept.
  await block.locator('input[type="file"]').setInputFiles(fixture("drawing.svg"));
  await block.locator(".field-error", { hasText: "unsupported_image" }).waitFor({ timeout: 10000 });
  assert.equal(await block.locator('.image-source[data-state="empty"]').count(), 1);

  await dropFile(page, "#blocks > li.block-image", "photo.jpg", "image/jpeg");
  await block.locator('.image-source[data-state="uploaded"]').waitFor({ timeout: 15000 });
  await imageLoads(block.locator(".media-thumb"));
  assert.match(await block.locator(".media-thumb").getAttribute("src"), /^\/media\/[0-9a-f]{32}\/320\.jpg$/);

  // No alt text: the console refuses to send it, and says so next to the field.
  await page.locator("#publish").click();
  const altError = block.locator('p.field-error[id$="-alt-err"]');
  await altError.filter({ hasText: "texte alternatif obligatoire" }).waitFor();
  assert.equal(await block.locator('input[id$="-alt"]').getAttribute("aria-invalid"), "true");
  assert.equal(await reader.page.locator("section.entries > article").count(), 0);

  await block.locator('input[id$="-alt"]').fill("La foule sur la place, vue d’un balcon");
  await block.locator('input[id$="-credit"]').fill("Photo test");
  await page.locator("#publish").click();
  await page.locator("#draft-status", { hasText: "Entrée publiée." }).waitFor({ timeout: 10000 });

  // Live on the reader page: a WebP <source> over the stored widths, a JPEG <img> that loads.
  const article = reader.page.locator("section.entries > article", { hasText: "La foule grossit" });
  await article.waitFor({ timeout: 10000 });
  const srcset = await article.locator('picture source[type="image/webp"]').getAttribute("srcset");
  assert.match(srcset, /\/media\/[0-9a-f]{32}\/320\.webp 320w/);
  const img = article.locator("picture img");
  assert.equal(await img.getAttribute("alt"), "La foule sur la place, vue d’un balcon");
  assert.equal(await img.getAttribute("width"), "1200");
  assert.equal(await img.getAttribute("height"), "800");
  await imageLoads(img);
  // The same after a reload, from the server's own markup.
  await reader.page.reload();
  await imageLoads(reader.page.locator("section.entries > article picture img").first());
  for (const c of [reader, ed]) assert.deepEqual(c.errors, []);
  for (const c of [reader, ed]) await c.context.close();
});

test("the story panel sets an uploaded lead image and related links, shown live and after a reload", async () => {
  const reader = await openReader(browser, server, STORY);
  assert.equal(await reader.page.locator("#story-lead figure").count(), 0);
  assert.equal(await reader.page.locator("#related").isHidden(), true);
  const ed = await signIn();
  const { page } = ed;

  await page.locator("#story-lead-media").setInputFiles(fixture("photo.png"));
  await page.locator('#story-lead-fields .image-source[data-state="uploaded"]').waitFor({ timeout: 15000 });
  await imageLoads(page.locator("#story-lead-fields .media-thumb"));
  await page.locator("#story-lead-alt").fill("Le cortège au départ");
  await page.locator("#story-lead-caption").fill("Au départ du cortège, vers **14 h**.");
  const links = [
    { title: "Le direct d’hier", url: "https://example.org/direct-hier" },
    { title: "Comprendre la réforme", url: "https://example.org/explications" },
  ];
  for (const [i, link] of links.entries()) {
    await page.locator("#related-add").click();
    await page.locator(`#related-${i}-title`).fill(link.title);
    await page.locator(`#related-${i}-url`).fill(link.url);
  }
  await page.locator("#story-save").click();
  await page.locator("#story-form-msg", { hasText: "Direct enregistré" }).waitFor({ timeout: 10000 });

  const check = async (p) => {
    const lead = p.locator("#story-lead figure.lead-image");
    await lead.waitFor({ timeout: 10000 });
    const img = lead.locator("picture img");
    assert.equal(await img.getAttribute("alt"), "Le cortège au départ");
    assert.equal(await img.getAttribute("fetchpriority"), "high");
    await imageLoads(img);
    assert.equal(await lead.locator("figcaption strong").textContent(), "14 h");
    await p.locator("#related:not([hidden])").waitFor({ timeout: 10000 });
    assert.equal(await p.locator("#related-title").textContent(), "À suivre aussi");
    assert.deepEqual(await p.locator("#related li a").evaluateAll((as) => as.map((a) => ({ title: a.textContent, url: a.href }))), links);
  };
  await check(reader.page);          // live (story.updated)
  await reader.page.reload();
  await check(reader.page);          // the server's page

  // A console opened afterwards shows the current values.
  const other = await signIn();
  await other.page.locator('#story-lead-fields .image-source[data-state="uploaded"]').waitFor({ timeout: 10000 });
  assert.equal(await other.page.locator("#story-lead-alt").inputValue(), "Le cortège au départ");
  assert.equal(await other.page.locator("#related-1-url").inputValue(), links[1].url);
  for (const c of [reader, ed, other]) assert.deepEqual(c.errors, []);
  for (const c of [reader, ed, other]) await c.context.close();
});

test("a social post's address becomes a card, captured once, that readers get without contacting the provider", async () => {
  const reader = await openReader(browser, server, STORY);
  const providerHits = [];
  reader.page.on("request", (req) => {
    if (req.url().includes(`127.0.0.1:${provider.address().port}`) || req.url().includes("social.example")) providerHits.push(req.url());
  });
  const ed = await signIn();
  const { page } = ed;
  await page.locator("#blocks > li.block-text textarea").first().fill("Réaction de Jane sur les réseaux :");
  await page.locator('#add-block-buttons button[aria-label="Ajouter un bloc lien intégré"]').click();
  const block = page.locator("#blocks > li.block-embed");
  await block.locator('input[type="url"]').fill(POST_URL);
  await block.locator('input[type="url"]').press("Tab");  // leaving the field fetches the card
  const preview = block.locator(".embed-preview figure.embed-card");
  await preview.waitFor({ timeout: 10000 });
  assert.match(await preview.textContent(), /Hello from the test/);
  assert.equal(oembedRequests.length, 1);
  // The console: the story panel with its lead image and links, the card's preview in its block.
  await page.screenshot({ path: "/tmp/media-console.png", fullPage: true });
  // The console with its new controls, as axe-core reads it: nothing serious or critical.
  assert.deepEqual(await axeViolations(page), []);
  await page.locator("#publish").click();
  await page.locator("#draft-status", { hasText: "Entrée publiée." }).waitFor({ timeout: 10000 });

  const card = reader.page.locator("section.entries > article figure.embed-card");
  await card.waitFor({ timeout: 10000 });
  assert.equal(await card.locator("blockquote p").first().textContent(), "Hello from the test");
  assert.equal(await card.locator(".embed-author").textContent(), "Jane");
  assert.equal(await card.locator(".embed-provider").textContent(), "Testsocial");
  assert.equal(await card.locator("a.embed-link").getAttribute("href"), POST_URL);
  assert.equal(await reader.page.locator("section.entries iframe, section.entries script").count(), 0);
  await reader.page.screenshot({ path: "/tmp/media-page.png", fullPage: true });
  assert.deepEqual(await axeViolations(reader.page), []);

  await reader.page.reload();
  await reader.page.locator("section.entries > article figure.embed-card", { hasText: "Hello from the test" }).waitFor();
  // Captured once, at insertion: publishing and reading asked the provider nothing more.
  assert.equal(oembedRequests.length, 1);
  assert.deepEqual(providerHits, []);
  for (const c of [reader, ed]) assert.deepEqual(c.errors, []);
  for (const c of [reader, ed]) await c.context.close();
});
