// The entry being composed: block model, conversion to and from the wire
// blocks of docs/protocol.md, client-side checks that mirror the server's
// content rules (the server stays the judge), and idempotency keys.

export const LIMITS = {
  maxBlocks: 50,
  maxTextBytes: 20000, // text, heading, quote, caption
  maxShortBytes: 500, // title, cite, alt, credit, list item
  maxListItems: 50,
  maxUrlBytes: 2048,
  maxSummaryBytes: 2000,
};

export const BLOCK_TYPES = ["text", "heading", "quote", "image", "embed", "list"];

export const BLOCK_LABELS = {
  text: "Texte",
  heading: "Intertitre",
  quote: "Citation",
  image: "Image",
  embed: "Lien intégré",
  list: "Liste",
};

const encoder = new TextEncoder();
export const byteLength = (s) => encoder.encode(s).length;

/** A v4 UUID; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newKey() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") {
    try { return crypto.randomUUID(); } catch { /* insecure context */ }
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

let uidCounter = 0;
const uid = () => `b${Date.now().toString(36)}${(uidCounter++).toString(36)}`;

// ---------------------------------------------------------------------------
// Blocks: one flat model per block (every field present, so switching the
// composer's view never loses text), converted to the wire shape on send.
// ---------------------------------------------------------------------------

export function newBlock(type = "text") {
  return {
    uid: uid(), type, text: "", cite: "", src: "", alt: "", caption: "", credit: "", url: "", items: "",
    // An uploaded image (image blocks): its id and the size the server gave for it.
    media: "", mediaInfo: null,
    // The intrinsic size an external src came with, kept while that src is unchanged.
    srcSize: null,
    // An embed's card (POST /api/embeds) and the URL it was captured for:
    // once the URL is edited the card no longer describes it and is not sent.
    card: null, cardUrl: "",
  };
}

const MEDIA_ID = /^[0-9a-f]{32}$/;
const isPositiveInt = (v) => Number.isInteger(v) && v > 0;

/** Fills the image fields of a model (a block, or the story's lead image) from the wire. */
export function imageFromWire(image, m) {
  for (const key of ["src", "alt", "caption", "credit"]) m[key] = typeof image?.[key] === "string" ? image[key] : "";
  m.media = typeof image?.media === "string" ? image.media : "";
  m.mediaInfo = null;
  m.srcSize = null;
  const sized = isPositiveInt(image?.width) && isPositiveInt(image?.height);
  if (m.media) {
    const widths = Array.isArray(image.widths) ? image.widths.filter(isPositiveInt) : [];
    m.mediaInfo = { width: sized ? image.width : 0, height: sized ? image.height : 0, widths };
  } else if (sized) {
    m.srcSize = { src: m.src, width: image.width, height: image.height };
  }
  return m;
}

export function blockFromWire(block) {
  const m = newBlock(block.type);
  for (const key of ["text", "cite", "url"]) {
    if (typeof block[key] === "string") m[key] = block[key];
  }
  if (block.type === "image") imageFromWire(block, m);
  if (Array.isArray(block.items)) m.items = block.items.join("\n");
  // A published card is kept as it was captured: editing the entry does not fetch it again.
  if (block.type === "embed" && block.card && typeof block.card === "object") {
    m.card = JSON.parse(JSON.stringify(block.card));
    m.cardUrl = m.url;
  }
  return m;
}

// Control characters are refused by the server; newline and tab only in
// multi-line fields. Pasted text sometimes carries them invisibly.
const CONTROLS_MULTI = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const CONTROLS_SINGLE = /[\u0000-\u001f\u007f-\u009f]/g;

function cleanMulti(s) {
  return (s || "").replace(/\r\n?/g, "\n").replace(CONTROLS_MULTI, "").trim();
}
function cleanSingle(s) {
  return (s || "").replace(/[\r\n\t]+/g, " ").replace(CONTROLS_SINGLE, "").trim();
}

export function blockToWire(m) {
  switch (m.type) {
    case "text":
    case "heading":
      return { type: m.type, text: cleanMulti(m.text) };
    case "quote": {
      const out = { type: "quote", text: cleanMulti(m.text) };
      const cite = cleanSingle(m.cite);
      if (cite) out.cite = cite;
      return out;
    }
    case "image":
      return { type: "image", ...imageToWire(m) };
    case "embed": {
      const out = { type: "embed", url: cleanSingle(m.url) };
      if (m.card && m.cardUrl && cleanSingle(m.cardUrl) === out.url) out.card = m.card;
      return out;
    }
    case "list":
      return { type: "list", items: (m.items || "").split("\n").map(cleanSingle).filter(Boolean) };
    default:
      return { type: m.type };
  }
}

