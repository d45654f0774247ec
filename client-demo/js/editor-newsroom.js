// Editor console, admins only: the newsroom's accounts (create, change role
// or scope, disable, end sessions), API tokens (create: the secret is shown
// once; revoke) and the audit log. Talks to the REST API with the session
// cookie and its CSRF token (docs/protocol.md, "Accounts").

import { $ } from "./editor-dom.js";

const ROLE_TEXT = { contributor: "contributeur·rice", editor: "éditeur·rice", admin: "admin" };
const ACTION_TEXT = {
  sign_in: "connexion", sign_in_failed: "connexion refusée", sign_out: "déconnexion",
  sign_out_everywhere: "déconnexion partout", password_changed: "mot de passe changé",
  "user.created": "compte créé", "user.updated": "compte modifié", "user.role_changed": "rôle changé",
  "token.created": "jeton créé", "token.revoked": "jeton révoqué", "entry.published": "entrée publiée",
  "entry.deleted": "entrée supprimée", "story.created": "direct créé", "story.status_changed": "statut du direct",
};

/** A JSON request with the session's CSRF token; resolves to the body, rejects with {code, message}. */
export async function apiRequest(csrf, method, path, body) {
  const headers = { "X-CSRF-Token": csrf || "" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                  credentials: "same-origin" });
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) throw Object.assign(new Error(json.error?.message || res.statusText), json.error || {});
  return json;
}

function scopeFrom(text) {
  const ids = text.split(/[\s,]+/).filter(Boolean);
  return ids.length ? ids : null;
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.append(td);
  return td;
}

function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "btn btn-small";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

export class NewsroomPanel {
  constructor(getCsrf, announce) {
    this.csrf = getCsrf;
    this.announce = announce;
    this.panel = $("#newsroom-panel");
    this.msg = $("#newsroom-msg");
    this.auditBefore = null;
    $("#user-form").addEventListener("submit", (ev) => { ev.preventDefault(); this.createUser(); });
    $("#token-create-form").addEventListener("submit", (ev) => { ev.preventDefault(); this.createToken(); });
    $("#audit-more").addEventListener("click", () => this.loadAudit(true));
  }

  call(method, path, body) { return apiRequest(this.csrf(), method, path, body); }

  fail(err) { this.msg.textContent = err.message || "La requête a échoué."; }

  show(identity) {
    const admin = identity && identity.role === "admin" && identity.credential === "session";
    this.panel.hidden = !admin;
    if (admin) this.refresh();
  }

  async refresh() {
    this.msg.textContent = "";
    await Promise.all([this.loadUsers(), this.loadTokens(), this.loadAudit(false)]).catch((e) => this.fail(e));
  }

  async loadUsers() {
    const { users } = await this.call("GET", "/api/users");
    const rows = $("#user-rows");
    rows.replaceChildren();
    for (const u of users) {
      const tr = document.createElement("tr");
      cell(tr, u.name);
      cell(tr, u.email);
      const roleCell = cell(tr, "");
      const select = document.createElement("select");
      select.setAttribute("aria-label", `Rôle de ${u.name}`);
      for (const r of ["contributor", "editor", "admin"]) select.add(new Option(ROLE_TEXT[r], r, false, r === u.role));
      select.addEventListener("change", () => this.patchUser(u, { role: select.value }, `Rôle de ${u.name} : ${ROLE_TEXT[select.value]}.`));
      roleCell.append(select);
      cell(tr, (u.disabled ? "désactivé" : "actif") + (u.stories ? ` · ${u.stories.join(", ")}` : ""));
      const actions = cell(tr, "");
      actions.append(button(u.disabled ? "Réactiver" : "Désactiver",
        () => this.patchUser(u, { disabled: !u.disabled }, `${u.name} ${u.disabled ? "réactivé·e" : "désactivé·e"}.`)));
      actions.append(button("Déconnecter partout", () => this.call("POST", `/api/users/${u.id}/sign-out`)
        .then(() => this.announce(`${u.name} est déconnecté·e partout.`)).catch((e) => this.fail(e))));
      rows.append(tr);
    }
  }

  async patchUser(user, change, done) {
    try {
      await this.call("PATCH", `/api/users/${user.id}`, change);
      this.announce(done);
    } catch (e) { this.fail(e); }
    this.loadUsers().catch((e) => this.fail(e));
    this.loadAudit(false).catch(() => {});
  }

  async createUser() {
    const out = $("#user-created");
    out.textContent = "";
    try {
      const res = await this.call("POST", "/api/users", {
        name: $("#user-name").value.trim(), email: $("#user-email").value.trim(), role: $("#user-role").value,
        stories: scopeFrom($("#user-stories").value),
      });
      out.textContent = `Compte créé pour ${res.user.email}. Mot de passe à transmettre (affiché une seule fois) : ${res.password}`;
      $("#user-form").reset();
      this.loadUsers();
      this.loadAudit(false);
    } catch (e) { this.fail(e); }
  }

  async loadTokens() {
    const { tokens } = await this.call("GET", "/api/tokens");
    const rows = $("#token-rows");
    rows.replaceChildren();
    for (const t of tokens) {
      const tr = document.createElement("tr");
      cell(tr, t.name + (t.revoked_at ? " (révoqué)" : ""));
      cell(tr, ROLE_TEXT[t.role] || t.role);
      cell(tr, t.stories ? t.stories.join(", ") : "tous");
      cell(tr, t.last_used_at ? new Date(t.last_used_at).toLocaleString("fr-FR") : "jamais");
      const actions = cell(tr, "");
      if (!t.revoked_at) actions.append(button("Révoquer", async () => {
        try {
          await this.call("DELETE", `/api/tokens/${t.id}`);
          this.announce(`Jeton « ${t.name} » révoqué.`);
        } catch (e) { this.fail(e); }
        this.loadTokens();
        this.loadAudit(false);
      }));
      rows.append(tr);
    }
  }

  async createToken() {
    const out = $("#token-created");
    out.textContent = "";
    try {
      const res = await this.call("POST", "/api/tokens", {
        name: $("#token-name").value.trim(), role: $("#token-role").value, stories: scopeFrom($("#token-stories").value),
      });
      out.textContent = `Jeton « ${res.token.name} » (copiez-le maintenant, il ne sera plus affiché) : ${res.secret}`;
      $("#token-create-form").reset();
      this.loadTokens();
      this.loadAudit(false);
    } catch (e) { this.fail(e); }
  }

  async loadAudit(more) {
    const q = more && this.auditBefore ? `?limit=50&before=${encodeURIComponent(this.auditBefore)}` : "?limit=50";
    const { events, next_before } = await this.call("GET", `/api/audit${q}`);
    const list = $("#audit-list");
    if (!more) list.replaceChildren();
    for (const e of events) {
      const li = document.createElement("li");
      const when = new Date(e.at).toLocaleString("fr-FR");
      const who = e.actor.name || e.actor.id || "—";
      li.textContent = `${when} · ${ACTION_TEXT[e.action] || e.action} · ${who} · ${e.target}${e.address ? ` · ${e.address}` : ""}`;
      li.dataset.action = e.action;
      list.append(li);
    }
    this.auditBefore = next_before;
    $("#audit-more").hidden = !next_before;
  }
}
