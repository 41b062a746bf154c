"use strict";
// The platforms' console: log a call from the keyboard and see its outcome at once, work the answering
// machine's messages, follow a request's story; coordinators also read the directory, fairness and observatory.
// Every word shown comes from the platform summary (/platforms/{p}/policy): names and French labels, never codes.
const $ = (id) => document.getElementById(id);
const session = { platform: sessionStorage.getItem("platform"), token: sessionStorage.getItem("token"), policy: null,
  matching: null, view: "log" };
const L = (table, code) => (session.policy && session.policy.labels[table][code]) || "—";

class ApiError extends Error {
  constructor(status, body) {
    super(frenchError(status, body));
    this.status = status;
    this.code = body && body.error;
    this.fields = fieldsOf(body);
  }
}
// The paths of the fields an error answer refuses ("contact.phone"), from the APIs' {error, detail, fields} body.
const fieldsOf = (body) => (body && Array.isArray(body.fields) ? body.fields : []).map((f) => String(f.field).replace(/^body\./, ""));

const FIELD_LABELS = { activity: "Activité", commune: "Commune", "contact.name": "Nom de l'usager",
  "contact.phone": "Téléphone (un numéro français ou belge, par exemple 05 55 12 34 56)", "contact.address": "Adresse",
  "contact.email": "Courriel", contact: "Téléphone",
  topic_asked: "Sujet", answer: "Réponse donnée", outcome: "Suite donnée" };
const BY_CODE = {
  unknown_activity: "Cette activité n'est pas proposée par la plateforme : choisissez-la dans la liste.",
  unknown_commune: "Cette commune n'est pas desservie par la plateforme : choisissez-la dans la liste.",
  not_waiting: "Ce message a déjà été traité.",
  already_cancelled: "Cette demande est déjà annulée.",
  conflict: "Quelqu'un d'autre vient de modifier cette fiche : la page est mise à jour.",
};
// What a person reads for an error answer: the API's French sentence where it has one, else ours; never JSON.
function frenchError(status, body) {
  if (status === 0) return "Le service ne répond pas : vérifiez la connexion et réessayez.";
  if (status === 401) return "Votre jeton d'accès n'est plus valide (révoqué ou expiré) : connectez-vous de nouveau.";
  if (status === 403) return "Votre rôle ne donne pas accès à cette partie de la console.";
  const code = body && body.error;
  if (code && BY_CODE[code]) return BY_CODE[code];
  const names = [...new Set(fieldsOf(body).map((field) => FIELD_LABELS[field]).filter(Boolean))];
  if (names.length) return `Vérifiez : ${names.join(", ")}.`;
  // The APIs' error body {error, detail, fields} carries a French sentence for people in detail.
  if (body && Array.isArray(body.fields) && typeof body.detail === "string" && body.detail) return body.detail;
  if (status === 404) return "Introuvable : la fiche n'existe pas sur cette plateforme.";
  if (status === 409) return "Déjà fait : la page est mise à jour.";
  if (status === 429) return "Trop de demandes : patientez quelques secondes.";
  if (status >= 500) return "Le service a rencontré un problème : réessayez ; si cela dure, prévenez la coordination.";
  return "La demande a été refusée : vérifiez les champs.";
}

// A person signed in calls every service with their session cookie (and, to change anything, the CSRF token the
// sign-in left in a readable cookie); a machine or a developer with an API token sends it as a bearer token.
const cookie = (name) => (document.cookie.split("; ").find((c) => c.startsWith(`${name}=`)) || "").slice(name.length + 1);
function credentials(method) {
  if (session.token) return { headers: { Authorization: `Bearer ${session.token}` } };
  const unsafe = !["GET", "HEAD"].includes((method || "GET").toUpperCase());
  return { credentials: "include", headers: unsafe ? { "X-CSRF-Token": decodeURIComponent(cookie("relais_csrf")) } : {} };
}
async function api(path, options = {}) {
  let response;
  const auth = credentials(options.method);
  try {
    response = await fetch(path, { ...options, credentials: auth.credentials || "same-origin",
      headers: { "Content-Type": "application/json", ...auth.headers, ...(options.headers || {}) } });
  } catch (error) {
    throw new ApiError(0, null);
  }
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new ApiError(response.status, body);
    if (response.status === 401) signOut(error.message);
    throw error;
  }
  return body;
}
const base = () => `/platforms/${encodeURIComponent(session.platform)}`;
const matching = (path) => `${session.matching}${base()}${path}`;
const text = (value) => document.createTextNode(value == null ? "" : String(value));
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value; else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.appendChild(typeof child === "object" && child ? child : text(child));
  return node;
}
// A table row; each cell carries its column's name for the phone layout (cards).
function row(table, cells) {
  const heads = [...$(table).closest("table").querySelectorAll("thead th")].map((th) => th.textContent);
  return el("tr", {}, ...cells.map((cell, i) => el("td", heads[i] ? { "data-label": heads[i] } : {}, cell)));
}
const emptyRow = (table, message) => el("tr", {}, el("td", { colspan: "8", class: "muted" }, message));

