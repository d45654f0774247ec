// Editor console, story panel: the story's furniture, sent with the rest of
// the story form by update_story (docs/protocol.md, "Story"):
//
// - the lead image (lead_image): an upload or an address, alt text required,
//   caption and credit; "Retirer" sends lead_image: null;
// - the related links (related): up to 10 title + address rows, shown at the
//   end of the page under "À suivre aussi"; none sends related: [].
//
// The fields show the story as it is (snapshot, then every story.updated)
// whenever the form has no unsaved change. Only what differs from the story
// is sent, compared the way the server stores it (canonicalJson).

import { h } from "./editor-dom.js";
import { ImageSourceField } from "./editor-media.js";
import {
  LIMITS, byteLength, canonicalJson, checkImage, cleanSingle, hasImage, imageFromWire, imageToWire, isHttpUrl,
} from "./editor-content.js";

export const MAX_RELATED = 10;

const newLead = () => imageFromWire(null, { media: "", mediaInfo: null, src: "", srcSize: null, alt: "", caption: "", credit: "" });

export class StoryFurniture {
  /**
   * @param {{container: Element, form: HTMLFormElement, authHeaders: () => Record<string,string>}} opts
   *   container: where the fields go (inside the story form, before its buttons).
   */
  constructor({ container, form, authHeaders }) {
    this.form = form;
    this.authHeaders = authHeaders;
    this.lead = newLead();
    this.related = []; // [{title, url}] as typed
    this.leadBox = h("fieldset", { class: "furniture lead-fields", id: "story-lead-fields" });
    this.relatedBox = h("fieldset", { class: "furniture related-fields", id: "story-related-fields" });
    this.msg = h("p", { class: "field-error", id: "story-furniture-err", role: "alert" });
    container.replaceChildren(this.leadBox, this.relatedBox, this.msg);
    // What load() last showed, and whether the fields changed since: an
    // unchanged story is not shown again (every entry event re-renders the
    // story form; rebuilding these fields would drop the focus).
    this.loadedKey = null;
    this.edited = false;
    for (const box of [this.leadBox, this.relatedBox]) box.addEventListener("input", () => { this.edited = true; });
    this.renderLead();
    this.renderRelated();
  }

  // Tells the story form it has unsaved changes (its "input" listener),
  // also for changes no keystroke made (an upload, a removed row).
  touched() {
    this.edited = true;
    this.form.dispatchEvent(new Event("input", { bubbles: true }));
  }

  /** Shows the story's current lead image and related links. */
  load(story) {
    const key = canonicalJson([story?.id ?? null, story?.lead_image ?? null, story?.related ?? []]);
    if (key === this.loadedKey && !this.edited) return;
    this.loadedKey = key;
    this.edited = false;
    this.lead = imageFromWire(story?.lead_image || null, newLead());
    this.related = (Array.isArray(story?.related) ? story.related : []).map((l) => ({ title: l.title || "", url: l.url || "" }));
    this.msg.textContent = "";
    this.renderLead();
    this.renderRelated();
  }

  // -- lead image -------------------------------------------------------------

