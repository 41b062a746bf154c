"""The callback sweeper: answering-machine messages not called back before the platform's deadline
become unmet demand (``out_of_hours_never_called_back``). The deadline counts from when the message
was left (``left_at_local``, the platform's local time unless it gives an offset)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from services.intake.service_layer.handlers import IntakeHandlers
from shared.inputs import local_moment
from shared.platforms.calendar import callback_deadline
from shared.platforms.model import PlatformPolicy
from shared.storage.eventstore import ConcurrencyError

log = logging.getLogger(__name__)

WaitingEntries = Callable[[], Awaitable[list[dict[str, Any]]]]


class CallbackSweeper:
    """Records :class:`VoicemailUnanswered` for the entries past their deadline (timed by the app)."""

    def __init__(self, handlers: IntakeHandlers, waiting: WaitingEntries, policies: Mapping[str, PlatformPolicy]) -> None:
        self._handlers = handlers
        self._waiting = waiting
        self._policies = policies

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
        return None if policy is None else message_deadline(policy, entry)


def message_deadline(policy: PlatformPolicy, entry: Mapping[str, Any]) -> datetime:
    """When the message of the callback-queue ``entry`` must have been called back: the platform's deadline
    counted from when the caller left it (``left_at_local``), not from when an operator typed it in."""
    try:
        left_at = local_moment(entry["left_at_local"], policy.zone)
    except (TypeError, ValueError):  # an old entry whose time does not parse: when it was typed in
        left_at = entry["logged_at"]
    return callback_deadline(policy, left_at)
