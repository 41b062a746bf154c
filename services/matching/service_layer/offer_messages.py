"""Offers sent to providers: each ``ProviderAssigned`` queues the offer by email and/or SMS, as the provider wants.

A :class:`~shared.messaging.projection.Projection` named ``matching.offer_messages`` on the matching
topic: the message rows are written with the batch's processed event ids, so a redelivered
``ProviderAssigned`` sends nothing twice. The text names the activity, the commune and the callback
deadline in the platform's time; the link opens the offer's page, where the provider accepts or
declines and, once it accepted, reads the resident's contact details.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import MetaData

from services.matching.adapters.offer_links import OfferKey
from services.matching.adapters.repositories import ProviderRepository
from shared.clock import Clock
from shared.contracts.envelope import Envelope
from shared.contracts.events.feedback import SendChannel
from shared.contracts.events.matching import ProviderAssigned
from shared.contracts.topics import MATCHING
from shared.messaging.projection import Projection
from shared.outgoing.outbox import Contact, OutgoingMessage, queue
from shared.platforms.local_time import french_moment
from shared.platforms.model import PlatformPolicy
from shared.storage.ports import ProjectionConnection

OFFER_MESSAGES = "matching.offer_messages"
OFFER = "offer"

log = logging.getLogger(__name__)


class Links(Protocol):
    def link(self, key: OfferKey) -> str: ...


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


def offer_messages_projection(*, policies: Mapping[str, PlatformPolicy], links: Links, clock: Clock,
                              metadata: MetaData) -> Projection:
    projection = Projection(OFFER_MESSAGES, topics=(MATCHING,))

    @projection.handles(ProviderAssigned)
    async def send_offer(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        assigned: ProviderAssigned = envelope.payload
        policy = policies.get(envelope.platform_id)
        provider = await ProviderRepository(conn, metadata).get(assigned.provider_id)
        if policy is None or provider is None:
            return
        subject, body = offer_text(policy, assigned)
        link = links.link(OfferKey(envelope.platform_id, assigned.request_id, assigned.provider_id))
        recipient = Contact(name=provider.name, email=provider.email, phone=provider.phone)
        channels = [SendChannel(channel) for channel in provider.offers_by
                    if (channel == "email" and provider.email) or (channel == "sms" and provider.phone)]
        if not channels:
            log.info("offer of request %s: provider %s has no email or phone for offers", assigned.request_id,
                     assigned.provider_id)
        for channel in channels:
            await queue(conn, metadata, OutgoingMessage(
                platform_id=envelope.platform_id, request_id=assigned.request_id, kind=OFFER, channel=channel,
                subject=subject, body=body, recipient=recipient, secret={"link": link},
                reference=assigned.provider_id), clock.now())

    return projection
