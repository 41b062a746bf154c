"""The vault on a real database (SQLite and PostgreSQL): sealing, erasure, the read log."""

from __future__ import annotations

import asyncio

import pytest

from shared.privacy.audit import ReadOutcome
from shared.privacy.contact import ResidentContact
from shared.privacy.errors import ReadForbiddenError, ResidentErasedError, TamperedSealError, UnknownResidentError
from shared.privacy.vault import Vault
from shared.security.principals import ALL_PLATFORMS, Principal, Role

pytestmark = pytest.mark.integration

OPERATOR = Principal("limoges", Role.OPERATOR, "op-12", "0123456789abcdef")
CONTACT = ResidentContact(name="Jeanne Martin", phone="05 55 12 34 56", address="3 rue des Tilleuls, 87000 Limoges")


async def test_sealed_contact_unseals_for_an_operator_of_its_platform(vault):
    sealed = await vault.seal("res-1", "limoges", CONTACT)

    data = await vault.unseal(sealed, reader=OPERATOR, purpose="call back about request req-1")

    assert ResidentContact.model_validate(data) == CONTACT


async def test_every_read_is_logged_with_who_when_and_why(vault):
    sealed = await vault.seal("res-1", "limoges", CONTACT)

    await vault.unseal(sealed, reader=OPERATOR, purpose="call back about request req-1")
    await vault.unseal(sealed, reader="system:matching", purpose="send the offer to the provider")

    first, second = await vault.read_log("res-1")
    assert (first.reader, first.reader_role, first.reader_platform, first.token_id) == ("operator:op-12", "operator", "limoges", "0123456789abcdef")
    assert (first.resident_id, first.platform_id, first.purpose, first.outcome) == ("res-1", "limoges", "call back about request req-1", ReadOutcome.READ)
    assert first.read_at.tzinfo is not None
    assert (second.reader, second.reader_role, second.purpose) == ("system:matching", None, "send the offer to the provider")
    assert await vault.read_log("res-2") == []


async def test_a_read_needs_a_purpose(vault):
    sealed = await vault.seal("res-1", "limoges", CONTACT)

    with pytest.raises(ValueError, match="purpose"):
        await vault.unseal(sealed, reader=OPERATOR, purpose="  ")
    assert await vault.read_log() == []


async def test_erased_resident_cannot_be_read_nor_sealed_again(vault):
    sealed = await vault.seal("res-1", "limoges", CONTACT)

    assert await vault.erase("res-1") is True
    assert await vault.erase("res-1") is False

    with pytest.raises(ResidentErasedError):
        await vault.unseal(sealed, reader=OPERATOR, purpose="call back")
    with pytest.raises(ResidentErasedError):
        await vault.seal("res-1", "limoges", CONTACT)
    with pytest.raises(ResidentErasedError):
        await vault.key_for("res-1", "limoges", create=False)
    assert await vault.is_erased("res-1") and not await vault.is_erased("res-2")
    (record,) = await vault.read_log("res-1")
    assert (record.outcome, record.platform_id) == (ReadOutcome.ERASED, "limoges")


async def test_erasure_reaches_another_vault_once_it_forgets_its_cached_key(vault):
    other_process = Vault(vault.engine)
    sealed = await vault.seal("res-1", "limoges", CONTACT)
    await other_process.unseal(sealed, reader="system:feedback", purpose="send the survey")

    await vault.erase("res-1")
    other_process.forget("res-1")

    with pytest.raises(ResidentErasedError):
        await other_process.unseal(sealed, reader="system:feedback", purpose="send the survey")


async def test_cached_keys_expire(vault):
    now = [0.0]
    other_process = Vault(vault.engine, cache_ttl=10, clock=lambda: now[0])
    sealed = await vault.seal("res-1", "limoges", CONTACT)
    await other_process.unseal(sealed, reader="system:feedback", purpose="send the survey")
    await vault.erase("res-1")

    now[0] = 10.5

    with pytest.raises(ResidentErasedError):
        await other_process.unseal(sealed, reader="system:feedback", purpose="send the survey")


async def test_tampered_ciphertext_is_refused_and_logged(vault):
    sealed = await vault.seal("res-1", "limoges", CONTACT)
    tampered = sealed.model_copy(update={"ciphertext": ("A" if sealed.ciphertext[0] != "A" else "B") + sealed.ciphertext[1:]})

    with pytest.raises(TamperedSealError):
        await vault.unseal(tampered, reader=OPERATOR, purpose="call back")
    assert [record.outcome for record in await vault.read_log("res-1")] == [ReadOutcome.TAMPERED]


async def test_readers_of_another_platform_are_refused_but_federation_admins_are_not(vault):
    sealed = await vault.seal("res-1", "limoges", CONTACT)
    brenne_operator = Principal("brenne", Role.OPERATOR, "op-1", "fedcba9876543210")
    admin = Principal(ALL_PLATFORMS, Role.FEDERATION_ADMIN, "admin-1", "00000000000000aa")

    with pytest.raises(ReadForbiddenError):
        await vault.unseal(sealed, reader=brenne_operator, purpose="call back")
    assert (await vault.unseal(sealed, reader=admin, purpose="subject access request"))["name"] == "Jeanne Martin"
    assert [record.outcome for record in await vault.read_log("res-1")] == [ReadOutcome.FORBIDDEN, ReadOutcome.READ]


async def test_analysts_never_read_personal_data(vault):
    sealed = await vault.seal("res-1", "limoges", CONTACT)
    analyst = Principal("limoges", Role.ANALYST, "an-1", "00000000000000bb")

    with pytest.raises(ReadForbiddenError, match="pseudonymised"):
        await vault.unseal(sealed, reader=analyst, purpose="monthly statistics")
    assert [record.outcome for record in await vault.read_log("res-1")] == [ReadOutcome.FORBIDDEN]


async def test_keys_are_per_resident_stable_and_bound_to_one_platform(vault):
    first = await vault.key_for("res-1", "limoges")

    assert await Vault(vault.engine).key_for("res-1", "limoges", create=False) == first
    assert await vault.key_for("res-2", "limoges") != first
    assert len(first) == 32
    with pytest.raises(ValueError, match="belongs to platform 'limoges'"):
        await vault.key_for("res-1", "brenne")
    with pytest.raises(UnknownResidentError):
        await vault.key_for("res-3", "limoges", create=False)


async def test_concurrent_first_uses_agree_on_one_key(vault):
    vaults = [Vault(vault.engine, cache_ttl=0) for _ in range(5)]

    keys = await asyncio.gather(*(each.key_for("res-1", "limoges") for each in vaults))

    assert len(set(keys)) == 1


async def test_data_sealed_in_another_vault_is_unknown_here(vault):
    from shared.privacy.sealing import generate_key, seal_with_key

    foreign = seal_with_key(generate_key(), "res-9", "limoges", CONTACT)

    with pytest.raises(UnknownResidentError):
        await vault.unseal(foreign, reader=OPERATOR, purpose="call back")
    assert [record.outcome for record in await vault.read_log("res-9")] == [ReadOutcome.UNKNOWN]
