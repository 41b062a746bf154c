"""The answers of mediation desks' visitors to their short questionnaire, typed in from paper or given on the
page of the desk's QR code: one new anonymous aggregate per answer."""

from __future__ import annotations

from services.feedback.domain.commands import RecordVisitAnswer
from services.feedback.service_layer.context import FeedbackContext
from shared.contracts.envelope import new_envelope
from shared.contracts.events.feedback import VisitSurveyAnswered
from shared.errors import NotFound
from shared.ids import new_id
from shared.inputs import ensure_not_future_day
from shared.platforms.local_time import local_date
from shared.platforms.model import PlatformPolicy

VISITOR_ACTOR = "visitor"


class VisitAnswering(FeedbackContext):
    def desk(self, platform_id: str) -> PlatformPolicy:
        """The policy of the mediation desk ``platform_id``; ``NotFound`` for any other platform."""
        policy = self.policy(platform_id)
        if not policy.is_mediation_desk:
            raise NotFound("Point de médiation")
        return policy

    def desk_link(self, platform_id: str) -> str:
        """The public address of the desk's questionnaire page (what its QR code opens)."""
        return f"{self.public_url.rstrip('/')}/d/{platform_id}"

    async def record_visit_answer(self, cmd: RecordVisitAnswer) -> str:
        """Record one visitor's answers; returns the answer's id."""
        policy = self.desk(cmd.platform_id)
        now = self.clock.now()
        visited_on = cmd.visited_on or local_date(now, policy.zone)
        ensure_not_future_day("visited_on", visited_on, now, policy.zone)
        answer_id = new_id("vsa")
        event = VisitSurveyAnswered(answer_id=answer_id, channel=cmd.channel, visited_on=visited_on,
                                    satisfied=cmd.satisfied, question_resolved=cmd.question_resolved,
                                    would_come_back=cmd.would_come_back)
        async with self.uow() as store:
            await store.events.append([new_envelope(event, platform_id=cmd.platform_id, aggregate_id=answer_id,
                                                    aggregate_version=1, actor=cmd.actor, occurred_at=now)])
            await store.commit()
        return answer_id
