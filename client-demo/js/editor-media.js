// Editor console: images by upload. `uploadImage` sends a file to
// POST /api/media (the server decodes it, drops every metadata block, GPS
// included, and stores the widths); `ImageSourceField` is the control an
// image block and the story's lead image share: an address field, a file
// picker, drag and drop and paste, a progress bar while the file goes up,
// then a preview of the stored image with "Remplacer" and "Retirer".
//
// The control edits a model in place (editor-content.js's image fields:
// src, media, mediaInfo, srcSize). An upload belongs to its model, not to
// the control's DOM: the composer may re-render its blocks while a file is
// on its way, and the new control shows the same progress and result.

import { h } from "./editor-dom.js";
import { mediaUrl } from "./render.js";

const MEDIA_ERROR_TEXT = {
  too_large: "le fichier dépasse la taille permise (20 Mio au plus)",
  unsupported_image: "ce n’est pas une image acceptée : JPEG, PNG, WebP, GIF, HEIF ou AVIF seulement",
  media_too_large: "l’image est trop grande (trop de pixels, un côté trop long ou trop d’images animées)",
  invalid_image: "l’image ne se lit pas (fichier tronqué ou abîmé)",
  overloaded: "le serveur traite déjà beaucoup d’images : réessayez dans un instant",
  unauthorized: "vous n’êtes plus connecté·e : reconnectez-vous, puis envoyez l’image à nouveau",
  token_expired: "le jeton a expiré : collez-en un nouveau, puis envoyez l’image à nouveau",
  csrf_failed: "la session doit être rafraîchie : rechargez la page",
  forbidden: "votre compte ne permet pas d’envoyer des images",
  network: "l’envoi a été coupé (connexion perdue, ou fichier refusé d’emblée car trop lourd : 20 Mio au plus)",
};

/** The French message for a refused upload, naming the server's code. */
export function uploadErrorText(err) {
  const code = err?.code || (err?.status ? `HTTP ${err.status}` : "network");
  const why = MEDIA_ERROR_TEXT[err?.code] || err?.message || "erreur inconnue";
  return `Image refusée (${code}) : ${why}.`;
}

/**
 * Sends `file` as the request body (any type: the server reads the format
 * from the bytes). XMLHttpRequest rather than fetch, for its upload progress.
 * Resolves to the answer {media: {id, width, height, widths, …}, duplicate};
 * rejects with {code, message, status} (code "network" when no answer came).
 * @param {Blob} file
 * @param {Record<string,string>} headers  the credential (CSRF token or Bearer)
 * @param {(fraction: number|null) => void} onProgress
 * @returns {{promise: Promise<object>, abort: () => void}}
 */
export function uploadImage(file, headers, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open("POST", "/api/media");
    for (const [k, v] of Object.entries(headers || {})) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (ev) => onProgress(ev.lengthComputable ? ev.loaded / ev.total : null));
    xhr.addEventListener("load", () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { body = null; }
      if ((xhr.status === 200 || xhr.status === 201) && body?.media?.id) resolve(body);
      else reject(Object.assign(new Error(body?.error?.message || `HTTP ${xhr.status}`), body?.error || {}, { status: xhr.status }));
    });
    xhr.addEventListener("error", () => reject(Object.assign(new Error("network"), { code: "network", status: 0 })));
    xhr.addEventListener("abort", () => reject(Object.assign(new Error("cancelled"), { code: "cancelled", status: 0 })));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}

/** The smallest stored width as a JPEG: /media/ID/320.jpg for most images (a small one has only its own width). */
export function previewUrl(id, widths) {
  const w = Array.isArray(widths) && widths.length ? Math.min(...widths) : 320;
  return mediaUrl(id, w, "jpg");
}

// The first image file of a drop or a paste, else null (text, links…).
function imageFile(dataTransfer) {
  if (!dataTransfer) return null;
  const files = [...(dataTransfer.files || [])];
  // Some systems give HEIF photos no type: any file goes, the server judges.
  return files.find((f) => f.type.startsWith("image/")) || files.find((f) => !f.type) || files[0] || null;
}

const hasFiles = (dataTransfer) => !!dataTransfer && [...(dataTransfer.types || [])].includes("Files");

// A file dropped beside a drop zone would make the browser open it in place
// of the console, and the work in progress with it: such drops do nothing.
if (typeof document !== "undefined") {
  document.addEventListener("dragover", (ev) => {
    if (!hasFiles(ev.dataTransfer) || ev.defaultPrevented) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "none";
  });
  document.addEventListener("drop", (ev) => {
    if (hasFiles(ev.dataTransfer) && !ev.defaultPrevented) ev.preventDefault();
  });
}

/** Uploads in flight, by model: {name, progress, abort, listeners}. */
const running = new WeakMap();

export class ImageSourceField {
  /**
   * @param {object} model  image fields, edited in place
   * @param {{ids: {src: string, media: string}, authHeaders: () => Record<string,string>,
   *          onChange: (kind: "input"|"structure") => void, onUploaded?: () => void}} opts
   */
  constructor(model, opts) {
    this.model = model;
    this.opts = opts;
    this.root = h("div", { class: "image-source" });
    this.error = "";
    this.render();
  }

  get element() {
    return this.root;
  }

