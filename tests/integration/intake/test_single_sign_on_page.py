"""Single sign-on in Debian's Chromium: a coordinator clicks « Se connecter avec ProConnect » on the sign-in page,
signs in at the provider (oidc-provider-mock over HTTP, on another site: localhost, while Relais is 127.0.0.1) and
lands in the console with the role their groups give; someone whose groups give none reads a French page.
Screenshots at 1366x768 and 390 px."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from services.intake.entrypoints.app import create_app
from shared.settings import Settings
from tests.fixtures.browser import PHONE, screenshot, serious_accessibility_violations
from tests.fixtures.oidc_provider import SECRET_VARIABLE, TestProvider, platforms_with_single_sign_on, register_client
from tests.security.live import LiveServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

P = "combrailles"
NOTES = Path("/work/notes/screens/sso")


@pytest.fixture
def intake(service_settings: Callable[..., Settings], oidc_provider: TestProvider, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """Intake served by uvicorn on 127.0.0.1, its test platform signing in at the provider named ``localhost``."""
    issuer = oidc_provider.url.replace("127.0.0.1", "localhost")
    built: dict[str, Any] = {}

    async def intake_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Intake, built at its first call: its policy and public URL need the port the server got."""
        if "app" not in built:
            built["app"] = create_app(service_settings(platforms_dir=tmp_path / "platforms", console_url=server.url))
        await built["app"](scope, receive, send)

    server = LiveServer("intake", intake_app)  # type: ignore[arg-type]
    register_client(oidc_provider, [f"{server.url}/connexion/oidc/{P}/retour"])
    monkeypatch.setenv(SECRET_VARIABLE, oidc_provider.client_secret)
    platforms_with_single_sign_on(tmp_path / "platforms", P, issuer, oidc_provider.client_id)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def keep(paths: list[Path]) -> None:
    NOTES.mkdir(parents=True, exist_ok=True)
    for path in paths:
        shutil.copy(path, NOTES / path.name)


def sign_in_at_provider(page: Any, subject: str) -> None:
    page.get_by_role("link", name="Se connecter avec ProConnect").click()
    page.wait_for_url("http://localhost:*/oauth2/authorize*")
    page.fill("input[name=sub]", subject)
    page.get_by_role("button", name="Authorize").click()


def test_a_coordinator_clicks_proconnect_and_lands_in_the_console_with_their_role(
        intake: LiveServer, oidc_provider: TestProvider, page: Any) -> None:
    oidc_provider.set_user("agent-coord", {"email": "coord@ccas.example", "name": "Camille Coord",
                                           "groups": ["ccas-accueil", "ccas-coordination"]})
    oidc_provider.set_user("agent-mairie", {"email": "etat-civil@mairie.example", "groups": ["mairie-etat-civil"]})

    page.goto(f"{intake.url}/connexion")
    assert "Se connecter avec ProConnect" in page.inner_text("body")
    assert not serious_accessibility_violations(page)
    keep(screenshot(page, "60-connexion-proconnect"))
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1366, "height": 768})

    sign_in_at_provider(page, "agent-mairie")
    page.wait_for_url(f"{intake.url}/connexion/oidc/{P}/retour*")
    refused = page.inner_text("body")
    assert "La connexion n'a pas abouti" in refused and "aucun rôle sur Services à domicile des Combrailles" in refused
    assert not serious_accessibility_violations(page)
    keep(screenshot(page, "61-connexion-refusee"))
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1366, "height": 768})

    page.get_by_role("link", name="Retour à la page de connexion").click()
    sign_in_at_provider(page, "agent-coord")
    page.wait_for_url(f"{intake.url}/console*")
    session = page.evaluate("async () => (await fetch('/session', {credentials: 'same-origin'})).json()")
    assert (session["platform_id"], session["role"], session["signed_in_with"], session["display_name"]) == (
        P, "coordinator", "oidc", "Camille Coord")
    role = page.evaluate(f"async () => (await (await fetch('/platforms/{P}/policy')).json()).role")
    assert role == "coordinator"
    page.wait_for_function("document.body.innerText.includes('Camille Coord (coordination)')")
    keep(screenshot(page, "62-console-apres-proconnect"))
