"""``relais export-directory``: the provider directory as open data.

Layout of ``out``::

    organizations.json ... schedules.json     HSDS 3.0, one file per table (or .csv: HSDS's tabular form)
    datapackage.json                          the Frictionless data package describing those tables
    data-inclusion/structures.json            data·inclusion schema v1 (the French profile)
    data-inclusion/services.json

The directory is folded from the provider events of the matching service's store (the durable
history), so it does not depend on the matching service's own tables.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from relais.export.hsds import COLUMNS, HSDS_VERSION, PATHS, TABLES, hsds_tables
from relais.export.inclusion import as_json, inclusion_records
from relais.stores import Stores, events_table, stored_events
from shared.contracts.directory import Provider, fold_directory
from shared.platforms.model import PlatformPolicy
from shared.settings import Settings

DIRECTORY_SERVICE = "matching"
DIRECTORY_FORMATS = ("json", "csv")
DATAPACKAGE = "datapackage.json"
INCLUSION = "data-inclusion"
INCLUSION_FILES = ("structures", "services")


async def export_directory(settings: Settings, out: Path, policies: Mapping[str, PlatformPolicy], *,
                           fmt: str = "json", at: datetime | None = None) -> dict[str, int]:
    """Write the directory into ``out`` as of ``at`` (default now); returns the row count per file written."""
    if fmt not in DIRECTORY_FORMATS:
        raise ValueError(f"unknown directory format {fmt!r}; choose json or csv")
    envelopes = []
    async with Stores(settings, [DIRECTORY_SERVICE]) as stores:
        engine = stores.engines.get(DIRECTORY_SERVICE)
        if engine is None:
            raise FileNotFoundError(f"no store for {DIRECTORY_SERVICE}: {settings.service_database_url(DIRECTORY_SERVICE)}")
        where = [events_table().c.aggregate_type == "provider"]
        async for stored in stored_events(engine, DIRECTORY_SERVICE, where=where):
            envelopes.append(stored.envelope)
    return write_directory(out, fold_directory(envelopes), policies, fmt, at or datetime.now(UTC))


def write_directory(out: Path, entries: Mapping[str, Provider], policies: Mapping[str, PlatformPolicy],
                    fmt: str, at: datetime) -> dict[str, int]:
    """Write the HSDS tables, their data package and the data·inclusion files of ``entries`` as of ``at``."""
    tables = hsds_tables(entries, policies, at)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in TABLES:
        write_table(out / f"{PATHS[name]}.{fmt}", tables[name], name, fmt)
        counts[f"{PATHS[name]}.{fmt}"] = len(tables[name])
    (out / DATAPACKAGE).write_bytes(orjson.dumps(datapackage(fmt, at), option=orjson.OPT_INDENT_2))
    (out / INCLUSION).mkdir(exist_ok=True)
    for name, records in zip(INCLUSION_FILES, inclusion_records(entries, policies, at), strict=True):
        path = out / INCLUSION / f"{name}.json"
        path.write_bytes(orjson.dumps([as_json(record) for record in records], option=orjson.OPT_INDENT_2))
        counts[f"{INCLUSION}/{name}.json"] = len(records)
    return counts


def write_table(path: Path, rows: list[dict[str, Any]], table: str, fmt: str) -> None:
    """One HSDS table: a JSON array of objects, or a CSV file with the table's columns (empty cell: no value)."""
    if fmt == "json":
        path.write_bytes(orjson.dumps(rows, option=orjson.OPT_INDENT_2))
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[column for column, _ in COLUMNS[table]])
        writer.writeheader()
        writer.writerows(rows)


def datapackage(fmt: str, at: datetime) -> dict[str, Any]:
    """The Frictionless data package of the HSDS tables (tabular data package when written as CSV)."""
    resources = []
    for name in TABLES:
        resource: dict[str, Any] = {
            "name": name, "path": f"{PATHS[name]}.{fmt}", "format": fmt,
            "mediatype": "text/csv" if fmt == "csv" else "application/json",
            "schema": {"fields": [{"name": column, "type": kind} for column, kind in COLUMNS[name]], "primaryKey": "id"}}
        if fmt == "csv":
            resource.update(profile="tabular-data-resource", encoding="utf-8")
        resources.append(resource)
    return {"name": "relais-annuaire-prestataires", "title": "Annuaire des prestataires de services à domicile",
            "description": "Prestataires admis par les plateformes Relais, au format Open Referral HSDS "
                           f"{HSDS_VERSION}.", "version": HSDS_VERSION, "created": at.isoformat(),
            "profile": "tabular-data-package" if fmt == "csv" else "data-package",
            "homepage": "https://docs.openreferral.org/en/3.0/", "resources": resources}
