"""Run several named child processes together and stop them together.

Each child runs in its own process group (see :mod:`relais.devstack.processes`); its
output is forwarded line by line, prefixed with its name. Typical use::

    with handle_signals(), Supervisor() as supervisor:
        supervisor.spawn("intake", [...])
        name, code = supervisor.wait()   # a child ended; Ctrl-C raises Interrupted
    # leaving the block stops every child: SIGTERM, SIGKILL after the grace period
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Self

from rich.console import Console
from rich.text import Text

from relais.devstack.processes import deferred_signals, spawn, stop_processes

_COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "bright_red")


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    stop_signal: int = signal.SIGTERM
    owned: bool = True
    forwarder: threading.Thread | None = field(default=None, repr=False)


class Supervisor:
    """Named child processes that live and die together (a context manager that stops them on exit)."""

    def __init__(self, *, grace: float = 10.0, console: Console | None = None) -> None:
        self.grace = grace
        self.console = console or Console(soft_wrap=True, highlight=False)
        self._children: list[Child] = []
        self._print_lock = threading.Lock()

    @property
    def children(self) -> list[Child]:
        return list(self._children)

    def spawn(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        stop_signal: int = signal.SIGTERM,
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` as child ``name``; its stdout and stderr are forwarded with a ``name |`` prefix."""
        style = _COLOURS[len(self._children) % len(_COLOURS)]
        with deferred_signals():
            process = spawn(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            child = Child(name, process, stop_signal)
            self._children.append(child)
        assert process.stdout is not None
        child.forwarder = threading.Thread(
            target=self._forward, args=(name, style, process.stdout), name=f"output-{name}", daemon=True
        )
        child.forwarder.start()
        return process

    def watch(self, name: str, process: subprocess.Popen[bytes]) -> None:
        """Also report ``process`` (started and stopped by someone else) in :meth:`wait`."""
        self._children.append(Child(name, process, owned=False))

    def exited(self) -> tuple[str, int] | None:
        """The first child found ended, with its exit code, or None while all run."""
        for child in self._children:
            code = child.process.poll()
            if code is not None:
                return child.name, code
        return None

    def wait(self, poll_interval: float = 0.2) -> tuple[str, int]:
        """Block until a child ends; returns its name and exit code."""
        while (ended := self.exited()) is None:
            time.sleep(poll_interval)
        return ended

    def stop(self) -> None:
        """Stop every owned child at once: its stop signal, then SIGKILL after the grace period."""
        owned = [child for child in self._children if child.owned]
        stop_processes([(child.process, child.stop_signal) for child in owned], grace=self.grace)
        for child in owned:
            if child.forwarder is not None:
                child.forwarder.join(timeout=2.0)
            if child.process.stdout is not None and not (child.forwarder and child.forwarder.is_alive()):
                child.process.stdout.close()
        self._children = [child for child in self._children if not child.owned]

    def print(self, name: str, line: str, style: str = "bold") -> None:
        """Print ``line`` with the ``name |`` prefix the children's output gets."""
        text = Text(f"{name:>9} | ", style=style)
        text.append(line)
        with self._print_lock:
            self.console.print(text, soft_wrap=True)

    def _forward(self, name: str, style: str, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self.print(name, raw.decode("utf-8", "replace").rstrip("\n"), style)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
