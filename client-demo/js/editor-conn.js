// The console's two connections:
// - AdminChannel: /admin/ws, first message `auth`, then commands with a
//   request_id each, answered by `ack` or `error`. Reconnects with backoff and
//   re-authenticates; commands not yet answered are sent again after the
//   re-auth. That is safe for every command the console sends: post_entry
//   carries its idempotency key, update_entry and delete_entry their
//   expected_version, pin/unpin and update_story set a state.
// - FeedChannel: the reader feed /ws for one story (snapshot, then events),
//   resumed with since/epoch after a reconnect.

const RETRYABLE_DELAYS = [1000, 2000, 4000];

export function wsUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

function backoffDelay(attempt) {
  const base = Math.min(15000, 500 * 2 ** attempt);
  return Math.round(base * (0.5 + Math.random() * 0.5));
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
    this.attempt = 0;
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
    this.stopped = false;
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.setState("authenticating");
      this.ws.send(JSON.stringify({ type: "auth", token }));
      return;
    }
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
    if (this.stopped || !this.token) return;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    this.setState("connecting", { attempt: this.attempt });
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
      ws.send(JSON.stringify({ type: "auth", token: this.token }));
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
    if (ev.code === 4001 || this.state === "unauthorized") {
      this.setState("unauthorized");
      return; // a new token is needed
    }
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++);
    this.setState("waiting", { delay, attempt: this.attempt });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connectNow(), delay);
  }

  onMessage(data) {
    let msg;
    try { msg = JSON.parse(data); } catch { return; }
    if (msg.type === "authenticated") {
      this.attempt = 0;
      this.identity = msg;
      this.setState("ready");
      this.dispatchEvent(new CustomEvent("authenticated", { detail: msg }));
      this.flush();
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

/**
 * The reader feed of one story. Keeps the story, the entries by id, the last
 * seq applied and the epoch. Events: "state" {state}, "change" {reason},
 * "error" {code, message}, "presence" {viewers}.
 */
export class FeedChannel extends EventTarget {
  constructor(url = wsUrl("/ws")) {
    super();
    this.url = url;
    this.storyId = null;
    this.ws = null;
    this.state = "idle";
    this.attempt = 0;
    this.timer = null;
    this.reset();
    window.addEventListener("online", () => { if (this.state === "waiting") this.connectNow(); });
  }

  reset() {
    this.story = null;
    this.entries = new Map();
    this.deleted = new Set();
    this.seq = null;
    this.epoch = null;
    this.hasMore = false;
    this.nextBefore = null;
    this.viewers = null;
    this.live = false;
  }

  setState(state, extra = {}) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, ...extra } }));
  }

  changed(reason) {
    this.dispatchEvent(new CustomEvent("change", { detail: { reason } }));
  }

  follow(storyId) {
    if (this.storyId === storyId) return;
    if (this.storyId && this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type: "unsubscribe", story: this.storyId }));
    }
    this.storyId = storyId;
    this.reset();
    this.changed("reset");
    if (!storyId) return;
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.subscribe();
    else this.connectNow();
  }

  stop() {
    this.storyId = null;
    clearTimeout(this.timer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = ws.onmessage = ws.onerror = null;
      try { ws.close(1000, "bye"); } catch { /* already closed */ }
    }
    this.reset();
    this.setState("idle");
  }

  connectNow() {
    clearTimeout(this.timer);
    if (!this.storyId) return;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    this.setState("connecting");
    let ws;
    try { ws = new WebSocket(this.url); } catch { this.scheduleReconnect(); return; }
    this.ws = ws;
    ws.onopen = () => this.subscribe();
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onclose = () => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.live = false;
      this.scheduleReconnect();
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  scheduleReconnect() {
    if (!this.storyId) return;
    const delay = backoffDelay(this.attempt++);
    this.setState("waiting", { delay });
    this.timer = setTimeout(() => this.connectNow(), delay);
  }

  subscribe() {
    if (!this.ws || !this.storyId) return;
    const msg = { type: "subscribe", story: this.storyId };
    if (this.seq !== null) {
      msg.since = this.seq;
      if (this.epoch) msg.epoch = this.epoch;
    }
    this.setState("subscribing");
    this.ws.send(JSON.stringify(msg));
  }

  onMessage(data) {
    let msg;
    try { msg = JSON.parse(data); } catch { return; }
    if (msg.story !== undefined && typeof msg.story === "string" && msg.story !== this.storyId) return;
    switch (msg.type) {
      case "snapshot": {
        if (!msg.story || msg.story.id !== this.storyId) return;
        this.entries = new Map();
        this.deleted = new Set();
        for (const e of [...(msg.pinned || []), ...(msg.entries || [])]) this.entries.set(e.id, e);
        this.story = msg.story;
        this.seq = msg.story.seq;
        this.epoch = msg.story.epoch;
        this.hasMore = !!msg.has_more;
        const seqs = (msg.entries || []).map((e) => e.created_seq).filter((n) => typeof n === "number");
        this.nextBefore = seqs.length ? Math.min(...seqs) : null;
        this.changed("snapshot");
        break;
      }
      case "event":
        this.applyEvent(msg);
        break;
      case "subscribed":
        this.attempt = 0;
        this.live = true;
        if (msg.epoch) this.epoch = msg.epoch;
        if (this.seq === null || msg.seq > this.seq) this.seq = msg.seq;
        this.setState("live", { mode: msg.mode });
        break;
      case "presence":
        this.viewers = msg.viewers;
        this.dispatchEvent(new CustomEvent("presence", { detail: { viewers: msg.viewers } }));
        break;
      case "error":
        this.dispatchEvent(new CustomEvent("error", { detail: msg }));
        if (msg.code === "store_unavailable" || msg.code === "rate_limited") {
          setTimeout(() => this.subscribe(), 2000);
        }
        break;
      default:
        break;
    }
  }

  applyEvent(ev) {
    if (this.seq !== null && ev.seq <= this.seq) return;
    this.seq = ev.seq;
    if (ev.op === "entry.created" || ev.op === "entry.updated") {
      if (ev.entry) {
        this.deleted.delete(ev.entry.id);
        this.entries.set(ev.entry.id, ev.entry);
      }
    } else if (ev.op === "entry.deleted") {
      this.entries.delete(ev.entry_id);
      this.deleted.add(ev.entry_id);
    } else if (ev.op === "story.updated" && ev.story_state) {
      this.story = ev.story_state;
    }
    if (this.story) this.story = { ...this.story, seq: ev.seq };
    this.changed(ev.op);
  }

  /** Loads an older page over REST ("load more"), merged without overriding newer versions. */
  async loadMore(limit = 20) {
    if (!this.storyId || !this.hasMore || this.nextBefore === null) return;
    const story = this.storyId;
    const res = await fetch(`/api/stories/${encodeURIComponent(story)}/entries?before=${this.nextBefore}&limit=${limit}`,
      { cache: "no-store", headers: { Accept: "application/json" } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const page = await res.json();
    if (story !== this.storyId) return;
    for (const e of page.entries || []) {
      if (this.deleted.has(e.id)) continue;
      const known = this.entries.get(e.id);
      if (!known || known.version < e.version) this.entries.set(e.id, e);
    }
    this.hasMore = !!page.has_more;
    this.nextBefore = page.next_before ?? null;
    this.changed("page");
  }

  /** Entries, newest first (by created_seq). */
  list() {
    return [...this.entries.values()].sort((a, b) => (b.created_seq ?? 0) - (a.created_seq ?? 0));
  }
}
