"""Malformed events reach the dead-letter topic with their reason while the consumers go on; once the
cause is fixed, ``relais dead-letters replay`` sends them again and they are applied exactly once."""

from __future__ import annotations

import asyncio
import re
from collections import Counter

import pytest

from relais.ops.deadletters import list_dead_letters
from relais.ops.topic_reader import high_watermarks
from services.intake.adapters.tables import metadata as intake_metadata
from services.intake.entrypoints.app import create_app
from shared.contracts.topics import DEAD_LETTER, REQUESTS, physical
from shared.messaging.tracking import processed_count, wait_for
from shared.storage.engine import create_engine
from tests.faults.intake_events import EXPECTED_REASON, MALFORMED_KINDS, event_stream, malformed, produce, records_of
from tests.faults.lag import wait_caught_up
from tests.faults.projections import CONSUMERS, intake_projections, lost_and_doubled
from tests.faults.service import platforms_without, run_relais
from tests.fixtures.services import serving
from tests.polling import eventually

pytestmark = [pytest.mark.faults, pytest.mark.integration]

LATE_PLATFORM = "brenne"
"""A platform the consumers do not know at first (its policy file is missing), then do."""


async def wait_for_dead_letters(bootstrap: str, prefix: str, count: int, timeout: float = 120.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while sum((await high_watermarks(bootstrap, physical(DEAD_LETTER, prefix))).values()) < count:
        assert loop.time() < deadline, f"fewer than {count} dead letters after {timeout}s"
        await asyncio.sleep(0.2)


async def test_malformed_events_are_dead_lettered_counted_listed_and_replayed_once(  # type: ignore[no-untyped-def]
        kafka_bootstrap, topic_prefix, topics, service_settings, database_url, dialect, scale, figures, tmp_path) -> None:
    known = platforms_without(tmp_path / "platforms-before", LATE_PLATFORM)
    before = service_settings(platforms_dir=known, database_url=database_url, vault_url=database_url)
    good = event_stream(scale.malformed * scale.good_per_malformed, seed=11,
                        platforms=("limoges", "herault", "val-de-marne", "mons-borinage"))
    bad = [malformed(number, LATE_PLATFORM, topic_prefix) for number in range(scale.malformed)]
    good_records = records_of(good, topic_prefix)
    step = scale.good_per_malformed
    interleaved = [record for i, (_, bad_record, _) in enumerate(bad)
                   for record in (*good_records[i * step:(i + 1) * step], bad_record)]
    interleaved += good_records[len(bad) * step:]
    late = [envelope for _, _, envelope in bad if envelope is not None]

    app = create_app(before)
    # every projection of intake that reads the requests' topic dead-letters each malformed record once
    readers = sorted(p.name for p in app.state.runtime.projections if REQUESTS in p.topics)
    async with serving(app):
        await produce(kafka_bootstrap, interleaved)
        await wait_for_dead_letters(kafka_bootstrap, topic_prefix, len(bad) * len(readers))
        registry = app.state.runtime.registry
        # the counter moves once the broker has acknowledged a batch's letters, just after they show on the topic
        counted = await eventually(
            lambda: {name: registry.get_sample_value("relais_dead_letters_total", {"consumer": name})
                     for name in readers},
            lambda values: values == {name: float(len(bad)) for name in readers}, "the dead letters counted")
        engine = create_engine(before.service_database_url("intake"))
        for name in CONSUMERS:
            await wait_for(engine, name, count=len(good), timeout=60)
    try:
        assert counted == {name: float(len(bad)) for name in readers}
        assert await lost_and_doubled(engine, intake_metadata(), good) == (0, 0)

        letters = await list_dead_letters(kafka_bootstrap, topic_prefix)
        assert len(letters) == len(bad) * len(readers)
        by_original = {(letter.partition, letter.original_offset, letter.consumer): letter for letter in letters}
        assert len(by_original) == len(letters)
        kinds = Counter(kind for kind, _, _ in bad)
        for kind in MALFORMED_KINDS:
            matching = [letter for letter in letters if EXPECTED_REASON[kind].lower() in letter.reason.lower()]
            assert len(matching) == kinds[kind] * len(readers), (kind, Counter(letter.reason[:40] for letter in letters))
        listed = await run_relais(before, "dead-letters", "list", "--consumer", "intake.console",
                                  "--reason-contains", "unknown platform")
        assert f"{len(late)} dead letters" in listed.output

        after = service_settings(platforms_dir=platforms_without(tmp_path / "platforms-after"),
                                 database_url=database_url, vault_url=database_url)
        async with serving(create_app(after)):
            replayed = await run_relais(after, "dead-letters", "replay", "--reason-contains", "unknown platform")
            assert re.search(rf"\b{len(late)} records replayed", replayed.output), replayed.output
            for name in CONSUMERS:
                await wait_for(engine, name, count=len(good) + len(late), timeout=60)
            again = await run_relais(after, "dead-letters", "replay", "--reason-contains", "unknown platform")
            assert re.search(r"\b0 records replayed", again.output), again.output
            metadata = intake_metadata()
            await wait_caught_up(engine, metadata, kafka_bootstrap, topic_prefix, intake_projections(metadata))
        assert [await processed_count(engine, name) for name in CONSUMERS] == [len(good) + len(late)] * len(CONSUMERS)
        lost, doubled = await lost_and_doubled(engine, intake_metadata(), good + late)
        assert (lost, doubled) == (0, 0)
        assert len(await list_dead_letters(kafka_bootstrap, topic_prefix)) == len(bad) * len(readers)
    finally:
        await engine.dispose()
    figures.record(f"malformed_events[{dialect}]", runs=1, events=len(good) + len(bad), faults_injected=len(bad),
                   lost=lost, doubled=doubled, dead_letters=len(letters), dead_letter_metric=counted,
                   replayed=len(late), replayed_again=0, kinds=dict(kinds))
