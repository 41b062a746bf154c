"""Rebuild from offset 0 into a fresh database equals the live projection; ``until`` replays as of a date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from relais.replay.rebuilder import NotFreshDatabase, rebuild
from shared.messaging.runner import wait_for
from shared.storage.engine import create_engine
from tests.integration.messaging.live import running
from tests.integration.messaging.toy_projection import (
    NAME,
    encoded,
    expected_counts,
    malformed_records,
    produce,
    read_counts,
    request_cancelled,
    request_logged,
    requests_per_commune,
    toy_metadata,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.usefixtures("topics")]

START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)


@pytest.fixture
async def fresh(engine):  # type: ignore[no-untyped-def]
    """The database under test, empty: the rebuild target."""
    metadata = toy_metadata()
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return metadata


@pytest.fixture
async def live(tmp_path):  # type: ignore[no-untyped-def]
    """A SQLite store for the live projection, to compare with."""
    metadata = toy_metadata()
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'live.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine, metadata
    await engine.dispose()


def dated_requests(days: int):  # type: ignore[no-untyped-def]
    communes = ("87085", "87154", "19272", "BE57081", "87187")
    return [
        request_logged(communes[(i * 7) % len(communes)], number=i, occurred_at=START + timedelta(hours=3 * i))
        for i in range(days * 8)
    ]


async def test_rebuild_equals_the_live_projection_and_until_replays_as_of_a_date(  # type: ignore[no-untyped-def]
    kafka_bootstrap, topic_prefix, engine, fresh, live, tmp_path
) -> None:
    events = dated_requests(10) + [request_cancelled(i) for i in range(4)]
    bad = [(topic_prefix + "relais.requests", key, value, headers) for key, value, headers, _ in malformed_records(5)]
    records = encoded(events, topic_prefix)
    await produce(kafka_bootstrap, records[:30] + bad + records[30:] + records[:10])
    live_engine, live_metadata = live
    async with running(kafka_bootstrap, topic_prefix, live_engine, live_metadata,
                       requests_per_commune(live_metadata), batch_size=25):
        await wait_for(live_engine, NAME, event_ids=[e.event_id for e in events], timeout=30)
    progress: list[tuple[int, int]] = []

    done = await rebuild(requests_per_commune(fresh), engine, fresh, kafka_bootstrap, topic_prefix,
                         progress=lambda n, total: progress.append((n, total)), batch_size=17)

    applied = [e for e in events if e.event_type == "RequestLogged"]  # the only type it applies: the others are not decoded
    assert done == len(applied)
    assert await read_counts(engine, fresh) == await read_counts(live_engine, live_metadata) == expected_counts(events)
    assert progress[-1] == (len(applied), len(records) + len(bad) + 10)
    assert [n for n, _ in progress] == sorted(n for n, _ in progress)

    with pytest.raises(NotFreshDatabase):
        await rebuild(requests_per_commune(fresh), engine, fresh, kafka_bootstrap, topic_prefix)

    until = START + timedelta(days=4, hours=1)
    as_of = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'as_of.db'}")
    try:
        async with as_of.begin() as conn:
            await conn.run_sync(fresh.create_all)
        done_as_of = await rebuild(requests_per_commune(fresh), as_of, fresh, kafka_bootstrap, topic_prefix,
                                   until=until)
        expected = [e for e in events if e.meta.occurred_at <= until]
        assert done_as_of == len([e for e in expected if e.event_type == "RequestLogged"])
        assert 0 < len(expected) < len(events)
        assert await read_counts(as_of, fresh) == expected_counts(expected)
    finally:
        await as_of.dispose()


async def test_rebuild_of_empty_topics_returns_at_once(kafka_bootstrap, topic_prefix, engine, fresh) -> None:  # type: ignore[no-untyped-def]
    assert await rebuild(requests_per_commune(fresh), engine, fresh, kafka_bootstrap, topic_prefix) == 0
    assert await rebuild(requests_per_commune(fresh), engine, fresh, kafka_bootstrap, "no-such-prefix.") == 0
