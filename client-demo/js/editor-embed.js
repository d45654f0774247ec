// Editor console: an embed block's address and its card. When the editor
// enters a post's address (on leaving the field, or "Récupérer la carte"),
// the server captures the post once (POST /api/embeds: provider, author,
// text, date, a re-hosted thumbnail) and answers the block to publish; the
// block keeps that card, shown here as readers will see it (render.js).
// No card (an unknown site, a provider that failed): the plain link card is
// published, and the editor is told why.

import { h } from "./editor-dom.js";
import { renderBlock } from "./render.js";
import { blockToWire, cleanSingle, isHttpUrl } from "./editor-content.js";

const EMBED_ERROR_TEXT = {
  invalid_content: "adresse refusée par le serveur",
  unauthorized: "vous n’êtes plus connecté·e",
  token_expired: "le jeton a expiré",
  csrf_failed: "la session doit être rafraîchie : rechargez la page",
  overloaded: "le serveur est trop occupé : réessayez dans un instant",
};

/**
 * POST /api/embeds {url}: resolves to {block, resolved, problem?}; rejects
 * with {code, message}.
 */
export async function fetchEmbed(url, headers) {
  let res;
  try {
    res = await fetch("/api/embeds", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...headers },
      body: JSON.stringify({ url }),
    });
  } catch {
    throw Object.assign(new Error("connexion impossible"), { code: "network" });
  }
  const body = await res.json().catch(() => null);
  if (!res.ok || !body?.block) {
    throw Object.assign(new Error(body?.error?.message || `HTTP ${res.status}`), body?.error || { code: `HTTP ${res.status}` });
  }
  return body;
}

export class EmbedCardField {
  /**
   * @param {object} block  the composer's embed model (url, card, cardUrl), edited in place
   * @param {{id: string, authHeaders: () => Record<string,string>, onChange: (kind: string) => void}} opts
   */
  constructor(block, opts) {
    this.block = block;
    this.opts = opts;
    this.requested = null; // the URL whose card is being fetched
    const id = opts.id;
    this.input = h("input", {
      type: "url", id, inputmode: "url", spellcheck: "false", autocomplete: "off",
      "aria-describedby": `${id}-hint ${id}-status ${id}-err`,
      oninput: (ev) => {
        block.url = ev.target.value;
        ev.target.removeAttribute("aria-invalid");
        this.errorLine.textContent = "";
        this.onChanged();
      },
      // Leaving the field with a new address fetches its card.
      onchange: () => this.fetchCard(false),
    });
    this.input.value = block.url || "";
    this.button = h("button", { type: "button", class: "btn btn-small", text: "Récupérer la carte", onclick: () => this.fetchCard(true) });
    this.status = h("p", { class: "hint embed-status", id: `${id}-status`, role: "status" });
    this.errorLine = h("p", { class: "field-error", id: `${id}-err` });
    this.preview = h("div", { class: "entry-body embed-preview" });
    this.root = h("div", { class: "field embed-field" },
      h("label", { for: id, text: "Adresse de la publication ou du lien (https://…)" }),
      h("div", { class: "row embed-row" }, this.input, this.button),
      h("p", { class: "hint", id: `${id}-hint`,
        text: "Une publication de réseau social (X, Bluesky, Mastodon, YouTube…) devient une carte capturée une fois pour toutes ; sinon, un lien simple." }),
      this.status,
      this.errorLine,
      this.preview);
    this.showCard();
  }

  get element() {
    return this.root;
  }

  onChanged() {
    this.showCard();
    this.opts.onChange("input");
  }

  /** The card held matches the address in the field (blockToWire sends it only then). */
  hasCurrentCard() {
    return !!blockToWire(this.block).card;
  }

  showCard() {
    const wire = blockToWire(this.block);
    if (wire.card) {
      this.status.textContent = `Carte ${wire.card.provider} capturée : c’est elle que les lecteurs verront.`;
      this.preview.replaceChildren(renderBlock(wire, document) || "");
    } else {
      if (this.block.card && this.requested === null) this.status.textContent = "Adresse changée : récupérez la carte de la nouvelle adresse.";
      this.preview.replaceChildren();
    }
  }

  async fetchCard(explicit) {
    const url = cleanSingle(this.block.url);
    if (!url) return;
    if (!isHttpUrl(url)) {
      if (explicit) this.errorLine.textContent = "Donnez une adresse http(s)://… valide.";
      return;
    }
    if (!explicit && (this.hasCurrentCard() || this.requested === url || this.block.triedUrl === url)) return;
    this.requested = url;
    this.errorLine.textContent = "";
    this.status.textContent = "Récupération de la carte…";
    this.button.disabled = true;
    try {
      const answer = await fetchEmbed(url, this.opts.authHeaders());
      if (cleanSingle(this.block.url) !== url) return; // the address changed meanwhile
      const block = answer.block;
      this.block.triedUrl = url;
      if (answer.resolved && block.card) {
        this.block.card = block.card;
        this.block.cardUrl = block.url;
        if (block.url !== this.block.url) this.input.value = this.block.url = block.url;
        this.showCard();
      } else {
        this.block.card = null;
        this.block.cardUrl = "";
        this.showCard();
        this.status.textContent = `Pas de carte${answer.problem ? ` (${answer.problem})` : ""} : le lien simple sera publié.`;
      }
      this.opts.onChange("structure");
    } catch (err) {
      if (cleanSingle(this.block.url) !== url) return;
      this.status.textContent = "";
      this.errorLine.textContent = `Carte non récupérée (${err.code || "erreur"}) : ${EMBED_ERROR_TEXT[err.code] || err.message}. Le lien simple sera publié si vous envoyez quand même.`;
    } finally {
      if (this.requested === url) this.requested = null;
      this.button.disabled = false;
    }
  }
}
