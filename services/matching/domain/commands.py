"""Commands the matching service accepts: the provider directory and the providers' actions on offers.

Each ``*Details`` class is what a caller gives (also the HTTP body); the command adds who asks and
for which platform, from the caller's token, never from the body.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from shared.commands import Command, Frozen
from shared.contracts.events.matching import DeclineReason
from shared.contracts.events.providers import (
    Absence,
    CommitteeMember,
    OfferChannel,
    ProviderKind,
    WeeklySlot,
)
from shared.contracts.types import ActivityCode, CommuneCode, FragilePublic
from shared.inputs import Amount, Day, Moment, RecordDay, RecordMoment, day_within_years
from shared.privacy.contact import is_phone_number


class ApplicationDetails(Frozen):
    """A structure's application to join the platform."""

    name: str = Field(min_length=1, max_length=200, description="Trade name of the structure.")
    kind: ProviderKind
    siret: str | None = Field(default=None, pattern=r"^[0-9]{14}$", description="French SIRET number.")
    bce_number: str | None = Field(default=None, pattern=r"^[01][0-9]{9}$", description="Belgian enterprise number.")
    activities: list[ActivityCode] = Field(min_length=1, max_length=100, description="Activities offered.")
    communes: list[CommuneCode] = Field(min_length=1, max_length=500, description="Communes served; the first is its base.")
    qualifications: list[str] = Field(default_factory=list, max_length=30, description="Diplomas and qualifications.")
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                              description="Where offers are sent by email.")
    phone: str | None = Field(default=None, max_length=40, description="A mobile number for offers by SMS.")
    offers_by: list[OfferChannel] = Field(default_factory=lambda: [OfferChannel.EMAIL], max_length=2,
                                          description="How the provider wants its offers: email and/or SMS.")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not is_phone_number(value):
            raise ValueError("numéro de téléphone français ou belge attendu")
        return value


class CommitteeDecision(Frozen):
    """The admission committee's decision on an application."""

    decision: Literal["admitted", "rejected"]
    committee_on: RecordDay = Field(description="Date of the committee meeting.")
    members: list[CommitteeMember] = Field(min_length=1, description="Institutions present.")
    charter_signed_at: RecordMoment | None = Field(default=None, description="When the quality charter was signed (admission).")
    reason: str = Field(default="", max_length=1000, description="Reason given in the minutes (rejection).")

    @model_validator(mode="after")
    def _complete(self) -> CommitteeDecision:
        if self.decision == "admitted" and self.charter_signed_at is None:
            raise ValueError("une admission demande charter_signed_at : tout prestataire admis signe la charte qualité")
        if self.decision == "rejected" and not self.reason.strip():
            raise ValueError("un refus demande le motif (reason) inscrit au procès-verbal")
        return self


class AccreditationDetails(Frozen):
    number: str = Field(min_length=1, max_length=60, description="Number of the agrément qualité.")
    issued_on: RecordDay
    expires_on: RecordDay
    publics: list[FragilePublic] = Field(min_length=1, description="Fragile publics covered.")

    @model_validator(mode="after")
    def _expires_after_issue(self) -> AccreditationDetails:
        if self.expires_on <= self.issued_on:
            raise ValueError("un agrément doit expirer après sa date de délivrance")
        return self


def _absence_within_years(absence: Absence) -> Absence:
    day_within_years(absence.first_day)
    day_within_years(absence.last_day)
    return absence


class AvailabilityDetails(Frozen):
    weekly: list[WeeklySlot] = Field(default_factory=list, max_length=50, description="Weekly slots (none: any time).")
    absences: list[Annotated[Absence, AfterValidator(_absence_within_years)]] = Field(
        default_factory=list, max_length=100, description="Planned absences (days in the years 2000-2100).")


class ActivitiesDetails(Frozen):
    activities: list[ActivityCode] = Field(min_length=1, max_length=100)


class CommunesDetails(Frozen):
    communes: list[CommuneCode] = Field(min_length=1, max_length=500)


class StatusChangeDetails(Frozen):
    """Suspension, reinstatement or withdrawal: from which day, and why."""

    since: RecordDay = Field(description="First day the change applies.")
    reason: str = Field(default="", max_length=1000, description="Why (required to suspend or withdraw).")


class Suspension(StatusChangeDetails):
    pass


class Reinstatement(StatusChangeDetails):
    pass


class Withdrawal(StatusChangeDetails):
    pass


DirectoryChange = (CommitteeDecision | AccreditationDetails | AvailabilityDetails | ActivitiesDetails | CommunesDetails
                   | Suspension | Reinstatement | Withdrawal)


class ChangeProvider(Command):
    """A change to a provider's record in the directory."""

    provider_id: str
    change: DirectoryChange


class DeclineDetails(Frozen):
    reason: DeclineReason
    note: str = Field(default="", max_length=500, description="Details (no personal data).")


class ContactDetails(Frozen):
    contacted_at: Moment | None = Field(default=None, description="When the resident was contacted (default: now); "
                                                                  "not in the future.")


class QuoteDetails(Frozen):
    amount_excl_tax: Amount = Field(description="Quoted amount excluding tax, euros, 0 to 1000000.00.")
    sent_at: Moment | None = Field(default=None, description="When the quote was sent (default: now); not in the future.")


class QuoteAnswerDetails(Frozen):
    accepted: bool
    answered_at: Moment | None = Field(default=None, description="When the resident answered (default: now); "
                                                                "not in the future.")


class InterventionDetails(Frozen):
    done_on: Day = Field(description="Day of the intervention; not in the future.")
    labour_hours: Decimal = Field(ge=0, max_digits=6, decimal_places=2, description="Hours of labour.")
    labour_amount_excl_tax: Amount
    travel_amount_excl_tax: Amount = Decimal(0)


class CorrectionDetails(InterventionDetails):
    reason: str = Field(min_length=1, max_length=500, description="Why the figures are corrected (no personal data).")


class Apply(Command, ApplicationDetails):
    pass


class OfferCommand(Command):
    """An action on the offer of ``request_id``; ``provider_id`` is set when a provider acts for itself."""

    request_id: str
    provider_id: str | None = Field(default=None, description="The acting provider; None when a coordinator acts.")


class Decline(OfferCommand, DeclineDetails):
    pass


class ConfirmContact(OfferCommand, ContactDetails):
    pass


class SendQuote(OfferCommand, QuoteDetails):
    pass


class AnswerQuote(OfferCommand, QuoteAnswerDetails):
    pass


class DeclareDone(OfferCommand, InterventionDetails):
    pass


class AcceptOffer(OfferCommand):
    pass


class CorrectIntervention(OfferCommand, CorrectionDetails):
    pass
