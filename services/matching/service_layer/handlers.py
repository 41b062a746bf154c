"""Matching's command handlers: the provider directory's, and the providers' actions on their offers.

Directory: each command turns into one provider event, appended with its ``providers`` row rewritten in
the same transaction, so the rotation and the listing never see a provider the event store does not know.

Offers: a provider acts only on an offer made to it (``cmd.provider_id``): any other request is a 404.
A decline re-offers the request to the next provider in turn within the same transaction. When
the turn or the request changed concurrently, the command is retried on fresh state (coordinators
may act on the providers' behalf).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from services.matching.domain import commands as c
from services.matching.domain.match import Match
from services.matching.domain.provider_rules import application_event, change_event
from services.matching.service_layer.offering import (
    load_match,
    offer_next,
    save_match,
)
from services.matching.service_layer.ports import Store, UnitOfWorkFactory
from shared.clock import Clock
from shared.contracts.directory import Provider, evolve, from_history
from shared.contracts.envelope import new_envelope
from shared.contracts.events.matching import SkipReason
from shared.contracts.events.providers import ProviderEvent
from shared.errors import NotFound
from shared.ids import new_id
from shared.inputs import ensure_not_future, ensure_not_future_day
from shared.platforms.loader import policy_of
from shared.platforms.model import PlatformPolicy
from shared.storage.eventstore import ConcurrencyError

Step = Callable[[Store, Match, datetime], Awaitable[None]]


@dataclass
class OfferHandlers:
    """The providers' actions on offers, bound to their dependencies by ``bootstrap``.

    Each runs in one unit of work; a :class:`ConcurrencyError` (the request or the turn changed
    meanwhile) retries it on fresh state up to ``attempts`` times, then reaches the caller (409).
    """

    uow: UnitOfWorkFactory
    policies: Mapping[str, PlatformPolicy]
    clock: Clock
    attempts: int = 3

    async def view(self, platform_id: str, request_id: str) -> Match:
        """The match of ``request_id`` as it stands (404 if unknown on ``platform_id``)."""
        async with self.uow() as uow:
            match, _ = await load_match(uow, request_id, platform_id)
        return match

    async def accept(self, cmd: c.AcceptOffer) -> None:
        async def step(_uow: Store, match: Match, _now: datetime) -> None:
            match.accept(cmd.provider_id)

        await self._run(cmd, step)

    async def decline(self, cmd: c.Decline) -> None:
        policy = policy_of(self.policies, cmd.platform_id)

        async def step(uow: Store, match: Match, now: datetime) -> None:
            match.decline(cmd.provider_id, cmd.reason, cmd.note.strip())
            await offer_next(uow, policy, match, now, last_exclusion=SkipReason.DECLINED)

        await self._run(cmd, step)

    async def confirm_contact(self, cmd: c.ConfirmContact) -> None:
        async def step(_uow: Store, match: Match, now: datetime) -> None:
            _not_future("contacted_at", cmd.contacted_at, now)
            match.confirm_contact(cmd.provider_id, cmd.contacted_at or now)

        await self._run(cmd, step)

    async def send_quote(self, cmd: c.SendQuote) -> None:
        async def step(_uow: Store, match: Match, now: datetime) -> None:
            _not_future("sent_at", cmd.sent_at, now)
            match.send_quote(cmd.provider_id, cmd.amount_excl_tax, cmd.sent_at or now)

        await self._run(cmd, step)

    async def answer_quote(self, cmd: c.AnswerQuote) -> None:
        async def step(_uow: Store, match: Match, now: datetime) -> None:
            _not_future("answered_at", cmd.answered_at, now)
            match.answer_quote(cmd.provider_id, cmd.accepted, cmd.answered_at or now)

        await self._run(cmd, step)

    async def declare_done(self, cmd: c.DeclareDone) -> None:
        zone = policy_of(self.policies, cmd.platform_id).zone

        async def step(uow: Store, match: Match, now: datetime) -> None:
            ensure_not_future_day("done_on", cmd.done_on, now, zone)
            provider = await uow.providers.get(match.provider_id) if match.provider_id else None
            match.declare_done(cmd.provider_id, cmd.done_on, cmd.labour_hours, cmd.labour_amount_excl_tax,
                               cmd.travel_amount_excl_tax, admitted_on=provider.committee_on if provider else None)

        await self._run(cmd, step)

    async def correct(self, cmd: c.CorrectIntervention) -> None:
        zone = policy_of(self.policies, cmd.platform_id).zone

        async def step(_uow: Store, match: Match, now: datetime) -> None:
            ensure_not_future_day("done_on", cmd.done_on, now, zone)
            match.correct(cmd.provider_id, cmd.done_on, cmd.labour_hours, cmd.labour_amount_excl_tax,
                          cmd.travel_amount_excl_tax, cmd.reason)

        await self._run(cmd, step)

    async def _run(self, cmd: c.OfferCommand, step: Step) -> None:
        policy_of(self.policies, cmd.platform_id)
        for attempt in range(1, self.attempts + 1):
            try:
                async with self.uow() as uow:
                    match, history = await load_match(uow, cmd.request_id, cmd.platform_id)
                    now = self.clock.now()
                    await step(uow, match, now)
                    await save_match(uow, match, cause=history[-1], actor=cmd.actor, now=now)
                    await uow.commit()
                return
            except ConcurrencyError:
                if attempt == self.attempts:
                    raise


def _not_future(what: str, moment: datetime | None, now: datetime) -> None:
    if moment is not None:
        ensure_not_future(what, moment, now)


@dataclass
class DirectoryHandlers:
    """The directory use cases, bound to their dependencies by ``bootstrap``."""

    uow: UnitOfWorkFactory
    policies: Mapping[str, PlatformPolicy]
    clock: Clock

    async def apply(self, cmd: c.Apply) -> str:
        policy = policy_of(self.policies, cmd.platform_id)
        provider_id = new_id("prv")
        event = application_event(provider_id, cmd, activities=policy.activity_codes(), communes=policy.commune_codes())
        async with self.uow() as uow:
            await self._record(uow, Provider(provider_id, cmd.platform_id), event, cmd.actor)
            await uow.commit()
        return provider_id

    async def change(self, cmd: c.ChangeProvider) -> Provider:
        policy = policy_of(self.policies, cmd.platform_id)
        async with self.uow() as uow:
            provider = from_history(cmd.provider_id, await uow.events.load("provider", cmd.provider_id))
            if provider is None or provider.platform_id != cmd.platform_id:
                raise NotFound("Prestataire")
            event = change_event(provider, cmd.change, activities=policy.activity_codes(),
                                 communes=policy.commune_codes())
            changed = await self._record(uow, provider, event, cmd.actor)
            await uow.commit()
        return changed

    async def _record(self, uow: Store, provider: Provider, event: ProviderEvent, actor: str) -> Provider:
        now = self.clock.now()
        version = provider.version + 1
        await uow.events.append([new_envelope(event, platform_id=provider.platform_id, aggregate_id=provider.provider_id,
                                              aggregate_version=version, actor=actor, occurred_at=now)])
        changed = evolve(provider, event, occurred_at=now, version=version)
        await uow.providers.save(changed)
        return changed
