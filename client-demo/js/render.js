/**
 * render.js — entries and blocks as DOM, with the markup the server renders
 * (server/http/page_renderer.cpp, server/http/html.cpp), so a live update
 * looks exactly like a server-rendered entry. Shared by the reader page and
 * the editor preview.
 *
 * Safety rule of this module: user text only ever reaches the DOM through
 * `createTextNode` / `textContent` and `setAttribute`; nothing here parses
 * HTML. URLs are re-checked as http(s) before they become `href` or `src`.
 *
 * Every function that builds nodes takes the `document` to build them with
 * (default: the global one), so the module also runs under a test DOM.
 *
 * Pictures (uploaded media, external images), embed cards, the story's lead
 * image and related links are in render-media.js, re-exported from here.
 *
 * @module render
 */

import { renderEmbedCard, renderImageFigure } from './render-media.js';

export {
  IMAGE_SIZES, mediaUrl, mediaWidths, renderLeadImage, renderRelatedList, renderPicture,
} from './render-media.js';

// ---------------------------------------------------------------------------
// Labels: the server's words, French or English (page_renderer.cpp)
// ---------------------------------------------------------------------------

/**
 * @typedef {object} Labels
 * @property {string} lang            "fr" or "en"
 * @property {string} live
 * @property {string} paused
 * @property {string} ended
 * @property {string} pinned
 * @property {string} keyEvents
 * @property {string} entries
 * @property {string} noEntries
 * @property {string} olderEntries
 * @property {string} updated         followed by a time: "updated 11:40"
 * @property {string[]} months
 * @property {string} firstOfMonth    day 1 ("1er" in French)
 * @property {string} dateTimeSep     between a date and a time
 * @property {string} corrected       followed by a time: "Corrigé à 21:04"
 * @property {string} noteSep         between that time and the correction's note
 * @property {string} related         the heading of the story's related links
 */

/** @type {Labels} */
const FRENCH = Object.freeze({
  lang: 'fr', live: 'En direct', paused: 'En pause', ended: 'Terminé', pinned: 'Épinglé',
  keyEvents: 'Moments clés', entries: 'Toutes les entrées', noEntries: 'Aucune entrée pour le moment.',
  olderEntries: 'Entrées précédentes', updated: 'mis à jour',
  months: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre',
    'octobre', 'novembre', 'décembre'],
  firstOfMonth: '1er', dateTimeSep: ' à ', corrected: 'Corrigé à', noteSep: '\u00a0: ',
  related: 'À suivre aussi',
});

/** @type {Labels} */
const ENGLISH = Object.freeze({
  lang: 'en', live: 'Live', paused: 'Paused', ended: 'Ended', pinned: 'Pinned',
  keyEvents: 'Key events', entries: 'All entries', noEntries: 'No entries yet.',
  olderEntries: 'Older entries', updated: 'updated',
  months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
    'October', 'November', 'December'],
  firstOfMonth: '1', dateTimeSep: ', ', corrected: 'Corrected at', noteSep: ': ',
  related: 'Related',
});

/**
 * True when the primary subtag of a BCP 47 tag is "fr" (any case).
 * @param {string|undefined|null} lang
 */
export function isFrench(lang) {
  return typeof lang === 'string' && /^fr(-|$)/i.test(lang);
}

/**
 * The server's labels for a story language: French for "fr", "fr-CA"…,
 * English otherwise.
 * @param {string|undefined|null} lang
 * @returns {Labels}
 */
export function labelsFor(lang) {
  return isFrench(lang) ? FRENCH : ENGLISH;
}

/**
 * The badge label of a story status.
 * @param {string} status  live | paused | ended
 * @param {Labels} labels
 */
export function statusLabel(status, labels) {
  return status === 'paused' ? labels.paused : status === 'ended' ? labels.ended : labels.live;
}

// ---------------------------------------------------------------------------
// URLs (core/validation.cpp is_http_url)
// ---------------------------------------------------------------------------

const MAX_TARGET_BYTES = 2048;

