"""Background work repeated while a service runs (sweepers of deadlines, reminders, callbacks)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)


async def repeat(step: Callable[[], Awaitable[Any]], stop: asyncio.Event, *, interval: float, name: str,
                 wake: asyncio.Event | None = None) -> None:
    """Run ``step`` every ``interval`` seconds (or as soon as ``wake`` is set) until ``stop`` is set.

    A failing round is logged with its traceback and the next round tried: one bad row must not stop
    the deadlines of every other request. Returns once ``stop`` is set.
    """
    while not stop.is_set():
        if wake is not None:
            wake.clear()
        try:
            await step()
        except Exception:
            log.exception("%s failed; retrying in %.1f s", name, interval)
        waiters = [asyncio.create_task(stop.wait())] + ([asyncio.create_task(wake.wait())] if wake else [])
        try:
            await asyncio.wait(waiters, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()


class Periodic:
    """The timer of a sweep: ``step`` every ``interval`` seconds while the service runs, or at once when woken
    (the test clock moved). What a sweep does belongs to the service layer; its timer to the entrypoints."""

    def __init__(self, step: Callable[[], Awaitable[Any]], *, interval: float, name: str) -> None:
        self._step, self._interval, self._name = step, interval, name
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Sweep now instead of at the next interval."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Sweep until ``stop`` is set; a failing round is logged and the next one tried (:func:`repeat`)."""
        await repeat(self._step, stop, interval=self._interval, name=self._name, wake=self._wake)