const when = (iso, options = { dateStyle: "short", timeStyle: "short" }) => iso
  ? new Date(iso).toLocaleString("fr-FR", { timeZone: session.policy.timezone, ...options }) : "—";
// Recent times as a person says them: "aujourd'hui 14:05", "hier 09:30", else "05/03/26 15:20" (platform time).
function shortWhen(iso) {
  if (!iso) return "—";
  const zone = session.policy.timezone;
  const dayOf = (d) => d.toLocaleDateString("fr-FR", { timeZone: zone });
  const at = new Date(iso); const now = new Date(); const yesterday = new Date(now.getTime() - 86400000);
  const time = at.toLocaleTimeString("fr-FR", { timeZone: zone, hour: "2-digit", minute: "2-digit" });
  if (dayOf(at) === dayOf(now)) return `aujourd'hui ${time}`;
  if (dayOf(at) === dayOf(yesterday)) return `hier ${time}`;
  return `${at.toLocaleDateString("fr-FR", { timeZone: zone, day: "2-digit", month: "2-digit", year: "2-digit" })} ${time}`;
}
const activityLabel = (code) => (session.policy.activities.find((a) => a.code === code) || {}).label || "activité non précisée";
const communeName = (code) => (session.policy.communes.find((c) => c.code === code) || {}).name || "commune non précisée";
const sectorName = (code) => (session.policy.sectors.find((s) => s.code === code) || {}).name || "secteur non précisé";

// --- type-ahead: labels, synonyms, commune names and postal codes, accents and case ignored ---------------
const fold = (value) => String(value || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
function activityCode(typed) {
  const wanted = fold(typed);
  if (!wanted) return null;
  const all = session.policy.activities;
  const exact = all.find((a) => fold(a.label) === wanted || a.code === typed || a.synonyms.some((s) => fold(s) === wanted));
  if (exact) return exact.code;
  const close = all.filter((a) => fold(a.label).includes(wanted) || a.synonyms.some((s) => fold(s).includes(wanted)));
  return close.length === 1 ? close[0].code : null;
}
function communeCode(typed) {
  const wanted = fold(typed).replace(/\s*\(.*\)$/, "");
  if (!wanted) return null;
  const all = session.policy.communes;
  const exact = all.filter((c) => fold(c.name) === wanted || c.code === typed.trim() || c.postal_codes.includes(wanted));
  if (exact.length === 1) return exact[0].code;
  const close = all.filter((c) => fold(c.name).startsWith(wanted));
  return close.length === 1 ? close[0].code : null;
}
const communeOption = (c) => new Option(c.postal_codes.length ? `${c.name} (${c.postal_codes.join(", ")})` : c.name, "");
function fillChoices() {
  $("activities").replaceChildren(...session.policy.activities.map((a) => {
    const option = new Option(a.label);
    if (a.synonyms.length) option.label = a.synonyms.join(", ");
    return option;
  }));
  $("communes").replaceChildren(...session.policy.communes.map((c) => {
    const option = communeOption(c); option.value = option.text; return option;
  }));
  $("topic").replaceChildren(...topicOptions());
  $("visit-topic").replaceChildren(...topicOptions());
  $("visit-commune").replaceChildren(new Option("non précisée", ""), ...session.policy.communes.map((c) => new Option(c.name, c.code)));
  $("visit-actions").replaceChildren(...Object.entries(session.policy.labels.visit_actions).map(([code, label]) =>
    el("label", {}, el("input", { type: "checkbox", name: "actions", value: code }), label)));
  $("fragile").replaceChildren(...Object.entries(session.policy.labels.fragile_publics).map(([code, label]) =>
    el("label", {}, el("input", { type: "checkbox", name: "fragile", value: code }), label)));
}

// --- sign-in, roles, views ---------------------------------------------------------------------------------
function signOut(message) {
  if (session.person) return signOutPerson(message);
  session.started = false;
  sessionStorage.removeItem("token");
  session.token = null;
  for (const timer of timers.splice(0)) clearInterval(timer);
  $("app").classList.add("hidden"); $("tabs").classList.add("hidden"); $("who").classList.add("hidden");
  $("logout").classList.add("hidden"); $("login").classList.remove("hidden");
  $("platform-name").textContent = "console des plateformes";
  if (session.platform) $("platform").value = session.platform;
  $("login-error").textContent = message || "";
  $("token").value = "";
  $("token").focus();
}
const timers = [];
// A person: back to the sign-in page, the session ended (or ending it first when they asked).
function signOutPerson(message) {
  for (const timer of timers.splice(0)) clearInterval(timer);
  if (message !== "Vous êtes déconnecté·e.") return window.location.assign("/connexion?fait=expire");
  const form = el("form", { method: "post", action: "/deconnexion", class: "hidden" },
    el("input", { type: "hidden", name: "csrf_token", value: decodeURIComponent(cookie("relais_csrf")) }));
  document.body.appendChild(form);
  form.submit();
}

async function start() {
  if (!session.platform || (!session.token && !session.person)) return signOut("");
  try {
    session.policy = await api(`${base()}/policy`);
  } catch (error) {
    if (error.status === 401 && !session.started) signOut("Ce jeton d'accès n'est pas reconnu : vérifiez-le (copiez-le en entier) ou demandez-en un à la coordination.");
    else if (error.status !== 401) signOut(error.status === 404 || error.status === 403
      ? "Ce jeton ne donne pas accès à la console de cette plateforme : vérifiez la plateforme choisie." : error.message);
    return;
  }
  session.started = true;
  $("login").classList.add("hidden"); $("app").classList.remove("hidden"); $("tabs").classList.remove("hidden");
  $("logout").classList.remove("hidden");
  $("platform-name").textContent = session.policy.name;
  $("who").textContent = session.person ? `${session.person.display_name} (${session.policy.role_label})`
    : `Connecté·e : ${session.policy.role_label}`;
  $("who").classList.remove("hidden");
  $("account-links").classList.toggle("hidden", !session.person);
  $("accounts-link").classList.toggle("hidden", !session.person || session.person.role !== "coordinator");
  const role = session.policy.role;
  for (const button of document.querySelectorAll("nav button")) {
    const allowed = button.dataset.roles.split(" ").includes(role)
      && (button.dataset.view !== "queue" || session.policy.answering_machine)
      && (button.dataset.view === "desk") === (session.policy.kind === "mediation_desk");
    button.classList.toggle("hidden", !allowed);
  }
  fillChoices();
  const first = document.querySelector("nav button:not(.hidden)");
  show(first.dataset.view);
  timers.push(setInterval(() => { if (session.view === "log") refreshList(); }, 3000));
  timers.push(setInterval(() => { if (session.view === "queue") showQueue(); }, 15000));
  timers.push(setInterval(() => { if (session.view === "desk") showDesk(); }, 5000));
}

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  session.platform = $("platform").value; session.token = $("token").value.trim();
  sessionStorage.setItem("platform", session.platform); sessionStorage.setItem("token", session.token);
  $("login-error").textContent = "";
  start();
});
$("logout").addEventListener("click", () => signOut("Vous êtes déconnecté·e."));

