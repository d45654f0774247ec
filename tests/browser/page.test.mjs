// The server-rendered reader page in a real browser: readable without
// JavaScript, user text rendered as text, valid JSON-LD.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openFixture, closeFixture, api, screenshotPath } from "./harness.mjs";

let server, browser, token;

before(async () => {
  ({ server, token, browser } = await openFixture());
  await api(server, token, "POST", "/api/stories", { id: "navigateur", title: "Soirée « test » en direct", lang: "fr" });
  await api(server, token, "POST", "/api/stories/navigateur/entries", {
    title: "Premier point",
    blocks: [
      { type: "heading", text: "Les résultats arrivent" },
      { type: "text", text: "Participation **en hausse** selon _les premiers chiffres_, voir [le site](https://example.org/)." },
      { type: "quote", text: "Nous attendons la fin du dépouillement.", cite: "Une candidate" },
      { type: "list", items: ["Paris", "Lyon", "Marseille"] },
    ],
  });
  await api(server, token, "POST", "/api/stories/navigateur/entries", {
    blocks: [{ type: "text", text: "<img src=x onerror=alert(1)> <script>alert(2)</script>" }],
  });
});

after(() => closeFixture({ server, browser }));

test("the page reads without JavaScript and renders hostile text as text", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  let dialogs = 0;
  page.on("dialog", (d) => {
    dialogs++;
    d.dismiss();
  });
  const res = await page.goto(`${server.url}/stories/navigateur`);
  assert.equal(res.status(), 200);
  assert.equal(await page.title(), "Soirée « test » en direct");
  const body = await page.textContent("body");
  assert.match(body, /Les résultats arrivent/);
  assert.match(body, /<img src=x onerror=alert\(1\)>/);  // shown as text
  assert.equal(await page.locator("img[src=x]").count(), 0);
  assert.equal(await page.locator("strong", { hasText: "en hausse" }).count(), 1);
  assert.equal(await page.locator("blockquote cite", { hasText: "Une candidate" }).count(), 1);
  const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
  assert.equal(ld["@type"], "LiveBlogPosting");
  assert.equal(ld.liveBlogUpdate.length, 2);
  await page.screenshot({ path: screenshotPath("reader-no-js-desktop.png"), fullPage: true });
  assert.equal(dialogs, 0);
  await context.close();
});

test("the page fits a 360 px phone", async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.url}/stories/navigateur`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the viewport`);
  await page.screenshot({ path: screenshotPath("reader-no-js-360.png"), fullPage: true });
  await context.close();
});

test("the live page loads compressed, and every script and style by its versioned, immutable URL", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const statics = [];
  page.on("response", async (res) => {
    const url = new URL(res.url());
    if (url.pathname.startsWith("/static/")) statics.push({ url, headers: await res.allHeaders() });
  });
  const res = await page.goto(`${server.url}/stories/navigateur`);
  assert.equal(res.status(), 200);
  // Chromium offers "gzip, deflate, br": the page comes as brotli.
  assert.equal((await res.allHeaders())["content-encoding"], "br");
  await page.waitForLoadState("networkidle");
  const paths = statics.map((s) => s.url.pathname);
  for (const want of ["/static/js/reader-page.js", "/static/js/liveblog-client.js", "/static/js/render.js", "/static/css/reader.css"])
    assert.ok(paths.includes(want), `${want} loaded (got ${paths.join(", ")})`);
  for (const s of statics) {
    assert.match(s.url.search, /^\?v=[0-9a-f]{12}$/, `${s.url.pathname} by its versioned URL`);
    assert.equal(s.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(s.headers["content-encoding"], "br");
  }
  await context.close();
});
