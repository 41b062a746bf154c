"""Processes for end-to-end tests: the ``relais`` CLI in the background, and checks on what runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.polling import wait_for

ROOT = Path(__file__).resolve().parents[2]


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not count)."""
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"
    except FileNotFoundError:
        return False


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except FileNotFoundError:
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def processes_mentioning(*texts: str) -> list[int]:
    """Live processes whose command line contains one of ``texts`` (arguments joined by NUL)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_text()
            except FileNotFoundError:
                continue
            if any(text in cmdline for text in texts) and alive(int(entry.name)):
                found.append(int(entry.name))
    return found


class Cli:
    """``python -m relais.cli.main ARGS`` running in the background, its output collected."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "relais.cli.main", *args], cwd=ROOT, env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_output(self, text: str, timeout: float = 60.0) -> None:
        wait_for(lambda: text in self.output or self.process.poll() is not None, what=repr(text), timeout=timeout)
        assert text in self.output, f"process ended without {text!r}:\n{self.output}"

    def stop(self, signum: int = signal.SIGINT, timeout: float = 30.0) -> int:
        self.process.send_signal(signum)
        return self.finish(timeout)

    def finish(self, timeout: float = 30.0) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def cli():
    started: list[Cli] = []

    def run(*args: str, env: dict[str, str] | None = None) -> Cli:
        started.append(Cli(*args, env=env))
        return started[-1]

    yield run
    for process in started:
        process.kill()




class DemoStack:
    """``relais demo`` running as a process, with its URLs and the demo credentials."""

    def __init__(self, process: Cli, data_dir: Path, ports: dict[str, int]) -> None:
        self.process = process
        self.data_dir = data_dir
        self.urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}

    @property
    def credentials(self) -> dict[str, dict[str, str]]:
        import json

        return json.loads((self.data_dir / "demo-credentials.json").read_text())

    def headers(self, platform_id: str, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials[platform_id][username]}"}

    @property
    def admin(self) -> dict[str, str]:
        return self.headers("federation", "demo-loader")


def start_demo(data_dir: Path, **env: str) -> DemoStack:
    """Start ``relais demo`` on free ports with its data in ``data_dir``; wait until the demo is loaded."""
    from relais.devstack.ports import free_port
    from shared.settings import DEFAULT_PORTS

    ports = {name: free_port() for name in DEFAULT_PORTS}
    args = ["demo", "--data-dir", str(data_dir), "--broker-port", str(free_port())]
    for name, port in ports.items():
        args += ["--port", f"{name}={port}"]
    process = Cli(*args, env={"RELAIS_TEST_CLOCK": "1", **env})
    process.wait_output("Demo data loaded", timeout=180)
    return DemoStack(process, data_dir, ports)
