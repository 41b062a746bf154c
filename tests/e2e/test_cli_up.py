"""``relais broker`` and ``relais up`` as real processes: they start, answer, and stop leaving no process."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import httpx
import pytest

from relais.devstack.ports import free_port
from shared.settings import SERVICES
from tests.e2e.processes import alive, children_of, processes_mentioning

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
STUB_FACTORY = "tests.e2e.stub_app:create_app"
SERVICES_WRITTEN = all((ROOT / "services" / name / "entrypoints" / "app.py").exists() for name in SERVICES)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_broker_stops_on_a_signal_and_leaves_no_tansu(cli, signum):
    port = free_port()
    broker = cli("broker", "--port", str(port))
    broker.wait_output("Tansu broker ready")
    (tansu,) = children_of(broker.process.pid)
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass

    assert broker.stop(signum) == 0
    assert "stopped" in broker.output
    assert not alive(tansu)


def test_broker_on_a_taken_port_is_a_clear_error(cli):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        broker = cli("broker", "--port", str(squatter.getsockname()[1]))
        assert broker.finish() == 1
    assert "is already in use" in broker.output
    assert "Traceback" not in broker.output


def up_args(tmp_path: Path, command: str = "up", factory: str | None = STUB_FACTORY) -> tuple[list[str], dict[str, int]]:
    ports = {name: free_port() for name in SERVICES}
    args = [command, "--broker-port", str(free_port()), "--data-dir", str(tmp_path / "data"), "--grace", "10"]
    for name, port in ports.items():
        args += ["--port", f"{name}={port}"]
    if factory:
        args += ["--app-factory", factory]
    return args, ports


def assert_all_gone(pids: list[int]) -> None:
    assert [pid for pid in pids if alive(pid)] == []


def test_up_runs_broker_and_services_then_ctrl_c_stops_all(cli, tmp_path):
    args, ports = up_args(tmp_path)
    up = cli(*args, env={"RELAIS_TOPIC_PREFIX": "e2e."})
    up.wait_output("Relais is running", timeout=90)
    children = children_of(up.process.pid)
    assert len(children) == 1 + len(SERVICES)

    for port in ports.values():
        answer = httpx.get(f"http://127.0.0.1:{port}/settings", timeout=5).json()
        assert answer["topic_prefix"] == "e2e."
        assert answer["data_dir"] == str(tmp_path / "data")
        assert answer["kafka_bootstrap_servers"] in up.output

    assert up.stop(signal.SIGINT) == 0
    assert_all_gone(children)


def test_up_stops_everything_when_a_service_dies(cli, tmp_path):
    args, ports = up_args(tmp_path)
    up = cli(*args)
    up.wait_output("Relais is running", timeout=90)
    children = children_of(up.process.pid)
    matching = next(pid for pid in children if f"--port\0{ports['matching']}" in Path(f"/proc/{pid}/cmdline").read_text())

    os.kill(matching, signal.SIGKILL)

    assert up.finish() == 1
    assert "matching exited unexpectedly" in up.output
    assert_all_gone(children)


def test_up_interrupted_during_startup_leaves_nothing(cli, tmp_path):
    args, ports = up_args(tmp_path)
    up = cli(*args)
    up.wait_output("Started server process", timeout=90)
    children = children_of(up.process.pid)

    assert up.stop(signal.SIGINT) == 0
    assert_all_gone(children)
    broker_port = args[args.index("--broker-port") + 1]
    assert processes_mentioning(f"127.0.0.1:{broker_port}", *(f"--port\0{port}\0" for port in ports.values())) == []


@pytest.mark.skipif(not SERVICES_WRITTEN, reason="services/*/entrypoints/app.py not written yet")
@pytest.mark.parametrize("command", ["up", "demo"])
def test_real_services_answer_health_and_stop(cli, tmp_path, command):
    args, ports = up_args(tmp_path, command=command, factory=None)
    up = cli(*args)
    up.wait_output("Relais is running", timeout=180)
    children = children_of(up.process.pid)
    for port in ports.values():
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200

    assert up.stop(signal.SIGINT) == 0
    assert_all_gone(children)
