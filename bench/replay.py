"""Benchmark: how fast a full rebuild of the projections reads the history, next to the raw broker read rate.

    python -m bench.replay [--events 1000000] [--batch-size 5000] [--jobs N] [--no-live]

Starts an embedded Tansu broker, writes a realistic federation history straight to the topics
(:mod:`bench.history`), then in this one run measures: the raw read rate of the topics the
projections read (records as they arrive, nothing decoded), the rates of the rebuild's reading
alone (merged in time order, then also decoded: where the rebuild's time goes), the rate of a
full rebuild of every projection described by the services (fresh SQLite files) over the same
records in one worker process and shared out by partition among ``--jobs`` processes, each
process's peak RSS, what checksumming the tables costs next to the rebuild, and whether every
table equals the one the live consumers' path builds (batches of 500, unless ``--no-live``).
Prints each figure, the ratios rebuild / raw read (targets >= 0.2 in one process, >= 0.3 with the
processes the machine allows; peak RSS < 300 MB per process) and the machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from bench.history import federation_history
from bench.measure import (
    Rate,
    Rebuilt,
    full_rebuild,
    handled_by,
    live_tables,
    ordered_read,
    peak_rss_mb,
    process_peak_rss_mb,
    raw_read,
    rebuild_topics,
)
from bench.produce import produce_history
from relais.devstack.ports import free_port
from relais.devstack.tansu import EmbeddedBroker
from relais.replay.checksum import TableChecksum
from relais.replay.parallel import available_cores, total_counts
from relais.services import described_services

TARGET_ONE_PROCESS = 0.2
TARGET_PROCESSES = 0.3
TARGET_RSS_MB = 300.0
TOPIC_PREFIX = "bench."


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


async def run(events: int, batch_size: int, cores: int, live: bool = True) -> float:
    catalogue = described_services()
    projections = [spec.name for models in catalogue for spec in models.projections]
    print(f"projections rebuilt: {', '.join(projections)}")
    print(f"machine at the start: {load()}")
    with EmbeddedBroker(free_port(), topic_prefix=TOPIC_PREFIX) as broker, \
            tempfile.TemporaryDirectory(prefix="relais-bench-live-") as folder:
        started = time.perf_counter()
        sent = await produce_history(broker.bootstrap, TOPIC_PREFIX, federation_history(events))
        print(f"history written: {sent:,} events in {time.perf_counter() - started:.1f} s "
              f"(peak RSS so far {peak_rss_mb():,.0f} MB)")
        topics = rebuild_topics(catalogue, TOPIC_PREFIX)
        reads = [await raw_read(broker.bootstrap, topics, fetch_mb=fetch_mb) for fetch_mb in (4, 1)]
        raw = max(reads, key=lambda rate: rate.per_second)
        print(f"raw broker read: {raw.records:,} records in {raw.seconds:.2f} s = {raw.per_second:,.0f} records/s "
              f"(the faster of fetches of 4 MB and 1 MB per partition: {reads[0].per_second:,.0f} and "
              f"{reads[1].per_second:,.0f}; {len(topics)} topics; peak RSS so far {peak_rss_mb():,.0f} MB)")
        handled = handled_by(catalogue)
        for decode, label in ((False, "read in time order"), (True, "read in time order and decoded")):
            stage = await ordered_read(broker.bootstrap, topics, decode=decode, batch_size=batch_size, handled=handled)
            print(f"{label}, nothing written: {stage.per_second:,.0f} records/s "
                  f"({stage.per_second / raw.per_second:.2f} of the raw read)")
        print(f"ceiling of a rebuild in one process (it reads and decodes every record, then writes): "
              f"{stage.per_second / raw.per_second:.2f} of the raw read")
        rebuilds: list[tuple[int, Rate, Rebuilt]] = []
        for jobs in sorted({1, cores}):
            rebuilt = await full_rebuild(catalogue, broker.bootstrap, TOPIC_PREFIX, batch_size=batch_size, jobs=jobs)
            rate = Rate(raw.records, rebuilt.seconds)
            rebuilds.append((jobs, rate, rebuilt))
            print(f"full rebuild, {_processes(jobs)}: {rate.records:,} records in {rate.seconds:.2f} s = "
                  f"{rate.per_second:,.0f} records/s ({rate.per_second / raw.per_second:.2f} of the raw read; {load()})")
            for name, counts in total_counts(rebuilt.results).items():
                print(f"  {name}: {counts.processed:,} events of its types processed, {counts.applied:,} applied, "
                      f"{counts.dead_letters} dead letters")
            peaks = ", ".join(f"{result.peak_rss_mb:,.0f}" for result in rebuilt.results)
            print(f"peak RSS per process: {peaks} MB (target < {TARGET_RSS_MB:.0f} MB)")
            cpu = sum(result.cpu_seconds for result in rebuilt.results)
            print(f"CPU of the rebuild's processes: {cpu:.1f} s = {cpu / rate.records * 1e6:.1f} us per record, against "
                  f"{raw.cpu_seconds / raw.records * 1e6:.1f} us for the raw read's own process (ratio by CPU "
                  f"{raw.cpu_seconds / cpu:.2f}; unlike the rates, hardly moved by the machine's other load)")
            print(f"checksums of the {len(rebuilt.checksums)} rebuilt tables: {rebuilt.checksum_seconds:.2f} s "
                  f"({rebuilt.checksum_seconds / rebuilt.seconds:.3f} of the rebuild)")
        if live:
            seconds, reference = await live_tables(catalogue, broker.bootstrap, topics, TOPIC_PREFIX, Path(folder))
            print(f"live tables built as the live consumers build them (batches of 500): {seconds:.1f} s")
            for jobs, _, rebuilt in rebuilds:
                print(f"tables identical to the live ones, {_processes(jobs)}: "
                      f"{_identical(rebuilt.checksums, reference)}")
            one = rebuilds[0][2]
            print(f"cost of relais replay's comparison (checksums of the live and the rebuilt tables): "
                  f"{2 * one.checksum_seconds:.2f} s = {2 * one.checksum_seconds / one.seconds:.3f} of the rebuild "
                  f"in one process (target < 0.1)")
        broker_rss = process_peak_rss_mb(broker.process.pid) if broker.process else None
    if broker_rss is not None:
        print(f"broker (Tansu) peak RSS: {broker_rss:,.0f} MB")
    for jobs, rate, _ in rebuilds:
        target = TARGET_ONE_PROCESS if jobs == 1 else TARGET_PROCESSES
        print(f"ratio rebuild/raw read, {_processes(jobs)}: {rate.per_second / raw.per_second:.2f} "
              f"(target >= {target})")
    print(f"machine at the end: {load()}")
    return rebuilds[-1][1].per_second / raw.per_second


def _identical(rebuilt: dict[str, TableChecksum], live: dict[str, TableChecksum]) -> str:
    differing = [name for name, checksum in rebuilt.items() if not checksum.same_as(live[name])]
    if not differing:
        return f"all {len(rebuilt)} identical"
    return f"{len(rebuilt) - len(differing)} of {len(rebuilt)} identical; different: {', '.join(differing)}"


def _processes(jobs: int) -> str:
    return "one process" if jobs == 1 else f"{jobs} processes"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.replay", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="Events in the generated history.")
    parser.add_argument("--batch-size", type=int, default=5000, help="Records per rebuild transaction.")
    parser.add_argument("--jobs", type=int, default=available_cores(),
                        help="Worker processes of the parallel rebuild (default: one per available core).")
    parser.add_argument("--no-live", dest="live", action="store_false",
                        help="Skip building the live tables the rebuilds are compared with.")
    options = parser.parse_args(argv)
    asyncio.run(run(options.events, options.batch_size, max(1, options.jobs), options.live))


if __name__ == "__main__":
    main()
