"""A mediation desk's satisfaction on feedback in-process, on the real broker and database (SQLite and PostgreSQL):
paper questionnaires typed in by the desk, answers from the QR code's public page, the desk's headline rate; other
platforms neither see it nor have such a page."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.feedback.entrypoints.app import create_app
from shared.security.principals import Role
from shared.settings import Settings
from tests.fixtures.services import issue_token, serving
from tests.polling import get_when_ready

pytestmark = [pytest.mark.integration, pytest.mark.slow]
DESK = "pimms-lyon"
BASE = f"/platforms/{DESK}"
YES = {"satisfied": True, "question_resolved": True, "would_come_back": True}


async def test_paper_and_qr_code_answers_make_the_desks_satisfaction_rate(
        service_settings: Callable[..., Settings], database_url: str) -> None:
    settings = service_settings(database_url=database_url, vault_url=database_url)
    mediator = issue_token(settings, DESK, Role.MEDIATOR, "lyon-med-1")
    limoges = issue_token(settings, "limoges", Role.COORDINATOR, "lim-coord")
    async with serving(create_app(settings)) as client:
        for answers in (YES, YES, YES, {**YES, "satisfied": False, "question_resolved": False}):
            recorded = await client.post(f"{BASE}/visit-answers", headers=mediator, json=answers)
            assert recorded.status_code == 201, recorded.text

        page = await client.get(f"/d/{DESK}")
        assert page.status_code == 200 and "Êtes-vous satisfait de l&#39;accueil" in page.text
        incomplete = await client.post(f"/d/{DESK}", data={"satisfied": "oui"})
        assert incomplete.status_code == 422 and "Dites si votre question a trouvé une réponse." in incomplete.text
        answered = await client.post(f"/d/{DESK}", data={"satisfied": "oui", "question_resolved": "oui",
                                                          "would_come_back": "non"})
        assert answered.status_code == 200 and "Merci" in answered.text

        figures = await get_when_ready(client, f"{BASE}/desk/satisfaction", mediator,
                                       lambda body: body["answers"] == 5)
        assert (figures["satisfaction_rate"], figures["question_resolved_rate"], figures["would_come_back_rate"]) == (
            "80,0", "80,0", "80,0")
        assert figures["headline"] == "80,0 % des visiteurs interrogés satisfaits (5 réponse(s))"

        qr = await client.get(f"{BASE}/desk/questionnaire-qr.svg", headers=mediator)
        assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml") and "<svg" in qr.text

        assert (await client.get(f"{BASE}/desk/satisfaction", headers=limoges)).status_code == 403
        assert (await client.post(f"{BASE}/visit-answers", headers=limoges, json=YES)).status_code == 403
        assert (await client.get("/platforms/limoges/desk/satisfaction", headers=limoges)).json()["detail"] == (
            "Point de médiation introuvable.")
        assert (await client.get("/d/limoges")).status_code == 404
        future = await client.post(f"{BASE}/visit-answers", headers=mediator, json={**YES, "visited_on": "2099-01-01"})
        assert future.status_code == 422
