"""Two matching processes in one consumer group: no request is assigned twice, the turn holds (issue 3)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import datetime

import httpx
import pytest

from relais.devstack.ports import free_port
from tests.e2e.platform import Platform, assignments_on_the_bus, broker_address
from tests.e2e.processes import ROOT, DemoStack
from tests.polling import wait_for

pytestmark = pytest.mark.e2e


def test_a_second_matching_instance_shares_the_work_without_double_assignment(demo: DemoStack) -> None:
    limoges = Platform(demo, "limoges", "lim-ecoutante-1", "lim-coordination")
    limoges.settle()
    port = free_port()
    env = {**os.environ, "RELAIS_KAFKA_BOOTSTRAP_SERVERS": broker_address(demo), "RELAIS_DATA_DIR": str(demo.data_dir),
           "RELAIS_TOKENS_FILE": str(demo.data_dir / "tokens.yaml"), "RELAIS_TEST_CLOCK": "1"}
    second = subprocess.Popen([sys.executable, "-m", "relais.cli.main", "serve", "matching", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        wait_for(lambda: _healthy(f"http://127.0.0.1:{port}/health"), what="the second matching instance", timeout=90)
        _same_clock(demo, f"http://127.0.0.1:{port}")
        gardeners = {g["provider_id"] for g in limoges.matching(
            "GET", "/providers?activity=gardening&status=admitted", headers=limoges.coordinator).json()
            if "87085" in g["communes"]}
        request_ids = [limoges.log_request("gardening", "87085") for _ in range(12)]
        assigned = [limoges.shown(rid)["provider_id"] for rid in request_ids]
        assert Counter(assigned) == {provider: 4 for provider in gardeners}
        on_the_bus = assignments_on_the_bus(broker_address(demo), set(request_ids))
        assert Counter(event.request_id for event in on_the_bus.values()) == {rid: 1 for rid in request_ids}
        assert all(limoges.match(rid)["attempt"] == 1 for rid in request_ids)
    finally:
        second.terminate()
        second.wait(timeout=30)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _same_clock(demo: DemoStack, second: str) -> None:
    """Move the second instance's test clock to the first one's: a test may have moved that one forward
    (then each instance would find the other's fresh deadlines passed, or not yet)."""
    def now(url: str) -> datetime:
        moved = httpx.post(f"{url}/admin/clock", headers=demo.admin, json={"advance_seconds": 0})
        assert moved.status_code == 200, moved.text
        return datetime.fromisoformat(moved.json()["now"])
    gap = (now(demo.urls["matching"]) - now(second)).total_seconds()
    if gap > 0:
        httpx.post(f"{second}/admin/clock", headers=demo.admin, json={"advance_seconds": gap}).raise_for_status()
