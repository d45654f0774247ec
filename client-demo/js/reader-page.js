/**
 * reader-page.js — progressive enhancement of the server-rendered story page
 * (/stories/{id}, server/http/page_renderer.cpp). The page reads fine
 * without it; with it the page goes live from the seq it was rendered at:
 *
 * - subscribes with since = <body data-seq> and epoch = <body data-epoch>, so
 *   nothing between the render and the subscription is lost or shown twice;
 * - renders new, edited and deleted entries in place with the server's markup
 *   (render.js), keeps the pinned block and the key events list in step;
 * - holds new entries behind a "N new updates" button when the reader has
 *   scrolled down, instead of moving the text under their eyes;
 * - follows the story's status, title, summary, lead image and related links,
 *   shows the viewer count and a reconnecting
 *   indicator, announces new entries to screen readers (aria-live), shows
 *   relative times, and loads older entries through the API in place.
 *
 * User text reaches the DOM only as text (textContent, text nodes) or
 * through setAttribute; never as HTML.
 */

import { connect } from './liveblog-client.js';
import {
  anchorId, entryHeadline, labelsFor, renderEntry, renderKeyEventItem, renderLeadImage, renderRelatedList,
  statusLabel,
} from './render.js';
import {
  Announcer, RELATIVE_REFRESH_MS, addRelativeTime, fillNewEntriesButton, make, reducedMotion, refreshRelativeTimes,
  uiFor,
} from './reader-ui.js';

// The page's words, relative times and announcements are shared with the
// embed (embed.js) in reader-ui.js; relativeTime stays importable from here.
export { relativeTime } from './reader-ui.js';

// ---------------------------------------------------------------------------
// Small DOM helpers
// ---------------------------------------------------------------------------

function loadStylesheet() {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  // The page names the stylesheet's versioned URL (long-cached); a page
  // without it gets the file beside this module.
  const script = document.querySelector('script[data-stylesheet]');
  link.href = script?.dataset.stylesheet || new URL('../css/reader.css', import.meta.url).href;
  document.head.appendChild(link);
}

// ---------------------------------------------------------------------------
// The live page
// ---------------------------------------------------------------------------

class LivePage {
  constructor(body) {
    this.body = body;
    this.storyId = body.dataset.story;
    this.initialSeq = Number(body.dataset.seq);
    this.lang = document.documentElement.lang;
    this.labels = labelsFor(this.lang);
    this.ui = uiFor(this.lang);
    this.stream = document.querySelector('section.entries');
    this.badge = document.querySelector('.story-status .badge');
    this.pendingCount = 0;
    this.loadingOlder = false;

    // Entries are ordered by created_seq. The server's markup does not carry
    // it, so server-rendered entries get stand-in keys that keep their order
    // and sort between what is older (< the pager's `before`) and what is
    // newer (> data-seq); entries seen as JSON get their real created_seq.
    /** @type {Map<string, number>} */
    this.orderKey = new Map();
    /** Key events list items by entry id: {headline, publishedAt}. */
    this.headlines = new Map();
    this.seedFromMarkup();
    this.buildChrome();
  }

  // -- reading the server's markup ------------------------------------------

  seedFromMarkup() {
    const streamArticles = this.streamArticles();
    const top = Number.isFinite(this.initialSeq) ? this.initialSeq : 0;
    streamArticles.forEach((a, k) => this.orderKey.set(a.dataset.entryId, top - k / (streamArticles.length + 1)));
    const before = this.pagerBefore() ?? 0;
    const pinnedOnly = this.pinnedArticles().filter((a) => !this.orderKey.has(a.dataset.entryId));
    pinnedOnly.forEach((a, k) => this.orderKey.set(a.dataset.entryId, before - 1 - k / (pinnedOnly.length + 1)));

    for (const link of document.querySelectorAll('nav.key-events li > a[href^="#"]')) {
      const id = link.getAttribute('href').slice(1).replace(/^(entry|pinned)-/, '');
      const time = link.querySelector('time');
      const headline = [...link.childNodes].filter((n) => n !== time).map((n) => n.textContent).join('').trim();
      if (time) this.headlines.set(id, { headline, publishedAt: time.getAttribute('datetime') });
    }
    for (const a of document.querySelectorAll('article.entry')) addRelativeTime(a, this.ui);
  }

