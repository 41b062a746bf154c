"""The assignment process manager: reads logged requests, offers each in turn (or orients it).

A :class:`~shared.messaging.projection.Projection` named ``matching.assign`` on the requests topic.
Its handlers append the matching events to the store on the batch's own connection, so the
processed event ids, the new events (the outbox), the turns and the match rows commit in one
transaction: a redelivered ``RequestLogged`` is skipped, never offered twice. A
:class:`~shared.storage.eventstore.ConcurrencyError` (another instance moved the same turn)
fails the batch (a transient failure: :mod:`shared.messaging.failures`), which is delivered again
and retried on fresh state.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import MetaData

from services.matching.adapters.unit_of_work import MatchingStore
from services.matching.domain.match import Match
from services.matching.service_layer.offering import (
    offer_next,
    request_context,
    save_match,
)
from services.matching.service_layer.ports import Store
from shared.clock import Clock
from shared.contracts.envelope import Envelope
from shared.contracts.events.intake import RequestCancelled, RequestLogged
from shared.contracts.topics import REQUESTS
from shared.messaging.projection import Projection, RejectEvent
from shared.platforms.model import PlatformPolicy
from shared.storage.ports import ProjectionConnection

ASSIGN = "matching.assign"
SYSTEM_ACTOR = "system:matching"


def assignment_projection(*, policies: Mapping[str, PlatformPolicy], clock: Clock, metadata: MetaData,
                          topic_prefix: str = "") -> Projection:
    projection = Projection(ASSIGN, topics=(REQUESTS,))

    @projection.handles(RequestLogged)
    async def receive(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        policy = policies.get(envelope.platform_id)
        if policy is None:
            raise RejectEvent(f"no policy for platform {envelope.platform_id!r}")
        await receive_request(MatchingStore(conn, metadata, topic_prefix), policy, envelope, clock.now())

    @projection.handles(RequestCancelled)
    async def cancel(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        await MatchingStore(conn, metadata, topic_prefix).matches.cancel(envelope.payload.request_id)

    return projection


async def receive_request(store: Store, policy: PlatformPolicy, envelope: Envelope[Any], now: datetime) -> None:
    """Open the match of a logged request and make its first offer (a request seen before is left alone)."""
    if await store.matches.context(envelope.payload.request_id) is not None:
        return
    match = Match(request_context(envelope, policy))
    await offer_next(store, policy, match, now)
    await save_match(store, match, cause=envelope, actor=SYSTEM_ACTOR, now=now)
