// The desk in the console: the story's drafts, review queue and scheduled
// entries, kept live from the editors' channel of /admin/ws ("desk" when the
// console joins a story, then "desk_item" / "desk_removed"), with the actions
// the signed-in role may take on each item (docs/protocol.md "The desk").
//
// Readers never see any of it: an item reaches the reader page only when an
// editor publishes it, or when its scheduled time comes.

import { h, shortTime, longTime } from "./editor-dom.js";

const STATE_LABELS = { draft: "Brouillon", in_review: "À relire", scheduled: "Programmé" };
const STATE_ORDER = { in_review: 0, scheduled: 1, draft: 2 };

/** "2026-12-07T21:30" (a datetime-local value, local time) -> ISO 8601 UTC, or null. */
export function localInputToIso(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** ISO 8601 -> a datetime-local value in local time. */
export function isoToLocalInput(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export class DeskPanel {
  /**
   * @param {object} o
   * @param {import("./editor-conn.js").AdminChannel} o.admin
   * @param {() => object|null} o.identity  the `authenticated` message
   * @param {(item) => void} o.onOpen       open an item in the composer
   * @param {(text: string) => void} o.announce
   * @param {(err) => string} o.errorText
   */
  constructor({ admin, identity, onOpen, onChange = () => {}, announce, errorText, panel, list, msg, count }) {
    Object.assign(this, { admin, identity, onOpen, onChange, announce, errorText, panel, list, msg, count });
    this.loaded = false; // the desk list of this story has arrived
    this.story = null;
    this.items = new Map();
    this.busy = new Set();
    admin.addEventListener("desk", (ev) => {
      if (ev.detail.story !== this.story) return;
      this.items = new Map(ev.detail.items.map((i) => [i.id, i]));
      this.loaded = true;
      this.render();
    });
    admin.addEventListener("desk_item", (ev) => {
      const { story, item } = ev.detail;
      if (story !== this.story) return;
      const known = this.items.get(item.id);
      if (known && known.version >= item.version) return; // already newer (the list and the change crossed)
      this.items.set(item.id, item);
      this.render();
    });
    admin.addEventListener("desk_removed", (ev) => {
      if (ev.detail.story !== this.story) return;
      this.items.delete(ev.detail.draft_id);
      this.render();
    });
  }

  setStory(id) {
    if (id === this.story) return;
    this.story = id;
    this.items = new Map();
    this.loaded = false;
    this.msg.textContent = "";
    this.panel.hidden = !id;
    this.render();
  }

  get reviewer() {
    const role = this.identity()?.role;
    return role === "editor" || role === "admin";
  }

  ownItem(item) {
    const me = this.identity();
    return !!me && item.owner?.id === (me.user_id || me.sub);
  }

  get(id) {
    return this.items.get(id) || null;
  }

  /** Sends one desk command about `item`; resolves with the ack or null (the error is shown). */
  async act(item, type, extra = {}) {
    if (this.busy.has(item.id)) return null;
    this.busy.add(item.id);
    this.render();
    try {
      const ack = await this.admin.send({
        type, story: this.story, draft_id: item.id, expected_version: item.version, ...extra,
      });
      this.msg.textContent = "";
      return ack;
    } catch (err) {
      this.msg.textContent = this.errorText(err);
      return null;
    } finally {
      this.busy.delete(item.id);
      this.render();
    }
  }

  label(item) {
    if (item.title) return item.title;
    const first = (item.blocks || []).find((b) => b.text || b.caption || b.url);
    const text = first ? (first.text || first.caption || first.url) : "";
    return text.length > 60 ? `${text.slice(0, 57)}…` : text || "(sans texte)";
  }

  actionsFor(item) {
    const buttons = [];
    const button = (text, onClick, extra = {}) =>
      h("button", { type: "button", class: "btn btn-small", disabled: this.busy.has(item.id), onclick: onClick, ...extra }, text);
    const label = this.label(item);
    const mine = this.ownItem(item);
    const canEdit = this.reviewer || (mine && item.state === "draft");
    if (canEdit) buttons.push(button("Ouvrir", () => this.onOpen(item), { "aria-label": `Ouvrir « ${label} »` }));
    if (mine && item.state === "draft")
      buttons.push(button("Soumettre", async () => {
        if (await this.act(item, "submit_draft")) this.announce("Soumis pour relecture.");
      }, { "aria-label": `Soumettre « ${label} » pour relecture` }));
    if (!this.reviewer && mine && item.state === "in_review")
      buttons.push(button("Retirer", async () => {
        if (await this.act(item, "send_back_draft")) this.announce("Retiré de la relecture.");
      }, { "aria-label": `Retirer « ${label} » de la relecture` }));
    if (this.reviewer) {
      buttons.push(button("Publier", async () => {
        if (await this.act(item, "publish_draft")) this.announce("Entrée publiée.");
      }, { class: "btn btn-small btn-primary", "aria-label": `Publier « ${label} »` }));
      if (item.state !== "draft")
        buttons.push(button("Renvoyer", async () => {
          const comment = window.prompt("Commentaire pour l’auteur·rice (facultatif) :", "");
          if (comment === null) return;
          const extra = comment.trim() ? { comment: comment.trim() } : {};
          if (await this.act(item, "send_back_draft", extra)) this.announce("Renvoyé à l’auteur·rice.");
        }, { "aria-label": `Renvoyer « ${label} » à l’auteur·rice`, title: "Renvoyer avec un commentaire" }));
      if (item.state === "scheduled")
        buttons.push(button("Déprogrammer", async () => {
          if (await this.act(item, "unschedule_draft")) this.announce("Programmation annulée.");
        }, { "aria-label": `Déprogrammer « ${label} »` }));
    }
    if (this.reviewer || (mine && item.state === "draft"))
      buttons.push(button("Supprimer", async () => {
        if (!window.confirm(`Supprimer « ${label} » du desk ?`)) return;
        if (await this.act(item, "delete_draft")) this.announce("Supprimé du desk.");
      }, { class: "btn btn-small btn-danger", "aria-label": `Supprimer « ${label} »` }));
    return buttons;
  }

  scheduleControl(item) {
    if (!this.reviewer) return null;
    const id = `desk-at-${item.id}`;
    const input = h("input", {
      type: "datetime-local", id, class: "desk-at",
      value: item.publish_at ? isoToLocalInput(item.publish_at) : "",
    });
    const go = h("button", {
      type: "button", class: "btn btn-small", disabled: this.busy.has(item.id),
      onclick: async () => {
        const at = localInputToIso(input.value);
        if (!at) { this.msg.textContent = "Choisissez une date et une heure."; input.focus(); return; }
        if (await this.act(item, "schedule_draft", { publish_at: at })) this.announce(`Programmé pour ${longTime(at)}.`);
      },
    }, item.state === "scheduled" ? "Reprogrammer" : "Programmer");
    return h("div", { class: "desk-schedule" }, h("label", { for: id }, "Publier à"), input, go);
  }

  render() {
    this.onChange();
    const items = [...this.items.values()].sort((a, b) =>
      (STATE_ORDER[a.state] - STATE_ORDER[b.state]) ||
      (a.state === "scheduled" ? a.publish_at.localeCompare(b.publish_at) : a.updated_at.localeCompare(b.updated_at)));
    const waiting = items.filter((i) => i.state === "in_review").length;
    this.count.textContent = items.length
      ? `${items.length} élément${items.length > 1 ? "s" : ""}${waiting ? `, ${waiting} à relire` : ""}`
      : "";
    if (!items.length) {
      this.list.replaceChildren(h("li", { class: "hint" }, "Rien sur le desk : ni brouillon, ni relecture, ni programmation."));
      return;
    }
    this.list.replaceChildren(...items.map((item) => {
      const meta = [`${item.author?.name || item.owner?.name}`, `modifié à ${shortTime(item.updated_at)}`];
      if (item.state === "scheduled") meta.unshift(`sortira le ${longTime(item.publish_at)}`);
      return h("li", { class: `desk-item state-${item.state}`, "data-id": item.id },
        h("div", { class: "desk-head" },
          h("span", { class: `badge badge-${item.state}` }, STATE_LABELS[item.state] || item.state),
          h("strong", { class: "desk-label" }, this.label(item))),
        h("p", { class: "hint" }, meta.join(" · ")),
        item.comment ? h("p", { class: "desk-comment" }, `${item.comment.by} : ${item.comment.text}`) : null,
        h("div", { class: "entry-actions", role: "group", "aria-label": `Actions pour « ${this.label(item)} »` },
          ...this.actionsFor(item)),
        this.scheduleControl(item));
    }));
  }
}