function isControl(cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

// White space and invisible separators (validation's is_blank_code_point).
function isBlankCodePoint(cp) {
  switch (cp) {
    case 0x09: case 0x0a: case 0x0b: case 0x0c: case 0x0d: case 0x20:
    case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029: case 0x202f:
    case 0x205f: case 0x2060: case 0x3000: case 0xfeff:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200d;
  }
}

// A lone surrogate cannot be UTF-8: such a string is no URL.
function hasLoneSurrogate(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}

function utf8Length(s) {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

function isValidPort(port) {
  return /^[0-9]{1,5}$/.test(port) && Number(port) <= 65535;
}

function isValidAuthority(authority) {
  if (authority === '') return false;
  let rest;
  if (authority[0] === '[') {  // IPv6 literal
    const close = authority.indexOf(']');
    if (close <= 1) return false;
    if (!/^[0-9a-fA-F:.]+$/.test(authority.slice(1, close))) return false;
    rest = authority.slice(close + 1);
  } else {
    const colon = authority.indexOf(':');
    const host = colon < 0 ? authority : authority.slice(0, colon);
    let hasLabelChar = false;
    for (const ch of host) {
      // Non-ASCII characters are an internationalised name.
      if (/[A-Za-z0-9]/.test(ch) || ch.codePointAt(0) >= 0x80) hasLabelChar = true;
      else if (ch !== '-' && ch !== '.' && ch !== '_') return false;
    }
    if (!hasLabelChar) return false;
    rest = colon < 0 ? '' : authority.slice(colon);
  }
  return rest === '' || (rest[0] === ':' && isValidPort(rest.slice(1)));
}

/**
 * The server's URL rule: http:// or https:// with a host, no credentials,
 * no spaces, controls, quotes, angle brackets, backslash or backtick.
 * Anything else (javascript:, data:, relative URLs) is never linked.
 * @param {unknown} url
 * @returns {boolean}
 */
export function isHttpUrl(url) {
  if (typeof url !== 'string') return false;
  const lower = url.slice(0, 8).toLowerCase();
  const schemeEnd = lower.startsWith('http://') ? 7 : lower.startsWith('https://') ? 8 : 0;
  if (schemeEnd === 0 || hasLoneSurrogate(url)) return false;
  for (const ch of url) {
    if ('"<>\\`'.includes(ch)) return false;
    const cp = ch.codePointAt(0);
    if (isControl(cp) || isBlankCodePoint(cp)) return false;
  }
  const rest = url.slice(schemeEnd);
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  return !authority.includes('@') && isValidAuthority(authority);
}

/**
 * "https://www.Example.org:8443/a?b" -> "example.org:8443" (the embed card's
 * host line). Precondition: isHttpUrl(url).
 * @param {string} url
 */
export function displayHost(url) {
  let rest = url.slice(url.indexOf('://') + 3);
  const end = rest.search(/[/?#]/);
  if (end >= 0) rest = rest.slice(0, end);
  const host = rest.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return host.startsWith('www.') ? host.slice(4) : host;
}

// ---------------------------------------------------------------------------
// Inline marks: **bold**, _italic_, [label](https://…) — a port of the
// server's InlineRenderer (html.cpp), so both agree on every edge case.
// Positions are UTF-16 indices; the rules only look at ASCII marks and at
// the code points around them, so they mean the same as the server's bytes.
// ---------------------------------------------------------------------------

function codePointAt(s, i) {
  return i < s.length ? s.codePointAt(i) : 0;
}

// The code point that ends just before s[i]; 0 at the start.
function codePointBefore(s, i) {
  if (i <= 0) return 0;
  const low = s.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
    const high = s.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return s.codePointAt(i - 2);
  }
  return low;
}

function isSpace(cp) {
  switch (cp) {
    case 0x20: case 0x09: case 0x0a: case 0x0d: case 0x0c: case 0x0b:
    case 0xa0: case 0x1680: case 0x2028: case 0x2029: case 0x202f: case 0x205f: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200a;
  }
}

// Letters, digits (any script) and "_" are word characters; punctuation and
// spaces are not, so «_titre_» italicises and snake_case_name does not.
function isWord(cp) {
  if (cp < 0x80) {
    return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a) || cp === 0x5f;
  }
  if (isSpace(cp)) return false;
  if (cp >= 0xa1 && cp <= 0xbf) return false;
  if (cp === 0xd7 || cp === 0xf7) return false;
  if (cp >= 0x2010 && cp <= 0x205e) return false;
  if (cp >= 0x2e00 && cp <= 0x2e7f) return false;
  if (cp >= 0x3000 && cp <= 0x303f) return false;
  return true;
}

// For every "(", the index of the ")" that balances it (absent: none).
function parenMatches(s) {
  const closeOf = new Map();
  const stack = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') {
      stack.push(i);
      closeOf.set(i, -1);
    } else if (s[i] === ')' && stack.length) {
      closeOf.set(stack.pop(), i);
    }
  }
  return closeOf;
}

