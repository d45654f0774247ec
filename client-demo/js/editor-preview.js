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
  for (const block of blocks) {
    const node = renderBlock(block, document);
    if (node) frag.append(node); // a block that renders as nothing (an empty address) shows nothing
  }
  return frag;
}
