/**
 * liveblog-client.js — a small reader client for the liveblog push server
 * (docs/protocol.md, "Readers"). No DOM code: it keeps, per story, the state a
 * page renders from and tells the page what changed. Full guide: docs/client.md.
 *
 *   import { connect } from '/static/js/liveblog-client.js';
 *   const client = connect('https://news.example', { onState: (s) => … });
 *   const sub = client.subscribe('soir-electoral', {
 *     onSnapshot(state) { … }, onEvent(event, state) { … }, onPresence(n) { … },
 *   });
 *   …
 *   sub.unsubscribe(); client.close();
 *
 * Transport: one WebSocket (`/ws`) for every story; when WebSockets do not
 * work (the constructor throws, or two opens in a row fail) one Server-Sent
 * Events stream per story (`/sse/stories/{id}`). Every (re)connection resumes
 * each story from the last seq applied, so a reader sees every change once,
 * in order, with no gap.
 *
 * @module liveblog-client
 */

// ---------------------------------------------------------------------------
// Story state: pure functions, exported for tests and for other transports
// ---------------------------------------------------------------------------

/**
 * @typedef {object} StoryState
 * @property {object|null} story      the story object (title, status, lang…), null until known
 * @property {Map<string, object>} entries  every entry held, by id (the loaded stream and the pinned ones)
 * @property {object[]} ordered       the loaded stream, newest first by created_seq
 * @property {object[]} pinned        pinned entries, newest first by created_seq
 * @property {number|null} lastSeq    seq of the last event applied; null before any (a snapshot is asked)
 * @property {string|null} epoch      the story's epoch as last seen
 * @property {boolean} hasMore        older entries exist beyond `ordered`
 * @property {number|null} nextBefore `before` cursor for the next older page (created_seq of the oldest loaded entry)
 * @property {number|null} viewers    latest presence count
 * @property {boolean} live           the server said `subscribed`: events now arrive live and consecutive
 * @property {Set<string>} deletedIds entries deleted while followed (a stale older page must not bring them back)
 */

/**
 * A fresh state. With `since` (and `epoch`) the subscription resumes from
 * that point instead of asking for a snapshot (a server-rendered page passes
 * its data-seq / data-epoch); with `before` the stream is known to have older
 * entries below that created_seq (the page's "older entries" link).
 * @param {{since?: number|null, epoch?: string|null, before?: number|null}} [from]
 * @returns {StoryState}
 */
export function createStoryState(from = {}) {
  const since = Number.isInteger(from.since) && from.since >= 0 ? from.since : null;
  const before = Number.isInteger(from.before) && from.before > 0 ? from.before : null;
  return {
    story: null,
    entries: new Map(),
    ordered: [],
    pinned: [],
    lastSeq: since,
    epoch: since !== null && typeof from.epoch === 'string' && from.epoch ? from.epoch : null,
    hasMore: before !== null,
    nextBefore: before,
    viewers: null,
    live: false,
    deletedIds: new Set(),
  };
}

const newestFirst = (a, b) => b.created_seq - a.created_seq;

// The loaded stream is every entry from the newest down to the oldest page
// fetched; an entry below it is held only while pinned.
function inWindow(state, entry) {
  return !state.hasMore || state.nextBefore === null || entry.created_seq >= state.nextBefore;
}

function refreshLists(state) {
  const all = [...state.entries.values()];
  state.ordered = all.filter((e) => inWindow(state, e)).sort(newestFirst);
  state.pinned = all.filter((e) => e.pinned).sort(newestFirst);
}

// Upsert by id, keeping the higher version: a stale copy (an HTTP-cached
// page, a replay racing a live event) never overwrites a newer one.
function upsert(state, entry) {
  const held = state.entries.get(entry.id);
  if (held && held.version > entry.version) return false;
  if (inWindow(state, entry) || entry.pinned) state.entries.set(entry.id, entry);
  else state.entries.delete(entry.id);  // unpinned and older than the loaded stream
  return true;
}

/**
 * Replaces the whole state with a `snapshot` message.
 * @param {StoryState} state
 * @param {object} msg  {type:"snapshot", story, entries, pinned, has_more}
 */