function show(view) {
  session.view = view;
  for (const button of document.querySelectorAll("nav button")) {
    if (button.dataset.view === view) button.setAttribute("aria-current", "page"); else button.removeAttribute("aria-current");
  }
  const calls = view === "log";
  $("view-log").classList.toggle("hidden", !calls);
  $("view-desk").classList.toggle("hidden", view !== "desk");
  $("view-emploi").classList.toggle("hidden", view !== "emploi");
  $("side").classList.toggle("hidden", view === "desk" || view === "emploi");
  $("app").classList.toggle("wide", !calls);
  for (const name of ["list", "queue", "observatory", "directory", "fairness"]) {
    $(`view-${name}`).classList.toggle("hidden", (name === "list" ? "log" : name) !== view);
  }
  if (view === "log") { refreshList(); $("activity").focus(); }
  if (view === "queue") showQueue();
  if (view === "observatory") showObservatory();
  if (view === "directory") showDirectory();
  if (view === "fairness") showFairness();
  if (view === "desk") showDesk();
  if (view === "emploi") showEmployment();  // employment.js
}
for (const button of document.querySelectorAll("nav button")) button.addEventListener("click", () => show(button.dataset.view));

// --- logging a call: one request per call (idempotency key), outcome announced at the top ------------------
let callKey = null;      // the key of the call being typed: a retry or a second Enter sends the same one
let followUp = null;     // the answering-machine message this call answers, if any

function setKind(kind) {
  $("kind").value = kind;
  const information = kind === "information";
  $("service-fields").classList.toggle("hidden", information);
  $("information-fields").classList.toggle("hidden", !information);
}
$("kind").addEventListener("change", () => setKind($("kind").value));

function resetCall() {
  $("call-form").reset();
  for (const field of document.querySelectorAll("#call-form [aria-invalid]")) field.removeAttribute("aria-invalid");
  setKind("service");
  callKey = null;
  followUp = null;
  $("callback-banner").classList.add("hidden");
}

function outcome(kind, ...children) {
  const box = $("outcome");
  box.className = `result ${kind}`;
  box.replaceChildren(...children);
  box.scrollIntoView({ block: "nearest" });
}

