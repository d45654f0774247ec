// The real liveblog-server binary for the JavaScript and browser tests: a
// temp data dir, no demo story, the client-demo static files, a fixed token
// secret, port 0 (or a given port, to restart on the same address), plus the
// REST helpers the tests post with. Everything started here is stopped by the
// test file that started it.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// scripts/test sets it to the binary it just built (Release or sanitized).
export const serverBinary = process.env.LIVEBLOG_SERVER_BINARY ?? path.join(root, 'build', 'liveblog-server');
const staticDir = path.join(root, 'client-demo');
const secret = 'js-client-tests-secret-0123456789';
const env = { ...process.env, LIVEBLOG_SECRET: secret };

export function makeDataDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'liveblog-js-'));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startOnce(dataDir, port, extraArgs) {
  return new Promise((resolve, reject) => {
    const args = ['--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--no-demo', '--static-dir', staticDir,
      '--log-level', 'warn', ...extraArgs];
    const proc = spawn(serverBinary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start in time: ${err}`));
    }, 10000);
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.stderr.on('data', (d) => { err += d; });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /liveblog listening on (https?:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(new ServerProcess(proc, Number(m[2]), m[1], dataDir, () => err));
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${err}`));
    });
  });
}

/**
 * Starts the server; retries a few times when the binary is missing or busy
 * (it may be being rebuilt) or the port is not free yet.
 * @param {{dataDir?: string, port?: number, args?: string[]}} [options]
 * @returns {Promise<ServerProcess>}
 */
export async function startServer(options = {}) {
  const dataDir = options.dataDir ?? makeDataDir();
  let lastError;
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      return await startOnce(dataDir, options.port ?? 0, options.args ?? []);
    } catch (e) {
      lastError = e;
      await sleep(250 * (attempt + 1));
    }
  }
  throw lastError;
}

export class ServerProcess {
  constructor(proc, port, url, dataDir, log) {
    this.proc = proc;
    this.pid = proc.pid;
    this.port = port;
    /** e.g. http://127.0.0.1:PORT (https:// with --tls-cert) */
    this.url = url;
    this.dataDir = dataDir;
    /** What the server wrote on stderr so far. */
    this.log = log;
    this.exited = new Promise((r) => proc.on('exit', r));
  }

  /** SIGTERM, as an operator would (readers get 1001 going away); SIGKILL if it has not exited in 10 s. */
  async stop() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Removes the data dir (after stop(); a restart on the same dir must come before). */
  cleanup() {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A token from `liveblog-server token`, signed with the tests' secret. */
export function mintToken({ role = 'admin', sub = 'test' } = {}) {
  const dir = makeDataDir();
  try {
    return execFileSync(serverBinary, ['token', '--sub', sub, '--role', role, '--ttl', '1h', '--data-dir', dir], { env })
      .toString().trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * REST calls as an editor.
 * @param {() => string} baseUrl  read at each call (the server may have moved)
 * @param {string} token
 */
export function restClient(baseUrl, token) {
  async function call(method, p, body, headers = {}) {
    const res = await fetch(baseUrl() + p, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json().catch(() => null);
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
  return {
    call,
    createStory: (id, fields = {}) => call('POST', '/api/stories', { id, title: `Story ${id}`, lang: 'fr', ...fields }),
    updateStory: (id, fields) => call('PATCH', `/api/stories/${id}`, fields),
    post: (story, text, extra = {}) =>
      call('POST', `/api/stories/${story}/entries`, { blocks: [{ type: 'text', text }], ...extra }),
    edit: (story, entryId, version, fields) =>
      call('PATCH', `/api/stories/${story}/entries/${entryId}`, fields, { 'If-Match': String(version) }),
    remove: (story, entryId) => call('DELETE', `/api/stories/${story}/entries/${entryId}`),
    pin: (story, entryId) => call('POST', `/api/stories/${story}/entries/${entryId}/pin`),
  };
}

/**
 * Polls `fn` (sync or async) until it returns a truthy value, which is
 * returned; a throw counts as "not yet". Rejects after `ms` with `what`.
 */
export async function waitFor(fn, ms = 3000, what = 'condition', interval = 10) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last})`);
    await sleep(interval);
  }
}
