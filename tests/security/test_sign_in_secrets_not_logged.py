"""No password, TOTP secret or code, session id, CSRF token, invitation or reset token in the logs of people signing in.

Intake runs in this test at DEBUG level with its access log on; a coordinator is invited, chooses a password,
fails once, signs in, turns TOTP on, signs out, signs in with a code, asks for a password reset and uses it,
invites a colleague. Then every log record (caplog) and everything written to stdout/stderr (capfd) is
searched for each secret met on the way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pyotp
import pytest
from sqlalchemy import select

from shared.security.principals import Role
from shared.security.sessions import CSRF_COOKIE, SESSION_COOKIE
from shared.security.web import Identity
from shared.settings import Settings
from tests.security.live import LiveStack, stack_settings

pytestmark = pytest.mark.integration

FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(threadName)s %(message)s")
PASSWORD = "correct horse battery staple"
WRONG = "incorrect mule battery staple"
NEW_PASSWORD = "a brand new passphrase here"


async def _invite(settings: Settings) -> str:
    identity = Identity.from_settings(settings)
    try:
        await identity.store.migrate()
        _, link = await identity.accounts.invite(platform_id="limoges", role=Role.COORDINATOR, email="log@scan.example",
                                                 display_name="Log Scan", created_by="tests", now=identity.now(),
                                                 base_url=settings.console_url, send=False)
        return link
    finally:
        await identity.store.close()


async def _outbox_links(settings: Settings) -> list[str]:
    identity = Identity.from_settings(settings)
    table = identity.store.metadata.tables["notifications"]
    try:
        async with identity.store.engine.connect() as connection:
            messages = (await connection.execute(select(table.c.message))).scalars().all()
        return [json.loads(message)["link"] for message in messages if message]
    finally:
        await identity.store.close()


def _csrf(client: httpx.Client) -> str:
    return client.cookies.get(CSRF_COOKIE) or ""


def _form(client: httpx.Client, path: str, **fields: str) -> httpx.Response:
    client.get(path if not path.startswith("/connexion/") else "/connexion")
    return client.post(path, data={"csrf_token": _csrf(client), **fields})


def test_signing_in_logs_no_password_code_session_or_link(kafka_bootstrap: str, tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture,
                                                          capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    settings = stack_settings(tmp_path / "data", kafka_bootstrap)
    stack = LiveStack(settings, ["intake"], access_log=True).start()
    secrets: list[str] = [PASSWORD, WRONG, NEW_PASSWORD]
    try:
        url = stack.urls["intake"]
        invitation = asyncio.run(_invite(settings))
        token = invitation.rsplit("/", 1)[1]
        secrets.append(token)
        with httpx.Client(base_url=url, timeout=30) as browser:
            path = f"/invitation/{token}"
            opened = browser.get(path)
            assert opened.headers["referrer-policy"] == "no-referrer" and opened.headers["x-frame-options"] == "DENY"
            assert browser.post(path, data={"csrf_token": _csrf(browser), "password": PASSWORD,
                                            "confirmation": PASSWORD}).status_code == 303
            assert _form(browser, "/connexion", platform="limoges", email="log@scan.example",
                         password=WRONG).status_code == 401
            assert _form(browser, "/connexion", platform="limoges", email="log@scan.example",
                         password=PASSWORD).status_code == 303
            secrets += [browser.cookies[SESSION_COOKIE], _csrf(browser)]
            enrol = browser.post("/compte/double-authentification/nouvelle-cle", data={"csrf_token": _csrf(browser)})
            secret = re.search(r'id="totp-secret">([A-Z0-9 ]+)<', enrol.text).group(1).replace(" ", "")
            code = pyotp.TOTP(secret).now()
            secrets.append(secret)  # the codes are 6 digits: any timestamp may hold them, and they are used up
            assert "activée" in browser.post("/compte/double-authentification",
                                             data={"csrf_token": _csrf(browser), "code": code}).text
            browser.post("/deconnexion", data={"csrf_token": _csrf(browser)})
            asked = _form(browser, "/connexion", platform="limoges", email="log@scan.example", password=PASSWORD)
            assert 'name="code"' in asked.text
            pending = browser.cookies.get("relais_sign_in") or ""
            secrets.append(pending)
            # the next time step's code: the one just used for the enrolment is never accepted twice
            second = pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))
            signed = browser.post("/connexion/code", data={"csrf_token": _csrf(browser), "code": second})
            assert signed.status_code == 303, signed.text
            secrets += [browser.cookies[SESSION_COOKIE], _csrf(browser)]
            assert browser.post("/platforms/limoges/users", headers={"X-CSRF-Token": _csrf(browser)}, json={
                "email": "colleague@scan.example", "display_name": "Colleague", "role": "operator"}).status_code == 201
            assert _form(browser, "/reinitialisation", platform="limoges", email="log@scan.example").status_code == 200
        links = asyncio.run(_outbox_links(settings))
        assert len(links) == 2
        reset = next(link for link in links if "/reinitialisation/" in link)
        with httpx.Client(base_url=url, timeout=30) as browser:
            path = urlsplit(reset).path
            browser.get(path)
            assert browser.post(path, data={"csrf_token": _csrf(browser), "password": NEW_PASSWORD,
                                            "confirmation": NEW_PASSWORD}).status_code == 303
        secrets += [link.rsplit("/", 1)[1] for link in links]
    finally:
        stack.stop()

    streams = capfd.readouterr()
    # the test's own HTTP client plays the browser: its httpx/httpcore records are the browser's, not Relais' logs
    relais_records = [record for record in caplog.records if not record.name.startswith(("httpx", "httpcore"))]
    logs = "\n".join(FORMAT.format(record) for record in relais_records)
    assert "POST /connexion" in logs, "the access log was captured"
    captured = {"log records": logs, "stdout": streams.out, "stderr": streams.err}
    leaks = [f"{where}: {needle[:6]}... in {line[:160]!r}" for where, text in captured.items() for needle in secrets
             if needle in text for line in text.splitlines() if needle in line][:20]
    print(f"\nsign-in log scan: {len(relais_records)} records, {len(secrets)} secrets, {len(leaks)} leaks")
    assert not leaks, "\n".join(leaks)
