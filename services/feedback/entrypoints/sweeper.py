"""The background sweeper: every ``interval`` seconds, reminds and expires the surveys that are due."""

from __future__ import annotations

import asyncio
import logging

from services.feedback.service_layer.handlers import FeedbackHandlers, SweepResult
from shared.service.periodic import repeat

log = logging.getLogger(__name__)


class Sweeper:
    def __init__(self, handlers: FeedbackHandlers, interval: float = 60.0) -> None:
        self.handlers = handlers
        self.interval = interval
        self.rounds = 0
        self.failures = 0
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Sweep now (e.g. after the test clock moved) instead of at the next interval."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Sweep until ``stop`` is set; a failed round is logged with its traceback and retried next round."""
        await repeat(self.sweep_once, stop, interval=self.interval, name="survey sweep", wake=self._wake)

    async def sweep_once(self) -> None:
        self.rounds += 1
        try:
            result = await self.handlers.sweep()
        except Exception:
            self.failures += 1
            raise
        self._report(result)

    @staticmethod
    def _report(result: SweepResult) -> None:
        if result.reminded or result.expired or result.raced:
            log.info("survey sweep: %d reminded, %d expired, %d changed meanwhile",
                     result.reminded, result.expired, result.raced)
