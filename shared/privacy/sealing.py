"""AES-GCM sealing of personal data with a resident's key, and pseudonyms for exports. No I/O here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel

from shared.contracts.types import Sealed
from shared.privacy.errors import TamperedSealError

KEY_BYTES = 32
NONCE_BYTES = 12


def generate_key() -> bytes:
    """A new AES-256 key."""
    return AESGCM.generate_key(bit_length=8 * KEY_BYTES)


def associated_data(resident_id: str, platform_id: str) -> bytes:
    """Binds a ciphertext to its resident and platform: moving it to another resident fails to open."""
    return json.dumps(["relais.sealed.v1", resident_id, platform_id]).encode()


def seal_with_key(key: bytes, resident_id: str, platform_id: str, data: Mapping[str, Any] | BaseModel) -> Sealed:
    """Encrypt ``data`` (a JSON-able mapping, or a pydantic model without its unset/None fields)."""
    document = data.model_dump(mode="json", exclude_none=True) if isinstance(data, BaseModel) else dict(data)
    plaintext = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, associated_data(resident_id, platform_id))
    return Sealed(resident_id=resident_id, nonce=_b64encode(nonce), ciphertext=_b64encode(ciphertext))


def open_with_key(key: bytes, sealed: Sealed, platform_id: str) -> dict[str, Any]:
    """Decrypt ``sealed``; ``TamperedSealError`` when it does not authenticate."""
    try:
        nonce = _b64decode(sealed.nonce)
        ciphertext = _b64decode(sealed.ciphertext)
        plaintext = AESGCM(key).decrypt(nonce, ciphertext, associated_data(sealed.resident_id, platform_id))
    except (InvalidTag, ValueError) as error:
        raise TamperedSealError(f"sealed data of resident {sealed.resident_id!r} does not authenticate") from error
    document = json.loads(plaintext)
    if not isinstance(document, dict):
        raise TamperedSealError("sealed data is not a JSON object")
    return document


def pseudonymise(resident_id: str, salt: str | bytes) -> str:
    """A stable pseudonym (HMAC-SHA256, hex) for analyst exports; without ``salt`` it cannot be linked back."""
    key = salt.encode() if isinstance(salt, str) else salt
    if not key:
        raise ValueError("pseudonymise needs a non-empty salt")
    return hmac.new(key, resident_id.encode(), hashlib.sha256).hexdigest()


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
