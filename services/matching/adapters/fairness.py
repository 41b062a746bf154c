"""The SQL of the fairness read model: the rows :mod:`services.matching.service_layer.projections` counts
offers and outcomes into (one per provider per activity x sector, and each request's group), and the report
read from them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import MetaData, Table, bindparam, select, tuple_, update

from shared.storage.deferred import write
from shared.storage.ports import ProjectionConnection
from shared.storage.upsert import increment, upsert


async def record_offer(conn: ProjectionConnection, metadata: MetaData, request_id: str, group: dict[str, str],
                       shares: Iterable[tuple[str, int, float]]) -> None:
    """The request's activity x sector, and each candidate's ``(provider_id, offers, expected_offers)`` added
    to its row of the group (created at zero for a provider who has had no offer yet)."""
    counts, requests = metadata.tables["fairness_counts"], metadata.tables["fairness_requests"]
    await upsert(conn, requests, {"request_id": request_id, **group}, key=["request_id"])
    for provider_id, offers, expected in shares:
        await increment(conn, counts, {**group, "provider_id": provider_id},
                        {**_NO_CHANGE, "offers": offers, "expected_offers": expected})


async def count_outcome(conn: ProjectionConnection, metadata: MetaData, column: str, request_id: str,
                        provider_id: str) -> None:
    """+1 on ``column`` (accepted, declined, missed) of the provider's row in the request's activity x sector."""
    counts, requests = metadata.tables["fairness_counts"], metadata.tables["fairness_requests"]
    await write(conn, _count_outcome(counts, requests, column),
                {"outcome_request": request_id, "outcome_provider": provider_id}, counts, reads=(requests,))


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
