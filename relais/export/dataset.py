"""``relais export``: the event history and the projections as Parquet and CSV, without personal data.

Layout of ``out`` (one folder per format)::

    parquet/events.parquet                       every event, envelope columns
    parquet/event_types/<EventType>.parquet      one table per event type, payload fields as columns
    parquet/projections/<service>.<table>.parquet
    csv/...                                      the same as CSV
    manifest.json                                tables, row counts, formats

Event times are UTC, with the event's day in its platform's local time (``occurred_local_date``); list
fields (``candidates``, ``skipped``, ``fragile_publics``...) are Parquet lists (JSON text in CSV).
The history comes from the services' stores (durable; the broker may have been wiped). Sealed
fields are dropped, residents' and job seekers' ids pseudonymised with ``salt``, and projection columns declared
personal by the service (:attr:`~relais.services.ReadModels.personal`) left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from relais.export.flatten import ENVELOPE_SCHEMA, envelope_row, payload_row, payload_schema
from relais.export.sinks import FORMATS, TableSink, arrow_schema
from relais.services import ReadModels, described_services
from relais.stores import Stores, stored_events, table_rows
from shared.platforms.model import PlatformPolicy
from shared.privacy.sealing import pseudonymise
from shared.settings import SERVICES, Settings

PERSON_COLUMNS = frozenset({"resident_id", "seeker_id"})


@dataclass
class ExportReport:
    out: Path
    formats: tuple[str, ...]
    tables: dict[str, int] = field(default_factory=dict)


async def export(settings: Settings, out: Path, *, salt: str, formats: Iterable[str] = FORMATS,
                 catalogue: list[ReadModels] | None = None, services: Iterable[str] = SERVICES,
                 policies: Mapping[str, PlatformPolicy] | None = None) -> ExportReport:
    """Write the export into ``out`` (created) and return what was written; ``policies`` give each platform's
    time zone (events of a platform without one have no local date)."""
    if not salt:
        raise ValueError("an export needs a pseudonymisation salt (RELAIS_EXPORT_SALT)")
    chosen = tuple(dict.fromkeys(formats))
    unknown = set(chosen) - set(FORMATS)
    if unknown or not chosen:
        raise ValueError(f"unknown export format(s) {sorted(unknown)}; choose among {', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    pseudonym = partial(pseudonymise, salt=salt)
    report = ExportReport(out, chosen)
    async with Stores(settings, services) as stores:
        zones = {platform: policy.zone for platform, policy in (policies or {}).items()}
        await _export_events(stores, out, chosen, pseudonym, report, zones)
        for models in described_services(services) if catalogue is None else catalogue:
            engine = stores.engines.get(models.service)
            if engine is not None:
                await _export_projections(models, engine, out, chosen, pseudonym, report)
    manifest = {"exported_at": datetime.now(UTC).isoformat(), "formats": list(chosen), "tables": report.tables,
                "times": "occurred_at and recorded_at in UTC; occurred_local_date in the platform's time zone",
                "pseudonymised": sorted(PERSON_COLUMNS),
                "note": "no personal data: sealed fields dropped; residents' and job seekers' ids pseudonymised "
                        "(fields, aggregate ids, the keys of a session's attendance)"}
    (out / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return report


async def _export_events(stores: Stores, out: Path, formats: tuple[str, ...], pseudonym: Any,
                         report: ExportReport, zones: Mapping[str, tzinfo]) -> None:
    events = TableSink(out, "events", ENVELOPE_SCHEMA, formats)
    by_type: dict[str, TableSink] = {}
    try:
        for service, engine in stores.engines.items():
            async for stored in stored_events(engine, service):
                envelope = stored.envelope
                zone = zones.get(envelope.platform_id)
                events.add(envelope_row(envelope, service, stored.topic, pseudonym, zone))
                sink = by_type.get(envelope.event_type)
                if sink is None:
                    sink = by_type[envelope.event_type] = TableSink(
                        out, f"event_types/{envelope.event_type}", payload_schema(type(envelope.payload)), formats)
                sink.add(payload_row(envelope, pseudonym, zone))
    finally:
        for sink in [events, *by_type.values()]:
            sink.close()
            report.tables[sink.name] = sink.rows_written


async def _export_projections(models: ReadModels, engine: Any, out: Path, formats: tuple[str, ...], pseudonym: Any,
                              report: ExportReport) -> None:
    metadata = models.metadata()
    for name in dict.fromkeys(table for spec in models.projections for table in spec.tables):
        personal = set(models.personal.get(name, ()))
        schema = arrow_schema(metadata.tables[name], drop=personal)
        sink = TableSink(out, f"projections/{models.service}.{name}", schema, formats)
        try:
            async for rows in table_rows(engine, metadata, name):
                for row in rows:
                    sink.add({column: _public(column, value, pseudonym) for column, value in row.items()
                              if column not in personal})
        finally:
            sink.close()
            report.tables[sink.name] = sink.rows_written


def _public(column: str, value: Any, pseudonym: Any) -> Any:
    if value is None:
        return None
    if column in PERSON_COLUMNS:
        return pseudonym(str(value))
    if isinstance(value, Decimal):
        return str(value)
    return value
