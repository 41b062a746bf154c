"use strict";
// Operator console: log a call from the keyboard, watch the assignment arrive, work the queue.
const $ = (id) => document.getElementById(id);
const session = { platform: sessionStorage.getItem("platform"), token: sessionStorage.getItem("token"), policy: null,
  matching: null };
const STATUS = { waiting: "en attente", assigned: "confiée", oriented: "orientée", unmet: "non satisfaite",
  declined: "refusée", deadline_missed: "délai dépassé", contacted: "usager contacté", quoted: "devis envoyé",
  quote_answered: "devis répondu", done: "réalisée", cancelled: "annulée", answered: "information" };

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { "Content-Type": "application/json",
    Authorization: `Bearer ${session.token}`, ...(options.headers || {}) } });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body && (body.detail || body.error);
    throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail || response.statusText));
  }
  return body;
}
const base = () => `/platforms/${encodeURIComponent(session.platform)}`;
const text = (value) => document.createTextNode(value == null ? "" : String(value));
function row(cells, id) {
  const tr = document.createElement("tr");
  if (id) tr.dataset.id = id;
  for (const cell of cells) { const td = document.createElement("td"); td.appendChild(text(cell)); tr.appendChild(td); }
  return tr;
}

const providerNames = new Map();
async function nameProviders(ids) {
  // Operators see providers by name (matching's provider cards); an id stays shown if the cards are unreachable.
  if (ids.some((id) => id && !providerNames.has(id))) {
    const cards = await api(`${session.matching}${base()}/provider-cards`).catch(() => []);
    for (const card of cards) providerNames.set(card.provider_id, card.name);
  }
  return (id) => (id ? providerNames.get(id) || id : "");
}

async function start() {
  try {
    session.policy = await api(`${base()}/policy`);
    session.matching = (await api("/console/config")).matching_url;
  } catch (error) {
    $("login").classList.remove("hidden"); $("app").classList.add("hidden");
    if (session.token) $("login-error").textContent = error.message;
    $("platform").focus();
    return;
  }
  $("login").classList.add("hidden"); $("app").classList.remove("hidden");
  $("platform-name").textContent = session.policy.name;
  $("activities").replaceChildren(...session.policy.activities.map((a) => new Option(a.label, a.code)));
  $("communes").replaceChildren(...session.policy.communes.map((c) => new Option(c.name, c.code)));
  $("activity").focus();
  refreshList();
  setInterval(refreshList, 3000);
}

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  session.platform = $("platform").value.trim(); session.token = $("token").value.trim();
  sessionStorage.setItem("platform", session.platform); sessionStorage.setItem("token", session.token);
  start();
});

$("kind").addEventListener("change", () => {
  const information = $("kind").value === "information";
  $("service-fields").classList.toggle("hidden", information);
  $("information-fields").classList.toggle("hidden", !information);
  for (const id of ["activity", "commune", "name", "phone"]) $(id).required = !information;
  $("answer").required = information;
});

$("call-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const outcome = $("outcome");
  outcome.className = "result"; outcome.textContent = "Enregistrement…";
  try {
    if (form.get("kind") === "information") {
      const created = await api(`${base()}/information-calls`, { method: "POST", body: JSON.stringify({
        channel: "phone", topic_asked: form.get("topic"), answer: form.get("answer") }) });
      outcome.textContent = `Appel d'information compté (${created.id}).`;
    } else {
      const created = await api(`${base()}/requests`, { method: "POST", body: JSON.stringify({
        channel: "phone", activity: form.get("activity"), commune: form.get("commune"),
        fragile_publics: form.getAll("fragile"),
        contact: { name: form.get("name"), phone: form.get("phone"), address: form.get("address") || null } }) });
      outcome.dataset.request = created.id;
      outcome.textContent = "Demande enregistrée, recherche du prestataire…";
      watch(created.id);
    }
    event.target.reset(); $("activity").focus(); refreshList();
  } catch (error) {
    outcome.className = "result unmet"; outcome.textContent = `Erreur : ${error.message}`;
  }
});

