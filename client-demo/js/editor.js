// Editor console: sign in with a token, pick or create a story, compose and
// publish entries, edit / delete / pin the published ones. Protocol:
// docs/protocol.md ("Editors: GET /admin/ws" and the reader feed "/ws").

import { h, $, announce, shortTime, longTime } from "./editor-dom.js";
import { AdminChannel } from "./editor-conn.js";
import { NewsroomPanel, apiRequest } from "./editor-newsroom.js";
import { HistoryDialog } from "./editor-history.js";
import { FeedChannel } from "./editor-feed.js";
import { DeskPanel, localInputToIso, isoToLocalInput } from "./editor-desk.js";
import {
  newDraft, draftFromEntry, draftContent, sameContent, isDraftEmpty, validateDraft, parseErrorPath, byteLength, LIMITS,
} from "./editor-content.js";
import { Composer } from "./editor-composer.js";
import { loadRenderer, renderBlocks } from "./editor-preview.js";
import { StoryFurniture } from "./editor-story-panel.js";

const TOKEN_KEY = "liveblog.editor.token";
const STORY_KEY = "liveblog.editor.story";
const draftsKey = (story) => `liveblog.editor.drafts.${story}`;

const STATUS_LABELS = { live: "En direct", paused: "En pause", ended: "Terminé" };

const SIGNIN_TEXT = {
  bad_credentials: "E-mail ou mot de passe incorrect.",
  rate_limited: "Trop de tentatives : réessayez dans quelques minutes.",
  account_disabled: "Ce compte est désactivé : demandez à un·e admin.",
  origin_refused: "Connexion refusée : ouvrez la console depuis ce serveur.",
  session_ended: "Votre session a pris fin (déconnexion, compte modifié ou expiration) : reconnectez-vous.",
};

const ERROR_TEXT = {
  unauthorized: "Jeton refusé : il n’est pas valide pour ce serveur (vérifiez qu’il a été collé en entier).",
  token_expired: "Jeton expiré : créez-en un nouveau et collez-le ici pour continuer (rien n’est perdu).",
  forbidden: "Ce jeton ne permet pas cette action (rôle ou directs autorisés).",
  invalid_slug: "Identifiant invalide : lettres minuscules, chiffres et tirets, 64 caractères au plus.",
  unknown_story: "Ce direct n’existe pas (ou plus).",
  unknown_entry: "Cette entrée n’existe plus (supprimée entre-temps ?).",
  story_exists: "Un direct porte déjà cet identifiant.",
  story_ended: "Le direct est terminé : repassez-le « En direct » ou « En pause » pour publier.",
  rate_limited: "Trop d’envois d’un coup ; réessayez dans un instant.",
  store_unavailable: "Le stockage ne répond pas : rien n’a été enregistré. Réessayez.",
  shutting_down: "Le serveur redémarre : réessayez dans un instant.",
  internal: "Erreur interne du serveur. Réessayez.",
  unknown_draft: "Cet élément n’est plus sur le desk (publié ou supprimé entre-temps).",
  invalid_state: "L’état de cet élément ne permet plus cette action (il a changé entre-temps).",
  version_conflict: "Quelqu’un l’a modifié entre-temps : rouvrez-le depuis le desk pour repartir de sa dernière version.",
};

function errorText(err) {
  const code = err && err.code;
  if (code === "invalid_content") return `Contenu refusé par le serveur : ${err.message}`;
  if (code === "bad_request") return `Requête refusée : ${err.message}`;
  return ERROR_TEXT[code] || (err && err.message) || "Erreur inconnue.";
}

// ---------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------

const admin = new AdminChannel();
const feed = new FeedChannel();

const S = {
  identity: null,
  stories: [],
  storyId: null,
  storyFormDirty: false,
  conflict: null, // {storyId, draft, entryId, currentVersion}
  flash: "", // outcome of the last send ("Entrée publiée."), shown until the next edit
};

const draftCache = new Map(); // story id → {new, edit}
const inflight = new Set(); // draft keys being sent
const busyEntries = new Set(); // entry ids with a pin/unpin/delete in flight

function storage(kind) {
  try { return kind === "session" ? window.sessionStorage : window.localStorage; } catch { return null; }
}

function getDrafts(storyId) {
  if (!draftCache.has(storyId)) {
    let drafts = null;
    try { drafts = JSON.parse(storage("local")?.getItem(draftsKey(storyId)) || "null"); } catch { drafts = null; }
    if (!drafts || !drafts.new || !Array.isArray(drafts.new.blocks)) drafts = { new: newDraft(), edit: null };
    if (drafts.edit && !Array.isArray(drafts.edit.blocks)) drafts.edit = null;
    draftCache.set(storyId, drafts);
  }
  return draftCache.get(storyId);
}

let lastSaved = null;
function saveDrafts(storyId) {
  const drafts = draftCache.get(storyId);
  if (!drafts) return;
  try {
    storage("local")?.setItem(draftsKey(storyId), JSON.stringify(drafts));
    lastSaved = new Date();
  } catch {
    lastSaved = null;
  }
}

function activeSlot(storyId = S.storyId) {
  return getDrafts(storyId).edit ? "edit" : "new";
}
function activeDraft(storyId = S.storyId) {
  const d = getDrafts(storyId);
  return d.edit || d.new;
}

// ---------------------------------------------------------------------------
// Elements
// ---------------------------------------------------------------------------

const els = {
  connAdmin: $("#conn-admin"),
  connFeed: $("#conn-feed"),
  whoami: $("#whoami"),
  whoamiText: $("#whoami-text"),
  signout: $("#signout"),
  signin: $("#signin"),
  signinForm: $("#signin-form"),
  tokenInput: $("#token-input"),
  tokenForm: $("#token-form"),
  emailInput: $("#email-input"),
  passwordInput: $("#password-input"),
  signinMsg: $("#signin-msg"),
  workspace: $("#workspace"),
  storySelect: $("#story-select"),
  storyRefresh: $("#story-refresh"),
  storyMsg: $("#story-msg"),
  storyForm: $("#story-form"),
  storyTitle: $("#story-edit-title"),
  storySummary: $("#story-edit-summary"),
  storySave: $("#story-save"),
  storyLink: $("#story-link"),
  storyFormMsg: $("#story-form-msg"),
  createDetails: $("#create-story"),
  createForm: $("#create-form"),
  createSlug: $("#create-slug"),
  createTitle: $("#create-title"),
  createSummary: $("#create-summary"),
  createLang: $("#create-lang"),
  createMsg: $("#create-msg"),
  composerPanel: $("#composer"),
  composerTitle: $("#composer-title"),
  editBanner: $("#edit-banner"),
  correctionBox: $("#correction-box"),
  editorsLine: $("#editors-line"),
  correctionCheck: $("#entry-correction"),
  correctionNote: $("#entry-correction-note"),
  entryForm: $("#entry-form"),
  pinLabel: $("#entry-pin-label"),
  publish: $("#publish"),
  saveDraft: $("#save-draft"),
  scheduleGroup: $("#schedule-group"),
  scheduleAt: $("#schedule-at"),
  schedule: $("#schedule"),
  deskHint: $("#desk-hint"),
  discard: $("#discard"),
  draftStatus: $("#draft-status"),
  composerMsg: $("#composer-msg"),
  conflict: $("#conflict"),
  conflictText: $("#conflict-text"),
  conflictMine: $("#conflict-mine"),
  conflictTheirs: $("#conflict-theirs"),
  conflictTheirsTitle: $("#conflict-theirs-title"),
  conflictRetry: $("#conflict-retry"),
  conflictDiscard: $("#conflict-discard"),
  preview: $("#preview"),
  previewRenderer: $("#preview-renderer"),
  entriesPanel: $("#entries-panel"),
  feedInfo: $("#feed-info"),
  entryList: $("#entry-list"),
  entriesMsg: $("#entries-msg"),
  loadMore: $("#load-more"),
};

