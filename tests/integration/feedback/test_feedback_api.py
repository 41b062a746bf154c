"""The feedback HTTP API on a real store, without the broker (the app's lifespan is not entered)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from services.feedback.bootstrap import (
    MIGRATIONS,
    Feedback,
    FeedbackSettings,
    bootstrap,
)
from services.feedback.entrypoints.app import create_app
from services.feedback.service_layer.projections import (
    satisfaction_projection,
    survey_process,
)
from shared.contracts.codec import encode
from shared.messaging.batches import apply_batch
from shared.security.tokens import TokenRegistry
from shared.settings import Settings
from shared.storage.migrate import upgrade_async
from tests.integration.feedback.harness import (
    POLICY_DIR,
    intervention_done,
    survey_answered,
)

pytestmark = pytest.mark.integration


@dataclass
class Api:
    feedback: Feedback
    http: httpx.AsyncClient
    tokens: dict[str, str]

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    tokens_file = tmp_path / "tokens.yaml"
    registry = TokenRegistry.load(tokens_file)
    tokens = {role: registry.issue("limoges", role, f"{role}-1")[0] for role in ("operator", "coordinator", "analyst")}
    tokens["herault-operator"] = registry.issue("herault", "operator", "op-9")[0]
    settings = Settings(data_dir=tmp_path, database_url=database_url, platforms_dir=POLICY_DIR, tokens_file=tokens_file,
                        vault_url=f"sqlite+aiosqlite:///{tmp_path / 'vault.db'}")
    feedback = bootstrap(settings, feedback_settings=FeedbackSettings(public_url="https://avis.example.fr"))
    await upgrade_async(database_url, MIGRATIONS)
    await feedback.vault.create_tables()
    app = create_app(feedback=feedback)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://feedback") as http:
            yield Api(feedback, http, tokens)
    finally:
        await feedback.engine.dispose()
        await feedback.vault.engine.dispose()


async def open_survey(api: Api, request_id: str) -> str:
    record = encode(intervention_done(request_id), api.feedback.settings.topic_prefix)
    process = survey_process(api.feedback.handlers, api.feedback.metadata, api.feedback.settings.topic_prefix)
    await apply_batch(api.feedback.engine, api.feedback.metadata, process,
                      [(record.topic, 0, 0, record.key, record.value, tuple(record.headers))])
    listing = await api.http.get("/platforms/limoges/surveys", headers=api.auth("operator"))
    return next(s["survey_id"] for s in listing.json() if s["request_id"] == request_id)


async def test_roles_and_platforms_are_enforced(api: Api) -> None:
    assert (await api.http.get("/platforms/limoges/alerts")).status_code == 401
    assert (await api.http.get("/platforms/limoges/alerts", headers=api.auth("analyst"))).status_code == 403
    assert (await api.http.get("/platforms/herault/satisfaction", headers=api.auth("analyst"))).status_code == 403
    assert (await api.http.get("/platforms/limoges/satisfaction", headers=api.auth("operator"))).status_code == 403
    alerts = await api.http.get("/platforms/limoges/alerts", headers=api.auth("coordinator"))
    assert alerts.status_code == 200 and alerts.json() == []


async def test_phone_answers_are_checked_then_recorded_once(api: Api) -> None:
    survey_id = await open_survey(api, "req-1")
    url = f"/platforms/limoges/surveys/{survey_id}/phone-answers"
    answers = {"provider": {"punctuality": 4, "quality": 4, "would_recommend": True},
               "platform": {"would_call_platform_again": True, "platform_made_it_easier": True},
               "comment": "Rappelée par Sophie"}

    unknown = await api.http.post("/platforms/limoges/surveys/srv-x/phone-answers", headers=api.auth("operator"),
                                  json={"outcome": "no_answer"})
    other_platform = await api.http.post(f"/platforms/herault/surveys/{survey_id}/phone-answers",
                                         headers=api.auth("herault-operator"), json={"outcome": "no_answer"})
    contradictory = await api.http.post(url, headers=api.auth("operator"), json={"outcome": "refused", "answers": answers})
    nobody = await api.http.post(url, headers=api.auth("operator"), json={"outcome": "no_answer"})
    answered = await api.http.post(url, headers=api.auth("operator"), json={"outcome": "satisfied", "answers": answers})
    twice = await api.http.post(url, headers=api.auth("operator"), json={"outcome": "satisfied", "answers": answers})

    for called_at, words in (("9999-12-31T23:59:59-05:00", "entre les années 2000 et 2100"),
                             ("2026-03-02T10:00:00", "doit indiquer le fuseau horaire"), ("2099-01-01T10:00:00Z", "dans le futur")):
        wrong = await api.http.post(url, headers=api.auth("operator"), json={"outcome": "no_answer", "called_at": called_at})
        assert wrong.status_code == 422 and words in wrong.text, wrong.text
    assert (unknown.status_code, other_platform.status_code, contradictory.status_code) == (404, 404, 422)
    assert nobody.status_code == 201 and nobody.json()["answered"] is False
    assert answered.status_code == 201 and answered.json()["answered"] is True
    assert twice.status_code == 409 and twice.json()["error"] == "survey_answered"
    listing = await api.http.get("/platforms/limoges/surveys?status=answered", headers=api.auth("operator"))
    assert [s["survey_id"] for s in listing.json()] == [survey_id]


async def test_a_preferred_channel_applies_to_the_next_survey(api: Api) -> None:
    put = await api.http.put("/platforms/limoges/residents/res-1/survey-channel", headers=api.auth("operator"),
                             json={"channel": "sms"})
    survey_id = await open_survey(api, "req-1")

    assert put.status_code == 204
    (survey,) = (await api.http.get("/platforms/limoges/surveys", headers=api.auth("operator"))).json()
    assert (survey["survey_id"], survey["channel"], survey["status"]) == (survey_id, "sms", "sent")


async def test_the_satisfaction_report_filters_by_month(api: Api) -> None:
    projection = satisfaction_projection(api.feedback.metadata, api.feedback.policies)
    records = [encode(survey_answered("prv-a", happy=index > 0)) for index in range(3)]
    await apply_batch(api.feedback.engine, api.feedback.metadata, projection,
                      [(r.topic, 0, i, r.key, r.value, tuple(r.headers)) for i, r in enumerate(records)])

    march = await api.http.get("/platforms/limoges/satisfaction?since=2026-03&until=2026-03", headers=api.auth("analyst"))
    april = await api.http.get("/platforms/limoges/satisfaction?since=2026-04", headers=api.auth("coordinator"))
    odd = await api.http.get("/platforms/limoges/satisfaction?since=2026-13", headers=api.auth("analyst"))

    body = march.json()
    assert (body["platform"]["answers"], body["platform"]["satisfaction_rate"]) == (3, "0.6667")
    assert [m["month"] for m in body["months"]] == ["2026-03"]
    (provider,) = body["providers"]
    assert (provider["provider_id"], [m["month"] for m in provider["months"]]) == ("prv-a", ["2026-03"])
    assert april.json()["platform"] == {"answers": 0, "satisfaction_rate": None, "would_call_platform_again_rate": None,
                                        "platform_made_it_easier_rate": None, "would_recommend_rate": None,
                                        "punctuality_average": None, "quality_average": None}
    assert odd.status_code == 422
