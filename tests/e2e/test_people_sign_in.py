"""People sign in as people, in headless Chromium, on intake running as a process on the real broker.

The first coordinator is created with ``relais users create`` (the invitation link printed), chooses a
password, signs in, turns TOTP on (QR code page), signs in again with a code, creates an operator on
``/comptes`` (the invitation email reaches a real SMTP server, aiosmtpd), and then: the idle timeout (the
service clock moved past 30 minutes) sends them back to the sign-in page; a disabled operator is refused at
their next request; a form posted without its CSRF token gets a French 403; ten wrong passwords lock the
account until a time the page names. Screenshots at 1366x768 and 390 px of the sign-in, TOTP and accounts
pages, checked with axe-core.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest

from relais.devstack.ports import free_port
from relais.devstack.processes import spawn, stop_process
from relais.devstack.smtp_sink import SmtpSink, received
from shared.security.principals import Role
from shared.security.tokens import TokenRegistry
from tests.fixtures.browser import PHONE, screenshot, serious_accessibility_violations
from tests.polling import wait_for

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
NOTES = Path("/work/notes/screens/people-sign-in")
TIMEOUT = 60.0
PASSWORD = "le chat dort sur la fenêtre"
OPERATOR_PASSWORD = "une autre phrase assez longue"


@pytest.fixture
def people(kafka_bootstrap: str, topic_prefix: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Intake and matching as processes (the console on one port calls the other with the session cookie), intake
    with the test clock, email to an aiosmtpd sink, a federation admin token for the clock."""
    port, matching_port = free_port(), free_port()
    url, matching = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{matching_port}"
    tokens = tmp_path / "tokens.yaml"
    admin, _ = TokenRegistry.load(tokens).issue("*", Role.FEDERATION_ADMIN, "ops-clock")
    with SmtpSink(tmp_path / "mail") as sink:
        env = {**os.environ, "RELAIS_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "RELAIS_TOPIC_PREFIX": topic_prefix,
               "RELAIS_DATA_DIR": str(tmp_path), "RELAIS_PLATFORMS_DIR": str(ROOT / "deploy" / "platforms"),
               "RELAIS_TOKENS_FILE": str(tokens), "RELAIS_TEST_CLOCK": "1", "RELAIS_CONSOLE_URL": url,
               "RELAIS_MATCHING_URL": matching, "RELAIS_OUTGOING_INTERVAL": "0.5", "PYTHONUNBUFFERED": "1",
               **sink.service_env()}
        log = (tmp_path / "services.log").open("wb")
        processes = [spawn([sys.executable, "-m", "uvicorn", "--factory", f"services.{name}.entrypoints.app:create_app",
                            "--host", "127.0.0.1", "--port", str(at), "--no-access-log"], env=env, cwd=ROOT,
                           stdout=log, stderr=log) for name, at in (("intake", port), ("matching", matching_port))]
        try:
            for base, process in zip((url, matching), processes, strict=True):
                wait_for(lambda base=base, process=process: _healthy(base, process, tmp_path / "services.log"),
                         lambda healthy: healthy is not None, f"{base} health", timeout=TIMEOUT, interval=0.2)
            yield {"url": url, "matching": matching, "env": env, "admin": admin, "mail": tmp_path / "mail",
                   "log": tmp_path / "services.log"}
        finally:
            for process in processes:
                stop_process(process)
            log.close()


def _healthy(url: str, process: Any, log: Path) -> bool | None:
    if process.poll() is not None:
        raise AssertionError(f"a service exited ({process.returncode}):\n{log.read_text()[-3000:]}")
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200 or None
    except httpx.TransportError:
        return None


def _shoot(page: Any, name: str) -> None:
    NOTES.mkdir(parents=True, exist_ok=True)
    for path in screenshot(page, name):
        shutil.copy(path, NOTES / path.name)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert serious_accessibility_violations(page) == []


