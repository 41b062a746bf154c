"""Every HTTP route the README names is served, with the method it says, by one of the four services."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.routing import Match

from shared.settings import SERVICES, Settings

REPO = Path(__file__).resolve().parents[3]
README = (REPO / "README.md").read_text(encoding="utf-8")
NAMED = re.compile(r"`(?:(GET|POST|PUT) )?(/[^`\s]*)`")
PLATFORM = "/platforms/{p}"


def concrete(path: str) -> str:
    """``path`` with its parameters filled in: ``/platforms/{p}/requests/{id}`` -> ``/platforms/limoges/requests/x1``."""
    return re.sub(r"\{[^}]*\}", "x1", path.replace("{p}", "limoges"))


def serves(app: FastAPI, method: str, path: str) -> bool:
    """Whether a route of ``app`` takes ``method path`` (the router's own matching, not a request)."""
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "query_string": b"", "headers": []}
    return any(route.matches(scope)[0] is Match.FULL for route in app.routes)


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> list[FastAPI]:
    """The four services' apps (not started)."""
    folder = tmp_path_factory.mktemp("routes")
    settings = Settings(data_dir=folder, kafka_bootstrap_servers="127.0.0.1:9", platforms_dir=REPO / "deploy" / "platforms",
                        tokens_file=folder / "tokens.yaml", test_clock=True)
    return [importlib.import_module(f"services.{service}.entrypoints.app").create_app(settings) for service in SERVICES]


def named_routes() -> list[tuple[str, str]]:
    """(method or "", path) of each route the README names. A path without a method takes the last one
    named before it on its line (`` `POST /platforms/{p}/requests`, `/voicemails` ``); such a short path is
    read under ``/platforms/{p}`` too."""
    named = []
    for line in README.splitlines():
        last = ""
        for method, path in NAMED.findall(line):
            last = method or last
            if not path.startswith("/tmp/"):
                named.append((last, path))
    return named


def test_the_readme_names_routes() -> None:
    assert ("GET", "/platforms/{p}/callbacks") in named_routes()


@pytest.mark.parametrize(("method", "path"), named_routes())
def test_each_route_the_readme_names_is_served(apps: list[FastAPI], method: str, path: str) -> None:
    candidates = [concrete(path), concrete(PLATFORM + path)]
    methods = [method] if method else ["GET", "POST", "PUT"]
    assert any(serves(app, verb, candidate) for app in apps for verb in methods for candidate in candidates), (
        f"README names `{method} {path}`".replace("` ", "`"))
