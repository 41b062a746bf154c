"""AES-GCM sealing with a resident key, pseudonyms and the contact model (no database)."""

from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError

from shared.contracts.types import Sealed
from shared.privacy.contact import ResidentContact
from shared.privacy.errors import TamperedSealError
from shared.privacy.sealing import generate_key, open_with_key, pseudonymise, seal_with_key

CONTACT = {"name": "Jeanne Martin", "phone": "05 55 12 34 56", "address": "3 rue des Tilleuls, 87000 Limoges"}


def flip_first_byte(text: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    raw[0] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_round_trip():
    key = generate_key()

    sealed = seal_with_key(key, "res-1", "limoges", CONTACT)

    assert isinstance(sealed, Sealed) and sealed.resident_id == "res-1"
    assert "Jeanne" not in sealed.model_dump_json()
    assert len(base64.urlsafe_b64decode(sealed.nonce + "==")) == 12
    assert open_with_key(key, sealed, "limoges") == CONTACT


def test_same_data_seals_differently_each_time():
    key = generate_key()

    first, second = (seal_with_key(key, "res-1", "limoges", CONTACT) for _ in range(2))

    assert first.nonce != second.nonce and first.ciphertext != second.ciphertext


def test_seals_a_pydantic_model_without_its_empty_fields():
    key = generate_key()

    sealed = seal_with_key(key, "res-1", "limoges", ResidentContact(name="Jeanne Martin", phone="0555123456"))

    assert open_with_key(key, sealed, "limoges") == {"name": "Jeanne Martin", "phone": "0555123456"}


@pytest.mark.parametrize("field", ["ciphertext", "nonce"])
def test_tampering_is_detected(field):
    key = generate_key()
    sealed = seal_with_key(key, "res-1", "limoges", CONTACT)
    tampered = sealed.model_copy(update={field: flip_first_byte(getattr(sealed, field))})

    with pytest.raises(TamperedSealError):
        open_with_key(key, tampered, "limoges")


def test_a_ciphertext_moved_to_another_resident_or_platform_does_not_open():
    key = generate_key()
    sealed = seal_with_key(key, "res-1", "limoges", CONTACT)

    with pytest.raises(TamperedSealError):
        open_with_key(key, sealed.model_copy(update={"resident_id": "res-2"}), "limoges")
    with pytest.raises(TamperedSealError):
        open_with_key(key, sealed, "brenne")
    with pytest.raises(TamperedSealError):
        open_with_key(generate_key(), sealed, "limoges")


def test_pseudonyms_are_stable_per_salt_and_unlinkable_without_it():
    first = pseudonymise("res-1", "salt-2025")

    assert first == pseudonymise("res-1", b"salt-2025")
    assert len(first) == 64 and int(first, 16) >= 0
    assert first != pseudonymise("res-1", "salt-2026")
    assert first != pseudonymise("res-2", "salt-2025")
    with pytest.raises(ValueError):
        pseudonymise("res-1", "")


@pytest.mark.parametrize(
    "phone",
    ["05 55 12 34 56", "0555123456", "06.12.34.56.78", "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78", "0033612345678",
     "065 12 34 56", "0471 12 34 56", "+32 471 12 34 56", "+32 65 12 34 56", "02/123.45.67"],
)
def test_french_and_belgian_phone_numbers_are_accepted_and_trimmed(phone):
    contact = ResidentContact(name="  Jeanne Martin ", phone=f" {phone} ")

    assert contact.name == "Jeanne Martin" and contact.phone == phone


@pytest.mark.parametrize("phone", ["12345", "+44 20 7946 0958", "0012345678901", "phone me", "00 00 00 00 00"])
def test_other_phone_numbers_are_refused(phone):
    with pytest.raises(ValidationError, match="phone"):
        ResidentContact(name="Jeanne Martin", phone=phone)


def test_contact_needs_a_name_and_a_way_back():
    assert ResidentContact(name="J", email=" jeanne@example.org ", phone="  ").model_dump(exclude_none=True) == {
        "name": "J",
        "email": "jeanne@example.org",
    }
    with pytest.raises(ValidationError, match="numéro de téléphone ou une adresse électronique"):
        ResidentContact(name="Jeanne Martin", address="3 rue des Tilleuls")
    with pytest.raises(ValidationError):
        ResidentContact(name="   ", phone="0555123456")
    with pytest.raises(ValidationError, match="email"):
        ResidentContact(name="Jeanne", email="not-an-email")
