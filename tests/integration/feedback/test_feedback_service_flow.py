"""The feedback service in-process on the real broker: InterventionDone -> SurveySent, answered online and by phone.

The app runs with its lifespan (migrations, consumers, outbox relay, sweeper); events come from the
broker and go back to it. Waits are on conditions with timeouts, never fixed sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from services.feedback.bootstrap import FeedbackSettings, bootstrap
from services.feedback.entrypoints.app import create_app
from services.feedback.service_layer.projections import SATISFACTION, SURVEYS
from shared.contracts.types import Sealed
from shared.messaging.tracking import wait_for
from shared.settings import Settings
from tests.fixtures.services import issue_token, serving
from tests.integration.feedback.harness import intervention_done
from tests.integration.feedback.running import TIMEOUT, Running, published_feedback

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.slow]
PAGE_ANSWERS = {"punctuality": "5", "quality": "4", "would_recommend": "oui", "would_call_platform_again": "oui",
                "platform_made_it_easier": "oui", "comment": "Merci !"}


@pytest.fixture
async def running(database_url: str, service_settings: Callable[..., Settings], tmp_path: Path) -> AsyncIterator[Running]:
    settings = service_settings(database_url=database_url, vault_url=f"sqlite+aiosqlite:///{tmp_path / 'vault.db'}")
    headers = {role: issue_token(settings, "limoges", role, f"{role}-1") for role in ("operator", "coordinator", "analyst")}
    feedback = bootstrap(settings, feedback_settings=FeedbackSettings(public_url="https://avis.example.fr",
                                                                      sweep_interval=3600))
    async with serving(create_app(feedback=feedback)) as http:
        yield Running(feedback, http, headers, settings.kafka_bootstrap_servers, settings.topic_prefix)


async def token_of(running: Running, survey_id: str) -> str:
    notifications = running.feedback.metadata.tables["notifications"]
    async with running.feedback.engine.connect() as conn:
        message = (await conn.execute(notifications.select().where(notifications.c.reference == survey_id))).first()
    link = await running.feedback.vault.unseal(Sealed.model_validate_json(message.message), reader="system:test-sender",
                                               purpose="send the survey link")
    return str(link["link"]).rsplit("/", 1)[1]


async def test_an_intervention_on_the_bus_gets_a_survey_answered_online_and_by_phone(running: Running) -> None:
    online, by_phone = intervention_done("req-online"), intervention_done("req-phone", provider_id="prv-2")
    await running.publish(online, by_phone)
    await wait_for(running.feedback.engine, SURVEYS, event_ids=[online.event_id, by_phone.event_id], timeout=TIMEOUT)

    sent = await published_feedback(running, 2)
    assert {(e.event_type, e.meta.aggregate_id) for e in sent} == {("SurveySent", "req-online"), ("SurveySent", "req-phone")}
    assert all(e.meta.correlation_id == online.meta.correlation_id for e in sent if e.meta.aggregate_id == "req-online")
    survey_ids = {e.meta.aggregate_id: e.payload.survey_id for e in sent}

    token = await token_of(running, survey_ids["req-online"])
    assert (await running.http.get(f"/s/{token}")).status_code == 200
    assert (await running.http.post(f"/s/{token}", data=PAGE_ANSWERS)).status_code == 200
    assert (await running.http.post(f"/s/{token}", data=PAGE_ANSWERS)).status_code == 410

    phone = await running.http.post(
        f"/platforms/limoges/surveys/{survey_ids['req-phone']}/phone-answers", headers=running.auth("operator"),
        json={"outcome": "issue_reported", "answers": {
            "provider": {"punctuality": 2, "quality": 3, "would_recommend": False},
            "platform": {"would_call_platform_again": True, "platform_made_it_easier": False}}})
    assert phone.status_code == 201, phone.text
    assert phone.json() == {"survey_id": survey_ids["req-phone"], "answered": True}

    answered = [e for e in await published_feedback(running, 5) if e.event_type == "SurveyAnswered"]
    assert len(answered) == 2
    await wait_for(running.feedback.engine, SATISFACTION, event_ids=[e.event_id for e in answered], timeout=TIMEOUT)
    report = await running.http.get("/platforms/limoges/satisfaction", headers=running.auth("analyst"))
    assert report.status_code == 200
    platform = report.json()["platform"]
    assert (platform["answers"], platform["would_call_platform_again_rate"], platform["platform_made_it_easier_rate"],
            platform["satisfaction_rate"]) == (2, "1.0000", "0.5000", "0.5000")
    assert {p["provider_id"] for p in report.json()["providers"]} == {"prv-1", "prv-2"}

