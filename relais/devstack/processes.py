"""Child processes that never outlive their parent.

Each child runs in its own session (so its process group can be signalled as a whole
and a terminal Ctrl-C reaches only the parent, which then stops the children in
order). On Linux a child started from the main thread also receives SIGKILL if the
parent dies without cleaning up (``PR_SET_PDEATHSIG``).

:func:`handle_signals` turns SIGINT/SIGTERM into :class:`Interrupted` exceptions;
:func:`deferred_signals` holds them back while a child is being started and recorded,
so an interrupt never leaves an unrecorded child behind.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_PR_SET_PDEATHSIG = 1


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM was received while :func:`handle_signals` was active."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@functools.cache
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl


def _child_setup(parent_pid: int) -> Callable[[], None]:
    prctl = _prctl()  # loaded in the parent: the child only calls it

    def setup() -> None:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        for sig in _STOP_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != parent_pid:
                os._exit(1)

    return setup


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the block ends, then deliver them to the previous handlers.

    Only effective in the main thread (the only thread where Python runs signal handlers).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _frame: received.append(signum)) for sig in _STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        for signum in dict.fromkeys(received):
            signal.raise_signal(signum)


@contextmanager
def handle_signals() -> Iterator[None]:
    """Raise :class:`Interrupted` in the main thread on the first SIGINT/SIGTERM while the block runs.

    Later signals are ignored, so a second Ctrl-C cannot cut the clean-up short.
    """
    received: list[int] = []

    def interrupt(signum: int, _frame: Any) -> None:
        if not received:
            received.append(signum)
            raise Interrupted(signum)

    previous = {sig: signal.signal(sig, interrupt) for sig in _STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)


def spawn(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stdout: int | IO[Any] | None = None,
    stderr: int | IO[Any] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in a new session. Call inside :func:`deferred_signals` and record the result there."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    return subprocess.Popen(
        list(argv),
        env=dict(env) if env is not None else None,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        start_new_session=True,
        preexec_fn=_child_setup(os.getpid()) if in_main_thread else None,
    )


def signal_group(process: subprocess.Popen[Any], signum: int) -> None:
    """Send ``signum`` to the process group of ``process`` (a :func:`spawn`-ed child)."""
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def stop_process(process: subprocess.Popen[Any], *, signum: int = signal.SIGTERM, grace: float = 10.0) -> int:
    """Stop ``process`` and its group: ``signum``, then SIGKILL after ``grace`` seconds. Returns the exit code."""
    stop_processes([(process, signum)], grace=grace)
    return process.wait()


def stop_processes(
    processes: Sequence[tuple[subprocess.Popen[Any], int]], *, grace: float = 10.0
) -> None:
    """Stop several children at once: each gets its signal, the survivors SIGKILL after ``grace``.

    SIGINT/SIGTERM received meanwhile are delivered once all are stopped.
    """
    with deferred_signals():
        _stop_all(processes, grace)


def _stop_all(processes: Sequence[tuple[subprocess.Popen[Any], int]], grace: float) -> None:
    for process, signum in processes:
        if process.poll() is None:
            signal_group(process, signum)
    deadline = time.monotonic() + grace
    for process, _ in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for process, _ in processes:
        signal_group(process, signal.SIGKILL)
        process.wait()