const composer = new Composer({
  form: els.entryForm,
  fieldset: $("#entry-fieldset"),
  title: $("#entry-title"),
  keyEvent: $("#entry-key"),
  pin: $("#entry-pin"),
  blocks: $("#blocks"),
  blocksErr: $("#blocks-err"),
  addButtons: $("#add-block-buttons"),
}, onComposerChange, authHeaders);

// The credential of the console's REST calls (uploads, embed cards): the
// pasted token, else the session cookie (sent by the browser) with its CSRF token.
function authHeaders() {
  return admin.token ? { Authorization: `Bearer ${admin.token}` } : { "X-CSRF-Token": csrfToken || "" };
}

// The story's lead image and related links, in the story form.
const furniture = new StoryFurniture({ container: $("#story-furniture"), form: els.storyForm, authHeaders });

// ---------------------------------------------------------------------------
// Connection state and sign-in
// ---------------------------------------------------------------------------

function renderAdminState(detail = { state: admin.state }) {
  const queued = admin.queued;
  const texts = {
    idle: "déconnectée",
    connecting: "connexion…",
    authenticating: "authentification…",
    ready: "connectée",
    waiting: `reconnexion dans ${Math.ceil((detail.delay || 0) / 1000)} s`,
    unauthorized: "jeton refusé",
    expired: "jeton expiré",
  };
  let text = `Rédaction : ${texts[detail.state] || detail.state}`;
  if (queued && detail.state !== "ready") text += ` (${queued} envoi${queued > 1 ? "s" : ""} en attente)`;
  els.connAdmin.textContent = text;
  els.connAdmin.dataset.state = detail.state;
}

function renderFeedState(detail = { state: feed.state }) {
  const texts = {
    idle: "—",
    connecting: "connexion…",
    subscribing: "abonnement…",
    live: "en direct",
    reconnecting: "reconnexion…",
  };
  els.connFeed.textContent = `Flux : ${texts[detail.state] || detail.state}`;
  els.connFeed.dataset.state = detail.state;
}

admin.addEventListener("state", (ev) => {
  renderAdminState(ev.detail);
  updateComposerState();
});

// The console session (cookie): its CSRF token, for REST writes.
let csrfToken = null;
const newsroom = new NewsroomPanel(() => csrfToken, announce);

const desk = new DeskPanel({
  admin,
  identity: () => S.identity,
  onOpen: (item) => openDeskItem(item),
  onChange: () => renderEditBanner(),
  announce,
  errorText: (err) => errorText(err),
  panel: $("#desk-panel"),
  list: $("#desk-list"),
  msg: $("#desk-msg"),
  count: $("#desk-count"),
});

admin.addEventListener("authenticated", (ev) => {
  const id = ev.detail;
  newsroom.show(id);
  const first = !S.identity;
  S.identity = id;
  els.signinMsg.textContent = "";
  els.signin.hidden = true;
  els.workspace.hidden = false;
  els.whoami.hidden = false;
  renderWhoami();
  els.createDetails.hidden = Array.isArray(id.stories);
  if (first) {
    announce(`Connecté en tant que ${id.sub}.`);
    loadStories();
  }
});

admin.addEventListener("authfail", (ev) => {
  const { code, message } = ev.detail;
  els.signin.hidden = false;
  if (admin.session) {
    // A session that ended (signed out elsewhere, revoked, expired): sign in again.
    csrfToken = null;
    els.signinMsg.textContent = SIGNIN_TEXT.session_ended;
    newsroom.show(null);
    els.emailInput.focus();
    return;
  }
  els.signinMsg.textContent = ERROR_TEXT[code] || message || "Connexion refusée.";
  els.tokenInput.setAttribute("aria-invalid", "true");
  if (code === "unauthorized" && !S.identity) storage("session")?.removeItem(TOKEN_KEY);
  renderWhoami();
  els.tokenInput.focus();
});

function renderWhoami() {
  const id = S.identity;
  if (!id) return;
  const expired = id.expires_at && new Date(id.expires_at) <= new Date();
  const roles = { admin: "admin", editor: "éditeur·rice", contributor: "contributeur·rice" };
  const parts = [id.sub, roles[id.role] || id.role];
  if (Array.isArray(id.stories)) parts.push(`directs : ${id.stories.join(", ") || "aucun"}`);
  if (id.expires_at) parts.push(expired ? "jeton expiré" : `expire le ${longTime(id.expires_at)}`);
  els.whoamiText.textContent = parts.join(" · ");
  els.whoami.classList.toggle("is-expired", !!expired);
}

setInterval(() => {
  if (!S.identity) return;
  renderWhoami();
  if (S.identity.expires_at && new Date(S.identity.expires_at) <= new Date() && els.signin.hidden) {
    els.signin.hidden = false;
    els.signinMsg.textContent = ERROR_TEXT.token_expired;
  }
}, 30000);

els.signinForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const email = els.emailInput.value.trim(), password = els.passwordInput.value;
  if (!email || !password) {
    els.signinMsg.textContent = "Saisissez votre e-mail et votre mot de passe.";
    (email ? els.passwordInput : els.emailInput).focus();
    return;
  }
  els.signinMsg.textContent = "Connexion…";
  try {
    const res = await apiRequest(null, "POST", "/api/session", { email, password });
    csrfToken = res.csrf_token;
    els.passwordInput.value = "";
    storage("session")?.removeItem(TOKEN_KEY);
    admin.startSession();
  } catch (err) {
    els.signinMsg.textContent = SIGNIN_TEXT[err.code] || err.message || "Connexion refusée.";
    els.passwordInput.setAttribute("aria-invalid", "true");
    els.passwordInput.focus();
  }
});