$("call-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const submit = $("submit");
  if (submit.disabled) return;
  const form = new FormData(event.target);
  const information = form.get("kind") === "information";
  let body;
  if (information) {
    if (!String(form.get("answer")).trim()) return outcome("error", el("p", {}, "Indiquez la réponse donnée à l'usager."));
    body = { channel: "phone", topic_asked: form.get("topic"), answer: form.get("answer") };
  } else {
    const activity = activityCode(form.get("activity")); const commune = communeCode(form.get("commune"));
    const missing = [!activity && "Activité (choisissez-la dans la liste)", !commune && "Commune (nom ou code postal)",
      !String(form.get("name")).trim() && "Nom de l'usager", !String(form.get("phone")).trim() && "Téléphone"].filter(Boolean);
    const wrong = { activity: !activity, commune: !commune, name: !String(form.get("name")).trim(), phone: !String(form.get("phone")).trim() };
    for (const [id, bad] of Object.entries(wrong)) {
      if (bad) $(id).setAttribute("aria-invalid", "true"); else $(id).removeAttribute("aria-invalid");
    }
    if (missing.length) {
      outcome("error", el("p", {}, `Vérifiez : ${missing.join(", ")}.`));
      $(!activity ? "activity" : !commune ? "commune" : !String(form.get("name")).trim() ? "name" : "phone").focus();
      return;
    }
    body = { channel: "phone", activity, commune, fragile_publics: form.getAll("fragile"),
      contact: { name: form.get("name"), phone: form.get("phone"), address: form.get("address") || null } };
  }
  callKey = callKey || crypto.randomUUID();
  submit.disabled = true;
  outcome("", el("p", {}, "Enregistrement…"));
  try {
    const created = await api(`${base()}/${information ? "information-calls" : "requests"}`, {
      method: "POST", body: JSON.stringify(body), headers: { "Idempotency-Key": callKey } });
    if (followUp) await closeMessage(followUp, information ? "information_given" : "request_logged", created.id);
    if (information) {
      outcome("assigned", el("strong", {}, "Appel d'information enregistré."),
        el("p", {}, `Sujet : ${topicLabel(body.topic_asked)}.`));
    } else {
      $("outcome").dataset.request = created.id;
      outcome("", el("strong", {}, "Demande enregistrée."), el("p", {}, "Recherche du prestataire…"));
      watch(created.id);
    }
    resetCall();
    $("activity").focus();
    refreshList();
  } catch (error) {
    outcome("error", el("strong", {}, "Rien n'a été enregistré."), el("p", {}, error.message));
    const inputs = { activity: "activity", commune: "commune", "contact.name": "name", "contact.phone": "phone",
      contact: "phone", "contact.address": "address", topic_asked: "topic", answer: "answer" };
    const wrong = error.fields.map((field) => inputs[field]).filter(Boolean);
    for (const id of wrong) $(id).setAttribute("aria-invalid", "true");
    if (wrong.length) $(wrong[0]).focus();
  } finally {
    submit.disabled = false;
  }
});

async function watch(requestId, tries = 0) {
  if ($("outcome").dataset.request !== requestId) return;
  let found = null;
  try { found = await api(`${base()}/requests/${requestId}`); } catch (error) { /* not projected yet */ }
  const status = found && found.status;
  if (found && found.provider_id && !["unmet", "cancelled", "oriented"].includes(status)) {  // assigned, or already further
    const [name, match] = await Promise.all([providerName(found.provider_id),
      api(matching(`/requests/${requestId}/match`)).catch(() => null)]);
    const deadline = match && match.deadline_at ? when(match.deadline_at, { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" }) : null;
    const phone = cardOf(found.provider_id).phone;
    outcome("assigned", el("strong", {}, `Prestataire désigné : ${name}${phone ? ` (${phone})` : ""}.`),
      el("p", {}, deadline ? `Il rappellera l'usager avant le ${deadline}.` : `Il rappellera l'usager sous ${session.policy.callback_hours} h.`),
      el("p", {}, openButton(requestId, "Voir la demande et la preuve du tour")));
  } else if (status === "oriented") {
    await loadCards();
    outcome("oriented", el("strong", {}, "Structures à indiquer à l'usager :"),
      el("ol", {}, ...found.oriented.map((p) => {
        const card = cardOf(p.provider_id);
        const where = p.distance_km < 0.5 ? "dans la commune" : `à ${String(p.distance_km).replace(".", ",")} km`;
        return el("li", {}, `${card.name || "structure"} — ${where}${card.phone ? ` — ${card.phone}` : ""}`);
      })));
  } else if (status === "unmet") {
    outcome("unmet", el("strong", {}, `Aucun prestataire : ${L("unmet_reasons", found.unmet_reason)}.`),
      el("p", {}, L("unmet_advice", found.unmet_reason)), el("p", {}, "La demande est inscrite à l'observatoire."));
  } else if (tries < 120) {
    setTimeout(() => watch(requestId, tries + 1), 150);
  } else {
    outcome("", el("strong", {}, "Demande enregistrée."), el("p", {}, "Toujours en attente d'un prestataire : elle reste visible dans la liste."));
  }
}

// --- providers by name (matching's provider cards) -----------------------------------------------------------
const cards = new Map();
async function loadCards(force = false) {
  if (cards.size && !force) return;
  const found = await api(matching("/provider-cards")).catch(() => []);
  for (const card of found) cards.set(card.provider_id, card);
}
const cardOf = (id) => cards.get(id) || {};
async function providerName(id) {
  if (!id) return "—";
  if (!cards.has(id)) await loadCards(true);
  return cardOf(id).name || "prestataire (nom indisponible)";
}

// --- the request list and the request page -----------------------------------------------------------------
const openButton = (id, label) => el("button", { type: "button", class: "link nowrap", "data-open": id }, label);
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-open]");
  if (button) openRequest(button.dataset.open);
});

