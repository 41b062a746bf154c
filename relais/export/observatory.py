"""``relais export-observatory``: the observatory of unmet demand as open data, small counts hidden.

The unmet requests (``RequestUnmet``, from the matching service's store) counted per platform, month of
the platform's local time, activity, commune and reason, with two levels of totals: each activity x
commune of a month, and each month. Counts under the platform's threshold (``small_count_threshold`` of its
policy, 5 by default; an export may raise it, never lower it) are shown as "< 5" (for a threshold of 5) and other
counts hidden as "secret" where totals would give them back (:mod:`shared.privacy.suppression`).

Layout of ``out``::

    observatoire.csv           one row per count (``niveau``: mois, activite_commune or motif)
    observatoire.json          the same rows
    observatoire.schema.json   Frictionless table schema: each column's name, type and French description
    datapackage.json           the data package of the two files
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from relais.stores import Stores, events_table, stored_events
from shared.contracts.envelope import Envelope
from shared.contracts.events.matching import RequestUnmet, UnmetReason
from shared.contracts.labels import UNMET_REASONS, label
from shared.platforms.local_time import local_month
from shared.platforms.model import PlatformPolicy
from shared.privacy.suppression import SECRET, Cell, Suppression, raised_threshold, suppress
from shared.settings import Settings

OBSERVATORY_SERVICE = "matching"
FILES = ("observatoire.csv", "observatoire.json", "observatoire.schema.json", "datapackage.json")
LEVELS = {2: "mois", 4: "activite_commune", 5: "motif"}
"""The level of a row, by the length of its key (platform, month[, activity, commune[, reason]])."""

Key = tuple[str, str, str, str, str]  # platform, month, activity, commune, reason


@dataclass(frozen=True)
class ObservatoryReport:
    out: Path
    rows: int
    unmet: int
    hidden: int
    thresholds: dict[str, int]
    """The threshold each platform was published with."""


def thresholds_of(policies: Mapping[str, PlatformPolicy], override: int | None = None) -> dict[str, int]:
    """Each platform's threshold: its policy's ``small_count_threshold``, or ``override`` where that is higher
    (an override under a policy's threshold is refused: an export may only raise it)."""
    return {platform: raised_threshold(policy.small_count_threshold, override) for platform, policy in policies.items()}


async def export_observatory(settings: Settings, out: Path, policies: Mapping[str, PlatformPolicy], *,
                             threshold: int | None = None) -> ObservatoryReport:
    """Count the unmet requests of the matching store and write the published observatory into ``out``;
    ``threshold`` raises the policies' thresholds (ValueError, in French, if it would lower one)."""
    thresholds = thresholds_of(policies, threshold)
    envelopes = []
    async with Stores(settings, [OBSERVATORY_SERVICE]) as stores:
        engine = stores.engines.get(OBSERVATORY_SERVICE)
        if engine is None:
            raise FileNotFoundError(f"no store for {OBSERVATORY_SERVICE}: "
                                    f"{settings.service_database_url(OBSERVATORY_SERVICE)}")
        where = [events_table().c.event_type == RequestUnmet.__name__]
        async for stored in stored_events(engine, OBSERVATORY_SERVICE, where=where):
            envelopes.append(stored.envelope)
    counts = unmet_counts(envelopes, policies)
    rows = observatory_rows(counts, policies, threshold)
    write_observatory(out, rows, thresholds)
    return ObservatoryReport(out, len(rows), sum(counts.values()),
                             sum(1 for row in rows if row["effectif"] is None), thresholds)


def unmet_counts(envelopes: Iterable[Envelope[Any]], policies: Mapping[str, PlatformPolicy]) -> Counter[Key]:
    """Unmet requests per platform, month of the platform's local time, activity, commune and reason."""
    counts: Counter[Key] = Counter()
    for envelope in envelopes:
        event, meta = envelope.payload, envelope.meta
        policy = policies.get(meta.platform_id)
        if policy is not None and isinstance(event, RequestUnmet):
            counts[(meta.platform_id, local_month(meta.occurred_at, policy.zone), event.activity, event.commune,
                    event.reason.value)] += 1
    return counts


def observatory_rows(counts: Mapping[Key, int], policies: Mapping[str, PlatformPolicy],
                     threshold: int | None = None) -> list[dict[str, Any]]:
    """The published rows of ``counts``: month totals, activity x commune totals and reasons, counts under each
    platform's threshold hidden (``threshold`` raises the policies' ones, see :func:`thresholds_of`)."""
    thresholds = thresholds_of(policies, threshold)
    months: dict[tuple[str, str], Cell] = {}
    pairs: dict[tuple[str, ...], Cell] = {}
    for key in sorted(counts):
        top = months.setdefault(key[:2], Cell(key[:2], 0))
        pair = pairs.get(key[:4])
        if pair is None:
            pair = pairs[key[:4]] = top.add(Cell(key[:4], 0))
        pair.add(Cell(key, counts[key]))
        pair.count += counts[key]
        top.count += counts[key]
    for top in months.values():  # each month of each platform is a table of its own, under its platform's threshold
        suppress([top], thresholds[top.key[0]])
    return [_row(cell, policies[cell.key[0]], thresholds[cell.key[0]]) for top in months.values() for cell in top.walk()]


def _row(cell: Cell, policy: PlatformPolicy, threshold: int) -> dict[str, Any]:
    platform, month, activity, commune, reason = (*cell.key, None, None, None)[:5]
    published = {Suppression.NONE: str(cell.count), Suppression.PRIMARY: f"< {threshold}",
                 Suppression.SECONDARY: SECRET}[cell.suppression]
    return {
        "plateforme": platform, "plateforme_nom": policy.name, "mois": month, "niveau": LEVELS[len(cell.key)],
        "activite_code": activity, "activite": _name(policy.activities, activity),
        "commune_code": commune, "commune": _name(policy.communes, commune),
        "motif_code": reason, "motif": label(UNMET_REASONS, reason, "") or None,
        "effectif": None if cell.hidden else cell.count, "effectif_publie": published, "seuil_secret": threshold,
    }


def _name(items: list[Any], code: str | None) -> str | None:
    if code is None:
        return None
    return next((getattr(item, "label", None) or item.name for item in items if item.code == code), code)


COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("plateforme", "string", "Identifiant de la plateforme de services à domicile."),
    ("plateforme_nom", "string", "Nom de la plateforme."),
    ("mois", "yearmonth", "Mois (AAAA-MM) où la demande a été déclarée non satisfaite, à l'heure locale de la "
                          "plateforme."),
    ("niveau", "string", "Niveau de la ligne : « mois » (toutes les demandes non satisfaites du mois), "
                         "« activite_commune » (une activité dans une commune, tous motifs) ou « motif » (une "
                         "activité dans une commune pour un motif)."),
    ("activite_code", "string", "Code de l'activité dans la taxonomie de la plateforme (vide au niveau mois)."),
    ("activite", "string", "Nom de l'activité (vide au niveau mois)."),
    ("commune_code", "string", "Code INSEE de la commune (ou BE suivi du code NIS pour une commune belge ; vide au "
                               "niveau mois)."),
    ("commune", "string", "Nom de la commune (vide au niveau mois)."),
    ("motif_code", "string", "Code du motif pour lequel personne n'a pu répondre (niveau motif seulement)."),
    ("motif", "string", "Motif en clair (niveau motif seulement)."),
    ("effectif", "integer", "Nombre de demandes non satisfaites ; vide quand il est masqué (voir effectif_publie)."),
    ("effectif_publie", "string", "Effectif tel que publié : le nombre, « < seuil » quand il est inférieur au seuil "
                                  "de secret statistique, ou « secret » quand il est masqué pour que les totaux ne "
                                  "permettent pas de retrouver un petit effectif (secret secondaire)."),
    ("seuil_secret", "integer", "Seuil de secret statistique de la plateforme : les effectifs inférieurs sont "
                                "publiés « < seuil »."),
)