/**
 * The links of `s`, left to right, not overlapping: "[" label "](" target ")",
 * the label holding no "[" and not empty, the target running to the ")" that
 * balances its "(" and passing isHttpUrl. Links bind tighter than emphasis.
 * @returns {{open:number, labelEnd:number, close:number}[]}
 */
function findLinks(s) {
  const links = [];
  if (!s.includes('](')) return links;
  const closeOf = parenMatches(s);
  const find = (ch, from) => {
    const k = s.indexOf(ch, from);
    return k < 0 ? Infinity : k;
  };
  let nextOpen = Infinity;
  let nextClose = Infinity;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '[') continue;
    // Both searches only move right: the whole scan stays linear.
    if (nextClose === Infinity || nextClose <= i) nextClose = find(']', i + 1);
    if (nextClose === Infinity) break;
    if (nextOpen === Infinity || nextOpen <= i) nextOpen = find('[', i + 1);
    const labelEnd = nextClose;
    if (nextOpen < labelEnd || labelEnd === i + 1) continue;
    if (labelEnd + 1 >= s.length || s[labelEnd + 1] !== '(') continue;
    const close = closeOf.get(labelEnd + 1);
    if (close === undefined || close < 0) continue;
    const target = s.slice(labelEnd + 2, close);
    if (utf8Length(target) > MAX_TARGET_BYTES || !isHttpUrl(target)) continue;
    links.push({ open: i, labelEnd, close });
    i = close;
  }
  return links;
}

const BOLD = 1;
const ITALIC = 2;
const LINK = 4;

// The first closer in [from, end); reuses its last answer when it still
// holds, so hostile input ("**" x 10,000, no closer) stays linear.
function closerSearch() {
  let searched = false;
  let lastFrom = 0;
  let found = Infinity;
  return (from, end, isCloser) => {
    if (searched && from >= lastFrom && (found === Infinity || found >= from)) return found;
    searched = true;
    lastFrom = from;
    found = Infinity;
    for (let i = from; i < end; i++) {
      if (isCloser(i)) {
        found = i;
        break;
      }
    }
    return found;
  };
}

/**
 * Walks `s` and reports marks to `sink`: open(tag, href?), close(), text(str)
 * (str may hold "\n" and "\r", which the sink turns into line breaks or not).
 */
