"""``POST /admin/clock`` is one shared route that matching, intake and feedback serve under RELAIS_TEST_CLOCK=1."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from shared.security.principals import Role
from shared.settings import Settings
from tests.fixtures.services import issue_token

REPO = Path(__file__).resolve().parents[3]
MOVED = ("matching", "intake", "feedback")


def app_of(service: str, folder: Path, *, test_clock: bool) -> tuple[FastAPI, Settings]:
    settings = Settings(data_dir=folder, kafka_bootstrap_servers="127.0.0.1:9", platforms_dir=REPO / "deploy" / "platforms",
                        tokens_file=folder / "tokens.yaml", test_clock=test_clock)
    return importlib.import_module(f"services.{service}.entrypoints.app").create_app(settings), settings


def service_now(app: FastAPI) -> datetime:
    """The time the service's handlers read."""
    return (app.state.clock if hasattr(app.state, "clock") else app.state.handlers.clock).now()


@pytest.mark.parametrize("service", MOVED)
async def test_a_federation_admin_moves_the_clock_the_handlers_read(service: str, tmp_path: Path) -> None:
    app, settings = app_of(service, tmp_path, test_clock=True)
    admin = issue_token(settings, "*", Role.FEDERATION_ADMIN, "ops-1")
    coordinator = issue_token(settings, "limoges", Role.COORDINATOR, "co-1")
    before = service_now(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        moved = await client.post("/admin/clock", headers=admin, json={"advance_seconds": 3 * 86400})
        refused = await client.post("/admin/clock", headers=coordinator, json={"advance_seconds": 1})
    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(moved.json()["now"]) - before >= timedelta(days=3)
    assert service_now(app) - before >= timedelta(days=3)
    assert refused.status_code == 403


@pytest.mark.parametrize("service", MOVED)
async def test_without_the_test_setting_there_is_no_clock_to_move(service: str, tmp_path: Path) -> None:
    app, settings = app_of(service, tmp_path, test_clock=False)
    admin = issue_token(settings, "*", Role.FEDERATION_ADMIN, "ops-1")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.post("/admin/clock", headers=admin, json={"advance_seconds": 1})).status_code == 404