/**
 * An image model as the wire wants it, without `type` (an image block's
 * fields, or the story's lead_image): the upload's `media` with the size the
 * server gave (it sets them again itself), else `src` with the size it came
 * with while unchanged.
 */
export function imageToWire(m) {
  const out = {};
  if (m.media) {
    out.media = m.media;
  } else {
    out.src = cleanSingle(m.src);
  }
  out.alt = cleanSingle(m.alt);
  const caption = cleanMulti(m.caption);
  const credit = cleanSingle(m.credit);
  if (caption) out.caption = caption;
  if (credit) out.credit = credit;
  const info = m.media ? m.mediaInfo : m.srcSize && m.srcSize.src === out.src ? m.srcSize : null;
  if (info && isPositiveInt(info.width) && isPositiveInt(info.height)) {
    out.width = info.width;
    out.height = info.height;
  }
  if (m.media && info && Array.isArray(info.widths) && info.widths.length) out.widths = [...info.widths];
  return out;
}

/** Whether an image model names an image at all (an upload, or an address typed). */
export function hasImage(m) {
  return !!(m.media || cleanSingle(m.src));
}

/**
 * JSON with every object's keys sorted: the server stores objects with
 * sorted keys, so comparing this way tells equal content apart from equal
 * text in another key order.
 */
export function canonicalJson(value) {
  return JSON.stringify(value, (_key, v) => (v && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
    : v));
}

export { cleanSingle, cleanMulti };

// ---------------------------------------------------------------------------
// Drafts
// ---------------------------------------------------------------------------

/**
 * A draft is what the composer holds; it is saved to localStorage as is.
 * `key` is the post_entry idempotency key, made once per draft and kept until
 * the server acknowledged it. An edit draft also has `entry_id`,
 * `base_version` (the expected_version to send) and `base` (the entry as
 * loaded). `pending`: a send was started and not answered yet.
 */
export function newDraft() {
  return { key: newKey(), title: "", key_event: false, pinned: false, blocks: [newBlock("text")], pending: false };
}

export function draftFromEntry(entry) {
  return {
    key: newKey(),
    entry_id: entry.id,
    base_version: entry.version,
    base: entry,
    title: entry.title || "",
    key_event: !!entry.key_event,
    pinned: !!entry.pinned,
    blocks: (entry.blocks || []).map(blockFromWire),
    pending: false,
  };
}

/** The entry fields of a draft as the server wants them (title omitted when empty). */
export function draftContent(draft) {
  const out = { blocks: draft.blocks.map(blockToWire), key_event: !!draft.key_event };
  const title = cleanSingle(draft.title);
  if (title) out.title = title;
  return out;
}

/** Whether an entry (from the feed) already holds the draft's content. */
export function sameContent(draft, entry) {
  if (!entry) return false;
  const mine = draftContent(draft);
  return (
    canonicalJson(mine.blocks) === canonicalJson(entry.blocks || []) &&
    (mine.title || "") === (entry.title || "") &&
    mine.key_event === !!entry.key_event
  );
}

export function isDraftEmpty(draft) {
  if (!draft) return true;
  if (cleanSingle(draft.title)) return false;
  return draft.blocks.every((b) => {
    const w = blockToWire(b);
    return Object.entries(w).every(([k, v]) => k === "type" || (Array.isArray(v) ? v.length === 0 : !v));
  });
}

// ---------------------------------------------------------------------------
// Checks. Paths use the server's notation ("blocks[2].src") so that client
// and server complaints are shown the same way.
// ---------------------------------------------------------------------------