function walkInline(s, sink) {
  const links = findLinks(s);
  let inLink = null;  // per index: inside some link; null when there are none
  if (links.length) {
    inLink = new Uint8Array(s.length);
    for (const l of links) inLink.fill(1, l.open, l.close + 1);
  }

  const opensBold = (i, end) => {
    if (i + 2 >= end || s[i + 1] !== '*') return false;
    const next = codePointAt(s, i + 2);
    return next !== 0x2a && !isSpace(next);
  };
  const closesBold = (i, end) => {
    if (i + 1 >= end || s[i] !== '*' || s[i + 1] !== '*') return false;
    const prev = codePointBefore(s, i);
    return prev !== 0x2a && !isSpace(prev);
  };
  const opensItalic = (i, end) => {
    if (i + 1 >= end) return false;
    const next = codePointAt(s, i + 1);
    return !isWord(codePointBefore(s, i)) && next !== 0x5f && !isSpace(next);
  };
  // Neighbours are read in the whole text, not the span, so a boundary
  // means the same at every nesting depth.
  const closesItalic = (i) => {
    if (s[i] !== '_') return false;
    const prev = codePointBefore(s, i);
    return prev !== 0x5f && !isSpace(prev) && !isWord(codePointAt(s, i + 1));
  };

  // s[begin, end) with the marks in `allowed`; each nested call drops the
  // mark it opened, so the depth is at most three.
  const render = (begin, end, allowed, inLabel) => {
    // A closer counts only on the same side of every link boundary as the span.
    const sameSide = (k) => inLink === null || (inLink[k] === 1) === inLabel;
    const boldClosers = closerSearch();
    const italicClosers = closerSearch();
    let li = 0;
    while (li < links.length && links[li].open < begin) li++;
    let literalFrom = begin;
    let i = begin;
    const literal = (to) => {
      if (to > literalFrom) sink.text(s.slice(literalFrom, to));
    };
    while (i < end) {
      while (li < links.length && links[li].open < i) li++;
      const c = s[i];
      if (li < links.length && links[li].open === i && (allowed & LINK)) {
        const l = links[li++];
        literal(i);
        sink.open('a', s.slice(l.labelEnd + 2, l.close));
        render(i + 1, l.labelEnd, allowed & ~LINK, true);
        sink.close();
        i = literalFrom = l.close + 1;
        continue;
      }
      if (c === '*' && (allowed & BOLD) && opensBold(i, end)) {
        const close = boldClosers(i + 3, end, (k) => closesBold(k, end) && sameSide(k));
        if (close !== Infinity) {
          literal(i);
          sink.open('strong');
          render(i + 2, close, allowed & ~BOLD, inLabel);
          sink.close();
          i = literalFrom = close + 2;
          continue;
        }
      } else if (c === '_' && (allowed & ITALIC) && opensItalic(i, end)) {
        const close = italicClosers(i + 2, end, (k) => closesItalic(k) && sameSide(k));
        if (close !== Infinity) {
          literal(i);
          sink.open('em');
          render(i + 1, close, allowed & ~ITALIC, inLabel);
          sink.close();
          i = literalFrom = close + 1;
          continue;
        }
      }
      i++;
    }
    literal(end);
  };
  render(0, s.length, BOLD | ITALIC | LINK, false);
}

const LINK_REL = 'nofollow noopener noreferrer';

function doc0(doc) {
  const d = doc || globalThis.document;
  if (!d) throw new TypeError('render.js: no document to build nodes with');
  return d;
}

/**
 * Appends `text` to `parent` with its inline marks as <strong>, <em> and
 * <a href rel="nofollow noopener noreferrer"> elements; every other
 * character is text. "\n" (and "\r\n", or a lone "\r") becomes <br>.
 * @param {Node} parent
 * @param {string} text
 * @param {Document} [doc]
 */
export function appendInline(parent, text, doc) {
  const d = doc0(doc);
  const stack = [parent];
  const top = () => stack[stack.length - 1];
  walkInline(typeof text === 'string' ? text : '', {
    open(tag, href) {
      const el = d.createElement(tag);
      if (tag === 'a') {
        el.setAttribute('href', href);
        el.setAttribute('rel', LINK_REL);
      }
      top().appendChild(el);
      stack.push(el);
    },
    close() {
      stack.pop();
    },
    text(str) {
      // Split on line breaks: "\r\n" is one break, a lone "\r" is one too.
      const parts = str.split(/\r\n|\r|\n/);
      parts.forEach((part, k) => {
        if (k > 0) top().appendChild(d.createElement('br'));
        if (part) top().appendChild(d.createTextNode(part));
      });
    },
  });
  return parent;
}

/**
 * The text with its inline marks removed (link labels kept, targets
 * dropped), as the server's strip_inline_marks: headlines, announcements.
 * @param {string} text
 * @returns {string}
 */