export function applySnapshot(state, msg) {
  const entries = Array.isArray(msg.entries) ? msg.entries : [];
  state.story = msg.story || null;
  state.lastSeq = msg.story && Number.isInteger(msg.story.seq) ? msg.story.seq : 0;
  state.epoch = (msg.story && msg.story.epoch) || null;
  state.hasMore = Boolean(msg.has_more) && entries.length > 0;
  state.nextBefore = state.hasMore ? entries[entries.length - 1].created_seq : null;
  state.entries = new Map();
  state.deletedIds = new Set();
  for (const e of entries) state.entries.set(e.id, e);
  for (const e of Array.isArray(msg.pinned) ? msg.pinned : []) {
    if (!state.entries.has(e.id)) state.entries.set(e.id, e);
  }
  refreshLists(state);
}

/**
 * Applies one `event` message in seq order.
 * - 'duplicate': seq at or below lastSeq, ignored (a replay overlapping what was applied).
 * - 'gap': the subscription is live and seq skips one; nothing applied, the
 *   caller resubscribes from lastSeq. (Catch-up replays are compacted and may
 *   skip seqs; only live events are consecutive.)
 * - 'applied'.
 * @param {StoryState} state
 * @param {object} msg  {type:"event", story, seq, op, entry | entry_id | story_state}
 * @returns {'applied'|'duplicate'|'gap'}
 */
export function applyEvent(state, msg) {
  const seq = msg.seq;
  if (state.lastSeq !== null && seq <= state.lastSeq) return 'duplicate';
  if (state.live && state.lastSeq !== null && seq > state.lastSeq + 1) return 'gap';
  switch (msg.op) {
    case 'entry.created':
    case 'entry.updated':
      if (msg.entry && typeof msg.entry.id === 'string') {
        state.deletedIds.delete(msg.entry.id);
        upsert(state, msg.entry);
      }
      break;
    case 'entry.deleted':
      // A deletion of an entry never held (a replay from memory) is harmless.
      state.entries.delete(msg.entry_id);
      state.deletedIds.add(msg.entry_id);
      break;
    case 'story.updated':
      if (msg.story_state) state.story = msg.story_state;
      break;
    default:
      break;  // a newer op: the seq still counts
  }
  state.lastSeq = seq;
  refreshLists(state);
  return 'applied';
}

/**
 * Adds an older page (GET /api/stories/{id}/entries) below the loaded stream.
 * @param {StoryState} state
 * @param {{entries: object[], has_more: boolean, next_before: number|null}} page
 * @returns {object[]} the entries taken (not deleted meanwhile, not older versions)
 */
export function applyOlderPage(state, page) {
  const entries = Array.isArray(page.entries) ? page.entries : [];
  state.hasMore = Boolean(page.has_more) && page.next_before !== null && page.next_before !== undefined;
  if (entries.length) state.nextBefore = entries[entries.length - 1].created_seq;
  if (!state.hasMore) state.nextBefore = null;
  const taken = entries.filter((e) => !state.deletedIds.has(e.id) && upsert(state, e));
  refreshLists(state);
  return taken;
}

// ---------------------------------------------------------------------------
// Backoff: exponential with full jitter
// ---------------------------------------------------------------------------

/**
 * Delays for reconnection: attempt n waits a uniformly random time in
 * [0, min(maxMs, initialMs * 2^n)) ("full jitter"), so readers dropped at the
 * same moment (a server restart) do not all come back at the same moment.
 */
export class Backoff {
  /**
   * @param {{initialMs?: number, maxMs?: number}} [options]
   * @param {() => number} [random]  Math.random by default
   */
  constructor(options = {}, random = Math.random) {
    this.initialMs = Math.max(1, options.initialMs ?? 500);
    this.maxMs = Math.max(this.initialMs, options.maxMs ?? 30000);
    this.random = random;
    this.attempt = 0;
  }

  /** The next delay in ms; each call doubles the ceiling. */
  next() {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * ceiling);
  }

  /**
   * A long delay, for a server that told us to slow down (close 4029): the
   * upper half of the largest ceiling, and later delays stay at the ceiling.
   */
  penalty() {
    this.attempt = 31;
    return Math.floor(this.maxMs / 2 + (this.random() * this.maxMs) / 2);
  }

  reset() {
    this.attempt = 0;
  }
}

// ---------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------

const SLUG = /^[a-z0-9-]{1,64}$/;

const CLOSE_NORMAL = 1000;
const CLOSE_RATE_LIMITED = 4029;  // kept sending after rate_limited answers
const CLOSE_DEAD = 4000;          // ours: nothing heard for too long

