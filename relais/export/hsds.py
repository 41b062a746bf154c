"""The provider directory as Open Referral HSDS 3.0 tables.

- ``organization``: each platform, and each provider (``parent_organization_id`` = its platform);
  ``organization_identifier``: SIRET (France) or BCE/KBO number (Belgium);
- ``taxonomy_term``: the activity categories and the activities of the platforms' taxonomies;
- ``service``: one per provider and activity (admitted: active, suspended: temporarily closed,
  withdrawn: defunct), with its agréments qualité and their validity in ``accreditations``;
  ``attribute`` links it to its activity term;
- ``location``: each commune of a platform (centre coordinates, INSEE or NIS code);
  ``service_area`` (a GeoJSON point at the commune centre, the INSEE or NIS code in its name and
  ``uri``) and ``service_at_location``: the communes each service covers;
- ``schedule``: the provider's weekly availability, times with the platform's UTC offset.

A field HSDS does not require is left out rather than null (HSDS types them as strings). Each table has
the name of HSDS 3.0's tabular form (``organizations.csv``...) and the columns of :data:`COLUMNS`, in
Frictionless types, the fields of the ``datapackage.json`` written beside it. Ids are stable UUIDs (uuid5)
derived from the Relais ids, so two exports can be compared.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

import orjson

from shared.contracts.directory import Provider
from shared.contracts.labels import FRAGILE_PUBLICS, PROVIDER_KINDS, label
from shared.platforms.local_time import local_date
from shared.platforms.model import PlatformPolicy

HSDS_VERSION = "3.0"
NAMESPACE = uuid.UUID("6f1d4c52-3b8e-5a8e-9d0c-2f7a1c9e4b10")
STATUS = {"admitted": "active", "suspended": "temporarily closed", "withdrawn": "defunct"}
BYDAY = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH", "friday": "FR", "saturday": "SA",
         "sunday": "SU"}
WEEKDAYS = {"monday": "lundi", "tuesday": "mardi", "wednesday": "mercredi", "thursday": "jeudi", "friday": "vendredi",
            "saturday": "samedi", "sunday": "dimanche"}
CATEGORIES = {"household": "Entretien de la maison", "gardening": "Jardinage", "childcare": "Garde d'enfants",
              "assistance": "Aide aux personnes", "errands": "Courses et repas", "wellbeing": "Bien-être",
              "repairs": "Petits travaux et dépannage", "building": "Bâtiment", "computing": "Informatique",
              "education": "Soutien scolaire", "mobility": "Transport et accompagnement", "pets": "Animaux",
              "business": "Services aux professionnels"}
TAXONOMY = "Activités des plateformes Relais (services à domicile)"

COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "organization": (("id", "string"), ("name", "string"), ("description", "string"), ("legal_status", "string"),
                     ("parent_organization_id", "string")),
    "organization_identifier": (("id", "string"), ("organization_id", "string"), ("identifier_scheme", "string"),
                                ("identifier_type", "string"), ("identifier", "string")),
    "taxonomy_term": (("id", "string"), ("code", "string"), ("name", "string"), ("description", "string"),
                      ("parent_id", "string"), ("taxonomy", "string"), ("language", "string")),
    "service": (("id", "string"), ("organization_id", "string"), ("name", "string"), ("description", "string"),
                ("status", "string"), ("fees_description", "string"), ("accreditations", "string"),
                ("eligibility_description", "string"), ("assured_date", "date"), ("last_modified", "datetime")),
    "attribute": (("id", "string"), ("link_id", "string"), ("link_type", "string"), ("link_entity", "string"),
                  ("taxonomy_term_id", "string")),
    "location": (("id", "string"), ("location_type", "string"), ("name", "string"), ("description", "string"),
                 ("latitude", "number"), ("longitude", "number"), ("external_identifier", "string"),
                 ("external_identifier_type", "string")),
    "service_area": (("id", "string"), ("service_id", "string"), ("name", "string"), ("description", "string"),
                     ("extent", "string"), ("extent_type", "string"), ("uri", "string")),
    "service_at_location": (("id", "string"), ("service_id", "string"), ("location_id", "string")),
    "schedule": (("id", "string"), ("service_id", "string"), ("freq", "string"), ("byday", "string"),
                 ("opens_at", "string"), ("closes_at", "string"), ("timezone", "number"), ("description", "string"),
                 ("notes", "string")),
}
"""Each HSDS table written, its columns in order with their Frictionless type."""
TABLES = tuple(COLUMNS)
PATHS = {"organization": "organizations", "organization_identifier": "organization_identifiers",
         "taxonomy_term": "taxonomy_terms", "service": "services", "attribute": "attributes", "location": "locations",
         "service_area": "service_areas", "service_at_location": "service_at_location", "schedule": "schedules"}
"""File name (without extension) of each table in HSDS 3.0's tabular form."""

