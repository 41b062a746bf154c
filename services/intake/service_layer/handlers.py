"""Command handlers of the intake service: each turns one command into stored events."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from services.intake.domain.commands import (
    CancelRequest,
    CompleteCallback,
    Idempotent,
    LogInformationCall,
    LogRequest,
    LogVisit,
    LogVoicemail,
)
from services.intake.domain.model import Request, check_request_fits_policy, topic_of
from services.intake.service_layer.ports import Sealer, UnitOfWorkFactory
from shared.clock import Clock
from shared.commands import Command
from shared.contracts.base import Event
from shared.contracts.envelope import new_envelope
from shared.contracts.events.intake import (
    InformationCallLogged,
    RequestLogged,
    VisitLogged,
    VoicemailLogged,
)
from shared.errors import Conflict, DomainError, NotFound
from shared.ids import new_id
from shared.inputs import ensure_not_future, local_moment
from shared.platforms.loader import policy_of
from shared.platforms.model import PlatformPolicy
from shared.storage.eventstore import ConcurrencyError
from shared.storage.group_commit import GroupCommit, grouped_first_events


@dataclass
class IntakeHandlers:
    """The intake use cases, bound to their dependencies by ``bootstrap``."""

    uow: UnitOfWorkFactory
    sealer: Sealer
    policies: Mapping[str, PlatformPolicy]
    clock: Clock
    _first_events: GroupCommit[Any, None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._first_events = grouped_first_events(self.uow)

    def policy(self, platform_id: str) -> PlatformPolicy:
        return policy_of(self.policies, platform_id)

    async def log_request(self, cmd: LogRequest) -> str:
        policy = self.policy(cmd.platform_id)
        check_request_fits_policy(policy, cmd.activity, cmd.commune)
        request_id = self._new_id("req", cmd)
        if await self._already_recorded(request_id, cmd):
            return request_id
        resident_id = cmd.resident_id or new_id("res")
        contact = await self.sealer.seal(resident_id, cmd.platform_id, cmd.contact.model_dump(exclude_none=True))
        event = RequestLogged(
            request_id=request_id, channel=cmd.channel, activity=cmd.activity, commune=cmd.commune,
            availability=[window.window() for window in cmd.availability], fragile_publics=sorted(set(cmd.fragile_publics)),
            resident_id=resident_id, contact=contact,
        )
        await self._append_new(cmd, request_id, event)
        return request_id

    async def log_information_call(self, cmd: LogInformationCall) -> str:
        policy = self.policy(cmd.platform_id)
        if cmd.commune is not None and cmd.commune not in policy.commune_codes():
            raise DomainError("unknown_commune", "Cette commune n'est pas desservie par la plateforme.")
        group, topic = topic_of(policy, cmd.topic_asked)
        call_id = self._new_id("inf", cmd)
        if await self._already_recorded(call_id, cmd):
            return call_id
        event = InformationCallLogged(
            request_id=call_id, channel=cmd.channel, topic_asked=topic.code, topic_group=group.code,
            answer=cmd.answer, commune=cmd.commune,
        )
        await self._append_new(cmd, call_id, event)
        return call_id

    async def log_voicemail(self, cmd: LogVoicemail) -> str:
        policy = self.policy(cmd.platform_id)
        if not policy.answering_machine:
            raise DomainError("no_answering_machine", f"La plateforme {policy.name} n'a pas de répondeur : "
                                                      "aucun message ne peut y être enregistré.")
        ensure_not_future("left_at_local", local_moment(cmd.left_at_local, policy.zone), self.clock.now())
        entry_id = self._new_id("vm", cmd)
        if await self._already_recorded(entry_id, cmd):
            return entry_id
        resident_id = new_id("res")
        contact = await self.sealer.seal(resident_id, cmd.platform_id, cmd.contact.model_dump(exclude_none=True))
        event = VoicemailLogged(request_id=entry_id, resident_id=resident_id, contact=contact, left_at_local=cmd.left_at_local)
        await self._append_new(cmd, entry_id, event)
        return entry_id

    async def log_visit(self, cmd: LogVisit) -> str:
        """Count a visit to a mediation desk under a topic of its policy; seal the visitor's contact if given."""
        policy = self.policy(cmd.platform_id)
        if not policy.is_mediation_desk:
            raise DomainError("not_a_desk", f"{policy.name} n'est pas un point de médiation : elle n'enregistre pas "
                                            "de visites.")
        group, topic = topic_of(policy, cmd.topic_asked)
        if cmd.commune is not None and cmd.commune not in policy.commune_codes():
            raise DomainError("unknown_commune", "Cette commune n'est pas dans le territoire du point de médiation.",
                              field="commune")
        now = self.clock.now()
        visited_at = local_moment(cmd.visited_at_local, policy.zone).astimezone(UTC) if cmd.visited_at_local else now
        ensure_not_future("visited_at_local", visited_at, now)
        visit_id = self._new_id("vis", cmd)
        if await self._already_recorded(visit_id, cmd, aggregate_type="visit"):
            return visit_id
        contact = None
        if cmd.follow_up_contact is not None:
            contact = await self.sealer.seal(new_id("res"), cmd.platform_id,
                                             cmd.follow_up_contact.model_dump(exclude_none=True))
        event = VisitLogged(
            visit_id=visit_id, visited_at=visited_at, topic_asked=topic.code, topic_group=group.code,
            partner=topic.partner, actions=cmd.actions, oriented_to=cmd.oriented_to, minutes_spent=cmd.minutes_spent,
            commune=cmd.commune, follow_up_contact=contact,
        )
        await self._append_new(cmd, visit_id, event)
        return visit_id

    async def cancel_request(self, cmd: CancelRequest) -> None:
        await self._change(cmd, cmd.request_id, lambda request: request.cancel(cmd.reason))

    async def complete_callback(self, cmd: CompleteCallback) -> None:
        await self._change(cmd, cmd.entry_id, lambda entry: entry.complete_callback(cmd.outcome, cmd.follow_up_id))

    async def miss_callback_deadline(self, platform_id: str, entry_id: str, deadline_at: datetime) -> bool:
        """Record that the answering-machine entry ``entry_id`` was not called back by ``deadline_at``;
        False when there was nothing to record (called back, or already recorded)."""
        if self.clock.now() <= deadline_at:
            raise Conflict("deadline_not_passed", "Le délai de rappel de ce message n'est pas dépassé.")
        command = Command(platform_id=platform_id, actor="system:intake")
        return await self._change(command, entry_id, lambda entry: entry.miss_callback_deadline(deadline_at))

    async def _change(self, cmd: Command, request_id: str, decide: Callable[[Request], None]) -> bool:
        """Load the request, let ``decide`` record new events on it, append them after its last version;
        returns whether there was anything to append."""
        async with self.uow() as uow:
            history = await uow.events.load("request", request_id)
            request = Request.from_history(request_id, history)
            if not history or request.platform_id != cmd.platform_id:
                raise NotFound("Demande")
            decide(request)
            if not request.pending:
                return False
            await uow.events.append(request.take_pending(history[-1], aggregate_id=request_id, actor=cmd.actor,
                                                         occurred_at=self.clock.now()))
            await uow.commit()
        return True

    @staticmethod
    def _new_id(prefix: str, cmd: Idempotent) -> str:
        """A fresh id; with an idempotency key, the same id for the same key on the same platform, so that a
        second append of a retried or doubled command meets the first one's (id, version 1)."""
        if cmd.idempotency_key is None:
            return new_id(prefix)
        digest = hashlib.sha256(f"{prefix}|{cmd.platform_id}|{cmd.idempotency_key}".encode()).hexdigest()
        return f"{prefix}-{digest[:26]}"

    async def _already_recorded(self, aggregate_id: str, cmd: Idempotent, aggregate_type: str = "request") -> bool:
        if cmd.idempotency_key is None:
            return False
        async with self.uow() as uow:
            return bool(await uow.events.load(aggregate_type, aggregate_id))

    async def _append_new(self, cmd: Idempotent, aggregate_id: str, event: Event) -> None:
        """Append the first event of a new aggregate; a doubled command (same idempotency key) arriving at the
        same time as the first loses the race on (id, version 1) and returns quietly: the first one counts."""
        envelope = new_envelope(event, platform_id=cmd.platform_id, aggregate_id=aggregate_id, aggregate_version=1,
                                actor=cmd.actor, occurred_at=self.clock.now())
        try:
            await self._first_events(envelope)
        except ConcurrencyError:
            if cmd.idempotency_key is None:
                raise
            return
