// The console's view of one story as readers see it: the reader client
// library (liveblog-client.js) following the story the editor works on, so the
// console resumes, dedupes and falls back to SSE exactly like a reader page.
// This class only adapts it to the console: DOM events, and a state name for
// the "Flux :" indicator.

import { connect } from "./liveblog-client.js";

/**
 * Events (CustomEvent detail):
 * - "state": {state}; one of idle, connecting, subscribing, live, reconnecting.
 * - "change": {reason}; the story or its entries changed ("snapshot", an
 *   event's op, "page" for an older page).
 * - "error": {code, message}; an error about the story (unknown_story…).
 * - "presence": {viewers}.
 */
export class FeedChannel extends EventTarget {
  constructor(baseUrl = location.origin) {
    super();
    this.baseUrl = baseUrl;
    this.client = null;
    this.sub = null;
    this.storyId = null;
    this.state = "idle";
    this.connection = "connecting"; // the client's own state
    window.addEventListener("online", () => this.client?.retryNow());
  }

  // The story state, read by the console (empty while no story is followed).
  get story() { return this.sub?.state.story ?? null; }
  get entries() { return this.sub?.state.entries ?? new Map(); }
  /** Entries deleted while followed: a draft editing one of them conflicts. */
  get deleted() { return this.sub?.state.deletedIds ?? new Set(); }
  get seq() { return this.sub?.state.lastSeq ?? null; }
  get viewers() { return this.sub?.state.viewers ?? null; }
  get live() { return Boolean(this.sub?.state.live); }
  get hasMore() { return Boolean(this.sub?.state.hasMore); }

  /** Every entry held (the loaded stream and pinned ones), newest first. */
  list() {
    return [...this.entries.values()].sort((a, b) => b.created_seq - a.created_seq);
  }

  follow(storyId) {
    if (this.storyId === storyId) return;
    this.sub?.unsubscribe();
    this.sub = null;
    this.storyId = storyId;
    if (storyId) {
      this.client ??= connect(this.baseUrl, {
        onState: (s) => {
          this.connection = s.state;
          this.refreshState();
        },
      });
      this.sub = this.client.subscribe(storyId, {
        onSnapshot: () => this.changed("snapshot"),
        onEvent: (ev) => this.changed(ev.op),
        onOlder: () => this.changed("page"),
        onSubscribed: () => this.refreshState(),
        onPresence: (viewers) => this.dispatchEvent(new CustomEvent("presence", { detail: { viewers } })),
        onError: (err) => this.dispatchEvent(new CustomEvent("error", { detail: err })),
      });
    }
    this.changed("reset");
    this.refreshState();
  }

  stop() {
    this.storyId = null;
    this.sub = null;
    this.client?.close();
    this.client = null;
    this.connection = "connecting";
    this.refreshState();
  }

  /** Loads an older page over REST ("load more"); the state merges it. */
  async loadMore(limit = 20) {
    if (this.sub && this.hasMore) await this.client.loadOlder(this.storyId, { limit });
  }

  refreshState() {
    let state;
    if (!this.sub) state = "idle";
    else if (this.connection !== "open") state = this.connection;
    else state = this.live ? "live" : "subscribing";
    if (state === this.state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state } }));
  }

  changed(reason) {
    this.dispatchEvent(new CustomEvent("change", { detail: { reason } }));
  }
}
