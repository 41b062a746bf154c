"""Fault suite settings: the scale (``RELAIS_FAULT_SCALE=small`` in CI, ``large`` from ``make faults``)
and the figures every test records, written to ``tests/faults/results/faults-<scale>.json``."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

SCALE_ENV = "RELAIS_FAULT_SCALE"
RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Scale:
    name: str
    kill_runs: int
    events_per_kill_run: int
    duplicated_events: int
    malformed: int
    good_per_malformed: int
    restore_requests: int
    db_faults: int
    db_events: int
    load_rps: int
    load_seconds: float
    load_concurrency: int


SCALES = {
    "small": Scale("small", kill_runs=20, events_per_kill_run=40, duplicated_events=600, malformed=1000,
                   good_per_malformed=1, restore_requests=60, db_faults=5, db_events=600, load_rps=500,
                   load_seconds=10, load_concurrency=64),
    "large": Scale("large", kill_runs=100, events_per_kill_run=150, duplicated_events=5000, malformed=5000,
                   good_per_malformed=2, restore_requests=600, db_faults=25, db_events=5000, load_rps=500,
                   load_seconds=120, load_concurrency=128),
}


@pytest.fixture(scope="session")
def scale() -> Scale:
    name = os.environ.get(SCALE_ENV, "small")
    if name not in SCALES:
        raise pytest.UsageError(f"{SCALE_ENV}={name!r}: expected one of {', '.join(SCALES)}")
    return SCALES[name]


class Figures:
    """What each fault test measured, keyed by test (with its database)."""

    def __init__(self) -> None:
        self.tests: dict[str, dict[str, Any]] = {}

    def record(self, test: str, **figures: Any) -> None:
        self.tests[test] = figures

    def summary(self) -> dict[str, Any]:
        total = {key: sum(int(figures.get(key, 0)) for figures in self.tests.values())
                 for key in ("runs", "events", "faults_injected", "lost", "doubled")}
        return total


@pytest.fixture(scope="session")
def figures(scale: Scale) -> Iterator[Figures]:
    collected = Figures()
    yield collected
    if not collected.tests:
        return
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ".gitignore").write_text("*\n")
    target = RESULTS / f"faults-{scale.name}.json"
    earlier = json.loads(target.read_text())["tests"] if target.exists() else {}
    collected.tests = {**earlier, **collected.tests}  # a partial run updates the figures of its own tests
    document = {
        "scale": asdict(scale),
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "totals": collected.summary(),
        "tests": collected.tests,
    }
    target.write_text(json.dumps(document, indent=2) + "\n")


@pytest.fixture
def dialect(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"
