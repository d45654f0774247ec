// Renders blocks for the console's live preview and its entries list with
// the reader page's own renderer (./render.js), so the preview is exactly
// what readers get. render.js builds DOM nodes; text is never parsed as HTML.

import { renderBlock } from "./render.js";

/** Kept for the console's start-up: resolves to the name of the renderer in use. */
export function loadRenderer() {
  return Promise.resolve("render.js");
}

/** A fragment with the rendered blocks. */
export function renderBlocks(blocks) {
  const frag = document.createDocumentFragment();
  for (const block of blocks) frag.append(renderBlock(block, document));
  return frag;
}
