"""One error body and one status per error code on the four services' JSON APIs (shared.service.errors)."""

from __future__ import annotations

import ast
import importlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.errors import Conflict, DomainError, NotFound
from shared.security.principals import ALL_PLATFORMS, Role
from shared.security.tokens import TokenRegistry
from shared.service.errors import install_error_handlers
from shared.settings import Settings
from shared.storage.eventstore import ConcurrencyError

REPO = Path(__file__).resolve().parents[3]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int


class Positive(BaseModel):
    count: int = Field(ge=1)


def command_error() -> ValidationError:
    try:
        Positive(count=0)
    except ValidationError as error:
        return error
    raise AssertionError("Positive(count=0) validated")


def tiny_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    raised = {"rule": DomainError("unknown_activity", "activity 'x' is not in the taxonomy"),
              "state": Conflict("already_contacted", "the resident was already contacted"),
              "missing": NotFound("request 'x'"), "race": ConcurrencyError("request x moved on: version 3, expected 2"),
              "token": HTTPException(401, "missing API token", headers={"WWW-Authenticate": "Bearer"}),
              "command": command_error()}

    @app.get("/raise/{what}")
    async def fail(what: str) -> None:
        raise raised[what]

    @app.post("/body")
    async def take(body: Body, limit: int = 10) -> int:
        return body.count

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=tiny_app()), base_url="http://test") as http:
        yield http


@pytest.mark.parametrize(("what", "status", "code"), [
    ("rule", 422, "unknown_activity"), ("state", 409, "already_contacted"), ("missing", 404, "not_found"),
    ("race", 409, "conflict"), ("token", 401, "unauthorized"),
])
async def test_every_refusal_has_the_same_body(client: httpx.AsyncClient, what: str, status: int, code: str) -> None:
    response = await client.get(f"/raise/{what}")

    assert response.status_code == status
    assert list(response.json()) == ["error", "detail", "fields"] and response.json()["error"] == code
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]


async def test_http_errors_keep_their_headers_and_unknown_routes_get_the_body(client: httpx.AsyncClient) -> None:
    assert (await client.get("/raise/token")).headers["www-authenticate"] == "Bearer"
    assert (await client.get("/nowhere")).json() == {"error": "not_found", "detail": "Cette adresse n'existe pas.",
                                                      "fields": []}
    assert (await client.delete("/body")).json() == {
        "error": "method_not_allowed", "detail": "Cette méthode n'est pas permise à cette adresse.", "fields": []}


async def test_request_validation_has_the_shared_body_with_french_reasons_per_field(client: httpx.AsyncClient) -> None:
    missing = await client.post("/body", json={})
    wrong = await client.post("/body?limit=x", json={"count": "douze", "extra": 1})

    assert (missing.status_code, missing.json()) == (422, {
        "error": "invalid_input", "detail": "Champ(s) invalide(s) : « count ». Corrigez-les et renvoyez la demande.",
        "fields": [{"field": "count", "message": "champ obligatoire"}]})
    assert wrong.json()["fields"] == [{"field": "paramètre limit", "message": "doit être un nombre entier"},
                                      {"field": "count", "message": "doit être un nombre entier"},
                                      {"field": "extra", "message": "champ inconnu"}]


async def test_a_refused_value_is_never_sent_back(client: httpx.AsyncClient) -> None:
    huge = "x" * 200_000

    for body in ({"count": huge}, {"count": 1, "name": huge}, huge):
        response = await client.post("/body", json=body)
        assert response.status_code == 422 and len(response.content) < 1_000 and "xxxx" not in response.text


async def test_a_command_refused_by_its_own_model_is_a_422_like_a_body(client: httpx.AsyncClient) -> None:
    response = await client.get("/raise/command")

    assert response.status_code == 422
    assert response.json()["fields"] == [{"field": "count", "message": "doit être supérieur ou égal à 1"}]


SERVICES = [  # a route of each service, and (when one answers before reading its store) a route refusing a platform
    ("intake", "/platforms/{p}/requests/req-1", ("POST", "/platforms/atlantis/requests", {
        "channel": "phone", "activity": "gardening", "commune": "87085", "contact": {"name": "A", "phone": "0555000000"}})),
    ("matching", "/platforms/{p}/providers/prv-1", None),
    ("feedback", "/platforms/{p}/surveys", ("GET", "/platforms/atlantis/surveys", None)),
    ("billing", "/platforms/{p}/accounts/prv-1", ("GET", "/platforms/atlantis/accounts/prv-1", None)),
]


@pytest.mark.parametrize(("service", "path", "unknown"), SERVICES)
async def test_the_four_services_answer_with_the_shared_body(tmp_path: Path, service: str, path: str,
                                                             unknown: tuple[str, str, dict | None] | None) -> None:
    settings = Settings(data_dir=tmp_path / "data", kafka_bootstrap_servers="127.0.0.1:9", topic_prefix="t",
                        platforms_dir=REPO / "deploy" / "platforms", tokens_file=tmp_path / "tokens.yaml")
    tokens = TokenRegistry.load(tmp_path / "tokens.yaml")
    limoges, _ = tokens.issue("limoges", Role.COORDINATOR, "co-1")
    admin, _ = tokens.issue(ALL_PLATFORMS, Role.FEDERATION_ADMIN, "admin-1")
    app = importlib.import_module(f"services.{service}.entrypoints.app").create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        anonymous = await http.get(path.format(p="limoges"))
        other_platform = await http.get(path.format(p="brenne"), headers={"Authorization": f"Bearer {limoges}"})
        if unknown is not None:
            method, where, body = unknown
            refused = await http.request(method, where, json=body, headers={"Authorization": f"Bearer {admin}"})
            assert (refused.status_code, refused.json()["error"]) == (404, "not_found")

    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "unauthorized")
    assert "Bearer" in anonymous.headers["www-authenticate"]
    assert (other_platform.status_code, other_platform.json()["error"]) == (403, "not_your_platform")


def test_one_error_code_has_one_status_in_every_service() -> None:
    statuses: dict[str, dict[str, set[str]]] = {}
    classes = {"DomainError": "422", "Conflict": "409"}
    for source in [*REPO.glob("services/**/*.py"), *REPO.glob("shared/**/*.py")]:
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in classes
                    and node.args and isinstance(node.args[0], ast.Constant)):
                where = f"{source.relative_to(REPO)}:{node.lineno}"
                statuses.setdefault(node.args[0].value, {}).setdefault(classes[node.func.id], set()).add(where)

    mixed = {code: found for code, found in statuses.items() if len(found) > 1}
    assert "already_contacted" in statuses and not mixed, mixed
