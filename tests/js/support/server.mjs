// Starts the real liveblog-server binary for the JS tests: a temp data dir,
// no demo story, a fixed token secret, port 0 (or a given port, to restart on
// the same address), and the REST helpers the tests post with.

import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const serverBinary = process.env.LIVEBLOG_SERVER ?? path.join(root, 'build', 'liveblog-server');
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
      const m = /liveblog listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(new ServerProcess(proc, Number(m[2]), m[1], dataDir));
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
  constructor(proc, port, baseUrl, dataDir) {
    this.proc = proc;
    this.port = port;
    this.baseUrl = baseUrl;
    this.dataDir = dataDir;
    this.exited = new Promise((r) => proc.on('exit', r));
  }

  /** SIGTERM (readers get 1001 going away), SIGKILL if it does not stop within 5 s. */
  async stop() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A token from `liveblog-server token`, signed with the tests' secret. */
export function mintToken(dataDir) {
  return new Promise((resolve, reject) => {
    execFile(serverBinary, ['token', '--sub', 'test', '--role', 'admin', '--data-dir', dataDir], { env },
      (e, stdout) => (e ? reject(e) : resolve(stdout.trim())));
  });
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

/** Resolves once `predicate()` is truthy; rejects after `ms`. */
export async function waitFor(predicate, ms = 3000, what = 'condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = predicate();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
