"""The survey list is filtered by status, activity and the days surveys were sent, and paged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.feedback.service_layer.ports import SurveyQuery, SurveyRecord
from shared.contracts.events.feedback import SendChannel
from tests.unit.feedback.fakes import FakeSurveyIndex

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def record(number: int, activity: str, status: str) -> SurveyRecord:
    return SurveyRecord(survey_id=f"srv-{number}", request_id=f"req-{number}", platform_id="limoges",
                        resident_id="res-1", provider_id="prv-1", activity=activity, done_on=date(2026, 3, 1),
                        channel=SendChannel.PAPER, token_hash=f"{number:064d}", status=status,
                        sent_at=START + timedelta(days=number), expires_at=START + timedelta(days=30 + number))


async def test_filters_then_pages_newest_first() -> None:
    index = FakeSurveyIndex()
    for number in range(6):
        await index.add(record(number, "gardening" if number % 2 else "cleaning", "answered" if number < 4 else "sent"))

    gardening = await index.listing("limoges", SurveyQuery(activity="gardening"))
    answered_gardening = await index.listing("limoges", SurveyQuery(activity="gardening", status="answered"))
    second_page = await index.listing("limoges", SurveyQuery(offset=2, limit=2))
    in_days = await index.listing("limoges", SurveyQuery(sent_from=START + timedelta(days=1),
                                                         sent_before=START + timedelta(days=3)))

    assert [r.survey_id for r in gardening] == ["srv-5", "srv-3", "srv-1"]
    assert [r.survey_id for r in answered_gardening] == ["srv-3", "srv-1"]
    assert [r.survey_id for r in second_page] == ["srv-3", "srv-2"]
    assert [r.survey_id for r in in_days] == ["srv-2", "srv-1"]
