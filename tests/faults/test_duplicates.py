"""Every event delivered twice changes nothing: the projections equal those of a single delivery."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.intake.adapters.tables import metadata as intake_metadata
from shared.messaging.admin import ensure_topics
from shared.messaging.tracking import processed_count
from shared.storage.engine import create_engine
from tests.faults.consumers import running
from tests.faults.intake_events import event_stream, produce, records_of
from tests.faults.lag import wait_caught_up
from tests.faults.projections import CONSUMERS, create_tables, intake_projections, lost_and_doubled, table_checksums

pytestmark = [pytest.mark.faults, pytest.mark.integration]


async def project(bootstrap: str, prefix: str, engine: AsyncEngine) -> int:
    """Run intake's projections until every record is applied; the duplicates they skipped."""
    metadata = intake_metadata()
    projections = intake_projections(metadata)
    async with running(bootstrap, prefix, engine, metadata, projections, batch_size=100) as results:
        await wait_caught_up(engine, metadata, bootstrap, prefix, projections)
    return sum(result.duplicates for result in results)


async def test_every_event_delivered_twice_changes_no_projection(  # type: ignore[no-untyped-def]
        kafka_bootstrap, topic_prefix, database_url, engine, dialect, scale, figures, tmp_path) -> None:
    events = event_stream(scale.duplicated_events, seed=7)
    once_prefix, twice_prefix = topic_prefix + "once.", topic_prefix + "twice."
    for prefix in (once_prefix, twice_prefix):
        await ensure_topics(kafka_bootstrap, prefix)
    records = records_of(events, twice_prefix)
    half = len(records) // 2
    # the first half each twice in a row (same batch), the second half twice as a whole (later batches)
    twice = [copy for record in records[:half] for copy in (record, record)] + records[half:] + records[half:]
    await produce(kafka_bootstrap, records_of(events, once_prefix))
    await produce(kafka_bootstrap, twice)

    single = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'once.db'}")
    try:
        metadata = await create_tables(single)
        await create_tables(engine)
        redelivered_once = await project(kafka_bootstrap, once_prefix, single)  # > 0 only if a rebalance redelivered
        skipped = await project(kafka_bootstrap, twice_prefix, engine)
        assert await table_checksums(engine, metadata) == await table_checksums(single, metadata)
    finally:
        await single.dispose()
    assert skipped >= len(events) * len(CONSUMERS)  # every copy skipped (more if a rebalance redelivered a batch)
    assert [await processed_count(engine, name) for name in CONSUMERS] == [len(events)] * len(CONSUMERS)
    lost, doubled = await lost_and_doubled(engine, intake_metadata(), events)
    assert (lost, doubled) == (0, 0)
    figures.record(f"duplicate_delivery[{dialect}]", runs=1, events=len(events), faults_injected=len(events),
                   lost=lost, doubled=doubled, duplicates_skipped=skipped,
                   redelivered_without_duplicates=redelivered_once)
