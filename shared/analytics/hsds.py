"""The provider directory as Open Referral HSDS 3.0 tables, with data-inclusion v1 fields where they map.

- ``organization``: each platform, and each provider (``parent_organization_id`` = its platform);
  ``organization_identifier``: SIRET (France) or BCE/KBO number (Belgium);
- ``taxonomy_term``: the activity categories and the activities of the platforms' taxonomies;
- ``service``: one per provider and activity (admitted: active, suspended: temporarily closed,
  withdrawn: defunct); ``attribute`` links it to its activity term. Extra service fields from
  data-inclusion v1: ``thematiques``, ``publics``, ``frais``, ``zone_eligibilite`` (INSEE codes, French
  communes only), ``modes_mobilisation``, ``date_maj``;
- ``location``: each commune of a platform (centre coordinates, INSEE or NIS code);
  ``service_area`` and ``service_at_location``: the communes each service covers;
- ``schedule``: the provider's weekly availability.

Ids are stable UUIDs (uuid5) derived from the Relais ids, so two exports can be compared.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from shared.analytics.directory import DirectoryEntry
from shared.platforms.model import PlatformPolicy

NAMESPACE = uuid.UUID("6f1d4c52-3b8e-5a8e-9d0c-2f7a1c9e4b10")
STATUS = {"admitted": "active", "suspended": "temporarily closed", "withdrawn": "defunct"}
THEMATIQUES = {
    "household": ["equipement-et-alimentation--aide-menagere"],
    "errands": ["equipement-et-alimentation--aide-menagere"],
    "childcare": ["famille--garde-denfants"],
    "assistance": ["famille--prise-en-charge-personne-dependante"],
    "wellbeing": ["remobilisation--bien-etre-confiance-en-soi"],
    "computing": ["numerique--maitriser-les-fondamentaux-du-numerique"],
    "education": ["famille--soutien-a-la-parentalite-et-a-leducation"],
    "mobility": ["mobilite--etre-accompagne-dans-son-parcours-mobilite"],
}
PUBLICS = {"elderly": "seniors", "disabled": "personnes-en-situation-de-handicap", "child_under_3": "familles"}
BYDAY = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH", "friday": "FR", "saturday": "SA",
         "sunday": "SU"}
TABLES = ("organization", "organization_identifier", "taxonomy_term", "service", "attribute", "location",
          "service_area", "service_at_location", "schedule")


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(("relais", *parts))))


def hsds_tables(entries: Mapping[str, DirectoryEntry], policies: Mapping[str, PlatformPolicy],
                today: date) -> dict[str, list[dict[str, Any]]]:
    """Every HSDS table of the directory (rows as dicts), for providers of known platforms."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for policy in policies.values():
        _platform(tables, policy)
    for entry in sorted(entries.values(), key=lambda e: e.provider_id):
        policy = policies.get(entry.platform_id)
        if policy is not None and entry.status in STATUS:
            _provider(tables, entry, policy, today)
    return tables


def _platform(tables: dict[str, list[dict[str, Any]]], policy: PlatformPolicy) -> None:
    pid = policy.platform_id
    tables["organization"].append({"id": stable_id("platform", pid), "name": policy.name, "description":
                                   f"Plateforme de services à domicile ({policy.matching.mode.value})",
                                   "parent_organization_id": None, "legal_status": None})
    for category in sorted({a.category.value for a in policy.activities}):
        term = {"id": stable_id("category", category), "code": category, "name": category, "description": None,
                "parent_id": None, "taxonomy": "relais-activities", "language": "fr", "term_uri": None}
        if term not in tables["taxonomy_term"]:
            tables["taxonomy_term"].append(term)
    known = {row["id"] for row in tables["taxonomy_term"]}
    for activity in policy.activities:
        term_id = stable_id("activity", activity.code)
        if term_id not in known:
            known.add(term_id)
            tables["taxonomy_term"].append({
                "id": term_id, "code": activity.code, "name": activity.label, "description": None,
                "parent_id": stable_id("category", activity.category.value), "taxonomy": "relais-activities",
                "language": "fr", "term_uri": None})
    for commune in policy.communes:
        belgian = commune.code.startswith("BE")
        tables["location"].append({
            "id": stable_id("commune", pid, commune.code), "location_type": "physical", "organization_id": None,
            "name": commune.name, "latitude": commune.latitude, "longitude": commune.longitude,
            "external_identifier": commune.code.removeprefix("BE"),
            "external_identifier_type": "NIS" if belgian else "INSEE"})


def _provider(tables: dict[str, list[dict[str, Any]]], entry: DirectoryEntry, policy: PlatformPolicy,
              today: date) -> None:
    org_id = stable_id("provider", entry.provider_id)
    tables["organization"].append({"id": org_id, "name": entry.name, "description": None, "legal_status": entry.kind,
                                   "parent_organization_id": stable_id("platform", policy.platform_id)})
    for scheme, kind, number in (("FR-SIRET", "SIRET", entry.siret), ("BE-BCE_KBO", "BCE/KBO", entry.bce_number)):
        if number:
            tables["organization_identifier"].append({"id": stable_id("identifier", entry.provider_id, kind),
                                                      "organization_id": org_id, "identifier_scheme": scheme,
                                                      "identifier_type": kind, "identifier": number})
    publics = entry.publics_on(today)
    names = {commune.code: commune.name for commune in policy.communes}
    communes = [code for code in entry.communes if code in names]
    for code in entry.activities:
        try:
            activity = policy.activity(code)
        except KeyError:
            continue
        service_id = stable_id("service", entry.provider_id, code)
        tables["service"].append({
            "id": service_id, "organization_id": org_id, "name": f"{activity.label} — {entry.name}",
            "status": STATUS[entry.status], "fees_description": "Prestation payante, sur devis.",
            "accreditations": ", ".join(f"Agrément qualité {a.number}" for a in entry.accreditations) or None,
            "eligibility_description": None, "assured_date": entry.admitted_on.isoformat() if entry.admitted_on else None,
            "last_modified": entry.updated_at.isoformat() if entry.updated_at else None,
            "thematiques": THEMATIQUES.get(activity.category.value, []),
            "publics": sorted({PUBLICS[p] for p in publics if p in PUBLICS}) or ["tous-publics"],
            "frais": ["payant"], "zone_eligibilite": [c for c in communes if not c.startswith("BE")] or None,
            "modes_mobilisation": ["telephoner"],
            "date_maj": entry.updated_at.date().isoformat() if entry.updated_at else None})
        tables["attribute"].append({"id": stable_id("attribute", service_id), "link_id": service_id,
                                    "link_type": "activity", "link_entity": "service",
                                    "taxonomy_term_id": stable_id("activity", code), "value": None})
        for commune in communes:
            location_id = stable_id("commune", policy.platform_id, commune)
            tables["service_area"].append({"id": stable_id("area", service_id, commune), "service_id": service_id,
                                           "name": names[commune], "extent_type": "commune",
                                           "uri": None if commune.startswith("BE") else
                                           f"https://geo.api.gouv.fr/communes/{commune}"})
            tables["service_at_location"].append({"id": stable_id("at", service_id, commune),
                                                  "service_id": service_id, "location_id": location_id})
        for slot in entry.weekly:
            tables["schedule"].append({"id": stable_id("schedule", service_id, slot["weekday"], slot["starts"]),
                                       "service_id": service_id, "freq": "WEEKLY", "byday": BYDAY[slot["weekday"]],
                                       "opens_at": slot["starts"], "closes_at": slot["ends"]})
