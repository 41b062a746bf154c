"""The deadline sweeper: offers in turn whose callback deadline passed go to the next provider.

Each sweep (timed by the app) lists the assigned requests whose deadline is before ``clock.now()``, and for each one, in its own transaction,
records ContactDeadlineMissed and the next offer (or RequestUnmet). Before that it queues the
reminders due to providers whose deadline is near (:class:`OfferReminders`). Several instances may sweep
the same store: the request's version makes the loser of a race fail with ConcurrencyError, and
it simply moves on (the winner did the work).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from services.matching.domain.match import ASSIGNED
from services.matching.service_layer.assignment import SYSTEM_ACTOR
from services.matching.service_layer.offer_messages import OfferReminders
from services.matching.service_layer.offering import load_match, offer_next, save_match
from services.matching.service_layer.ports import UnitOfWorkFactory
from shared.clock import Clock
from shared.contracts.events.matching import SkipReason
from shared.platforms.model import PlatformPolicy
from shared.storage.eventstore import ConcurrencyError

log = logging.getLogger(__name__)


class DeadlineSweeper:
    def __init__(self, uow: UnitOfWorkFactory, policies: Mapping[str, PlatformPolicy], clock: Clock, *,
                 batch: int = 100, reminders: OfferReminders | None = None) -> None:
        self._uow, self._policies, self._clock = uow, policies, clock
        self._reminders = reminders
        self._batch = batch

    async def sweep_once(self) -> int:
        """One pass (reminders first); returns how many missed deadlines were recorded."""
        if self._reminders is not None:
            try:
                await self._reminders.remind_due(self._batch)
            except ConcurrencyError:
                log.debug("a reminder was queued concurrently elsewhere")
        async with self._uow() as uow:
            due = await uow.matches.due(self._clock.now(), self._batch)
        recorded = 0
        for request_id in due:
            try:
                recorded += await self._miss(request_id)
            except ConcurrencyError:
                log.debug("deadline of %s handled concurrently elsewhere", request_id)
            except Exception:
                log.exception("could not record the missed deadline of %s; will retry next sweep", request_id)
        return recorded

    async def _miss(self, request_id: str) -> int:
        async with self._uow() as uow:
            match, history = await load_match(uow, request_id)
            now = self._clock.now()
            if match.status != ASSIGNED or match.deadline_at is None or match.deadline_at > now:
                return 0
            policy = self._policies.get(match.context.spec.platform_id)
            if policy is None:
                raise LookupError(f"no policy for platform {match.context.spec.platform_id!r}")
            match.miss_deadline(now)
            await offer_next(uow, policy, match, now, last_exclusion=SkipReason.MISSED_DEADLINE)
            await save_match(uow, match, cause=history[-1], actor=SYSTEM_ACTOR, now=now)
            await uow.commit()
        return 1