els.tokenForm.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const token = els.tokenInput.value.trim().replace(/^Bearer\s+/i, "").replace(/\s+/g, "");
  if (!token) {
    els.signinMsg.textContent = "Collez d’abord un jeton.";
    els.tokenInput.focus();
    return;
  }
  els.tokenInput.removeAttribute("aria-invalid");
  els.signinMsg.textContent = "Connexion…";
  storage("session")?.setItem(TOKEN_KEY, token);
  els.tokenInput.value = "";
  admin.start(token);
});

els.signout.addEventListener("click", () => {
  if (admin.session && csrfToken) apiRequest(csrfToken, "DELETE", "/api/session").catch(() => {});
  csrfToken = null;
  newsroom.show(null);
  admin.setEditing(null);
  admin.stop();
  feed.stop();
  storage("session")?.removeItem(TOKEN_KEY);
  S.identity = null;
  S.storyId = null;
  els.workspace.hidden = true;
  els.whoami.hidden = true;
  els.signin.hidden = false;
  els.signinMsg.textContent = "Déconnecté. Les brouillons restent enregistrés sur cet appareil.";
  els.emailInput.focus();
});

// ---------------------------------------------------------------------------
// Stories
// ---------------------------------------------------------------------------

function allowedStory(id) {
  return !S.identity || !Array.isArray(S.identity.stories) || S.identity.stories.includes(id);
}

async function loadStories() {
  els.storyMsg.textContent = "";
  try {
    const res = await fetch("/api/stories", { cache: "no-store", headers: { Accept: "application/json" } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = await res.json();
    S.stories = (body.stories || []).filter((s) => allowedStory(s.id));
  } catch (err) {
    els.storyMsg.textContent = `Impossible de charger la liste des directs (${err.message}).`;
  }
  renderStorySelect();
  const wanted = S.storyId || storage("local")?.getItem(STORY_KEY);
  const pick = S.stories.find((s) => s.id === wanted) || S.stories[0];
  if (pick) selectStory(pick.id);
  else {
    els.storyMsg.textContent = S.stories.length ? "" : "Aucun direct pour l’instant : créez-en un ci-dessous.";
    if (!S.stories.length) els.createDetails.open = true;
  }
}

function upsertStory(story) {
  const i = S.stories.findIndex((s) => s.id === story.id);
  if (i >= 0) S.stories[i] = { ...S.stories[i], ...story };
  else S.stories.unshift(story);
  renderStorySelect();
}

function renderStorySelect() {
  const sel = els.storySelect;
  sel.replaceChildren(
    h("option", { value: "", disabled: true, selected: !S.storyId, text: S.stories.length ? "Choisir un direct…" : "Aucun direct" }),
    ...S.stories.map((s) => h("option", {
      value: s.id, selected: s.id === S.storyId,
      text: `${s.title} — ${STATUS_LABELS[s.status] || s.status} (${s.id})`,
    })));
}

function currentStory() {
  if (feed.story && feed.story.id === S.storyId) return feed.story;
  return S.stories.find((s) => s.id === S.storyId) || null;
}

function selectStory(id) {
  if (!id) return;
  if (id !== S.storyId) otherEditors = [];
  S.storyId = id;
  S.storyFormDirty = false;
  S.conflict = null;
  S.flash = "";
  els.conflict.hidden = true;
  storage("local")?.setItem(STORY_KEY, id);
  renderStorySelect();
  els.storyForm.hidden = false;
  els.composerPanel.hidden = false;
  els.entriesPanel.hidden = false;
  els.storyLink.setAttribute("href", `/stories/${encodeURIComponent(id)}`);
  els.composerMsg.textContent = "";
  els.entriesMsg.textContent = "";
  renderStoryForm();
  desk.setStory(id);
  feed.follow(id);
  loadComposer();
  renderEntries();
  resumePending(id);
}

els.storySelect.addEventListener("change", () => selectStory(els.storySelect.value));
els.storyRefresh.addEventListener("click", () => loadStories());

// `saved`: the story an update_story ack returned, newer than the feed's
// until its story.updated arrives.
function renderStoryForm(saved) {
  const story = saved || currentStory();
  if (!story || S.storyFormDirty) return;
  els.storyTitle.value = story.title || "";
  els.storySummary.value = story.summary || "";
  for (const radio of els.storyForm.querySelectorAll('input[name="status"]')) radio.checked = radio.value === story.status;
  furniture.load(story);
}

els.storyForm.addEventListener("input", () => { S.storyFormDirty = true; els.storyFormMsg.textContent = ""; });

els.storyForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const story = currentStory();
  if (!story) return;
  const title = els.storyTitle.value.trim();
  const summary = els.storySummary.value.replace(/\r\n?/g, "\n").trim();
  const status = els.storyForm.querySelector('input[name="status"]:checked')?.value;
  if (!title) {
    els.storyFormMsg.textContent = "Le titre est obligatoire.";
    els.storyTitle.focus();
    return;
  }
  if (byteLength(summary) > LIMITS.maxSummaryBytes) {
    els.storyFormMsg.textContent = `Chapeau trop long (${LIMITS.maxSummaryBytes} octets au plus).`;
    els.storySummary.focus();
    return;
  }
  const invalid = furniture.validate();
  if (invalid) {
    els.storyFormMsg.textContent = "À corriger avant l’enregistrement (voir les champs signalés).";
    invalid.focus?.();
    return;
  }
  const cmd = { type: "update_story", story: story.id };
  if (title !== story.title) cmd.title = title;
  if (summary !== (story.summary || "")) cmd.summary = summary;
  if (status && status !== story.status) cmd.status = status;
  Object.assign(cmd, furniture.changes(story));
  if (Object.keys(cmd).length === 2) {
    S.storyFormDirty = false;
    els.storyFormMsg.textContent = "Aucun changement.";
    return;
  }
  els.storySave.disabled = true;
  els.storyFormMsg.textContent = "Enregistrement…";
  try {
    const ack = await admin.send(cmd);
    if (ack.story) upsertStory(ack.story);
    S.storyFormDirty = false;
    renderStoryForm(ack.story);
    els.storyFormMsg.textContent = `Direct enregistré (${STATUS_LABELS[ack.story?.status] || ""}).`;
    announce("Direct enregistré.");
  } catch (err) {
    els.storyFormMsg.textContent = errorText(err);
    if (err.code === "invalid_content") furniture.showServerError(err.message);
  } finally {
    els.storySave.disabled = false;
  }
});