async function refreshList() {
  let requests;
  try { requests = await api(`${base()}/requests?limit=20`); } catch (error) {
    $("requests").replaceChildren(emptyRow("requests", error.message)); return;
  }
  await loadCards(requests.some((r) => r.provider_id && !cards.has(r.provider_id)));
  $("requests").replaceChildren(...requests.map((r) => {
    const tr = row("requests", [openButton(r.request_id, shortWhen(r.logged_at)), r.kind === "information" ? "Information" : activityLabel(r.activity),
      r.commune ? communeName(r.commune) : "—", L("request_statuses", r.status), r.provider_id ? cardOf(r.provider_id).name || "—" : "—"]);
    tr.dataset.id = r.request_id;
    return tr;
  }));
  if (!requests.length) $("requests").replaceChildren(emptyRow("requests", "Aucune demande pour l'instant."));
}

async function openRequest(requestId) {
  if (session.view !== "log") show("log");
  let found, proof;
  try {
    [found, proof] = await Promise.all([api(`${base()}/requests/${requestId}`),
      api(matching(`/requests/${requestId}/proof`)).catch(() => [])]);
  } catch (error) { return outcome("error", el("p", {}, error.message)); }
  await loadCards([...proof.flatMap((p) => p.candidates), found.provider_id].some((id) => id && !cards.has(id)));
  const page = $("request-page");
  page.dataset.id = requestId;
  $("request-title").textContent = found.kind === "information" ? "Appel d'information" : `Demande de ${activityLabel(found.activity)}`;
  const facts = [["Reçue le", when(found.logged_at)], ["Par", L("channels", found.channel)],
    ["Commune", found.commune ? communeName(found.commune) : "—"], ["État", L("request_statuses", found.status)]];
  if (found.provider_id) facts.push(["Prestataire", cardOf(found.provider_id).name || "—"]);
  if (found.unmet_reason) facts.push(["Motif", L("unmet_reasons", found.unmet_reason)]);
  $("request-facts").replaceChildren(...facts.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
  $("request-proof").replaceChildren(...proof.map(proofBlock));
  $("timeline-events").replaceChildren(...found.timeline.map((e) => el("li", {}, el("time", { datetime: e.occurred_at }, when(e.occurred_at)),
    ` — ${e.summary.replace(/\bprv-[0-9a-z]+/g, (id) => cardOf(id).name || "un prestataire")}`)));
  $("request-contact").replaceChildren(el("button", { type: "button", class: "small", onclick: () => showContact(requestId) },
    "Afficher les coordonnées de l'usager"), el("span", { class: "muted" }, " (consultation enregistrée)"));
  const open = found.kind === "service" && !["cancelled", "done", "unmet"].includes(found.status);
  $("request-cancel").replaceChildren(...(open ? [el("button", { type: "button", class: "small", onclick: () => askCancel(requestId) },
    "Annuler la demande à la demande de l'usager")] : []));
  page.classList.remove("hidden");
  page.scrollIntoView({ block: "start" });
  page.focus();
}

function askCancel(requestId) {
  const reason = el("input", { id: "cancel-reason", maxlength: "500" });
  const confirm = el("button", { type: "submit", class: "small" }, "Confirmer l'annulation");
  const form = el("form", {}, el("label", { for: "cancel-reason" }, "Motif (sans donnée personnelle, facultatif)"), reason, confirm);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    confirm.disabled = true;
    try {
      await api(`${base()}/requests/${requestId}/cancel`, { method: "POST", body: JSON.stringify({ reason: reason.value }) });
      outcome("", el("strong", {}, "Demande annulée."), el("p", {}, "Le prestataire en est informé."));
      for (let tries = 0; tries < 20; tries++) {  // until the read model shows it
        const now = await api(`${base()}/requests/${requestId}`).catch(() => null);
        if (now && now.status === "cancelled") break;
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      openRequest(requestId);
      refreshList();
    } catch (error) {
      $("request-cancel").replaceChildren(el("p", { class: "error-text", role: "alert" }, error.message));
    }
  });
  $("request-cancel").replaceChildren(form);
  reason.focus();
}

