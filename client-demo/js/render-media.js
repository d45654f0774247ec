/**
 * render-media.js — the pictures and story furniture of render.js: image
 * blocks (an uploaded `media` as a <picture> over its stored widths, or an
 * external `src`), embed cards, the story's lead image and its related
 * links. The markup is the server's (server/http/page_renderer.cpp), byte
 * for byte, so live updates look like the server-rendered page.
 *
 * Same safety rule as render.js: user text reaches the DOM only through text
 * nodes and setAttribute; URLs are re-checked as http(s) before they become
 * `href` or `src`, and media ids must be 32 lowercase hex digits before they
 * become a /media/ path.
 *
 * render.js imports this module and re-exports its public functions; this
 * module imports render.js's URL and inline helpers back. The cycle is safe:
 * only function declarations cross it, and none is called while the modules
 * load. Only createElement, createTextNode, setAttribute and appendChild are
 * used, so the module also runs under the tests' fake DOM.
 *
 * @module render-media
 */

import { appendInline, displayHost, isHttpUrl } from './render.js';

/** The page column as the browser sees it: what `sizes` tells it to pick a width for. */
export const IMAGE_SIZES = '(min-width: 44rem) 42rem, calc(100vw - 2rem)';

const MEDIA_ID = /^[0-9a-f]{32}$/;
const LINK_REL = 'nofollow noopener noreferrer';
// The <img src> fallback (browsers without srcset): a width a phone or a
// desktop column can both use without a huge download.
const FALLBACK_MAX_WIDTH = 1024;

const isPositiveInteger = (v) => Number.isInteger(v) && v > 0;
const str = (v) => (typeof v === 'string' ? v : '');
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The stored widths of an uploaded image (ascending, as the server listed
 * them), or null when `image` does not name one usably: its `media` is not
 * 32 lowercase hex digits, or `widths` is not a non-empty array of positive
 * integers.
 * @param {unknown} image  an image block, a lead image or a card thumbnail
 * @returns {number[]|null}
 */
export function mediaWidths(image) {
  if (!isObject(image) || typeof image.media !== 'string' || !MEDIA_ID.test(image.media)) return null;
  const widths = image.widths;
  return Array.isArray(widths) && widths.length > 0 && widths.every(isPositiveInteger) ? widths : null;
}

/**
 * "/media/ID/640.webp". Precondition: mediaWidths(...) accepted the id.
 * @param {string} id
 * @param {number} width
 * @param {'webp'|'jpg'} ext
 */
export function mediaUrl(id, width, ext) {
  return `/media/${id}/${width}.${ext}`;
}

/** The largest width at most 1024, else the smallest. */
export function fallbackWidth(widths) {
  let best = null;
  for (const w of widths) if (w <= FALLBACK_MAX_WIDTH && (best === null || w > best)) best = w;
  return best ?? Math.min(...widths);
}

function srcset(id, widths, ext) {
  return widths.map((w) => `${mediaUrl(id, w, ext)} ${w}w`).join(', ');
}

// The intrinsic size reserves the image's space before it loads (no layout
// shift); only when both sides are known.
function setSize(img, image) {
  if (isPositiveInteger(image.width) && isPositiveInteger(image.height)) {
    img.setAttribute('width', String(image.width));
    img.setAttribute('height', String(image.height));
  }
}

// Entries load lazily; the lead image is the page's largest paint, so it is
// fetched first instead (fetchpriority="high" takes loading="lazy"'s place).
function setLoading(img, priority) {
  img.setAttribute(priority ? 'fetchpriority' : 'loading', priority ? 'high' : 'lazy');
  img.setAttribute('decoding', 'async');
}

/**
 * <picture><source type="image/webp" srcset sizes><img src srcset sizes alt
 * [width height] loading decoding></picture> for an uploaded image; null when
 * `image` names none usably (mediaWidths).
 * @param {object} image
 * @param {string} alt
 * @param {Document} d
 * @param {boolean} [priority]  the lead image: fetchpriority="high", not lazy
 * @returns {Element|null}
 */
export function renderPicture(image, alt, d, priority = false) {
  const widths = mediaWidths(image);
  if (!widths) return null;
  const id = image.media;
  const picture = d.createElement('picture');
  const source = d.createElement('source');
  source.setAttribute('type', 'image/webp');
  source.setAttribute('srcset', srcset(id, widths, 'webp'));
  source.setAttribute('sizes', IMAGE_SIZES);
  picture.appendChild(source);
  const img = d.createElement('img');
  img.setAttribute('src', mediaUrl(id, fallbackWidth(widths), 'jpg'));
  img.setAttribute('srcset', srcset(id, widths, 'jpg'));
  img.setAttribute('sizes', IMAGE_SIZES);
  img.setAttribute('alt', alt);
  setSize(img, image);
  setLoading(img, priority);
  picture.appendChild(img);
  return picture;
}

// The pixels of an image: the upload's <picture>, else an <img> of an
// http(s) `src` (anything else, javascript: or data:, is dropped), else null.
function imageNode(image, d, priority) {
  const alt = str(image.alt);
  const picture = renderPicture(image, alt, d, priority);
  if (picture) return picture;
  const src = str(image.src);
  if (!isHttpUrl(src)) return null;
  const img = d.createElement('img');
  img.setAttribute('src', src);
  img.setAttribute('alt', alt);
  setSize(img, image);
  setLoading(img, priority);
  return img;
}

