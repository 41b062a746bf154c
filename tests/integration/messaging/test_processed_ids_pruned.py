"""Processed ids do not pile up: those recorded before a consumer's horizon are deleted, and events recorded
before it are still skipped (a wiped broker restored from the stores doubles nothing), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from shared.contracts.codec import encode
from shared.contracts.envelope import Envelope
from shared.contracts.topics import REQUESTS
from shared.messaging.batches import apply_batch
from shared.messaging.projection import InboundRecord
from shared.messaging.tracking import HORIZON, PRUNE_STEP, RETENTION, next_horizon, processed_count
from shared.storage.engine import create_engine
from tests.integration.messaging.toy_projection import (
    NAME,
    expected_counts,
    read_counts,
    request_logged,
    requests_per_commune,
    toy_metadata,
)

pytestmark = pytest.mark.integration

TOPIC = "t." + REQUESTS
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
COMMUNES = ("87085", "87154", "19272")


def recorded(envelope: Envelope[Any], at: datetime) -> Envelope[Any]:
    return envelope.model_copy(update={"meta": envelope.meta.model_copy(update={"recorded_at": at})})


def history(days: int) -> list[Envelope[Any]]:
    """Four requests a day for ``days`` days, each recorded when it occurred."""
    return [recorded(request_logged(COMMUNES[n % 3], number=n, occurred_at=START + timedelta(hours=6 * n)),
                     START + timedelta(hours=6 * n)) for n in range(days * 4)]


def records_of(envelopes: list[Envelope[Any]], first_offset: int, headers: tuple[tuple[str, bytes], ...] = ()
               ) -> list[InboundRecord]:
    out = []
    for offset, envelope in enumerate(envelopes, start=first_offset):
        encoded = encode(envelope)
        out.append(InboundRecord(TOPIC, 0, offset, encoded.key, encoded.value, (*encoded.headers, *headers)))
    return out


async def test_ids_behind_the_horizon_go_and_a_restored_history_doubles_nothing(database_url: str) -> None:
    metadata = toy_metadata()
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        projection = requests_per_commune(metadata)
        events = history(90)
        records = records_of(events, 0)
        for start in range(0, len(records), 40):
            await apply_batch(engine, metadata, projection, records[start:start + 40], retention=RETENTION)
        counts = await read_counts(engine, metadata)
        assert counts == expected_counts(events)

        kept = await processed_count(engine, NAME)
        processed = metadata.tables["processed_events"]
        async with engine.connect() as conn:
            horizon = await conn.scalar(select(processed.c.recorded_at).where(processed.c.event_id == HORIZON))
            oldest = await conn.scalar(select(func.min(processed.c.recorded_at)).where(processed.c.event_id != HORIZON))
        assert horizon is not None and oldest is not None and oldest >= horizon
        assert kept < len(events) - 4 * 50, "ids older than the retention must be gone"
        assert events[-1].meta.recorded_at - horizon <= RETENTION + PRUNE_STEP + timedelta(days=10)

        restored = records_of(events, len(records))  # a wiped broker refilled from the store: new offsets
        results = [await apply_batch(engine, metadata, projection, restored[start:start + 40], retention=RETENTION)
                   for start in range(0, len(restored), 40)]
        assert sum(result.duplicates for result in results) == len(events)
        assert sum(result.applied for result in results) == 0
        assert await read_counts(engine, metadata) == counts

        never_seen = recorded(request_logged("87085", number=10_000), START + timedelta(days=1))
        skipped = await apply_batch(engine, metadata, projection, records_of([never_seen], 2 * len(records)))
        replayed = await apply_batch(engine, metadata, projection,
                                     records_of([never_seen], 2 * len(records) + 1, (("replay_of", b"dlq-1"),)))
        assert (skipped.duplicates, replayed.applied) == (1, 1)
        assert (await read_counts(engine, metadata))["87085"] == counts["87085"] + 1
    finally:
        await engine.dispose()


def test_the_horizon_moves_by_steps_behind_the_least_advanced_partition() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert next_horizon([now, now - timedelta(days=2)], None) == now - timedelta(days=2) - RETENTION
    assert next_horizon([now], now - RETENTION - PRUNE_STEP / 2) is None
    assert next_horizon([now], now - RETENTION - PRUNE_STEP) == now - RETENTION
    assert next_horizon([], None) is None
