"""The feedback projections (each event's effect on the store and the read models; the runtime subscribes them).

- ``feedback.surveys`` (process manager): on InterventionDone it sends the survey, appending
  SurveySent to the feedback store in the batch transaction (exactly once); on RequestLogged it
  keeps the sealed contact of the request for the sender.
- ``feedback.satisfaction`` (read model): on SurveyAnswered it records the answer and reviews the
  provider's alert flag;
- ``feedback.desk_satisfaction`` (read model): on VisitSurveyAnswered it counts the answer for its desk and the
  month of the visit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import MetaData

from services.feedback.adapters.repository import SqlSurveyIndex
from services.feedback.adapters.satisfaction import record_answer
from services.feedback.service_layer.handlers import FeedbackHandlers
from services.feedback.service_layer.ports import BoundStore
from shared.contracts.envelope import Envelope
from shared.contracts.events.feedback import SurveyAnswered, VisitSurveyAnswered
from shared.contracts.events.intake import RequestLogged
from shared.contracts.events.matching import InterventionDone
from shared.contracts.topics import FEEDBACK, MATCHING, REQUESTS
from shared.messaging.projection import Projection
from shared.platforms.model import PlatformPolicy
from shared.storage.eventstore import EventStore
from shared.storage.ports import ProjectionConnection
from shared.storage.upsert import increment

SURVEYS = "feedback.surveys"
SATISFACTION = "feedback.satisfaction"
DESK_SATISFACTION = "feedback.desk_satisfaction"


def survey_process(handlers: FeedbackHandlers, metadata: MetaData, topic_prefix: str) -> Projection:
    process = Projection(SURVEYS, topics=(REQUESTS, MATCHING))

    def bound(conn: ProjectionConnection) -> BoundStore:
        return BoundStore(EventStore(conn, metadata, topic_prefix), SqlSurveyIndex(conn, metadata))

    @process.handles(InterventionDone)
    async def send_survey(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        await handlers.open_survey(bound(conn), envelope)

    @process.handles(RequestLogged)
    async def keep_recipient(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        logged: RequestLogged = envelope.payload
        await bound(conn).surveys.add_recipient(logged.request_id, envelope.platform_id, logged.resident_id, logged.contact)

    return process


def satisfaction_projection(metadata: MetaData, policies: Mapping[str, PlatformPolicy]) -> Projection:
    projection = Projection(SATISFACTION, topics=(FEEDBACK,))

    @projection.handles(SurveyAnswered)
    async def count_answer(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        await record_answer(conn, metadata, envelope, policies[envelope.platform_id])

    return projection


def desk_satisfaction_projection(metadata: MetaData) -> Projection:
    projection = Projection(DESK_SATISFACTION, topics=(FEEDBACK,))
    table = metadata.tables["desk_satisfaction"]

    @projection.handles(VisitSurveyAnswered)
    async def count_visit_answer(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        answer: VisitSurveyAnswered = envelope.payload
        await increment(conn, table, {"platform_id": envelope.platform_id, "month": f"{answer.visited_on:%Y-%m}"}, {
            "answers": 1, "satisfied": int(answer.satisfied), "question_resolved": int(answer.question_resolved),
            "would_come_back": int(answer.would_come_back)})

    return projection