/**
 * <figure[ class]> pixels, then <figcaption>caption (inline marks) <span
 * class="credit">credit</span></figcaption> when either is there. An image
 * with no usable pixels keeps its caption (as the server does).
 * @param {object} image   an image block or a lead image (no `type`)
 * @param {Document} d
 * @param {{className?: string, priority?: boolean}} [options]
 */
export function renderImageFigure(image, d, options = {}) {
  const fig = d.createElement('figure');
  if (options.className) fig.setAttribute('class', options.className);
  const pixels = imageNode(image, d, !!options.priority);
  if (pixels) fig.appendChild(pixels);
  const caption = str(image.caption);
  const credit = str(image.credit);
  if (caption || credit) {
    const cap = appendInline(d.createElement('figcaption'), caption, d);
    if (credit) {
      if (caption) cap.appendChild(d.createTextNode(' '));
      const span = d.createElement('span');
      span.setAttribute('class', 'credit');
      span.appendChild(d.createTextNode(credit));
      cap.appendChild(span);
    }
    fig.appendChild(cap);
  }
  return fig;
}

function textSpan(d, className, text) {
  const span = d.createElement('span');
  span.setAttribute('class', className);
  span.appendChild(d.createTextNode(text));
  return span;
}

function link(d, className, href) {
  const a = d.createElement('a');
  if (className) a.setAttribute('class', className);
  a.setAttribute('href', href);
  a.setAttribute('rel', LINK_REL);
  return a;
}

// A line with nothing but ASCII white space shows nothing: it is skipped.
const BLANK_LINE = /^[ \t\r\n\f\v]*$/;

/**
 * An embed block's captured card, a static figure that loads nothing from
 * the provider: <figure class="embed-card"> [thumbnail link] [<blockquote
 * cite> one <p> per line of the post's text (or its title), plain text, no
 * marks] <figcaption>[author] provider <a class="embed-link">date or
 * host</a></figcaption></figure>.
 * Returns null when the block has no usable card (no object card, an empty
 * provider, or a URL that is not http(s)): the caller renders the link card.
 * The card's author_url is never rendered (the author is plain text).
 * @param {object} block
 * @param {Document} d
 * @returns {Element|null}
 */
export function renderEmbedCard(block, d) {
  const url = str(block && block.url);
  const card = block ? block.card : null;
  if (!isHttpUrl(url) || !isObject(card) || !str(card.provider)) return null;
  const fig = d.createElement('figure');
  fig.setAttribute('class', 'embed-card');

  // The thumbnail repeats the link below: out of the tab order and hidden
  // from screen readers, so the card is announced once.
  const thumb = isObject(card.thumbnail) ? renderPicture(card.thumbnail, '', d) : null;
  if (thumb) {
    const a = link(d, 'embed-thumb', url);
    a.setAttribute('tabindex', '-1');
    a.setAttribute('aria-hidden', 'true');
    a.appendChild(thumb);
    fig.appendChild(a);
  }

  const text = str(card.text) || str(card.title);
  if (text) {
    const quote = d.createElement('blockquote');
    quote.setAttribute('cite', url);
    for (const line of text.split('\n')) {
      if (BLANK_LINE.test(line)) continue;
      const p = d.createElement('p');
      p.appendChild(d.createTextNode(line));
      quote.appendChild(p);
    }
    fig.appendChild(quote);
  }

  const cap = d.createElement('figcaption');
  const author = str(card.author);
  if (author) {
    cap.appendChild(textSpan(d, 'embed-author', author));
    cap.appendChild(d.createTextNode(' '));
  }
  cap.appendChild(textSpan(d, 'embed-provider', card.provider));
  cap.appendChild(d.createTextNode(' '));
  const original = link(d, 'embed-link', url);
  original.appendChild(d.createTextNode(str(card.date) || displayHost(url)));
  cap.appendChild(original);
  fig.appendChild(cap);
  return fig;
}

/**
 * The story's lead image as the page shows it inside #story-lead:
 * <figure class="lead-image"> pixels (fetchpriority="high") and caption
 * </figure>; null when the story has none.
 * @param {object|null|undefined} lead  the story's lead_image
 * @param {Document} [doc]
 * @returns {Element|null}
 */
export function renderLeadImage(lead, doc) {
  if (!isObject(lead)) return null;
  return renderImageFigure(lead, doc || globalThis.document, { className: 'lead-image', priority: true });
}

/**
 * The list inside <aside id="related">: <ul><li><a href="URL">TITLE</a></li>…</ul>.
 * Editorial links, followed as any link of the page (no rel). A link whose
 * URL is not http(s) is left out (the server never stores one).
 * @param {unknown} related  the story's related links
 * @param {Document} [doc]
 * @returns {Element}  the <ul>, empty when there are none
 */
export function renderRelatedList(related, doc) {
  const d = doc || globalThis.document;
  const ul = d.createElement('ul');
  for (const item of Array.isArray(related) ? related : []) {
    if (!isObject(item) || !isHttpUrl(item.url)) continue;
    const li = d.createElement('li');
    const a = d.createElement('a');
    a.setAttribute('href', item.url);
    a.appendChild(d.createTextNode(str(item.title)));
    li.appendChild(a);
    ul.appendChild(li);
  }
  return ul;
}
