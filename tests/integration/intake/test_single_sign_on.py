"""Staff sign in through their platform's OpenID Connect provider: a real provider (oidc-provider-mock over HTTP,
client registered, nonce and PKCE enforced), intake in-process on the real broker, one httpx client playing the
browser across both (cookies, redirects, the provider's authorization form)."""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.intake.entrypoints.app import create_app
from shared.security.sessions import SESSION_COOKIE
from shared.settings import Settings
from tests.fixtures.oidc_provider import SECRET_VARIABLE, TestProvider, platforms_with_single_sign_on, register_client

pytestmark = [pytest.mark.integration, pytest.mark.slow]

P = "combrailles"
NEIGHBOUR = "combrailles-nord"
"""A second platform signing in at the same provider."""
APP_URL = "http://relais.test"


def text(page: httpx.Response) -> str:
    """The page as a person reads it (entities such as &#39; unescaped)."""
    return html.unescape(page.text)


@dataclass
class Browser:
    """An httpx client holding cookies across intake (in-process) and the provider (over HTTP)."""

    client: httpx.AsyncClient
    provider: TestProvider
    app: FastAPI

    async def sign_in(self, subject: str) -> httpx.Response:
        """Click the button, pick ``subject`` on the provider's form; the answer after every redirect."""
        form = await self.client.get(f"/connexion/oidc/{P}")
        assert form.status_code == 200 and str(form.url).startswith(self.provider.url), (form.status_code, form.url)
        return await self.client.post(str(form.url), data={"sub": subject})

    async def role(self) -> str:
        answer = await self.client.get(f"/platforms/{P}/policy")
        assert answer.status_code == 200, answer.text
        return str(answer.json()["role"])


@asynccontextmanager
async def signing_in(settings: Settings, provider: TestProvider) -> AsyncIterator[Browser]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        mounts = {APP_URL: httpx.ASGITransport(app=app), "all://": httpx.AsyncHTTPTransport()}
        async with httpx.AsyncClient(mounts=mounts, base_url=APP_URL, follow_redirects=True, timeout=15) as client:
            yield Browser(client, provider, app)


@pytest.fixture
def sso_settings(service_settings: Callable[..., Settings], oidc_provider: TestProvider, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Callable[..., Settings]:
    register_client(oidc_provider, [f"{APP_URL}/connexion/oidc/{platform}/retour" for platform in (P, NEIGHBOUR)])
    monkeypatch.setenv(SECRET_VARIABLE, oidc_provider.client_secret)

    def make(**policy: Any) -> Settings:
        folder = tmp_path / "platforms"
        for platform in (P, NEIGHBOUR):
            platforms_with_single_sign_on(folder, platform, oidc_provider.url, oidc_provider.client_id, **policy)
        return service_settings(platforms_dir=folder, console_url=APP_URL)

    return make


async def test_two_people_sign_in_with_the_roles_their_groups_give(
        sso_settings: Callable[..., Settings], oidc_provider: TestProvider, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    oidc_provider.set_user("agent-coord", {"email": "coord@ccas.example", "name": "Camille Coord",
                                           "groups": ["ccas-accueil", "ccas-coordination"]})
    oidc_provider.set_user("agent-accueil", {"email": "accueil@ccas.example", "groups": ["ccas-accueil", "autre"]})
    async with signing_in(sso_settings(), oidc_provider) as browser:
        landed = await browser.sign_in("agent-coord")
        assert landed.status_code == 200 and landed.url.path == "/console", (landed.status_code, landed.url, landed.text)
        assert browser.client.cookies.get(SESSION_COOKIE)
        assert await browser.role() == "coordinator"  # the first listed value the person holds wins

        authorization = oidc_provider.authorization_requests[-1]
        assert authorization["code_challenge_method"] == "S256" and len(authorization["code_challenge"]) == 43
        assert authorization["nonce"] and authorization["state"] and "openid" in authorization["scope"].split()
        exchange = oidc_provider.token_requests[-1]
        assert exchange["grant_type"] == "authorization_code" and len(exchange["code_verifier"]) >= 43
        assert "client_secret" not in exchange  # client_secret_basic: the secret travels in the Authorization header
        # the provider's log (its authlib server too), and httpx's, where the test's browser writes the addresses
        # it follows, aside
        provider_or_browser = ("werkzeug", "oidc_provider_mock", "authlib.oauth2.rfc", "authlib.oidc", "httpx", "httpcore")
        relais_log = "\n".join(record.getMessage() for record in caplog.records
                               if not record.name.startswith(provider_or_browser))
        for secret in (exchange["code_verifier"], exchange["code"], authorization["state"], authorization["nonce"],
                       oidc_provider.client_secret, browser.client.cookies.get(SESSION_COOKIE)):
            assert secret not in relais_log  # Relais at DEBUG logs none of the flow's secrets

        browser.client.cookies.clear()
        landed = await browser.sign_in("agent-accueil")
        assert landed.url.path == "/console", landed.text
        assert await browser.role() == "operator"
        identity = browser.app.state.identity
        accounts = {account.email: account for account in await identity.store.accounts_of(P)}
        assert accounts["coord@ccas.example"].role == "coordinator" and accounts["accueil@ccas.example"].role == "operator"
        assert accounts["coord@ccas.example"].display_name == "Camille Coord"


async def test_a_person_whose_groups_give_no_role_is_refused_on_a_french_page(
        sso_settings: Callable[..., Settings], oidc_provider: TestProvider) -> None:
    oidc_provider.set_user("agent-autre", {"email": "autre@ccas.example", "groups": ["mairie-etat-civil"]})
    async with signing_in(sso_settings(), oidc_provider) as browser:
        refused = await browser.sign_in("agent-autre")
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith("text/html")
        assert "aucun rôle sur Services à domicile des Combrailles" in text(refused)
        assert not browser.client.cookies.get(SESSION_COOKIE)
        assert await browser.app.state.identity.store.accounts_of(P) == []


async def test_a_return_whose_state_was_not_issued_to_this_browser_or_platform_is_refused(
        sso_settings: Callable[..., Settings], oidc_provider: TestProvider) -> None:
    oidc_provider.set_user("agent-coord", {"email": "coord@ccas.example", "groups": ["ccas-coordination"]})

    async def answer_of_provider(browser: Browser) -> httpx.URL:
        form = await browser.client.get(f"/connexion/oidc/{P}")
        assert form.status_code == 200
        back = await browser.client.post(str(form.url), data={"sub": "agent-coord"}, follow_redirects=False)
        return httpx.URL(back.headers["location"])

    async with signing_in(sso_settings(), oidc_provider) as browser:
        genuine = await answer_of_provider(browser)
        forged = genuine.copy_set_param("state", "etat-fabrique-ailleurs")
        refused = await browser.client.get(str(forged))
        assert refused.status_code == 400 and "ne correspond pas à la connexion commencée" in text(refused)
        assert not browser.client.cookies.get(SESSION_COOKIE)
        # the flow cookie is gone with the refusal: even the genuine answer cannot be replayed now
        replayed = await browser.client.get(str(genuine))
        assert replayed.status_code == 400 and "recommencez depuis la page de connexion" in text(replayed)

        # the provider's answer for one platform, brought to another platform's return address
        genuine = await answer_of_provider(browser)
        elsewhere = await browser.client.get(str(genuine).replace(f"/oidc/{P}/", f"/oidc/{NEIGHBOUR}/"))
        assert elsewhere.status_code == 400 and "ne correspond pas à la connexion commencée" in text(elsewhere)
        assert not browser.client.cookies.get(SESSION_COOKIE)

        # a return from another browser, without the flow cookie at all
        genuine = await answer_of_provider(browser)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=browser.app), base_url=APP_URL) as other:
            stranger = await other.get(str(genuine))
        assert stranger.status_code == 400 and "pas été commencée dans ce navigateur" in text(stranger)
        assert await browser.app.state.identity.store.accounts_of(P) == []


