"""Where a resident's data may lie: every row of every store, every record on the broker, every file.

Sealed values are found by shape (``{resident_id, nonce, ciphertext}``), wherever they sit in a JSON
document (an event, an outbox row, a projection column).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, select

from relais.replay.reader import HistoryReader
from shared.contracts.topics import TOPICS, physical
from shared.contracts.types import Sealed
from shared.settings import SERVICES, Settings
from shared.storage.engine import create_engine

SEALED_KEYS = {"resident_id", "nonce", "ciphertext"}


def sealed_in(value: Any, resident_id: str) -> Iterator[Sealed]:
    """Every sealed value of ``resident_id`` inside ``value`` (JSON text, bytes, or parsed JSON)."""
    if isinstance(value, str | bytes):
        if not value or (value[:1] not in ("{", "[", b"{", b"[")):
            return
        try:
            value = json.loads(value)
        except ValueError:
            return
    if isinstance(value, dict):
        if set(value) == SEALED_KEYS and value["resident_id"] == resident_id:
            yield Sealed.model_validate(value)
            return
        for item in value.values():
            yield from sealed_in(item, resident_id)
    elif isinstance(value, list):
        for item in value:
            yield from sealed_in(item, resident_id)


async def sealed_in_stores(settings: Settings, resident_id: str) -> dict[str, list[Sealed]]:
    """The resident's sealed values in every table of every service store, by ``service.table``."""
    found: dict[str, list[Sealed]] = {}
    for service in SERVICES:
        engine = create_engine(settings.service_database_url(service))
        try:
            async with engine.connect() as connection:
                metadata = MetaData()
                await connection.run_sync(metadata.reflect)
                for table in metadata.sorted_tables:
                    for row in await connection.execute(select(table)):
                        for value in row:
                            found.setdefault(f"{service}.{table.name}", []).extend(sealed_in(value, resident_id))
        finally:
            await engine.dispose()
    return {name: values for name, values in found.items() if values}


async def broker_records(settings: Settings) -> list[Any]:
    """Every record of every bus topic, from offset 0 to the high watermark."""
    topics = [physical(spec.name, settings.topic_prefix) for spec in TOPICS]
    records: list[Any] = []
    async with HistoryReader(settings.kafka_bootstrap_servers, topics, ordered=False, stall_timeout=30) as reader:
        async for batch in reader.batches():
            records.extend(batch)
    return records


def files_containing(folder: Path, needles: list[str]) -> list[str]:
    """``path: needle`` for each file under ``folder`` whose bytes contain one of ``needles`` (UTF-8)."""
    hits = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        content = path.read_bytes()
        hits += [f"{path.relative_to(folder)}: {needle!r}" for needle in needles if needle.encode() in content]
    return hits
