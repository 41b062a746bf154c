"""Sharing a rebuild out among worker processes.

A rebuild is bound by one core: decoding, handlers and SQLite all run in Python's one thread.
:func:`plan_jobs` splits the selected projections into at most ``jobs`` groups of about equal cost
(``ProjectionSpec.rebuild_cost``; the costliest first, each onto the least loaded group) and
:func:`run_jobs` runs each group as a :class:`~relais.replay.jobs.Job` in a process of its own
(spawned: the caller's event loop and connections are not inherited), reporting the sum of their
progress. One job runs in the caller's process. Each job reads and decodes the topics of its own
projections, so a topic two jobs need is read twice: jobs spend CPU time to save elapsed time.

Projections of one service in different jobs write into different databases, unless the target is
a server (PostgreSQL) that takes concurrent writers: in temporary SQLite files each job has files
of its own, and a SQLite file the caller names keeps a service's projections in one job.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from relais.replay.jobs import Job, JobResult, JobTarget, TargetCounts, read_models_of, rebuild_job
from relais.replay.rebuilder import Progress
from relais.replay.split import merge_parts, plan_split
from relais.services import ProjectionSpec, ReadModels
from shared.storage.engine import is_sqlite

T = TypeVar("T")
Cut = tuple[dict[tuple[str, int], int] | None, frozenset[str] | None]
_progress_queue: Any = None


def available_cores() -> int:
    """The cores this process may run on (the default number of jobs)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def share_out(units: Sequence[tuple[float, T]], jobs: int) -> list[list[T]]:
    """Items of ``(cost, item)`` in at most ``jobs`` groups of about equal total cost (none empty)."""
    loads = [0.0] * max(1, jobs)
    groups: list[list[T]] = [[] for _ in loads]
    for cost, item in sorted(units, key=lambda unit: -unit[0]):
        lightest = loads.index(min(loads))
        loads[lightest] += cost
        groups[lightest].append(item)
    return [group for group in groups if group]


def plan_jobs(selection: Sequence[tuple[ReadModels, ProjectionSpec]], jobs: int, template: Job, *,
              into: str | None, scratch: Path, cuts: Mapping[str, Cut] | None = None,
              by_partition: bool = True) -> list[Job]:
    """The jobs rebuilding ``selection``: ``template`` with its targets filled in.

    ``into`` is a database URL template (``{service}`` replaced), else each job writes
    ``scratch/<service>-<job>.db``. ``cuts`` gives, per projection name, the ``stop_at`` and
    ``only_events`` of its target (see :class:`~relais.replay.jobs.JobTarget`). With several jobs and
    ``by_partition``, the projections that declare a split are cut by partition, one part per job
    (:func:`~relais.replay.split.plan_split`; :func:`run_jobs` merges the parts).
    """
    if jobs > 1 and by_partition and any(spec.split is not None for _, spec in selection):
        return plan_split(selection, jobs, template, into=into, scratch=scratch, cuts=cuts)
    by_service = into is not None and is_sqlite(into)
    units: dict[str, list[tuple[str, ProjectionSpec]]] = {}
    for models, spec in selection:
        units.setdefault(models.service if by_service else spec.name, []).append((models.service, spec))
    groups = share_out([(sum(spec.rebuild_cost for _, spec in unit), unit) for unit in units.values()], jobs)
    planned = []
    for index, group in enumerate(groups):
        targets = []
        for service, spec in (pair for unit in group for pair in unit):
            url = into.replace("{service}", service) if into is not None else \
                f"sqlite+aiosqlite:///{scratch / f'{service}-{index}.db'}"
            stop_at, only_events = (cuts or {}).get(spec.name, (None, None))
            targets.append(JobTarget(service, spec.name, url, stop_at, only_events))
        planned.append(replace(template, targets=tuple(targets)))
    return planned


async def run_jobs(jobs: Sequence[Job], progress: Progress | None = None, *,
                   processes: bool | None = None) -> list[JobResult]:
    """Run ``jobs`` (one in this process; several in as many spawned processes, or even one with
    ``processes=True``), merge the parts of the projections rebuilt in parts
    (:func:`~relais.replay.split.merge_parts`) and return the jobs' results.

    A job's error is raised here once the other jobs have ended (their processes are not killed
    mid-batch; a rebuild's databases are thrown away or rebuilt afresh anyway).
    """
    results = await _run(jobs, progress, len(jobs) > 1 if processes is None else processes)
    if any(target.merge_into is not None for job in jobs for target in job.targets):
        services = {target.service for job in jobs for target in job.targets}
        models = read_models_of(services)
        specs = {spec.name: spec for described in models.values() for spec in described.projections}
        await merge_parts(jobs, specs, {service: described.metadata() for service, described in models.items()})
    return results


def total_counts(results: Sequence[JobResult]) -> dict[str, TargetCounts]:
    """Each projection's counters, its parts' added up."""
    totals: dict[str, TargetCounts] = {}
    for result in results:
        for name, counts in result.counts.items():
            before = totals.get(name)
            totals[name] = counts if before is None else TargetCounts(
                before.processed + counts.processed, before.applied + counts.applied,
                before.dead_letters + counts.dead_letters, before.beyond + counts.beyond)
    return totals


async def _run(jobs: Sequence[Job], progress: Progress | None, processes: bool) -> list[JobResult]:
    if not processes:
        return [await rebuild_job(job, progress) for job in jobs]
    context = multiprocessing.get_context("spawn")
    updates = context.Queue()
    report = _Report(updates, len(jobs), progress)
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(len(jobs), mp_context=context, initializer=_remember_queue, initargs=(updates,)) as pool:
        running = [loop.run_in_executor(pool, _run_in_worker, index, job) for index, job in enumerate(jobs)]
        watching = asyncio.create_task(report.every(0.2))
        try:
            results = list(await asyncio.gather(*running))
        finally:
            watching.cancel()
        report.finish(results)
        updates.close()
        return results


def _remember_queue(updates: Any) -> None:
    global _progress_queue
    _progress_queue = updates


def _run_in_worker(index: int, job: Job) -> JobResult:
    def progress(done: int, total: int) -> None:
        if _progress_queue is not None:
            _progress_queue.put((index, done, total))

    return asyncio.run(rebuild_job(job, progress))


class _Report:
    """Calls ``progress`` with the records read by all jobs and the sum of their estimates."""

    def __init__(self, updates: Any, jobs: int, progress: Progress | None) -> None:
        self.updates, self.progress = updates, progress
        self.done, self.totals = [0] * jobs, [0] * jobs

    async def every(self, seconds: float) -> None:
        while True:
            self.now()
            await asyncio.sleep(seconds)

    def now(self) -> None:
        changed = False
        while True:
            try:
                index, done, total = self.updates.get_nowait()
            except queue.Empty:
                break
            self.done[index], self.totals[index], changed = done, total, True
        if changed and self.progress is not None:
            self.progress(sum(self.done), sum(self.totals))

    def finish(self, results: Sequence[JobResult]) -> None:
        """The last report: every job's whole count (its last updates may still be in flight)."""
        self.done = [result.records for result in results]
        self.totals = [max(total, result.records) for total, result in zip(self.totals, results, strict=True)]
        if self.progress is not None:
            self.progress(sum(self.done), sum(self.totals))
