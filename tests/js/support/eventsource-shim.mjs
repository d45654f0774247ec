// A minimal browser-style EventSource for Node (which has none), on
// node:http: parses text/event-stream (data:, id:, retry:, comments) and
// fires onopen / onmessage / onerror. It never reconnects by itself: the
// client under test closes a failed stream and reconnects with its own
// backoff, so a shim that retried would only hide bugs.

import http from 'node:http';

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

export class EventSourceShim {
  static CONNECTING = CONNECTING;
  static OPEN = OPEN;
  static CLOSED = CLOSED;

  /**
   * @param {string} url  http://host:port/path
   * @param {{delayConnect?: Promise<unknown>}} [options]  the request waits for this promise (tests hold reconnections with it)
   */
  constructor(url, options = {}) {
    const u = new URL(url);
    if (u.protocol !== 'http:') throw new SyntaxError(`unsupported URL ${url}`);
    this.url = url;
    this.readyState = CONNECTING;
    this.onopen = null;
    this.onmessage = null;
    this.onerror = null;
    this.lastEventId = '';
    this._data = [];
    this._pending = '';
    this._req = null;
    Promise.resolve(options.delayConnect).then(() => this._start(u));
  }

  _start(u) {
    if (this.readyState === CLOSED) return;
    this._req = http.get(u, { headers: { Accept: 'text/event-stream' } }, (res) => this._onResponse(res));
    this._req.on('error', () => this._fail());
  }

  close() {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    if (this._req) this._req.destroy();
  }

  _onResponse(res) {
    if (this.readyState === CLOSED) {
      res.destroy();
      return;
    }
    if (res.statusCode !== 200 || !/^text\/event-stream/.test(res.headers['content-type'] || '')) {
      res.resume();
      this._fail();
      return;
    }
    this.readyState = OPEN;
    this._emit('onopen', { type: 'open' });
    res.setEncoding('utf8');
    res.on('data', (chunk) => this._onChunk(chunk));
    res.on('end', () => this._fail());
    res.on('error', () => this._fail());
    res.on('close', () => this._fail());
  }

  _onChunk(chunk) {
    this._pending += chunk;
    const lines = this._pending.split(/\r\n|\r|\n/);
    this._pending = lines.pop();  // an incomplete last line
    for (const line of lines) {
      if (this.readyState === CLOSED) return;
      this._onLine(line);
    }
  }

  _onLine(line) {
    if (line === '') {
      // End of an event.
      if (this._data.length) {
        const data = this._data.join('\n');
        this._data = [];
        this._emit('onmessage', { type: 'message', data, lastEventId: this.lastEventId });
      }
      return;
    }
    if (line.startsWith(':')) return;  // comment (heartbeat)
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') this._data.push(value);
    else if (name === 'id') this.lastEventId = value;
    // retry: and event: are not needed here
  }

  _fail() {
    if (this.readyState === CLOSED) return;
    // As a browser after a stream ends: readyState CONNECTING, then error.
    this.readyState = CONNECTING;
    this._emit('onerror', { type: 'error' });
  }

  _emit(name, ev) {
    const fn = this[name];
    if (typeof fn === 'function') fn.call(this, ev);
  }
}
