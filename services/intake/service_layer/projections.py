"""Intake's read models, kept up to date by the shared projection runner (exactly-once per event).

- ``intake.console``: the request list and each request's timeline, from intake's own events and
  matching's answers (assigned provider, oriented list, unmet), for the operator console;
- ``intake.observatory``: unmet demand by activity x commune x month with reasons, and information
  calls by topic x month;
- the callback queue of the answering machine (part of ``intake.console``);
- ``intake.desk``: one row per visit to a mediation desk, with its local day and hour, for the desk's
  dashboard, attendance alert and partner reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from sqlalchemy import Integer, MetaData, String, Text

from services.intake.adapters.console_sql import FIELDS as CONSOLE_FIELDS
from services.intake.adapters.console_sql import console_statements
from services.intake.adapters.observatory_sql import FIELDS, observatory_statements
from services.intake.domain.timeline import summary_of
from shared.contracts.base import Event
from shared.contracts.envelope import Envelope
from shared.contracts.events import billing as be
from shared.contracts.events import feedback as fe
from shared.contracts.events import intake as ie
from shared.contracts.events import matching as me
from shared.contracts.events.matching import UnmetReason
from shared.contracts.topics import BILLING, FEEDBACK, MATCHING, REQUESTS
from shared.messaging.projection import Projection
from shared.messaging.set_based import Computed
from shared.platforms.loader import load_policies
from shared.platforms.local_time import local, local_month
from shared.platforms.model import PlatformPolicy
from shared.settings import load_settings
from shared.storage.ports import ProjectionConnection
from shared.storage.upsert import increment, update_where, upsert, upsert_latest

Env = Envelope[Any]
UNSPECIFIED = "unknown"
"""Activity and commune of unmet demand left on the answering machine (the message is sealed)."""


STATUS_AFTER: dict[type[Event], str] = {
    ie.RequestLogged: "waiting", ie.InformationCallLogged: "answered", ie.RequestCancelled: "cancelled",
    me.ProviderAssigned: "assigned", me.ProvidersOriented: "oriented", me.RequestUnmet: "unmet",
    me.OfferDeclined: "declined", me.ContactDeadlineMissed: "deadline_missed", me.ContactConfirmed: "contacted",
    me.QuoteSent: "quoted", me.QuoteAnswered: "quote_answered", me.InterventionDone: "done",
    me.OfferAccepted: "accepted",
}
"""The request's status after each event that changes it."""
TIMELINE_ONLY: tuple[type[Event], ...] = (
    ie.VoicemailLogged, ie.VoicemailCalledBack, ie.VoicemailUnanswered, me.InterventionCorrected, fe.SurveySent,
    fe.SurveyReminderSent, fe.SurveyExpired, fe.SurveyAnswered, fe.FollowUpCallLogged, be.FeeCharged, be.FeeAdjusted,
)
"""The console's events that change no request's status (the messages left change the callback queue)."""


