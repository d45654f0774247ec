/**
 * embed.js — <liveblog-story>, the live blog as one element on any site:
 *
 *   <script type="module" src="https://live.example/static/js/embed.js"></script>
 *   <liveblog-story story="soir-electoral" lang="fr"></liveblog-story>
 *
 * Options (data-limit, data-key-events-only, data-order, data-no-title,
 * data-server), theming (--liveblog-* custom properties, ::part) and CORS:
 * docs/embed.md.
 *
 * - Shadow DOM (open): the host page's styles do not reach the entries, ours
 *   (css/embed.css) do not leak out; the host themes through the documented
 *   custom properties and parts only.
 * - The element's children are a fallback (server-rendered HTML for crawlers
 *   and readers without JavaScript): shown through a <slot> until the first
 *   snapshot is rendered and the stylesheet has loaded, then hidden.
 * - It follows the story with the client library (WebSocket, then SSE;
 *   every reconnection resumes from the last seq applied) and renders with
 *   render.js, so entries have the story page's markup.
 * - As on the story page, new entries wait behind a "N nouvelles entrées"
 *   button while the reader has scrolled into the stream, so the text does
 *   not move under their eyes; they are announced in a polite live region.
 *
 * Entries are rendered in an inert document (no browsing context, so it
 * loads nothing) and their root-relative /media/ URLs made absolute against
 * the liveblog server before they are inserted: on another site "/media/…"
 * would name the host's files.
 *
 * User text reaches the DOM only as text or through setAttribute.
 */

import { acquire, release } from './embed-pool.js';
import { anchorId, entryHeadline, labelsFor, renderEntry, renderKeyEventItem, statusLabel } from './render.js';
import {
  Announcer, RELATIVE_REFRESH_MS, addRelativeTime, fillNewEntriesButton, make, reducedMotion, refreshRelativeTimes,
  uiFor,
} from './reader-ui.js';
import {
  MAX_LIMIT, candidates, hasOlder, lowerFloor, readOptions, resolveAgainstServer, resolveSrcset, shownEntries,
} from './embed-model.js';

const STYLESHEET = new URL('../css/embed.css', import.meta.url).href;
// Past this the embed shows itself unstyled rather than never.
const STYLE_WAIT_MS = 3000;
// One "load older" in key-events-only mode reads at most this many pages of
// 100 entries looking for key events; the button stays for the rest.
const MAX_PAGES_PER_LOAD = 5;
const WATCHED = ['story', 'lang', 'data-server', 'data-limit', 'data-key-events-only', 'data-order', 'data-no-title'];
const NOT_FOUND = new Set(['unknown_story', 'invalid_slug']);
const STORY_ID = /^[a-z0-9-]{1,64}$/;  // the client library's (and the server's) story ids

// ---------------------------------------------------------------------------
// The element
// ---------------------------------------------------------------------------

function part(el, name) {
  el.setAttribute('part', name);
  return el;
}

