"""Offers sent to providers: each ``ProviderAssigned`` queues the offer by email and/or SMS, as the provider wants,
and a reminder goes before the callback deadline (:class:`OfferReminders`, policy ``callback.reminder_hours_before``);
where the policy asks for it (``callback.confirm_to_resident``), the resident learns who will call back and by when.

A :class:`~shared.messaging.projection.Projection` named ``matching.offer_messages`` on the matching
topic: the message rows are written with the batch's processed event ids, so a redelivered
``ProviderAssigned`` sends nothing twice. The text names the activity, the commune and the callback
deadline in the platform's time; the link opens the offer's page, where the provider accepts or
declines and, once it accepted, reads the resident's contact details.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import MetaData

from services.matching.adapters.unit_of_work import MatchingStore
from services.matching.service_layer.offering import load_match
from services.matching.service_layer.ports import Links, OfferKey, UnitOfWorkFactory
from shared.clock import Clock
from shared.contracts.directory import Provider
from shared.contracts.envelope import Envelope
from shared.contracts.events.feedback import SendChannel
from shared.contracts.events.matching import ProviderAssigned
from shared.contracts.topics import MATCHING
from shared.messaging.projection import Projection
from shared.outgoing.outbox import Contact, OutgoingMessage, already_queued, queue
from shared.platforms.local_time import french_moment
from shared.platforms.model import PlatformPolicy
from shared.storage.ports import ProjectionConnection

OFFER_MESSAGES = "matching.offer_messages"
OFFER = "offer"
CONFIRMATION = "request_confirmation"
REMINDER = "offer_reminder"

log = logging.getLogger(__name__)


def offer_text(policy: PlatformPolicy, assigned: ProviderAssigned) -> tuple[str, str]:
    """The French subject and body of an offer (no personal data: the resident is only reachable from the page)."""
    activity = next((a.label for a in policy.activities if a.code == assigned.activity), assigned.activity)
    commune = next((c.name for c in policy.communes if c.code == assigned.commune), assigned.commune)
    deadline = french_moment(assigned.deadline_at, policy.zone)
    subject = f"Nouvelle demande : {activity} à {commune}"
    body = (f"{policy.name} vous propose une demande : {activity} à {commune}. "
            f"Merci de rappeler le particulier avant {deadline}.\n\n"
            "Ouvrez la page de l'offre pour l'accepter ou la décliner ; les coordonnées du particulier "
            "s'affichent une fois l'offre acceptée.")
    return subject, body


def confirmation_text(policy: PlatformPolicy, assigned: ProviderAssigned, provider_name: str) -> tuple[str, str]:
    """The French subject and body of the resident's confirmation (the provider's name is not personal data)."""
    activity = next((a.label for a in policy.activities if a.code == assigned.activity), assigned.activity)
    deadline = french_moment(assigned.deadline_at, policy.zone)
    subject = f"Votre demande de {activity} est transmise"
    body = (f"{policy.name} a transmis votre demande ({activity}) à {provider_name}, qui s'engage à vous rappeler "
            f"avant {deadline}. Sans appel d'ici là, contactez la plateforme : elle s'en occupe.")
    return subject, body


def offer_messages_projection(*, policies: Mapping[str, PlatformPolicy], links: Links, clock: Clock,
                              metadata: MetaData) -> Projection:
    projection = Projection(OFFER_MESSAGES, topics=(MATCHING,))

    @projection.handles(ProviderAssigned)
    async def send_offer(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        assigned: ProviderAssigned = envelope.payload
        policy = policies.get(envelope.platform_id)
        store = MatchingStore(conn, metadata)
        provider = await store.providers.get(assigned.provider_id)
        if policy is None or provider is None or assigned.deadline_at <= clock.now():
            return  # an offer whose callback deadline passed (a consumer reading old history) is moot
        subject, body = offer_text(policy, assigned)
        link = links.link(OfferKey(envelope.platform_id, assigned.request_id, assigned.provider_id))
        recipient = Contact(name=provider.name, email=provider.email, phone=provider.phone)
        channels = _channels(provider)
        if not channels:
            log.info("offer of request %s: provider %s has no email or phone for offers", assigned.request_id,
                     assigned.provider_id)
        for channel in channels:
            await queue(conn, metadata, OutgoingMessage(
                platform_id=envelope.platform_id, request_id=assigned.request_id, kind=OFFER, channel=channel,
                subject=subject, body=body, recipient=recipient, secret={"link": link},
                reference=assigned.provider_id), clock.now())
        confirm_by = policy.callback.confirm_to_resident
        if confirm_by is not None and assigned.attempt == 1:
            found = await store.matches.context(assigned.request_id)
            if found is not None and found[0].contact is not None:
                subject, body = confirmation_text(policy, assigned, provider.name)
                await queue(conn, metadata, OutgoingMessage(
                    platform_id=envelope.platform_id, request_id=assigned.request_id, kind=CONFIRMATION,
                    channel=SendChannel(confirm_by), subject=subject, body=body, recipient=found[0].contact,
                    resident_id=found[0].resident_id, reference=assigned.request_id), clock.now())

    return projection


class OfferReminders:
    """Reminds the provider holding an offer ``callback.reminder_hours_before`` its deadline (once per offer).

    Run by the deadline sweeper. The reminder's id is derived from the request, the offer's attempt and
    the channel, so a second sweeper, or a second pass, finds it queued and adds nothing.
    """

    def __init__(self, uow: UnitOfWorkFactory, metadata: MetaData, policies: Mapping[str, PlatformPolicy],
                 links: Links, clock: Clock) -> None:
        self._uow, self._metadata, self._policies, self._links, self._clock = uow, metadata, policies, links, clock

    async def remind_due(self, limit: int = 100) -> int:
        """Queue the reminders now due; returns how many messages were queued."""
        now, queued = self._clock.now(), 0
        for platform_id, policy in self._policies.items():
            hours = policy.callback.reminder_hours_before
            if hours is None:
                continue
            async with self._uow() as uow:
                due = await uow.matches.deadlines_between(platform_id, now, now + timedelta(hours=hours), limit)
                for request_id in due:
                    queued += await self._remind(uow, policy, request_id, now)
                await uow.commit()
        return queued

    async def _remind(self, uow: Any, policy: PlatformPolicy, request_id: str, now: datetime) -> int:
        match, _ = await load_match(uow, request_id)
        if match.provider_id is None or match.deadline_at is None:
            return 0
        provider = await uow.providers.get(match.provider_id)
        if provider is None:
            return 0
        activity = next((a.label for a in policy.activities if a.code == match.context.spec.activity),
                        match.context.spec.activity)
        commune = next((c.name for c in policy.communes if c.code == match.context.spec.commune),
                       match.context.spec.commune)
        subject = f"Rappel : demande de {activity} à {commune}"
        body = (f"Le particulier attend votre appel : merci de le rappeler avant "
                f"{french_moment(match.deadline_at, policy.zone)}, puis de l'indiquer sur la page de l'offre. "
                "Si vous ne pouvez pas, déclinez l'offre : elle passera au prestataire suivant.")
        link = self._links.link(OfferKey(policy.platform_id, request_id, match.provider_id))
        queued = 0
        for channel in _channels(provider):
            notification_id = "ntf-" + hashlib.sha256(f"{request_id}|{match.attempt}|{channel.value}".encode()).hexdigest()[:40]
            if await already_queued(uow.connection, self._metadata, notification_id):
                continue
            await queue(uow.connection, self._metadata, OutgoingMessage(
                platform_id=policy.platform_id, request_id=request_id, kind=REMINDER, channel=channel, subject=subject,
                body=body, recipient=Contact(name=provider.name, email=provider.email, phone=provider.phone),
                secret={"link": link}, reference=match.provider_id, notification_id=notification_id), now)
            queued += 1
        return queued


def _channels(provider: Provider) -> list[SendChannel]:
    """The channels ``provider`` asked for its offers, among those it gave an address for."""
    return [SendChannel(channel) for channel in provider.offers_by
            if (channel == "email" and provider.email) or (channel == "sms" and provider.phone)]
