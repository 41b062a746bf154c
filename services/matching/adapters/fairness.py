"""The fairness projection: offers, contacts, declines and misses per provider per activity x sector.

Read from the matching topic (``matching.fairness``), so it can be rebuilt from the bus. Every
candidate of an assignment gets a row, even with no offer yet, so a starved provider shows up.

Equal share: each offer is shared equally among the providers eligible for it (``ProviderAssigned.eligible``:
not suspended, holding the agrément the request needs, available, not having declined it...), so each of
them expects 1 / n of it. A provider's ``expected_offers`` adds those fractions up; its equal share of the
group is ``expected_offers / group offers``. Suspended or unaccredited members of the turn no longer dilute
the share of those who can serve.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

from sqlalchemy import MetaData, Table, bindparam, select, tuple_, update

from shared.contracts.envelope import Envelope
from shared.contracts.events.matching import (
    ContactConfirmed,
    ContactDeadlineMissed,
    OfferDeclined,
    ProviderAssigned,
)
from shared.contracts.topics import MATCHING
from shared.messaging.projection import Projection
from shared.storage.deferred import write
from shared.storage.ports import ProjectionConnection
from shared.storage.upsert import increment, upsert

FAIRNESS = "matching.fairness"
_OUTCOME_COLUMN = {"ContactConfirmed": "accepted", "OfferDeclined": "declined", "ContactDeadlineMissed": "missed"}


def fairness_projection(metadata: MetaData) -> Projection:
    projection = Projection(FAIRNESS, topics=(MATCHING,))
    counts, requests = metadata.tables["fairness_counts"], metadata.tables["fairness_requests"]

    @projection.handles(ProviderAssigned)
    async def offered(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        event: ProviderAssigned = envelope.payload
        group = {"platform_id": envelope.platform_id, "activity": event.activity, "sector": event.sector}
        await upsert(conn, requests, {"request_id": event.request_id, **group}, key=["request_id"])
        eligible = set(event.eligible)
        for provider_id in sorted(set(event.candidates)):
            expected = 1 / len(eligible) if provider_id in eligible else 0.0
            offers = 1 if provider_id == event.provider_id else 0
            await increment(conn, counts, {**group, "provider_id": provider_id},
                            {**_NO_CHANGE, "offers": offers, "expected_offers": expected})

    @projection.handles(ContactConfirmed, OfferDeclined, ContactDeadlineMissed)
    async def outcome(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        event = envelope.payload
        statement = _count_outcome(counts, requests, _OUTCOME_COLUMN[envelope.event_type])
        await write(conn, statement, {"outcome_request": event.request_id, "outcome_provider": event.provider_id},
                    counts, reads=(requests,))

    return projection


_NO_CHANGE = {"offers": 0, "accepted": 0, "declined": 0, "missed": 0, "expected_offers": 0.0}
"""Added to every candidate's counters: creates the row of a provider who has had no offer yet."""


@lru_cache(maxsize=64)
def _count_outcome(counts: Table, requests: Table, column: str) -> Any:
    """+1 on ``column`` of the provider's row in the request's activity x sector (built once)."""
    group = (select(requests.c.platform_id, requests.c.activity, requests.c.sector)
             .where(requests.c.request_id == bindparam("outcome_request")))
    return (update(counts)
            .where(counts.c.provider_id == bindparam("outcome_provider"),
                   tuple_(counts.c.platform_id, counts.c.activity, counts.c.sector).in_(group))
            .values({column: counts.c[column] + 1}))


async def fairness_report(conn: ProjectionConnection, metadata: MetaData, platform_id: str, *,
                          activity: str | None = None, sector: str | None = None) -> list[dict[str, Any]]:
    """One row per provider per activity x sector, with its share of the group's offers and the deviation
    from its equal share (``expected_offers / group offers``: each offer shared among the providers eligible
    for it; ``1 / n`` while the group has no offers)."""
    counts = metadata.tables["fairness_counts"]
    query = select(counts).where(counts.c.platform_id == platform_id)
    if activity is not None:
        query = query.where(counts.c.activity == activity)
    if sector is not None:
        query = query.where(counts.c.sector == sector)
    rows = [dict(row._mapping) for row in await conn.execute(
        query.order_by(counts.c.activity, counts.c.sector, counts.c.provider_id))]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["activity"], row["sector"])].append(row)
    for members in groups.values():
        total = sum(member["offers"] for member in members)
        for member in members:
            share = member["offers"] / total if total else 0.0
            equal = member.pop("expected_offers") / total if total else 1 / len(members)
            member.update(group_offers=total, share=round(share, 4), equal_share=round(equal, 4),
                          deviation=round(share - equal, 4) if total else 0.0)
    return rows
