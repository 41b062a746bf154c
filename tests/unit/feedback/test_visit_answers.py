"""Answers of mediation desks' visitors on fakes: one anonymous event each, only at a desk, never for a future day."""

from __future__ import annotations

from datetime import date

import pytest

from services.feedback.domain.commands import RecordVisitAnswer
from shared.contracts.events.feedback import VisitAnswerChannel, VisitSurveyAnswered
from shared.errors import DomainError, NotFound
from tests.unit.feedback.world import World


def answer(**overrides: object) -> RecordVisitAnswer:
    values: dict[str, object] = {"platform_id": "pimms-lyon", "channel": VisitAnswerChannel.QR_CODE, "actor": "visitor",
                                 "satisfied": True, "question_resolved": False, "would_come_back": True}
    return RecordVisitAnswer.model_validate({**values, **overrides})


async def test_an_answer_is_one_anonymous_event_dated_today_at_the_desk_by_default(world: World) -> None:
    answer_id = await world.handlers.record_visit_answer(answer())
    [envelope] = world.events.events
    event = envelope.payload
    assert isinstance(event, VisitSurveyAnswered) and event.answer_id == answer_id == envelope.meta.aggregate_id
    assert (envelope.meta.aggregate_type, envelope.meta.actor) == ("visit_survey", "visitor")
    assert event.visited_on == date(2026, 3, 2) and (event.satisfied, event.question_resolved) == (True, False)


async def test_only_a_desk_takes_answers_and_not_for_a_day_to_come(world: World) -> None:
    with pytest.raises(NotFound, match="Point de médiation"):
        await world.handlers.record_visit_answer(answer(platform_id="limoges"))
    with pytest.raises(DomainError, match="dans le futur"):
        await world.handlers.record_visit_answer(answer(visited_on="2026-03-03"))
    assert world.events.events == []


def test_the_qr_code_opens_the_desks_public_page(world: World) -> None:
    assert world.handlers.desk_link("pimms-lyon") == "https://avis.example.fr/d/pimms-lyon"
