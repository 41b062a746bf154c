"""The public request form over HTTP (in-process, handlers on fakes): every refusal is the French form page again."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from html import unescape

import httpx
import pytest
from fastapi import FastAPI

from services.intake.domain.spam import FormLimits, form_stamp
from services.intake.entrypoints import public_http
from services.intake.service_layer.handlers import IntakeHandlers
from shared.clock import FixedClock
from shared.storage.fakes import FakeEventStore, FakeUnitOfWork
from tests.unit.intake.fakes import POLICIES, FakeSealer

SECRET = b"s" * 32
FORM = "/public/mons-borinage/request"
FILLED = {"activity": "ironing", "commune": "BE53044", "name": "Jeanne Dupont-Résidente", "phone": "0470 12 34 56",
          "email": "jeanne@exemple.be", "address": "Rue des Tilleuls 12, Jurbise"}


def sent(**changes: str | None) -> dict[str, str]:
    """The form as a browser sends it, with a stamp old enough to pass; ``None`` leaves a field out."""
    fields = {**FILLED, "stamp": form_stamp(SECRET, time.time() - 10), "website": "", **changes}
    return {name: value for name, value in fields.items() if value is not None}


@pytest.fixture
def store() -> FakeEventStore:
    return FakeEventStore()


@pytest.fixture
async def client(store: FakeEventStore) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(public_http.router)
    app.state.handlers = IntakeHandlers(uow=lambda: FakeUnitOfWork(store), sealer=FakeSealer(), policies=POLICIES,
                                        clock=FixedClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC)))
    app.state.form_secret, app.state.form_limiter = SECRET, FormLimits()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


async def test_a_complete_form_is_recorded_then_redirects_to_the_thanks_page(client: httpx.AsyncClient,
                                                                            store: FakeEventStore) -> None:
    answer = await client.post(FORM, data=sent())

    assert answer.status_code == 303 and answer.headers["location"] == f"{FORM}/merci"
    thanks = await client.get(answer.headers["location"])
    assert thanks.status_code == 200 and "Votre demande est enregistrée" in thanks.text
    assert len(store.events) == 1


async def test_a_stamp_records_one_request_however_often_it_is_sent(client: httpx.AsyncClient,
                                                                     store: FakeEventStore) -> None:
    form = sent()
    answers = [await client.post(FORM, data=form) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [303, 303, 303]
    assert len(store.events) == 1


async def test_a_missing_field_gives_the_french_form_with_what_was_typed(
        client: httpx.AsyncClient, store: FakeEventStore, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    page = await client.post(FORM, data=sent(name=None))

    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="fr">' in html and "<title>Erreur :" in html
    assert "Merci de vérifier : Votre nom." in html and "Le champ « Votre nom » est obligatoire." in html
    assert 'id="name" name="name" required autocomplete="name" value="" aria-invalid="true"' in html
    assert 'value="0470 12 34 56"' in html and 'value="jeanne@exemple.be"' in html
    assert 'value="Rue des Tilleuls 12, Jurbise"' in html
    assert '<option value="ironing" selected>' in html and '<option value="BE53044" selected>' in html
    assert "missing" not in html and "field required" not in html.lower()
    assert store.events == []
    assert "0470" not in caplog.text and "Tilleuls" not in caplog.text


async def test_an_activity_outside_the_taxonomy_is_named_in_french(client: httpx.AsyncClient) -> None:
    page = await client.post(FORM, data=sent(activity="skydiving"))

    assert page.status_code == 422
    assert "Cette activité n'est pas proposée par la plateforme" in unescape(page.text)
    assert "Merci de vérifier : Activité." in page.text
    assert "taxonomy" not in page.text and 'value="Jeanne Dupont-Résidente"' in page.text


async def test_invalid_contact_details_are_explained_in_french(client: httpx.AsyncClient) -> None:
    page = await client.post(FORM, data=sent(phone="12", email="pas-un-courriel"))

    assert page.status_code == 422
    assert "Merci de vérifier : Téléphone, Courriel." in page.text
    assert "numéro de téléphone français ou belge" in page.text and "adresse de courriel valide" in page.text
    assert "not a French" not in page.text and 'value="pas-un-courriel"' in page.text


@pytest.mark.parametrize(("changes", "words"), [
    ({"stamp": "garbage"}, "Le formulaire a expiré ou a été modifié"),
    ({"stamp": None}, "Le formulaire a expiré ou a été modifié"),
    ({"stamp": "just served"}, "envoyé trop vite"),
    ({"website": "http://spam.example"}, "rempli automatiquement"),
])
async def test_a_suspicious_form_is_refused_in_french(client: httpx.AsyncClient, changes: dict[str, str | None],
                                                      words: str) -> None:
    if changes.get("stamp") == "just served":
        changes = {"stamp": form_stamp(SECRET, time.time())}
    page = await client.post(FORM, data=sent(**changes))

    assert page.status_code == 400 and words in page.text
    assert "reload the page" not in page.text and 'value="Jeanne Dupont-Résidente"' in page.text


async def test_a_platform_without_an_online_form_has_a_french_page(client: httpx.AsyncClient) -> None:
    for page in (await client.get("/public/limoges/request"), await client.post("/public/nowhere/request", data=sent())):
        assert page.status_code == 404 and "ne propose pas de formulaire en ligne" in page.text


async def test_typos_do_not_use_up_the_budget_of_requests(client: httpx.AsyncClient, store: FakeEventStore) -> None:
    for _ in range(8):
        assert (await client.post(FORM, data=sent(phone="12"))).status_code == 422

    for _ in range(5):
        assert (await client.post(FORM, data=sent())).status_code == 303
    too_many = await client.post(FORM, data=sent())

    assert too_many.status_code == 429 and "Jeanne Dupont-Résidente" in unescape(too_many.text)
    assert len(store.events) == 5


async def test_a_flood_of_refused_submissions_is_limited_too(client: httpx.AsyncClient, store: FakeEventStore) -> None:
    statuses = [(await client.post(FORM, data=sent(website="http://spam.example"))).status_code for _ in range(21)]

    assert statuses == [400] * 20 + [429]
    assert (await client.post(FORM, data=sent())).status_code == 429
    assert store.events == []


def test_form_limits_forget_old_submissions() -> None:
    limits = FormLimits()
    for second in range(5):
        limits.recorded.record("1.2.3.4", second)
    assert not limits.allows("1.2.3.4", 10) and limits.allows("5.6.7.8", 10)
    assert limits.allows("1.2.3.4", 700)