els.createForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const slug = els.createSlug.value.trim();
  const title = els.createTitle.value.trim();
  const summary = els.createSummary.value.replace(/\r\n?/g, "\n").trim();
  els.createMsg.textContent = "";
  for (const el of [els.createSlug, els.createTitle]) el.removeAttribute("aria-invalid");
  if (!/^[a-z0-9-]{1,64}$/.test(slug)) {
    els.createMsg.textContent = ERROR_TEXT.invalid_slug;
    els.createSlug.setAttribute("aria-invalid", "true");
    els.createSlug.focus();
    return;
  }
  if (!title) {
    els.createMsg.textContent = "Le titre est obligatoire.";
    els.createTitle.setAttribute("aria-invalid", "true");
    els.createTitle.focus();
    return;
  }
  const cmd = { type: "create_story", story: slug, title, lang: els.createLang.value, status: "live" };
  if (summary) cmd.summary = summary;
  const button = els.createForm.querySelector("button[type=submit]");
  button.disabled = true;
  els.createMsg.textContent = "Création…";
  try {
    const ack = await admin.send(cmd);
    upsertStory(ack.story);
    els.createForm.reset();
    els.createMsg.textContent = "";
    els.createDetails.open = false;
    selectStory(ack.story.id);
    announce(`Direct « ${ack.story.title} » créé.`);
    els.storySelect.focus();
  } catch (err) {
    els.createMsg.textContent = errorText(err);
    if (err.code === "story_exists" && err.resent) {
      // Our first send may have created it before the connection dropped.
      els.createMsg.textContent = "Ce direct existe (peut-être créé par votre envoi précédent) : il est sélectionné.";
      await loadStories();
      selectStory(slug);
    }
  } finally {
    button.disabled = false;
  }
});

// ---------------------------------------------------------------------------
// Composer
// ---------------------------------------------------------------------------

let saveTimer = null;
let previewTimer = null;

function onComposerChange(kind) {
  els.composerMsg.textContent = "";
  S.flash = "";
  clearTimeout(saveTimer);
  const storyId = S.storyId;
  saveTimer = setTimeout(() => { saveDrafts(storyId); renderDraftStatus(); }, kind === "structure" ? 0 : 300);
  clearTimeout(previewTimer);
  previewTimer = setTimeout(renderPreview, kind === "structure" ? 0 : 150);
}

// The other editors on this story (the server's `editors` list), and where they are.
let otherEditors = [];

admin.addEventListener("editors", (ev) => {
  if (ev.detail.story !== S.storyId) return;
  otherEditors = ev.detail.editors || [];
  renderEditors();
  renderEditBanner();
});

function renderEditors() {
  if (!otherEditors.length) {
    els.editorsLine.hidden = true;
    return;
  }
  const parts = otherEditors.map((e) => {
    const entry = e.entry_id ? feed.entries.get(e.entry_id) : null;
    return e.entry_id ? `${e.name} (modifie « ${entry ? entryLabel(entry) : "une entrée"} »)` : e.name;
  });
  els.editorsLine.textContent = `Aussi sur ce direct : ${parts.join(", ")}.`;
  els.editorsLine.hidden = false;
}

function loadComposer() {
  const draft = activeDraft();
  composer.load(draft);
  const editing = activeSlot() === "edit";
  admin.setEditing(S.storyId, editing ? draft.entry_id || draft.desk_id : null);
  els.composerTitle.textContent = draft.desk_id ? "Élément du desk" : editing ? "Modifier l’entrée" : "Nouvelle entrée";
  els.pinLabel.textContent = editing ? "Épinglée" : "Épingler à la publication";
  els.discard.textContent = editing ? "Annuler la modification" : "Effacer le brouillon";
  renderEditBanner();
  updateComposerState();
  renderPreview();
}

function renderEditBanner() {
  if (!S.storyId) return;
  const draft = activeDraft();
  els.correctionBox.hidden = !draft.entry_id;
  if (draft.desk_id) {
    // A desk item open here: say when it changed or left the desk meanwhile.
    const now = desk.get(draft.desk_id);
    let text = "";
    if (inflight.has(draft.key)) text = ""; // our own send: its changes come back before its ack
    else if (desk.loaded && !now) text = "Cet élément a quitté le desk entre-temps (publié ou supprimé) : l’enregistrer échouera. « Annuler la modification » pour repartir.";
    else if (now && now.version > draft.desk_version) text = `Cet élément a été modifié depuis que vous l’avez ouvert (version ${now.version}) : rouvrez-le depuis le desk pour repartir de la dernière version.`;
    els.editBanner.textContent = text;
    els.editBanner.classList.toggle("notice-warn", !!text);
    els.editBanner.hidden = !text;
    return;
  }
  if (!draft.entry_id) {
    els.editBanner.hidden = true;
    els.correctionCheck.checked = false;
    els.correctionNote.value = "";
    return;
  }
  const current = feed.entries.get(draft.entry_id);
  let text = `Modification de l’entrée publiée à ${shortTime(draft.base?.published_at)} (version ${draft.base_version}).`;
  let warn = false;
  if (feed.deleted.has(draft.entry_id)) {
    text += " Elle a été supprimée depuis : l’enregistrement échouera.";
    warn = true;
  } else if (current && current.version > draft.base_version) {
    text += ` Elle a changé depuis (version ${current.version}) : l’enregistrement signalera un conflit.`;
    warn = true;
  }
  const alsoEditing = otherEditors.filter((e) => e.entry_id === draft.entry_id).map((e) => e.name);
  if (alsoEditing.length) {
    text += ` Attention : ${alsoEditing.join(", ")} modifie aussi cette entrée ; le premier enregistrement l’emporte, l’autre verra un conflit.`;
    warn = true;
  }
  els.editBanner.textContent = text;
  els.editBanner.classList.toggle("notice-warn", warn);
  els.editBanner.hidden = false;
}

function updateComposerState() {
  if (!S.storyId) return;
  const draft = activeDraft();
  const sending = inflight.has(draft.key);
  composer.setBusy(sending);
  els.publish.disabled = sending;
  els.discard.disabled = sending;
  els.publish.setAttribute("aria-busy", sending ? "true" : "false");
  const editingEntry = !!draft.entry_id;
  const reviewer = isReviewer();
  if (sending) {
    els.publish.textContent = admin.state === "ready" ? "Envoi…" : "En attente de connexion…";
  } else {
    els.publish.textContent = editingEntry ? "Enregistrer la modification" : reviewer ? "Publier" : "Soumettre pour relecture";
  }
  // The desk (drafts, review, schedules) is for new entries and desk items, not published ones.
  els.saveDraft.hidden = editingEntry;
  els.saveDraft.disabled = sending;
  els.scheduleGroup.hidden = editingEntry || !reviewer;
  els.schedule.disabled = sending;
  const hint = draft.desk_id
    ? `Élément du desk (${{ draft: "brouillon", in_review: "à relire", scheduled: "programmé" }[draft.desk_state] || draft.desk_state}) : les lecteurs ne le voient pas avant sa publication.`
    : !editingEntry && !reviewer ? "Vos entrées passent par la relecture d’un·e éditeur·rice avant d’être publiées." : "";
  els.deskHint.textContent = hint;
  els.deskHint.hidden = !hint;
  renderDraftStatus();
}

