"""The satisfaction read model: one row per answer, tallied per provider, per platform and per month.

Rows are written by the satisfaction projection inside its batch transaction (exactly once per
event); the alert flag of the answer's provider is re-evaluated in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import MetaData, Table, bindparam, case, func, select

from services.feedback.domain.satisfaction import (
    ALERT_WINDOW,
    Tally,
    alert_due,
    is_satisfied,
)
from shared.contracts.envelope import Envelope
from shared.contracts.events.feedback import SurveyAnswered
from shared.platforms.local_time import local_month
from shared.platforms.model import PlatformPolicy
from shared.storage.ports import ProjectionConnection
from shared.storage.upsert import plain_insert, update_where

OPEN, CLEARED = "open", "cleared"


async def record_answer(conn: ProjectionConnection, metadata: MetaData, envelope: Envelope[SurveyAnswered],
                        policy: PlatformPolicy) -> None:
    answer = envelope.payload
    answered_at = envelope.meta.occurred_at
    await conn.execute(plain_insert(metadata.tables["survey_answers"]), dict(
        survey_id=answer.survey_id, platform_id=envelope.platform_id, provider_id=answer.provider_id,
        month=local_month(answered_at, policy.zone), answered_at=answered_at,
        channel=answer.channel.value, punctuality=answer.provider.punctuality, quality=answer.provider.quality,
        would_recommend=answer.provider.would_recommend,
        would_call_platform_again=answer.platform.would_call_platform_again,
        platform_made_it_easier=answer.platform.platform_made_it_easier, satisfied=is_satisfied(answer.provider),
    ))
    await _review_alert(conn, metadata, envelope.platform_id, answer.provider_id, answered_at, policy)


async def _review_alert(conn: ProjectionConnection, metadata: MetaData, platform_id: str, provider_id: str,
                        at: datetime, policy: PlatformPolicy) -> None:
    answers, alerts = metadata.tables["survey_answers"], metadata.tables["satisfaction_alerts"]
    row = (await conn.execute(_window_tally(answers), {
        "window_platform": platform_id, "window_provider": provider_id,
        "window_after": at - ALERT_WINDOW, "window_until": at})).mappings().one()
    tally = Tally(**{name: int(row[name]) for name in _TALLY_FIELDS})
    threshold = policy.survey.satisfaction_alert_threshold
    due = alert_due(tally, threshold, policy.survey.alert_min_answers)
    key = {"platform_id": platform_id, "provider_id": provider_id}
    current = (await conn.execute(_alert_status(alerts), {"alert_platform": platform_id,
                                                          "alert_provider": provider_id})).scalar()
    figures = {"satisfaction_rate": str(tally.satisfaction_rate), "answers": tally.answers,
               "threshold": str(threshold), "updated_at": at}
    if due and current is None:
        await conn.execute(plain_insert(alerts), {**key, "status": OPEN, "raised_at": at, **figures})
    elif due:
        reopened = {"status": OPEN, "raised_at": at, "cleared_at": None} if current == CLEARED else {}
        await update_where(conn, alerts, key, {**figures, **reopened})
    elif current == OPEN:
        await update_where(conn, alerts, key, {**figures, "status": CLEARED, "cleared_at": at})


async def tallies(conn: ProjectionConnection, answers: Table, conditions: Sequence[Any],
                  group_by: Sequence[str]) -> dict[tuple[Any, ...], Tally]:
    """:class:`Tally` per value of the ``group_by`` columns (``{(): tally}`` without grouping)."""
    columns = [answers.c[name] for name in group_by]
    query = _tally_select(answers, columns).where(*conditions)
    if columns:
        query = query.group_by(*columns).order_by(*columns)
    rows = (await conn.execute(query)).mappings().all()
    result = {tuple(row[name] for name in group_by): Tally(**{k: int(row[k]) for k in _TALLY_FIELDS}) for row in rows}
    return result or ({(): Tally()} if not group_by else {})


_FLAGS = ("satisfied", "would_recommend", "would_call_platform_again", "platform_made_it_easier")
_TALLY_FIELDS = ("answers", *_FLAGS, "punctuality_total", "quality_total")


def _tally_select(answers: Table, columns: Sequence[Any]) -> Any:
    return select(
        *columns,
        func.count().label("answers"),
        *(func.coalesce(func.sum(case((answers.c[flag], 1), else_=0)), 0).label(flag) for flag in _FLAGS),
        func.coalesce(func.sum(answers.c.punctuality), 0).label("punctuality_total"),
        func.coalesce(func.sum(answers.c.quality), 0).label("quality_total"),
    )


@lru_cache(maxsize=16)
def _window_tally(answers: Table) -> Any:
    """The tally of one provider's answers in a time window (built once, run with parameters)."""
    return _tally_select(answers, ()).where(
        answers.c.platform_id == bindparam("window_platform"), answers.c.provider_id == bindparam("window_provider"),
        answers.c.answered_at > bindparam("window_after"), answers.c.answered_at <= bindparam("window_until"))


@lru_cache(maxsize=16)
def _alert_status(alerts: Table) -> Any:
    return select(alerts.c.status).where(alerts.c.platform_id == bindparam("alert_platform"),
                                         alerts.c.provider_id == bindparam("alert_provider"))


async def satisfaction(conn: ProjectionConnection, metadata: MetaData, platform_id: str, since_month: str | None,
                       until_month: str | None) -> dict[str, Any]:
    """Tallies of ``platform_id`` overall, per month and per provider, between two ``YYYY-MM`` months included."""
    answers = metadata.tables["survey_answers"]
    where = [answers.c.platform_id == platform_id]
    if since_month:
        where.append(answers.c.month >= since_month)
    if until_month:
        where.append(answers.c.month <= until_month)
    return {
        "platform": (await tallies(conn, answers, where, ()))[()],
        "months": {key[0]: tally for key, tally in (await tallies(conn, answers, where, ("month",))).items()},
        "providers": {key[0]: tally for key, tally in (await tallies(conn, answers, where, ("provider_id",))).items()},
        "provider_months": await tallies(conn, answers, where, ("provider_id", "month")),
    }


async def alerts(conn: ProjectionConnection, metadata: MetaData, platform_id: str, include_cleared: bool) -> list[dict[str, Any]]:
    table = metadata.tables["satisfaction_alerts"]
    query = select(table).where(table.c.platform_id == platform_id)
    if not include_cleared:
        query = query.where(table.c.status == OPEN)
    rows = (await conn.execute(query.order_by(table.c.raised_at))).mappings().all()
    return [{**row, "satisfaction_rate": Decimal(row["satisfaction_rate"]), "threshold": Decimal(row["threshold"])}
            for row in rows]
