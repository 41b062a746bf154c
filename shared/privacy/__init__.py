"""Residents' personal data: sealed with per-resident keys, erased by deleting the key, every read logged."""

from shared.privacy.contact import ResidentContact
from shared.privacy.errors import ReadForbiddenError, ResidentErasedError, TamperedSealError, UnknownResidentError
from shared.privacy.sealing import pseudonymise
from shared.privacy.vault import Vault

__all__ = [
    "ReadForbiddenError",
    "ResidentContact",
    "ResidentErasedError",
    "TamperedSealError",
    "UnknownResidentError",
    "Vault",
    "pseudonymise",
]
