// The console's command connection (its reader feed is editor-feed.js):
// - AdminChannel: /admin/ws, first message `auth`, then commands with a
//   request_id each, answered by `ack` or `error`. Reconnects with backoff and
//   re-authenticates; commands not yet answered are sent again after the
//   re-auth. That is safe for every command the console sends: post_entry
//   carries its idempotency key, update_entry and delete_entry their
//   expected_version, pin/unpin and update_story set a state.

import { Backoff } from "./liveblog-client.js";

const RETRYABLE_DELAYS = [1000, 2000, 4000];

export function wsUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

export class CommandError extends Error {
  constructor(reply, extra = {}) {
    super(reply.message || reply.code || "erreur");
    this.code = reply.code;
    this.reply = reply;
    Object.assign(this, extra);
  }
}

/**
 * Events (CustomEvent detail):
 * - "state": {state, attempt?, delay?}; state is one of idle, connecting,
 *   authenticating, ready, waiting (backoff before a reconnect),
 *   unauthorized (token refused: no reconnect until a new token),
 *   expired (token expired: a new token goes on the same connection).
 * - "authenticated": the `authenticated` reply.
 * - "authfail": {code, message}.
 */
export class AdminChannel extends EventTarget {
  constructor(url = wsUrl("/admin/ws")) {
    super();
    this.url = url;
    this.token = null;
    this.ws = null;
    this.state = "idle";
    this.backoff = new Backoff({ initialMs: 500, maxMs: 15000 });
    this.timer = null;
    this.nextId = 1;
    this.pending = new Map(); // request_id → {msg, resolve, reject, sent, tries, resent}
    this.identity = null;
    this.stopped = true;
    window.addEventListener("online", () => { if (this.state === "waiting") this.connectNow(); });
  }

  setState(state, extra = {}) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, ...extra } }));
  }

  /** Starts (or re-authenticates) with this token. */
  start(token) {
    this.token = token;
    this.session = false;
    this.stopped = false;
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.setState("authenticating");
      this.ws.send(JSON.stringify({ type: "auth", token }));
      return;
    }
    this.connectNow();
  }

  /**
   * Starts with the console's session cookie (after POST /api/session): the
   * browser sends it with the upgrade, and the server answers `authenticated`
   * unprompted. A reconnect carries it again.
   */
  startSession() {
    this.token = null;
    this.session = true;
    this.stopped = false;
    if (this.ws) { const ws = this.ws; this.ws = null; ws.onclose = null; ws.close(1000, "signing in"); }
    this.connectNow();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = ws.onmessage = ws.onerror = null;
      try { ws.close(1000, "bye"); } catch { /* already closed */ }
    }
    for (const p of this.pending.values()) p.reject(new CommandError({ code: "cancelled", message: "déconnecté" }));
    this.pending.clear();
    this.setState("idle");
  }

  connectNow() {
    clearTimeout(this.timer);
    if (this.stopped || (!this.token && !this.session)) return;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    this.setState("connecting", { attempt: this.backoff.attempt });
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.setState("authenticating");
      if (this.token) ws.send(JSON.stringify({ type: "auth", token: this.token }));
    };
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onclose = (ev) => this.onClose(ws, ev);
    ws.onerror = () => { /* onclose follows */ };
  }

  onClose(ws, ev) {
    if (ws !== this.ws) return;
    this.ws = null;
    for (const p of this.pending.values()) p.sent = false;
    if (this.stopped) return;
    // 4001: the credential was refused or revoked; with a session, 4002 too
    // (the server did not accept the cookie in time).
    if (ev.code === 4001 || this.state === "unauthorized" || (this.session && ev.code === 4002)) {
      this.setState("unauthorized");
      this.dispatchEvent(new CustomEvent("authfail", {
        detail: { code: "unauthorized", message: this.session ? "session_ended" : "" },
      }));
      return; // a new sign-in is needed
    }
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (this.stopped) return;
    const delay = this.backoff.next();
    this.setState("waiting", { delay, attempt: this.backoff.attempt });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connectNow(), delay);
  }

  onMessage(data) {
    let msg;
    try { msg = JSON.parse(data); } catch { return; }
    if (msg.type === "authenticated") {
      this.backoff.reset();
      this.identity = msg;
      this.setState("ready");
      this.dispatchEvent(new CustomEvent("authenticated", { detail: msg }));
      if (this.where) this.ws.send(JSON.stringify({ type: "editing", ...this.where }));
      this.flush();
      return;
    }
    // The editors' channel: who is on the story, and its desk.
    if (msg.type === "editors" || msg.type === "desk" || msg.type === "desk_item" || msg.type === "desk_removed") {
      this.dispatchEvent(new CustomEvent(msg.type, { detail: msg }));
      return;
    }
    if (msg.type === "error" && msg.request_id === undefined) {
      if (this.state === "authenticating" && (msg.code === "unauthorized" || msg.code === "token_expired")) {
        this.setState(msg.code === "token_expired" ? "expired" : "unauthorized");
        this.dispatchEvent(new CustomEvent("authfail", { detail: msg }));
        // Leave the socket: an unauthorized close would count toward 4001;
        // the next start() re-authenticates on it or on a new one.
        if (this.ws) { const ws = this.ws; this.ws = null; ws.onclose = null; ws.close(1000, "new token needed"); }
        for (const p of this.pending.values()) p.sent = false;
      }
      return;
    }
    if ((msg.type === "ack" || msg.type === "error") && this.pending.has(msg.request_id)) {
      const p = this.pending.get(msg.request_id);
      if (msg.type === "ack") {
        this.pending.delete(msg.request_id);
        p.resolve(msg);
        return;
      }
      if (msg.code === "token_expired" || msg.code === "unauthorized") {
        // Keep the command; it goes again after the next successful auth.
        p.sent = false;
        this.setState("expired");
        this.dispatchEvent(new CustomEvent("authfail", { detail: msg }));
        return;
      }
      if (msg.retryable && p.tries < RETRYABLE_DELAYS.length) {
        p.sent = false;
        const delay = RETRYABLE_DELAYS[p.tries++];
        setTimeout(() => { if (this.pending.has(msg.request_id)) this.flush(); }, delay);
        return;
      }
      this.pending.delete(msg.request_id);
      p.reject(new CommandError(msg, { resent: p.resent }));
    }
  }

  /**
   * Tells the other editors where this console is: on `story`, with
   * `entry_id` open for editing (or null). Kept, and said again after every
   * reconnect; the server answers with an `editors` event.
   */
  setEditing(story, entryId) {
    this.where = story ? { story, entry_id: entryId || null } : null;
    if (this.where && this.state === "ready" && this.ws && this.ws.readyState === WebSocket.OPEN)
      this.ws.send(JSON.stringify({ type: "editing", ...this.where }));
  }

  flush() {
    if (this.state !== "ready" || !this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    for (const p of this.pending.values()) {
      if (p.sent) continue;
      if (p.everSent) p.resent = true;
      p.sent = p.everSent = true;
      this.ws.send(JSON.stringify(p.msg));
    }
  }

  /** Sends a command; resolves with the ack, rejects with a CommandError. Queued while offline. */
  send(command) {
    const request_id = `c${this.nextId++}-${Date.now().toString(36)}`;
    const msg = { ...command, request_id };
    return new Promise((resolve, reject) => {
      this.pending.set(request_id, { msg, resolve, reject, sent: false, everSent: false, resent: false, tries: 0 });
      this.flush();
    });
  }

  get queued() {
    return this.pending.size;
  }
}
