"""Kill tests: a consumer process dies around the database commit; its restart counts nothing twice."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from shared.contracts.topics import REQUESTS, physical
from shared.messaging.runner import wait_for
from shared.messaging.tracking import load_checkpoints, processed_count
from tests.integration.messaging.consumer_process import DIE_AFTER_DB_COMMIT, DIE_BEFORE_DB_COMMIT, KILLED_EXIT_CODE
from tests.integration.messaging.live import committed_offsets
from tests.integration.messaging.toy_projection import (
    NAME,
    encoded,
    expected_counts,
    produce,
    read_counts,
    request_logged,
    toy_metadata,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.usefixtures("topics")]

REPO = Path(__file__).resolve().parents[3]
EVENTS = 60
BATCH_SIZE = 10
KILLED_BATCH = 3


async def start_consumer(bootstrap: str, database_url: str, prefix: str, log: Path,
                         **env: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.integration.messaging.consumer_process",
        bootstrap, database_url, prefix, str(BATCH_SIZE),
        cwd=REPO, env={**os.environ, **env}, stdout=asyncio.subprocess.PIPE, stderr=log.open("ab"),
    )


async def batches_reported(process: asyncio.subprocess.Process) -> list[dict[str, int]]:
    assert process.stdout is not None
    output = await process.stdout.read()
    return [json.loads(line) for line in output.decode().splitlines() if line.startswith("{")]


async def run_until_killed(bootstrap, database_url, prefix, log, **env) -> list[dict[str, int]]:  # type: ignore[no-untyped-def]
    process = await start_consumer(bootstrap, database_url, prefix, log, **env)
    reports = await asyncio.wait_for(batches_reported(process), timeout=90)
    code = await asyncio.wait_for(process.wait(), timeout=30)
    assert code == KILLED_EXIT_CODE, log.read_text()[-3000:]
    return reports


async def run_until_caught_up(bootstrap, database_url, prefix, log, engine) -> list[dict[str, int]]:  # type: ignore[no-untyped-def]
    process = await start_consumer(bootstrap, database_url, prefix, log)
    try:
        await wait_for(engine, NAME, count=EVENTS, timeout=60)
    finally:
        process.send_signal(signal.SIGTERM)
    reports = await asyncio.wait_for(batches_reported(process), timeout=30)
    assert await asyncio.wait_for(process.wait(), timeout=30) == 0, log.read_text()[-3000:]
    return reports


@pytest.fixture
async def events(kafka_bootstrap, topic_prefix, topics, engine):  # type: ignore[no-untyped-def]
    async with engine.begin() as conn:
        await conn.run_sync(toy_metadata().create_all)
    envelopes = [request_logged(("87085", "87154", "19272")[i % 3], number=i) for i in range(EVENTS)]
    await produce(kafka_bootstrap, encoded(envelopes, topic_prefix))
    return envelopes


async def kafka_committed_total(bootstrap: str, prefix: str) -> int:
    offsets = await committed_offsets(bootstrap, prefix + NAME, physical(REQUESTS, prefix))
    return sum(offset or 0 for offset in offsets.values())


async def test_killed_after_db_commit_before_offset_commit_counts_nothing_twice(  # type: ignore[no-untyped-def]
    kafka_bootstrap, topic_prefix, database_url, engine, events, tmp_path
) -> None:
    log = tmp_path / "consumer.log"
    killed = await run_until_killed(kafka_bootstrap, database_url, topic_prefix, log,
                                    **{DIE_AFTER_DB_COMMIT: str(KILLED_BATCH)})
    in_database = await processed_count(engine, NAME)
    in_kafka = await kafka_committed_total(kafka_bootstrap, topic_prefix)
    assert len(killed) == KILLED_BATCH and in_database == sum(batch["processed"] for batch in killed)
    assert in_kafka == in_database - killed[-1]["processed"] > 0

    resumed = await run_until_caught_up(kafka_bootstrap, database_url, topic_prefix, log, engine)

    assert sum(batch["duplicates"] for batch in resumed) == killed[-1]["processed"]
    assert await read_counts(engine, toy_metadata()) == expected_counts(events)
    assert await processed_count(engine, NAME) == EVENTS


async def test_killed_before_db_commit_applies_the_batch_exactly_once_on_restart(  # type: ignore[no-untyped-def]
    kafka_bootstrap, topic_prefix, database_url, engine, events, tmp_path
) -> None:
    log = tmp_path / "consumer.log"
    killed = await run_until_killed(kafka_bootstrap, database_url, topic_prefix, log,
                                    **{DIE_BEFORE_DB_COMMIT: str(KILLED_BATCH)})
    in_database = await processed_count(engine, NAME)
    assert len(killed) == KILLED_BATCH - 1 and in_database == sum(batch["processed"] for batch in killed)
    assert await kafka_committed_total(kafka_bootstrap, topic_prefix) == in_database

    resumed = await run_until_caught_up(kafka_bootstrap, database_url, topic_prefix, log, engine)

    assert sum(batch["duplicates"] for batch in resumed) == 0
    assert sum(batch["processed"] for batch in resumed) == EVENTS - in_database
    assert await read_counts(engine, toy_metadata()) == expected_counts(events)
    checkpoints = await load_checkpoints(engine, toy_metadata(), NAME)
    assert sum(offset + 1 for offset in checkpoints.values()) == EVENTS
