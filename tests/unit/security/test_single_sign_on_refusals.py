"""What the single sign-on refuses before it asks the provider anything: a return without this browser's flow, an
expired or altered flow, a platform without single sign-on, a provider's error; each with its status and French."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from shared.platforms.loader import load_policy
from shared.platforms.model import PlatformPolicy
from shared.security.single_sign_on import FLOW_SECONDS, SignInRefused, SingleSignOnClients
from shared.security.web import HiddenLinkTokens

REPO = Path(__file__).resolve().parents[3]
P = "combrailles"


@pytest.fixture
def policies(tmp_path: Path) -> dict[str, PlatformPolicy]:
    document = yaml.safe_load((REPO / "tests" / "fixtures" / "platforms" / f"{P}.yaml").read_text(encoding="utf-8"))
    document["single_sign_on"] = {"label": "Se connecter avec ProConnect", "issuer": "http://127.0.0.1:9",
                                  "client_id": "relais", "client_secret_env": "RELAIS_TEST_SECRET",
                                  "roles": [{"value": "accueil", "role": "operator"}]}
    path = tmp_path / f"{P}.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return {P: load_policy(path)}


def flow(key: bytes, *, platform: str = P, state: str = "etat", age: float = 0) -> str:
    payload = {"p": platform, "s": state, "n": "nonce", "v": "verifier" * 8, "r": "http://relais.test/retour"}
    return Fernet(key).encrypt_at_time(json.dumps(payload).encode(), int(time.time() - age)).decode()


async def refusal(clients: SingleSignOnClients, query: dict[str, str], cookie: str | None,
                  platform: str = P) -> SignInRefused:
    with pytest.raises(SignInRefused) as refused:
        await clients.complete(platform, query, cookie)
    return refused.value


async def test_a_return_needs_this_browsers_fresh_and_genuine_flow(policies: dict[str, PlatformPolicy]) -> None:
    key = Fernet.generate_key()
    clients = SingleSignOnClients(policies, flow_key=key, environ={"RELAIS_TEST_SECRET": "s"})
    query = {"code": "c", "state": "etat"}

    missing = await refusal(clients, query, None)
    assert (missing.status, missing.reason) == (400, "no_flow") and "pas été commencée dans ce navigateur" in missing.message
    expired = await refusal(clients, query, flow(key, age=FLOW_SECONDS + 5))
    assert (expired.status, expired.reason) == (400, "flow_expired") and "dix minutes" in expired.message
    foreign = await refusal(clients, query, flow(Fernet.generate_key()))
    assert foreign.reason == "flow_expired"  # sealed by another server (or altered): nothing in it is trusted
    mismatch = await refusal(clients, {"code": "c", "state": "autre"}, flow(key))
    assert (mismatch.status, mismatch.reason) == (400, "state_mismatch")
    other_platform = await refusal(clients, query, flow(key, platform="limoges"))
    assert other_platform.reason == "state_mismatch"


async def test_the_providers_errors_and_a_platform_without_single_sign_on(policies: dict[str, PlatformPolicy]) -> None:
    key = Fernet.generate_key()
    clients = SingleSignOnClients(policies, flow_key=key, environ={"RELAIS_TEST_SECRET": "s"})

    denied = await refusal(clients, {"error": "access_denied", "state": "etat"}, flow(key))
    assert (denied.status, denied.reason) == (403, "provider_denied") and "« Se connecter avec ProConnect »" in denied.message
    failed = await refusal(clients, {"error": "<script>", "error_description": "x"}, flow(key))
    assert (failed.status, failed.reason) == (400, "provider_error") and "(inconnue)" in failed.message
    assert "<script>" not in failed.message  # an unknown error code is never repeated
    no_code = await refusal(clients, {"state": "etat"}, flow(key))
    assert (no_code.status, no_code.reason) == (400, "no_code")
    absent = await refusal(clients, {"code": "c", "state": "etat"}, flow(key, platform="limoges"), platform="limoges")
    assert (absent.status, absent.reason) == (404, "no_single_sign_on")


async def test_an_unreachable_provider_or_a_missing_secret_is_a_french_page_not_a_crash(
        policies: dict[str, PlatformPolicy]) -> None:
    unreachable = SingleSignOnClients(policies, environ={"RELAIS_TEST_SECRET": "s"}, timeout=2)
    with pytest.raises(SignInRefused) as refused:
        await unreachable.begin(P, "http://relais.test/connexion/oidc/combrailles/retour")  # port 9: nobody listens
    assert (refused.value.status, refused.value.reason) == (502, "provider_unreachable")
    assert "ne répond pas" in refused.value.message

    without_secret = SingleSignOnClients(policies, environ={})
    with pytest.raises(SignInRefused) as refused:
        await without_secret.begin(P, "http://relais.test/connexion/oidc/combrailles/retour")
    assert (refused.value.status, refused.value.reason) == (503, "secret_missing")


def test_the_authorization_code_coming_back_is_masked_in_the_access_log() -> None:
    back = "/connexion/oidc/combrailles/retour?code=c0de-secret&state=etat-secret"
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", back, "1.1", 303), None)
    HiddenLinkTokens().filter(record)
    line = record.getMessage()
    assert "c0de-secret" not in line and "etat-secret" not in line and "/connexion/oidc/combrailles/retour?…" in line
    start = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                              ("127.0.0.1:5", "GET", "/invitation/t0ken", "1.1", 200), None)
    HiddenLinkTokens().filter(start)
    assert "/invitation/…" in start.getMessage()
