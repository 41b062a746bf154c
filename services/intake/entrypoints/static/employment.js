"use strict";
// The console's Emploi tab, for the platform's employment advisors and its coordinators: job seekers (registration
// and record), information sessions (invitations, seats, attendance), assessments, training cohorts (modules, each
// step validated or not), the member providers' openings with the candidates proposed and why, and the figures by
// month. Everything is read from and written to the employment service (session.employment); names and contact
// details are read one record at a time through its audited routes, never in the lists.
// Uses console.js's helpers: $, el, api, session, base, day, monthName, loadCards, cardOf, fold.

const job = { part: "seekers", seekers: [], names: new Map(), keys: {} };
const employment = (path) => `${session.employment}${base()}${path}`;
const jobLabel = (table, code) => (session.policy.labels[table] || {})[code] || "—";
const trades = () => Object.entries(session.policy.labels.trades);
const dossier = (id) => `n° ${String(id).slice(-6).toUpperCase()}`;
const todayHere = () => new Date().toLocaleDateString("sv-SE", { timeZone: session.policy.timezone });
const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);
const percent = (rate) => rate == null ? "—" : `${(Number(rate) * 100).toFixed(0)} %`;
const PARTS = [["seekers", "Demandeurs d'emploi"], ["sessions", "Réunions d'information"], ["assessments", "Évaluations"],
  ["cohorts", "Formations"], ["openings", "Offres d'emploi"], ["figures", "Chiffres"]];

// A table that becomes one card per row on a phone; each cell carries its column's name.
function jobTable(caption, heads, rows, empty) {
  const body = rows.length ? rows.map((cells) => el("tr", {}, ...cells.map((cell, i) => el("td", { "data-label": heads[i] }, cell))))
    : [el("tr", {}, el("td", { colspan: String(heads.length), class: "muted" }, empty))];
  return el("div", { class: "table-wrap" }, el("table", { class: "cards" }, el("caption", { class: "visually-hidden" }, caption),
    el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", { scope: "col" }, h)))), el("tbody", {}, ...body)));
}
const field = (id, label, input) => el("div", { class: "field" }, el("label", { for: id }, label), input);
const select = (id, name, options, attrs = {}) => {
  const node = el("select", { id, name, ...attrs });
  node.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
  return node;
};
const checks = (legend, name, options, hint) => el("fieldset", {}, el("legend", {}, legend),
  ...(hint ? [el("p", { class: "muted small-print" }, hint)] : []),
  el("div", { class: "checks" }, ...options.map(([value, label]) => el("label", {}, el("input", { type: "checkbox", name, value }), label))));
const facts = (pairs) => el("dl", { class: "facts" }, ...pairs.flatMap(([t, v]) => [el("dt", {}, t), el("dd", {}, v ?? "—")]));

function say(kind, ...children) {
  const box = $("job-outcome");
  box.className = `result ${kind}`;
  box.replaceChildren(...children);
  box.classList.remove("hidden");
}
// Sends a command, then shows what follows (``then``, given the answer) and says ``done``; a creation carries one
// idempotency key until it succeeds (a double click creates one thing). The answer, or null after a refusal (said).
async function send(path, body, { key = null, done = null, then = null } = {}) {
  const headers = {};
  if (key) { job.keys[key] = job.keys[key] || crypto.randomUUID(); headers["Idempotency-Key"] = job.keys[key]; }
  let answer;
  try {
    answer = await api(employment(path), { method: "POST", body: JSON.stringify(body), headers });
  } catch (error) {
    say("error", el("strong", {}, "Rien n'a été enregistré. "), error.message);
    return null;
  }
  if (key) delete job.keys[key];
  if (then) await then(answer);
  if (done) say("assigned", el("strong", {}, typeof done === "function" ? done(answer) : done));
  return answer || true;
}
function submitting(form, handler) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button.disabled) return;
    button.disabled = true;
    try { await handler(new FormData(form)); } finally { button.disabled = false; }
  });
  return form;
}
// A seeker's name (read through the audited record); the dossier number once their data are erased.
async function nameOf(seekerId) {
  if (!job.names.has(seekerId)) {
    const record = await api(employment(`/seekers/${seekerId}`)).catch(() => null);
    job.names.set(seekerId, record && record.identity ? record.identity.name : `personne ${dossier(seekerId)} (données effacées)`);
  }
  return job.names.get(seekerId);
}
const namesOf = (ids) => Promise.all(ids.map(nameOf));
async function loadSeekers() {
  job.seekers = await api(employment("/seekers?limit=500"));
  return job.seekers;
}
const seekerById = (id) => job.seekers.find((s) => s.seeker_id === id) || {};
const followed = () => job.seekers.filter((s) => !["erased", "hired"].includes(s.status));
const seekerLine = (s) => `${dossier(s.seeker_id)} — ${s.trade_labels.join(", ")} — ${communeName(s.commune)} — ${s.status_label}`;