Tables = dict[str, list[dict[str, Any]]]


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(("relais", *parts))))


def french_date(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def hsds_tables(entries: Mapping[str, Provider], policies: Mapping[str, PlatformPolicy],
                at: datetime) -> Tables:
    """Every HSDS table of the directory as of ``at`` (rows as dicts without null fields), for providers of known
    platforms; agréments count on the platform's local date of ``at``."""
    tables: Tables = {name: [] for name in TABLES}
    for platform in policies.values():
        _platform(tables, platform)
    for entry in sorted(entries.values(), key=lambda e: e.provider_id):
        policy = policies.get(entry.platform_id)
        if policy is not None and entry.status in STATUS:
            _provider(tables, entry, policy, local_date(at, policy.zone))
    return {name: [{key: value for key, value in row.items() if value is not None} for row in rows]
            for name, rows in tables.items()}


def _platform(tables: Tables, policy: PlatformPolicy) -> None:
    pid = policy.platform_id
    tables["organization"].append({
        "id": stable_id("platform", pid), "name": policy.name,
        "description": f"Plateforme de services à domicile : elle reçoit les demandes des habitants de ses "
                       f"{len(policy.communes)} communes et les confie aux prestataires qu'elle a admis."})
    known = {row["id"] for row in tables["taxonomy_term"]}
    for category in sorted({a.category.value for a in policy.activities}):
        term_id = stable_id("category", category)
        if term_id not in known:
            known.add(term_id)
            tables["taxonomy_term"].append({
                "id": term_id, "code": category, "name": CATEGORIES[category],
                "description": f"Catégorie d'activités : {CATEGORIES[category].lower()}.", "taxonomy": TAXONOMY,
                "language": "fr"})
    for activity in policy.activities:
        term_id = stable_id("activity", activity.code)
        if term_id not in known:
            known.add(term_id)
            tables["taxonomy_term"].append({
                "id": term_id, "code": activity.code, "name": activity.label,
                "description": f"{activity.label} (catégorie {CATEGORIES[activity.category.value].lower()}).",
                "parent_id": stable_id("category", activity.category.value), "taxonomy": TAXONOMY, "language": "fr"})
    for commune in policy.communes:
        scheme, code = _commune_code(commune.code)
        tables["location"].append({
            "id": stable_id("commune", pid, commune.code), "location_type": "physical", "name": commune.name,
            "description": f"Centre de la commune de {commune.name} (code {scheme} {code}).",
            "latitude": commune.latitude, "longitude": commune.longitude,
            "external_identifier": code, "external_identifier_type": scheme})


def _commune_code(code: str) -> tuple[str, str]:
    """(scheme, code) of a commune: INSEE for a French one, NIS for a Belgian one (``BE`` + NIS in Relais)."""
    return ("NIS", code.removeprefix("BE")) if code.startswith("BE") else ("INSEE", code)


def _provider(tables: Tables, entry: Provider, policy: PlatformPolicy, today: date) -> None:
    org_id = stable_id("provider", entry.provider_id)
    kind = label(PROVIDER_KINDS, entry.kind, entry.kind)
    tables["organization"].append({
        "id": org_id, "name": entry.name, "legal_status": kind,
        "description": f"Prestataire de services à domicile ({kind}) admis par la plateforme {policy.name}.",
        "parent_organization_id": stable_id("platform", policy.platform_id)})
    for scheme, kind_code, number in (("FR-SIRET", "SIRET", entry.siret), ("BE-BCE_KBO", "BCE/KBO", entry.bce_number)):
        if number:
            tables["organization_identifier"].append({
                "id": stable_id("identifier", entry.provider_id, kind_code), "organization_id": org_id,
                "identifier_scheme": scheme, "identifier_type": kind_code, "identifier": number})
    publics = sorted(entry.publics_on(today))
    communes = [commune for commune in policy.communes if commune.code in entry.communes]
    for code in sorted(entry.activities):
        try:
            activity = policy.activity(code)
        except KeyError:
            continue
        service_id = stable_id("service", entry.provider_id, code)
        tables["service"].append({
            "id": service_id, "organization_id": org_id, "name": f"{activity.label} — {entry.name}",
            "description": f"{activity.label} à domicile par {entry.name}. Les habitants appellent la plateforme "
                           f"{policy.name}, qui confie la demande au prestataire dont c'est le tour.",
            "status": STATUS[entry.status], "fees_description": "Prestation payante, sur devis.",
            "accreditations": _accreditations(entry) or None,
            "eligibility_description": _eligibility(publics),
            "assured_date": entry.admitted_on.isoformat() if entry.admitted_on else None,
            "last_modified": entry.updated_at.isoformat() if entry.updated_at else None})
        tables["attribute"].append({"id": stable_id("attribute", service_id), "link_id": service_id,
                                    "link_type": "activity", "link_entity": "service",
                                    "taxonomy_term_id": stable_id("activity", code)})
        for commune in communes:
            scheme, number = _commune_code(commune.code)
            tables["service_area"].append({
                "id": stable_id("area", service_id, commune.code), "service_id": service_id,
                "name": f"{commune.name} ({scheme} {number})",
                "description": f"Commune de {commune.name}, code {scheme} {number} ; le point est le centre de la "
                               f"commune.",
                "extent": orjson.dumps({"type": "Point", "coordinates": [commune.longitude, commune.latitude]}).decode(),
                "extent_type": "geojson",
                "uri": None if scheme == "NIS" else f"https://geo.api.gouv.fr/communes/{number}"})
            tables["service_at_location"].append({
                "id": stable_id("at", service_id, commune.code), "service_id": service_id,
                "location_id": stable_id("commune", policy.platform_id, commune.code)})
        for slot in entry.weekly:
            opens, closes, weekday = slot.starts, slot.ends, slot.weekday.value
            opens_at, offset = _with_offset(today, opens, policy)
            tables["schedule"].append({
                "id": stable_id("schedule", service_id, weekday, opens.isoformat()), "service_id": service_id,
                "freq": "WEEKLY", "byday": BYDAY[weekday], "opens_at": opens_at,
                "closes_at": _with_offset(today, closes, policy)[0], "timezone": offset,
                "description": f"Le {WEEKDAYS[weekday]} de {opens:%H:%M} à {closes:%H:%M}, "
                               f"heure locale ({policy.timezone}).",
                "notes": f"Heures locales de {policy.timezone} ; le décalage UTC est celui du {french_date(today)}."})


def _public_names(codes: list[str]) -> str:
    return ", ".join(label(FRAGILE_PUBLICS, code, code) for code in codes)


def _accreditations(entry: Provider) -> str:
    return " ; ".join(f"Agrément qualité n° {a.number} ({_public_names(sorted(a.publics)) or 'tous publics'}), valable du "
                      f"{french_date(a.issued_on)} au {french_date(a.expires_on)}" for a in entry.accreditations)


def _eligibility(publics: list[str]) -> str:
    if not publics:
        return "Tous publics ; sans agrément qualité en cours, le prestataire n'intervient pas auprès des publics fragiles."
    return f"Tous publics, y compris les publics fragiles couverts par un agrément qualité en cours : {_public_names(publics)}."


def _with_offset(day: date, at: time, policy: PlatformPolicy) -> tuple[str, float]:
    """``at`` as ``HH:MM+hh:mm`` with the platform's UTC offset on ``day``, and that offset in hours."""
    moment = datetime.combine(day, at, tzinfo=policy.zone)
    offset = moment.utcoffset()
    hours = offset.total_seconds() / 3600 if offset is not None else 0.0
    return moment.isoformat(timespec="minutes")[11:], hours
