"""Value types shared by event payloads."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

ActivityCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$", description="Activity code from the platform's taxonomy, e.g. gardening.")]
CommuneCode = Annotated[str, Field(pattern=r"^[0-9AB]{5}$|^BE[0-9]{5}$", description="INSEE code of a French commune (e.g. 87085) or BE + NIS code of a Belgian one.")]
TopicCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$", description="Code of an information or mediation topic of the platform's policy, e.g. energy_bill.")]
PartnerCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{1,39}$", description="Code of a partner organisation of the platform's policy, e.g. edf.")]
Money = Annotated[str, Field(pattern=r"^-?[0-9]+\.[0-9]{2}$", description="Amount in euros as a decimal string with two places, e.g. '6.75'.")]


class Channel(StrEnum):
    PHONE = "phone"
    ONLINE_FORM = "online_form"
    WALK_IN = "walk_in"
    VOICEMAIL = "voicemail"


class FragilePublic(StrEnum):
    ELDERLY = "elderly"
    DISABLED = "disabled"
    CHILD_UNDER_3 = "child_under_3"


class TimeWindow(BaseModel):
    """A period when the resident is available for the intervention."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    starts_at: datetime = Field(description="Start of the window (timezone-aware).")
    ends_at: datetime = Field(description="End of the window (timezone-aware).")

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if (self.starts_at.utcoffset() is None) != (self.ends_at.utcoffset() is None):
            raise ValueError("a time window's start and end must both carry a time zone")
        if self.ends_at <= self.starts_at:
            raise ValueError("a time window must end after it starts")
        return self


class Sealed(BaseModel):
    """Personal data encrypted with the resident's own key (AES-GCM). Erasing the key erases the data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    resident_id: str = Field(description="Pseudonymous resident id; names the key in the vault.")
    nonce: str = Field(description="AES-GCM nonce, base64url.")
    ciphertext: str = Field(description="Encrypted JSON of the personal data, base64url.")


class PersonId:
    """Marks a type holding a person's id (a resident's or a job seeker's, the name of their key in the vault), e.g.
    the keys of a dict by seeker: the exports pseudonymise it (fields named ``resident_id`` or ``seeker_id`` are
    pseudonymised by their name)."""


SeekerId = Annotated[str, PersonId()]
"""A job seeker's id where its name does not say so (a dict's keys)."""
Hours = Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]{2}$", description="A duration in hours as a decimal string with two places, e.g. '10.50' (ten and a half hours).")]
