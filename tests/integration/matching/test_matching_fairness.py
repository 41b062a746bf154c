"""The fairness projection on real databases: counters per provider and deviation from an equal share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.matching.adapters.fairness import fairness_report
from services.matching.adapters.tables import metadata as matching_metadata
from services.matching.bootstrap import MIGRATIONS
from services.matching.service_layer.projections import fairness_projection
from shared.contracts.codec import encode
from shared.contracts.envelope import new_envelope
from shared.contracts.events import matching as ev
from shared.messaging.batches import apply_batch
from shared.messaging.projection import InboundRecord
from shared.storage.engine import create_engine
from shared.storage.migrate import upgrade_async
from tests.unit.matching.builders import LIMOGES, T0

pytestmark = pytest.mark.integration
METADATA = matching_metadata()
RING = ["prv-a", "prv-b", "prv-c", "prv-new"]


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade_async(database_url, MIGRATIONS)
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


def assigned(request_id: str, provider_id: str, version: int = 1, eligible: list[str] = RING) -> Any:
    position = RING.index(provider_id)
    event = ev.ProviderAssigned(request_id=request_id, provider_id=provider_id, activity="gardening", commune=LIMOGES,
                                sector="agglo", candidates=RING, eligible=eligible, rotation_position=position,
                                deadline_at=T0 + timedelta(days=1), attempt=version)
    return event, version


def envelope(event: ev.MatchingEvent, version: int) -> Any:
    return new_envelope(event, platform_id="limoges", aggregate_id=event.request_id, aggregate_version=version,
                        actor="system:matching", occurred_at=T0)


async def project(engine: AsyncEngine, events: list[tuple[ev.MatchingEvent, int]]) -> None:
    records = []
    for offset, (event, version) in enumerate(events):
        encoded = encode(envelope(event, version))
        records.append(InboundRecord(encoded.topic, 0, offset, encoded.key, encoded.value, tuple(encoded.headers)))
    await apply_batch(engine, METADATA, fairness_projection(METADATA), records)


async def test_counters_shares_and_deviation_per_activity_and_sector(store: AsyncEngine) -> None:
    await project(store, [
        assigned("req-1", "prv-a"), (ev.ContactConfirmed(request_id="req-1", provider_id="prv-a", contacted_at=T0), 2),
        assigned("req-2", "prv-b"),
        (ev.OfferDeclined(request_id="req-2", provider_id="prv-b", reason=ev.DeclineReason.TOO_FAR), 2),
        assigned("req-2", "prv-c", 3),
        (ev.ContactDeadlineMissed(request_id="req-2", provider_id="prv-c", deadline_at=T0), 4),
        assigned("req-2", "prv-a", 5),
        assigned("req-3", "prv-b"),
    ])

    async with store.connect() as conn:
        rows = {row["provider_id"]: row for row in await fairness_report(conn, METADATA, "limoges")}

    counts = {pid: (r["offers"], r["accepted"], r["declined"], r["missed"]) for pid, r in rows.items()}
    assert counts == {"prv-a": (2, 1, 0, 0), "prv-b": (2, 0, 1, 0), "prv-c": (1, 0, 0, 1), "prv-new": (0, 0, 0, 0)}
    assert {pid: r["share"] for pid, r in rows.items()} == {"prv-a": 0.4, "prv-b": 0.4, "prv-c": 0.2, "prv-new": 0.0}
    assert rows["prv-a"]["equal_share"] == 0.25 and rows["prv-new"]["deviation"] == -0.25
    assert rows["prv-a"]["group_offers"] == 5


async def test_a_redelivered_batch_counts_once(store: AsyncEngine) -> None:
    encoded = encode(envelope(*assigned("req-1", "prv-a")))
    record = InboundRecord(encoded.topic, 0, 0, encoded.key, encoded.value, tuple(encoded.headers))

    for _ in range(2):
        await apply_batch(store, METADATA, fairness_projection(METADATA), [record])

    async with store.connect() as conn:
        rows = await fairness_report(conn, METADATA, "limoges", activity="gardening", sector="agglo")
    assert sum(row["offers"] for row in rows) == 1


async def test_the_equal_share_is_measured_among_the_providers_eligible_for_each_offer(store: AsyncEngine) -> None:
    """prv-new is suspended and prv-c holds no agrément for these requests: a and b share them, half each."""
    await project(store, [assigned(f"req-{n}", "prv-a" if n % 2 else "prv-b", eligible=["prv-a", "prv-b"])
                          for n in range(4)])

    async with store.connect() as conn:
        rows = {row["provider_id"]: row for row in await fairness_report(conn, METADATA, "limoges")}

    assert {pid: (r["share"], r["equal_share"], r["deviation"]) for pid, r in rows.items()} == {
        "prv-a": (0.5, 0.5, 0.0), "prv-b": (0.5, 0.5, 0.0), "prv-c": (0.0, 0.0, 0.0), "prv-new": (0.0, 0.0, 0.0)}
