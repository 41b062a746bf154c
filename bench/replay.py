"""Benchmark: how fast a full rebuild of the projections reads the history, next to the raw broker read rate.

    python -m bench.replay [--events 1000000] [--batch-size 5000]

Starts an embedded Tansu broker, writes a realistic federation history straight to the topics
(:mod:`bench.history`), then in this one run measures: the raw read rate of the topics the
projections read (records as they arrive, nothing decoded), the rates of the rebuild's reading
alone (merged in time order, then also decoded: where the rebuild's time goes), the rate of a
full rebuild of every projection described by the services (fresh SQLite files) over the same
records, and this process's peak RSS. Prints each figure and the ratio rebuild / raw read (target >= 0.5, peak RSS
< 500 MB).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from bench.history import federation_history
from bench.measure import Rate, full_rebuild, ordered_read, peak_rss_mb, process_peak_rss_mb, raw_read, rebuild_topics
from bench.produce import produce_history
from relais.devstack.ports import free_port
from relais.devstack.tansu import EmbeddedBroker
from relais.replay.parallel import available_cores
from relais.services import described_services

TARGET_RATIO = 0.5
TARGET_RSS_MB = 500.0
TOPIC_PREFIX = "bench."


async def run(events: int, batch_size: int, cores: int) -> float:
    catalogue = described_services()
    projections = [spec.name for models in catalogue for spec in models.projections]
    print(f"projections rebuilt: {', '.join(projections)}")
    with EmbeddedBroker(free_port(), topic_prefix=TOPIC_PREFIX) as broker:
        started = time.perf_counter()
        sent = await produce_history(broker.bootstrap, TOPIC_PREFIX, federation_history(events))
        print(f"history written: {sent:,} events in {time.perf_counter() - started:.1f} s "
              f"(peak RSS so far {peak_rss_mb():,.0f} MB)")
        topics = rebuild_topics(catalogue, TOPIC_PREFIX)
        raw = await raw_read(broker.bootstrap, topics)
        print(f"raw broker read: {raw.records:,} records in {raw.seconds:.2f} s = {raw.per_second:,.0f} records/s "
              f"({len(topics)} topics; peak RSS so far {peak_rss_mb():,.0f} MB)")
        for decode, label in ((False, "read in time order"), (True, "read in time order and decoded")):
            stage = await ordered_read(broker.bootstrap, topics, decode=decode, batch_size=batch_size)
            print(f"{label}, nothing written: {stage.per_second:,.0f} records/s "
                  f"({stage.per_second / raw.per_second:.2f} of the raw read)")
        print(f"ceiling of a rebuild in one process (it reads and decodes every record, then writes): "
              f"{stage.per_second / raw.per_second:.2f} of the raw read")
        rebuilds = []
        for jobs in sorted({1, cores}):
            seconds, results = await full_rebuild(catalogue, broker.bootstrap, TOPIC_PREFIX, batch_size=batch_size,
                                                  jobs=jobs)
            rebuilt = Rate(raw.records, seconds)
            rebuilds.append((jobs, rebuilt, results))
            print(f"full rebuild, {_processes(jobs)}: {rebuilt.records:,} records in {rebuilt.seconds:.2f} s = "
                  f"{rebuilt.per_second:,.0f} records/s ({rebuilt.per_second / raw.per_second:.2f} of the raw read)")
            for result in results:
                for name, counts in result.counts.items():
                    print(f"  {name}: {counts.processed:,} events processed, {counts.applied:,} applied, "
                          f"{counts.dead_letters} dead letters")
            if jobs == 1:
                print(f"peak RSS: {peak_rss_mb():,.0f} MB (target < {TARGET_RSS_MB:.0f} MB)")
            else:
                workers = sum(result.peak_rss_mb for result in results)
                print(f"peak RSS: at most {peak_rss_mb() + workers:,.0f} MB, this process's and its {jobs} workers' "
                      f"peaks added up (workers {workers:,.0f} MB; target < {TARGET_RSS_MB:.0f} MB)")
        broker_rss = process_peak_rss_mb(broker.process.pid) if broker.process else None
    if broker_rss is not None:
        print(f"broker (Tansu) peak RSS: {broker_rss:,.0f} MB")
    for jobs, rebuilt, _ in rebuilds:
        print(f"ratio rebuild/raw read, {_processes(jobs)}: {rebuilt.per_second / raw.per_second:.2f} "
              f"(target >= {TARGET_RATIO})")
    return rebuilds[-1][1].per_second / raw.per_second


def _processes(jobs: int) -> str:
    return "one process" if jobs == 1 else f"{jobs} processes"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.replay", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="Events in the generated history.")
    parser.add_argument("--batch-size", type=int, default=5000, help="Records per rebuild transaction.")
    parser.add_argument("--jobs", type=int, default=available_cores(),
                        help="Worker processes of the parallel rebuild (default: one per available core).")
    options = parser.parse_args(argv)
    asyncio.run(run(options.events, options.batch_size, max(1, options.jobs)))


if __name__ == "__main__":
    main()
