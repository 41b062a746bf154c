"""The background sweeper: every ``interval`` seconds, reminds and expires the surveys that are due."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from services.feedback.service_layer.handlers import FeedbackHandlers, SweepResult

log = logging.getLogger(__name__)


class Sweeper:
    def __init__(self, handlers: FeedbackHandlers, interval: float = 60.0) -> None:
        self.handlers = handlers
        self.interval = interval
        self.rounds = 0
        self.failures = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Sweep until ``stop`` is set; a failed round is logged with its traceback and retried next round."""
        while not stop.is_set():
            try:
                result = await self.handlers.sweep()
            except Exception:
                self.failures += 1
                log.exception("survey sweep failed; retrying in %.0f s", self.interval)
            else:
                self._report(result)
            self.rounds += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(self.run(stop), name="feedback-sweeper")
        try:
            yield
        finally:
            stop.set()
            await task

    @staticmethod
    def _report(result: SweepResult) -> None:
        if result.reminded or result.expired or result.raced:
            log.info("survey sweep: %d reminded, %d expired, %d changed meanwhile",
                     result.reminded, result.expired, result.raced)
