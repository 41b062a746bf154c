"""The fairness projection: offers, contacts, declines and misses per provider per activity x sector.

Read from the matching topic (``matching.fairness``), so it can be rebuilt from the bus. Every
candidate of an assignment gets a row, even with no offer yet, so a starved provider shows up.

Equal share: each offer is shared equally among the providers eligible for it (``ProviderAssigned.eligible``:
not suspended, holding the agrément the request needs, available, not having declined it...), so each of
them expects 1 / n of it. A provider's ``expected_offers`` adds those fractions up; its equal share of the
group is ``expected_offers / group offers``. Suspended or unaccredited members of the turn no longer dilute
the share of those who can serve. The rows and the report are written and read by
:mod:`services.matching.adapters.fairness`; live and in rebuilds the projection applies its events with
the set-based SQL of :mod:`services.matching.adapters.fairness_sql`, which gives the same rows as these
handlers (``in_sql=False``, kept as the reference the SQL is checked and measured against).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData

from services.matching.adapters.fairness import count_outcome, record_offer
from services.matching.adapters.fairness_sql import CHANGES, FIELDS, fairness_statements
from shared.contracts.envelope import Envelope
from shared.contracts.events.matching import (
    ContactConfirmed,
    ContactDeadlineMissed,
    OfferDeclined,
    ProviderAssigned,
)
from shared.contracts.topics import MATCHING
from shared.messaging.projection import Projection
from shared.storage.ports import ProjectionConnection

FAIRNESS = "matching.fairness"
_OUTCOME_COLUMN = {"ContactConfirmed": "accepted", "OfferDeclined": "declined", "ContactDeadlineMissed": "missed"}


def fairness_projection(metadata: MetaData, *, in_sql: bool = True) -> Projection:
    """The fairness read model, in SQL over each batch (``in_sql``) or with one handler per event."""
    projection = Projection(FAIRNESS, topics=(MATCHING,))
    if in_sql:
        projection.in_sql(ProviderAssigned, ContactConfirmed, OfferDeclined, ContactDeadlineMissed,
                          statements=fairness_statements, fields=FIELDS, payload=False, work_tables=(CHANGES,))
        return projection

    @projection.handles(ProviderAssigned)
    async def offered(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        event: ProviderAssigned = envelope.payload
        group = {"platform_id": envelope.platform_id, "activity": event.activity, "sector": event.sector}
        eligible = set(event.eligible)
        shares = [(provider_id, 1 if provider_id == event.provider_id else 0,
                   1 / len(eligible) if provider_id in eligible else 0.0)
                  for provider_id in sorted(set(event.candidates))]
        await record_offer(conn, metadata, event.request_id, group, shares)

    @projection.handles(ContactConfirmed, OfferDeclined, ContactDeadlineMissed)
    async def outcome(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        event = envelope.payload
        await count_outcome(conn, metadata, _OUTCOME_COLUMN[envelope.event_type], event.request_id, event.provider_id)

    return projection
