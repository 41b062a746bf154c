"""An offer reaches a provider by email and its link works in Chromium, down to billing's adjusting entry.

Matching and billing run as processes on the real broker, their email going to a real SMTP server
(the demo's sink). A logged request on the bus makes matching offer it to the only provider of the
rotation; exactly one offer email arrives, even after matching restarts. The provider opens the
link in headless Chromium (phone-sized), accepts (the resident's contact appears), confirms the
contact, declares the intervention, then corrects it: billing's ledger shows the fee and its adjustment.
No phone number, address or link reaches the services' logs.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By

from relais.devstack.ports import free_port
from relais.devstack.processes import spawn, stop_process
from relais.devstack.smtp_sink import SmtpSink
from shared.blocking import run_blocking
from shared.contracts.codec import encode
from shared.contracts.envelope import new_envelope
from shared.contracts.events.intake import RequestLogged
from shared.contracts.types import Channel
from shared.messaging.producer import create_producer
from shared.privacy.contact import ResidentContact
from shared.privacy.vault import Vault
from shared.security.principals import Role
from shared.security.tokens import TokenRegistry
from shared.storage.engine import create_engine
from tests.polling import wait_for

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60.0
PHONE_SCREEN = (390, 844)
JEANNE = ResidentContact(name="Jeanne Exemple", phone="05 36 49 00 77", email="jeanne.e2e@example.org",
                         address="3 rue de l'Exemple, 87000 Limoges")


class Stack:
    """Matching and billing as processes (``relais serve``, as ``relais up`` runs them) sharing a data folder, a
    token file and an SMTP sink."""

    def __init__(self, kafka_bootstrap: str, topic_prefix: str, data: Path, sink: SmtpSink) -> None:
        self.data, self.sink, self.bootstrap, self.prefix = data, sink, kafka_bootstrap, topic_prefix
        self.urls = {name: f"http://127.0.0.1:{free_port()}" for name in ("matching", "billing")}
        self.env = {**os.environ, "RELAIS_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "RELAIS_TOPIC_PREFIX": topic_prefix,
                    "RELAIS_DATA_DIR": str(data), "RELAIS_PLATFORMS_DIR": str(ROOT / "deploy" / "platforms"),
                    "RELAIS_TOKENS_FILE": str(data / "tokens.yaml"), "RELAIS_MATCHING_URL": self.urls["matching"],
                    "RELAIS_OUTGOING_INTERVAL": "0.5", "PYTHONUNBUFFERED": "1", **sink.service_env()}
        self.processes: dict[str, Any] = {}

    def start(self, name: str) -> None:
        port = self.urls[name].rsplit(":", 1)[1]
        log = (self.data / f"{name}.log").open("ab")
        self.processes[name] = spawn([sys.executable, "-m", "relais.cli.main", "serve", name, "--host", "127.0.0.1",
                                      "--port", port], env=self.env, cwd=ROOT, stdout=log, stderr=log)
        wait_for(lambda: self._healthy(name), lambda healthy: healthy is not None, f"{name} health",
                 timeout=TIMEOUT, interval=0.2)

    def stop(self, name: str) -> None:
        stop_process(self.processes.pop(name))

    def _healthy(self, name: str) -> bool | None:
        process = self.processes[name]
        if process.poll() is not None:
            raise AssertionError(f"{name} exited:\n{(self.data / f'{name}.log').read_text()[-3000:]}")
        try:
            return httpx.get(f"{self.urls[name]}/health", timeout=2).status_code == 200 or None
        except httpx.TransportError:
            return None

    def token(self, role: Role, subject: str) -> dict[str, str]:
        plaintext, _ = TokenRegistry.load(self.data / "tokens.yaml").issue("limoges", role, subject)
        return {"Authorization": f"Bearer {plaintext}"}


@pytest.fixture
def stack(kafka_bootstrap: str, topic_prefix: str, tmp_path: Path) -> Iterator[Stack]:
    with SmtpSink(tmp_path / "mail") as sink:
        running = Stack(kafka_bootstrap, topic_prefix, tmp_path, sink)
        try:
            running.start("matching")
            running.start("billing")
            yield running
        finally:
            for name in list(running.processes):
                running.stop(name)


async def _log_request(stack: Stack) -> None:
    vault = Vault(create_engine(f"sqlite+aiosqlite:///{stack.data / 'vault.db'}"))
    try:
        contact = await vault.seal("res-e2e", "limoges", JEANNE)
    finally:
        await vault.engine.dispose()
    logged = RequestLogged(request_id="req-e2e-1", channel=Channel.PHONE, activity="gardening", commune="87085",
                           resident_id="res-e2e", contact=contact)
    record = encode(new_envelope(logged, platform_id="limoges", aggregate_id="req-e2e-1", aggregate_version=1,
                                 actor="operator:op-1"), stack.prefix)
    producer = create_producer(stack.bootstrap, client_id="e2e-intake")
    await producer.start()
    try:
        await producer.send_and_wait(record.topic, record.value, key=record.key, headers=list(record.headers))
    finally:
        await producer.stop()


def _offer_links(stack: Stack) -> list[str]:
    return [link for message in stack.sink.messages()
            for link in re.findall(r"http://\S+/o/\S+", message.get_body(preferencelist=("plain",)).get_content())]


def _post(browser: Any, form_action: str, **fields: str) -> None:
    form = browser.find_element(By.XPATH, f"//input[@name='action'][@value='{form_action}']/..")
    for name, value in fields.items():
        field = form.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    browser.execute_script("window.relaisOldPage = true")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(lambda: browser.execute_script("return window.relaisOldPage === undefined && document.readyState === "
                                            "'complete'"), bool, f"page after {form_action}", timeout=30, interval=0.1)


def test_the_provider_accepts_works_and_corrects_from_the_emailed_link(stack: Stack, browser: Any) -> None:
    coordinator = stack.token(Role.COORDINATOR, "co-e2e")
    matching = stack.urls["matching"]
    created = httpx.post(f"{matching}/platforms/limoges/providers", headers=coordinator, json={
        "name": "Jardins de l'Essai", "kind": "artisan", "siret": "12345678901234", "activities": ["gardening"],
        "communes": ["87085"], "email": "essai@prestataires.example", "offers_by": ["email"]})
    assert created.status_code == 201, created.text
    provider_id = created.json()["id"]
    admitted = httpx.post(f"{matching}/platforms/limoges/providers/{provider_id}/committee-decision", headers=coordinator,
                          json={"decision": "admitted", "committee_on": "2020-01-06", "charter_signed_at": "2020-01-06T10:00:00Z",
                                "members": [{"body": "ccas", "label": "CCAS de Limoges"}]})
    assert admitted.status_code == 200, admitted.text

    run_blocking(_log_request(stack))
    (link,) = wait_for(lambda: _offer_links(stack), bool, "offer email", timeout=TIMEOUT, interval=0.3)
    stack.stop("matching")
    stack.start("matching")  # a restarted matching (relay, consumers, sender) sends nothing again

    browser.set_window_size(*PHONE_SCREEN)
    browser.get(link)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Demande : Jardinage à Limoges"
    assert "Jeanne Exemple" not in browser.page_source
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    _post(browser, "accept")
    assert "Jeanne Exemple" in browser.page_source and "05 36 49 00 77" in browser.page_source
    _post(browser, "contact")
    today = browser.find_element(By.ID, "done-done_on").get_attribute("value")
    _post(browser, "done", labour_hours="2,5", labour="75", travel="8,50")
    assert "Intervention enregistrée" in browser.page_source and "83,50 €" in browser.page_source
    _post(browser, "correct", labour_hours="3", labour="90", reason="une demi-heure oubliée")
    assert "Correction enregistrée" in browser.page_source and "98,50 €" in browser.page_source
    assert today

    def entries() -> list[dict[str, Any]]:
        account = httpx.get(f"{stack.urls['billing']}/platforms/limoges/accounts/{provider_id}", headers=coordinator)
        return account.json().get("entries", []) if account.status_code == 200 else []

    booked = wait_for(entries, lambda found: any(e["kind"] == "adjustment" for e in found), "billing adjustment",
                      timeout=TIMEOUT, interval=0.5)
    fees = {e["kind"]: e["amount"] for e in booked if e["request_id"] == "req-e2e-1"}
    assert fees["fee"] == "4.18" and fees["adjustment"] == "0.75"  # 5 % of 83.50, then of the 15.00 more
    assert len(_offer_links(stack)) == 1
    logs = "".join((stack.data / f"{name}.log").read_text() for name in ("matching", "billing"))
    for secret in ("05 36 49 00 77", "rue de l'Exemple", "jeanne.e2e", link.rsplit("/", 1)[1]):
        assert secret not in logs