// --- the tab and its parts ------------------------------------------------------------------------------------
function buildEmployment() {
  const nav = el("nav", { class: "subtabs", "aria-label": "Parties de l'emploi" }, ...PARTS.map(([part, label]) =>
    el("button", { type: "button", "data-part": part, onclick: () => showPart(part) }, label)));
  $("view-emploi").replaceChildren(el("h2", { id: "emploi-title" }, "Emploi : rapprocher demandeurs d'emploi et prestataires"), nav,
    el("div", { id: "job-outcome", class: "result hidden", role: "status", "aria-live": "polite", "aria-atomic": "true" }),
    el("div", { id: "job-pane" }));
}
async function showEmployment() {
  if (!$("job-pane")) buildEmployment();
  await showPart(job.part);
}
async function showPart(part, ...args) {
  job.part = part;
  for (const button of document.querySelectorAll(".subtabs button")) {
    if (button.dataset.part === part) button.setAttribute("aria-current", "page"); else button.removeAttribute("aria-current");
  }
  $("job-outcome").classList.add("hidden");
  $("job-outcome").replaceChildren();
  const pane = $("job-pane");
  pane.replaceChildren(el("p", { class: "muted" }, "Chargement…"));
  try {
    const views = { seekers: seekersPart, sessions: sessionsPart, assessments: assessmentsPart, cohorts: cohortsPart,
      openings: openingsPart, figures: figuresPart, seeker: seekerPage, session: sessionPage, cohort: cohortPage,
      opening: openingPage };
    pane.replaceChildren(...await views[part](...args));
  } catch (error) {
    pane.replaceChildren(el("p", { class: "error-text", role: "alert" }, error.message));
  }
  const heading = pane.querySelector("h3");
  if (heading && args.length) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
}

// --- job seekers ------------------------------------------------------------------------------------------------
async function seekersPart() {
  const seekers = await loadSeekers();
  const form = submitting(el("form", { id: "seeker-form", class: "panel", autocomplete: "off", novalidate: "" },
    el("h3", {}, "Inscrire un demandeur d'emploi"),
    el("p", { class: "muted small-print" }, "Le nom et les coordonnées sont chiffrés avec la clé propre à la personne ; ils s'effacent à sa demande."),
    el("div", { class: "row2" }, field("seeker-name", "Nom et prénom", el("input", { id: "seeker-name", name: "name", required: "" })),
      field("seeker-phone", "Téléphone", el("input", { id: "seeker-phone", name: "phone", inputmode: "tel" }))),
    field("seeker-email", "Courriel (facultatif)", el("input", { id: "seeker-email", name: "email", type: "email" })),
    el("div", { class: "row2" }, field("seeker-source", "Orienté·e par", select("seeker-source", "referral_source",
      Object.entries(session.policy.labels.referral_sources))),
    field("seeker-commune", "Commune de résidence", select("seeker-commune", "commune",
      session.policy.communes.map((c) => [c.code, c.name])))),
    checks("Métiers recherchés", "trades", trades(), "Le premier coché est le métier préféré."),
    el("div", { class: "row3" },
      field("seeker-mobility", "Mobilité (km)", el("input", { id: "seeker-mobility", name: "mobility_km", type: "number", min: "0", max: "200", value: "10", inputmode: "numeric" })),
      field("seeker-available", "Disponible à partir du", el("input", { id: "seeker-available", name: "available_from", type: "date", value: todayHere() })),
      field("seeker-hours", "Heures par semaine", el("input", { id: "seeker-hours", name: "hours_per_week", type: "number", min: "1", max: "48", step: "0.5", value: "24", inputmode: "decimal" }))),
    el("button", { class: "primary", type: "submit" }, "Inscrire")), async (form) => {
    const chosen = form.getAll("trades");
    const missing = [!String(form.get("name")).trim() && "Nom et prénom", !chosen.length && "Métiers recherchés",
      !String(form.get("phone")).trim() && !String(form.get("email")).trim() && "Téléphone ou courriel"].filter(Boolean);
    if (missing.length) return say("error", `Vérifiez : ${missing.join(", ")}.`);
    const body = { identity: { name: form.get("name"), phone: form.get("phone") || null, email: form.get("email") || null },
      referral_source: form.get("referral_source"), trades: chosen, commune: form.get("commune"),
      mobility_km: Number(form.get("mobility_km")), available_from: form.get("available_from"),
      hours_per_week: Number(form.get("hours_per_week")).toFixed(2) };
    await send("/seekers", body, { key: "seeker", done: `${form.get("name")} est inscrit·e.`,
      then: async (created) => { job.names.set(created.id, String(form.get("name"))); await showPart("seekers"); } });
  });
  const rows = seekers.map((s) => [el("button", { type: "button", class: "link", onclick: () => showPart("seeker", s.seeker_id) },
    `Dossier ${dossier(s.seeker_id)}`), s.status_label, s.trade_labels.join(", "), s.referral_source_label, communeName(s.commune),
    `${s.mobility_km} km`, day(s.available_from), String(s.proposals)]);
  return [el("div", { class: "job-grid" }, form, el("div", { class: "panel" }, el("h3", {}, `Demandeurs suivis (${seekers.length})`),
    el("p", { class: "muted small-print" }, "Les noms ne figurent pas dans la liste : ouvrez le dossier pour les lire (lecture tracée)."),
    jobTable("Demandeurs d'emploi", ["Dossier", "Situation", "Métiers", "Orienté·e par", "Commune", "Mobilité", "Disponible le", "Propositions"],
      rows, "Aucun demandeur d'emploi inscrit pour l'instant.")))];
}

