"""The replay benchmark runs end to end in its small mode and prints its figures and the ratio."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]


def test_bench_replay_small_mode_prints_the_ratio() -> None:
    completed = subprocess.run([sys.executable, "-m", "bench.replay", "--events", "20000"], cwd=REPO,
                               capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(REPO)})

    assert completed.returncode == 0, completed.stderr[-3000:]
    output = completed.stdout
    for figure in ("history written: 20,000 events", "raw broker read:", "full rebuild:", "peak RSS:",
                   "ratio rebuild/raw read:"):
        assert figure in output, output
    assert "0 dead letters" in output and "intake.console" in output