async function showContact(requestId) {
  try {
    const c = await api(`${base()}/requests/${requestId}/contact`);
    const facts = [["Nom", c.name], ["Téléphone", c.phone], ["Adresse", c.address], ["Courriel", c.email], ["Message", c.message]]
      .filter(([, value]) => value);
    $("request-contact").replaceChildren(el("h3", {}, "Coordonnées de l'usager"),
      el("dl", { class: "facts" }, ...facts.flatMap(([t, v]) => [el("dt", {}, t), el("dd", {}, v)])));
  } catch (error) {
    $("request-contact").replaceChildren(el("p", { class: "error-text" }, error.status === 410
      ? "Les données personnelles de cet usager ont été effacées à sa demande." : error.message));
  }
}
$("close-request").addEventListener("click", () => { $("request-page").classList.add("hidden"); $("activity").focus(); });

// The assignment proof: every candidate of the turn in order, by name, the skipped ones with their reason.
function proofBlock(proof) {
  const skipped = new Map(proof.skipped.map((s) => [s.provider_id, s.reason]));
  return el("div", {}, el("h3", {}, `Preuve du tour : offre n° ${proof.attempt}, ${sectorName(proof.sector)}, le ${when(proof.offered_at)}`),
    el("ol", {}, ...proof.candidates.map((id, i) => {
      const name = cardOf(id).name || "prestataire";
      const note = i === proof.rotation_position ? " — désigné" : skipped.has(id) ? ` — passé : ${L("skip_reasons", skipped.get(id))}` : "";
      return el("li", {}, name + note);
    })));
}

// --- the answering machine's messages ----------------------------------------------------------------------
const handled = new Set();   // messages worked from this page: gone at once, whatever the read model says yet
async function closeMessage(entryId, outcomeCode, followUpId = null) {
  await api(`${base()}/callbacks/${entryId}/complete`, { method: "POST",
    body: JSON.stringify({ outcome: outcomeCode, follow_up_id: followUpId }) });
  if (outcomeCode !== "no_answer") {
    handled.add(entryId);
    document.querySelector(`#queue tr[data-id="${entryId}"]`)?.remove();
  }
}

async function showQueue() {
  let entries;
  try { entries = await api(`${base()}/callbacks`); } catch (error) {
    $("queue").replaceChildren(emptyRow("queue", error.message)); return;
  }
  entries = entries.filter((e) => !handled.has(e.entry_id));
  const contacts = await Promise.all(entries.map((e) => api(`${base()}/requests/${e.entry_id}/contact`).catch(() => null)));
  $("queue").replaceChildren(...entries.map((e, i) => queueRow(e, contacts[i] || {})));
  if (!entries.length) $("queue").replaceChildren(emptyRow("queue", "Aucun message à rappeler."));
}

function queueRow(entry, contact) {
  const act = (label, code) => el("button", { type: "button", class: "small", onclick: () => work(entry, contact, code) }, label);
  const attempts = entry.attempts ? ` (${entry.attempts} essai${entry.attempts > 1 ? "s" : ""} sans réponse)` : "";
  const late = entry.status === "unanswered" || (entry.deadline_at && new Date(entry.deadline_at) < new Date());
  const tr = row("queue", [contact.name || "—", el("span", { class: "nowrap" }, contact.phone || "—"), contact.message || "—",
    shortWhen(entry.left_at), (entry.deadline_at ? shortWhen(entry.deadline_at) : "—") + (late ? " (dépassé)" : "") + attempts,
    el("span", {}, act("Demande enregistrée…", "request_logged"), act("Information donnée…", "information_given"),
      act("Pas de réponse", "no_answer"), act("Plus nécessaire", "not_needed"))]);
  tr.dataset.id = entry.entry_id;
  return tr;
}

async function work(entry, contact, code) {
  if (code === "request_logged" || code === "information_given") {
    show("log");
    resetCall();
    followUp = entry.entry_id;
    setKind(code === "request_logged" ? "service" : "information");
    $("name").value = contact.name || ""; $("phone").value = contact.phone || ""; $("address").value = contact.address || "";
    $("callback-banner").textContent = `Rappel du message de ${contact.name || "l'usager"} : enregistrer l'appel clôt le message.`;
    $("callback-banner").classList.remove("hidden");
    (code === "request_logged" ? $("activity") : $("answer")).focus();
    return;
  }
  try {
    await closeMessage(entry.entry_id, code);
    $("queue-status").textContent = code === "no_answer" ? "Essai compté : le message reste à rappeler." : "Message retiré de la liste.";
    if (code === "no_answer") {
      entry.attempts = (entry.attempts || 0) + 1;
      document.querySelector(`#queue tr[data-id="${entry.entry_id}"]`)?.replaceWith(queueRow(entry, contact));
    }
  } catch (error) {
    $("queue-status").textContent = error.message;
    if (error.status === 409) { handled.add(entry.entry_id); showQueue(); }
  }
}

