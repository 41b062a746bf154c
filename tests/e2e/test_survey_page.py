"""The survey page in headless Chromium, served by the feedback service running as a process on the real broker.

An InterventionDone on the bus makes the service send a survey; the browser opens the link (as the
resident would, from the sealed notification), answers once, and a second use of the link is refused.
The browser is Debian's Chromium driven by Playwright (the ``page`` fixture of tests/fixtures/browser.py,
``make system-deps``), sized like a phone screen; the pages are saved as screenshots and checked with axe-core.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import select

from relais.devstack.ports import free_port
from relais.devstack.processes import spawn, stop_process
from services.feedback.adapters.tables import metadata as feedback_metadata
from shared.contracts.codec import encode
from shared.contracts.envelope import new_envelope
from shared.contracts.events.matching import InterventionDone
from shared.contracts.types import Sealed
from shared.messaging.producer import create_producer
from shared.privacy.vault import Vault
from shared.storage.engine import create_engine
from tests.fixtures.browser import PHONE, screenshot, serious_accessibility_violations
from tests.polling import wait_for

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60.0
T = TypeVar("T")


@pytest.fixture
def feedback_service(kafka_bootstrap: str, topic_prefix: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RELAIS_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "RELAIS_TOPIC_PREFIX": topic_prefix,
           "RELAIS_DATA_DIR": str(tmp_path), "RELAIS_PLATFORMS_DIR": str(ROOT / "deploy" / "platforms"),
           "RELAIS_FEEDBACK_PUBLIC_URL": url, "RELAIS_FEEDBACK_SWEEP_INTERVAL": "3600", "PYTHONUNBUFFERED": "1"}
    log = (tmp_path / "feedback.log").open("wb")
    process = spawn([sys.executable, "-m", "uvicorn", "--factory", "services.feedback.entrypoints.app:create_app",
                     "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        wait_for(lambda: _healthy(url, process, tmp_path / "feedback.log"), lambda healthy: healthy is not None,
                 "feedback service health", timeout=TIMEOUT, interval=0.2)
        yield {"url": url, "data": tmp_path, "bootstrap": kafka_bootstrap, "prefix": topic_prefix}
    finally:
        stop_process(process)
        log.close()


def _healthy(url: str, process: Any, log: Path) -> bool | None:
    if process.poll() is not None:
        raise AssertionError(f"the feedback service exited ({process.returncode}):\n{log.read_text()[-3000:]}")
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200 or None
    except httpx.TransportError:
        return None


async def _publish_intervention(service: dict[str, Any], request_id: str) -> None:
    done = InterventionDone(
        request_id=request_id, provider_id="prv-1", resident_id="res-e2e", activity="gardening", commune="87085",
        done_on=date(2026, 3, 1), labour_hours="2.00", labour_amount_excl_tax="60.00", travel_amount_excl_tax="5.00",
        amount_excl_tax="65.00",
    )
    record = encode(new_envelope(done, platform_id="limoges", aggregate_id=request_id, aggregate_version=4,
                                 actor="provider:prv-1"), service["prefix"])
    producer = create_producer(service["bootstrap"], client_id="e2e-matching")
    await producer.start()
    try:
        await producer.send_and_wait(record.topic, record.value, key=record.key, headers=list(record.headers))
    finally:
        await producer.stop()


async def _survey_link(service: dict[str, Any], request_id: str) -> str | None:
    """The link of the request's survey, opened from the notifications outbox like the sender would."""
    tables = feedback_metadata().tables
    surveys, notifications = tables["surveys"], tables["notifications"]
    engine = create_engine(f"sqlite+aiosqlite:///{service['data'] / 'feedback.db'}")
    vault = Vault(create_engine(f"sqlite+aiosqlite:///{service['data'] / 'vault.db'}"))
    try:
        async with engine.connect() as conn:
            message = (await conn.execute(
                select(notifications.c.message).join(surveys, surveys.c.survey_id == notifications.c.reference)
                .where(surveys.c.request_id == request_id, notifications.c.kind == "survey"))).scalar()
        if message is None:
            return None
        opened = await vault.unseal(Sealed.model_validate_json(message), reader="system:e2e-sender", purpose="send survey")
        return str(opened["link"])
    finally:
        await engine.dispose()
        await vault.engine.dispose()


async def _answer_events(service: dict[str, Any], request_id: str) -> list[str]:
    events = feedback_metadata().tables["events"]
    engine = create_engine(f"sqlite+aiosqlite:///{service['data'] / 'feedback.db'}")
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(select(events.c.event_type).where(events.c.aggregate_id == request_id)
                                      .order_by(events.c.aggregate_version))
            return list(rows.scalars())
    finally:
        await engine.dispose()


def run_async(coroutine: Any) -> Any:
    """Run ``coroutine`` to its end in a thread of its own: Playwright's sync API keeps an event loop on this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_answer_once_in_chromium_then_the_link_is_refused(feedback_service: dict[str, Any], page: Any) -> None:
    run_async(_publish_intervention(feedback_service, "req-e2e"))
    link = wait_for(lambda: run_async(_survey_link(feedback_service, "req-e2e")), lambda found: found is not None,
                    "survey sent", timeout=TIMEOUT, interval=0.2)

    page.set_viewport_size(PHONE)
    page.goto(link)
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert page.locator("h1").inner_text() == "Votre avis sur l'intervention"
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('input, textarea')].filter(e => e.labels.length === 0).map(e => e.id)")
    assert unlabelled == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    assert not serious_accessibility_violations(page)
    screenshot(page, "30-questionnaire")

    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Quelques réponses manquent" in page.locator("[role=alert]").inner_text()
    screenshot(page, "31-questionnaire-incomplet")

    for field_id in ("punctuality-4", "quality-5", "would_recommend-oui", "would_call_platform_again-oui",
                     "platform_made_it_easier-oui"):
        page.locator(f'label[for="{field_id}"]').click()
    page.fill("#comment", "Travail soigné, merci.")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Merci !"
    screenshot(page, "32-questionnaire-merci")

    page.goto(link)
    assert page.locator("h1").inner_text() == "Vous avez déjà répondu"
    assert httpx.get(link).status_code == 410
    assert httpx.post(link, data={"punctuality": "1"}).status_code == 410
    assert run_async(_answer_events(feedback_service, "req-e2e")) == ["SurveySent", "SurveyAnswered"]
