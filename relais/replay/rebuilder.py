"""Rebuild many projections in one pass over the history, into fresh databases.

Every record is read once (:class:`~relais.replay.reader.HistoryReader`, in timestamp order, only
the partitions some target takes), decoded once if some projection of the pass applies its type
(:func:`~shared.messaging.decoding.decode_records` with the header: the others are not decoded) and
handed to each projection that reads its topic through :func:`~shared.messaging.batches.apply_decoded`,
the events of the types it applies only: the same transaction, deduplication, dead-letter and checkpoint
rules as the live consumers (except that events of types a projection does not apply are not marked
processed: a redelivery of one changes nothing). While a batch is written, the consumer's fetcher goes
on fetching the next records in the background. Batches are as large as the caller says (5,000 records
by default): the projections' SQL runs once per batch.

A target may take some partitions only (:attr:`Target.partitions`, a part of a rebuild shared out by
partition: :mod:`relais.replay.split`): it applies the records of those partitions, and of its
``rekeyed`` topics the events whose key falls in one of them.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiokafka.partitioner import murmur2
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from relais.replay.direct import DirectWriter
from relais.replay.reader import HistoryReader
from shared.contracts.envelope import Envelope
from shared.contracts.topics import physical
from shared.messaging.batches import apply_decoded
from shared.messaging.decoding import decode_records
from shared.messaging.projection import InboundRecord, Projection
from shared.messaging.read_models import KeyOf
from shared.messaging.tracking import load_checkpoints, processed_count

Progress = Callable[[int, int], Any]


class NotFreshDatabase(RuntimeError):
    """The target database already holds events processed by this projection."""


@dataclass
class Target:
    """One projection to rebuild into ``engine`` (its tables already created).

    ``writer``, when given, writes the rows instead of ``engine`` (same database: see
    :class:`~relais.replay.direct.DirectWriter`), each statement at once (grouping them saves
    nothing on a direct SQLite connection); ``engine`` still answers the freshness check.
    ``stop_at``, when given, is the last offset to apply per (topic, partition): later records,
    and every record of a partition it does not name, are only counted in ``beyond``; so are the
    events whose id is not in ``only_events``, when that is given. ``partitions``, when given, are the
    partition numbers this target takes (of ``partition_count``); ``rekeyed`` gives, per logical topic
    read whole, the key whose partition says whether an event is this target's.
    """

    projection: Projection
    engine: AsyncEngine
    metadata: MetaData
    writer: DirectWriter | None = None
    processed: int = 0
    applied: int = 0
    dead_letters: int = 0
    topics: frozenset[str] = field(default=frozenset())
    stop_at: Mapping[tuple[str, int], int] | None = None
    only_events: frozenset[str] | None = None
    beyond: int = 0
    partitions: frozenset[int] | None = None
    partition_count: int = 0
    rekeyed: Mapping[str, KeyOf] = field(default_factory=dict)
    handled: frozenset[str] = field(default=frozenset())
    physical_rekeyed: dict[str, KeyOf] = field(default_factory=dict)


async def rebuild_targets(
    targets: Sequence[Target],
    bootstrap: str,
    topic_prefix: str,
    *,
    until: datetime | None = None,
    progress: Progress | None = None,
    batch_size: int = 5000,
    platforms: Collection[str] | None = None,
) -> int:
    """Replay every target's topics from offset 0; returns the number of records read.

    ``until`` keeps only events that occurred at or before it (their own ``occurred_at``).
    ``progress(records_read, total_estimate)`` is called after each batch. Each target's counters
    (processed, applied, dead letters) are updated. Raises :class:`NotFreshDatabase` if a target
    has processed events already.
    """
    for target in targets:
        await ensure_fresh(target.engine, target.metadata, target.projection.name)
        target.topics = frozenset(physical(name, topic_prefix) for name in target.projection.topics)
        target.handled = handled_types(target.projection)
        target.physical_rekeyed = {physical(name, topic_prefix): key for name, key in target.rekeyed.items()}
    include = None if until is None else (lambda envelope: _occurred_by(envelope, until))
    with fewer_collections():
        return await _rebuild(targets, bootstrap, include, progress, batch_size, platforms)


async def rebuild(
    projection: Projection,
    engine: AsyncEngine,
    metadata: MetaData,
    bootstrap: str,
    topic_prefix: str,
    *,
    until: datetime | None = None,
    progress: Progress | None = None,
    batch_size: int = 500,
    platforms: Collection[str] | None = None,
) -> int:
    """Rebuild one projection from offset 0 into ``engine`` (its tables created, nothing processed yet).

    The engine of ``relais replay`` (:func:`rebuild_targets`) with a single target. Returns the
    number of events of the types it applies that it processed (the others are not even decoded);
    ``progress(events_processed, total_estimate)`` is
    called after each batch and once at the end. Raises :class:`NotFreshDatabase` as
    :func:`rebuild_targets` does.
    """
    target = Target(projection, engine, metadata)
    estimate = 0

    def per_batch(_records_read: int, total: int) -> None:
        nonlocal estimate
        estimate = total
        if progress is not None:
            progress(target.processed, total)

    await rebuild_targets([target], bootstrap, topic_prefix, until=until, progress=per_batch,
                          batch_size=batch_size, platforms=platforms)
    if progress is not None:
        progress(target.processed, estimate)
    return target.processed


async def ensure_fresh(engine: AsyncEngine, metadata: MetaData, consumer: str) -> None:
    """Raises :class:`NotFreshDatabase` if ``consumer`` has processed events in this database."""
    if await processed_count(engine, consumer) or await load_checkpoints(engine, metadata, consumer):
        raise NotFreshDatabase(f"{consumer} has already processed events in this database")


@contextmanager
def fewer_collections(threshold: int = 100_000) -> Iterator[None]:
    """Run the cyclic garbage collector less often (a rebuild allocates millions of short-lived objects)."""
    previous = gc.get_threshold()
    gc.set_threshold(threshold, previous[1], previous[2])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def handled_types(projection: Projection) -> frozenset[str]:
    """The event types ``projection`` applies, with a handler or in SQL."""
    set_based = getattr(projection, "set_based", None)
    return frozenset(projection.handlers) | (set_based.event_types if set_based is not None else frozenset())


def partitions_read(targets: Sequence[Target]) -> dict[str, set[int]]:
    """Per topic, the partitions some target takes, for the topics no target reads whole."""
    whole: set[str] = set()
    wanted: dict[str, set[int]] = {}
    for target in targets:
        for topic in target.topics:
            if target.partitions is None or topic in target.physical_rekeyed:
                whole.add(topic)
            else:
                wanted.setdefault(topic, set()).update(target.partitions)
    return {topic: partitions for topic, partitions in wanted.items() if topic not in whole}


async def _rebuild(targets: Sequence[Target], bootstrap: str, include: Any, progress: Progress | None,
                   batch_size: int, platforms: Collection[str] | None) -> int:
    topics = [topic for target in targets for topic in sorted(target.topics)]
    groups = _by_engine(targets)
    handled = frozenset().union(*(target.handled for target in targets))
    read = 0
    writing: asyncio.Task[None] | None = None
    async with HistoryReader(bootstrap, topics, batch_size=batch_size, only=partitions_read(targets)) as reader:
        try:
            async for records in reader.batches():
                batch = [InboundRecord.of(record) for record in records]
                decoded, dead = decode_records(batch, platforms, handled=handled)
                if writing is not None:
                    await writing
                writing = asyncio.create_task(_apply(groups, batch, decoded, dead, include))
                read += len(batch)
                if progress is not None:
                    progress(read, reader.total_estimate())
            if writing is not None:
                await writing
        finally:
            if writing is not None and not writing.done():
                writing.cancel()
    return read


def _by_engine(targets: Sequence[Target]) -> list[list[Target]]:
    groups: dict[int, list[Target]] = {}
    for target in targets:
        groups.setdefault(id(target.writer or target.engine), []).append(target)
    return list(groups.values())


async def _apply(groups: list[list[Target]], batch: list[InboundRecord], decoded: list[tuple[InboundRecord, Envelope[Any]]],
                 dead: list[Any], include: Any) -> None:
    await asyncio.gather(*(_apply_group(group, batch, decoded, dead, include) for group in groups))


async def _apply_group(group: list[Target], batch: list[InboundRecord],
                       decoded: list[tuple[InboundRecord, Envelope[Any]]], dead: list[Any], include: Any) -> None:
    writer = group[0].writer
    if writer is not None:
        await writer.run(lambda: _apply_each(group, batch, decoded, dead, include))
    else:
        await _apply_each(group, batch, decoded, dead, include)


async def _apply_each(group: list[Target], batch: list[InboundRecord],
                      decoded: list[tuple[InboundRecord, Envelope[Any]]], dead: list[Any], include: Any) -> None:
    for target in group:
        mine, pairs, letters = _of_target(target, batch, decoded, dead)
        if target.stop_at is not None:
            mine, pairs, letters = _up_to(target, mine, pairs, letters)
        if target.only_events is not None:
            pairs = _known_to(target, pairs)
        if not mine:
            continue
        result = await apply_decoded(target.writer or target.engine, target.metadata, target.projection,
                                     mine, pairs, letters, include=include, mark_ignored=False,
                                     group_writes=target.writer is None)
        target.processed += result.processed
        target.applied += result.applied
        target.dead_letters += len(result.dead_letters)


def _of_target(target: Target, batch: list[InboundRecord], decoded: list[tuple[InboundRecord, Envelope[Any]]],
               dead: list[Any]) -> tuple[list[InboundRecord], list[tuple[InboundRecord, Envelope[Any]]], list[Any]]:
    """The records of the batch ``target`` reads (for its checkpoints), the events it applies, its dead letters."""
    topics, handled, partitions, rekeyed = target.topics, target.handled, target.partitions, target.physical_rekeyed
    if partitions is None:
        mine = [record for record in batch if record.topic in topics]
        pairs = [pair for pair in decoded if pair[0].topic in topics and pair[1].meta.event_type in handled]
        letters = [letter for letter in dead if letter.record.topic in topics]
        return mine, pairs, letters
    count = target.partition_count
    mine = [record for record in batch if record.topic in topics and (record.partition in partitions
                                                                     or record.topic in rekeyed)]
    pairs = [pair for pair in decoded if pair[0].topic in topics and pair[1].meta.event_type in handled
             and (pair[0].partition in partitions if pair[0].topic not in rekeyed
                  else partition_of(rekeyed[pair[0].topic](pair[1]), count) in partitions)]
    letters = [letter for letter in dead if letter.record.topic in topics and letter.record.partition in partitions]
    return mine, pairs, letters


def partition_of(key: str, partitions: int) -> int:
    """The partition Kafka's default partitioner gives ``key`` among ``partitions``."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def _up_to(target: Target, mine: list[InboundRecord], pairs: list[tuple[InboundRecord, Envelope[Any]]],
           letters: list[Any]) -> tuple[list[InboundRecord], list[tuple[InboundRecord, Envelope[Any]]], list[Any]]:
    """The records of ``target`` up to its ``stop_at`` offsets; the rest are counted in ``target.beyond``."""
    stop_at = target.stop_at or {}

    def within(record: InboundRecord) -> bool:
        return record.offset <= stop_at.get((record.topic, record.partition), -1)

    kept = [record for record in mine if within(record)]
    own = target.partitions  # a part counts, of a topic every part reads whole, the records of its own partitions
    target.beyond += sum(1 for record in mine if not within(record) and (own is None or record.partition in own))
    return kept, [pair for pair in pairs if within(pair[0])], [letter for letter in letters if within(letter.record)]


def _known_to(target: Target, pairs: list[tuple[InboundRecord, Envelope[Any]]]) -> list[tuple[InboundRecord, Envelope[Any]]]:
    """The decoded events of ``target.only_events``; the others are counted in ``target.beyond``."""
    known = target.only_events or frozenset()
    kept = [pair for pair in pairs if str(pair[1].event_id) in known]
    target.beyond += len(pairs) - len(kept)
    return kept


def _occurred_by(envelope: Envelope[Any], until: datetime) -> bool:
    return envelope.meta.occurred_at <= until