// --- coordinators: observatory, directory, fairness ---------------------------------------------------------
async function showObservatory() {
  try {
    const data = await api(`${base()}/observatory`);
    $("unmet").replaceChildren(...data.unmet.map((u) => row("unmet", [monthName(u.month),
      u.activity === "unknown" ? "non précisée (répondeur)" : activityLabel(u.activity),
      u.commune === "unknown" ? "non précisée (répondeur)" : communeName(u.commune), L("unmet_reasons", u.reason), u.count ?? "moins de 3"])));
    if (!data.unmet.length) $("unmet").replaceChildren(emptyRow("unmet", "Aucune demande non satisfaite."));
    $("calls").replaceChildren(...Object.entries(data.information_calls).map(([topic, count]) => el("li", {}, `${topicLabel(topic)} : ${count}`)));
  } catch (error) {
    $("unmet").replaceChildren(emptyRow("unmet", error.message));
  }
}
const monthName = (month) => new Date(`${month}-15T12:00:00Z`).toLocaleDateString("fr-FR", { month: "long", year: "numeric" });
const day = (iso) => iso ? new Date(`${iso}T12:00:00Z`).toLocaleDateString("fr-FR", { timeZone: "UTC" }) : "—";

async function showDirectory() {
  try {
    const providers = await api(matching("/providers"));
    $("directory").replaceChildren(...providers.map((p) => row("directory", [
      el("button", { type: "button", class: "link", onclick: () => showProvider(p) }, p.name), L("provider_statuses", p.status),
      L("provider_kinds", p.kind), p.activities.map(activityLabel).join(", "),
      p.accreditation ? `${p.accreditation.valid ? "valide" : "expiré"} (jusqu'au ${day(p.accreditation.expires_on)})` : "aucun"])));
  } catch (error) {
    $("directory").replaceChildren(emptyRow("directory", error.message));
  }
}

function showProvider(p) {
  const page = $("provider-page");
  const facts = [["Statut", `${L("provider_statuses", p.status)}${p.status_since ? ` depuis le ${day(p.status_since)}` : ""}`],
    ["Type", L("provider_kinds", p.kind)], ["Activités", p.activities.map(activityLabel).join(", ")],
    ["Communes", p.communes.map(communeName).join(", ")],
    ["Agrément qualité", p.accreditation ? `n° ${p.accreditation.number}, ${p.accreditation.valid ? "valide" : "expiré"} jusqu'au ${day(p.accreditation.expires_on)}${p.accreditation.publics.length ? ` (${p.accreditation.publics.map((x) => L("fragile_publics", x)).join(", ")})` : ""}` : "aucun"],
    ["Absences", p.absences.length ? p.absences.map((a) => `du ${day(a.first_day)} au ${day(a.last_day)}`).join(" ; ") : "aucune"],
    ["Comité d'admission", p.committee_on ? `le ${day(p.committee_on)}` : "—"], ["Dans le tour depuis", p.joined_at ? when(p.joined_at) : "—"]];
  if (p.status_note) facts.splice(1, 0, ["Motif du statut", p.status_note]);
  page.replaceChildren(el("h3", {}, p.name), el("dl", { class: "facts" }, ...facts.flatMap(([t, v]) => [el("dt", {}, t), el("dd", {}, v)])));
  page.classList.remove("hidden");
  page.scrollIntoView({ block: "start" });
  page.focus();
}

async function showFairness() {
  try {
    const rows = await api(matching("/fairness"));
    if (session.policy.role !== "analyst") await loadCards(rows.some((r) => !cards.has(r.provider_id)));
    const anonymous = [...new Set(rows.map((r) => r.provider_id))];
    const shownName = (id) => cardOf(id).name || `prestataire ${anonymous.indexOf(id) + 1}`;
    $("fairness").replaceChildren(...rows.map((r) => row("fairness", [activityLabel(r.activity), sectorName(r.sector),
      shownName(r.provider_id), r.offers, r.accepted, r.declined, r.missed,
      `${r.deviation > 0 ? "+" : ""}${(r.deviation * 100).toFixed(1).replace(".", ",")} points`])));
    if (!rows.length) $("fairness").replaceChildren(emptyRow("fairness", "Aucune offre pour l'instant."));
  } catch (error) {
    $("fairness").replaceChildren(emptyRow("fairness", error.message));
  }
}

// --- mediation desks: a visit in a few keystrokes, and the desk's dashboard -----------------------------------
// The platform's information topics, grouped as its policy groups them.
const topicOptions = () => session.policy.information_topics.map((group) =>
  el("optgroup", { label: group.label }, ...group.topics.map((t) => new Option(t.label, t.code))));
const topicLabel = (code) => session.policy.information_topics.flatMap((g) => g.topics).find((t) => t.code === code)?.label
  || "sujet retiré de la liste";
let visitKey = null;

function visitOutcome(kind, ...children) {
  $("visit-outcome").className = `result ${kind}`;
  $("visit-outcome").replaceChildren(...children);
}
$("visit-actions").addEventListener("change", () => {
  const oriented = [...document.querySelectorAll("#visit-actions input:checked")].some((i) => i.value === "oriented");
  $("visit-oriented").classList.toggle("hidden", !oriented);
});
$("follow-up").addEventListener("change", () => $("follow-up-fields").classList.toggle("hidden", !$("follow-up").checked));

