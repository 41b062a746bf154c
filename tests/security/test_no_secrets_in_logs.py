"""No personal data and no secret in the logs of an end-to-end run.

The four services start in this test (their start-up is logged too), at DEBUG level with access logs
on; the demo federation is loaded (the demo residents' names, phones, emails and addresses go
through intake), a request is taken to the end (fee, survey), a contact is read, bad tokens are
tried, a resident is erased. Then every log record (caplog) and everything written to the process's
stdout/stderr (capfd) is searched for the residents' data, the API tokens and the survey links.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import Any

import pytest

from relais.devstack.demo_data import DEMO_DESK_IDS, DEMO_PLATFORM_IDS, demo_residents
from relais.services import registered
from shared.privacy.erasure import erase_resident
from shared.privacy.vault import Vault
from shared.security.principals import Role
from shared.settings import Settings
from shared.storage.engine import create_engine
from tests.security.federation import Federation, check
from tests.security.live import LiveStack, stack_settings
from tests.security.traces import sealed_in_stores

pytestmark = pytest.mark.integration

FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(threadName)s %(message)s")


def residents_data() -> list[str]:
    values = []
    for platform_id in DEMO_PLATFORM_IDS:
        for resident in demo_residents(platform_id):
            values += [resident[key] for key in ("name", "phone", "email", "address") if resident.get(key)]
            if resident.get("phone"):
                values.append(re.sub(r"\D", "", resident["phone"]))
    return values


def token_secrets(tokens: list[str]) -> list[str]:
    """Each plaintext token, and its secret part alone."""
    return [part for token in tokens for part in (token, token.split("_", 2)[2])]


def plaintexts(credentials: dict[str, dict[str, str]], *headers: dict[str, str]) -> list[str]:
    found = [token for users in credentials.values() for token in users.values()]
    return found + [header["Authorization"].removeprefix("Bearer ") for header in headers]


async def survey_links(settings: Settings, resident_id: str) -> list[str]:
    sealed = [s for name, values in (await sealed_in_stores(settings, resident_id)).items()
              if name.startswith("feedback.") for s in values]
    engine = create_engine(settings.vault_database_url())
    try:
        vault = Vault(engine, cache_ttl=0)
        opened = [await vault.unseal(s, reader="system:security-tests", purpose="find the survey link") for s in sealed]
    finally:
        await engine.dispose()
    return [document["link"] for document in opened if "link" in document]


def run_the_federation(settings: Settings) -> tuple[list[str], int]:
    """The end-to-end run; returns the secrets it used (tokens, survey links) and the requests it made."""
    stack = LiveStack(settings, access_log=True).start()
    try:
        federation = Federation(stack)
        done = federation.intervention("limoges", charged=True)
        operator = stack.token("limoges", Role.OPERATOR, "op-logs")
        with stack.client("intake", operator) as client:
            check(client.get(f"/platforms/limoges/requests/{done.request_id}/contact"))
            bad = client.post("/platforms/limoges/requests", json={
                "channel": "phone", "activity": "gardening", "commune": "87085",
                "contact": {"name": demo_residents("limoges")[0]["name"], "phone": "not a phone"}})
            assert bad.status_code == 422
        forged = f"{operator['Authorization'][:-6]}XXXXXX"
        with stack.client("intake", {"Authorization": forged}) as client:
            assert client.get("/platforms/limoges/requests").status_code == 401
        links = asyncio.run(survey_links(settings, done.resident_id))
        assert links, "a survey link was sent"
        asyncio.run(erase_resident(settings, done.resident_id, intake_migrations=registered("intake").migrations,
                                   requested_by="resident"))
        secrets = token_secrets(plaintexts(federation.credentials, federation.admin, operator)) + links
        secrets += [forged.removeprefix("Bearer ")]
        return secrets, len(federation.platforms)
    finally:
        stack.stop()


def test_an_end_to_end_run_logs_no_personal_data_nor_secret(kafka_bootstrap: str, tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture,
                                                            capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    secrets, platforms = run_the_federation(stack_settings(tmp_path / "data", kafka_bootstrap))
    streams = capfd.readouterr()
    logs = "\n".join(FORMAT.format(record) for record in caplog.records)
    captured: dict[str, Any] = {"log records": logs, "stdout": streams.out, "stderr": streams.err}
    assert platforms == len(DEMO_PLATFORM_IDS + DEMO_DESK_IDS)
    assert "POST /platforms/limoges/requests" in logs, "the access log was captured"
    assert len(caplog.records) > 1000

    needles = residents_data() + secrets
    leaks = [f"{where}: {needle[:12]}..." for where, text in captured.items() for needle in needles if needle in text]
    print(f"\nlog scan: {len(caplog.records)} records, {len(streams.out) + len(streams.err)} chars of stdout/stderr, "
          f"{len(needles)} needles ({len(residents_data())} resident values, {len(secrets)} secrets), "
          f"{len(leaks)} leaks")
    assert not leaks, "\n".join(leaks)
