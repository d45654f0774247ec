// Shared pieces of the browser tests: the real liveblog-server and tokens
// (tests/js/support/server.mjs, shared with the client library's tests), REST
// helpers, and Debian's Chromium driven by playwright-core. Everything started
// here is stopped by the test file that started it.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { root, startServer as startLiveblog, mintToken, waitFor } from "../js/support/server.mjs";

export { mintToken, waitFor };
export const artifacts = path.join(root, "test-artifacts");

// Presence is throttled to 0.5 s so the pages show their viewer count soon.
export function startServer({ dataDir, port = 0, args = [] } = {}) {
  return startLiveblog({ dataDir, port, args: ["--presence-interval-s", "0.5", ...args] });
}

// What every browser test file starts with: one server, an admin token
// (signed as `sub`) and Chromium. The file stops them with closeFixture after
// its tests (passing the server it ended with, if it restarted it).
export async function openFixture({ sub = "browser-test" } = {}) {
  const server = await startServer();
  return { server, token: mintToken({ sub }), browser: await launchBrowser() };
}

export async function closeFixture({ server, browser }) {
  await browser?.close();
  await server?.stop();
  server?.cleanup();
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

// The console's page in a new context, not signed in yet; counts dialogs
// (dismissed) and page errors.
async function consolePage(browser, server, contextOptions) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...contextOptions });
  const page = await context.newPage();
  const editor = { context, page, dialogs: 0, errors: [] };
  page.on("dialog", (d) => {
    editor.dialogs++;
    d.dismiss().catch(() => {});
  });
  page.on("pageerror", (err) => editor.errors.push(err));
  await page.goto(`${server.url}/editor`);
  return editor;
}

// Opens the console in a new context and signs in with an account's email
// and password (the session cookie). Resolves once the workspace is shown.
export async function openConsole(browser, server, email, password, contextOptions = {}) {
  const editor = await consolePage(browser, server, contextOptions);
  const { page } = editor;
  await page.locator("#email-input").fill(email);
  await page.locator("#password-input").fill(password);
  await page.locator("#signin-form button[type=submit]").click();
  await page.locator("#workspace").waitFor({ state: "visible", timeout: 10000 });
  await page.locator('#conn-admin[data-state="ready"]').waitFor({ timeout: 10000 });
  return editor;
}

// Opens the editor console in a new context and signs in by pasting `token`
// into the token field. Resolves once the workspace is shown.
export async function openEditor(browser, server, token, contextOptions = {}) {
  const editor = await consolePage(browser, server, contextOptions);
  const { page } = editor;
  await page.locator("#token-signin summary").click();
  await page.locator("#token-input").fill(token);
  await page.locator("#token-form button[type=submit]").click();  // (getByRole takes ~2 s on this page)
  await page.locator("#workspace").waitFor({ state: "visible", timeout: 10000 });
  await page.locator('#conn-admin[data-state="ready"]').waitFor({ timeout: 10000 });
  return editor;
}

// ---------------------------------------------------------------------------
// Accessibility
// ---------------------------------------------------------------------------

// The axe-core (npm) violations of the page as it is now, of impact serious
// or critical: [{id, impact, help, targets}].
export async function axeViolations(page) {
  await page.addScriptTag({ path: path.join(root, "node_modules", "axe-core", "axe.min.js") });
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) })));
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/**
 * Records in window.__twice every moment an entry is in the stream twice
 * (any rendered state, not only the last), and sets window.__sameDocument
 * (a reload would clear it). `findStream` runs in the page and returns the
 * stream element.
 */
export async function watchDuplicateEntries(page, findStream) {
  await page.evaluate((source) => {
    window.__sameDocument = true;
    window.__twice = [];
    const stream = (0, eval)(source)();
    new MutationObserver(() => {
      const seen = new Set();
      for (const a of stream.querySelectorAll(":scope > article.entry")) {
        if (seen.has(a.dataset.entryId)) window.__twice.push(a.dataset.entryId);
        seen.add(a.dataset.entryId);
      }
    }).observe(stream, { childList: true });
  }, findStream.toString());
}
