"""Response bodies of the matching HTTP API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from shared.contracts.directory import Provider
from shared.contracts.events.providers import Absence, CommitteeMember, WeeklySlot


class Created(BaseModel):
    id: str = Field(description="Id of the provider created.")


class AccreditationView(BaseModel):
    number: str
    expires_on: date
    publics: list[str]
    valid_on: date = Field(description="Day the validity was checked (today, platform time).")
    valid: bool = Field(description="Whether the agrément is in force that day (issued, not yet expired), as the "
                         "provider directory reads it (shared.contracts.directory).")


class ProviderView(BaseModel):
    """A provider of the directory, as coordinators (and the provider itself) see it."""

    provider_id: str
    platform_id: str
    name: str
    kind: str
    status: str = Field(description="applied, admitted, rejected, suspended or withdrawn.")
    status_since: date | None
    status_note: str
    activities: list[str]
    communes: list[str]
    base_commune: str = Field(description="First commune: where distances are measured from (orientation).")
    qualifications: list[str]
    siret: str | None
    bce_number: str | None
    committee_on: date | None
    committee_members: list[CommitteeMember]
    charter_signed_at: datetime | None
    accreditation: AccreditationView | None
    weekly: list[WeeklySlot]
    absences: list[Absence]
    joined_at: datetime | None = Field(description="Admission time: orders the rotation.")
    version: int

    @classmethod
    def of(cls, provider: Provider, today: date) -> ProviderView:
        accreditation = provider.accreditation
        return cls(
            provider_id=provider.provider_id, platform_id=provider.platform_id, name=provider.name, kind=provider.kind,
            status=provider.status, status_since=provider.status_since, status_note=provider.status_note,
            activities=sorted(provider.activities), communes=sorted(provider.communes),
            base_commune=provider.base_commune, qualifications=list(provider.qualifications), siret=provider.siret,
            bce_number=provider.bce_number, committee_on=provider.committee_on,
            committee_members=[CommitteeMember(body=body, label=label) for body, label in provider.committee_members],
            charter_signed_at=provider.charter_signed_at,
            accreditation=None if accreditation is None else AccreditationView(
                number=accreditation.number, expires_on=accreditation.expires_on, publics=sorted(accreditation.publics),
                valid_on=today, valid=accreditation.in_force_on(today)),
            weekly=list(provider.weekly), absences=list(provider.absences), joined_at=provider.joined_at,
            version=provider.version,
        )


class ProviderCard(BaseModel):
    """What the platform's operators see of a provider: enough to tell a resident who will call back."""

    provider_id: str
    name: str = Field(description="Trade name of the structure.")
    kind: str = Field(description="association, artisan, company, ...")
    status: str = Field(description="applied, admitted, rejected, suspended or withdrawn.")
    activities: list[str]
    communes: list[str]
    phone: str | None = Field(default=None, description="The provider's phone, to give a caller oriented to it.")

    @classmethod
    def of(cls, provider: Provider) -> ProviderCard:
        return cls(provider_id=provider.provider_id, name=provider.name, kind=provider.kind, status=provider.status,
                   activities=sorted(provider.activities), communes=sorted(provider.communes), phone=provider.phone)


class MatchView(BaseModel):
    """Where a request stands in matching."""

    request_id: str
    platform_id: str
    activity: str
    commune: str
    sector: str
    status: str = Field(description="assigned, contacted, quoted, quote_accepted, quote_declined, done, "
                                    "oriented, unmet, waiting or cancelled.")
    provider_id: str | None = Field(description="Provider holding the offer, if any.")
    deadline_at: datetime | None = Field(description="Callback deadline of the current offer.")
    attempt: int = Field(description="Offers made so far.")
    excluded: dict[str, str] = Field(description="Providers out for this request (declined, missed_deadline).")
    fragile_publics: list[str]
    cancelled: bool
    version: int
    updated_at: datetime

    @classmethod
    def of(cls, row: dict[str, Any]) -> MatchView:
        return cls(**row)


class FairnessRow(BaseModel):
    platform_id: str
    activity: str
    sector: str
    provider_id: str
    offers: int
    accepted: int = Field(description="Offers where contact was confirmed.")
    declined: int
    missed: int = Field(description="Callback deadlines missed.")
    group_offers: int = Field(description="Offers of the whole activity x sector.")
    share: float = Field(description="offers / group_offers.")
    equal_share: float = Field(description="The share of the group's offers the provider would have had if each offer "
                               "were shared equally among the providers eligible for it (1 / n of each; 1 / providers "
                               "of the group while it has no offers).")
    deviation: float = Field(description="share - equal_share (0 when the group has no offers yet).")

