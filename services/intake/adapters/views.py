"""Queries on intake's read models (what the console and the observatory show)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import MetaData, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.intake.domain.desk import Visit

SMALL_COUNT = 3
"""Published observatory figures hide cells below this count (statistical confidentiality)."""


class IntakeViews:
    def __init__(self, engine: AsyncEngine, metadata: MetaData) -> None:
        self._engine = engine
        self._t = metadata.tables

    async def _rows(self, query: Any) -> list[dict[str, Any]]:
        async with self._engine.connect() as conn:
            return [dict(row._mapping) for row in await conn.execute(query)]

    async def requests(self, platform_id: str, *, status: str | None = None, activity: str | None = None,
                       logged_from: datetime | None = None, logged_before: datetime | None = None,
                       offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
        """A page of the platform's requests, latest first, filtered by status, activity and when they were logged."""
        view = self._t["request_view"]
        query = select(view).where(view.c.platform_id == platform_id)
        if status:
            query = query.where(view.c.status == status)
        if activity:
            query = query.where(view.c.activity == activity)
        if logged_from is not None:
            query = query.where(view.c.logged_at >= logged_from)
        if logged_before is not None:
            query = query.where(view.c.logged_at < logged_before)
        order = (view.c.logged_at.desc(), view.c.request_id.desc())
        rows = await self._rows(query.order_by(*order).offset(offset).limit(limit))
        return [_decode_oriented(row) for row in rows]

    async def request(self, platform_id: str, request_id: str) -> dict[str, Any] | None:
        view, timeline = self._t["request_view"], self._t["timeline"]
        found = await self._rows(select(view).where(view.c.platform_id == platform_id, view.c.request_id == request_id))
        if not found:
            return None
        events = await self._rows(
            select(timeline.c.occurred_at, timeline.c.event_type, timeline.c.actor, timeline.c.summary)
            .where(timeline.c.request_id == request_id).order_by(timeline.c.occurred_at, timeline.c.aggregate_version, timeline.c.event_id)
        )
        return {**_decode_oriented(found[0]), "timeline": events}

    async def desk_visits(self, platform_ids: Collection[str], first: date, last: date) -> list[Visit]:
        """The visits to the desks ``platform_ids`` on their local days ``first``..``last`` (both included)."""
        visits = self._t["desk_visits"]
        rows = await self._rows(select(visits).where(
            visits.c.platform_id.in_(list(platform_ids)), visits.c.day >= first.isoformat(),
            visits.c.day <= last.isoformat()).order_by(visits.c.day, visits.c.hour, visits.c.visit_id))
        return [Visit(platform_id=row["platform_id"], day=date.fromisoformat(row["day"]), hour=row["hour"],
                      topic=row["topic"], topic_group=row["topic_group"], partner=row["partner"],
                      actions=tuple(row["actions"].split(",")), minutes=row["minutes"], oriented_to=row["oriented_to"],
                      follow_up=row["follow_up"]) for row in rows]

    async def callback_queue(self, platform_id: str) -> list[dict[str, Any]]:
        """Messages still to call back, oldest first (including those whose deadline passed), each with
        ``attempts``: the calls back that got no answer (the only ones that leave a message in the queue)."""
        queue, timeline = self._t["callback_queue"], self._t["timeline"]
        attempts = (select(func.count()).where(timeline.c.request_id == queue.c.entry_id,
                                               timeline.c.event_type == "VoicemailCalledBack")
                    .correlate(queue).scalar_subquery().label("attempts"))
        return await self._rows(
            select(queue, attempts).where(queue.c.platform_id == platform_id, queue.c.status.in_(("waiting", "unanswered")))
            .order_by(queue.c.logged_at)
        )

    async def waiting_callbacks(self) -> list[dict[str, Any]]:
        """Every platform's messages waiting for a call back whose deadline has not been recorded as missed."""
        queue = self._t["callback_queue"]
        return await self._rows(select(queue).where(queue.c.status == "waiting").order_by(queue.c.logged_at))

    async def observatory(self, platform_id: str, *, year: int | None = None, published: bool = False) -> dict[str, Any]:
        unmet, calls = self._t["unmet_demand"], self._t["information_calls"]
        unmet_query = select(unmet).where(unmet.c.platform_id == platform_id)
        calls_query = select(calls.c.topic, func.sum(calls.c.count).label("count")).where(calls.c.platform_id == platform_id)
        if year is not None:
            unmet_query = unmet_query.where(unmet.c.month.like(f"{year}-%"))
            calls_query = calls_query.where(calls.c.month.like(f"{year}-%"))
        unmet_rows = await self._rows(unmet_query.order_by(unmet.c.month, unmet.c.activity, unmet.c.commune))
        call_rows = await self._rows(calls_query.group_by(calls.c.topic).order_by(calls.c.topic))
        if published:
            unmet_rows = [{**row, "count": row["count"] if row["count"] >= SMALL_COUNT else None} for row in unmet_rows]
        return {
            "platform_id": platform_id,
            "unmet": unmet_rows,
            "unmet_total": sum(row["count"] or 0 for row in unmet_rows) if not published else None,
            "information_calls": {row["topic"]: int(row["count"]) for row in call_rows},
            "small_counts_hidden_below": SMALL_COUNT if published else None,
        }


def _decode_oriented(row: dict[str, Any]) -> dict[str, Any]:
    oriented = row.get("oriented")
    return {**row, "oriented": orjson.loads(oriented) if oriented else None}