async function watch(requestId, tries = 0) {
  const outcome = $("outcome");
  if (outcome.dataset.request !== requestId) return;
  let found = null;
  try { found = await api(`${base()}/requests/${requestId}`); } catch (error) { /* not projected yet */ }
  if (found && found.status === "assigned") {
    const name = await nameProviders([found.provider_id]);
    outcome.className = "result assigned";
    outcome.textContent = `Prestataire désigné : ${name(found.provider_id)}. Il rappellera l'usager sous 24 h.`;
  } else if (found && found.status === "oriented") {
    const name = await nameProviders(found.oriented.map((p) => p.provider_id));
    outcome.className = "result oriented";
    outcome.textContent = "Structures à indiquer : " + found.oriented.map((p) => `${name(p.provider_id)} (${p.distance_km} km)`).join(", ");
  } else if (found && found.status === "unmet") {
    outcome.className = "result unmet";
    outcome.textContent = `Aucun prestataire : ${found.unmet_reason}. La demande est inscrite à l'observatoire.`;
  } else if (tries < 120) {
    setTimeout(() => watch(requestId, tries + 1), 150);
  } else {
    outcome.textContent = "Toujours en attente d'un prestataire ; la demande reste visible dans la liste.";
  }
}

async function refreshList() {
  const requests = await api(`${base()}/requests?limit=20`).catch(() => []);
  const name = await nameProviders(requests.map((r) => r.provider_id));
  $("requests").replaceChildren(...requests.map((r) => row([new Date(r.logged_at).toLocaleString("fr-FR"),
    r.activity || "information", r.commune, STATUS[r.status] || r.status, name(r.provider_id)], r.request_id)));
}

$("requests").addEventListener("click", async (event) => {
  const tr = event.target.closest("tr[data-id]");
  if (!tr) return;
  const found = await api(`${base()}/requests/${tr.dataset.id}`);
  $("timeline").classList.remove("hidden"); $("timeline-id").textContent = found.request_id;
  $("timeline-events").replaceChildren(...found.timeline.map((e) => {
    const li = document.createElement("li");
    li.appendChild(text(`${new Date(e.occurred_at).toLocaleString("fr-FR")} — ${e.summary}`));
    return li;
  }));
});

async function showQueue() {
  const entries = await api(`${base()}/callbacks`).catch(() => []);
  $("queue").replaceChildren(...entries.map((e) => {
    const tr = row([e.left_at_local, e.entry_id]);
    const td = document.createElement("td"); const done = document.createElement("button");
    done.textContent = "Rappelé"; done.addEventListener("click", async () => {
      await api(`${base()}/callbacks/${e.entry_id}/complete`, { method: "POST", body: JSON.stringify({ outcome: "request_logged" }) });
      showQueue();
    });
    td.appendChild(done); tr.appendChild(td); return tr;
  }));
}

async function showObservatory() {
  try {
    const data = await api(`${base()}/observatory`);
    $("unmet").replaceChildren(...data.unmet.map((u) => row([u.month, u.activity, u.commune, u.reason, u.count ?? "< 3"])));
    $("calls").replaceChildren(...Object.entries(data.information_calls).map(([topic, count]) => {
      const li = document.createElement("li"); li.appendChild(text(`${topic} : ${count}`)); return li; }));
  } catch (error) {
    $("unmet").replaceChildren(row([`Accès réservé aux coordinateurs (${error.message})`]));
  }
}

async function showDirectory() {
  try {
    const providers = await api(`${session.matching}${base()}/providers`);
    $("directory").replaceChildren(...providers.map((p) => row([p.name, p.status, p.kind, p.activities.join(", "),
      p.accreditation ? `${p.accreditation.valid ? "valide" : "expiré"} (${p.accreditation.expires_on})` : "—"])));
  } catch (error) {
    $("directory").replaceChildren(row([`Accès réservé aux coordinateurs (${error.message})`]));
  }
}

async function showFairness() {
  try {
    const rows = await api(`${session.matching}${base()}/fairness`);
    const name = await nameProviders(rows.map((r) => r.provider_id));
    $("fairness").replaceChildren(...rows.map((r) => row([r.activity, r.sector, name(r.provider_id), r.offers, r.accepted,
      r.declined, r.missed, `${(r.deviation * 100).toFixed(1)} %`])));
  } catch (error) {
    $("fairness").replaceChildren(row([`Accès réservé aux coordinateurs (${error.message})`]));
  }
}

for (const button of document.querySelectorAll("nav button")) {
  button.addEventListener("click", () => {
    for (const other of document.querySelectorAll("nav button")) other.removeAttribute("aria-current");
    button.setAttribute("aria-current", "page");
    const view = button.dataset.view;
    $("view-list").classList.toggle("hidden", view !== "log");
    $("view-queue").classList.toggle("hidden", view !== "queue");
    $("view-observatory").classList.toggle("hidden", view !== "observatory");
    $("view-directory").classList.toggle("hidden", view !== "directory");
    $("view-fairness").classList.toggle("hidden", view !== "fairness");
    if (view === "queue") showQueue();
    if (view === "observatory") showObservatory();
    if (view === "directory") showDirectory();
    if (view === "fairness") showFairness();
    if (view === "log") $("activity").focus();
  });
}

start();