export function stripInlineMarks(text) {
  let out = '';
  walkInline(typeof text === 'string' ? text : '', {
    open() {},
    close() {},
    text(str) {
      out += str;
    },
  });
  return out;
}

// ---------------------------------------------------------------------------
// Times: shown in UTC as the server does (it knows no reader's zone)
// ---------------------------------------------------------------------------

function two(n) {
  return String(n).padStart(2, '0');
}

/**
 * "13:05" in UTC; "" for an unreadable time.
 * @param {string} iso
 */
export function hhmm(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

/**
 * "25 novembre 2026", "1er mai 2026"; "25 November 2026" (UTC).
 * @param {string} iso
 * @param {Labels} labels
 */
export function longDate(iso, labels) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const day = d.getUTCDate() === 1 ? labels.firstOfMonth : String(d.getUTCDate());
  return `${day} ${labels.months[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/**
 * <time datetime="…" title="25 novembre 2026 à 11:35 UTC">11:35</time>
 * @param {string} iso
 * @param {Labels} labels
 * @param {Document} [doc]
 */
export function timeElement(iso, labels, doc) {
  const d = doc0(doc);
  const el = d.createElement('time');
  el.setAttribute('datetime', iso);
  el.setAttribute('title', `${longDate(iso, labels)}${labels.dateTimeSep}${hhmm(iso)} UTC`);
  el.textContent = hhmm(iso);
  return el;
}

// ---------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------

// A missing or mistyped field reads as empty, never throws: a page renders
// whatever it is given.
function field(block, key) {
  const v = block && typeof block === 'object' ? block[key] : undefined;
  return typeof v === 'string' ? v : '';
}

function el(d, tag, className) {
  const e = d.createElement(tag);
  if (className) e.setAttribute('class', className);
  return e;
}

function textEl(d, tag, className, text) {
  const e = el(d, tag, className);
  e.textContent = text;
  return e;
}

/**
 * One block as a DOM node, the server's markup for its type: text <p>,
 * heading <h3>, quote <blockquote> with a <cite>, image <figure> (a
 * <picture> for an upload) with caption and credit, embed as its captured
 * card or a link card (never an iframe), list <ul>.
 * Returns null for a block that renders as nothing (an unknown type).
 * @param {object} block
 * @param {Document} [doc]
 * @returns {Element|null}
 */
export function renderBlock(block, doc) {
  const d = doc0(doc);
  const type = field(block, 'type');
  switch (type) {
    case 'text':
      return appendInline(el(d, 'p'), field(block, 'text'), d);
    case 'heading':
      return appendInline(el(d, 'h3'), field(block, 'text'), d);
    case 'quote': {
      const q = el(d, 'blockquote');
      q.appendChild(appendInline(el(d, 'p'), field(block, 'text'), d));
      const cite = field(block, 'cite');
      if (cite) {
        const footer = el(d, 'footer');
        footer.appendChild(d.createTextNode('— '));
        footer.appendChild(textEl(d, 'cite', null, cite));
        q.appendChild(footer);
      }
      return q;
    }
    case 'image':
      // An upload as <picture>, else an http(s) src as <img>, else only the caption.
      return renderImageFigure(block, d);
    case 'embed': {
      // A captured card (POST /api/embeds) when the block has one, else the link card.
      const card = renderEmbedCard(block, d);
      if (card) return card;
      const url = field(block, 'url');
      if (isHttpUrl(url)) {
        const a = el(d, 'a', 'embed');
        a.setAttribute('href', url);
        a.setAttribute('rel', LINK_REL);
        a.appendChild(textEl(d, 'span', 'embed-host', displayHost(url)));
        a.appendChild(d.createTextNode(' '));
        a.appendChild(textEl(d, 'span', 'embed-url', url));
        return a;
      }
      return url ? textEl(d, 'p', 'embed', url) : null;
    }
    case 'list': {
      if (!Array.isArray(block.items)) return null;
      const ul = el(d, 'ul');
      for (const item of block.items) {
        if (typeof item === 'string') ul.appendChild(appendInline(el(d, 'li'), item, d));
      }
      return ul;
    }
    default:
      return null;  // a newer block type renders as nothing, as on the server
  }
}

/**
 * Appends every block to `parent`, each followed by a newline text node as
 * in the server's markup.
 * @param {Node} parent
 * @param {object[]} blocks
 * @param {Document} [doc]
 */
export function appendBlocks(parent, blocks, doc) {
  const d = doc0(doc);
  for (const block of Array.isArray(blocks) ? blocks : []) {
    const node = renderBlock(block, d);
    if (node) {
      parent.appendChild(node);
      parent.appendChild(d.createTextNode('\n'));
    }
  }
  return parent;
}

// ---------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------

/**
 * The entry was changed after it was published (the server's is_updated):
 * its header then shows "mis à jour HH:MM" / "updated HH:MM".
 * @param {object} entry
 */
export function isUpdated(entry) {
  return entry.version > 1 && entry.updated_at !== entry.published_at;
}

/**
 * Where an entry appears: "stream" (id="entry-ID") or "pinned"
 * (id="pinned-ID", in the pinned block).
 * @param {string} id
 * @param {'stream'|'pinned'} placement
 */
export function anchorId(id, placement) {
  return (placement === 'pinned' ? 'pinned-' : 'entry-') + id;
}

/**
 * The <header class="entry-meta"> of an entry.
 * @param {object} entry
 * @param {'stream'|'pinned'} placement
 * @param {Labels} labels
 * @param {Document} d
 */
function entryMeta(entry, placement, labels, d) {
  const header = el(d, 'header', 'entry-meta');
  if (placement === 'pinned') {
    header.appendChild(textEl(d, 'span', 'pin-label', labels.pinned));
    header.appendChild(d.createTextNode(' '));
  }
  header.appendChild(timeElement(entry.published_at, labels, d));
  header.appendChild(d.createTextNode(' '));
  header.appendChild(textEl(d, 'span', 'date', longDate(entry.published_at, labels)));
  const author = entry.author && typeof entry.author.name === 'string' ? entry.author.name : '';
  if (author) {
    header.appendChild(d.createTextNode(' '));
    header.appendChild(textEl(d, 'span', 'author', author));
  }
  if (isUpdated(entry)) {
    header.appendChild(d.createTextNode(' '));
    const upd = el(d, 'span', 'updated');
    upd.appendChild(d.createTextNode(`${labels.updated} `));
    upd.appendChild(timeElement(entry.updated_at, labels, d));
    header.appendChild(upd);
  }
  return header;
}

/**
 * An entry as the server renders it:
 * <article class="entry[ key-event][ is-pinned]" id="entry-ID"
 *  data-entry-id="ID" data-version="V"> header, optional <h2 class="entry-title">,
 * blocks </article>. It also carries data-created-seq (the server's page has
 * no such attribute; the reader script orders entries by it).
 * @param {object} entry   an entry as on the wire
 * @param {{placement?: 'stream'|'pinned', labels?: Labels, lang?: string, document?: Document}} [options]
 * @returns {HTMLElement}
 */
export function renderEntry(entry, options = {}) {
  const d = doc0(options.document);
  const placement = options.placement === 'pinned' ? 'pinned' : 'stream';
  const labels = options.labels || labelsFor(options.lang);
  let cls = 'entry';
  if (entry.key_event) cls += ' key-event';
  if (entry.pinned) cls += ' is-pinned';
  const article = el(d, 'article', cls);
  article.setAttribute('id', anchorId(entry.id, placement));
  article.setAttribute('data-entry-id', entry.id);
  article.setAttribute('data-version', String(entry.version));
  if (Number.isFinite(entry.created_seq)) article.setAttribute('data-created-seq', String(entry.created_seq));
  article.appendChild(d.createTextNode('\n'));
  article.appendChild(entryMeta(entry, placement, labels, d));
  article.appendChild(d.createTextNode('\n'));
  if (typeof entry.title === 'string' && entry.title) {
    article.appendChild(textEl(d, 'h2', 'entry-title', entry.title));
    article.appendChild(d.createTextNode('\n'));
  }
  appendBlocks(article, entry.blocks, d);
  // Public corrections, oldest first: <p class="correction">Corrigé à <time>21:04</time> : note</p>
  for (const c of Array.isArray(entry.corrections) ? entry.corrections : []) {
    if (!c || typeof c.note !== 'string' || typeof c.at !== 'string') continue;
    const p = el(d, 'p', 'correction');
    p.appendChild(d.createTextNode(`${labels.corrected} `));
    p.appendChild(timeElement(c.at, labels, d));
    p.appendChild(d.createTextNode(labels.noteSep + c.note));
    article.appendChild(p);
    article.appendChild(d.createTextNode('\n'));
  }
  return article;
}

// ---------------------------------------------------------------------------
// Headlines (key events list, announcements): page_renderer.cpp entry_headline
// ---------------------------------------------------------------------------

const MAX_HEADLINE_CHARS = 110;

function joinPart(out, part, sep) {
  if (!part) return out;
  return out ? out + sep + part : part;
}

/**
 * A block as plain text, marks stripped.
 * @param {object} block
 */
export function blockPlainText(block) {
  const type = field(block, 'type');
  if (type === 'text' || type === 'heading') return stripInlineMarks(field(block, 'text'));
  if (type === 'quote') {
    const cite = field(block, 'cite');
    return joinPart(stripInlineMarks(field(block, 'text')), cite ? `— ${cite}` : '', '\n');
  }
  if (type === 'image') return joinPart(stripInlineMarks(field(block, 'caption')), field(block, 'credit'), ' — ');
  if (type === 'embed') return field(block, 'url');
  if (type === 'list' && Array.isArray(block.items)) {
    return block.items.filter((i) => typeof i === 'string').map(stripInlineMarks)
      .reduce((out, item) => joinPart(out, item, '\n'), '');
  }
  return '';
}

// Runs of ASCII white space become one space; trimmed.
function collapseWhitespace(s) {
  return s.replace(/[ \n\r\t]+/g, ' ').replace(/^ | $/g, '');
}

// At most `max` code points; a cut one ends with "…" (counted).
function truncateCodePoints(s, max) {
  const cps = Array.from(s);
  if (cps.length <= max) return s;
  return cps.slice(0, max - 1).join('').replace(/ +$/, '') + '…';
}

/**
 * The entry's one-line headline: its title; else its first text block; else
 * its first block with any text. Marks stripped, at most 110 characters.
 * @param {object} entry
 * @returns {string}
 */
export function entryHeadline(entry) {
  if (typeof entry.title === 'string') {
    const t = collapseWhitespace(entry.title);
    if (t) return truncateCodePoints(t, MAX_HEADLINE_CHARS);
  }
  const blocks = Array.isArray(entry.blocks) ? entry.blocks : [];
  const candidates = [...blocks.filter((b) => field(b, 'type') === 'text'), ...blocks];
  for (const block of candidates) {
    const t = collapseWhitespace(blockPlainText(block));
    if (t) return truncateCodePoints(t, MAX_HEADLINE_CHARS);
  }
  return '';
}

/**
 * One item of the key events list:
 * <li><a href="#ANCHOR"><time datetime="…">HH:MM</time> headline</a></li>
 * @param {{anchor: string, publishedAt: string, headline: string}} item
 * @param {Document} [doc]
 */
export function renderKeyEventItem(item, doc) {
  const d = doc0(doc);
  const li = el(d, 'li');
  const a = el(d, 'a');
  a.setAttribute('href', `#${item.anchor}`);
  const time = el(d, 'time');
  time.setAttribute('datetime', item.publishedAt);
  time.textContent = hhmm(item.publishedAt);
  a.appendChild(time);
  a.appendChild(d.createTextNode(` ${item.headline}`));
  li.appendChild(a);
  return li;
}
