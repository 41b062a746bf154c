"""The projection runner on a real broker and real databases: apply, dedupe, dead letters, resume."""

from __future__ import annotations

import asyncio

import pytest

from shared.contracts.topics import DEAD_LETTER, REQUESTS, physical
from shared.messaging.deadletter import dead_letter_info
from shared.messaging.runner import ConsumerRegistry, wait_for
from tests.integration.messaging.live import committed_offsets, read_topic, running
from tests.integration.messaging.toy_projection import (
    FAILING_COMMUNE,
    NAME,
    REFUSED_COMMUNE,
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

COMMUNES = ("87085", "87154", "19272", "BE57081")


def some_requests(count: int, start: int = 0):  # type: ignore[no-untyped-def]
    return [request_logged(COMMUNES[i % len(COMMUNES)], number=i) for i in range(start, start + count)]


async def lag_once_committed(consumers: ConsumerRegistry, name: str, timeout: float = 10.0) -> dict[tuple[str, int], int]:
    """The consumer's lag once its offsets are committed (they are, just after the rows it applied)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        lag = await consumers.lag(name)
        if sum(lag.values()) == 0 or asyncio.get_running_loop().time() > deadline:
            return lag
        await asyncio.sleep(0.05)


@pytest.fixture
async def metadata(engine):  # type: ignore[no-untyped-def]
    metadata = toy_metadata()
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return metadata


async def test_events_produced_become_rows(kafka_bootstrap, topic_prefix, engine, metadata) -> None:  # type: ignore[no-untyped-def]
    events = some_requests(40) + [request_cancelled(i) for i in range(3)]
    await produce(kafka_bootstrap, encoded(events, topic_prefix))

    async with running(kafka_bootstrap, topic_prefix, engine, metadata, requests_per_commune(metadata),
                       batch_size=7) as run:
        await wait_for(engine, NAME, event_ids=[e.event_id for e in events], timeout=30)
        lag = await lag_once_committed(run.consumers, NAME)

    assert await read_counts(engine, metadata) == expected_counts(events)
    assert run.processed == 43 and all(len(result.positions) >= 1 for result in run.results)
    assert sum(lag.values()) == 0 and {topic for topic, _ in lag} <= {physical(REQUESTS, topic_prefix)}


async def test_every_event_delivered_twice_leaves_rows_unchanged(  # type: ignore[no-untyped-def]
    kafka_bootstrap, topic_prefix, engine, metadata
) -> None:
    events = some_requests(30)
    twice = encoded(events, topic_prefix)
    await produce(kafka_bootstrap, twice[:15] + twice + twice[15:])

    async with running(kafka_bootstrap, topic_prefix, engine, metadata, requests_per_commune(metadata),
                       batch_size=10) as run:
        await wait_for(engine, NAME, count=30, timeout=30)
        marker = request_cancelled(99)
        await produce(kafka_bootstrap, encoded([marker], topic_prefix))
        await wait_for(engine, NAME, event_ids=[marker.event_id], timeout=30)

    assert await read_counts(engine, metadata) == expected_counts(events)
    assert run.duplicates == 30


async def test_malformed_records_go_to_the_dead_letter_topic_and_consumption_goes_on(  # type: ignore[no-untyped-def]
    kafka_bootstrap, topic_prefix, engine, metadata
) -> None:
    topic = physical(REQUESTS, topic_prefix)
    good = some_requests(40)
    bad = malformed_records(50)
    malformed = [(topic, key, value, headers) for key, value, headers, _ in bad]
    refused = [request_logged(REFUSED_COMMUNE, number=900 + i) for i in range(5)]
    failing = [request_logged(FAILING_COMMUNE, number=950 + i) for i in range(3)]
    mixed = []
    good_records = encoded(good, topic_prefix)
    for i in range(50):
        mixed.append(malformed[i])
        if i < 40:
            mixed.append(good_records[i])
    mixed += encoded(refused, topic_prefix) + encoded(failing, topic_prefix)
    await produce(kafka_bootstrap, mixed)

    async with running(kafka_bootstrap, topic_prefix, engine, metadata, requests_per_commune(metadata),
                       batch_size=16) as run:
        await wait_for(engine, NAME, event_ids=[e.event_id for e in good], timeout=30)
        after = some_requests(5, start=100)
        await produce(kafka_bootstrap, encoded(after, topic_prefix))
        await wait_for(engine, NAME, event_ids=[e.event_id for e in after], timeout=30)
        dead = await read_topic(kafka_bootstrap, physical(DEAD_LETTER, topic_prefix), 58)

    assert await read_counts(engine, metadata) == expected_counts(good + after)
    assert len(dead) == 58 and sum(len(result.dead_letters) for result in run.results) == 58
    infos = [dead_letter_info(record.headers) for record in dead]
    assert {info["dlq_consumer"] for info in infos} == {NAME}
    assert {info["dlq_topic"] for info in infos} == {topic}
    by_key = {record.key: (record.value, dead_letter_info(record.headers)["dlq_reason"]) for record in dead}
    for key, value, _, reason_part in bad:
        stored_value, reason = by_key[key]
        assert stored_value == value and reason_part in reason, (key, reason)
    assert sum("rejected by" in info["dlq_reason"] for info in infos) == 5
    assert sum(info["dlq_reason"] == f"failed in {NAME}: OverflowError: date value out of range"
               for info in infos) == 3
    assert all(("odd", b"\xff\xfe") in record.headers for record in dead if record.key.startswith(b"bad-"))


async def test_restart_resumes_from_the_committed_offset(kafka_bootstrap, topic_prefix, engine, metadata) -> None:  # type: ignore[no-untyped-def]
    first = some_requests(20)
    await produce(kafka_bootstrap, encoded(first, topic_prefix))
    async with running(kafka_bootstrap, topic_prefix, engine, metadata, requests_per_commune(metadata),
                       batch_size=6) as run_one:
        await wait_for(engine, NAME, count=20, timeout=30)
    group = topic_prefix + NAME
    committed = await committed_offsets(kafka_bootstrap, group, physical(REQUESTS, topic_prefix))
    assert sum(offset or 0 for offset in committed.values()) == 20

    second = some_requests(20, start=20)
    await produce(kafka_bootstrap, encoded(second, topic_prefix))
    async with running(kafka_bootstrap, topic_prefix, engine, metadata, requests_per_commune(metadata),
                       batch_size=6) as run_two:
        await wait_for(engine, NAME, count=40, timeout=30)

    assert (run_one.processed, run_two.processed, run_two.duplicates) == (20, 20, 0)
    assert await read_counts(engine, metadata) == expected_counts(first + second)


class FailingOnce:
    """A dead-letter publisher whose first delivery fails, as if the broker dropped it."""

    def __init__(self) -> None:
        self.failures = 0
        self.delivered: list[bytes | None] = []

    async def publish(self, consumer: str, dead_letters) -> None:  # type: ignore[no-untyped-def]
        if dead_letters and not self.failures:
            self.failures += 1
            raise ConnectionError("dead-letter topic unreachable")
        self.delivered.extend(dead.record.key for dead in dead_letters)


async def test_a_batch_whose_dead_letters_fail_is_not_acked_and_comes_again(  # type: ignore[no-untyped-def]
    kafka_bootstrap, topic_prefix, engine, metadata
) -> None:
    topic = physical(REQUESTS, topic_prefix)
    good = encoded(some_requests(5), topic_prefix)
    bad = malformed_records(3)
    same_partition = [(topic, b"one-key", value, headers) for topic, _, value, headers in good]
    same_partition += [(topic, b"one-key", value, headers) for _, value, headers, _ in bad]
    await produce(kafka_bootstrap, same_partition)
    publisher = FailingOnce()

    async with running(kafka_bootstrap, topic_prefix, engine, metadata, requests_per_commune(metadata),
                       dead_letters=publisher) as run:
        await wait_for(engine, NAME, count=5, timeout=30)
        async with asyncio.timeout(30):
            while len(publisher.delivered) < 3:
                await asyncio.sleep(0.05)

    assert publisher.failures == 1 and publisher.delivered == [b"one-key"] * 3
    assert run.duplicates == 5
    assert await read_counts(engine, metadata) == expected_counts(some_requests(5))
