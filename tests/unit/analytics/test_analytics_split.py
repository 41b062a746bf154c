"""A rebuild shared out by partition: each splittable projection in one part per job (partitions p % jobs),
the others whole in the least loaded job; the parts' tables merged by union or by adding counters, with the
processed ids and the highest checkpoint of each partition; records routed to the part owning their
partition, or their key's partition on a topic keyed otherwise."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table

from relais.replay.jobs import Job
from relais.replay.parallel import plan_jobs
from relais.replay.rebuilder import Target, _of_target, partition_of
from relais.replay.split import merge_parts
from relais.services import described_services, select_projections
from shared.contracts.codec import decode
from shared.messaging.decoding import DeadLetter
from shared.messaging.projection import InboundRecord, Projection
from shared.messaging.read_models import ProjectionSpec, Split
from shared.storage.tables import core_metadata
from tests.unit.contracts.golden import load_bytes

TEMPLATE = Job((), "127.0.0.1:9", "test.")


def test_splittable_projections_get_one_part_per_job_and_the_others_go_whole(tmp_path: Path) -> None:
    selection = select_projections(described_services(), "all")

    jobs = plan_jobs(selection, 2, TEMPLATE, into=None, scratch=tmp_path)

    assert len(jobs) == 2
    split = {spec.name for _, spec in selection if spec.split is not None}
    assert {"intake.console", "matching.fairness"} <= split
    for name in split:
        parts = [target for job in jobs for target in job.targets if target.projection == name]
        assert [target.partitions for target in parts] == [frozenset({0, 2}), frozenset({1})]
        assert {target.partition_count for target in parts} == {3}
        assert len({target.url for target in parts}) == 2 and len({target.merge_into for target in parts}) == 1
    whole = [target for job in jobs for target in job.targets if target.projection not in split]
    assert sorted(target.projection for target in whole) == sorted(spec.name for _, spec in selection
                                                                   if spec.split is None)
    assert all(target.partitions is None and target.merge_into is None for target in whole)
    assert all(target in jobs[1].targets for target in whole), "the whole ones go to the lighter part"


def test_without_partitions_to_share_the_projections_are_shared_out_whole(tmp_path: Path) -> None:
    selection = select_projections(described_services(), "all")

    jobs = plan_jobs(selection, 2, TEMPLATE, into=None, scratch=tmp_path, by_partition=False)

    assert all(target.partitions is None for job in jobs for target in job.targets)


def _tables() -> tuple[MetaData, ProjectionSpec]:
    metadata = core_metadata()
    Table("views", metadata, Column("request_id", String, primary_key=True), Column("status", String))
    Table("counts", metadata, Column("month", String, primary_key=True), Column("count", Integer),
          Column("share", Float), Column("label", String))
    spec = ProjectionSpec("toy.view", lambda md: Projection("toy.view", ("requests",)), ("views", "counts"),
                          split=Split({"views": "union", "counts": "sum"}))
    return metadata, spec


def _part(path: Path, metadata: MetaData, views: list[tuple[str, str]], counts: list[tuple[str, int, float, str]],
          processed: list[str], checkpoints: list[tuple[str, int, int]]) -> str:
    connection = sqlite3.connect(path)
    metadata.create_all(_sync_engine(path))
    with connection:
        connection.executemany("INSERT INTO views VALUES (?, ?)", views)
        connection.executemany("INSERT INTO counts VALUES (?, ?, ?, ?)", counts)
        connection.executemany("INSERT INTO processed_events (consumer, event_id) VALUES ('toy.view', ?)",
                               [(i,) for i in processed])
        connection.executemany("INSERT INTO checkpoints VALUES ('toy.view', ?, ?, ?, '2026-01-01')", checkpoints)
    connection.close()
    return f"sqlite+aiosqlite:///{path}"


def _sync_engine(path: Path):  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    return create_engine(f"sqlite:///{path}")


async def test_parts_merge_by_union_and_by_adding_counters_with_ids_and_the_highest_checkpoints(tmp_path: Path) -> None:
    metadata, spec = _tables()
    one = _part(tmp_path / "one.db", metadata, [("r1", "done"), ("r3", "open")], [("2026-01", 2, 0.5, "x")],
                ["e1", "e3"], [("t.requests", 0, 41), ("t.billing", 1, 7)])
    two = _part(tmp_path / "two.db", metadata, [("r2", "open")], [("2026-01", 1, 0.25, "x"), ("2026-02", 4, 1.0, "y")],
                ["e2"], [("t.requests", 1, 12), ("t.billing", 1, 7)])
    merged = tmp_path / "merged.db"
    metadata.create_all(_sync_engine(merged))
    url = f"sqlite+aiosqlite:///{merged}"
    jobs = [Job((_target(spec, one, url, {0}),), "b", "t."), Job((_target(spec, two, url, {1}),), "b", "t.")]

    await merge_parts(jobs, {spec.name: spec}, {"toy": metadata})

    result = sqlite3.connect(merged)
    assert sorted(result.execute("SELECT * FROM views")) == [("r1", "done"), ("r2", "open"), ("r3", "open")]
    assert sorted(result.execute("SELECT * FROM counts")) == [("2026-01", 3, 0.75, "x"), ("2026-02", 4, 1.0, "y")]
    assert sorted(result.execute("SELECT event_id FROM processed_events")) == [("e1",), ("e2",), ("e3",)]
    assert sorted(result.execute('SELECT topic, "partition", "offset" FROM checkpoints')) == [
        ("t.billing", 1, 7), ("t.requests", 0, 41), ("t.requests", 1, 12)]


async def test_a_row_in_two_parts_of_a_union_table_is_an_error(tmp_path: Path) -> None:
    metadata, spec = _tables()
    one = _part(tmp_path / "one.db", metadata, [("r1", "done")], [], [], [])
    two = _part(tmp_path / "two.db", metadata, [("r1", "open")], [], [], [])
    merged = tmp_path / "merged.db"
    metadata.create_all(_sync_engine(merged))
    url = f"sqlite+aiosqlite:///{merged}"
    jobs = [Job((_target(spec, one, url, {0}), _target(spec, two, url, {1})), "b", "t.")]

    with pytest.raises(sqlite3.IntegrityError):
        await merge_parts(jobs, {spec.name: spec}, {"toy": metadata})


def _target(spec: ProjectionSpec, url: str, merge_into: str, partitions: set[int]):  # type: ignore[no-untyped-def]
    from relais.replay.jobs import JobTarget

    return JobTarget("toy", spec.name, url, partitions=frozenset(partitions), partition_count=2, merge_into=merge_into)


def test_a_part_takes_its_partitions_and_on_a_rekeyed_topic_the_events_of_its_keys() -> None:
    assigned, fee = load_bytes("ProviderAssigned", 3), load_bytes("FeeCharged", 1)
    fee_request = decode(fee).payload.request_id
    mine = partition_of(fee_request, 3)
    records = [InboundRecord("t.relais.matching", p, 10 + p, b"k", assigned, (("event_type", b"ProviderAssigned"),))
               for p in range(3)]
    records += [InboundRecord("t.relais.billing", p, 20 + p, b"k", fee, (("event_type", b"FeeCharged"),))
                for p in range(3)]
    decoded = [(record, decode(record.value)) for record in records]
    dead = [DeadLetter(records[0], "x"), DeadLetter(records[1], "y")]
    target = Target(Projection("toy", ("relais.matching", "relais.billing")), None, MetaData(),  # type: ignore[arg-type]
                    topics=frozenset({"t.relais.matching", "t.relais.billing"}),
                    handled=frozenset({"ProviderAssigned", "FeeCharged"}), partitions=frozenset({mine}),
                    partition_count=3, physical_rekeyed={"t.relais.billing": lambda env: env.payload.request_id})

    batch, pairs, letters = _of_target(target, records, decoded, dead)

    assert [(r.topic, r.partition) for r in batch] == [("t.relais.matching", mine)] + [
        ("t.relais.billing", p) for p in range(3)]
    assert [(r.topic, r.partition) for r, _ in pairs] == [("t.relais.matching", mine)] + [
        ("t.relais.billing", p) for p in range(3)]
    assert [letter.record.partition for letter in letters] == [p for p in (0, 1) if p == mine]
    other = Target(target.projection, None, MetaData(), topics=target.topics, handled=target.handled,  # type: ignore[arg-type]
                   partitions=frozenset({(mine + 1) % 3}), partition_count=3, physical_rekeyed=target.physical_rekeyed)
    assert [(r.topic, r.partition) for r, _ in _of_target(other, records, decoded, dead)[1]] == [
        ("t.relais.matching", (mine + 1) % 3)]
