// Renders blocks for the live preview and the entries list. Uses the reader
// page's renderer (./render.js) when it is there and exports a block
// renderer, so the preview looks like what readers get; otherwise a safe
// renderer of our own. Both build DOM nodes; text is never parsed as HTML.

import { h } from "./editor-dom.js";
import { isHttpUrl, byteLength } from "./editor-content.js";

let external = null; // renderBlock(block, doc) → Node, from render.js
let loaded = null;

/** Loads ./render.js once; resolves to the name of the renderer in use. */
export function loadRenderer() {
  if (!loaded) {
    loaded = import("./render.js")
      .then((mod) => {
        if (typeof mod.renderBlock === "function") {
          external = mod.renderBlock;
          return "render.js";
        }
        return "interne";
      })
      .catch(() => "interne");
  }
  return loaded;
}

/** A fragment with the rendered blocks. */
export function renderBlocks(blocks) {
  const frag = document.createDocumentFragment();
  for (const block of blocks) frag.append(renderBlock(block));
  return frag;
}

/** One block: render.js's (same markup as the reader page) or ours if it is missing or fails. */
export function renderBlock(block) {
  if (external) {
    try {
      const node = external(block, document);
      if (node instanceof Node) return node;
    } catch (err) {
      console.warn("render.js renderBlock failed, using the built-in preview", err);
    }
  }
  return fallbackBlock(block);
}

// ---------------------------------------------------------------------------
// Built-in renderer
// ---------------------------------------------------------------------------

function fallbackBlock(block) {
  switch (block.type) {
    case "text":
      return h("p", { class: "lb-text" }, inline(block.text || ""));
    case "heading":
      return h("h4", { class: "lb-heading" }, inline(block.text || ""));
    case "quote":
      return h("blockquote", { class: "lb-quote" },
        h("p", null, inline(block.text || "")),
        block.cite ? h("footer", null, "— ", h("cite", { text: block.cite })) : null);
    case "image": {
      const img = h("img", { alt: block.alt || "", loading: "lazy", referrerpolicy: "no-referrer", decoding: "async" });
      if (isHttpUrl(block.src || "")) img.setAttribute("src", block.src);
      const caption = block.caption || block.credit
        ? h("figcaption", null,
            block.caption ? inline(block.caption) : null,
            block.credit ? h("span", { class: "lb-credit", text: ` © ${block.credit}` }) : null)
        : null;
      return h("figure", { class: "lb-image" }, img, caption);
    }
    case "embed": {
      const url = block.url || "";
      let host = url;
      try { host = new URL(url).host; } catch { /* shown as typed */ }
      const card = h("p", { class: "lb-embed" }, h("span", { class: "lb-embed-host", text: host }), " ");
      if (isHttpUrl(url)) card.append(h("a", { href: url, rel: "nofollow noopener noreferrer", target: "_blank", text: url }));
      else card.append(h("span", { text: url }));
      return card;
    }
    case "list":
      return h("ul", { class: "lb-list" }, (block.items || []).map((item) => h("li", null, inline(item))));
    default:
      return h("p", { class: "lb-unknown", text: `[${block.type}]` });
  }
}

// ---------------------------------------------------------------------------
// Inline marks: **bold**, _italic_, [label](https://url). A port of the
// server's rules (server/http/html.cpp) so the preview agrees with the page:
// links first (a label holds no "[", the target runs to the balancing ")"
// and must be http(s)), then emphasis with word-boundary rules for "_".
// ---------------------------------------------------------------------------

function cpAt(s, i) {
  return i < s.length ? s.codePointAt(i) : 0;
}
function cpBefore(s, i) {
  if (i <= 0) return 0;
  const c = s.charCodeAt(i - 1);
  if (c >= 0xdc00 && c <= 0xdfff && i >= 2) {
    const hi = s.charCodeAt(i - 2);
    if (hi >= 0xd800 && hi <= 0xdbff) return s.codePointAt(i - 2);
  }
  return c;
}
function isSpace(cp) {
  return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp === 0xa0 || cp === 0x1680 || cp === 0x2028 ||
    cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000 || (cp >= 0x2000 && cp <= 0x200a);
}
function isWord(cp) {
  if (cp === 0) return false;
  if (cp < 0x80) return /[0-9A-Za-z_]/.test(String.fromCharCode(cp));
  if (isSpace(cp)) return false;
  if (cp >= 0xa1 && cp <= 0xbf) return false;
  if (cp === 0xd7 || cp === 0xf7) return false;
  if (cp >= 0x2010 && cp <= 0x205e) return false;
  if (cp >= 0x2e00 && cp <= 0x2e7f) return false;
  if (cp >= 0x3000 && cp <= 0x303f) return false;
  return true;
}

