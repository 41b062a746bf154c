"""The callback sweeper: answering-machine messages not called back before the platform's deadline
become unmet demand (``out_of_hours_never_called_back``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from services.intake.service_layer.handlers import IntakeHandlers
from shared.platforms.calendar import callback_deadline
from shared.platforms.model import PlatformPolicy
from shared.service.periodic import repeat
from shared.storage.eventstore import ConcurrencyError

log = logging.getLogger(__name__)

WaitingEntries = Callable[[], Awaitable[list[dict[str, Any]]]]


class CallbackSweeper:
    """Every ``interval`` seconds, records :class:`VoicemailUnanswered` for entries past their deadline."""

    def __init__(self, handlers: IntakeHandlers, waiting: WaitingEntries, policies: Mapping[str, PlatformPolicy],
                 interval: float = 30.0) -> None:
        self._handlers = handlers
        self._waiting = waiting
        self._policies = policies
        self._interval = interval

    async def run(self, stop: asyncio.Event) -> None:
        await repeat(self.sweep_once, stop, interval=self._interval, name="callback sweep")

    async def sweep_once(self) -> int:
        now = self._handlers.clock.now()
        missed = 0
        for entry in await self._waiting():
            deadline = self.deadline_of(entry)
            if deadline is None or deadline >= now:
                continue
            try:
                missed += await self._handlers.miss_callback_deadline(entry["platform_id"], entry["entry_id"], deadline)
            except ConcurrencyError:
                log.debug("callback entry %s changed meanwhile; next sweep looks again", entry["entry_id"])
        return missed

    def deadline_of(self, entry: dict[str, Any]) -> datetime | None:
        policy = self._policies.get(entry["platform_id"])
        return None if policy is None else callback_deadline(policy, entry["logged_at"])