async function seekerPage(seekerId) {
  const s = await api(employment(`/seekers/${seekerId}`));
  if (s.identity) job.names.set(seekerId, s.identity.name);
  const who = s.identity || {};
  const erase = el("div", {});
  const askErase = () => {
    erase.replaceChildren(el("p", {}, "Effacer définitivement le nom et les coordonnées ? Les chiffres restent comptés."),
      el("button", { type: "button", class: "small danger", onclick: async () => {
        await send(`/seekers/${seekerId}/erase`, {}, { done: "Données personnelles effacées ; les chiffres restent.",
          then: async () => { job.names.delete(seekerId); await showPart("seeker", seekerId); } });
      } }, "Oui, effacer"), el("button", { type: "button", class: "small", onclick: () => erase.replaceChildren() }, "Non"));
  };
  const history = s.assessments.map((a) => [day(a.on), `${a.skills} / 5`, `${a.motivation} / 5`, `${a.constraints} / 5`, a.decision_label, a.reason]);
  return [el("div", { class: "panel" }, el("h3", {}, s.identity ? `${who.name} — dossier ${dossier(seekerId)}` : `Dossier ${dossier(seekerId)} (données effacées)`),
    facts([["Téléphone", who.phone], ["Courriel", who.email], ["Situation", s.status_label], ["Métiers", s.trade_labels.join(", ")],
      ["Orienté·e par", s.referral_source_label], ["Commune", communeName(s.commune)], ["Mobilité", `${s.mobility_km} km`],
      ["Disponible le", day(s.available_from)], ["Pré-sélectionné·e le", s.preselected_on ? day(s.preselected_on) : "—"],
      ["Proposé·e aux prestataires", `${s.proposals} fois`]]),
    el("h4", {}, "Évaluations"), jobTable("Évaluations", ["Le", "Compétences", "Motivation", "Contraintes", "Décision", "Motif"], history, "Pas encore évalué·e."),
    el("p", {}, ...(s.identity ? [el("button", { type: "button", class: "small", onclick: () => showPart("assessments", seekerId) }, "Évaluer"),
      el("button", { type: "button", class: "small", onclick: askErase }, "Effacer ses données (à sa demande)")] : []),
      el("button", { type: "button", class: "small", onclick: () => showPart("seekers") }, "Retour à la liste")), erase)];
}

// --- information sessions -----------------------------------------------------------------------------------------
// "2026-03-05T09:30" read in the platform's time zone, as an instant (ISO, UTC).
function zonedInstant(local, zone) {
  const [date, time] = local.split("T");
  const [y, m, d] = date.split("-").map(Number); const [hh, mm] = time.split(":").map(Number);
  const wanted = Date.UTC(y, m - 1, d, hh, mm);
  let guess = wanted;
  for (let i = 0; i < 2; i++) {
    const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", { timeZone: zone, hourCycle: "h23", year: "numeric",
      month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).formatToParts(new Date(guess)).map((p) => [p.type, p.value]));
    guess += wanted - Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute);
  }
  return new Date(guess).toISOString();
}

async function sessionsPart() {
  const sessions = await api(employment("/sessions?limit=200"));
  const form = submitting(el("form", { class: "panel", autocomplete: "off", novalidate: "" }, el("h3", {}, "Programmer une réunion d'information"),
    el("div", { class: "row2" }, field("session-start", "Date et heure", el("input", { id: "session-start", name: "starts_at", type: "datetime-local", required: "" })),
      field("session-capacity", "Places", el("input", { id: "session-capacity", name: "capacity", type: "number", min: "1", max: "500", value: "12", inputmode: "numeric" }))),
    field("session-place", "Lieu", el("input", { id: "session-place", name: "place", placeholder: "ex. Centre de ressources, salle 2" })),
    checks("Métiers présentés", "trades", trades()),
    el("button", { class: "primary", type: "submit" }, "Programmer")), async (form) => {
    const missing = [!form.get("starts_at") && "Date et heure", !String(form.get("place")).trim() && "Lieu",
      !form.getAll("trades").length && "Métiers présentés"].filter(Boolean);
    if (missing.length) return say("error", `Vérifiez : ${missing.join(", ")}.`);
    const created = await send("/sessions", { starts_at: zonedInstant(form.get("starts_at"), session.policy.timezone), place: form.get("place"),
      trades: form.getAll("trades"), capacity: Number(form.get("capacity")) }, { key: "session", done: "Réunion programmée.",
      then: (created) => showPart("session", created.id) });
  });
  const rows = sessions.map((s) => [el("button", { type: "button", class: "link", onclick: () => showPart("session", s.session_id) }, s.when),
    s.place, String(s.capacity), String(s.invited), String(s.enrolled), s.held ? String(s.present) : "—",
    s.held ? percent(s.attendance_rate) : "—", s.held ? "tenue" : "à venir"]);
  return [el("div", { class: "job-grid" }, form, el("div", { class: "panel" }, el("h3", {}, "Réunions d'information"),
    jobTable("Réunions d'information", ["Date", "Lieu", "Places", "Invité·es", "Inscrit·es", "Présent·es", "Taux de présence", "État"],
      rows, "Aucune réunion programmée.")))];
}

