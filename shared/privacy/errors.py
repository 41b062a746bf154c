"""Errors of the privacy vault."""

from __future__ import annotations


class ResidentErasedError(LookupError):
    """The resident's key was erased: their personal data can no longer be read (crypto-shredding)."""

    def __init__(self, resident_id: str) -> None:
        super().__init__(f"personal data of resident {resident_id!r} was erased")
        self.resident_id = resident_id


class UnknownResidentError(LookupError):
    """The vault never held a key for this resident (wrong vault, or data sealed elsewhere)."""

    def __init__(self, resident_id: str) -> None:
        super().__init__(f"no key for resident {resident_id!r} in this vault")
        self.resident_id = resident_id


class TamperedSealError(ValueError):
    """The sealed data does not authenticate: altered ciphertext or nonce, or another resident's/platform's key."""


class ReadForbiddenError(PermissionError):
    """The reader belongs to another platform than the resident."""
