"""Sharing whole projections out among processes: balanced groups, one database per job unless a server takes
them all, a worker's failure raised in the caller (sharing out by partition: test_analytics_split)."""

from __future__ import annotations

from pathlib import Path

import pytest

from relais.replay.jobs import Job, JobTarget
from relais.replay.parallel import plan_jobs, run_jobs, share_out
from relais.services import described_services, select_projections

TEMPLATE = Job((), "127.0.0.1:9", "test.")


def test_share_out_puts_the_costliest_first_onto_the_least_loaded_group() -> None:
    groups = share_out([(10.5, "console"), (4.7, "observatory"), (4.4, "fairness"), (2.2, "satisfaction"),
                        (0.7, "ledger")], 2)

    assert groups == [["console", "ledger"], ["observatory", "fairness", "satisfaction"]]


def test_share_out_makes_no_empty_group_and_at_least_one() -> None:
    assert share_out([(1.0, "a"), (2.0, "b")], 8) == [["b"], ["a"]]
    assert share_out([(1.0, "a"), (2.0, "b")], 0) == [["b", "a"]]
    assert share_out([], 3) == []


def test_each_job_writes_scratch_files_of_its_own(tmp_path: Path) -> None:
    selection = select_projections(described_services(), "all")

    jobs = plan_jobs(selection, 2, TEMPLATE, into=None, scratch=tmp_path, by_partition=False)

    assert len(jobs) == 2
    urls = [{target.url for target in job.targets} for job in jobs]
    assert not urls[0] & urls[1]
    assert all(target.url.endswith(f"{target.service}-{index}.db") for index, job in enumerate(jobs)
               for target in job.targets)
    assert sorted(target.projection for job in jobs for target in job.targets) == \
        sorted(spec.name for _, spec in selection)


def test_a_sqlite_file_named_by_the_caller_keeps_its_service_in_one_job(tmp_path: Path) -> None:
    selection = select_projections(described_services(), "all")

    jobs = plan_jobs(selection, 5, TEMPLATE, into=f"sqlite+aiosqlite:///{tmp_path}/{{service}}.db", scratch=tmp_path,
                     by_partition=False)

    intake_jobs = [job for job in jobs if any(target.service == "intake" for target in job.targets)]
    assert len(intake_jobs) == 1 and len(jobs) == 5


def test_a_database_server_takes_projections_of_one_service_from_several_jobs(tmp_path: Path) -> None:
    selection = select_projections(described_services(), "all", "intake")
    cut = ({("test.intake.requests", 0): 41}, None)

    jobs = plan_jobs(selection, 2, TEMPLATE, into="postgresql+asyncpg://db/replay_{service}", scratch=tmp_path,
                     cuts={"intake.console": cut}, by_partition=False)

    assert {target.url for job in jobs for target in job.targets} == {"postgresql+asyncpg://db/replay_intake"}
    assert len(jobs) == 2 and all(job.targets for job in jobs)
    console = next(target for job in jobs for target in job.targets if target.projection == "intake.console")
    assert (console.stop_at, console.only_events) == cut


async def test_a_worker_that_fails_raises_its_error_in_the_caller() -> None:
    broken = Job((JobTarget("nowhere", "nowhere.projection", "sqlite+aiosqlite://"),), "127.0.0.1:9", "test.")

    with pytest.raises(LookupError, match="unknown service 'nowhere'"):
        await run_jobs([broken, broken])
