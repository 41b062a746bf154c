"""`relais erase-resident`: the resident's data becomes unreadable everywhere; counts and fees stay.

Also: reading a resident's contact is allowed to the platform's operators only, and audited.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from relais.cli.main import app as relais
from relais.export.dataset import export
from shared.contracts.codec import decode
from shared.contracts.events.privacy import ResidentErased
from shared.contracts.topics import PRIVACY, physical
from shared.privacy.audit import ReadOutcome
from shared.privacy.errors import ResidentErasedError
from shared.privacy.vault import Vault
from shared.security.principals import Role
from shared.security.tokens import parse_token_id
from shared.settings import Settings
from shared.storage.engine import create_engine
from tests.polling import wait_for
from tests.security.federation import Federation, Intervention, check
from tests.security.traces import (
    broker_records,
    files_containing,
    sealed_in,
    sealed_in_stores,
)

pytestmark = pytest.mark.integration

PLATFORM = "limoges"
READER = "system:security-tests"


def cli_env(settings: Settings) -> dict[str, str]:
    return {"RELAIS_DATA_DIR": str(settings.data_dir), "RELAIS_TOPIC_PREFIX": settings.topic_prefix,
            "RELAIS_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
            "RELAIS_PLATFORMS_DIR": str(settings.platforms_dir), "RELAIS_TOKENS_FILE": str(settings.tokens_file)}


def figures(federation: Federation, done: Intervention) -> dict[str, Any]:
    """Everything that must not change when a resident is erased: counts, statuses, fees, surveys."""
    platform, year = done.platform_id, datetime.now(UTC).year
    return {
        "requests": sorted((row["request_id"], row["status"], row["provider_id"]) for row in federation.requests(platform)),
        "observatory": federation.get("intake", f"/platforms/{platform}/observatory"),
        "published": federation.get("intake", f"/platforms/{platform}/observatory", published=True),
        "account": federation.get("billing", f"/platforms/{platform}/accounts/{done.provider_id}"),
        "totals": federation.get("billing", f"/platforms/{platform}/totals/{year}"),
        "surveys": federation.get("feedback", f"/platforms/{platform}/surveys"),
    }


async def unseal_all(settings: Settings, sealed: list[Any]) -> list[str]:
    """The outcome of opening each sealed value with a fresh vault (no cache): the error's name or 'opened'."""
    engine = create_engine(settings.vault_database_url())
    outcomes = []
    try:
        vault = Vault(engine, cache_ttl=0)
        for value in sealed:
            try:
                await vault.unseal(value, reader=READER, purpose="check the erasure")
                outcomes.append("opened")
            except ResidentErasedError as error:
                outcomes.append(type(error).__name__)
    finally:
        await engine.dispose()
    return outcomes


async def audit_log(settings: Settings, resident_id: str) -> list[Any]:
    engine = create_engine(settings.vault_database_url())
    try:
        return await Vault(engine).read_log(resident_id)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def done(federation: Federation) -> Intervention:
    done = federation.intervention(PLATFORM, charged=True)

    def row() -> dict:
        return next(r for r in federation.requests(PLATFORM) if r["request_id"] == done.request_id)

    wait_for(lambda: row()["status"] == "done", timeout=60, what="intake's view of the intervention")
    return done


def test_reading_a_contact_is_for_the_platform_operators_and_audited(federation: Federation,
                                                                     done: Intervention) -> None:
    stack, path = federation.stack, f"/platforms/{PLATFORM}/requests/{done.request_id}/contact"
    operator = stack.token(PLATFORM, Role.OPERATOR, "op-audit")
    before = datetime.now(UTC)
    with stack.client("intake", operator) as client:
        contact = check(client.get(path))
    assert contact["resident_id"] == done.resident_id and contact["name"]
    for role in (Role.ANALYST, Role.PROVIDER):
        with stack.client("intake", stack.token(PLATFORM, role, done.provider_id)) as client:
            assert client.get(path).status_code == 403
    with stack.client("intake", stack.token("herault", Role.OPERATOR, "op-h")) as client:
        refused = client.get(path)
        assert refused.status_code == 403 and refused.json()["error"] == "not_your_platform"  # issue 16

    records = asyncio.run(audit_log(stack.settings, done.resident_id))
    reads = [r for r in records if r.reader == "operator:op-audit"]
    assert len(reads) == 1, records
    (read,) = reads
    assert read.outcome is ReadOutcome.READ and read.reader_role == "operator" and read.reader_platform == PLATFORM
    assert read.token_id == parse_token_id(operator["Authorization"].removeprefix("Bearer "))
    assert read.platform_id == PLATFORM and done.request_id in read.purpose
    assert before - timedelta(seconds=5) <= read.read_at <= datetime.now(UTC)