export class LiveblogStory extends HTMLElement {
  static get observedAttributes() {
    return WATCHED;
  }

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    // Custom states (:state(ready), :state(reconnecting)) where supported.
    this.states = typeof this.attachInternals === 'function' ? this.attachInternals().states ?? null : null;
    // Built here, loading nothing: the embed's entries are adopted from it.
    this.renderDoc = document.implementation.createHTMLDocument('');
    this.styled = false;
    this.running = false;
    this.buildShadow();
  }

  /** 'connecting' | 'open' | 'reconnecting' | 'closed' (the client library's states) */
  get connectionState() {
    return this.connection?.state ?? 'closed';
  }

  /** 'websocket' | 'sse' */
  get transport() {
    return this.connection?.transport ?? 'websocket';
  }

  /** True once the live render has replaced the fallback. */
  get ready() {
    return this.isReady === true;
  }

  connectedCallback() {
    if (!this.running) this.start();
  }

  // Moving the element (a CMS re-parenting it) disconnects and connects it
  // in one task: it keeps its subscription unless it is really gone.
  disconnectedCallback() {
    queueMicrotask(() => {
      if (!this.isConnected) this.stop();
    });
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (!this.running || oldValue === newValue || this.restartQueued) return;
    this.restartQueued = true;
    queueMicrotask(() => {
      this.restartQueued = false;
      this.stop();
      if (this.isConnected) this.start();
    });
  }

  // -- the shadow tree --------------------------------------------------------

  buildShadow() {
    const link = make('link');
    link.rel = 'stylesheet';
    link.href = STYLESHEET;
    const styled = () => {
      this.styled = true;
      this.markReady();
    };
    link.addEventListener('load', styled);
    link.addEventListener('error', styled);
    setTimeout(styled, STYLE_WAIT_MS);

    this.fallback = part(make('div', 'fallback'), 'fallback');
    this.notice = part(make('p', 'notice'), 'notice');
    this.notice.setAttribute('role', 'status');
    this.fallback.append(make('slot'), this.notice);

    this.live = make('section', 'live');
    this.live.hidden = true;

    const header = part(make('header', 'story-header'), 'header');
    const statusLine = make('p', 'story-status');
    this.badge = part(make('span', 'badge'), 'status');
    this.viewers = make('span', 'viewers');
    this.viewers.hidden = true;
    this.connText = part(make('span', 'conn-state'), 'connection');
    this.connText.setAttribute('role', 'status');
    this.connText.hidden = true;
    statusLine.append(this.badge, ' ', this.viewers, ' ', this.connText);
    this.titleEl = part(make('h2', 'story-title'), 'title');
    this.summary = make('p', 'summary');
    header.append(statusLine, this.titleEl, this.summary);

    this.pinned = part(make('section', 'pinned-entries'), 'pinned');
    this.pinned.hidden = true;

    this.keyNav = part(make('nav', 'key-events'), 'key-events');
    this.keyNav.setAttribute('aria-labelledby', 'key-events-title');
    this.keyTitle = make('h2');
    this.keyTitle.id = 'key-events-title';
    this.keyList = make('ul');
    this.keyNav.append(this.keyTitle, this.keyList);
    this.keyNav.hidden = true;
    this.keyNav.addEventListener('click', (ev) => this.onKeyEventClick(ev));

    // A zero-height sticky dock: the button floats over the stream's top
    // while the reader is anywhere inside the embed.
    const dock = make('div', 'banner-dock');
    this.banner = part(make('button', 'new-entries-banner'), 'banner');
    this.banner.type = 'button';
    this.banner.hidden = true;
    this.banner.addEventListener('click', () => this.reveal(true));
    dock.append(this.banner);

    this.stream = part(make('section', 'entries'), 'stream');
    // The top of the stream: new entries go in under it, and whether the
    // reader has scrolled past it decides if they wait behind the button.
    this.marker = make('p', 'tz-note');
    this.empty = make('p', 'empty');

    this.older = make('div', 'older');
    this.olderButton = part(make('button', 'load-older'), 'load-older');
    this.olderButton.type = 'button';
    this.olderButton.addEventListener('click', () => this.onLoadOlder());
    this.older.append(this.olderButton);
    this.older.hidden = true;

    this.liveRegion = make('div', 'visually-hidden');
    this.liveRegion.setAttribute('aria-live', 'polite');
    this.liveRegion.setAttribute('aria-atomic', 'true');
    this.announcer = new Announcer(this.liveRegion);

    this.live.append(header, this.pinned, this.keyNav, dock, this.stream, this.older, this.liveRegion);
    this.root.append(link, this.fallback, this.live);
  }

  // -- lifecycle ----------------------------------------------------------------

  start() {
    this.running = true;
    this.options = readOptions((n) => this.getAttribute(n), import.meta.url);
    this.hasFallback = [...this.childNodes].some((n) => n.nodeType === 1 || (n.nodeType === 3 && n.textContent.trim()));
    this.setLanguage(this.options.lang || document.documentElement.lang);
    this.resetView();
    // "Load older" sits where older entries appear: under the stream, or
    // above it when the stream reads oldest first.
    if (this.options.order === 'oldest') this.stream.before(this.older);
    else this.stream.after(this.older);
    this.showNotice(this.hasFallback ? '' : this.ui.loading);

    if (!STORY_ID.test(this.options.story)) {
      this.showProblem(this.ui.notFound);
      return;
    }
    this.conn = acquire(this.options.server, this.options.story);
    this.sub = this.conn.client.subscribe(this.options.story, {
      onSnapshot: (state) => this.onSnapshot(state),
      onEvent: (event, state) => this.onEvent(event, state),
      onPresence: (n) => this.showViewers(n),
      onState: (s) => this.onConnection(s),
      onError: (err) => this.onError(err),
    });
    this.onConnection({ state: this.conn.client.state, transport: this.conn.client.transport });

    this.markerVisible = true;
    this.observer = typeof IntersectionObserver === 'function' ? new IntersectionObserver((records) => {
      this.markerVisible = records[records.length - 1].isIntersecting;
      if (this.markerVisible && this.pendingCount) this.reveal(false);
    }) : null;
    this.observer?.observe(this.marker);
    // Capture: scrolls of any scroller of the page (scroll does not bubble).
    this.onScroll = () => {
      if (this.scrollQueued || !this.pendingCount) return;
      this.scrollQueued = true;
      requestAnimationFrame(() => {
        this.scrollQueued = false;
        if (this.pendingCount && !this.readerIsBelowTop()) this.reveal(false);
      });
    };
    window.addEventListener('scroll', this.onScroll, { capture: true, passive: true });
    this.clock = setInterval(() => refreshRelativeTimes(this.root, this.ui), RELATIVE_REFRESH_MS);
  }

  stop() {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    this.sub?.unsubscribe();
    if (this.conn) release(this.options.server, this.conn, this.options.story);
    this.sub = null;
    this.conn = null;
    this.observer?.disconnect();
    if (this.onScroll) window.removeEventListener('scroll', this.onScroll, { capture: true });
    clearInterval(this.clock);
    this.announcer.stop();
    this.connection = null;
    this.setState('reconnecting', false);
  }

  // Chromium before 125 takes only "--name" custom states (and throws on
  // others); the embed must not break there, only lose the state.
  setState(name, on) {
    if (!this.states) return;
    for (const key of [name, `--${name}`]) {
      try {
        if (on) this.states.add(key);
        else this.states.delete(key);
        return;
      } catch {
        // try the older spelling
      }
    }
  }

  resetView() {
    this.generation = (this.generation ?? 0) + 1;
    this.floor = Infinity;        // created_seq of the oldest entry the stream shows
    this.revealedSeq = Infinity;  // entries created after it wait behind the button
    this.snapshotSeq = Infinity;  // entries created after the snapshot are highlighted
    this.pendingCount = 0;
    this.extension = Promise.resolve();
    /** @type {Map<string, {el: Element, version: number, lang: string}>} */
    this.articles = new Map();
    this.isReady = false;
    this.snapshotSeen = false;
    this.live.hidden = true;
    this.fallback.hidden = false;
    this.setState('ready', false);
    this.stream.replaceChildren(this.marker);
    this.pinned.replaceChildren();
    this.keyList.replaceChildren();
  }

  showNotice(text) {
    this.notice.textContent = text;
    this.notice.hidden = !text;
  }

  // A problem before anything could be shown: the fallback, when there is
  // one, says more than our sentence.
  showProblem(text) {
    this.showNotice(this.hasFallback ? '' : text);
  }

  markReady() {
    if (this.isReady || !this.styled || !this.snapshotSeen) return;
    this.isReady = true;
    this.fallback.hidden = true;
    this.live.hidden = false;
    this.setState('ready', true);
    this.dispatchEvent(new CustomEvent('liveblog:ready', { bubbles: true, composed: true }));
  }

  // -- words ----------------------------------------------------------------------

  setLanguage(lang) {
    const labels = labelsFor(lang);
    this.live.lang = lang || labels.lang;
    if (this.labels === labels) return;
    this.labels = labels;
    this.ui = uiFor(lang);
    this.pinned.setAttribute('aria-label', labels.pinned);
    this.stream.setAttribute('aria-label', labels.entries);
    this.keyTitle.textContent = labels.keyEvents;
    this.marker.textContent = this.ui.timesInUtc;
    this.empty.textContent = labels.noEntries;
    if (!this.loadingOlder) this.olderButton.textContent = labels.olderEntries;
  }

  // -- the feed -----------------------------------------------------------------

  onConnection(s) {
    this.connection = s;
    const reconnecting = s.state === 'reconnecting';
    this.connText.textContent = reconnecting ? this.ui.reconnecting : '';
    this.connText.hidden = !reconnecting;
    this.setState('reconnecting', reconnecting);
  }

  onError(err) {
    if (this.isReady) return;  // the feed recovers by itself; the reader keeps what is shown
    this.showProblem(NOT_FOUND.has(err.code) ? this.ui.notFound : this.ui.unavailable);
  }

  showViewers(n) {
    this.viewers.textContent = this.ui.viewers(n);
    this.viewers.hidden = false;
  }

  onSnapshot(state) {
    this.generation++;
    this.floor = Infinity;
    this.snapshotSeq = state.lastSeq ?? 0;
    this.revealedSeq = Infinity;
    this.extension = Promise.resolve();
    this.updateStory(state.story);
    // The first screen: `limit` entries from the snapshot; when it has fewer
    // (a large data-limit, key events only), older pages complete it.
    const limit = this.options.limit;
    const r = lowerFloor(candidates(state.ordered, this.options.keyEventsOnly), Infinity, limit, state.hasMore, state.nextBefore);
    this.floor = r.floor;
    this.sync();
    this.snapshotSeen = true;
    this.markReady();
    if (!r.done) {
      const shown = shownEntries(candidates(state.ordered, this.options.keyEventsOnly), this.floor).length;
      this.extend(limit - shown).catch(() => {});  // "load older" is there if this fails
    }
  }

  onEvent(event, state) {
    if (event.op === 'entry.created' && event.entry) {
      const entry = event.entry;
      // Entries posted while the reader is inside the stream wait; otherwise
      // everything up to now is shown.
      if (this.options.order === 'oldest' || !this.readerIsBelowTop()) this.revealedSeq = Infinity;
      else if (this.revealedSeq === Infinity) this.revealedSeq = entry.created_seq - 1;
      if (!this.options.keyEventsOnly || entry.key_event) this.announcer.announce(entryHeadline(entry), this.ui);
    } else if (event.op === 'story.updated') {
      this.updateStory(state.story);
    }
    this.sync();
  }

  updateStory(story) {
    if (!story) return;
    this.setLanguage(this.options.lang || story.lang);
    const status = ['live', 'paused', 'ended'].includes(story.status) ? story.status : 'live';
    this.badge.className = `badge badge-${status}`;
    this.badge.textContent = statusLabel(status, this.labels);
    const title = typeof story.title === 'string' ? story.title : '';
    this.titleEl.textContent = title;
    this.titleEl.hidden = this.options.noTitle || !title;
    this.summary.textContent = typeof story.summary === 'string' ? story.summary : '';
    this.summary.hidden = this.options.noTitle || !this.summary.textContent;
    this.live.setAttribute('aria-label', this.ui.liveBlog(title));
  }

  // Lowers the floor by `count` entries, reading older pages while the
  // loaded ones are not enough. Calls run one after the other; a snapshot
  // (a new generation) ends the one in flight and starts a new chain.
  extend(count) {
    const run = async () => {
      const generation = this.generation;
      const start = this.floor;
      for (let page = 0; ; page++) {
        const state = this.sub?.state;
        if (!state || generation !== this.generation) return;
        const cands = candidates(state.ordered, this.options.keyEventsOnly);
        const r = lowerFloor(cands, start, count, state.hasMore, state.nextBefore);
        this.floor = Math.min(this.floor, r.floor);
        this.sync();
        if (r.done || page >= MAX_PAGES_PER_LOAD) return;
        const limit = this.options.keyEventsOnly ? MAX_LIMIT : count;
        await this.conn.client.loadOlder(this.options.story, { limit });
      }
    };
    this.extension = this.extension.then(run, run);
    return this.extension;
  }

  // -- rendering ------------------------------------------------------------------

  // One rendered article per entry and placement, kept while its version and
  // language are the same (so an unchanged entry is never re-rendered).
  article(entry, placement) {
    const key = `${placement}:${entry.id}`;
    const held = this.articles.get(key);
    if (held && held.version === entry.version && held.lang === this.labels.lang) return held.el;
    const el = renderEntry(entry, { placement, labels: this.labels, document: this.renderDoc });
    addRelativeTime(el, this.ui);
    const server = this.options.server;
    for (const img of el.querySelectorAll('img[src]')) img.setAttribute('src', resolveAgainstServer(img.getAttribute('src'), server));
    for (const n of el.querySelectorAll('[srcset]')) n.setAttribute('srcset', resolveSrcset(n.getAttribute('srcset'), server));
    el.setAttribute('part', placement === 'pinned' ? 'entry pinned-entry' : entry.key_event ? 'entry key-event' : 'entry');
    if (placement === 'stream' && !held && entry.created_seq > this.snapshotSeq) el.classList.add('is-new');
    this.articles.set(key, { el, version: entry.version, lang: this.labels.lang });
    return el;
  }

  // The whole view from the client's state: the stream down to the floor,
  // the pinned block, the key events, the button and "load older".
  sync() {
    const state = this.sub?.state;
    if (!state) return;
    const keyEventsOnly = this.options.keyEventsOnly;
    const newestFirst = this.options.order !== 'oldest';
    const cands = candidates(state.ordered, keyEventsOnly);
    const shown = shownEntries(cands, this.floor);
    const used = new Set();
    let pending = 0;
    const articles = shown.map((entry) => {
      const el = this.article(entry, 'stream');
      used.add(`stream:${entry.id}`);
      const waits = newestFirst && entry.created_seq > this.revealedSeq;
      if (waits) pending++;
      el.hidden = waits;
      el.classList.toggle('pending', waits);
      return el;
    });
    if (!newestFirst) articles.reverse();
    reconcile(this.stream, [this.marker, ...articles, ...(shown.length ? [] : [this.empty])]);

    const pinned = state.pinned.map((entry) => {
      used.add(`pinned:${entry.id}`);
      return this.article(entry, 'pinned');
    });
    reconcile(this.pinned, pinned);
    this.pinned.hidden = pinned.length === 0;
    for (const key of [...this.articles.keys()]) if (!used.has(key)) this.articles.delete(key);

    this.pendingCount = pending;
    fillNewEntriesButton(this.banner, pending, this.ui);
    this.older.hidden = !hasOlder(cands, this.floor, state.hasMore);
    this.syncKeyEvents(shown, state.pinned, newestFirst);
  }

  // The key events the reader can see: the stream's (not those waiting),
  // then pinned ones the stream does not show. Not in key-events-only mode,
  // where the stream is that list.
  syncKeyEvents(shown, pinned, newestFirst) {
    const items = new Map();
    if (!this.options.keyEventsOnly) {
      for (const e of shown) if (e.key_event && !(e.created_seq > this.revealedSeq)) items.set(e.id, { e, placement: 'stream' });
      for (const e of pinned) if (e.key_event && !items.has(e.id)) items.set(e.id, { e, placement: 'pinned' });
    }
    const sorted = [...items.values()].sort((a, b) => (newestFirst ? b.e.created_seq - a.e.created_seq : a.e.created_seq - b.e.created_seq));
    const list = make('ul', null, undefined, this.renderDoc);
    for (const { e, placement } of sorted) {
      list.append(renderKeyEventItem({ anchor: anchorId(e.id, placement), publishedAt: e.published_at, headline: entryHeadline(e) }, this.renderDoc));
    }
    // Replaced only when it changed: a focused link stays focused.
    if (!list.isEqualNode(this.keyList)) {
      this.keyList.replaceWith(list);
      this.keyList = list;
    }
    this.keyNav.hidden = sorted.length === 0;
  }

  // -- the reader's position --------------------------------------------------------

  // New entries go in at the top of the stream: when that point is above
  // what the reader sees, inserting them would push the text they are on.
  // "What the reader sees" is the viewport, or the element itself when the
  // host made it a scroll box. In an iframe the host's viewport is out of
  // reach; the intersection observer (which reports against the top-level
  // viewport) tells whether the stream's top is in view.
  readerIsBelowTop() {
    if (this.options.order === 'oldest') return false;
    if (window.top !== window) return !this.markerVisible;
    const top = Math.max(0, this.getBoundingClientRect().top);
    return this.marker.getBoundingClientRect().bottom < top;
  }

  reveal(scroll) {
    const held = [...this.stream.querySelectorAll(':scope > article.pending')];
    for (const a of held) a.classList.add('is-new');
    this.revealedSeq = Infinity;
    this.sync();
    if (scroll && held.length) {
      this.marker.scrollIntoView({ block: 'start', behavior: reducedMotion() ? 'auto' : 'smooth' });
      // Keyboard and screen reader users land on the first new entry.
      held[0].setAttribute('tabindex', '-1');
      held[0].focus({ preventScroll: true });
    }
  }

  // Fragment links do not reach into a shadow tree: the key events list
  // scrolls to its entries itself (and the host page's URL stays as it is).
  onKeyEventClick(ev) {
    const link = ev.target instanceof Element ? ev.target.closest('a[href^="#"]') : null;
    if (!link || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    const id = link.getAttribute('href').slice(1);
    let target = this.root.getElementById(id);
    if (target?.hidden) {
      this.reveal(false);
      target = this.root.getElementById(id);
    }
    if (!target) return;
    target.setAttribute('tabindex', '-1');
    target.scrollIntoView({ block: 'start', behavior: reducedMotion() ? 'auto' : 'smooth' });
    target.focus({ preventScroll: true });
  }

  async onLoadOlder() {
    if (this.loadingOlder || !this.sub) return;
    this.loadingOlder = true;
    const button = this.olderButton;
    const hadFocus = this.root.activeElement === button;
    const before = new Set(this.stream.querySelectorAll(':scope > article.entry'));
    button.setAttribute('aria-busy', 'true');
    button.textContent = this.ui.loading;
    try {
      await this.extend(this.options.limit);
    } catch (err) {
      // A fetch refused by CORS says nothing more than "failed" to the page.
      console.warn(`liveblog-story: could not load older entries from ${this.options.server} (${err.message}); ` +
        'is this site\'s origin listed in the server\'s cors_origins?');
    } finally {
      this.loadingOlder = false;
      button.removeAttribute('aria-busy');
      button.textContent = this.labels.olderEntries;
    }
    // Focus would fall to the page when the button goes: it moves to the
    // first entry just shown (unless the reader has moved it meanwhile).
    const focused = this.root.activeElement;
    if (this.older.hidden && hadFocus && (focused === button || focused === null)) {
      const first = [...this.stream.querySelectorAll(':scope > article.entry')].find((a) => !before.has(a));
      if (first) {
        first.setAttribute('tabindex', '-1');
        first.focus();
      }
    }
  }
}

/**
 * Puts exactly `nodes`, in order, as the children of `container`, moving
 * the ones already there: an entry is never in the tree twice, and nodes
 * that stay are not re-created.
 */
function reconcile(container, nodes) {
  const want = new Set(nodes);
  for (const child of [...container.children]) if (!want.has(child)) child.remove();
  let ref = container.firstElementChild;
  for (const node of nodes) {
    if (node === ref) ref = ref.nextElementSibling;
    else container.insertBefore(node, ref);
  }
}

// A page may load embed.js twice (two URLs are two modules): one definition.
if (typeof customElements !== 'undefined' && !customElements.get('liveblog-story')) {
  customElements.define('liveblog-story', LiveblogStory);
}