function renderDraftStatus() {
  if (!S.storyId) return;
  const draft = activeDraft();
  let text;
  if (inflight.has(draft.key)) {
    text = admin.state === "ready"
      ? "Envoi en cours…"
      : "Hors connexion : l’envoi partira à la reconnexion, avec la même clé (pas de doublon).";
  } else if (S.flash) {
    text = S.flash;
  } else if (lastSaved) {
    text = `Brouillon enregistré sur cet appareil à ${lastSaved.toLocaleTimeString("fr-FR")}.`;
  } else {
    text = "";
  }
  els.draftStatus.textContent = text;
  els.draftStatus.title = draft.entry_id ? `Entrée ${draft.entry_id}` : `Clé d’idempotence ${draft.key}`;
}

function renderPreview() {
  if (!S.storyId) return;
  const draft = activeDraft();
  const content = draftContent(draft);
  const entry = {
    ...content,
    pinned: draft.pinned,
    published_at: draft.base?.published_at || new Date().toISOString(),
    author: draft.base?.author || { name: S.identity?.sub || "" },
  };
  const hasContent = content.title || !isDraftEmpty(draft);
  els.preview.replaceChildren(hasContent
    ? entryView(entry, { preview: true })
    : h("p", { class: "hint", text: "L’aperçu apparaît ici pendant la saisie." }));
}

els.entryForm.addEventListener("submit", (ev) => {
  ev.preventDefault();
  publish();
});

els.discard.addEventListener("click", () => {
  const storyId = S.storyId;
  const drafts = getDrafts(storyId);
  const draft = activeDraft();
  if (inflight.has(draft.key)) return;
  if (drafts.edit) {
    const changed = !sameContent(draft, draft.base) || draft.pinned !== !!draft.base?.pinned;
    if (changed && !window.confirm("Abandonner vos modifications de cette entrée ?")) return;
    drafts.edit = null;
    announce("Modification annulée.");
  } else {
    if (!isDraftEmpty(draft) && !window.confirm("Effacer ce brouillon ? Son contenu sera perdu.")) return;
    drafts.new = newDraft();
    announce("Brouillon effacé.");
  }
  S.conflict = null;
  els.conflict.hidden = true;
  saveDrafts(storyId);
  loadComposer();
  $("#entry-title").focus();
});

function isReviewer() {
  return !!S.identity && (S.identity.role === "editor" || S.identity.role === "admin");
}

// ---------------------------------------------------------------------------
// The desk from the composer: save a draft, submit it, schedule it, publish it
// (editor-desk.js lists the items and their one-click actions).
// ---------------------------------------------------------------------------

function openDeskItem(item) {
  const storyId = S.storyId;
  const drafts = getDrafts(storyId);
  const current = activeDraft(storyId);
  if (inflight.has(current.key)) {
    els.composerMsg.textContent = "Attendez la fin de l’envoi en cours.";
    return;
  }
  if (drafts.edit && drafts.edit.desk_id !== item.id) {
    const changed = !sameContent(drafts.edit, drafts.edit.base) || drafts.edit.pinned !== !!drafts.edit.base?.pinned;
    if (changed && !window.confirm("Abandonner la modification en cours ?")) return;
  }
  const d = draftFromEntry(item);
  delete d.entry_id;
  delete d.base_version;
  drafts.edit = { ...d, desk_id: item.id, desk_version: item.version, desk_state: item.state };
  if (item.publish_at) els.scheduleAt.value = isoToLocalInput(item.publish_at);
  S.conflict = null;
  els.conflict.hidden = true;
  saveDrafts(storyId);
  loadComposer();
  els.composerPanel.scrollIntoView({ block: "start" });
  $("#entry-title").focus();
  announce(`« ${desk.label(item)} » ouvert dans l’éditeur.`);
}

function composerErrors(draft) {
  const errors = validateDraft(draft).map((e) => parseErrorPath(`${e.path}: ${e.message}`)).filter(Boolean);
  if (!errors.length) return false;
  const target = composer.showErrors(errors);
  els.composerMsg.textContent = `À corriger avant l’envoi : ${errors.length} problème${errors.length > 1 ? "s" : ""}.`;
  if (target) target.focus();
  return true;
}

const DESK_DONE = {
  save: "Enregistré sur le desk.",
  submit: "Soumis pour relecture : un·e éditeur·rice le publiera.",
  schedule: "Programmé.",
  publish: "Entrée publiée.",
};

/** mode: save | submit | schedule | publish (publish: a desk item, with the composer's last edits). */
async function deskSend(mode) {
  const storyId = S.storyId;
  if (!storyId) return;
  const draft = activeDraft(storyId);
  if (inflight.has(draft.key) || draft.entry_id) return;
  els.composerMsg.textContent = "";
  if (composerErrors(draft)) return;
  let at = null;
  if (mode === "schedule") {
    at = localInputToIso(els.scheduleAt.value);
    if (!at || new Date(at) <= new Date()) {
      els.composerMsg.textContent = "Choisissez une date et une heure à venir pour programmer l’entrée.";
      els.scheduleAt.focus();
      return;
    }
  }
  inflight.add(draft.key);
  updateComposerState();
  const content = { ...draftContent(draft), pinned: !!draft.pinned };
  let id = draft.desk_id, version = draft.desk_version, saved = false;
  try {
    if (mode === "publish") {
      await admin.send({ type: "publish_draft", story: storyId, draft_id: id, expected_version: version,
                         ...content, title: content.title ?? null });
    } else {
      const changed = !id || !sameContent(draft, draft.base) || draft.pinned !== !!draft.base?.pinned;
      if (changed) {
        const ack = await admin.send(id
          ? { type: "save_draft", story: storyId, draft_id: id, expected_version: version, ...content, title: content.title ?? null }
          : { type: "save_draft", story: storyId, ...content });
        id = ack.draft_id;
        version = ack.version;
        saved = true;
        if (draft.desk_id) draft.desk_version = version;
      }
      if (mode === "submit") await admin.send({ type: "submit_draft", story: storyId, draft_id: id, expected_version: version });
      if (mode === "schedule")
        await admin.send({ type: "schedule_draft", story: storyId, draft_id: id, expected_version: version, publish_at: at });
    }
    finishDraft(storyId, draft);
    const msg = mode === "schedule" ? `Programmé pour ${longTime(at)}.` : DESK_DONE[mode];
    if (storyId === S.storyId) { S.flash = msg; renderDraftStatus(); }
    announce(msg);
  } catch (err) {
    if (err.code === "cancelled") return;
    // Saved, then the next step refused: the item is on the desk; say why it did not go further.
    if (saved) finishDraft(storyId, draft);
    failDraft(storyId, draft, err);
  } finally {
    inflight.delete(draft.key);
    if (storyId === S.storyId) updateComposerState();
  }
}

