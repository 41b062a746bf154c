"""The replay and projection benchmarks run end to end in a small mode and print their figures and ratios."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[3]


def test_bench_replay_small_mode_prints_the_ratios() -> None:
    completed = subprocess.run([sys.executable, "-m", "bench.replay", "--events", "20000", "--jobs", "2"], cwd=REPO,
                               capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(REPO)})

    assert completed.returncode == 0, completed.stderr[-3000:]
    output = completed.stdout
    for figure in ("history written: 20,000 events", "raw broker read:", "full rebuild, one process:",
                   "full rebuild, 2 processes:", "ceiling of a rebuild in one process", "peak RSS per process:",
                   "CPU of the rebuild's processes:", "checksums of the 16 rebuilt tables:",
                   "cost of relais replay's comparison", "ratio rebuild/raw read, one process:",
                   "ratio rebuild/raw read, 2 processes:", "machine at the end: load average"):
        assert figure in output, output
    assert "0 dead letters" in output and "intake.console" in output
    assert "tables identical to the live ones, one process: all 16 identical" in output, output
    assert "tables identical to the live ones, 2 processes: all 16 identical" in output, output


def test_bench_projections_small_mode_prints_before_and_after() -> None:
    completed = subprocess.run([sys.executable, "-m", "bench.projections", "--events", "2000", "--batch-size", "200",
                                "--databases", "sqlite"], cwd=REPO, capture_output=True, text=True, timeout=600,
                               env={**os.environ, "PYTHONPATH": str(REPO)})

    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = [line for line in completed.stdout.splitlines() if line.startswith("sqlite")]
    assert {line.split()[1] for line in lines} >= {"intake.console", "matching.fairness", "billing.ledger"}
    measured = [line for line in lines if "no event of its topics" not in line]
    assert all("before" in line and "handlers" in line and "µs/event" in line and "after/before" in line
               for line in measured)
    assert {line.split()[1] for line in measured if " SQL " in line} >= {"intake.observatory", "matching.fairness"}