  renderLead() {
    const m = this.lead;
    const source = new ImageSourceField(m, {
      ids: { src: "story-lead-src", media: "story-lead-media" },
      authHeaders: this.authHeaders,
      onChange: (kind) => {
        this.touched();
        if (kind === "structure") this.updateLeadRemove();
      },
      onUploaded: () => {
        const alt = document.getElementById("story-lead-alt");
        if (alt && !alt.value.trim()) alt.focus();
      },
    });
    const text = (name, label, { multiline = false, optional = true } = {}) => {
      const id = `story-lead-${name}`;
      const control = h(multiline ? "textarea" : "input", {
        id, autocomplete: "off", "aria-describedby": `${id}-err`, ...(multiline ? { rows: 2 } : { type: "text" }),
        oninput: (ev) => {
          m[name] = ev.target.value;
          ev.target.removeAttribute("aria-invalid");
          document.getElementById(`${id}-err`).textContent = "";
          this.updateLeadRemove();
        },
      });
      control.value = m[name] || "";
      return h("div", { class: "field" },
        h("label", { for: id }, label, optional ? h("span", { class: "opt", text: " (facultatif)" }) : null),
        control,
        h("p", { class: "field-error", id: `${id}-err` }));
    };
    this.leadRemove = h("button", {
      type: "button", class: "btn btn-small btn-danger", id: "story-lead-remove", text: "Retirer l’image d’ouverture",
      onclick: () => {
        this.lead = newLead();
        this.renderLead();
        this.touched();
        document.getElementById("story-lead-media")?.focus();
      },
    });
    this.leadBox.replaceChildren(
      h("legend", null, "Image d’ouverture ", h("span", { class: "opt", text: "(facultatif)" })),
      h("p", { class: "hint", text: "Affichée sous le titre, en grand, et chargée en premier." }),
      source.element,
      text("alt", "Texte alternatif (obligatoire avec une image)", { optional: false }),
      text("caption", "Légende", { multiline: true }),
      text("credit", "Crédit"),
      this.leadRemove);
    source.attach(this.leadBox);
    this.updateLeadRemove();
  }

  updateLeadRemove() {
    const m = this.lead;
    this.leadRemove.hidden = !(hasImage(m) || cleanSingle(m.alt) || cleanSingle(m.caption) || cleanSingle(m.credit));
  }

  /** lead_image to send: null for none. */
  leadWire() {
    return hasImage(this.lead) ? imageToWire(this.lead) : null;
  }

  // -- related links ------------------------------------------------------------

  renderRelated(focus) {
    const rows = this.related.map((link, i) => {
      const field = (name, label, type) => {
        const id = `related-${i}-${name}`;
        const control = h("input", {
          id, type, autocomplete: "off", "aria-describedby": `${id}-err`,
          ...(type === "url" ? { inputmode: "url", spellcheck: "false" } : {}),
          oninput: (ev) => {
            link[name] = ev.target.value;
            ev.target.removeAttribute("aria-invalid");
            document.getElementById(`${id}-err`).textContent = "";
          },
        });
        control.value = link[name];
        return h("div", { class: "field grow" },
          h("label", { for: id, text: label }), control, h("p", { class: "field-error", id: `${id}-err` }));
      };
      return h("li", { class: "related-row" },
        field("title", `Titre du lien ${i + 1}`, "text"),
        field("url", `Adresse du lien ${i + 1} (https://…)`, "url"),
        h("button", {
          type: "button", class: "btn btn-small btn-danger", text: "Retirer", "aria-label": `Retirer le lien ${i + 1}`,
          onclick: () => {
            this.related.splice(i, 1);
            this.renderRelated(Math.min(i, this.related.length - 1));
            this.touched();
          },
        }));
    });
    const full = this.related.length >= MAX_RELATED;
    const add = h("button", {
      type: "button", class: "btn btn-small", id: "related-add", text: "+ Ajouter un lien", disabled: full,
      onclick: () => {
        if (this.related.length >= MAX_RELATED) return;
        this.related.push({ title: "", url: "" });
        this.renderRelated();
        this.touched();
        document.getElementById(`related-${this.related.length - 1}-title`)?.focus();
      },
    });
    this.relatedBox.replaceChildren(
      h("legend", null, "Liens « À suivre aussi » ", h("span", { class: "opt", text: `(${MAX_RELATED} au plus)` })),
      h("p", { class: "hint", text: "Listés en fin de page : autres directs, articles d’explication, live précédent." }),
      h("ol", { class: "related-rows", id: "related-rows" }, rows),
      add,
      h("p", { class: "hint", hidden: !full, text: `${MAX_RELATED} liens au plus atteints.` }));
    if (focus !== undefined) {
      (focus >= 0 ? this.relatedBox.querySelector(`#related-${focus}-title`) : add).focus();
    }
  }