def console_projection(metadata: MetaData, policies: Mapping[str, PlatformPolicy] | None = None, *,
                       in_sql: bool = True) -> Projection:
    """``policies`` give each platform's time zone (times in the timeline); the configured ones by default.

    Live and in rebuilds the console applies its events with the SQL of
    :mod:`services.intake.adapters.console_sql` (``in_sql``), each event's summary, status and call details
    staged with it; the handlers (``in_sql=False``) are the reference that SQL is checked and measured against.
    """
    policies = _policies(policies)
    views, timeline, queue = (metadata.tables[n] for n in ("request_view", "timeline", "callback_queue"))
    projection = Projection("intake.console", topics=(REQUESTS, MATCHING, FEEDBACK, BILLING))
    if in_sql:
        _console_in_sql(projection, policies)
        return projection

    async def add_to_timeline(conn: ProjectionConnection, env: Env, request_id: str | None = None) -> None:
        await upsert(conn, timeline, {
            "event_id": str(env.event_id), "request_id": request_id or env.meta.aggregate_id, "platform_id": env.platform_id,
            "occurred_at": env.meta.occurred_at, "aggregate_version": env.meta.aggregate_version,
            "event_type": env.event_type, "actor": env.meta.actor,
            "summary": summary_of(env.payload, _policy(policies, env).zone, _policy(policies, env)),
        }, key=["event_id"])

    async def set_view(conn: ProjectionConnection, env: Env, *, always: tuple[str, ...] = (), **values: Any) -> None:
        """Set the request's status (and details) unless a newer status is already shown."""
        row = {"request_id": env.meta.aggregate_id, "platform_id": env.platform_id, "status_at": env.meta.occurred_at,
               "updated_at": env.meta.occurred_at, **values}
        await upsert_latest(conn, views, row, key=["request_id"], always=always)

    @projection.handles(ie.RequestLogged, ie.InformationCallLogged)
    async def logged(conn: ProjectionConnection, env: Env) -> None:
        event = env.payload
        information = isinstance(event, ie.InformationCallLogged)
        details = {"kind": "information" if information else "service", "channel": event.channel.value,
                   "activity": None if information else event.activity, "commune": event.commune,
                   "logged_at": env.meta.occurred_at}
        await set_view(conn, env, status="answered" if information else "waiting", always=tuple(details), **details)
        await add_to_timeline(conn, env)

    @projection.handles(ie.VoicemailLogged)
    async def voicemail(conn: ProjectionConnection, env: Env) -> None:
        event = env.payload
        await upsert(conn, queue, {
            "entry_id": event.request_id, "platform_id": env.platform_id, "resident_id": event.resident_id,
            "left_at_local": event.left_at_local, "status": "waiting", "logged_at": env.meta.occurred_at,
        }, key=["entry_id"])
        await add_to_timeline(conn, env)

    @projection.handles(ie.VoicemailCalledBack)
    async def called_back(conn: ProjectionConnection, env: Env) -> None:
        if env.payload.outcome is not ie.CallbackOutcome.NO_ANSWER:  # an unanswered call leaves it in the queue
            await update_where(conn, queue, {"entry_id": env.meta.aggregate_id}, {"status": "done"})
        await add_to_timeline(conn, env)

    @projection.handles(ie.VoicemailUnanswered)
    async def unanswered(conn: ProjectionConnection, env: Env) -> None:
        await update_where(conn, queue, {"entry_id": env.meta.aggregate_id, "status": "waiting"}, {"status": "unanswered"})
        await add_to_timeline(conn, env)

    @projection.handles(ie.RequestCancelled)
    async def cancelled(conn: ProjectionConnection, env: Env) -> None:
        await set_view(conn, env, status="cancelled")
        await add_to_timeline(conn, env)

    @projection.handles(me.ProviderAssigned)
    async def assigned(conn: ProjectionConnection, env: Env) -> None:
        await set_view(conn, env, status="assigned", provider_id=env.payload.provider_id)
        await add_to_timeline(conn, env)

    @projection.handles(me.ProvidersOriented)
    async def oriented(conn: ProjectionConnection, env: Env) -> None:
        listed = [p.model_dump() for p in env.payload.providers]
        await set_view(conn, env, status="oriented", oriented=orjson.dumps(listed).decode())
        await add_to_timeline(conn, env)

    @projection.handles(me.RequestUnmet)
    async def unmet(conn: ProjectionConnection, env: Env) -> None:
        await set_view(conn, env, status="unmet", provider_id=None, unmet_reason=env.payload.reason.value)
        await add_to_timeline(conn, env)

    status_after: dict[type[Event], str] = {
        me.OfferDeclined: "declined", me.ContactDeadlineMissed: "deadline_missed", me.ContactConfirmed: "contacted",
        me.QuoteSent: "quoted", me.QuoteAnswered: "quote_answered", me.InterventionDone: "done",
        me.OfferAccepted: "accepted",
    }

    @projection.handles(*status_after)
    async def progressed(conn: ProjectionConnection, env: Env) -> None:
        await set_view(conn, env, status=status_after[type(env.payload)])
        await add_to_timeline(conn, env)

    @projection.handles(me.InterventionCorrected, fe.SurveySent, fe.SurveyReminderSent, fe.SurveyExpired,
                        fe.SurveyAnswered, fe.FollowUpCallLogged)
    async def story_goes_on(conn: ProjectionConnection, env: Env) -> None:
        await add_to_timeline(conn, env)

    @projection.handles(be.FeeCharged, be.FeeAdjusted)
    async def fee(conn: ProjectionConnection, env: Env) -> None:  # keyed by the provider's account: the request is named
        await add_to_timeline(conn, env, request_id=env.payload.request_id)

    return projection


