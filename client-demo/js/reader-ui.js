/**
 * reader-ui.js — what the live page (reader-page.js) and the embed
 * (embed.js) show around the entries, beyond render.js's markup: their own
 * words in French and English, relative times ("il y a 3 min"), the
 * "N nouvelles entrées" button's content and the batched screen-reader
 * announcements. Both readers say the same things the same way.
 *
 * Same safety rule as render.js: text reaches the DOM only as text.
 *
 * @module reader-ui
 */

import { isFrench } from './render.js';

// ---------------------------------------------------------------------------
// Words (the entry markup's words are render.js's labels)
// ---------------------------------------------------------------------------

export const UI = {
  fr: {
    newEntries: (n) => (n === 1 ? '1 nouvelle entrée' : `${n} nouvelles entrées`),
    announceOne: (headline) => `Nouvelle entrée\u00a0: ${headline}`,
    announceMany: (n) => `${n} nouvelles entrées`,
    reconnecting: 'reconnexion…',
    viewers: (n) => (n < 2 ? `${n} lecteur` : `${n} lecteurs`),
    justNow: 'à l’instant',
    minutesAgo: (n) => `il y a ${n} min`,
    hoursAgo: (n) => `il y a ${n} h`,
    daysAgo: (n) => `il y a ${n} j`,
    loading: 'Chargement…',
    timesInUtc: 'Heures en temps universel (UTC)',  // the server page's tz-note
    notFound: 'Ce direct est introuvable.',
    unavailable: 'Le direct est momentanément indisponible.',
    liveBlog: (title) => (title ? `Direct\u00a0: ${title}` : 'Direct'),
  },
  en: {
    newEntries: (n) => (n === 1 ? '1 new update' : `${n} new updates`),
    announceOne: (headline) => `New update: ${headline}`,
    announceMany: (n) => `${n} new updates`,
    reconnecting: 'reconnecting…',
    viewers: (n) => (n === 1 ? '1 reader' : `${n} readers`),
    justNow: 'just now',
    minutesAgo: (n) => `${n} min ago`,
    hoursAgo: (n) => `${n} h ago`,
    daysAgo: (n) => `${n} d ago`,
    loading: 'Loading…',
    timesInUtc: 'Times are UTC',
    notFound: 'This live blog does not exist.',
    unavailable: 'The live blog is unavailable for now.',
    liveBlog: (title) => (title ? `Live: ${title}` : 'Live blog'),
  },
};

/** @param {string|undefined|null} lang */
export const uiFor = (lang) => (isFrench(lang) ? UI.fr : UI.en);

/** How often relative times are recomputed. */
export const RELATIVE_REFRESH_MS = 30000;
const ANNOUNCE_BATCH_MS = 1000;

/**
 * "il y a 3 min" / "3 min ago" for an ISO time, relative to `now` (ms).
 * @param {string} iso
 * @param {number} now
 * @param {typeof UI.fr} ui
 */
export function relativeTime(iso, now, ui) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const minutes = Math.floor(Math.max(0, now - t) / 60000);  // a clock ahead of ours reads "just now"
  if (minutes < 1) return ui.justNow;
  if (minutes < 60) return ui.minutesAgo(minutes);
  const hours = Math.floor(minutes / 60);
  return hours < 24 ? ui.hoursAgo(hours) : ui.daysAgo(Math.floor(hours / 24));
}

// ---------------------------------------------------------------------------
// DOM pieces
// ---------------------------------------------------------------------------

/**
 * An element with an optional class and text.
 * @param {string} tag
 * @param {string|null} [className]
 * @param {string} [text]
 * @param {Document} [doc]
 */
export function make(tag, className, text, doc = document) {
  const el = doc.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

export const reducedMotion = () =>
  typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

/**
 * Adds "(il y a 3 min)" after an entry's publication time (once), kept
 * fresh by refreshRelativeTimes.
 * @param {Element} article  an article of render.js or of the server page
 * @param {typeof UI.fr} ui
 * @returns {Element} the article
 */
export function addRelativeTime(article, ui) {
  const time = article.querySelector('.entry-meta > time');
  if (!time || (time.nextElementSibling && time.nextElementSibling.classList.contains('reltime'))) return article;
  const span = make('span', 'reltime', undefined, article.ownerDocument);
  span.dataset.time = time.getAttribute('datetime');
  span.textContent = `(${relativeTime(span.dataset.time, Date.now(), ui)})`;
  time.after(' ', span);
  return article;
}

/**
 * Recomputes every relative time under `root` (a document or a shadow root).
 * @param {ParentNode} root
 * @param {typeof UI.fr} ui
 */
export function refreshRelativeTimes(root, ui) {
  const now = Date.now();
  for (const span of root.querySelectorAll('.reltime')) {
    span.textContent = `(${relativeTime(span.dataset.time, now, ui)})`;
  }
}

/**
 * The content of the "new updates" button: an arrow hidden from screen
 * readers (the button says how many, not where) and the count; empty at 0.
 * @param {HTMLElement} button
 * @param {number} n
 * @param {typeof UI.fr} ui
 * @param {string} [arrow]  "↑" when new entries are above, "↓" below
 */
export function fillNewEntriesButton(button, n, ui, arrow = '↑') {
  const mark = make('span', null, `${arrow} `, button.ownerDocument);
  mark.setAttribute('aria-hidden', 'true');
  button.replaceChildren(...(n > 0 ? [mark, ui.newEntries(n)] : []));
  button.hidden = n <= 0;
}

/**
 * Screen-reader announcements in a polite live region: entries that arrive
 * within a second are announced together ("3 nouvelles entrées"), so a burst
 * does not flood the reader with one announcement each.
 */
export class Announcer {
  /** @param {HTMLElement} region  an element with aria-live="polite" */
  constructor(region) {
    this.region = region;
    this.queue = [];
    this.timer = null;
  }

  /**
   * @param {string} headline  the entry's headline ('' for none)
   * @param {typeof UI.fr} ui  the words at announcement time
   */
  announce(headline, ui) {
    this.queue.push(headline);
    this.ui = ui;
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      const queue = this.queue;
      this.queue = [];
      this.timer = null;
      this.region.textContent = queue.length === 1 && queue[0]
        ? this.ui.announceOne(queue[0])
        : this.ui.announceMany(queue.length);
    }, ANNOUNCE_BATCH_MS);
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }
}
