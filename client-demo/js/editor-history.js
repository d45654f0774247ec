// Editor console: an entry's history (GET …/entries/{id}/revisions), each
// revision shown against the one before it (a word diff), and "Restaurer",
// which loads a revision into the composer as an edit of the entry: saving
// it makes a new version with that content (the old ones stay).

import { $, h, longTime } from "./editor-dom.js";
import { blockPlainText } from "./render.js";

const ACTION_TEXT = {
  created: "publiée", edited: "modifiée", corrected: "corrigée", deleted: "supprimée",
  pinned: "épinglée", unpinned: "désépinglée",
};

/** The text a revision shows: its title, then its blocks as plain text. */
export function revisionText(rev) {
  const parts = [];
  if (rev.title) parts.push(rev.title);
  for (const b of rev.blocks || []) parts.push(blockPlainText(b));
  return parts.join("\n");
}

/**
 * A word diff of two texts: [{op: "same"|"del"|"ins", text}], by longest
 * common subsequence. Past 3,000 words on either side it gives up (null):
 * the table would be too large for a page.
 */
export function wordDiff(before, after) {
  const a = before.split(/(\s+)/).filter(Boolean), b = after.split(/(\s+)/).filter(Boolean);
  if (a.length > 3000 || b.length > 3000) return null;
  const n = a.length, m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  const push = (op, text) => {
    if (out.length && out[out.length - 1].op === op) out[out.length - 1].text += text;
    else out.push({ op, text });
  };
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) { push("same", a[i]); i++; j++; }
    else if (lcs[i + 1][j] >= lcs[i][j + 1]) push("del", a[i++]);
    else push("ins", b[j++]);
  }
  while (i < n) push("del", a[i++]);
  while (j < m) push("ins", b[j++]);
  return out;
}

function diffView(before, after) {
  const parts = wordDiff(before, after);
  if (!parts) return h("p", { class: "hint", text: "Texte trop long pour afficher les différences." });
  return h("p", { class: "diff" }, ...parts.map((p) =>
    p.op === "same" ? document.createTextNode(p.text) : h(p.op, { text: p.text })));
}

export class HistoryDialog {
  /**
   * @param {() => Record<string,string>} authHeaders  the credential for GETs
   * @param {(rev: object, entryId: string) => void} onRestore
   */
  constructor(authHeaders, onRestore) {
    this.authHeaders = authHeaders;
    this.onRestore = onRestore;
    this.dialog = $("#history-dialog");
    this.list = $("#history-list");
    this.msg = $("#history-msg");
    $("#history-close").addEventListener("click", () => this.dialog.close());
  }

  async open(storyId, entryId, label) {
    this.entryId = entryId;
    $("#history-title").textContent = `Historique de « ${label} »`;
    this.list.replaceChildren();
    this.msg.textContent = "Chargement…";
    if (!this.dialog.open) this.dialog.showModal();
    try {
      const res = await fetch(`/api/stories/${encodeURIComponent(storyId)}/entries/${encodeURIComponent(entryId)}/revisions`,
        { headers: this.authHeaders(), credentials: "same-origin" });
      const body = await res.json();
      if (!res.ok) throw new Error(body.error?.message || res.statusText);
      this.render(body.revisions);
      this.msg.textContent = "";
    } catch (err) {
      this.msg.textContent = `Historique indisponible (${err.message}).`;
    }
  }

  render(revisions) {
    // Newest first; each is compared with the one just before it.
    const items = revisions.map((rev, i) => {
      const previous = revisions[i + 1];
      const text = revisionText(rev);
      const head = `Version ${rev.version} · ${ACTION_TEXT[rev.action] || rev.action} par ${rev.by || "—"} · ${longTime(rev.at)}`;
      return h("li", { class: "revision", "data-version": String(rev.version), "data-action": rev.action },
        h("p", { class: "revision-head", text: head }),
        rev.correction ? h("p", { class: "revision-correction", text: `Note de correction : ${rev.correction}` }) : null,
        previous ? diffView(revisionText(previous), text) : h("p", { class: "diff", text }),
        i > 0 && rev.action !== "deleted"
          ? h("button", {
            type: "button", class: "btn btn-small", text: "Restaurer cette version",
            "aria-label": `Restaurer la version ${rev.version}`,
            onclick: () => { this.dialog.close(); this.onRestore(rev, this.entryId); },
          })
          : null);
    });
    this.list.replaceChildren(...items);
  }
}
