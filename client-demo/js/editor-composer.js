// The entry composer: title, flags and the list of blocks (add, move up and
// down, remove), bound to a draft object. Structural changes re-render the
// block list; typing only updates the draft, so focus is never lost.

import { h, announce } from "./editor-dom.js";
import { BLOCK_TYPES, BLOCK_LABELS, newBlock, LIMITS } from "./editor-content.js";
import { ImageSourceField } from "./editor-media.js";
import { EmbedCardField } from "./editor-embed.js";

const FIELDS = {
  text: [{ name: "text", label: "Texte", multiline: true, rows: 4, marks: true }],
  heading: [{ name: "text", label: "Intertitre" }],
  quote: [
    { name: "text", label: "Citation", multiline: true, rows: 3, marks: true },
    { name: "cite", label: "Source", optional: true },
  ],
  // The image itself: an upload (picker, drop, paste) or an address (editor-media.js).
  image: [
    { name: "media", widget: "image" },
    { name: "alt", label: "Texte alternatif (obligatoire : description pour qui ne voit pas l’image)" },
    { name: "caption", label: "Légende", optional: true, multiline: true, rows: 2, marks: true },
    { name: "credit", label: "Crédit", optional: true },
  ],
  // The address, and the card the server captures for it (editor-embed.js).
  embed: [{ name: "url", widget: "embed" }],
  list: [{ name: "items", label: "Éléments, un par ligne", multiline: true, rows: 4, hint: "Une ligne par élément ; les lignes vides sont ignorées." }],
};

export class Composer {
  /**
   * els: {form, fieldset, title, keyEvent, pin, blocks, blocksErr, addButtons}
   * onChange(kind): called after every edit ("input" or "structure").
   * authHeaders(): the credential for the console's REST calls (uploads, embed cards).
   */
  constructor(els, onChange, authHeaders = () => ({})) {
    this.els = els;
    this.onChange = onChange;
    this.authHeaders = authHeaders;
    this.draft = null;
    this.busy = false;

    els.title.addEventListener("input", () => {
      this.draft.title = els.title.value;
      this.clearFieldError(els.title);
      this.onChange("input");
    });
    els.keyEvent.addEventListener("change", () => {
      this.draft.key_event = els.keyEvent.checked;
      this.onChange("input");
    });
    els.pin.addEventListener("change", () => {
      this.draft.pinned = els.pin.checked;
      this.onChange("input");
    });
    for (const type of BLOCK_TYPES) {
      els.addButtons.append(h("button", {
        type: "button",
        class: "btn btn-small",
        text: `+ ${BLOCK_LABELS[type]}`,
        "aria-label": `Ajouter un bloc ${BLOCK_LABELS[type].toLowerCase()}`,
        onclick: () => this.addBlock(type),
      }));
    }
  }

  load(draft) {
    this.draft = draft;
    this.els.title.value = draft.title || "";
    this.els.keyEvent.checked = !!draft.key_event;
    this.els.pin.checked = !!draft.pinned;
    this.clearErrors();
    this.renderBlocks();
  }

  setBusy(busy) {
    this.busy = busy;
    this.els.fieldset.disabled = busy;
  }

  // -------------------------------------------------------------------------
  // Blocks
  // -------------------------------------------------------------------------

  addBlock(type) {
    if (this.draft.blocks.length >= LIMITS.maxBlocks) {
      this.els.blocksErr.textContent = `${LIMITS.maxBlocks} blocs au plus.`;
      return;
    }
    const block = newBlock(type);
    this.draft.blocks.push(block);
    this.renderBlocks();
    this.onChange("structure");
    const first = document.getElementById(this.fieldId(block, FIELDS[type][0].name));
    if (first) first.focus();
    announce(`Bloc ${BLOCK_LABELS[type].toLowerCase()} ajouté en position ${this.draft.blocks.length}.`);
  }

  moveBlock(index, delta, buttonRole) {
    const target = index + delta;
    const blocks = this.draft.blocks;
    if (target < 0 || target >= blocks.length) return;
    const [block] = blocks.splice(index, 1);
    blocks.splice(target, 0, block);
    this.renderBlocks();
    this.onChange("structure");
    // Keep the keyboard on the block that moved; at an edge, on its other arrow.
    const item = this.els.blocks.querySelector(`[data-uid="${block.uid}"]`);
    const wanted = item && item.querySelector(`[data-role="${buttonRole}"]`);
    const other = item && item.querySelector(`[data-role="${buttonRole === "up" ? "down" : "up"}"]`);
    (wanted && !wanted.disabled ? wanted : other && !other.disabled ? other : item)?.focus();
    announce(`Bloc déplacé en position ${target + 1} sur ${blocks.length}.`);
  }

  removeBlock(index) {
    const blocks = this.draft.blocks;
    const [removed] = blocks.splice(index, 1);
    this.renderBlocks();
    this.onChange("structure");
    const next = blocks[Math.min(index, blocks.length - 1)];
    const nextItem = next && this.els.blocks.querySelector(`[data-uid="${next.uid}"] [data-role="remove"]`);
    (nextItem || this.els.addButtons.querySelector("button")).focus();
    announce(`Bloc ${BLOCK_LABELS[removed.type].toLowerCase()} supprimé.`);
  }

  fieldId(block, name) {
    return `f-${block.uid}-${name}`;
  }

  renderBlocks() {
    const blocks = this.draft.blocks;
    this.els.blocksErr.textContent = "";
    this.els.blocks.replaceChildren(...blocks.map((block, i) => this.blockView(block, i, blocks.length)));
  }

