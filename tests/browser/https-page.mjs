// One check shared by the TLS browser test and the package test: Chromium
// opens a story page over HTTPS (a self-signed certificate, accepted for
// this context only), the page goes live over WSS, an entry posted through
// the REST API shows on it without reload. Returns the reader.
import { openReader, screenshotPath, waitFor } from "./harness.mjs";

export async function checkPageGoesLiveOverHttps(browser, url, token, story, screenshot) {
  const reader = await openReader(browser, { url }, story, { ignoreHTTPSErrors: true });
  const scheme = await reader.page.evaluate(() => location.protocol);
  if (scheme !== "https:") throw new Error(`page is on ${scheme}`);
  const text = `Par HTTPS : entrée ${Date.now()}`;
  const res = await fetch(`${url}/api/stories/${story}/entries`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ blocks: [{ type: "text", text }] }),
  });
  if (res.status !== 201) throw new Error(`post: HTTP ${res.status} ${await res.text()}`);
  await waitFor(() => reader.page.getByText(text).count(), 5000, "the posted entry on the page");
  if (screenshot) await reader.page.screenshot({ path: screenshotPath(screenshot) });
  if (reader.errors.length) throw new Error(`page errors: ${reader.errors.join("; ")}`);
  return reader;
}