async function sessionPage(sessionId) {
  const [s, seekers] = await Promise.all([api(employment(`/sessions/${sessionId}`)), loadSeekers()]);
  const names = await namesOf(s.invited);
  const starts = s.starts_at ? when(s.starts_at, { weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit" }) : "—";
  const panel = [el("h3", {}, `Réunion du ${starts}`), facts([["Lieu", s.place], ["Métiers présentés", s.trade_labels.join(", ")],
    ["Places", `${s.enrolled.length} prise(s) sur ${s.capacity}`], ["État", s.held ? "tenue" : "à venir"]])];
  const marks = [["present", jobLabel("attendances", "present")], ["absent", jobLabel("attendances", "absent")], ["excused", jobLabel("attendances", "excused")]];
  const rows = s.invited.map((id, i) => {
    const seated = s.enrolled.includes(id);
    const seat = s.held || seated ? (seated ? "oui" : "non") : el("button", { type: "button", class: "small",
      "aria-label": `Donner une place à ${names[i]}`, onclick: async () => {
        await send(`/sessions/${sessionId}/registrations`, { seeker_id: id }, { done: `${names[i]} a une place.`,
          then: () => showPart("session", sessionId) });
      } }, "Donner une place");
    const mark = s.held ? (s.attendance_labels[id] || "—")
      : select(`mark-${i}`, id, marks, { "aria-label": `Présence de ${names[i]}`, "data-seeker": id });
    return [names[i], dossier(id), seat, mark];
  });
  panel.push(el("h4", {}, `Personnes invitées (${s.invited.length})`),
    jobTable("Personnes invitées", ["Nom", "Dossier", "Place prise", "Présence"], rows, "Personne n'est encore invité·e."));
  if (!s.held && s.invited.length) {
    panel.push(el("button", { type: "button", class: "primary", id: "hold-session", onclick: async () => {
      const attendance = Object.fromEntries([...document.querySelectorAll("select[data-seeker]")].map((node) => [node.dataset.seeker, node.value]));
      await send(`/sessions/${sessionId}/attendance`, { attendance }, { done: "Présences enregistrées : la réunion est tenue.",
        then: () => showPart("session", sessionId) });
    } }, "Enregistrer les présences (la réunion a eu lieu)"));
  }
  const blocks = [el("div", { class: "panel wide-panel" }, ...panel)];
  if (!s.held) {
    const invitable = seekers.filter((x) => ["registered", "not_now"].includes(x.status) && !s.invited.includes(x.seeker_id));
    const invitableNames = await namesOf(invitable.map((x) => x.seeker_id));
    const form = submitting(el("form", { class: "panel" }, el("h3", {}, "Inviter des demandeurs d'emploi"),
      el("p", { class: "muted small-print" }, "Chaque personne reçoit l'invitation tout de suite et un rappel la veille, par SMS ou courriel."),
      invitable.length ? checks("Personnes à inviter", "seeker_ids", invitable.map((x, i) => [x.seeker_id, `${invitableNames[i]} (${x.trade_labels.join(", ")}, ${communeName(x.commune)})`]))
        : el("p", { class: "muted" }, "Aucune autre personne inscrite à inviter."),
      el("button", { class: "primary", type: "submit", ...(invitable.length ? {} : { disabled: "" }) }, "Inviter")), async (form) => {
      const ids = form.getAll("seeker_ids");
      if (!ids.length) return say("error", "Cochez au moins une personne à inviter.");
      await send(`/sessions/${sessionId}/invitations`, { seeker_ids: ids }, { done: `${ids.length} personne(s) invitée(s).`,
        then: () => showPart("session", sessionId) });
    });
    blocks.push(form);
  }
  blocks.push(el("p", { class: "wide-panel" }, el("button", { type: "button", class: "small", onclick: () => showPart("sessions") }, "Retour aux réunions")));
  return [el("div", { class: "job-grid" }, ...blocks)];
}

// --- assessments ----------------------------------------------------------------------------------------------------
async function assessmentsPart(chosen) {
  const seekers = await loadSeekers();
  const waiting = seekers.filter((s) => s.status === "registered" || s.seeker_id === chosen);
  const names = await namesOf(waiting.map((s) => s.seeker_id));
  const score = (id, name, label) => {
    const choice = select(id, name, [0, 1, 2, 3, 4, 5].map((n) => [String(n), `${n} / 5`]));
    choice.value = "3";
    return field(id, label, choice);
  };
  const form = submitting(el("form", { class: "panel", autocomplete: "off", novalidate: "" }, el("h3", {}, "Évaluer après entretien et tests"),
    waiting.length ? field("assess-seeker", "Personne évaluée", select("assess-seeker", "seeker_id",
      waiting.map((s, i) => [s.seeker_id, `${names[i]} (${s.trade_labels.join(", ")})`]))) : el("p", { class: "muted" }, "Personne n'attend d'évaluation."),
    el("div", { class: "row3" }, score("assess-skills", "skills", "Compétences (tests)"), score("assess-motivation", "motivation", "Motivation"),
      score("assess-constraints", "constraints", "Contraintes (5 : aucune)")),
    el("fieldset", {}, el("legend", {}, "Décision"), el("div", { class: "checks" }, ...Object.entries(session.policy.labels.assessment_decisions)
      .map(([code, label], i) => el("label", {}, el("input", { type: "radio", name: "decision", value: code, ...(i ? {} : { checked: "" }) }), label)))),
    field("assess-reason", "Motif (sans détail de santé ni de vie privée)", el("textarea", { id: "assess-reason", name: "reason", rows: "2", maxlength: "500" })),
    el("button", { class: "primary", type: "submit", ...(waiting.length ? {} : { disabled: "" }) }, "Enregistrer l'évaluation")), async (form) => {
    if (!String(form.get("reason")).trim()) return say("error", "Vérifiez : Motif.");
    const body = { grid: { skills: Number(form.get("skills")), motivation: Number(form.get("motivation")), constraints: Number(form.get("constraints")) },
      decision: form.get("decision"), reason: form.get("reason") };
    const who = job.names.get(form.get("seeker_id"));
    await send(`/seekers/${form.get("seeker_id")}/assessment`, body, { then: () => showPart("assessments"),
      done: `Évaluation de ${who} enregistrée : ${jobLabel("assessment_decisions", body.decision)}.` });
  });
  if (chosen && form.querySelector("#assess-seeker")) form.querySelector("#assess-seeker").value = chosen;
  const decided = seekers.filter((s) => ["preselected", "referred_to_training", "not_now", "in_training"].includes(s.status));
  const rows = decided.map((s) => [el("button", { type: "button", class: "link", onclick: () => showPart("seeker", s.seeker_id) }, `Dossier ${dossier(s.seeker_id)}`),
    s.status_label, s.trade_labels.join(", "), s.preselected_on ? day(s.preselected_on) : "—"]);
  return [el("div", { class: "job-grid" }, form, el("div", { class: "panel" }, el("h3", {}, "Décisions prises"),
    el("p", { class: "muted" }, `${waiting.filter((s) => s.status === "registered").length} personne(s) attendent une évaluation.`),
    jobTable("Décisions prises", ["Dossier", "Décision", "Métiers", "Pré-sélectionné·e le"], rows, "Aucune évaluation pour l'instant.")))];
}

// --- training cohorts -----------------------------------------------------------------------------------------------
async function cohortsPart() {
  const cohorts = await api(employment("/cohorts?limit=200"));
  const form = submitting(el("form", { class: "panel", autocomplete: "off", novalidate: "" }, el("h3", {}, "Ouvrir une session de formation"),
    field("cohort-title", "Intitulé", el("input", { id: "cohort-title", name: "title", placeholder: "ex. Remise à niveau DEAVS (deux mois)" })),
    field("cohort-modules", "Modules du référentiel, un par ligne, dans l'ordre", el("textarea", { id: "cohort-modules", name: "modules", rows: "4",
      placeholder: "DC1 — Connaissance de la personne\nDC2 — Accompagnement dans les actes de la vie quotidienne" })),
    el("div", { class: "row2" }, field("cohort-start", "Du", el("input", { id: "cohort-start", name: "starts_on", type: "date" })),
      field("cohort-end", "Au", el("input", { id: "cohort-end", name: "ends_on", type: "date" }))),
    el("button", { class: "primary", type: "submit" }, "Ouvrir la formation")), async (form) => {
    const modules = String(form.get("modules")).split("\n").map((m) => m.trim()).filter(Boolean);
    const missing = [!String(form.get("title")).trim() && "Intitulé", !modules.length && "Modules", !form.get("starts_on") && "Du",
      !form.get("ends_on") && "Au"].filter(Boolean);
    if (missing.length) return say("error", `Vérifiez : ${missing.join(", ")}.`);
    const created = await send("/cohorts", { title: form.get("title"), modules, starts_on: form.get("starts_on"), ends_on: form.get("ends_on") },
      { key: "cohort", done: "Formation ouverte.", then: (created) => showPart("cohort", created.id) });
  });
  const rows = cohorts.map((c) => [el("button", { type: "button", class: "link", onclick: () => showPart("cohort", c.cohort_id) }, c.title),
    `du ${day(c.starts_on)} au ${day(c.ends_on)}`, String(c.trainees), String(c.steps_certified), String(c.completed), String(c.certified)]);
  return [el("div", { class: "job-grid" }, form, el("div", { class: "panel" }, el("h3", {}, "Sessions de formation"),
    jobTable("Sessions de formation", ["Intitulé", "Dates", "Stagiaires", "Étapes validées", "Parcours terminés", "Certifié·es"], rows,
      "Aucune formation ouverte.")))];
}

async function cohortPage(cohortId) {
  const [c, seekers] = await Promise.all([api(employment(`/cohorts/${cohortId}`)), loadSeekers()]);
  const names = new Map((await namesOf(c.trainees)).map((name, i) => [c.trainees[i], name]));
  const trainee = (id) => names.get(id);
  const head = [el("h3", {}, c.title), facts([["Dates", `du ${day(c.starts_on)} au ${day(c.ends_on)}`], ["Modules", String(c.modules.length)],
    ["Stagiaires", String(c.trainees.length)], ["Parcours terminés", `${c.completed.length} (dont ${c.certified.length} certifié·es)`]])];
  const steps = c.steps.map((s) => [trainee(s.seeker_id), s.module, s.attendance_label || "—", s.certified_label, s.on ? day(s.on) : "—"]);
  head.push(el("h4", {}, "Étapes du référentiel, par stagiaire"),
    jobTable("Étapes par stagiaire", ["Stagiaire", "Module", "Présence", "Étape", "Le"], steps, "Aucun·e stagiaire pour l'instant."));
  const blocks = [el("div", { class: "panel wide-panel" }, ...head)];
  const open = c.trainees.filter((id) => !c.completed.includes(id));
  if (open.length) {
    const traineeChoice = (id) => select(id, "seeker_id", open.map((x) => [x, trainee(x)]));
    const moduleChoice = (id) => select(id, "module", c.modules.map((m) => [m, m]));
    blocks.push(submitting(el("form", { class: "panel", novalidate: "" }, el("h3", {}, "Noter une étape"),
      field("step-trainee", "Stagiaire", traineeChoice("step-trainee")), field("step-module", "Module", moduleChoice("step-module")),
      el("div", { class: "row2" }, field("step-attendance", "Présence au module", select("step-attendance", "attendance",
        [["", "ne pas noter"], ...Object.entries(session.policy.labels.attendances)])),
      field("step-state", "Étape", select("step-state", "state", [["", "ne pas noter"], ["yes", "validée"], ["no", "non validée"]]))),
      field("step-on", "Évaluée le", el("input", { id: "step-on", name: "on", type: "date", value: todayHere(), max: todayHere() })),
      el("button", { class: "primary", type: "submit" }, "Enregistrer l'étape")), async (form) => {
      const step = { seeker_id: form.get("seeker_id"), module: form.get("module") };
      if (!form.get("attendance") && !form.get("state")) return say("error", "Choisissez une présence, un résultat d'étape, ou les deux.");
      if (form.get("attendance") && !await send(`/cohorts/${cohortId}/attendance`, { ...step, attendance: form.get("attendance") })) return;
      if (form.get("state") && !await send(`/cohorts/${cohortId}/certifications`, { ...step, certified: form.get("state") === "yes", on: form.get("on") || null })) return;
      await showPart("cohort", cohortId);
      say("assigned", el("strong", {}, `Étape « ${step.module} » notée pour ${trainee(step.seeker_id)}.`));  // after both commands
    }));
    blocks.push(submitting(el("form", { class: "panel", novalidate: "" }, el("h3", {}, "Fin du parcours"),
      field("end-trainee", "Stagiaire", traineeChoice("end-trainee")),
      el("fieldset", {}, el("legend", {}, "Certification"), el("div", { class: "checks" },
        el("label", {}, el("input", { type: "radio", name: "certified", value: "yes", checked: "" }), "certifié·e (pré-sélectionné·e ensuite)"),
        el("label", {}, el("input", { type: "radio", name: "certified", value: "no" }), "non certifié·e"))),
      el("button", { class: "primary", type: "submit" }, "Terminer le parcours")), async (form) => {
      const who = trainee(form.get("seeker_id"));
      await send(`/cohorts/${cohortId}/completions`, { seeker_id: form.get("seeker_id"), certified: form.get("certified") === "yes" },
        { done: `Parcours de ${who} terminé.`, then: () => showPart("cohort", cohortId) });
    }));
  }
  const admissible = seekers.filter((s) => ["referred_to_training", "registered", "not_now"].includes(s.status) && !c.trainees.includes(s.seeker_id));
  const admissibleNames = await namesOf(admissible.filter((s) => s.status === "referred_to_training").map((s) => s.seeker_id));
  const referred = admissible.filter((s) => s.status === "referred_to_training");
  blocks.push(submitting(el("form", { class: "panel", novalidate: "" }, el("h3", {}, "Accueillir un·e stagiaire"),
    referred.length ? field("admit-seeker", "Personne orientée vers une formation", select("admit-seeker", "seeker_id",
      referred.map((s, i) => [s.seeker_id, admissibleNames[i]]))) : el("p", { class: "muted" }, "Personne n'est orienté·e vers une formation en attente."),
    el("button", { class: "primary", type: "submit", ...(referred.length ? {} : { disabled: "" }) }, "Accueillir")), async (form) => {
    const who = job.names.get(form.get("seeker_id"));
    await send(`/cohorts/${cohortId}/trainees`, { seeker_id: form.get("seeker_id") }, { done: `${who} suit la formation.`,
      then: () => showPart("cohort", cohortId) });
  }));
  blocks.push(el("p", { class: "wide-panel" }, el("button", { type: "button", class: "small", onclick: () => showPart("cohorts") }, "Retour aux formations")));
  return [el("div", { class: "job-grid" }, ...blocks)];
}

// --- openings -------------------------------------------------------------------------------------------------------
const providerLabel = (id) => cardOf(id).name || "prestataire adhérent";
async function openingsPart() {
  const [openings] = await Promise.all([api(employment("/openings?limit=200")), loadCards(true)]);
  const providers = [...cards.values()].filter((p) => p.status === "admitted").sort((a, b) => a.name.localeCompare(b.name, "fr"));
  const form = submitting(el("form", { class: "panel", autocomplete: "off", novalidate: "" }, el("h3", {}, "Déposer une offre pour un prestataire"),
    field("opening-provider", "Prestataire qui recrute", select("opening-provider", "provider_id", providers.map((p) => [p.provider_id, p.name]))),
    el("div", { class: "row2" }, field("opening-trade", "Métier", select("opening-trade", "trade", trades())),
      field("opening-hours", "Heures par semaine", el("input", { id: "opening-hours", name: "hours_per_week", type: "number", min: "1", max: "48", step: "0.5", value: "24", inputmode: "decimal" }))),
    el("div", { class: "row2" }, field("opening-start", "Début du contrat", el("input", { id: "opening-start", name: "starts_on", type: "date" })),
      field("opening-positions", "Postes", el("input", { id: "opening-positions", name: "positions", type: "number", min: "1", max: "20", value: "1", inputmode: "numeric" }))),
    el("div", { class: "commune-box" }, checks("Communes du lieu de travail", "communes", session.policy.communes.map((c) => [c.code, c.name]))),
    el("button", { class: "primary", type: "submit", ...(providers.length ? {} : { disabled: "" }) }, "Déposer l'offre")), async (form) => {
    const missing = [!form.get("provider_id") && "Prestataire", !form.get("starts_on") && "Début du contrat",
      !form.getAll("communes").length && "Communes"].filter(Boolean);
    if (missing.length) return say("error", `Vérifiez : ${missing.join(", ")}.`);
    const created = await send("/openings", { provider_id: form.get("provider_id"), trade: form.get("trade"),
      hours_per_week: Number(form.get("hours_per_week")).toFixed(2), communes: form.getAll("communes"), starts_on: form.get("starts_on"),
      positions: Number(form.get("positions")) }, { key: "opening", done: "Offre déposée.", then: (created) => showPart("opening", created.id) });
  });
  const rows = openings.map((o) => [el("button", { type: "button", class: "link", onclick: () => showPart("opening", o.opening_id) },
    `${capital(o.trade_label)} — ${providerLabel(o.provider_id)}`), day(o.starts_on), shortWhen(o.posted_at), o.status_label]);
  return [el("div", { class: "job-grid" }, form, el("div", { class: "panel" }, el("h3", {}, "Offres d'emploi des prestataires"),
    jobTable("Offres d'emploi", ["Offre", "Début", "Déposée", "État"], rows, "Aucune offre déposée.")))];
}

async function openingPage(openingId) {
  const [o] = await Promise.all([api(employment(`/openings/${openingId}`)), loadCards()]);
  const blocks = [el("h3", {}, `${capital(o.trade_label)} — ${providerLabel(o.provider_id)}`),
    facts([["Postes", String(o.positions)], ["État", o.filled ? "pourvue" : "ouverte"], ["Tours de proposition", String(o.proposals.length)]])];
  const outcomes = Object.entries(session.policy.labels.interview_outcomes);
  o.proposals.forEach((round, r) => {
    blocks.push(el("h4", {}, `Tour ${r + 1} : ${round.proposed.length} personne(s) proposée(s)`));
    blocks.push(el("ol", { class: "story" }, ...round.proposed.map((c) => {
      const actions = [];
      if (!c.hired_on && !o.filled) {
        const choice = select(`outcome-${r}-${c.rank}`, "outcome", outcomes, { "aria-label": `Entretien de ${c.name || "la personne"}` });
        actions.push(choice, el("button", { type: "button", class: "small", onclick: async () => {
          await send(`/openings/${openingId}/interviews`, { seeker_id: c.seeker_id, outcome: choice.value },
            { done: "Entretien noté.", then: () => showPart("opening", openingId) });
        } }, "Noter l'entretien"));
        if (c.interview === jobLabel("interview_outcomes", "retained")) {
          const start = el("input", { type: "date", value: todayHere(), "aria-label": `Premier jour de ${c.name || "la personne"}` });
          actions.push(start, el("button", { type: "button", class: "small", onclick: async () => {
            await send(`/openings/${openingId}/hires`, { seeker_id: c.seeker_id, starts_on: start.value },
              { done: "Embauche enregistrée.", then: () => showPart("opening", openingId) });
          } }, "Embaucher"));
        }
      }
      return el("li", {}, el("strong", {}, c.name || "données effacées"), c.phone ? ` — ${c.phone}` : "", el("br"), c.why,
        c.interview ? el("span", { class: "tag" }, `entretien : ${c.interview}`) : "", c.hired_on ? el("span", { class: "tag ok" }, `embauché·e le ${day(c.hired_on)}`) : "",
        actions.length ? el("div", { class: "actions" }, ...actions) : "");
    })));
    if (round.skipped.length) {
      blocks.push(el("details", {}, el("summary", {}, `${round.skipped.length} personne(s) non proposée(s) à ce tour, et pourquoi`),
        el("ul", {}, ...Object.entries(round.skipped_by_reason).map(([reason, count]) => el("li", {}, `${reason} : ${count}`))),
        jobTable("Personnes non proposées", ["Dossier", "Pourquoi"], round.skipped.map((x) => [
          el("button", { type: "button", class: "link", onclick: () => showPart("seeker", x.seeker_id) }, `Dossier ${dossier(x.seeker_id)}`),
          x.reason_label]), "")));
    }
  });
  if (!o.filled) {
    const wanted = select("propose-wanted", "wanted", [1, 2, 3, 4, 5].map((n) => [String(n), String(n)]));
    wanted.value = "3";
    blocks.push(el("div", { class: "actions" }, el("label", { for: "propose-wanted" }, "Candidats à proposer"), wanted,
      el("button", { type: "button", class: "primary", id: "propose", onclick: async () => {
        await send(`/openings/${openingId}/proposals`, { wanted: Number(wanted.value) }, { then: () => showPart("opening", openingId),
          done: (round) => `${round.proposed.length} candidat·e(s) proposé·e(s), à tour de rôle.` });
      } }, "Proposer les suivants à tour de rôle")));
  }
  blocks.push(el("p", { class: "muted small-print" }, "À tour de rôle : d'abord celles et ceux qui ont été le moins proposés, puis les plus anciennement pré-sélectionnés, puis les plus proches."),
    el("p", {}, el("button", { type: "button", class: "small", onclick: () => showPart("openings") }, "Retour aux offres")));
  return [el("div", { class: "panel" }, ...blocks)];
}

// --- figures --------------------------------------------------------------------------------------------------------
const HEADLINE = ["seekers_received", "sessions_held", "invited_to_session", "present_at_session", "assessed", "preselected",
  "referred_to_training", "trainings_started", "modules_certified", "trainings_completed", "certified", "openings_posted",
  "candidates_proposed", "hires", "in_post_3", "in_post_6"];
async function figuresPart() {
  const report = await api(employment("/employment/figures"));
  const months = Object.keys(report.months).sort().slice(-4);
  const measures = HEADLINE.filter((m) => report.measures[m]);
  const rows = measures.map((m) => [capital(report.measures[m]), ...months.map((month) => String(report.months[month].counts[m] ?? 0)),
    String(report.total.counts[m] ?? 0)]);
  const t = report.total;
  const average = Number(t.average_days_to_fill);
  const days = t.average_days_to_fill == null ? "—"
    : `${average.toLocaleString("fr-FR", { maximumFractionDigits: 1 })} jour${average < 2 ? "" : "s"}`;
  const by = (title, table, labels) => jobTable(title, [title, "Reçus", "Pré-sélectionnés", "Embauches"],
    Object.entries(table).map(([code, f]) => [labels[code] || "non précisé", String(f.counts.seekers_received), String(f.counts.preselected), String(f.counts.hires)]),
    "Rien à compter pour l'instant.");
  const download = el("button", { type: "button", class: "small", onclick: async () => {
    try {
      const auth = typeof credentials === "function" ? credentials("GET") : { headers: { Authorization: `Bearer ${session.token}` } };
      const response = await fetch(employment("/employment/figures.csv"), { credentials: auth.credentials || "same-origin", headers: auth.headers });
      if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
      const link = el("a", { href: URL.createObjectURL(await response.blob()), download: `emploi-${session.platform}.csv` });
      link.click();
    } catch (error) { say("error", error.message || frenchError(0, null)); }
  } }, "Télécharger pour les financeurs (CSV, petits effectifs masqués)");
  return [el("div", { class: "panel" }, el("h3", {}, "Chiffres de l'emploi, par mois (heure locale)"),
    el("ul", { class: "figures" }, el("li", {}, el("strong", {}, percent(t.attendance_rate)), " de présence aux réunions"),
      el("li", {}, el("strong", {}, percent(t.preselection_rate)), " de pré-sélection après évaluation"),
      el("li", {}, el("strong", {}, days), " en moyenne pour pourvoir une offre"),
      el("li", {}, el("strong", {}, percent(t.in_post_at_6_months_rate)), " toujours en poste à 6 mois")),
    jobTable("Chiffres par mois", ["Étape", ...months.map(monthName), "Total"], rows, "Rien à compter pour l'instant."),
    el("h4", {}, "Par métier"), by("Métier", report.trades, report.trade_labels),
    el("h4", {}, "Par orientation"), by("Orientation", report.referral_sources, report.referral_source_labels),
    el("p", {}, download))];
}