els.saveDraft.addEventListener("click", () => deskSend("save"));
els.schedule.addEventListener("click", () => deskSend("schedule"));

function publish() {
  const storyId = S.storyId;
  if (!storyId) return;
  const draft = activeDraft(storyId);
  if (inflight.has(draft.key)) return; // a second click while the first is in flight
  // Desk items are published from the desk; a contributor's work goes through review.
  if (draft.desk_id) return deskSend(isReviewer() ? "publish" : "submit");
  if (!draft.entry_id && !isReviewer()) return deskSend("submit");
  els.composerMsg.textContent = "";
  if (composerErrors(draft)) return;
  const story = currentStory();
  if (story && story.status === "ended" && !draft.entry_id) {
    els.composerMsg.textContent = ERROR_TEXT.story_ended;
    return;
  }
  draft.pending = true;
  saveDrafts(storyId);
  sendDraft(storyId, draft);
}

/** Drafts left "pending" (sent, no answer yet) by a reload or a lost connection go again, same key. */
function resumePending(storyId) {
  const draft = activeDraft(storyId);
  if (draft.pending && !inflight.has(draft.key)) {
    els.composerMsg.textContent = "Un envoi n’avait pas reçu de réponse : il repart avec la même clé (aucun doublon possible).";
    sendDraft(storyId, draft);
  }
}

async function sendDraft(storyId, draft) {
  inflight.add(draft.key);
  updateComposerState();
  let done = false;
  try {
    done = draft.entry_id ? await sendEdit(storyId, draft) : await sendNew(storyId, draft);
  } finally {
    inflight.delete(draft.key);
    if (storyId === S.storyId) {
      updateComposerState();
      // The disabled fieldset and button dropped the focus: give it back.
      if (!document.activeElement || document.activeElement === document.body) {
        (done ? $("#entry-title") : els.publish).focus();
      }
    }
  }
}

function finishDraft(storyId, draft) {
  const drafts = getDrafts(storyId);
  if (drafts.edit && drafts.edit.key === draft.key) drafts.edit = null;
  if (drafts.new.key === draft.key) drafts.new = newDraft();
  saveDrafts(storyId);
  if (storyId === S.storyId) {
    S.conflict = null;
    els.conflict.hidden = true;
    loadComposer();
  }
}

function failDraft(storyId, draft, err) {
  draft.pending = false;
  saveDrafts(storyId);
  if (storyId !== S.storyId) return;
  const loc = err.code === "invalid_content" ? parseErrorPath(err.message) : null;
  let target = null;
  if (loc) target = composer.showErrors([loc]);
  els.composerMsg.textContent = errorText(err);
  // The fieldset is still disabled here; focus once sendDraft re-enabled it.
  if (target) setTimeout(() => target.focus(), 0);
}

async function sendNew(storyId, draft) {
  const content = draftContent(draft);
  const cmd = { type: "post_entry", story: storyId, ...content, idempotency_key: draft.key };
  if (draft.pinned) cmd.pinned = true;
  try {
    const ack = await admin.send(cmd);
    finishDraft(storyId, draft);
    const msg = ack.duplicate
      ? "Entrée déjà publiée par un envoi précédent : aucun doublon créé."
      : "Entrée publiée.";
    if (storyId === S.storyId) {
      els.composerMsg.textContent = "";
      S.flash = msg;
      renderDraftStatus();
    }
    announce(msg);
    return true;
  } catch (err) {
    if (err.code === "cancelled") return false;
    failDraft(storyId, draft, err);
    return false;
  }
}

async function sendEdit(storyId, draft) {
  const current = feed.storyId === storyId ? feed.entries.get(draft.entry_id) : null;
  const reference = current && current.version === draft.base_version ? current : draft.base;
  const contentChanged = !sameContent(draft, reference);
  const pinnedNow = current ? !!current.pinned : !!draft.base?.pinned;
  const pinChanged = draft.pinned !== pinnedNow;
  if (!contentChanged && !pinChanged) {
    draft.pending = false;
    saveDrafts(storyId);
    if (storyId === S.storyId) els.composerMsg.textContent = "Aucune modification à enregistrer.";
    return false;
  }
  try {
    if (contentChanged) {
      const content = draftContent(draft);
      const msg = {
        type: "update_entry", story: storyId, entry_id: draft.entry_id, expected_version: draft.base_version,
        blocks: content.blocks, key_event: content.key_event, title: content.title ?? null,
      };
      // A public correction: the note appears under the entry on every reader's page.
      const note = els.correctionNote.value.trim();
      if (els.correctionCheck.checked && note) msg.correction = note;
      if (draft.restores) msg.restores = draft.restores;
      const ack = await admin.send(msg);
      els.correctionCheck.checked = false;
      els.correctionNote.value = "";
      draft.base_version = ack.version;
      saveDrafts(storyId);
    }
    if (pinChanged) {
      await admin.send({ type: draft.pinned ? "pin_entry" : "unpin_entry", story: storyId, entry_id: draft.entry_id });
    }
    finishDraft(storyId, draft);
    announce("Modification enregistrée.");
    if (storyId === S.storyId) {
      S.flash = "Modification enregistrée.";
      renderDraftStatus();
    }
    return true;
  } catch (err) {
    if (err.code === "cancelled") return false;
    if (err.code === "version_conflict") {
      draft.pending = false;
      saveDrafts(storyId);
      const latest = feed.entries.get(draft.entry_id);
      if (latest && latest.version === err.reply.current_version && sameContent(draft, latest) && !pinChanged) {
        // Our own earlier send landed before its ack was lost: nothing to do.
        finishDraft(storyId, draft);
        S.flash = "Modification déjà enregistrée (envoi précédent).";
        renderDraftStatus();
        announce(S.flash);
        return true;
      }
      if (storyId === S.storyId) showConflict(storyId, draft, err.reply.current_version);
      return false;
    }
    failDraft(storyId, draft, err);
    return false;
  }
}

// ---------------------------------------------------------------------------
// Version conflicts: yours next to the current one, retry on top or discard.
// ---------------------------------------------------------------------------

