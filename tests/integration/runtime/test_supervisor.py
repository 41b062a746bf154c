"""The process supervisor: output forwarding, a dying child, stopping, no process left behind."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from rich.console import Console

from relais.devstack.supervisor import Supervisor
from tests.polling import wait_for

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


def unique_sleep() -> list[str]:
    """A ``sleep`` command whose duration is unique to the test, to find its processes in /proc."""
    return ["sleep", f"{600 + uuid.uuid4().int % 100}.{uuid.uuid4().int % 10**9:09d}"]


def running_with(argument: str) -> list[int]:
    """Pids of live (non-zombie) processes with ``argument`` on their command line."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            continue
        if argument.encode() in arguments and state != "Z":
            pids.append(int(entry.name))
    return pids


def quiet_supervisor(**options) -> tuple[Supervisor, io.StringIO]:
    output = io.StringIO()
    return Supervisor(console=Console(file=output, width=200), **options), output


def test_output_is_forwarded_with_the_child_name():
    supervisor, output = quiet_supervisor()
    with supervisor:
        supervisor.spawn("greeter", [sys.executable, "-c", "print('hello'); import sys; print('oops', file=sys.stderr)"])
        assert supervisor.wait() == ("greeter", 0)
    assert "  greeter | hello" in output.getvalue()
    assert "  greeter | oops" in output.getvalue()


def test_a_dying_child_is_reported_and_the_others_are_stopped():
    sleep = unique_sleep()
    supervisor, _ = quiet_supervisor(grace=5.0)
    with supervisor:
        supervisor.spawn("sleeper", sleep)
        supervisor.spawn("crasher", [sys.executable, "-c", "raise SystemExit(3)"])
        assert supervisor.wait() == ("crasher", 3)
        assert running_with(sleep[1])
    assert running_with(sleep[1]) == []


def test_stop_kills_the_whole_group_of_a_child_that_ignores_sigterm():
    sleep = unique_sleep()
    stubborn = textwrap.dedent(f"""
        import signal, subprocess, sys
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        subprocess.Popen({sleep!r})
        print("ready", flush=True)
        signal.pause()
    """)
    supervisor, output = quiet_supervisor(grace=0.5)
    with supervisor:
        supervisor.spawn("stubborn", [sys.executable, "-c", stubborn])
        wait_for(lambda: "ready" in output.getvalue() and running_with(sleep[1]), what="child and grandchild", timeout=10.0)
        started = time.monotonic()
    assert time.monotonic() - started < 5
    assert running_with(sleep[1]) == []


SCRIPT = """
import os, sys
from relais.devstack.processes import handle_signals
from relais.devstack.supervisor import Supervisor
sleep = ["sleep", os.environ["SLEEP_FOR"]]
with handle_signals(), Supervisor(grace=2.0) as supervisor:
    print("starting", flush=True)
    for number in range(int(sys.argv[1])):
        supervisor.spawn(f"s{number}", sleep)
    print("started", flush=True)
    supervisor.wait()
"""


def start_script(sleep: list[str], children: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(children)],
        cwd=ROOT, env={**os.environ, "SLEEP_FOR": sleep[1]}, stdout=subprocess.PIPE, text=True,
    )


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_startup_leaves_no_child(signum):
    sleep = unique_sleep()
    parent = start_script(sleep, children=60)
    try:
        assert parent.stdout.readline().strip() == "starting"
        wait_for(lambda: len(running_with(sleep[1])) >= 3, what="the first children", timeout=10.0)
        os.kill(parent.pid, signum)
        parent.wait(timeout=20)
    finally:
        parent.kill()
        parent.wait()
    assert running_with(sleep[1]) == []


def test_children_die_with_a_killed_parent():
    sleep = unique_sleep()
    parent = start_script(sleep, children=2)
    try:
        assert parent.stdout.readline().strip() == "starting"
        assert parent.stdout.readline().strip() == "started"
        assert len(running_with(sleep[1])) == 2
    finally:
        parent.kill()
        parent.wait()
    wait_for(lambda: running_with(sleep[1]) == [], what="orphans to die (PR_SET_PDEATHSIG)", timeout=10.0)
