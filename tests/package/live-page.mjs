// The installed package's check from a reader's side (tests/package/run):
// the demo story's page over HTTPS goes live and shows a new entry.
//   node tests/package/live-page.mjs https://127.0.0.1:PORT TOKEN
import { launchBrowser } from "../browser/harness.mjs";
import { checkPageGoesLiveOverHttps } from "../browser/https-page.mjs";

process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"; // this process's REST call to the self-signed loopback server
const [url, token] = process.argv.slice(2);
const browser = await launchBrowser();
try {
  await checkPageGoesLiveOverHttps(browser, url, token, "demo-en-direct", "package-live-page.png");
  console.log(`live-page: ${url}/stories/demo-en-direct went live over HTTPS and showed the new entry`);
} finally {
  await browser.close();
}
