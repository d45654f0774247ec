/**
 * embed-model.js — the decisions of the <liveblog-story> embed (embed.js)
 * that need no DOM: its options read from attributes, which entries the
 * stream shows, and how the server's root-relative media URLs become
 * absolute on another site. Pure functions, unit-tested in
 * tests/js/embed-model.test.mjs.
 *
 * @module embed-model
 */

export const DEFAULT_LIMIT = 20;
// The read API's largest page (max_page_entries): one "load older" never
// needs more than one page, and a bigger number is a typo, not a wish.
export const MAX_LIMIT = 100;

/**
 * @typedef {object} EmbedOptions
 * @property {string} story          the story id (slug), '' when absent
 * @property {string|null} lang      the element's lang attribute; null: the story's
 * @property {string} server         the liveblog server, no trailing slash ("https://live.example")
 * @property {number} limit          entries shown at first and added per "load older" (1–100)
 * @property {boolean} keyEventsOnly the stream shows key events only
 * @property {'newest'|'oldest'} order
 * @property {boolean} noTitle       the story's title and summary are not shown
 */

// A boolean data- attribute: present means on, unless it says "false" or
// "0" (what a CMS template writes when it always prints the attribute).
function flag(value) {
  return value !== null && value !== undefined && !/^(false|0|no|off)$/i.test(value.trim());
}

/**
 * The server the embed talks to when data-server is not given: the one
 * embed.js was loaded from. The module is /static/js/embed.js under the
 * server's root, so the root is two levels up (a reverse proxy's path
 * prefix, "https://news.example/live/static/js/embed.js", is kept).
 * @param {string} moduleUrl  import.meta.url of embed.js
 */
export function serverFromModuleUrl(moduleUrl) {
  return new URL('../../', moduleUrl).href.replace(/\/+$/, '');
}

/**
 * @param {string} value  data-server as written: an absolute http(s) URL
 * @returns {string|null} without query, fragment or trailing slash; null when not http(s)
 */
export function normaliseServer(value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return (url.origin + url.pathname).replace(/\/+$/, '');
}

/**
 * The embed's options from its attributes.
 * @param {(name: string) => string|null} attr  getAttribute of the element
 * @param {string} moduleUrl  import.meta.url of embed.js
 * @returns {EmbedOptions}
 */
export function readOptions(attr, moduleUrl) {
  const limit = Number.parseInt(attr('data-limit') ?? '', 10);
  const server = attr('data-server');
  return {
    story: (attr('story') ?? '').trim(),
    lang: attr('lang') || null,
    server: (server && normaliseServer(server.trim())) || serverFromModuleUrl(moduleUrl),
    limit: Number.isInteger(limit) && limit >= 1 ? Math.min(limit, MAX_LIMIT) : DEFAULT_LIMIT,
    keyEventsOnly: flag(attr('data-key-events-only')),
    order: (attr('data-order') ?? '').trim().toLowerCase() === 'oldest' ? 'oldest' : 'newest',
    noTitle: flag(attr('data-no-title')),
  };
}

// ---------------------------------------------------------------------------
// What the stream shows
// ---------------------------------------------------------------------------

/**
 * The loaded entries the stream may show, newest first: all of them, or
 * only the key events.
 * @param {object[]} ordered  the client state's `ordered` (newest first)
 * @param {boolean} keyEventsOnly
 */
export function candidates(ordered, keyEventsOnly) {
  return keyEventsOnly ? ordered.filter((e) => e.key_event) : ordered;
}

/**
 * The stream shows the candidates from the newest down to a floor (a
 * created_seq): entries that arrive live are above it and always shown; the
 * floor only moves down, by `limit` entries per "load older".
 *
 * lowerFloor answers the floor that shows `count` more candidates below
 * `floor`, with what is loaded: `done` when that many were there, or when
 * nothing older exists on the server (`hasMore` false: the floor is then
 * -Infinity, everything shown). Otherwise every loaded candidate is shown
 * (the floor goes down to the oldest loaded entry) and the caller fetches an
 * older page and asks again.
 * @param {object[]} cands    candidates(), newest first
 * @param {number} floor      the current floor (Infinity before the first)
 * @param {number} count
 * @param {boolean} hasMore   older entries exist on the server
 * @param {number|null} loadedFloor  created_seq of the oldest loaded entry (the state's nextBefore)
 * @returns {{floor: number, done: boolean}}
 */
export function lowerFloor(cands, floor, count, hasMore, loadedFloor) {
  const below = cands.filter((e) => e.created_seq < floor);
  if (below.length >= count) return { floor: below[count - 1].created_seq, done: true };
  if (!hasMore) return { floor: -Infinity, done: true };
  return { floor: Math.min(floor, loadedFloor ?? -Infinity), done: false };
}

/**
 * The entries the stream shows, newest first.
 * @param {object[]} cands
 * @param {number} floor
 */
export function shownEntries(cands, floor) {
  return cands.filter((e) => e.created_seq >= floor);
}

/**
 * Whether "load older" has anything to show: loaded candidates below the
 * floor, or older entries on the server.
 * @param {object[]} cands
 * @param {number} floor
 * @param {boolean} hasMore
 */
export function hasOlder(cands, floor, hasMore) {
  return hasMore || cands.some((e) => e.created_seq < floor);
}

// ---------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------

/**
 * A root-relative URL ("/media/…", as render.js writes uploaded pictures) made
 * absolute against the liveblog server; any other URL (already absolute,
 * "#anchor", "//host/…") is returned as it is.
 * @param {string} url
 * @param {string} server  no trailing slash; may carry a path prefix
 */
export function resolveAgainstServer(url, server) {
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') ? server + url : url;
}

/**
 * The same for every candidate of a srcset ("/media/a/320.webp 320w, …").
 * @param {string} srcset
 * @param {string} server
 */
export function resolveSrcset(srcset, server) {
  return srcset.split(',').map((part) => {
    const m = /^(\s*)(\S+)(.*)$/s.exec(part);
    return m ? m[1] + resolveAgainstServer(m[2], server) + m[3] : part;
  }).join(',');
}