def _console_in_sql(projection: Projection, policies: Mapping[str, PlatformPolicy]) -> None:
    status_of = {cls.event_type: status for cls, status in STATUS_AFTER.items()}

    def summary(env: Env) -> str:
        policy = _policy(policies, env)
        return summary_of(env.payload, policy.zone, policy)

    def timeline_request(env: Env) -> str:
        return env.payload.request_id if isinstance(env.payload, be.FeeCharged | be.FeeAdjusted) else env.meta.aggregate_id

    def kind(env: Env) -> str | None:
        event = env.payload
        return "information" if isinstance(event, ie.InformationCallLogged) else (
            "service" if isinstance(event, ie.RequestLogged) else None)

    def channel(env: Env) -> str | None:
        event = env.payload
        return event.channel.value if isinstance(event, ie.RequestLogged | ie.InformationCallLogged) else None

    def oriented(env: Env) -> str | None:
        event = env.payload
        if not isinstance(event, me.ProvidersOriented):
            return None
        return orjson.dumps([provider.model_dump() for provider in event.providers]).decode()

    def unmet_reason(env: Env) -> str | None:
        return env.payload.reason.value if isinstance(env.payload, me.RequestUnmet) else None

    def called_back(env: Env) -> int:
        event = env.payload
        return int(isinstance(event, ie.VoicemailCalledBack) and event.outcome is not ie.CallbackOutcome.NO_ANSWER)

    projection.in_sql(*STATUS_AFTER, *TIMELINE_ONLY, statements=console_statements, fields=CONSOLE_FIELDS,
                      payload=False, computed=(
                          Computed("summary", Text(), summary), Computed("timeline_request", String(120), timeline_request),
                          Computed("view_status", String(30), lambda env: status_of.get(env.meta.event_type)),
                          Computed("kind", String(20), kind), Computed("channel", String(20), channel),
                          Computed("oriented", Text(), oriented), Computed("unmet_reason", String(60), unmet_reason),
                          Computed("called_back", Integer(), called_back)))


def observatory_projection(metadata: MetaData, policies: Mapping[str, PlatformPolicy] | None = None, *,
                           in_sql: bool = True) -> Projection:
    """Counts by month of the platform's local time (``policies``: the configured ones by default).

    Live and in rebuilds the counts are added up per batch by the SQL of
    :mod:`services.intake.adapters.observatory_sql` (``in_sql``), each event's local month staged with
    it; the handlers (``in_sql=False``) are the reference that SQL is checked and measured against.
    """
    policies = _policies(policies)

    def month(env: Env) -> str:
        return local_month(env.meta.occurred_at, _policy(policies, env).zone)

    unmet_table, calls = metadata.tables["unmet_demand"], metadata.tables["information_calls"]
    projection = Projection("intake.observatory", topics=(REQUESTS, MATCHING))
    if in_sql:
        projection.in_sql(me.RequestUnmet, ie.VoicemailUnanswered, ie.InformationCallLogged,
                          statements=observatory_statements(UNSPECIFIED), fields=FIELDS, payload=False,
                          computed=(Computed("month", String(7), month),))
        return projection

    @projection.handles(me.RequestUnmet)
    async def unmet(conn: ProjectionConnection, env: Env) -> None:
        event = env.payload
        key = {"platform_id": env.platform_id, "activity": event.activity, "commune": event.commune,
               "month": month(env), "reason": event.reason.value}
        await increment(conn, unmet_table, key, {"count": 1})

    @projection.handles(ie.VoicemailUnanswered)
    async def never_called_back(conn: ProjectionConnection, env: Env) -> None:
        key = {"platform_id": env.platform_id, "activity": UNSPECIFIED, "commune": UNSPECIFIED,
               "month": month(env), "reason": UnmetReason.OUT_OF_HOURS_NEVER_CALLED_BACK.value}
        await increment(conn, unmet_table, key, {"count": 1})

    @projection.handles(ie.InformationCallLogged)
    async def information(conn: ProjectionConnection, env: Env) -> None:
        key = {"platform_id": env.platform_id, "topic": env.payload.topic_asked,
               "month": month(env)}
        await increment(conn, calls, key, {"count": 1})

    return projection


def desk_projection(metadata: MetaData, policies: Mapping[str, PlatformPolicy] | None = None) -> Projection:
    """The visits of mediation desks, each on its local day and hour (``policies``: the configured ones by default)."""
    policies = _policies(policies)
    visits = metadata.tables["desk_visits"]
    projection = Projection("intake.desk", topics=(REQUESTS,))

    @projection.handles(ie.VisitLogged)
    async def visited(conn: ProjectionConnection, env: Env) -> None:
        event: ie.VisitLogged = env.payload
        at = local(event.visited_at, _policy(policies, env).zone)
        await upsert(conn, visits, {
            "visit_id": event.visit_id, "platform_id": env.platform_id, "visited_at": event.visited_at,
            "day": at.date().isoformat(), "hour": at.hour, "topic": event.topic_asked, "topic_group": event.topic_group,
            "partner": event.partner, "actions": ",".join(event.actions), "oriented_to": event.oriented_to,
            "minutes": event.minutes_spent, "commune": event.commune, "follow_up": event.follow_up_contact is not None,
        }, key=["visit_id"])

    return projection


def _policies(given: Mapping[str, PlatformPolicy] | None) -> Mapping[str, PlatformPolicy]:
    return given if given is not None else load_policies(load_settings().platforms_dir)


def _policy(policies: Mapping[str, PlatformPolicy], env: Env) -> PlatformPolicy:
    try:
        return policies[env.platform_id]
    except KeyError:
        raise LookupError(f"no policy for platform {env.platform_id!r}: its local time is unknown") from None