  blockView(block, index, count) {
    const n = index + 1;
    const label = BLOCK_LABELS[block.type] || block.type;
    const widgets = [];
    const fields = (FIELDS[block.type] || []).map((f) => this.fieldView(block, f, widgets));
    const tools = h("div", { class: "block-tools" },
      h("button", {
        type: "button", class: "btn btn-icon", "data-role": "up", disabled: index === 0,
        "aria-label": `Monter le bloc ${n} (${label})`, title: "Monter",
        onclick: () => this.moveBlock(index, -1, "up"),
      }, h("span", { "aria-hidden": "true", text: "↑" }), h("span", { class: "btn-text", text: " Monter" })),
      h("button", {
        type: "button", class: "btn btn-icon", "data-role": "down", disabled: index === count - 1,
        "aria-label": `Descendre le bloc ${n} (${label})`, title: "Descendre",
        onclick: () => this.moveBlock(index, 1, "down"),
      }, h("span", { "aria-hidden": "true", text: "↓" }), h("span", { class: "btn-text", text: " Descendre" })),
      h("button", {
        type: "button", class: "btn btn-icon btn-danger", "data-role": "remove",
        "aria-label": `Retirer le bloc ${n} (${label})`, title: "Retirer",
        onclick: () => this.removeBlock(index),
      }, h("span", { "aria-hidden": "true", text: "✕" }), h("span", { class: "btn-text", text: " Retirer" })),
    );
    const item = h("li", { class: `block block-${block.type}`, "data-uid": block.uid, tabindex: "-1" },
      h("fieldset", null,
        h("legend", null, h("span", { class: "block-num", text: `Bloc ${n}` }), ` · ${label}`),
        fields,
        h("p", { class: "field-error", id: `e-${block.uid}` })),
      tools);
    // A file dropped or pasted anywhere on an image block is its image.
    for (const w of widgets) w.attach?.(item);
    return item;
  }

  widgetView(block, f, widgets) {
    const onChange = (kind) => this.onChange(kind);
    let widget;
    if (f.widget === "image") {
      widget = new ImageSourceField(block, {
        ids: { src: this.fieldId(block, "src"), media: this.fieldId(block, "media") },
        authHeaders: this.authHeaders,
        onChange,
        // The description is the one thing left to write: go there.
        onUploaded: () => {
          const alt = document.getElementById(this.fieldId(block, "alt"));
          if (alt && !alt.value.trim()) alt.focus();
        },
      });
    } else {
      widget = new EmbedCardField(block, { id: this.fieldId(block, f.name), authHeaders: this.authHeaders, onChange });
    }
    widgets.push(widget);
    return widget.element;
  }

  fieldView(block, f, widgets) {
    if (f.widget) return this.widgetView(block, f, widgets);
    const id = this.fieldId(block, f.name);
    const describedBy = [`${id}-err`];
    let hint = null;
    if (f.marks) describedBy.unshift("marks-hint");
    if (f.hint) {
      hint = h("p", { class: "hint", id: `${id}-hint`, text: f.hint });
      describedBy.unshift(`${id}-hint`);
    }
    const common = {
      id, "aria-describedby": describedBy.join(" "), autocomplete: "off",
      oninput: (ev) => {
        block[f.name] = ev.target.value;
        this.clearFieldError(ev.target);
        this.onChange("input");
      },
    };
    const control = f.multiline
      ? h("textarea", { ...common, rows: f.rows || 3 })
      : h("input", { ...common, type: f.url ? "url" : "text", inputmode: f.url ? "url" : null, spellcheck: f.url ? "false" : null });
    control.value = block[f.name] || "";
    return h("div", { class: "field" },
      h("label", { for: id }, f.label, f.optional ? h("span", { class: "opt", text: " (facultatif)" }) : null),
      control,
      hint,
      h("p", { class: "field-error", id: `${id}-err` }));
  }

  // -------------------------------------------------------------------------
  // Errors: paths as the server writes them ("blocks[2].src", "title").
  // -------------------------------------------------------------------------

  clearErrors() {
    for (const el of this.els.form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    for (const el of this.els.form.querySelectorAll(".field-error")) el.textContent = "";
  }

  clearFieldError(control) {
    if (!control.hasAttribute("aria-invalid")) return;
    control.removeAttribute("aria-invalid");
    const err = document.getElementById(`${control.id}-err`);
    if (err) err.textContent = "";
  }

  /** Shows errors [{block, field, message}]; returns the element to focus. */
  showErrors(errors) {
    this.clearErrors();
    let first = null;
    for (const e of errors) {
      let control = null;
      let errEl = null;
      if (e.field === "title" && e.block === null) {
        control = this.els.title;
        errEl = document.getElementById("entry-title-err");
      } else if (e.block !== null && e.block !== undefined && this.draft.blocks[e.block]) {
        const block = this.draft.blocks[e.block];
        control = e.field ? document.getElementById(this.fieldId(block, e.field)) : null;
        errEl = control ? document.getElementById(`${control.id}-err`) : document.getElementById(`e-${block.uid}`);
        if (!control) control = this.els.blocks.querySelector(`[data-uid="${block.uid}"]`);
      } else {
        errEl = this.els.blocksErr;
        control = this.els.addButtons.querySelector("button");
      }
      if (errEl) errEl.textContent = errEl.textContent ? `${errEl.textContent} ; ${e.message}` : e.message;
      if (control && control.matches("input, textarea")) control.setAttribute("aria-invalid", "true");
      if (!first) first = control;
    }
    return first;
  }
}