export function isHttpUrl(url) {
  const m = /^https?:\/\//i.exec(url);
  if (!m) return false;
  // Quotes, brackets, backslash, backtick, spaces of any kind, controls, invisibles.
  if (/["<>\\`\s\u0000-\u001f\u007f-\u009f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/u.test(url)) return false;
  const rest = url.slice(m[0].length);
  const authority = rest.split(/[/?#]/)[0];
  if (!authority || authority.includes("@")) return false;
  let hostPart = authority;
  let portPart = "";
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close <= 1 || !/^[0-9a-fA-F:.]+$/.test(authority.slice(1, close))) return false;
    portPart = authority.slice(close + 1);
    hostPart = null;
  } else {
    const colon = authority.indexOf(":");
    if (colon >= 0) {
      hostPart = authority.slice(0, colon);
      portPart = authority.slice(colon);
    }
  }
  if (hostPart !== null) {
    if (!/^[A-Za-z0-9.\-_\u0080-\u{10FFFF}]+$/u.test(hostPart)) return false;
    if (!/[A-Za-z0-9\u0080-\u{10FFFF}]/u.test(hostPart)) return false;
  }
  if (portPart) {
    if (!/^:\d{1,5}$/.test(portPart) || Number(portPart.slice(1)) > 65535) return false;
  }
  return byteLength(url) <= LIMITS.maxUrlBytes;
}

/**
 * The checks of an image's fields (a block at `p` = "blocks[2]", or the
 * story's "lead_image"), on its wire form. Alt text is required: the page
 * gives it to whoever cannot see the image, and the server refuses without it.
 */
export function checkImage(p, b, add) {
  if (b.media !== undefined) {
    if (!MEDIA_ID.test(b.media)) add(`${p}.media`, "identifiant d’image invalide : envoyez l’image à nouveau");
  } else if (!b.src) {
    add(`${p}.src`, "choisissez une image : envoyez un fichier ou donnez son adresse");
  } else if (!isHttpUrl(b.src)) {
    add(`${p}.src`, "doit être une adresse http(s)://… valide, sans espace");
  }
  if (!b.alt) add(`${p}.alt`, "texte alternatif obligatoire : décrivez l’image pour qui ne la voit pas");
  else if (byteLength(b.alt) > LIMITS.maxShortBytes) add(`${p}.alt`, `${LIMITS.maxShortBytes} octets au plus`);
  if (b.caption && byteLength(b.caption) > LIMITS.maxTextBytes) add(`${p}.caption`, `${LIMITS.maxTextBytes} octets au plus`);
  if (b.credit && byteLength(b.credit) > LIMITS.maxShortBytes) add(`${p}.credit`, `${LIMITS.maxShortBytes} octets au plus`);
}

export function validateDraft(draft) {
  const errors = [];
  const add = (path, message) => errors.push({ path, message });
  const content = draftContent(draft);
  if (content.title && byteLength(content.title) > LIMITS.maxShortBytes) add("title", `${LIMITS.maxShortBytes} octets au plus`);
  if (content.blocks.length === 0) add("blocks", "ajoutez au moins un bloc");
  if (content.blocks.length > LIMITS.maxBlocks) add("blocks", `${LIMITS.maxBlocks} blocs au plus`);
  const needText = (path, value, max) => {
    if (!value) add(path, "ne doit pas être vide");
    else if (byteLength(value) > max) add(path, `${max} octets au plus`);
  };
  const maxBytes = (path, value, max) => {
    if (value && byteLength(value) > max) add(path, `${max} octets au plus`);
  };
  const needUrl = (path, value) => {
    if (!value) add(path, "adresse obligatoire");
    else if (!isHttpUrl(value)) add(path, "doit être une adresse http(s)://… valide, sans espace");
  };
  content.blocks.forEach((b, i) => {
    const p = `blocks[${i}]`;
    switch (b.type) {
      case "text":
      case "heading":
        needText(`${p}.text`, b.text, LIMITS.maxTextBytes);
        break;
      case "quote":
        needText(`${p}.text`, b.text, LIMITS.maxTextBytes);
        maxBytes(`${p}.cite`, b.cite, LIMITS.maxShortBytes);
        break;
      case "image":
        checkImage(p, b, add);
        break;
      case "embed":
        needUrl(`${p}.url`, b.url);
        break;
      case "list":
        if (b.items.length === 0) add(`${p}.items`, "au moins un élément");
        else if (b.items.length > LIMITS.maxListItems) add(`${p}.items`, `${LIMITS.maxListItems} éléments au plus`);
        for (const item of b.items) maxBytes(`${p}.items`, item, LIMITS.maxShortBytes);
        break;
    }
  });
  return errors;
}

/** "blocks[2].items[1]: must not be empty" → {block: 2, field: "items", message}. */
export function parseErrorPath(message) {
  const m = /^(title|blocks)(?:\[(\d+)\])?(?:\.([a-z_]+))?(?:\[\d+\])?\s*:?\s*(.*)$/s.exec(message || "");
  if (!m) return null;
  if (m[1] === "title") return { block: null, field: "title", message: m[4] };
  return { block: m[2] !== undefined ? Number(m[2]) : null, field: m[3] || null, message: m[4] };
}
