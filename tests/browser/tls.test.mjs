// The reader page served over HTTPS by the server itself (--tls-cert and
// --tls-key, a certificate made at test time with openssl): Chromium loads
// it, the client library follows over WSS, and a post shows without reload;
// a SIGHUP reload of the certificate does not drop the open page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import tls from "node:tls";
import { closeFixture, launchBrowser, mintToken, startServer, waitFor } from "./harness.mjs";
import { checkPageGoesLiveOverHttps } from "./https-page.mjs";

process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"; // this test process's REST calls to its self-signed loopback server

let fixture;
const certDir = fs.mkdtempSync(path.join(os.tmpdir(), "liveblog-tls-"));

function makeCertificate(name) {
  const cert = path.join(certDir, `${name}.cert.pem`);
  const key = path.join(certDir, `${name}.key.pem`);
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
    { stdio: "ignore" });
  return { cert, key };
}

// The SHA-256 fingerprint of the certificate a new connection is served.
function servedFingerprint(port) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerX509Certificate().fingerprint256);
      socket.destroy();
    });
    socket.on("error", reject);
  });
}

before(async () => {
  const { cert, key } = makeCertificate("server");
  const server = await startServer({ args: ["--tls-cert", cert, "--tls-key", key] });
  fixture = { server, token: mintToken({ sub: "tls-browser" }), browser: await launchBrowser(), cert, key };
  const res = await fetch(`${server.url}/api/stories`, {
    method: "POST",
    headers: { Authorization: `Bearer ${fixture.token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ id: "https-story", title: "En direct, chiffré", lang: "fr" }),
  });
  assert.equal(res.status, 201);
});

after(async () => {
  await closeFixture(fixture);
  fs.rmSync(certDir, { recursive: true, force: true });
});

test("the page over HTTPS goes live over WSS and survives a certificate reload", async () => {
  const { server, token, browser } = fixture;
  assert.match(server.url, /^https:\/\//);
  const reader = await checkPageGoesLiveOverHttps(browser, server.url, token, "https-story", "tls-page.png");
  const wsUrls = [];
  reader.page.on("websocket", (ws) => wsUrls.push(ws.url()));

  // Renewed certificate, SIGHUP: the open page keeps its connection and its updates.
  const renewed = makeCertificate("renewed");
  fs.copyFileSync(renewed.cert, fixture.cert);
  fs.copyFileSync(renewed.key, fixture.key);
  process.kill(server.pid, "SIGHUP");
  const wanted = new crypto.X509Certificate(fs.readFileSync(renewed.cert)).fingerprint256;
  await waitFor(async () => (await servedFingerprint(server.port)) === wanted, 3000, "the renewed certificate served");
  const text = `Après le renouvellement ${Date.now()}`;
  const res = await fetch(`${server.url}/api/stories/https-story/entries`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ blocks: [{ type: "text", text }] }),
  });
  assert.equal(res.status, 201);
  await waitFor(() => reader.page.getByText(text).count(), 5000, "the entry posted after the reload");
  assert.deepEqual(wsUrls, [], "the page did not reconnect");
  assert.equal(await reader.page.getAttribute("body", "data-connection"), "open");
  await reader.context.close();
});