function showConflict(storyId, draft, currentVersion) {
  S.conflict = { storyId, draft, entryId: draft.entry_id, currentVersion };
  els.composerMsg.textContent = "Conflit : quelqu’un a modifié cette entrée pendant que vous l’éditiez.";
  renderConflict();
  els.conflict.hidden = false;
  els.conflict.focus();
}

function renderConflict() {
  const c = S.conflict;
  if (!c || c.storyId !== S.storyId) return;
  const latest = feed.entries.get(c.entryId);
  const deleted = feed.deleted.has(c.entryId);
  if (latest && latest.version > c.currentVersion) c.currentVersion = latest.version;
  els.conflictText.textContent =
    `Vous êtes parti·e de la version ${c.draft.base_version} ; l’entrée est maintenant en version ${c.currentVersion}. ` +
    "Comparez, puis réappliquez votre version par-dessus la dernière (elle la remplacera) ou abandonnez vos modifications.";
  const mine = draftContent(c.draft);
  els.conflictMine.replaceChildren(entryView({ ...mine, pinned: c.draft.pinned, author: c.draft.base?.author, published_at: c.draft.base?.published_at }, { preview: true }));
  els.conflictTheirsTitle.textContent = `Version actuelle (v${c.currentVersion})`;
  if (deleted) {
    els.conflictTheirs.replaceChildren(h("p", { class: "notice notice-warn", text: "Cette entrée a été supprimée entre-temps." }));
  } else if (latest) {
    const behind = latest.version < c.currentVersion;
    const nodes = [entryView(latest, { preview: true })];
    if (behind) nodes.unshift(h("p", { class: "hint", text: `Mise à jour en cours (le flux montre encore la version ${latest.version})…` }));
    els.conflictTheirs.replaceChildren(...nodes);
  } else {
    els.conflictTheirs.replaceChildren(h("p", { class: "hint", text: "Version actuelle en cours de chargement…" }));
  }
  els.conflictRetry.disabled = deleted;
}

els.conflictRetry.addEventListener("click", () => {
  const c = S.conflict;
  if (!c) return;
  const latest = feed.entries.get(c.entryId);
  c.draft.base_version = Math.max(c.currentVersion, latest ? latest.version : 0);
  if (latest) c.draft.base = latest;
  S.conflict = null;
  els.conflict.hidden = true;
  c.draft.pending = true;
  saveDrafts(c.storyId);
  renderEditBanner();
  sendDraft(c.storyId, c.draft);
  els.publish.focus();
});

els.conflictDiscard.addEventListener("click", () => {
  const c = S.conflict;
  if (!c) return;
  const drafts = getDrafts(c.storyId);
  if (drafts.edit && drafts.edit.key === c.draft.key) drafts.edit = null;
  S.conflict = null;
  els.conflict.hidden = true;
  saveDrafts(c.storyId);
  loadComposer();
  els.composerMsg.textContent = "Modifications abandonnées ; la version actuelle est conservée.";
  $("#entry-title").focus();
});

// ---------------------------------------------------------------------------
// Entries (reader feed)
// ---------------------------------------------------------------------------

function entryLabel(entry) {
  if (entry.title) return entry.title;
  const first = (entry.blocks || []).find((b) => b.text || (b.items && b.items.length));
  const text = first ? (first.text || first.items[0]) : "";
  return text.length > 60 ? `${text.slice(0, 57)}…` : text || `entrée de ${shortTime(entry.published_at)}`;
}

function entryView(entry, { preview = false } = {}) {
  const badges = [];
  if (entry.pinned) badges.push(h("span", { class: "badge badge-pin", text: "Épinglée" }));
  if (entry.key_event) badges.push(h("span", { class: "badge badge-key", text: "Moment clé" }));
  const meta = h("p", { class: "entry-meta" },
    entry.published_at ? h("time", { datetime: entry.published_at, text: shortTime(entry.published_at) }) : null,
    entry.author?.name ? ` · ${entry.author.name}` : "",
    !preview && entry.version ? ` · v${entry.version}` : "",
    !preview && entry.version > 1 && entry.updated_at !== entry.published_at ? ` · modifiée à ${shortTime(entry.updated_at)}` : "",
    badges.length ? " " : null, badges);
  return h("article", { class: `entry${entry.key_event ? " is-key" : ""}${entry.pinned ? " is-pinned" : ""}` },
    meta,
    entry.title ? h("h3", { class: "entry-title", text: entry.title }) : null,
    h("div", { class: "entry-body" }, renderBlocks(entry.blocks || [])));
}

function renderEntries() {
  if (!S.storyId) return;
  const focusKey = document.activeElement?.dataset?.focusKey;
  const editingId = getDrafts(S.storyId).edit?.entry_id;
  const entries = feed.storyId === S.storyId ? feed.list() : [];
  const items = entries.map((entry) => {
    const label = entryLabel(entry);
    const busy = busyEntries.has(entry.id);
    return h("li", { class: `entry-card${entry.id === editingId ? " is-editing" : ""}`, "data-entry-id": entry.id },
      entryView(entry),
      h("div", { class: "entry-actions", role: "group", "aria-label": `Actions pour « ${label} »` },
        h("button", {
          type: "button", class: "btn btn-small", "aria-disabled": busy ? "true" : null, dataset: { focusKey: `edit:${entry.id}` },
          "aria-label": `Modifier « ${label} »`, text: entry.id === editingId ? "En cours d’édition" : "Modifier",
          onclick: () => editEntry(entry.id),
        }),
        h("button", {
          type: "button", class: "btn btn-small", "aria-disabled": busy ? "true" : null, dataset: { focusKey: `pin:${entry.id}` },
          "aria-pressed": entry.pinned ? "true" : "false",
          "aria-label": `${entry.pinned ? "Désépingler" : "Épingler"} « ${label} »`,
          text: entry.pinned ? "Désépingler" : "Épingler",
          onclick: () => togglePin(entry.id),
        }),
        h("button", {
          type: "button", class: "btn btn-small", dataset: { focusKey: `history:${entry.id}` },
          "aria-label": `Historique de « ${label} »`, text: "Historique",
          onclick: () => history.open(S.storyId, entry.id, label),
        }),
        h("button", {
          type: "button", class: "btn btn-small btn-danger", "aria-disabled": busy ? "true" : null, dataset: { focusKey: `delete:${entry.id}` },
          "aria-label": `Supprimer « ${label} »`, text: "Supprimer",
          onclick: () => deleteEntry(entry.id),
        })));
  });
  els.entryList.replaceChildren(...items);
  if (!items.length) {
    els.entryList.append(h("li", { class: "hint", text: feed.live || feed.story ? "Aucune entrée publiée pour l’instant." : "Chargement…" }));
  }
  els.loadMore.hidden = !(feed.storyId === S.storyId && feed.hasMore);
  renderFeedInfo();
  if (focusKey) {
    const el = els.entryList.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
    if (el) el.focus();
  }
}

