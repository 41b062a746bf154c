"""The load test's figures on both brokers, side by side (``make bench-load`` runs the test on each first).

Reads ``tests/faults/results/faults-<scale>.json``, where ``tests/faults/test_load.py`` records each
run under ``load[<broker>-<database>]``, and prints one line per broker and database.

    python -m bench.load [--scale small|large]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "tests" / "faults" / "results"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["small", "large"], default="small")
    args = parser.parse_args(argv)
    source = RESULTS / f"faults-{args.scale}.json"
    if not source.exists():
        raise SystemExit(f"no figures in {source}: run `make bench-load` (or the load test) first")
    tests = json.loads(source.read_text())["tests"]
    for key, figures in sorted(tests.items()):
        if not key.startswith("load[") or "-" not in key:
            continue
        print(f"{key[5:-1]:<22} offered {figures.get('target_rps')} rps for {figures.get('seconds')} s: "
              f"accepted {figures['events']}, {figures.get('achieved_rps')} rps, p50 {figures.get('p50_ms')} ms, "
              f"p99 {figures.get('p99_ms')} ms; lost {figures['lost']}, doubled {figures['doubled']}; "
              f"lag back to 0 {figures['seconds_to_zero_lag_after_load']} s after the load")


if __name__ == "__main__":
    main()
