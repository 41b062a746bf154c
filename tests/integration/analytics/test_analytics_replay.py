"""``relais replay``: a rebuild from offset 0 equals the live projection; a tampered table shows; --until;
records the live consumer has not read yet are left out of the comparison, not reported as a difference."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select, update
from typer.testing import CliRunner

from relais.cli.main import app
from relais.replay.rebuilder import rebuild
from relais.replay.replay import replay
from relais.services import described_services, select_projections
from shared.contracts.codec import encode, from_json_dict
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events.matching import RequestUnmet
from shared.settings import Settings
from shared.storage.engine import create_engine
from tests.fixtures.database import POSTGRES_ONLY
from tests.integration.analytics.federation import PLATFORM, START, Federation, environment

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.slow]


def test_replay_of_every_projection_is_identical_to_the_live_one(federation: Federation) -> None:
    result = CliRunner().invoke(app, ["replay", "all", "--service", "intake"],
                                env=environment(federation.settings))

    assert result.exit_code == 0, result.output
    assert "intake.console" in result.output and "intake.observatory" in result.output
    assert "intake.desk" in result.output
    assert result.output.count("identical") == 3, result.output
    assert "events/s" in result.output


def test_a_tampered_live_table_is_reported_as_different(federation: Federation) -> None:
    live = sqlite3.connect(federation.settings.data_dir / "intake.db")
    with live:
        live.execute("UPDATE request_view SET status = 'cancelled' WHERE request_id = ?", (federation.served,))
    live.close()

    result = CliRunner().invoke(app, ["replay", "intake.console"], env=environment(federation.settings))

    assert result.exit_code == 1, result.output
    assert "different" in result.output and "request_view" in result.output
    assert "timeline" not in result.output.split("different")[1]


async def test_until_rebuilds_as_of_a_date_from_the_events_own_times(federation: Federation) -> None:
    selection = select_projections(described_services(), "intake.console")
    march_9 = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)

    reports = await replay(selection, federation.settings, until=march_9)
    everything = await replay(selection, federation.settings)

    (as_of,), (full,) = reports, everything
    assert not as_of.compared and full.identical
    assert as_of.rebuilt["request_view"].rows == 1
    assert full.rebuilt["request_view"].rows == len(federation.requests)
    assert as_of.processed < full.processed


async def publish(settings: Settings, envelope: Envelope[Any]) -> None:
    record = encode(envelope, settings.topic_prefix)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()


async def test_records_the_live_consumer_has_not_read_yet_are_left_out_of_the_comparison(federation: Federation) -> None:
    request_id = federation.requests[1]
    await publish(federation.settings, new_envelope(
        RequestUnmet(request_id=request_id, activity="gardening", commune="87085",
                     reason="no_provider_for_activity_in_commune"),
        platform_id=PLATFORM, aggregate_id=request_id, aggregate_version=9, actor="system:matching",
        occurred_at=START + timedelta(days=400)))

    console, observatory, desk = await replay(select_projections(described_services(), "all", "intake"),
                                              federation.settings)

    assert console.identical and observatory.identical and desk.identical
    assert console.live_behind == observatory.live_behind == 1 and desk.live_behind == 0


async def test_a_ledger_is_compared_with_the_events_of_its_own_store_not_with_later_ones(federation: Federation) -> None:
    settings = federation.settings
    models = next(models for models in described_services() if models.service == "billing")
    metadata, spec = models.metadata(), models.projection("billing.ledger")
    engine = create_engine(settings.service_database_url("billing"))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        await rebuild(spec.build(metadata), engine, metadata, settings.kafka_bootstrap_servers, settings.topic_prefix)
        events = metadata.tables["events"]
        async with engine.begin() as conn:  # the fixture published the store's events itself: mark them so
            await conn.execute(update(events).values(published_at=datetime.now(UTC)))
            stored = from_json_dict(orjson.loads((await conn.execute(select(events.c.document))).scalar_one()))
    finally:
        await engine.dispose()
    other_request = federation.requests[3]
    await publish(settings, stored.caused(stored.payload.model_copy(update={"request_id": other_request}),
                                          aggregate_id=stored.meta.aggregate_id, aggregate_version=2, actor="system:billing",
                                          occurred_at=stored.meta.occurred_at + timedelta(days=1)))

    (ledger,) = await replay([(models, spec)], settings)

    assert ledger.identical, ledger
    assert ledger.live_behind == 1 and ledger.live_unpublished == 0
    assert ledger.rebuilt["ledger_entries"].rows == 1


async def test_projections_shared_out_among_processes_rebuild_identical_to_the_live_ones(federation: Federation) -> None:
    seen: list[tuple[int, int]] = []

    console, observatory, desk = await replay(select_projections(described_services(), "all", "intake"),
                                              federation.settings, jobs=2,
                                              progress=lambda done, total: seen.append((done, total)))

    assert console.identical and observatory.identical and desk.identical
    assert console.processed > 0 and observatory.processed > 0 and desk.processed > 0
    assert seen and seen[-1][0] == seen[-1][1] > 0


def test_a_replay_needs_at_least_one_job(federation: Federation) -> None:
    result = CliRunner().invoke(app, ["replay", "all", "--jobs", "0"], env=environment(federation.settings))

    assert result.exit_code == 2 and "--jobs" in result.output


@POSTGRES_ONLY
async def test_two_jobs_write_one_postgresql_database_side_by_side(federation: Federation, database_url: str) -> None:
    console, observatory, desk = await replay(select_projections(described_services(), "all", "intake"),
                                              federation.settings, into=database_url, jobs=2)

    assert console.identical and observatory.identical and desk.identical
    assert console.rebuilt["request_view"].rows == len(federation.requests)
