"""The satisfaction read model on a real store: tallies per platform, month and provider; the committee alert."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from services.feedback.adapters.satisfaction import alerts, satisfaction
from services.feedback.service_layer.projections import satisfaction_projection
from tests.integration.feedback.harness import START, FeedbackStore, survey_answered

pytestmark = pytest.mark.integration
answer = survey_answered


async def report(store: FeedbackStore) -> dict[str, Any]:
    async with store.engine.connect() as conn:
        return await satisfaction(conn, store.metadata, "limoges", None, None)


async def open_alerts(store: FeedbackStore, include_cleared: bool = False) -> list[dict[str, Any]]:
    async with store.engine.connect() as conn:
        return await alerts(conn, store.metadata, "limoges", include_cleared)


async def test_headline_rates_per_platform_month_and_provider(feedback_store: FeedbackStore) -> None:
    projection = satisfaction_projection(feedback_store.metadata, feedback_store.handlers.policies)
    march_night = datetime.fromisoformat("2026-03-31T22:30:00+00:00")
    batch = [answer("prv-a", happy=True, call_again=index != 0, easier=index != 1) for index in range(14)]
    batch.append(answer("prv-b", happy=True, at=march_night))

    result = await feedback_store.deliver(projection, *batch)
    again = await feedback_store.deliver(projection, batch[0])

    assert (result.applied, again.duplicates) == (15, 1)
    figures = await report(feedback_store)
    platform = figures["platform"]
    assert platform.answers == 15
    assert platform.would_call_platform_again_rate == Decimal("0.9333")
    assert platform.platform_made_it_easier_rate == Decimal("0.9333")
    assert platform.satisfaction_rate == Decimal("1.0000")
    assert platform.punctuality_average == Decimal("5.00")
    assert {month: tally.answers for month, tally in figures["months"].items()} == {"2026-03": 14, "2026-04": 1}
    assert {provider: tally.answers for provider, tally in figures["providers"].items()} == {"prv-a": 14, "prv-b": 1}
    assert figures["provider_months"][("prv-b", "2026-04")].answers == 1


async def test_a_provider_below_the_threshold_is_flagged_then_cleared(feedback_store: FeedbackStore) -> None:
    projection = satisfaction_projection(feedback_store.metadata, feedback_store.handlers.policies)

    await feedback_store.deliver(projection, *(answer("prv-a", happy=False) for _ in range(4)))
    assert await open_alerts(feedback_store) == []
    later = START + timedelta(days=1)
    await feedback_store.deliver(projection, answer("prv-a", happy=True, at=later))
    (alert,) = await open_alerts(feedback_store)
    assert (alert["provider_id"], alert["status"], alert["answers"]) == ("prv-a", "open", 5)
    assert (alert["satisfaction_rate"], alert["threshold"]) == (Decimal("0.2000"), Decimal("0.80"))
    assert alert["raised_at"] == later

    await feedback_store.deliver(projection, *(answer("prv-a", happy=True, at=later) for _ in range(20)))

    assert await open_alerts(feedback_store) == []
    (cleared,) = await open_alerts(feedback_store, include_cleared=True)
    assert cleared["status"] == "cleared" and cleared["satisfaction_rate"] == Decimal("0.8000")  # 16 of 20: back at the threshold


async def test_answers_older_than_a_year_do_not_count_for_the_alert(feedback_store: FeedbackStore) -> None:
    projection = satisfaction_projection(feedback_store.metadata, feedback_store.handlers.policies)

    await feedback_store.deliver(projection, *(answer("prv-a", happy=False) for _ in range(5)))
    assert len(await open_alerts(feedback_store)) == 1
    next_year = START + timedelta(days=400)
    await feedback_store.deliver(projection, *(answer("prv-a", happy=True, at=next_year) for _ in range(5)))

    (alert,) = await open_alerts(feedback_store, include_cleared=True)
    assert (alert["status"], alert["answers"], alert["satisfaction_rate"]) == ("cleared", 1, Decimal("1.0000"))