function renderFeedInfo() {
  if (feed.storyId !== S.storyId) {
    els.feedInfo.textContent = "";
    return;
  }
  const n = feed.entries.size;
  const parts = [`${n} entrée${n > 1 ? "s" : ""} affichée${n > 1 ? "s" : ""}`];
  // The console follows the reader feed, so it counts itself among the viewers.
  if (feed.viewers !== null) parts.push(`${feed.viewers} lecteur${feed.viewers > 1 ? "s" : ""} en ligne (cette console comprise)`);
  if (feed.seq !== null) parts.push(`seq ${feed.seq}`);
  els.feedInfo.textContent = parts.join(" · ");
}

feed.addEventListener("state", (ev) => { renderFeedState(ev.detail); renderEntries(); });
feed.addEventListener("presence", () => renderFeedInfo());
feed.addEventListener("error", (ev) => {
  els.entriesMsg.textContent = `Flux : ${errorText(ev.detail)}`;
});
feed.addEventListener("change", (ev) => {
  if (feed.story && feed.storyId === S.storyId) {
    upsertStory(feed.story);
    renderStoryForm();
  }
  renderEntries();
  if (S.storyId) renderEditBanner();
  if (S.conflict) renderConflict();
  if (ev.detail.reason === "entry.created" || ev.detail.reason === "entry.updated") els.entriesMsg.textContent = "";
});

els.loadMore.addEventListener("click", async () => {
  els.loadMore.disabled = true;
  try {
    await feed.loadMore();
  } catch (err) {
    els.entriesMsg.textContent = `Chargement impossible (${err.message}).`;
  } finally {
    els.loadMore.disabled = false;
  }
});

// The history dialog: GETs go with the session cookie, or the pasted token.
const history = new HistoryDialog(
  () => (admin.token ? { Authorization: `Bearer ${admin.token}` } : {}),
  (rev, entryId) => restoreRevision(rev, entryId));

/** Loads a revision into the composer as an edit of its entry (saving makes a new version). */
function restoreRevision(rev, entryId) {
  const target = feed.entries.get(entryId);
  if (!target) {
    els.composerMsg.textContent = "Cette entrée n’est plus dans le flux : impossible de la restaurer ici.";
    return;
  }
  editEntry(target.id);
  const drafts = getDrafts(S.storyId);
  const restored = draftFromEntry({ ...target, title: rev.title, key_event: rev.key_event, blocks: rev.blocks });
  drafts.edit = { ...restored, base: target, base_version: target.version, restores: rev.version };
  saveDrafts(S.storyId);
  loadComposer();
  renderEntries();
  announce(`Version ${rev.version} chargée : vérifiez puis enregistrez pour la restaurer.`);
}

function editEntry(entryId) {
  const storyId = S.storyId;
  const entry = feed.entries.get(entryId);
  if (!entry) return;
  const drafts = getDrafts(storyId);
  const current = activeDraft(storyId);
  if (inflight.has(current.key)) {
    els.composerMsg.textContent = "Attendez la fin de l’envoi en cours.";
    return;
  }
  if (drafts.edit && drafts.edit.entry_id !== entryId) {
    const changed = !sameContent(drafts.edit, drafts.edit.base) || drafts.edit.pinned !== !!drafts.edit.base?.pinned;
    if (changed && !window.confirm("Abandonner la modification en cours d’une autre entrée ?")) return;
  }
  if (!drafts.edit || drafts.edit.entry_id !== entryId) drafts.edit = draftFromEntry(entry);
  S.conflict = null;
  els.conflict.hidden = true;
  saveDrafts(storyId);
  loadComposer();
  renderEntries();
  els.composerPanel.scrollIntoView({ block: "start" });
  $("#entry-title").focus();
  announce(`Modification de « ${entryLabel(entry)} ». Le brouillon de nouvelle entrée est conservé.`);
}

async function togglePin(entryId) {
  const storyId = S.storyId;
  const entry = feed.entries.get(entryId);
  if (!entry || busyEntries.has(entryId)) return;
  busyEntries.add(entryId);
  renderEntries();
  const pin = !entry.pinned;
  try {
    await admin.send({ type: pin ? "pin_entry" : "unpin_entry", story: storyId, entry_id: entryId });
    announce(pin ? "Entrée épinglée." : "Entrée désépinglée.");
  } catch (err) {
    if (err.code !== "cancelled") els.entriesMsg.textContent = errorText(err);
  } finally {
    busyEntries.delete(entryId);
    renderEntries();
  }
}

async function deleteEntry(entryId) {
  const storyId = S.storyId;
  const entry = feed.entries.get(entryId);
  if (!entry || busyEntries.has(entryId)) return;
  if (!window.confirm(`Supprimer « ${entryLabel(entry)} » ? Elle disparaîtra aussitôt chez les lecteurs.`)) return;
  busyEntries.add(entryId);
  renderEntries();
  let expected = entry.version;
  try {
    for (;;) {
      try {
        await admin.send({ type: "delete_entry", story: storyId, entry_id: entryId, expected_version: expected });
        announce("Entrée supprimée.");
        break;
      } catch (err) {
        if (err.code === "version_conflict" &&
            window.confirm(`Cette entrée a été modifiée entre-temps (version ${err.reply.current_version}). La supprimer quand même ?`)) {
          expected = err.reply.current_version;
          continue;
        }
        if (err.code === "unknown_entry") {
          announce("Entrée déjà supprimée.");
          break;
        }
        if (err.code !== "version_conflict" && err.code !== "cancelled") els.entriesMsg.textContent = errorText(err);
        break;
      }
    }
  } finally {
    busyEntries.delete(entryId);
    renderEntries();
  }
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

renderAdminState();
renderFeedState();
loadRenderer().then((name) => {
  els.previewRenderer.textContent = name === "render.js" ? "(rendu des pages lecteur)" : "(rendu simplifié)";
  renderPreview();
  renderEntries();
  if (S.conflict) renderConflict();
});

// Already signed in (a session cookie from an earlier visit)? Else a token of this tab, else the form.
fetch("/api/session", { credentials: "same-origin" })
  .then((res) => (res.ok ? res.json() : null))
  .catch(() => null)
  .then((me) => {
    if (me && me.principal?.credential === "session") {
      csrfToken = me.csrf_token;
      els.signinMsg.textContent = "Reconnexion…";
      admin.startSession();
      return;
    }
    const saved = storage("session")?.getItem(TOKEN_KEY);
    if (saved) {
      els.signinMsg.textContent = "Reconnexion avec le jeton de cette session…";
      admin.start(saved);
    } else {
      els.emailInput.focus();
    }
  });
