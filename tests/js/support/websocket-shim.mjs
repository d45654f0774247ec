// A minimal browser-style WebSocket for Node 18+ (which has no global
// WebSocket), built on node:net and node:crypto: the client handshake,
// masked text frames out, text/close/ping frames in. Enough for the reader
// client under test; not a general WebSocket implementation (no TLS, no
// extensions, no binary sends).

import net from 'node:net';
import crypto from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

export class WebSocketShim {
  static CONNECTING = CONNECTING;
  static OPEN = OPEN;
  static CLOSING = CLOSING;
  static CLOSED = CLOSED;

  /**
   * @param {string} url  ws://host:port/path
   * @param {{delayConnect?: Promise<unknown>}} [options]  the TCP connect waits for this promise (tests hold reconnections with it)
   */
  constructor(url, options = {}) {
    const u = new URL(url);
    if (u.protocol !== 'ws:') throw new SyntaxError(`unsupported URL ${url}`);
    this.url = url;
    this.readyState = CONNECTING;
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    this.onerror = null;
    this._buffer = Buffer.alloc(0);
    this._handshakeDone = false;
    this._fragments = null;
    this._closeSent = false;
    this._closeEvent = null;
    this._socket = null;
    Promise.resolve(options.delayConnect).then(() => this._connect(u));
  }

  _connect(u) {
    if (this.readyState !== CONNECTING) return;
    const key = crypto.randomBytes(16).toString('base64');
    this._expectedAccept = crypto.createHash('sha1').update(key + GUID).digest('base64');
    const socket = net.connect(Number(u.port || 80), u.hostname);
    this._socket = socket;
    socket.on('connect', () => {
      socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk) => this._onData(chunk));
    socket.on('error', () => this._fail());
    socket.on('close', () => this._finish(this._closeEvent ?? { code: 1006, reason: '', wasClean: false }));
  }

  send(text) {
    if (this.readyState !== OPEN) throw new Error('WebSocket is not open');
    this._writeFrame(0x1, Buffer.from(String(text), 'utf8'));
  }

  close(code = 1000, reason = '') {
    if (this.readyState === CLOSING || this.readyState === CLOSED) return;
    if (this.readyState === CONNECTING) {
      this.readyState = CLOSING;
      this._closeEvent = { code: 1006, reason: '', wasClean: false };
      if (this._socket) this._socket.destroy();
      else this._finish(this._closeEvent);
      return;
    }
    this.readyState = CLOSING;
    this._sendClose(code, reason);
    // The server answers with its close frame and closes the TCP connection.
    setTimeout(() => this._socket && this._socket.destroy(), 1000).unref();
  }

  /** Test helper: drops the TCP connection without a close frame (a dead network). */
  terminate() {
    if (this._socket) this._socket.destroy();
  }

  _sendClose(code, reason) {
    if (this._closeSent) return;
    this._closeSent = true;
    const r = Buffer.from(reason, 'utf8');
    const payload = Buffer.alloc(2 + r.length);
    payload.writeUInt16BE(code, 0);
    r.copy(payload, 2);
    this._writeFrame(0x8, payload);
  }

  _writeFrame(opcode, payload) {
    if (!this._socket || this._socket.destroyed) return;
    const mask = crypto.randomBytes(4);
    const len = payload.length;
    let header;
    if (len < 126) {
      header = Buffer.from([0x80 | opcode, 0x80 | len]);
    } else if (len < 65536) {
      header = Buffer.alloc(4);
      header[0] = 0x80 | opcode;
      header[1] = 0x80 | 126;
      header.writeUInt16BE(len, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | opcode;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(len), 2);
    }
    const masked = Buffer.alloc(len);
    for (let i = 0; i < len; i++) masked[i] = payload[i] ^ mask[i & 3];
    this._socket.write(Buffer.concat([header, mask, masked]));
  }

  _onData(chunk) {
    this._buffer = Buffer.concat([this._buffer, chunk]);
    if (!this._handshakeDone) {
      const end = this._buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this._buffer.subarray(0, end).toString('latin1');
      this._buffer = this._buffer.subarray(end + 4);
      const lines = head.split('\r\n');
      const accept = lines.find((l) => /^sec-websocket-accept:/i.test(l));
      if (!/^HTTP\/1\.1 101/.test(lines[0]) || !accept || accept.split(':')[1].trim() !== this._expectedAccept) {
        this._fail();
        return;
      }
      this._handshakeDone = true;
      this.readyState = OPEN;
      this._emit('onopen', { type: 'open' });
    }
    this._readFrames();
  }

  _readFrames() {
    for (;;) {
      const b = this._buffer;
      if (b.length < 2) return;
      const fin = (b[0] & 0x80) !== 0;
      const opcode = b[0] & 0x0f;
      const masked = (b[1] & 0x80) !== 0;
      let len = b[1] & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      const maskKey = masked ? b.subarray(offset, offset + 4) : null;
      if (masked) offset += 4;
      if (b.length < offset + len) return;
      let payload = Buffer.from(b.subarray(offset, offset + len));
      if (maskKey) for (let i = 0; i < payload.length; i++) payload[i] ^= maskKey[i & 3];
      this._buffer = b.subarray(offset + len);
      this._onFrame(fin, opcode, payload);
      if (this.readyState === CLOSED) return;
    }
  }

  _onFrame(fin, opcode, payload) {
    if (opcode === 0x0 || opcode === 0x1 || opcode === 0x2) {
      // Data, possibly fragmented: continuation frames (0) append.
      if (opcode !== 0x0) this._fragments = { opcode, parts: [] };
      if (!this._fragments) return;
      this._fragments.parts.push(payload);
      if (!fin) return;
      const whole = Buffer.concat(this._fragments.parts);
      const isText = this._fragments.opcode === 0x1;
      this._fragments = null;
      if (this.readyState === OPEN) {
        this._emit('onmessage', { type: 'message', data: isText ? whole.toString('utf8') : whole });
      }
    } else if (opcode === 0x8) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      const reason = payload.length > 2 ? payload.subarray(2).toString('utf8') : '';
      this._closeEvent = { code, reason, wasClean: true };
      if (this.readyState === OPEN) this.readyState = CLOSING;
      this._sendClose(code === 1005 ? 1000 : code, '');
      this._socket.end();
    } else if (opcode === 0x9) {
      this._writeFrame(0xa, payload);  // pong
    }
  }

  _fail() {
    if (this.readyState === CLOSED) return;
    this._emit('onerror', { type: 'error' });
    if (this._socket) this._socket.destroy();
    else this._finish({ code: 1006, reason: '', wasClean: false });
  }

  _finish(ev) {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this._emit('onclose', { type: 'close', ...ev });
  }

  _emit(name, ev) {
    const fn = this[name];
    if (typeof fn === 'function') fn.call(this, ev);
  }
}