// Errors answering a `subscribe` that name no story on the wire (the reader
// channel's errors carry no story id); they are attributed to the oldest
// subscribe still waiting for its catch-up.
const SUBSCRIBE_ERRORS = new Set(['unknown_story', 'invalid_slug', 'too_many_subscriptions', 'bad_request']);

const WS_OPEN = 1;

/**
 * @typedef {object} ClientOptions
 * @property {typeof WebSocket} [WebSocket]     constructor; default globalThis.WebSocket
 * @property {typeof EventSource} [EventSource] constructor; default globalThis.EventSource
 * @property {typeof fetch} [fetch]             default globalThis.fetch (loadOlder)
 * @property {{initialMs?: number, maxMs?: number}} [backoff]  default {initialMs: 500, maxMs: 30000}
 * @property {number} [heartbeatMs]  WebSocket liveness: ping after this much silence, give up after twice it (default 25000; 0 disables)
 * @property {(s: ClientStatus) => void} [onState]   connection state changes
 * @property {(err: object, storyId: string|null) => void} [onError]  every `error` message
 * @property {() => number} [random] jitter source (tests)
 */

/**
 * @typedef {object} ClientStatus
 * @property {'connecting'|'open'|'reconnecting'|'closed'} state
 * @property {'websocket'|'sse'} transport
 */

/**
 * @typedef {object} SubscribeHandlers
 * @property {number} [since]   resume after this seq instead of asking for a snapshot
 * @property {string} [epoch]   the epoch `since` belongs to
 * @property {number} [before]  created_seq below which older entries exist (first loadOlder cursor)
 * @property {(state: StoryState) => void} [onSnapshot]          the state was replaced
 * @property {(event: object, state: StoryState) => void} [onEvent]  one event applied (after the state changed)
 * @property {(viewers: number) => void} [onPresence]
 * @property {(s: ClientStatus) => void} [onState]
 * @property {(msg: object, state: StoryState) => void} [onSubscribed]  catch-up done, live from here
 * @property {(entries: object[], state: StoryState) => void} [onOlder]  loadOlder added entries
 * @property {(err: object) => void} [onError]   an error about this story (unknown_story…)
 */

/**
 * Opens a client and starts connecting at once.
 * @param {string} baseUrl  the server, e.g. "https://live.example.org" (http or https; a path prefix is kept)
 * @param {ClientOptions} [options]
 * @returns {LiveblogClient}
 */
export function connect(baseUrl, options = {}) {
  return new LiveblogClient(baseUrl, options);
}

/** One story followed by a client. Created by `client.subscribe()`. */
export class Subscription {
  /** @param {LiveblogClient} client @param {string} storyId @param {SubscribeHandlers} handlers */
  constructor(client, storyId, handlers) {
    /** @readonly */ this.storyId = storyId;
    /** @type {StoryState} the live state; read it, do not change it */
    this.state = createStoryState(handlers);
    /** @private */ this.handlers = handlers;
    /** @private */ this.client = client;
    /** @private order of the subscribe awaiting its catch-up, 0 when none */
    this.pendingOrder = 0;
    /** @private */ this.olderLoad = null;
  }

  /** Stops following the story. */
  unsubscribe() {
    this.client._drop(this);
  }

  /** @private */
  call(name, ...args) {
    const fn = this.handlers[name];
    if (typeof fn !== 'function') return;
    try {
      fn(...args);
    } catch (err) {
      // A page's callback bug must not break the feed for the others.
      queueMicrotask(() => { throw err; });
    }
  }

  /** @private the resume point of a (re)subscribe */
  resume() {
    const s = this.state;
    return s.lastSeq === null ? {} : s.epoch ? { since: s.lastSeq, epoch: s.epoch } : { since: s.lastSeq };
  }
}

/**
 * A connection to one liveblog server, carrying any number of story
 * subscriptions. Created by `connect()`.
 */
