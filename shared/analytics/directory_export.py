"""``relais export-directory``: the provider directory in Open Referral HSDS 3.0 (JSON or CSV per table).

The directory is folded from the provider events of the matching service's store (the durable
history), so it does not depend on the matching service's own tables.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from shared.analytics.directory import fold_directory
from shared.analytics.hsds import TABLES, hsds_tables
from shared.analytics.stores import Stores, events_table, stored_events
from shared.platforms.model import PlatformPolicy
from shared.settings import Settings

DIRECTORY_SERVICE = "matching"
DIRECTORY_FORMATS = ("json", "csv")


async def export_directory(settings: Settings, out: Path, policies: Mapping[str, PlatformPolicy], *,
                           fmt: str = "json", today: date | None = None) -> dict[str, int]:
    """Write one file per HSDS table into ``out``; returns the row count per table."""
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
    tables = hsds_tables(fold_directory(envelopes), policies, today or datetime.now(UTC).date())
    out.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        write_table(out / f"{name}.{fmt}", tables[name], fmt)
    return {name: len(tables[name]) for name in TABLES}


def write_table(path: Path, rows: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        path.write_bytes(orjson.dumps(rows, option=orjson.OPT_INDENT_2))
        return
    columns = list(dict.fromkeys(column for row in rows for column in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({key: orjson.dumps(value).decode() if isinstance(value, list) else value
                             for key, value in row.items()})