async def test_refusals_at_the_provider_and_disabled_or_unknown_accounts_end_on_french_pages(
        sso_settings: Callable[..., Settings], oidc_provider: TestProvider) -> None:
    oidc_provider.set_user("agent-accueil", {"email": "accueil@ccas.example", "groups": ["ccas-accueil"]})
    async with signing_in(sso_settings(), oidc_provider) as browser:
        form = await browser.client.get(f"/connexion/oidc/{P}")
        denied = await browser.client.post(str(form.url), data={"action": "deny"})
        assert denied.status_code == 403 and "refusée ou annulée chez le fournisseur" in text(denied)

        assert (await browser.sign_in("agent-accueil")).url.path == "/console"
        identity = browser.app.state.identity
        [account] = await identity.store.accounts_of(P)
        await identity.accounts.set_disabled(account.account_id, True, identity.now())
        browser.client.cookies.clear()
        refused = await browser.sign_in("agent-accueil")
        assert refused.status_code == 403 and "Ce compte est désactivé" in text(refused)
        assert not browser.client.cookies.get(SESSION_COOKIE)

    oidc_provider.set_user("agent-nouveau", {"email": "nouveau@ccas.example", "groups": ["ccas-accueil"]})
    oidc_provider.set_user("agent-invite", {"email": "Invite@CCAS.example", "groups": ["ccas-coordination"]})
    async with signing_in(sso_settings(create_accounts=False, emails_verified=True), oidc_provider) as browser:
        unknown = await browser.sign_in("agent-nouveau")
        assert unknown.status_code == 403 and "Aucun compte n'est ouvert à votre nom" in text(unknown)
        # the coordination invited this one: the first sign-in links the account of that email, with the mapped role
        identity = browser.app.state.identity
        invited, _ = await identity.accounts.invite(platform_id=P, role="operator", email="invite@ccas.example",
                                                    display_name="Agent Invité", created_by="test", now=identity.now(),
                                                    base_url=None, send=False)
        assert (await browser.sign_in("agent-invite")).url.path == "/console"
        assert await browser.role() == "coordinator"
        linked = await identity.store.account(invited.account_id)
        assert (linked.oidc_subject, linked.role, linked.display_name) == ("agent-invite", "coordinator", "Agent Invité")
        emails = sorted(account.email for account in await identity.store.accounts_of(P))
        assert emails == ["accueil@ccas.example", "invite@ccas.example"]  # none made for the unknown agent


async def test_a_platform_without_single_sign_on_or_without_its_secret_answers_a_french_page(
        sso_settings: Callable[..., Settings], oidc_provider: TestProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = sso_settings()
    monkeypatch.delenv(SECRET_VARIABLE)
    async with signing_in(settings, oidc_provider) as browser:
        missing = await browser.client.get("/connexion/oidc/limoges")
        assert missing.status_code == 404 and "ne propose pas de connexion" in text(missing)
        unset = await browser.client.get(f"/connexion/oidc/{P}")
        assert unset.status_code == 503 and "pas encore configurée sur ce serveur" in text(unset)
        assert oidc_provider.client_secret not in unset.text