def table_schema(thresholds: Mapping[str, int]) -> dict[str, Any]:
    """The Frictionless table schema of the observatory's rows."""
    fields = []
    for name, kind, description in COLUMNS:
        item: dict[str, Any] = {"name": name, "type": kind, "description": description}
        if name == "niveau":
            item["constraints"] = {"required": True, "enum": list(LEVELS.values())}
        elif name == "motif_code":
            item["constraints"] = {"enum": [reason.value for reason in UnmetReason]}
        elif name in ("plateforme", "mois", "effectif_publie", "seuil_secret"):
            item["constraints"] = {"required": True}
        fields.append(item)
    levels = sorted(set(thresholds.values()))
    below = (f"à {levels[0]} affichés « < {levels[0]} »" if len(levels) == 1 else
             "au seuil de leur plateforme (" + ", ".join(f"{p} : {t}" for p, t in sorted(thresholds.items()))
             + ", colonne seuil_secret) affichés « < seuil »")
    return {"fields": fields, "missingValues": [""],
            "description": f"Observatoire de la demande non satisfaite. Secret statistique : effectifs inférieurs "
                           f"{below}, secret secondaire « {SECRET} »."}


def write_observatory(out: Path, rows: list[dict[str, Any]], thresholds: Mapping[str, int]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    columns = [name for name, _, _ in COLUMNS]
    with (out / FILES[0]).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    (out / FILES[1]).write_bytes(orjson.dumps(rows, option=orjson.OPT_INDENT_2))
    schema = table_schema(thresholds)
    (out / FILES[2]).write_bytes(orjson.dumps(schema, option=orjson.OPT_INDENT_2))
    package = {
        "name": "relais-observatoire-demande-non-satisfaite", "title": "Observatoire de la demande non satisfaite",
        "description": f"Demandes de services à domicile que personne n'a pu satisfaire, par plateforme, mois, "
                       f"activité, commune et motif. {schema['description'].split('. ', 1)[1]}",
        "created": datetime.now(UTC).isoformat(), "profile": "tabular-data-package",
        "resources": [
            {"name": "observatoire", "path": FILES[0], "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
             "profile": "tabular-data-resource", "schema": FILES[2]},
            {"name": "observatoire-json", "path": FILES[1], "format": "json", "mediatype": "application/json",
             "schema": FILES[2]},
        ]}
    (out / FILES[3]).write_bytes(orjson.dumps(package, option=orjson.OPT_INDENT_2))