def _sign_in(page: Any, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/connexion")
    page.select_option("#platform", "limoges")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")


def _server_now(people: dict[str, Any], advance_seconds: float = 0) -> datetime:
    answer = httpx.post(f"{people['url']}/admin/clock", json={"advance_seconds": advance_seconds},
                        headers={"Authorization": f"Bearer {people['admin']}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return datetime.fromisoformat(answer.json()["now"])


def test_invitation_totp_idle_timeout_disable_csrf_and_lock_out(people: dict[str, Any], page: Any,
                                                                chromium: Any) -> None:
    url = people["url"]
    created = subprocess.run(
        [sys.executable, "-m", "relais.cli.main", "users", "create", "--platform", "limoges", "--role", "coordinator",
         "--email", "camille.coord@proximain.example", "--name", "Camille Martin"],
        env=people["env"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    invitation = created.stdout.strip()
    assert invitation.startswith(f"{url}/invitation/")

    # invitation -> first password -> first sign-in, straight to the console
    page.goto(invitation)
    page.fill("#password", PASSWORD)
    page.fill("#confirmation", PASSWORD)
    page.click("button[type=submit]")
    assert "Mot de passe enregistré" in page.inner_text("main")
    _shoot(page, "01-connexion")
    page.fill("#email", "camille.coord@proximain.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/console")
    page.wait_for_selector("#who:not(.hidden)")
    assert "Camille Martin" in page.inner_text("#who")
    assert page.evaluate("document.cookie").count("relais_session") == 0  # HttpOnly: the script cannot read it

    # TOTP enrolment from the QR code page
    page.goto(f"{url}/compte/double-authentification")
    page.click("text=Activer la double authentification")
    secret = page.inner_text("#totp-secret").replace(" ", "")
    _shoot(page, "02-double-authentification")
    page.fill("#code", pyotp.TOTP(secret).at(_server_now(people)))
    page.click("text=Activer")
    assert "Double authentification activée" in page.inner_text("main")

    # sign out, then in again with the password and a code
    page.click("header button[type=submit]")
    assert "Vous êtes déconnecté·e" in page.inner_text("main")
    _sign_in(page, url, "camille.coord@proximain.example", PASSWORD)
    page.wait_for_selector("#code")
    _shoot(page, "03-code")
    page.fill("#code", pyotp.TOTP(secret).at(_server_now(people) + timedelta(seconds=30)))
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/console")

    # work: create an operator's account; the invitation goes out by email
    page.goto(f"{url}/comptes")
    page.fill("#display_name", "Dominique Écoutante")
    page.fill("#email", "dominique@proximain.example")
    page.select_option("#role", "operator")
    page.click("text=Créer et envoyer l'invitation")
    assert "Compte créé" in page.inner_text("main")
    mail = wait_for(lambda: [m for m in received(people["mail"]) if "dominique@proximain.example" in m.to],
                    lambda found: bool(found), "invitation email", timeout=30, interval=0.3)[0]
    assert mail.subject.startswith("Votre compte Relais")
    operator_link = re.search(r"http://\S+/invitation/\S+", mail.text).group(0)
    _shoot(page, "04-comptes")

    # the operator accepts and signs in, in a browser of their own
    operator = chromium.new_context(locale="fr-FR").new_page()
    operator.goto(operator_link)
    operator.fill("#password", OPERATOR_PASSWORD)
    operator.fill("#confirmation", OPERATOR_PASSWORD)
    operator.click("button[type=submit]")
    _sign_in(operator, url, "dominique@proximain.example", OPERATOR_PASSWORD)
    operator.wait_for_url(f"{url}/console")
    operator.wait_for_selector("#who:not(.hidden)")
    assert "Dominique Écoutante" in operator.inner_text("#who")

    # the operator works: logs a call from the console (a POST with the session cookie and its CSRF header)
    operator.fill("#activity", "Jardinage")
    operator.fill("#commune", "Limoges")
    operator.fill("#name", "Claude Usager")
    operator.fill("#phone", "05 55 12 34 56")
    operator.press("#phone", "Enter")
    operator.wait_for_function("document.querySelector('#outcome').textContent.includes('Demande enregistrée')")
    request_id = operator.evaluate("document.querySelector('#outcome').dataset.request")
    read = operator.request.get(f"{url}/platforms/limoges/requests/{request_id}/contact")
    assert read.status == 200 and read.json()["name"] == "Claude Usager"
    timeline = wait_for(lambda: operator.request.get(f"{url}/platforms/limoges/requests/{request_id}").json(),
                        lambda found: bool(found.get("timeline")), "the request's timeline", timeout=30, interval=0.3)
    assert timeline["timeline"][0]["actor"].startswith("operator:acc-")
    assert timeline["timeline"][0]["actor"].endswith("/password")

    # the console's page (intake's port) calls matching (another port) with the cookie, as its script does
    cards = f"{people['matching']}/platforms/limoges/provider-cards"
    fetch = "async ([u, init]) => (await fetch(u, {credentials: 'include', ...init})).status"
    assert operator.evaluate(fetch, [cards, {}]) == 200
    providers = f"{people['matching']}/platforms/limoges/providers"
    post = {"method": "POST", "headers": {"Content-Type": "application/json"}, "body": "{}"}
    assert page.evaluate(fetch, [providers, post]) == 403  # no CSRF header
    csrf = page.evaluate("document.cookie.split('; ').find((c) => c.startsWith('relais_csrf=')).slice(12)")
    with_csrf = {**post, "headers": {**post["headers"], "X-CSRF-Token": csrf}}
    assert page.evaluate(fetch, [providers, with_csrf]) == 422  # past the CSRF check: the empty body is refused

    # the coordinator sees who read the resident's data: the operator by name, signed in by password
    page.goto(f"{url}/comptes?demande={request_id}#lectures")
    reads = page.inner_text("table[aria-label='Lectures des données personnelles']")
    assert "Dominique Écoutante (écoutant·e)" in reads and "mot de passe" in reads
    api = page.request.get(f"{url}/platforms/limoges/requests/{request_id}/reads").json()
    assert api[0]["signed_in_with"] == "mot de passe" and api[0]["account_id"].startswith("acc-")
    assert api[0]["purpose_label"] == f"consultation des coordonnées (demande {request_id})"
    page.locator("#lectures").scroll_into_view_if_needed()
    _shoot(page, "06-lectures")

    # a form posted without its CSRF token is refused, in French
    refused = page.request.post(f"{url}/comptes", form={"display_name": "X", "email": "x@y.fr", "role": "operator"})
    assert refused.status == 403 and "jeton de sécurité" in refused.text()
    bare = page.request.post(f"{url}/platforms/limoges/users", data={"display_name": "X", "email": "x@y.fr",
                                                                        "role": "operator"})
    assert bare.status == 403 and "jeton de sécurité" in bare.json()["detail"]

    # disabling the operator ends their session at their next request
    page.goto(f"{url}/comptes")
    page.click("text=Désactiver")
    assert "désactivé : ses sessions sont fermées" in page.inner_text("main")
    assert operator.request.get(f"{url}/platforms/limoges/policy").status == 401
    assert operator.evaluate(fetch, [cards, {}]) == 401  # in every service at once
    operator.reload()
    operator.wait_for_url(re.compile(r".*/connexion.*"))

    # idle timeout: 31 minutes later the coordinator signs in again
    _server_now(people, advance_seconds=31 * 60)
    page.goto(f"{url}/comptes")
    page.wait_for_selector("text=Connectez-vous pour continuer.")
    _sign_in(page, url, "camille.coord@proximain.example", PASSWORD)
    page.fill("#code", pyotp.TOTP(secret).at(_server_now(people)))
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/console")
    page.wait_for_selector("#who:not(.hidden)")

    # ten wrong passwords lock the account, the page says until when
    locked = chromium.new_context(locale="fr-FR").new_page()
    for _ in range(10):
        _sign_in(locked, url, "camille.coord@proximain.example", "pas le bon mot de passe")
    message = locked.inner_text("[role=alert]")
    assert "verrouillé jusqu'au" in message
    locked.set_viewport_size(PHONE)
    _shoot(locked, "05-verrouille")
    _sign_in(locked, url, "camille.coord@proximain.example", PASSWORD)
    assert "verrouillé jusqu'au" in locked.inner_text("[role=alert]")

    log = people["log"].read_text()
    assert PASSWORD not in log and OPERATOR_PASSWORD not in log and secret not in log
    assert invitation.rsplit("/", 1)[1] not in log


def test_a_federation_admin_signs_in_on_the_federation_and_picks_a_platform(people: dict[str, Any], page: Any) -> None:
    url = people["url"]
    created = subprocess.run(
        [sys.executable, "-m", "relais.cli.main", "users", "create", "--role", "federation_admin",
         "--email", "ops@federation.example", "--name", "Équipe fédération"],
        env=people["env"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    page.goto(created.stdout.strip())
    page.fill("#password", PASSWORD)
    page.fill("#confirmation", PASSWORD)
    page.click("button[type=submit]")
    page.select_option("#platform", "*")
    page.fill("#email", "ops@federation.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/console")
    page.wait_for_selector("#admin-platform:not(.hidden)")
    page.select_option("#admin-platform", "herault")
    page.wait_for_function("document.querySelector('#platform-name').textContent.includes('Hérault')")
    _shoot(page, "07-console-federation")
    assert "Équipe fédération" in page.inner_text("#who")
    page.goto(f"{url}/comptes")
    assert "réservée à la coordination" in page.inner_text("main")