  /** related to send: the rows with something typed in them. */
  relatedWire() {
    return this.related
      .map((l) => ({ title: cleanSingle(l.title), url: cleanSingle(l.url) }))
      .filter((l) => l.title || l.url);
  }

  // -- sending ------------------------------------------------------------------

  /**
   * Checks the fields; shows each problem next to its field. Returns the
   * first field to fix, or null when everything can be sent.
   */
  validate() {
    this.clearErrors();
    const errors = [];
    const add = (path, message) => errors.push({ path, message });
    const m = this.lead;
    if (hasImage(m)) {
      checkImage("lead_image", imageToWire(m), add);
    } else if (cleanSingle(m.alt) || cleanSingle(m.caption) || cleanSingle(m.credit)) {
      add("lead_image.media", "choisissez une image (fichier ou adresse), ou videz ces champs");
    }
    this.related.forEach((l, i) => {
      const title = cleanSingle(l.title), url = cleanSingle(l.url);
      if (!title && !url) return;
      if (!title) add(`related[${i}].title`, "titre obligatoire");
      else if (byteLength(title) > LIMITS.maxShortBytes) add(`related[${i}].title`, `${LIMITS.maxShortBytes} octets au plus`);
      if (!url) add(`related[${i}].url`, "adresse obligatoire");
      else if (!isHttpUrl(url)) add(`related[${i}].url`, "doit être une adresse http(s)://… valide, sans espace");
    });
    let first = null;
    for (const e of errors) first = this.showError(e.path, e.message) || first;
    return errors.length ? first || this.msg : null;
  }

  /** The update_story fields that differ from `story`: lead_image (null clears) and related ([] clears). */
  changes(story) {
    const out = {};
    const lead = this.leadWire();
    if (canonicalJson(lead) !== canonicalJson(story?.lead_image ?? null)) out.lead_image = lead;
    const related = this.relatedWire();
    if (canonicalJson(related) !== canonicalJson(Array.isArray(story?.related) ? story.related : [])) out.related = related;
    return out;
  }

  /** A server refusal ("lead_image.alt: …", "related[2].url: …") next to its field; false when not ours. */
  showServerError(message) {
    const m = /^(lead_image(?:\.[a-z_]+)?|related(?:\[\d+\](?:\.[a-z_]+)?)?)\s*:\s*(.*)$/s.exec(message || "");
    if (!m) return false;
    const control = this.showError(m[1], m[2]);
    (control || this.msg).focus?.();
    return true;
  }

  clearErrors() {
    for (const el of this.leadBox.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    for (const el of this.relatedBox.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    for (const el of [...this.leadBox.querySelectorAll(".field-error"), ...this.relatedBox.querySelectorAll(".field-error")]) el.textContent = "";
    this.msg.textContent = "";
  }

  // "lead_image.alt" → #story-lead-alt; "related[2].url" → #related-2-url;
  // anything else (a card's own field, the whole list) → the panel's line.
  showError(path, message) {
    let id = null;
    const lead = /^lead_image\.([a-z_]+)/.exec(path);
    const rel = /^related\[(\d+)\]\.([a-z_]+)/.exec(path);
    if (lead) id = lead[1] === "src" && this.lead.media ? "story-lead-media" : `story-lead-${lead[1] === "width" || lead[1] === "height" ? "src" : lead[1]}`;
    else if (rel) id = `related-${rel[1]}-${rel[2]}`;
    const control = id ? document.getElementById(id) : null;
    const errEl = control ? document.getElementById(`${id}-err`) : this.msg;
    const text = control ? message : `${path} : ${message}`;
    if (errEl) errEl.textContent = errEl.textContent ? `${errEl.textContent} ; ${text}` : text;
    if (control && control.matches("input, textarea")) control.setAttribute("aria-invalid", "true");
    return control;
  }
}
