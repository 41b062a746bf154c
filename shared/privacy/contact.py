"""The resident's contact details: the usual payload sealed into ``contact`` fields of events."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_PHONE_SEPARATORS = re.compile(r"[\s.\-/()]")
_PHONE_PATTERNS = (
    re.compile(r"^0[1-9][0-9]{7,8}$"),  # national: FR 0X XX XX XX XX (10 digits), BE 0X XXX XX XX or 04XX XX XX XX
    re.compile(r"^(?:\+|00)330?[1-9][0-9]{8}$"),  # France, international, "+33 (0)6 ..." too
    re.compile(r"^(?:\+|00)320?[1-9][0-9]{7,8}$"),  # Belgium, international
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_phone_number(text: str) -> bool:
    """Loose check for a French or Belgian number, national or international, with usual separators."""
    compact = _PHONE_SEPARATORS.sub("", text)
    return any(pattern.match(compact) for pattern in _PHONE_PATTERNS)


class ResidentContact(BaseModel):
    """Name and ways to reach a resident (or a caller who left a message). Always sealed, never plain."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200, description="Name as the resident gave it.")
    phone: str | None = Field(default=None, max_length=40, description="French or Belgian phone number.", examples=["05 55 12 34 56"])
    address: str | None = Field(default=None, max_length=400, description="Postal address of the intervention.")
    email: str | None = Field(default=None, max_length=254)
    message: str | None = Field(default=None, max_length=2000, description="What the caller said (voicemail, form).")

    @field_validator("phone", "address", "email", "message", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not is_phone_number(value):
            raise ValueError("numéro de téléphone français ou belge invalide")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("adresse électronique invalide")
        return value

    @model_validator(mode="after")
    def _reachable(self) -> ResidentContact:
        if self.phone is None and self.email is None:
            raise ValueError("un numéro de téléphone ou une adresse électronique est nécessaire pour rappeler la personne")
        return self