function findLinks(s) {
  const links = [];
  if (!s.includes("](")) return links;
  const closeOf = new Map();
  const stack = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "(") stack.push(i);
    else if (s[i] === ")" && stack.length) closeOf.set(stack.pop(), i);
  }
  let nextOpen = -1;
  let nextClose = -1;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "[") continue;
    if (nextClose === -1 || nextClose <= i) nextClose = s.indexOf("]", i + 1);
    if (nextClose === -1) break;
    if (nextOpen !== Infinity && (nextOpen === -1 || nextOpen <= i)) {
      nextOpen = s.indexOf("[", i + 1);
      if (nextOpen === -1) nextOpen = Infinity;
    }
    const labelEnd = nextClose;
    if (nextOpen < labelEnd || labelEnd === i + 1) continue;
    if (s[labelEnd + 1] !== "(") continue;
    const close = closeOf.get(labelEnd + 1);
    if (close === undefined) continue;
    const target = s.slice(labelEnd + 2, close);
    if (byteLength(target) > 2048 || !isHttpUrl(target)) continue;
    links.push({ open: i, labelEnd, close });
    i = close;
  }
  return links;
}

class CloserSearch {
  constructor() { this.searched = false; this.from = 0; this.found = -1; }
  find(from, end, isCloser) {
    if (this.searched && from >= this.from && (this.found === -1 || this.found >= from)) return this.found;
    this.searched = true;
    this.from = from;
    this.found = -1;
    for (let i = from; i < end; i++) {
      if (isCloser(i)) { this.found = i; break; }
    }
    return this.found;
  }
}

const BOLD = 1, ITALIC = 2, LINK = 4;

/** A fragment for one text field with its inline marks; newlines become <br>. */
export function inline(s) {
  const frag = document.createDocumentFragment();
  const links = findLinks(s);
  const inLink = links.length ? new Uint8Array(s.length) : null;
  for (const l of links) inLink.fill(1, l.open, l.close + 1);

  const literal = (parent, begin, end) => {
    if (end <= begin) return;
    const parts = s.slice(begin, end).split("\n");
    parts.forEach((part, k) => {
      if (k > 0) parent.append(document.createElement("br"));
      if (part) parent.append(document.createTextNode(part));
    });
  };
  const opensBold = (i, end) => {
    if (i + 2 >= end || s[i + 1] !== "*") return false;
    const next = cpAt(s, i + 2);
    return next !== 0x2a && !isSpace(next);
  };
  const closesBold = (i, end) => {
    if (i + 1 >= end || s[i] !== "*" || s[i + 1] !== "*") return false;
    const prev = cpBefore(s, i);
    return prev !== 0x2a && !isSpace(prev);
  };
  const opensItalic = (i, end) => {
    if (i + 1 >= end) return false;
    const next = cpAt(s, i + 1);
    return !isWord(cpBefore(s, i)) && next !== 0x5f && !isSpace(next);
  };
  const closesItalic = (i) => {
    if (s[i] !== "_") return false;
    const prev = cpBefore(s, i);
    return prev !== 0x5f && !isSpace(prev) && !isWord(cpAt(s, i + 1));
  };

  const render = (parent, begin, end, allowed, inLabel) => {
    const sameSide = (k) => !inLink || (inLink[k] === 1) === inLabel;
    const boldClosers = new CloserSearch();
    const italicClosers = new CloserSearch();
    let li = links.findIndex((l) => l.open >= begin);
    if (li === -1) li = links.length;
    let literalFrom = begin;
    let i = begin;
    while (i < end) {
      while (li < links.length && links[li].open < i) li++;
      const c = s[i];
      if (li < links.length && links[li].open === i && (allowed & LINK)) {
        const l = links[li++];
        literal(parent, literalFrom, i);
        const a = h("a", { href: s.slice(l.labelEnd + 2, l.close), rel: "nofollow noopener noreferrer", target: "_blank" });
        render(a, i + 1, l.labelEnd, allowed & ~LINK, true);
        parent.append(a);
        i = literalFrom = l.close + 1;
        continue;
      }
      if (c === "*" && (allowed & BOLD) && opensBold(i, end)) {
        const close = boldClosers.find(i + 3, end, (k) => closesBold(k, end) && sameSide(k));
        if (close !== -1) {
          literal(parent, literalFrom, i);
          const strong = document.createElement("strong");
          render(strong, i + 2, close, allowed & ~BOLD, inLabel);
          parent.append(strong);
          i = literalFrom = close + 2;
          continue;
        }
      } else if (c === "_" && (allowed & ITALIC) && opensItalic(i, end)) {
        const close = italicClosers.find(i + 2, end, (k) => closesItalic(k) && sameSide(k));
        if (close !== -1) {
          literal(parent, literalFrom, i);
          const em = document.createElement("em");
          render(em, i + 1, close, allowed & ~ITALIC, inLabel);
          parent.append(em);
          i = literalFrom = close + 1;
          continue;
        }
      }
      i++;
    }
    literal(parent, literalFrom, end);
  };
  render(frag, 0, s.length, BOLD | ITALIC | LINK, false);
  return frag;
}