def test_erase_resident_makes_the_data_unreadable_and_keeps_counts_and_fees(
        federation: Federation, done: Intervention, tmp_path: Path) -> None:
    stack, settings, resident = federation.stack, federation.stack.settings, done.resident_id
    contact = federation.get("intake", f"/platforms/{PLATFORM}/requests/{done.request_id}/contact")
    personal = [contact[key] for key in ("name", "phone", "email", "address") if contact.get(key)]
    stored = asyncio.run(sealed_in_stores(settings, resident))
    assert "intake.events" in stored and any(name.startswith("feedback.") for name in stored), stored.keys()
    assert set(asyncio.run(unseal_all(settings, [s for values in stored.values() for s in values]))) == {"opened"}
    kept = figures(federation, done)
    assert kept["account"]["entries"], "the intervention was charged a fee"

    result = CliRunner().invoke(relais, ["erase-resident", resident, "--platform", PLATFORM], env=cli_env(settings))
    assert result.exit_code == 0, result.output
    assert resident in result.output and "deleted from the vault" in result.output
    assert not [value for value in personal if value in result.output]

    def erasure_on_the_bus() -> list[Any]:
        records = asyncio.run(broker_records(settings))
        privacy = [decode(r.value) for r in records if r.topic == physical(PRIVACY, settings.topic_prefix)]
        return [e for e in privacy if isinstance(e.payload, ResidentErased) and e.payload.resident_id == resident]

    erased = wait_for(erasure_on_the_bus, timeout=30, what="ResidentErased on the privacy topic")
    assert len(erased) == 1 and erased[0].platform_id == PLATFORM

    stored_after = asyncio.run(sealed_in_stores(settings, resident))
    assert stored_after.keys() == stored.keys()
    assert set(asyncio.run(unseal_all(settings, [s for values in stored_after.values() for s in values]))) == {
        "ResidentErasedError"}
    on_the_bus = [s for record in asyncio.run(broker_records(settings)) for s in sealed_in(record.value, resident)]
    assert on_the_bus and set(asyncio.run(unseal_all(settings, on_the_bus))) == {"ResidentErasedError"}
    assert not files_containing(settings.data_dir, personal), "personal data in clear in a store"

    with stack.client("intake", stack.token(PLATFORM, Role.COORDINATOR, "co-audit")) as client:
        gone = client.get(f"/platforms/{PLATFORM}/requests/{done.request_id}/contact")
    assert gone.status_code == 410 and gone.json()["error"] == "resident_erased"
    assert asyncio.run(audit_log(settings, resident))[-1].outcome is ReadOutcome.ERASED

    exported = asyncio.run(export(settings, tmp_path / "export", salt="security-tests", formats=("csv",)))
    assert exported.tables
    assert not files_containing(tmp_path / "export", [*personal, resident]), "personal data or raw ids exported"

    assert figures(federation, done) == kept

    again = CliRunner().invoke(relais, ["erase-resident", resident], env=cli_env(settings))
    assert again.exit_code == 0 and "already absent" in again.output and "not appended twice" in again.output


def test_erasure_refuses_an_unknown_resident_without_platform_and_a_wrong_platform(
        federation: Federation, done: Intervention) -> None:
    env = cli_env(federation.stack.settings)
    unknown = CliRunner().invoke(relais, ["erase-resident", "res-nobody"], env=env)
    assert unknown.exit_code == 1 and "--platform" in unknown.output
    elsewhere = CliRunner().invoke(relais, ["erase-resident", done.resident_id, "--platform", "herault"], env=env)
    assert elsewhere.exit_code == 1 and "belongs to platform 'limoges'" in elsewhere.output
