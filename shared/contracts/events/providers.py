"""Providers: application, committee decision, accreditation, availability, suspension.

The aggregate is the provider; its id is the Kafka key. List fields of the ``*Changed`` events
carry the provider's whole new list, not a difference, so a consumer can rebuild the directory
from the last event alone.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.base import Event, register
from shared.contracts.topics import PROVIDERS
from shared.contracts.types import ActivityCode, CommuneCode, FragilePublic
from shared.contracts.upcasting import upcaster


class ProviderEvent(Event):
    aggregate_type = "provider"
    topic = PROVIDERS

    provider_id: str = Field(description="Id of the provider (the aggregate id).", examples=["prv-jardins-du-limousin"])


class ProviderKind(StrEnum):
    ASSOCIATION = "association"
    ARTISAN = "artisan"
    COMPANY = "company"


class OfferChannel(StrEnum):
    """How a provider receives its offers."""

    EMAIL = "email"
    SMS = "sms"


class CommitteeBody(StrEnum):
    """Institutions that sit on the admission committee."""

    CCAS = "ccas"
    CONSEIL_GENERAL = "conseil_general"
    DDASS = "ddass"
    DDTEFP = "ddtefp"
    CHAMBRE_DES_METIERS = "chambre_des_metiers"
    CCI = "cci"
    MEMBER_ASSOCIATION = "member_association"
    OTHER = "other"


class CommitteeMember(BaseModel):
    """An institution represented at the committee (no names of persons)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    body: CommitteeBody = Field(description="Kind of institution.")
    label: str = Field(min_length=1, max_length=120, description="Its name as written in the minutes.",
                       examples=["CCAS de Limoges"])


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"


class WeeklySlot(BaseModel):
    """A recurring period of the week when the provider takes interventions (platform local time)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weekday: Weekday = Field(description="Day of the week.")
    starts: time = Field(description="Local start time, e.g. 08:30.")
    ends: time = Field(description="Local end time, after the start.")

    @model_validator(mode="after")
    def _ordered(self) -> WeeklySlot:
        if self.ends <= self.starts:
            raise ValueError("a weekly slot must end after it starts")
        return self


class Absence(BaseModel):
    """Dates (inclusive) when the provider takes no interventions at all."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first_day: date = Field(description="First day of absence.")
    last_day: date = Field(description="Last day of absence (inclusive), not before the first.")

    @model_validator(mode="after")
    def _ordered(self) -> Absence:
        if self.last_day < self.first_day:
            raise ValueError("an absence must not end before it starts")
        return self


@register
class ProviderApplied(ProviderEvent):
    """A structure applied to join the platform; it waits for the admission committee."""

    schema_version = 2

    name: str = Field(min_length=1, max_length=200, description="Trade name of the structure.",
                      examples=["Les Jardins du Limousin"])
    kind: ProviderKind = Field(description="Association, artisan or company: decides the fee policy.")
    siret: str | None = Field(default=None, pattern=r"^[0-9]{14}$", description="French SIRET number, when French.")
    bce_number: str | None = Field(default=None, pattern=r"^[01][0-9]{9}$",
                                   description="Belgian enterprise number (BCE/KBO, 10 digits), when Belgian.")
    activities: list[ActivityCode] = Field(min_length=1, description="Activities offered.")
    communes: list[CommuneCode] = Field(min_length=1, description="Communes served.")
    qualifications: list[str] = Field(default_factory=list, description="Diplomas and trade qualifications held.",
                                      examples=[["CAP jardinier paysagiste"]])
    email: str | None = Field(default=None, max_length=254, description="Where offers are sent by email.",
                              examples=["contact@jardins-limousin.example"])
    phone: str | None = Field(default=None, max_length=40, description="Where offers are sent by SMS (a mobile).",
                              examples=["06 12 34 56 78"])
    offers_by: list[OfferChannel] = Field(default_factory=lambda: [OfferChannel.EMAIL],
                                          description="How the provider wants its offers: email and/or SMS.")


@upcaster("ProviderApplied", 1)
def _provider_applied_v1_to_v2(payload: dict) -> dict:
    """v1 had no way to reach the provider: no email or phone, offers by email (sent nowhere until one is given)."""
    return {**payload, "email": None, "phone": None, "offers_by": ["email"]}


@register
class ProviderAdmitted(ProviderEvent):
    """The admission committee admitted the provider, who signed the quality charter; it joins the rotation."""

    committee_on: date = Field(description="Date of the committee meeting.")
    members: list[CommitteeMember] = Field(min_length=1, description="Institutions present at the committee.")
    charter_signed_at: datetime = Field(description="When the provider signed the quality charter.")


@register
class ProviderRejected(ProviderEvent):
    """The admission committee rejected the application."""

    committee_on: date = Field(description="Date of the committee meeting.")
    members: list[CommitteeMember] = Field(min_length=1, description="Institutions present at the committee.")
    reason: str = Field(min_length=1, max_length=1000, description="Reason given in the minutes.")


@register
class ProviderSuspended(ProviderEvent):
    """The provider leaves the rotation until reinstated (complaints, missing insurance, ...)."""

    reason: str = Field(min_length=1, max_length=1000, description="Why the provider is suspended.")
    since: date = Field(description="First day of the suspension.")


@register
class ProviderReinstated(ProviderEvent):
    """A suspended provider is back in the rotation."""

    since: date = Field(description="First day back in the rotation.")
    note: str = Field(default="", max_length=1000, description="Why the suspension ended.")


@register
class ProviderWithdrawn(ProviderEvent):
    """The provider left the platform for good (own request or exclusion by the committee)."""

    since: date = Field(description="First day out of the platform.")
    reason: str = Field(min_length=1, max_length=1000, description="Why the provider left.")


@register
class AccreditationRecorded(ProviderEvent):
    """An agrément qualité was recorded: the provider may serve the fragile publics it covers until it expires."""

    number: str = Field(min_length=1, max_length=60, description="Number of the agrément.", examples=["N/120308/F/087/Q/012"])
    issued_on: date = Field(description="Date the agrément was issued.")
    expires_on: date = Field(description="Date the agrément expires; from then on the provider serves no fragile public.")
    publics: list[FragilePublic] = Field(min_length=1, description="Fragile publics the agrément covers.")

    @model_validator(mode="after")
    def _expires_after_issue(self) -> AccreditationRecorded:
        if self.expires_on <= self.issued_on:
            raise ValueError("an agrément must expire after it is issued")
        return self


@register
class ProviderAvailabilityChanged(ProviderEvent):
    """The provider's weekly availability and planned absences, replacing the previous ones."""

    weekly: list[WeeklySlot] = Field(default_factory=list, description="Recurring weekly slots.")
    absences: list[Absence] = Field(default_factory=list, description="Planned absences.")


@register
class ProviderActivitiesChanged(ProviderEvent):
    """The activities the provider offers, replacing the previous list."""

    activities: list[ActivityCode] = Field(min_length=1, description="Every activity offered from now on.")


@register
class ProviderCommunesChanged(ProviderEvent):
    """The communes the provider serves, replacing the previous list."""

    communes: list[CommuneCode] = Field(min_length=1, description="Every commune served from now on.")