  /** Drop and paste onto `target` (the whole block, or the lead image's fieldset) go to this control. */
  attach(target) {
    target.addEventListener("dragover", (ev) => {
      if (!hasFiles(ev.dataTransfer)) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = "copy";
      target.classList.add("is-dropping");
    });
    target.addEventListener("dragleave", (ev) => {
      if (!target.contains(ev.relatedTarget)) target.classList.remove("is-dropping");
    });
    target.addEventListener("drop", (ev) => {
      target.classList.remove("is-dropping");
      const file = imageFile(ev.dataTransfer);
      if (!file) return;
      ev.preventDefault();
      this.upload(file);
    });
    // A pasted image (a screenshot, "copy image"): text pastes go on as usual,
    // also those that carry a picture of the text beside it (office suites do).
    target.addEventListener("paste", (ev) => {
      const intoText = ev.target instanceof Element && ev.target.matches("input:not([type=file]), textarea") &&
        [...(ev.clipboardData?.types || [])].includes("text/plain");
      const file = intoText ? null : imageFile(ev.clipboardData);
      if (!file) return;
      ev.preventDefault();
      this.upload(file);
    });
  }

  upload(file) {
    const model = this.model;
    running.get(model)?.abort();
    this.error = "";
    const state = { name: file.name || "image collée", progress: 0, abort: () => {}, listeners: new Set() };
    running.set(model, state);
    const { promise, abort } = uploadImage(file, this.opts.authHeaders(), (fraction) => {
      state.progress = fraction;
      notify(state);
    });
    state.abort = abort;
    this.render();
    this.opts.onChange("input");
    promise.then((answer) => {
      const m = answer.media;
      model.media = m.id;
      model.mediaInfo = { width: m.width, height: m.height, widths: Array.isArray(m.widths) ? m.widths : [] };
      model.src = "";
      model.srcSize = null;
      state.done = { ok: true, error: "" };
    }, (err) => {
      state.done = { ok: false, error: err.code === "cancelled" ? "" : uploadErrorText(err) };
    }).finally(() => {
      if (running.get(model) === state) running.delete(model);
      notify(state);
      this.opts.onChange("structure");
      if (state.done.ok) this.opts.onUploaded?.();
    });
  }

  // Renders again on every change of the upload (progress while shown, and its end).
  follow(state) {
    this.following = state;
    state.listeners.add(() => {
      if (state.done) this.error = state.done.error;
      else if (!this.root.isConnected) return;
      this.render();
    });
  }

  clear() {
    running.get(this.model)?.abort();
    Object.assign(this.model, { media: "", mediaInfo: null, src: "", srcSize: null });
    this.error = "";
    this.render();
    this.opts.onChange("structure");
  }

  render() {
    const { ids } = this.opts;
    const model = this.model;
    const state = running.get(model);
    if (state && this.following !== state) this.follow(state);  // also a control made while it runs
    const picker = h("input", {
      type: "file", id: ids.media, accept: "image/*", class: "file-input",
      "aria-describedby": `${ids.media}-hint ${ids.media}-err`,
      onchange: (ev) => {
        const file = ev.target.files && ev.target.files[0];
        if (file) this.upload(file);
      },
    });
    const errorLine = h("p", { class: "field-error", id: `${ids.media}-err`, role: "alert", text: this.error });
    let body;
    if (state) {
      const pct = state.progress === null ? null : Math.round(state.progress * 100);
      body = h("div", { class: "upload-progress", role: "status" },
        h("label", { for: `${ids.media}-progress`, text: pct === null || pct < 100 ? `Envoi de « ${state.name} »…` : `Traitement de « ${state.name} » par le serveur…` }),
        h("progress", { id: `${ids.media}-progress`, max: "100", ...(pct === null ? {} : { value: String(pct) }) }),
        h("span", { class: "hint", text: pct === null ? "" : ` ${pct} %` }),
        h("button", { type: "button", class: "btn btn-small", text: "Annuler l’envoi", onclick: () => state.abort() }));
    } else if (model.media) {
      const info = model.mediaInfo || {};
      body = h("div", { class: "media-preview" },
        // The description is the alt field below; the preview repeats nothing to a screen reader.
        h("img", { src: previewUrl(model.media, info.widths), alt: "", width: "160", class: "media-thumb" }),
        h("div", { class: "media-info" },
          h("p", { class: "hint", text: info.width && info.height
            ? `Image envoyée (${info.width} × ${info.height} px, sans métadonnées ni position GPS).`
            : "Image envoyée." }),
          h("div", { class: "row" },
            h("label", { class: "btn btn-small file-button" }, "Remplacer l’image", picker),
            h("button", { type: "button", class: "btn btn-small btn-danger", text: "Retirer l’image", onclick: () => this.clear() }))),
        h("p", { class: "visually-hidden", id: `${ids.media}-hint`, text: "Choisir une autre image à envoyer." }));
    } else {
      const url = h("input", {
        type: "url", id: ids.src, inputmode: "url", spellcheck: "false", autocomplete: "off",
        "aria-describedby": `${ids.src}-err`,
        oninput: (ev) => {
          model.src = ev.target.value;
          ev.target.removeAttribute("aria-invalid");
          const err = document.getElementById(`${ids.src}-err`);
          if (err) err.textContent = "";
          this.opts.onChange("input");
        },
      });
      url.value = model.src || "";
      body = h("div", { class: "image-choice" },
        h("div", { class: "field" },
          h("label", { for: ids.media, text: "Envoyer une photo" }),
          picker,
          h("p", { class: "hint", id: `${ids.media}-hint`,
            text: "Ou glissez-déposez une image sur ce cadre, ou collez-la (Ctrl+V). JPEG, PNG, WebP, GIF, HEIF/AVIF, 20 Mio au plus ; le serveur retire les métadonnées (dont la position GPS)." })),
        h("div", { class: "field" },
          h("label", { for: ids.src }, "ou adresse d’une image en ligne (https://…)"),
          url,
          h("p", { class: "field-error", id: `${ids.src}-err` })));
    }
    this.root.replaceChildren(body, errorLine);
    this.root.dataset.state = state ? "uploading" : model.media ? "uploaded" : "empty";
  }
}

function notify(state) {
  for (const listener of [...state.listeners]) listener();
}