  streamArticles() {
    return [...this.stream.children].filter((el) => el.matches('article.entry'));
  }

  pinnedSection() {
    return document.querySelector('section.pinned-entries');
  }

  pinnedArticles() {
    const section = this.pinnedSection();
    return section ? [...section.querySelectorAll('article.entry')] : [];
  }

  pagerLink() {
    return document.querySelector('nav.pager a[rel="next"]');
  }

  // The created_seq below which older entries exist (the pager link's ?before=).
  pagerBefore() {
    const link = this.pagerLink();
    if (!link) return null;
    const before = Number(new URL(link.href, location.href).searchParams.get('before'));
    return Number.isInteger(before) && before > 0 ? before : null;
  }

  // -- the page's new parts --------------------------------------------------

  buildChrome() {
    const status = document.querySelector('.story-status');
    this.viewers = make('span', 'viewers');
    this.viewers.hidden = true;
    this.connection = make('span', 'conn-state');
    this.connection.setAttribute('role', 'status');
    this.connection.hidden = true;
    if (status) status.append(' ', this.viewers);
    // Fixed at the bottom of the viewport: seen wherever the reader is.
    document.body.appendChild(this.connection);

    this.banner = make('button', 'new-entries-banner');
    this.banner.type = 'button';
    this.banner.hidden = true;
    this.banner.addEventListener('click', () => this.revealPending(true));
    document.body.appendChild(this.banner);

    this.liveRegion = make('div', 'visually-hidden');
    this.liveRegion.setAttribute('aria-live', 'polite');
    this.liveRegion.setAttribute('aria-atomic', 'true');
    document.body.appendChild(this.liveRegion);
    this.announcer = new Announcer(this.liveRegion);

    // A reader who scrolls back up sees held entries without clicking.
    let scheduled = false;
    window.addEventListener('scroll', () => {
      if (scheduled || this.pendingCount === 0) return;
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        if (this.pendingCount && !this.readerIsBelowTop()) this.revealPending(false);
      });
    }, { passive: true });

    document.addEventListener('click', (ev) => this.onPagerClick(ev));
    setInterval(() => refreshRelativeTimes(document, this.ui), RELATIVE_REFRESH_MS);
  }

  // New entries go in at the top of the stream: when that point is above
  // the viewport, inserting them would push the text the reader is on.
  readerIsBelowTop() {
    const marker = this.stream.querySelector('.tz-note') || this.stream;
    return marker.getBoundingClientRect().bottom < 0;
  }

  // -- live -----------------------------------------------------------------

  start() {
    const since = Number.isInteger(this.initialSeq) && this.initialSeq >= 0 ? this.initialSeq : undefined;
    this.client = connect(location.origin, {
      onState: (s) => this.onConnection(s),
    });
    this.sub = this.client.subscribe(this.storyId, {
      since,
      epoch: since === undefined ? undefined : this.body.dataset.epoch,
      before: this.pagerBefore() ?? undefined,
      onSnapshot: (state) => this.renderSnapshot(state),
      onEvent: (event) => this.onEvent(event),
      onPresence: (n) => this.showViewers(n),
    });
    window.addEventListener('online', () => this.client.retryNow());
  }

  onConnection(s) {
    this.body.dataset.connection = s.state;
    this.body.dataset.transport = s.transport;
    const show = s.state === 'reconnecting';
    this.connection.textContent = show ? this.ui.reconnecting : '';
    this.connection.hidden = !show;
  }

  showViewers(n) {
    this.viewers.textContent = this.ui.viewers(n);
    this.viewers.hidden = false;
  }

  onEvent(event) {
    switch (event.op) {
      case 'entry.created':
      case 'entry.updated':
        this.upsertEntry(event.entry);
        break;
      case 'entry.deleted':
        this.removeEntry(event.entry_id);
        break;
      case 'story.updated':
        this.updateStory(event.story_state);
        break;
      default:
        break;
    }
  }

  build(entry, placement) {
    return addRelativeTime(renderEntry(entry, { placement, labels: this.labels }), this.ui);
  }

  // The stream shows every entry from the newest down to the oldest loaded.
  inStream(entry) {
    const before = this.pagerBefore();
    return before === null || entry.created_seq >= before;
  }

  upsertEntry(entry) {
    this.orderKey.set(entry.id, entry.created_seq);
    this.headlines.set(entry.id, { headline: entryHeadline(entry), publishedAt: entry.published_at });

    const current = document.getElementById(anchorId(entry.id, 'stream'));
    if (current) {
      if (Number(current.dataset.version) < entry.version) {
        const fresh = this.build(entry, 'stream');
        if (current.hidden) {  // still held behind the banner
          fresh.hidden = true;
          fresh.classList.add('pending');
        }
        current.replaceWith(fresh);
      }
    } else if (this.inStream(entry)) {
      const fresh = this.build(entry, 'stream');
      const isNew = entry.created_seq > this.initialSeq;
      if (isNew && this.readerIsBelowTop()) {
        fresh.hidden = true;
        fresh.classList.add('pending');
        this.pendingCount++;
      } else if (isNew) {
        fresh.classList.add('is-new');
      }
      this.insertOrdered(this.stream, fresh, entry.created_seq);
      this.stream.querySelector(':scope > p.empty')?.remove();
      if (isNew) this.announce(entryHeadline(entry));
    }

    const pinnedCopy = document.getElementById(anchorId(entry.id, 'pinned'));
    if (entry.pinned) {
      if (!pinnedCopy || Number(pinnedCopy.dataset.version) < entry.version) {
        const fresh = this.build(entry, 'pinned');
        if (pinnedCopy) pinnedCopy.replaceWith(fresh);
        else this.insertOrdered(this.ensurePinnedSection(), fresh, entry.created_seq);
      }
    } else if (pinnedCopy) {
      this.removePinned(pinnedCopy);
    }
    this.updateBanner();
    this.rebuildKeyEvents();
  }

  removeEntry(id) {
    const current = document.getElementById(anchorId(id, 'stream'));
    if (current) {
      if (current.hidden) this.pendingCount--;
      current.remove();
      if (this.streamArticles().length === 0) this.showEmpty();
    }
    const pinnedCopy = document.getElementById(anchorId(id, 'pinned'));
    if (pinnedCopy) this.removePinned(pinnedCopy);
    this.headlines.delete(id);
    this.updateBanner();
    this.rebuildKeyEvents();
  }

  // Newest first: before the first article with a smaller key.
  insertOrdered(container, article, createdSeq) {
    const next = [...container.children].find(
      (el) => el.matches('article.entry') && (this.orderKey.get(el.dataset.entryId) ?? -Infinity) < createdSeq,
    );
    if (next) {
      container.insertBefore(article, next);
      container.insertBefore(document.createTextNode('\n'), next);
    } else {
      container.append(article, '\n');
    }
  }

  ensurePinnedSection() {
    let section = this.pinnedSection();
    if (!section) {
      section = make('section', 'pinned-entries');
      section.setAttribute('aria-label', this.labels.pinned);
      section.append('\n');
      const main = this.stream.parentNode;
      const keyEvents = document.querySelector('nav.key-events');
      main.insertBefore(section, keyEvents || this.stream);
      main.insertBefore(document.createTextNode('\n'), keyEvents || this.stream);
    }
    return section;
  }

  removePinned(article) {
    const section = article.parentNode;
    article.remove();
    if (section && !section.querySelector('article.entry')) section.remove();
  }

  showEmpty() {
    if (!this.stream.querySelector(':scope > p.empty')) this.stream.append(make('p', 'empty', this.labels.noEntries), '\n');
  }

  // The key events list follows what the page shows, newest first: stream
  // entries, then pinned entries older than the stream.
  rebuildKeyEvents() {
    const shown = new Map();
    for (const a of this.streamArticles()) if (!a.hidden) shown.set(a.dataset.entryId, a);
    for (const a of this.pinnedArticles()) if (!shown.has(a.dataset.entryId)) shown.set(a.dataset.entryId, a);
    const items = [...shown.values()]
      .filter((a) => a.classList.contains('key-event') && this.headlines.has(a.dataset.entryId))
      .sort((x, y) => (this.orderKey.get(y.dataset.entryId) ?? 0) - (this.orderKey.get(x.dataset.entryId) ?? 0));

    let nav = document.querySelector('nav.key-events');
    if (!items.length) {
      nav?.remove();
      return;
    }
    if (!nav) {
      nav = make('nav', 'key-events');
      nav.setAttribute('aria-labelledby', 'key-events-title');
      const title = make('h2', null, this.labels.keyEvents);
      title.id = 'key-events-title';
      nav.append('\n', title, '\n', make('ul'), '\n');
      this.stream.parentNode.insertBefore(nav, this.stream);
      this.stream.parentNode.insertBefore(document.createTextNode('\n'), this.stream);
    }
    const list = nav.querySelector('ul');
    list.replaceChildren('\n', ...items.flatMap((a) => {
      const h = this.headlines.get(a.dataset.entryId);
      return [renderKeyEventItem({ anchor: a.id, publishedAt: h.publishedAt, headline: h.headline }), '\n'];
    }));
  }

  // -- held entries ----------------------------------------------------------

  updateBanner() {
    this.pendingCount = Math.max(0, this.pendingCount);
    fillNewEntriesButton(this.banner, this.pendingCount, this.ui);
  }

  revealPending(scroll) {
    const held = this.streamArticles().filter((a) => a.classList.contains('pending'));
    for (const a of held) {
      a.hidden = false;
      a.classList.remove('pending');
      a.classList.add('is-new');
    }
    this.pendingCount = 0;
    this.updateBanner();
    this.rebuildKeyEvents();
    if (scroll && held.length) {
      this.stream.scrollIntoView({ block: 'start', behavior: reducedMotion() ? 'auto' : 'smooth' });
      // Keyboard and screen reader users land on the first new entry.
      held[0].setAttribute('tabindex', '-1');
      held[0].focus({ preventScroll: true });
    }
  }

  // -- announcements ---------------------------------------------------------

  // Entries that arrive together are announced together.
  announce(headline) {
    this.announcer.announce(headline, this.ui);
  }

  // -- story meta ------------------------------------------------------------

  updateStory(story) {
    if (!story) return;
    if (story.lang && story.lang !== this.lang) {
      this.lang = story.lang;
      this.labels = labelsFor(story.lang);
      this.ui = uiFor(story.lang);
      document.documentElement.lang = story.lang;
    }
    if (['live', 'paused', 'ended'].includes(story.status)) {
      this.body.dataset.status = story.status;
      if (this.badge) {
        this.badge.className = `badge badge-${story.status}`;
        this.badge.textContent = statusLabel(story.status, this.labels);
      }
    }
    const h1 = document.querySelector('.story-header h1');
    if (h1 && typeof story.title === 'string') {
      h1.textContent = story.title;
      document.title = story.title;
    }
    let summary = document.querySelector('.story-header .summary');
    if (story.summary) {
      if (!summary && h1) {
        summary = make('p', 'summary');
        h1.after('\n', summary);
      }
      if (summary) summary.textContent = story.summary;
    } else {
      summary?.remove();
    }
    this.updateFurniture(story);
  }

  // The lead image (#story-lead) and the related links (#related) are
  // rendered by the server in fixed places, so a change replaces their
  // contents; a page without them (rendered by an older server) gets none.
  // Unchanged parts are left alone: replacing an equal <img> would make the
  // browser decode it again and flash, on every status or title change.
  updateFurniture(story) {
    const lead = document.getElementById('story-lead');
    if (lead) {
      const figure = renderLeadImage(story.lead_image, document);
      const current = lead.firstElementChild;
      if (!(figure && current && figure.isEqualNode(current)) && (figure || lead.firstChild)) {
        lead.replaceChildren(...(figure ? [figure] : []));
      }
    }
    const related = document.getElementById('related');
    if (related) {
      const list = renderRelatedList(story.related, document);
      const current = related.querySelector('ul');
      if (!current) related.append(list);
      else if (!list.isEqualNode(current)) current.replaceWith(list);
      related.hidden = list.children.length === 0;
      const title = related.querySelector('#related-title');
      if (title) title.textContent = this.labels.related;
    }
  }

  // -- a snapshot replaces everything -----------------------------------------

  renderSnapshot(state) {
    for (const el of [...this.stream.children]) if (el.matches('article.entry, p.empty')) el.remove();
    for (const node of [...this.stream.childNodes]) if (node.nodeType === 3 && !node.textContent.trim()) node.remove();
    this.stream.prepend('\n');
    this.pinnedSection()?.remove();
    this.orderKey.clear();
    this.headlines.clear();
    for (const e of state.entries.values()) {
      this.orderKey.set(e.id, e.created_seq);
      this.headlines.set(e.id, { headline: entryHeadline(e), publishedAt: e.published_at });
    }
    const note = this.stream.querySelector('.tz-note');
    if (note) note.after('\n');
    for (const e of state.ordered) this.stream.append(this.build(e, 'stream'), '\n');
    if (!state.ordered.length) this.showEmpty();
    if (state.pinned.length) {
      const section = this.ensurePinnedSection();
      for (const e of state.pinned) section.append(this.build(e, 'pinned'), '\n');
    }
    // "New" is now measured from the snapshot (a new epoch may restart seqs).
    this.initialSeq = state.lastSeq ?? 0;
    this.pendingCount = 0;
    this.updateBanner();
    this.setPager(state.hasMore ? state.nextBefore : null);
    this.updateStory(state.story);
    this.rebuildKeyEvents();
  }

  // -- older entries ---------------------------------------------------------

  setPager(before) {
    let link = this.pagerLink();
    if (before === null) {
      link?.closest('nav.pager')?.remove();
      return;
    }
    if (!link) {
      const nav = make('nav', 'pager');
      link = make('a', null, `${this.labels.olderEntries} →`);
      link.rel = 'next';
      nav.append(link);
      this.stream.after('\n', nav);
    }
    link.href = `/stories/${encodeURIComponent(this.storyId)}?before=${before}`;
  }

  // With JS on, "older entries" loads the next page in place; a click that
  // asks for a new tab or window still follows the link.
  async onPagerClick(ev) {
    const link = ev.target instanceof Element ? ev.target.closest('nav.pager a[rel="next"]') : null;
    if (!link || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    if (this.loadingOlder) return;
    const before = this.pagerBefore();
    const label = link.textContent;
    this.loadingOlder = true;
    link.setAttribute('aria-busy', 'true');
    link.textContent = this.ui.loading;
    try {
      const page = await this.client.loadOlder(this.storyId, { before });
      for (const entry of page.entries) {
        this.orderKey.set(entry.id, entry.created_seq);
        this.headlines.set(entry.id, { headline: entryHeadline(entry), publishedAt: entry.published_at });
        const current = document.getElementById(anchorId(entry.id, 'stream'));
        if (current) continue;
        this.insertOrdered(this.stream, this.build(entry, 'stream'), entry.created_seq);
      }
      link.textContent = label;
      this.setPager(page.hasMore ? page.nextBefore : null);
      this.rebuildKeyEvents();
    } catch {
      location.assign(link.href);  // the page without JS still works
    } finally {
      this.loadingOlder = false;
      link.removeAttribute('aria-busy');
      if (link.textContent === this.ui.loading) link.textContent = label;
    }
  }
}

// ---------------------------------------------------------------------------

function main() {
  if (typeof document === 'undefined') return;  // imported outside a browser (tests)
  const body = document.body;
  if (!body || !body.dataset.story || !document.querySelector('section.entries')) return;
  loadStylesheet();
  if (body.dataset.before !== undefined) {
    // A page of older entries: static, but with relative times.
    const ui = uiFor(document.documentElement.lang);
    for (const a of document.querySelectorAll('article.entry')) addRelativeTime(a, ui);
    setInterval(() => refreshRelativeTimes(document, ui), RELATIVE_REFRESH_MS);
    return;
  }
  new LivePage(body).start();
}

main();