$("visit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const submit = $("visit-submit");
  if (submit.disabled) return;
  const form = new FormData(event.target);
  const actions = form.getAll("actions");
  const oriented = actions.includes("oriented");
  const missing = [!actions.length && "Ce qui a été fait", oriented && !String(form.get("oriented_to")).trim() && "Orienté vers",
    $("follow-up").checked && !String(form.get("visitor_name")).trim() && "Nom du visiteur"].filter(Boolean);
  if (missing.length) return visitOutcome("error", el("p", {}, `Vérifiez : ${missing.join(", ")}.`));
  const body = { topic_asked: form.get("topic_asked"), actions, minutes_spent: Number(form.get("minutes_spent")),
    commune: form.get("commune") || null, oriented_to: oriented ? form.get("oriented_to") : null };
  if ($("follow-up").checked) body.follow_up_contact = { name: form.get("visitor_name"), phone: form.get("visitor_phone") || null };
  visitKey = visitKey || crypto.randomUUID();
  submit.disabled = true;
  try {
    await api(`${base()}/visits`, { method: "POST", body: JSON.stringify(body), headers: { "Idempotency-Key": visitKey } });
    visitOutcome("assigned", el("strong", {}, "Visite enregistrée."), el("p", {}, `Sujet : ${topicLabel(body.topic_asked)}.`));
    const topic = $("visit-topic").value;
    event.target.reset(); visitKey = null;
    $("visit-topic").value = topic;
    $("visit-oriented").classList.add("hidden"); $("follow-up-fields").classList.add("hidden");
    $("visit-topic").focus();
    showDesk();
  } catch (error) {
    visitOutcome("error", el("strong", {}, "Rien n'a été enregistré."), el("p", {}, error.message));
  } finally {
    submit.disabled = false;
  }
});

async function showDesk() {
  $("visit-panel").classList.toggle("hidden", session.policy.role === "analyst");
  try {
    const board = await api(`${base()}/desk/dashboard`);
    const figure = (value, label) => el("li", {}, el("strong", {}, value ?? "—"), ` ${label}`);
    $("desk-figures").replaceChildren(figure(board.visits, "visite(s)"), figure(board.average_minutes, "min en moyenne"),
      figure(board.follow_ups, "suivi(s) promis"));
    $("desk-alerts").replaceChildren(...board.alerts.slice().reverse().map((a) => el("p", { class: "banner", role: "status" },
      el("strong", {}, a.kind === "drop" ? "Baisse de fréquentation. " : "Afflux inhabituel. "), a.message)));
    $("desk-groups").replaceChildren(...board.by_group.map((g) => el("li", {}, `${g.label} : ${g.visits}${g.share ? ` (${g.share} %)` : ""}`)));
    $("desk-topics").replaceChildren(...board.by_topic.map((t) => row("desk-topics", [t.label, t.visits])));
    if (!board.by_topic.length) $("desk-topics").replaceChildren(emptyRow("desk-topics", "Aucune visite sur la période."));
    $("desk-partners").replaceChildren(...board.by_partner.map((p) => el("li", {}, `${p.name} : ${p.visits}`)));
    $("desk-hours").replaceChildren(...board.busiest_hours.slice(0, 5).map((h) => el("li", {}, `${h.label} : ${h.visits}`)));
    $("desk-days").replaceChildren(...board.per_day.slice().reverse().filter((d) => d.visits).slice(0, 14)
      .map((d) => row("desk-days", [day(d.day), d.visits])));
  } catch (error) {
    $("desk-topics").replaceChildren(emptyRow("desk-topics", error.message));
  }
}

// The platforms to sign in to and where matching answers: public, read once before anything else.
async function boot() {
  let config;
  try {
    config = await (await fetch("/console/config")).json();
  } catch (error) {
    $("login").classList.remove("hidden");
    $("login-error").textContent = frenchError(0, null);
    return;
  }
  session.matching = config.matching_url;
  session.employment = config.employment_url;
  $("platform").replaceChildren(...config.platforms.map((p) => new Option(p.name, p.platform_id)));
  if (!session.token) {
    const answer = await fetch("/session", { credentials: "same-origin" }).catch(() => null);
    if (answer && answer.ok) {
      session.person = await answer.json();
      session.platform = session.person.platform_id === "*" ? (session.platform || config.platforms[0].platform_id)
        : session.person.platform_id;
      if (session.person.platform_id === "*") {  // a federation admin looks at one platform at a time
        const pick = $("admin-platform");
        pick.replaceChildren(...config.platforms.map((p) => new Option(p.name, p.platform_id)));
        pick.value = session.platform;
        pick.classList.remove("hidden");
        pick.addEventListener("change", () => { sessionStorage.setItem("platform", pick.value); window.location.reload(); });
      }
    } else if (window.location.hash !== "#jeton") {
      return window.location.replace("/connexion");
    }
  }
  start();
}

boot();