export class LiveblogClient {
  /** @param {string} baseUrl @param {ClientOptions} options */
  constructor(baseUrl, options = {}) {
    const base = String(baseUrl).replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]/i.test(base)) throw new TypeError(`liveblog: baseUrl must be http(s)://…, got ${baseUrl}`);
    this._base = base;
    this._wsUrl = base.replace(/^http/i, 'ws') + '/ws';
    this._WebSocket = options.WebSocket ?? globalThis.WebSocket;
    this._EventSource = options.EventSource ?? globalThis.EventSource;
    this._fetch = options.fetch ?? (globalThis.fetch ? globalThis.fetch.bind(globalThis) : undefined);
    this._onState = options.onState;
    this._onError = options.onError;
    this._random = options.random ?? Math.random;
    this._backoffOptions = options.backoff ?? {};
    this._heartbeatMs = options.heartbeatMs ?? 25000;

    /** @type {Map<string, Subscription>} */
    this._subs = new Map();
    this._closed = false;
    this._transport = 'websocket';
    this._status = 'connecting';
    this._lastEmitted = '';
    this._troubled = false;  // a connection failed or was lost: not "connecting" any more

    // WebSocket
    this._ws = null;
    this._wsOpen = false;
    this._wsFailStreak = 0;
    this._wsBlocked = !this._WebSocket;  // WebSockets are known not to work here
    this._wsBackoff = new Backoff(this._backoffOptions, this._random);
    this._wsTimer = null;
    this._heartbeat = null;
    this._lastHeard = 0;
    this._pendingCounter = 0;
    this._retryTimer = null;
    this._retryBackoff = new Backoff(this._backoffOptions, this._random);

    // SSE: one stream per story
    /** @type {Map<string, {es: any, open: boolean, backoff: Backoff, timer: any}>} */
    this._streams = new Map();

    if (this._wsBlocked) this._useSse();
    else this._openWebSocket();
  }

  /** 'connecting' | 'open' | 'reconnecting' | 'closed' */
  get state() {
    return this._status;
  }

  /** 'websocket' | 'sse' */
  get transport() {
    return this._transport;
  }

  /**
   * Follows a story. Without `since` the server sends a snapshot first; with
   * `since` (and `epoch`) it sends what happened after that seq.
   * @param {string} storyId
   * @param {SubscribeHandlers} [handlers]
   * @returns {Subscription}
   */
  subscribe(storyId, handlers = {}) {
    if (this._closed) throw new Error('liveblog: client is closed');
    if (typeof storyId !== 'string' || !SLUG.test(storyId)) {
      throw new TypeError(`liveblog: story id must match [a-z0-9-]{1,64}, got ${storyId}`);
    }
    if (this._subs.has(storyId)) throw new Error(`liveblog: already subscribed to ${storyId}`);
    const sub = new Subscription(this, storyId, handlers);
    this._subs.set(storyId, sub);
    if (this._transport === 'sse') {
      this._openStream(sub);
      this._updateStatus();
    } else if (this._wsOpen) {
      this._sendSubscribe(sub);
    }
    return sub;
  }

  /**
   * Fetches the next older page of a story's entries (GET
   * /api/stories/{id}/entries?before=&limit=) and appends it to the
   * subscription's state (onOlder is called). Concurrent calls share one request.
   * @param {string} storyId
   * @param {{before?: number, limit?: number}} [options]  `before` overrides the state's cursor
   * @returns {Promise<{entries: object[], hasMore: boolean, nextBefore: number|null}>}
   */
  loadOlder(storyId, options = {}) {
    const sub = this._subs.get(storyId);
    if (sub && sub.olderLoad) return sub.olderLoad;
    const before = options.before ?? (sub ? sub.state.nextBefore : 0);
    if (sub && options.before === undefined && !sub.state.hasMore) {
      return Promise.resolve({ entries: [], hasMore: false, nextBefore: null });
    }
    if (!this._fetch) return Promise.reject(new Error('liveblog: no fetch available'));
    const params = new URLSearchParams({ before: String(before ?? 0) });
    if (options.limit) params.set('limit', String(options.limit));
    const url = `${this._base}/api/stories/${encodeURIComponent(storyId)}/entries?${params}`;
    const load = (async () => {
      const res = await this._fetch(url, { headers: { Accept: 'application/json' } });
      const body = await res.json().catch(() => null);
      if (!res.ok || !body || !Array.isArray(body.entries)) {
        const err = new Error((body && body.error && body.error.message) || `HTTP ${res.status}`);
        err.code = body && body.error ? body.error.code : 'http_error';
        throw err;
      }
      const page = { entries: body.entries, has_more: Boolean(body.has_more), next_before: body.next_before ?? null };
      // The subscription may have ended while the request ran.
      const current = this._subs.get(storyId);
      const entries = current === sub && sub ? applyOlderPage(sub.state, page) : page.entries;
      if (current === sub && sub) sub.call('onOlder', entries, sub.state);
      return { entries, hasMore: page.has_more, nextBefore: page.has_more ? page.next_before : null };
    })();
    if (sub) {
      sub.olderLoad = load;
      const clear = () => { sub.olderLoad = null; };
      load.then(clear, clear);
    }
    return load;
  }

  /**
   * Reconnects now instead of waiting for the backoff (e.g. on the browser's
   * `online` event).
   */
  retryNow() {
    if (this._closed) return;
    if (this._wsTimer !== null) {
      clearTimeout(this._wsTimer);
      this._wsTimer = null;
      this._openWebSocket();
    }
    for (const [storyId, stream] of this._streams) {
      if (stream.timer !== null) {
        clearTimeout(stream.timer);
        stream.timer = null;
        const sub = this._subs.get(storyId);
        if (sub) this._openStream(sub);
      }
    }
  }

  /** Closes every connection; the client cannot be used again. */
  close() {
    if (this._closed) return;
    this._closed = true;
    clearTimeout(this._wsTimer);
    clearTimeout(this._retryTimer);
    this._stopHeartbeat();
    if (this._ws) {
      const ws = this._ws;
      this._ws = null;
      this._wsOpen = false;
      try { ws.close(CLOSE_NORMAL); } catch { /* already closed */ }
    }
    for (const storyId of [...this._streams.keys()]) this._closeStream(storyId);
    this._updateStatus();
    this._subs.clear();
  }

  // -------------------------------------------------------------------------
  // Status
  // -------------------------------------------------------------------------

  _updateStatus() {
    let status;
    if (this._closed) status = 'closed';
    else if (this._transport === 'websocket') status = this._wsOpen ? 'open' : this._troubled ? 'reconnecting' : 'connecting';
    else {
      const allOpen = [...this._streams.values()].every((s) => s.open);
      status = allOpen ? 'open' : this._troubled ? 'reconnecting' : 'connecting';
    }
    this._status = status;
    const key = `${status}/${this._transport}`;
    if (key === this._lastEmitted) return;
    this._lastEmitted = key;
    const s = { state: status, transport: this._transport };
    if (typeof this._onState === 'function') {
      try { this._onState(s); } catch (err) { queueMicrotask(() => { throw err; }); }
    }
    for (const sub of this._subs.values()) sub.call('onState', s);
  }

  // -------------------------------------------------------------------------
  // Messages (both transports)
  // -------------------------------------------------------------------------

  /**
   * @param {object} msg
   * @param {Subscription|null} via  the SSE stream's subscription (errors there concern it)
   */
  _dispatch(msg, via) {
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'error') return this._onServerError(msg, via);
    const storyId = msg.type === 'snapshot' ? msg.story && msg.story.id : msg.story;
    const sub = this._subs.get(storyId);
    if (!sub || (via && via !== sub)) return;  // unsubscribed meanwhile
    const state = sub.state;
    switch (msg.type) {
      case 'snapshot':
        sub.pendingOrder = 0;
        applySnapshot(state, msg);
        sub.call('onSnapshot', state);
        break;
      case 'event': {
        sub.pendingOrder = 0;
        const result = applyEvent(state, msg);
        if (result === 'applied') sub.call('onEvent', msg, state);
        else if (result === 'gap') this._resubscribe(sub);
        break;
      }
      case 'presence':
        if (Number.isInteger(msg.viewers)) {
          state.viewers = msg.viewers;
          sub.call('onPresence', msg.viewers);
        }
        break;
      case 'subscribed':
        // The catch-up covered up to msg.seq, even when compaction left out
        // its last events (an entry created and deleted since): live events
        // continue from there.
        sub.pendingOrder = 0;
        state.live = true;
        if (state.lastSeq === null || msg.seq > state.lastSeq) state.lastSeq = msg.seq;
        if (msg.epoch) state.epoch = msg.epoch;
        sub.call('onSubscribed', msg, state);
        break;
      default:
        break;  // unsubscribed, pong, newer types
    }
  }

  _onServerError(msg, via) {
    const err = { code: msg.code, message: msg.message, retryable: Boolean(msg.retryable) };
    let sub = via;
    if (!sub && SUBSCRIBE_ERRORS.has(msg.code)) {
      // The oldest subscribe still waiting for its catch-up.
      for (const s of this._subs.values()) {
        if (s.pendingOrder && (!sub || s.pendingOrder < sub.pendingOrder)) sub = s;
      }
    }
    if (sub) sub.pendingOrder = 0;
    if (typeof this._onError === 'function') {
      try { this._onError(err, sub ? sub.storyId : null); } catch (e) { queueMicrotask(() => { throw e; }); }
    }
    if (sub) sub.call('onError', err);
    if (via) {
      // On SSE an error ends what the stream can do for its story
      // (store_unavailable drops the subscription): start it again.
      this._restartStream(via);
    } else if (err.retryable) {
      // A dropped subscribe (store_unavailable, rate_limited…) is sent again
      // later; subscribing again to a followed story merely restarts it.
      this._scheduleRetryPending();
    }
  }

  // -------------------------------------------------------------------------
  // WebSocket transport
  // -------------------------------------------------------------------------

  _openWebSocket() {
    if (this._closed || this._ws) return;
    let ws;
    try {
      ws = new this._WebSocket(this._wsUrl);
    } catch {
      // No WebSocket here at all (blocked by policy, a bad environment).
      this._wsBlocked = true;
      if (this._transport !== 'sse') this._useSse();
      return;
    }
    this._ws = ws;
    let opened = false;
    ws.onopen = () => {
      if (this._ws !== ws) return;
      opened = true;
      this._onWsOpen();
    };
    ws.onmessage = (ev) => {
      if (this._ws !== ws) return;
      this._lastHeard = Date.now();
      if (typeof ev.data !== 'string') return;  // the server sends text frames only
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      this._dispatch(msg, null);
    };
    ws.onclose = (ev) => {
      if (this._ws !== ws) return;
      this._onWsClosed(opened, ev && ev.code);
    };
    ws.onerror = () => {};  // a close event always follows
  }

  _onWsOpen() {
    const wasSse = this._transport === 'sse';
    this._wsOpen = true;
    this._wsFailStreak = 0;
    this._wsBackoff.reset();
    this._lastHeard = Date.now();
    if (wasSse) {
      // Back from the SSE fallback: stop the streams first, so each story
      // resumes on the WebSocket from the last seq it applied.
      for (const storyId of [...this._streams.keys()]) this._closeStream(storyId);
      this._transport = 'websocket';
    }
    this._startHeartbeat();
    this._updateStatus();
    for (const sub of this._subs.values()) this._sendSubscribe(sub);
  }

  _onWsClosed(opened, code) {
    this._ws = null;
    this._wsOpen = false;
    this._stopHeartbeat();
    clearTimeout(this._retryTimer);
    this._retryTimer = null;
    if (this._closed) return;
    if (this._transport === 'sse') {
      // A probe made while SSE carries the feed (the streams stay as they
      // are): HTTP works, WebSockets do not.
      if (!opened) this._wsBlocked = true;
      return;
    }
    for (const sub of this._subs.values()) {
      sub.state.live = false;
      sub.pendingOrder = 0;
    }
    this._troubled = true;
    if (!opened && ++this._wsFailStreak >= 2) {
      this._useSse();
      return;
    }
    // 4008 (slow reader), 1001 (going away), 1006 (network) and the rest:
    // reconnect and resume; 4029 (rate limited): wait much longer first.
    const delay = code === CLOSE_RATE_LIMITED ? this._wsBackoff.penalty() : this._wsBackoff.next();
    this._updateStatus();
    this._wsTimer = setTimeout(() => {
      this._wsTimer = null;
      this._openWebSocket();
    }, delay);
  }

  _send(msg) {
    if (!this._ws || !this._wsOpen) return false;
    try {
      this._ws.send(JSON.stringify(msg));
      return true;
    } catch {
      return false;  // the close event follows
    }
  }

  _sendSubscribe(sub) {
    sub.state.live = false;
    sub.pendingOrder = ++this._pendingCounter;
    this._send({ type: 'subscribe', story: sub.storyId, ...sub.resume() });
  }

  _resubscribe(sub) {
    if (this._transport === 'sse') this._restartStream(sub);
    else this._sendSubscribe(sub);
  }

  _scheduleRetryPending() {
    if (this._retryTimer !== null) return;
    this._retryTimer = setTimeout(() => {
      this._retryTimer = null;
      if (this._transport !== 'websocket' || !this._wsOpen) return;
      for (const sub of this._subs.values()) {
        if (!sub.state.live) this._sendSubscribe(sub);
      }
    }, this._retryBackoff.next());
  }

  _drop(sub) {
    if (this._subs.get(sub.storyId) !== sub) return;
    this._subs.delete(sub.storyId);
    if (this._streams.has(sub.storyId)) {
      this._closeStream(sub.storyId);
      this._updateStatus();
    } else {
      this._send({ type: 'unsubscribe', story: sub.storyId });
    }
  }

  // Browsers answer the server's pings without telling the page, so a dead
  // link (a train tunnel) can look open for minutes: after `heartbeatMs` of
  // silence ask for a pong, after twice that give up and reconnect.
  _startHeartbeat() {
    this._stopHeartbeat();
    if (!(this._heartbeatMs > 0)) return;
    this._heartbeat = setInterval(() => {
      const silent = Date.now() - this._lastHeard;
      if (silent >= 2 * this._heartbeatMs) {
        const ws = this._ws;
        this._onWsClosed(true, CLOSE_DEAD);
        try { ws && ws.close(); } catch { /* dead anyway */ }
      } else if (silent >= this._heartbeatMs) {
        this._send({ type: 'ping' });
      }
    }, Math.max(50, Math.floor(this._heartbeatMs / 2)));
  }

  _stopHeartbeat() {
    clearInterval(this._heartbeat);
    this._heartbeat = null;
  }

  // -------------------------------------------------------------------------
  // SSE transport: one EventSource per story
  // -------------------------------------------------------------------------

  _useSse() {
    this._transport = 'sse';
    this._troubled = this._troubled || this._wsFailStreak > 0;
    if (!this._EventSource) {
      // Neither transport exists here: nothing will ever connect.
      this._troubled = true;
      this._updateStatus();
      return;
    }
    for (const sub of this._subs.values()) this._openStream(sub);
    this._updateStatus();
  }

  _openStream(sub) {
    if (this._closed || !this._EventSource || this._subs.get(sub.storyId) !== sub) return;
    let stream = this._streams.get(sub.storyId);
    if (!stream) {
      stream = { es: null, open: false, backoff: new Backoff(this._backoffOptions, this._random), timer: null };
      this._streams.set(sub.storyId, stream);
    }
    if (stream.es) return;
    const params = new URLSearchParams();
    const resume = sub.resume();
    if (resume.since !== undefined) params.set('since', String(resume.since));
    if (resume.epoch) params.set('epoch', resume.epoch);
    const query = params.toString();
    const url = `${this._base}/sse/stories/${encodeURIComponent(sub.storyId)}${query ? `?${query}` : ''}`;
    sub.state.live = false;
    let es;
    try {
      es = new this._EventSource(url);
    } catch {
      this._streamFailed(sub, stream);
      return;
    }
    stream.es = es;
    es.onopen = () => {
      if (stream.es !== es) return;
      stream.open = true;
      stream.backoff.reset();
      this._updateStatus();
      // SSE works; WebSockets may work again too (the fallback may have come
      // from a server restart rather than a network that blocks them).
      if (!this._wsBlocked && !this._ws) this._openWebSocket();
    };
    es.onmessage = (ev) => {
      if (stream.es !== es) return;
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      this._dispatch(msg, sub);
    };
    // The browser would reconnect by itself after `retry:`, at the same
    // moment for every reader; close it and reconnect with jittered backoff.
    es.onerror = () => {
      if (stream.es !== es) return;
      this._streamFailed(sub, stream);
    };
  }

  _streamFailed(sub, stream) {
    if (stream.es) {
      try { stream.es.close(); } catch { /* closed */ }
    }
    stream.es = null;
    stream.open = false;
    sub.state.live = false;
    this._troubled = true;
    this._updateStatus();
    if (this._closed || stream.timer !== null) return;
    stream.timer = setTimeout(() => {
      stream.timer = null;
      this._openStream(sub);
    }, stream.backoff.next());
  }

  _restartStream(sub) {
    const stream = this._streams.get(sub.storyId);
    if (stream) this._streamFailed(sub, stream);
  }

  _closeStream(storyId) {
    const stream = this._streams.get(storyId);
    if (!stream) return;
    this._streams.delete(storyId);
    clearTimeout(stream.timer);
    if (stream.es) {
      try { stream.es.close(); } catch { /* closed */ }
    }
  }
}
