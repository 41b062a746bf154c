"""The survey page over HTTP (in-process, handlers on fakes): form, validation, 404 and 410 pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from services.feedback.entrypoints.page import router
from services.feedback.entrypoints.survey_form import parse_form
from tests.unit.feedback.world import World

COMPLETE = {"punctuality": "4", "quality": "5", "would_recommend": "oui", "would_call_platform_again": "oui",
            "platform_made_it_easier": "non", "comment": "Parfait"}


@pytest.fixture
async def client(world: World) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(router)
    app.state.handlers = world.handlers
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


def test_the_form_parses_into_both_parts_and_the_comment() -> None:
    answers = parse_form(COMPLETE).answers

    assert answers is not None
    assert (answers.provider.punctuality, answers.provider.quality, answers.provider.would_recommend) == (4, 5, True)
    assert (answers.platform.would_call_platform_again, answers.platform.platform_made_it_easier) == (True, False)
    assert answers.comment == "Parfait"


def test_missing_or_odd_answers_get_a_french_message_each() -> None:
    parsed = parse_form({"punctuality": "9", "would_recommend": "peut-être", "comment": "x" * 2001})

    assert parsed.answers is None
    assert list(parsed.errors) == ["punctuality", "quality", "would_recommend", "would_call_platform_again",
                                   "platform_made_it_easier", "comment"]
    assert parsed.errors["punctuality"].startswith("Indiquez une note de ponctualité")


async def test_the_page_is_french_accessible_and_labelled(world: World, client: httpx.AsyncClient) -> None:
    token = world.token_of(await world.intervention_done("req-1"))

    page = await client.get(f"/s/{token}")

    assert page.status_code == 200
    html = page.text
    assert '<html lang="fr">' in html and 'name="viewport"' in html
    assert "Le travail de l'intervenant" in html and "Le service de la plateforme" in html
    assert "Jardinage" in html and "1er mars 2026" in html and "Proximain (Limoges)" in html
    for field in ("punctuality-1", "quality-5", "would_recommend-oui", "would_call_platform_again-non",
                  "platform_made_it_easier-oui", "comment"):
        assert f'for="{field}"' in html and f'id="{field}"' in html
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"


async def test_an_incomplete_form_comes_back_with_errors_and_the_values_kept(world: World,
                                                                             client: httpx.AsyncClient) -> None:
    token = world.token_of(await world.intervention_done("req-1"))

    page = await client.post(f"/s/{token}", data={"punctuality": "2", "comment": "<b>à moitié</b>"})

    assert page.status_code == 422
    assert 'role="alert"' in page.text and 'aria-invalid="true"' in page.text
    assert 'id="punctuality-2" name="punctuality" value="2" checked' in page.text
    assert "&lt;b&gt;à moitié&lt;/b&gt;" in page.text
    assert world.types("req-1") == ["SurveySent"]


async def test_answer_once_then_the_link_is_refused(world: World, client: httpx.AsyncClient) -> None:
    token = world.token_of(await world.intervention_done("req-1"))

    thanks = await client.post(f"/s/{token}", data=COMPLETE)
    again = await client.post(f"/s/{token}", data=COMPLETE)
    reopened = await client.get(f"/s/{token}")

    assert thanks.status_code == 200 and "Merci" in thanks.text
    assert again.status_code == 410 and "déjà répondu" in again.text
    assert reopened.status_code == 410
    assert world.types("req-1") == ["SurveySent", "SurveyAnswered"]


async def test_unknown_and_expired_links_get_a_clear_page(world: World, client: httpx.AsyncClient) -> None:
    token = world.token_of(await world.intervention_done("req-1"))

    unknown = await client.get("/s/nope")
    world.clock.advance(timedelta(days=31))
    expired = await client.post(f"/s/{token}", data=COMPLETE)

    assert unknown.status_code == 404 and "Lien non valide" in unknown.text and 'lang="fr"' in unknown.text
    assert expired.status_code == 410 and "clos" in expired.text
    assert world.types("req-1") == ["SurveySent"]
