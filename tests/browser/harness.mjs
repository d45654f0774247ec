// Shared pieces of the browser tests: the real liveblog-server on a free
// loopback port, tokens minted with the same secret, REST helpers, and
// Debian's Chromium driven by playwright-core. Everything started here is
// stopped by the test that started it.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const serverBinary = process.env.LIVEBLOG_SERVER_BINARY ?? path.join(root, "build/liveblog-server");
export const artifacts = path.join(root, "test-artifacts");
const secret = "browser-test-secret-0123456789abcdef";

export function tempDir() {
  return mkdtempSync(path.join(tmpdir(), "liveblog-browser-"));
}

// Starts the server; resolves once it prints its URL. `port` 0 picks a free one.
export async function startServer({ dataDir = tempDir(), port = 0, args = [] } = {}) {
  const proc = spawn(
    serverBinary,
    ["--listen", `127.0.0.1:${port}`, "--data-dir", dataDir, "--no-demo", "--static-dir", path.join(root, "client-demo"),
     "--presence-interval-s", "0.5", ...args],
    { env: { ...process.env, LIVEBLOG_SECRET: secret }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  proc.stderr.on("data", (d) => (log += d));
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("server did not start:\n" + log)), 15000);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on("exit", (code) => reject(new Error(`server exited (${code}):\n${log}`)));
  });
  const server = {
    url,
    port: Number(new URL(url).port),
    dataDir,
    log: () => log,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
    },
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

export function mintToken(role = "admin", sub = "browser-test") {
  return execFileSync(serverBinary, ["token", "--sub", sub, "--role", role, "--ttl", "1h", "--data-dir", tempDir()], {
    env: { ...process.env, LIVEBLOG_SECRET: secret },
  }).toString().trim();
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
