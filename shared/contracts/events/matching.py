"""Matching: assignment in turn, orientation, contact, quotes, interventions and unmet demand.

The aggregate is the request; its id is the Kafka key. Every assignment records the rotation it
was taken from and the providers skipped, with a reason, so that anyone can verify fairness.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.base import Event, register
from shared.contracts.topics import MATCHING
from shared.contracts.types import ActivityCode, CommuneCode, Hours, Money
from shared.contracts.upcasting import UpcastError, upcaster

Kilometres = Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]{1,2}$", description="A distance in km as a decimal string, e.g. '4.2'.")]


class MatchingEvent(Event):
    aggregate_type = "request"
    topic = MATCHING

    request_id: str = Field(description="Id of the request (the aggregate id).", examples=["req-7f3a"])


class SkipReason(StrEnum):
    NOT_IN_SECTOR = "not_in_sector"
    UNAVAILABLE = "unavailable"
    NO_AGREMENT = "no_agrement"
    AGREMENT_EXPIRED = "agrement_expired"
    SUSPENDED = "suspended"
    DECLINED = "declined"
    MISSED_DEADLINE = "missed_deadline"
    NOT_OFFERING_ACTIVITY = "not_offering_activity"


class Skip(BaseModel):
    """A provider passed over in the rotation, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider_id: str = Field(description="The provider passed over.")
    reason: SkipReason = Field(description="Why it was not its turn after all.")


@register
class ProviderAssigned(MatchingEvent):
    """The request was offered to the provider whose turn it was; it must contact the resident before the deadline."""

    schema_version = 3

    provider_id: str = Field(description="The provider the request is offered to.")
    activity: ActivityCode
    commune: CommuneCode
    sector: str = Field(min_length=1, max_length=60, description="Geographic sector of the rotation.", examples=["limoges-nord"])
    candidates: list[str] = Field(min_length=1, description="Providers of the activity x sector rotation, in turn order.")
    rotation_position: int = Field(ge=0, description="Index in `candidates` of the assigned provider; the next turn starts after it.")
    skipped: list[Skip] = Field(default_factory=list, description="Providers passed over before reaching the assigned one.")
    eligible: list[str] = Field(min_length=1, description="Candidates who could take this offer (every filter passed), "
                                "in turn order, the assigned one included: each offer's equal share is 1 / their number.")
    deadline_at: datetime = Field(description="When the provider must have contacted the resident (24 h in business hours).")
    attempt: int = Field(default=1, ge=1, description="1 for the first offer of this request, 2 after a decline or a missed deadline, ...")

    @model_validator(mode="after")
    def _consistent_rotation(self) -> ProviderAssigned:
        if self.rotation_position >= len(self.candidates) or self.candidates[self.rotation_position] != self.provider_id:
            raise ValueError("candidates[rotation_position] must be the assigned provider")
        strangers = {skip.provider_id for skip in self.skipped} - set(self.candidates)
        if strangers:
            raise ValueError(f"skipped providers not among the candidates: {sorted(strangers)}")
        strangers = set(self.eligible) - set(self.candidates)
        if strangers:
            raise ValueError(f"eligible providers not among the candidates: {sorted(strangers)}")
        if self.provider_id not in self.eligible:
            raise ValueError("the assigned provider must be among the eligible ones")
        if {skip.provider_id for skip in self.skipped} & set(self.eligible):
            raise ValueError("a skipped provider cannot be eligible")
        return self


@upcaster("ProviderAssigned", 1)
def _provider_assigned_v1_to_v2(payload: dict) -> dict:
    """v1 did not record the providers skipped; they are unknown, so the list is empty."""
    return {**payload, "skipped": []}


@upcaster("ProviderAssigned", 2)
def _provider_assigned_v2_to_v3(payload: dict) -> dict:
    """v2 did not record who was eligible. The candidates passed over before the assigned one were not; those
    after it were never checked, so they count as eligible (the best knowledge the event holds)."""
    skipped = {skip.get("provider_id") for skip in payload.get("skipped", []) if isinstance(skip, dict)}
    candidates = payload.get("candidates")
    listed = candidates if isinstance(candidates, list) else []  # not a list: validation names the field
    return {**payload, "eligible": [pid for pid in listed if pid not in skipped]}


class OrientedProvider(BaseModel):
    """A structure given to the caller, with its distance to the caller's commune."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider_id: str = Field(description="The structure given to the caller.")
    distance_km: Kilometres


@register
class ProvidersOriented(MatchingEvent):
    """The caller was given the nearest structures for the activity; the resident calls them."""

    activity: ActivityCode
    commune: CommuneCode
    providers: list[OrientedProvider] = Field(min_length=1, description="Structures given, nearest first.")

    @model_validator(mode="after")
    def _nearest_first(self) -> ProvidersOriented:
        distances = [Decimal(p.distance_km) for p in self.providers]
        if distances != sorted(distances):
            raise ValueError("providers must be listed nearest first")
        return self


class DeclineReason(StrEnum):
    UNAVAILABLE = "unavailable"
    TOO_FAR = "too_far"
    NOT_COMPETENT = "not_competent"
    OTHER = "other"


@register
class OfferAccepted(MatchingEvent):
    """The provider accepted the offer: it will call the resident back (and may now read their contact details)."""

    provider_id: str = Field(description="The provider who accepted.")


@register
class OfferDeclined(MatchingEvent):
    """The provider declined the offer; the request goes to the next provider in turn."""

    provider_id: str = Field(description="The provider who declined.")
    reason: DeclineReason = Field(description="Why it declined.")
    note: str = Field(default="", max_length=500, description="Details (no personal data).")


@register
class ContactConfirmed(MatchingEvent):
    """The provider contacted the resident."""

    provider_id: str = Field(description="The provider who made contact.")
    contacted_at: datetime = Field(description="When the resident was contacted.")


@register
class ContactDeadlineMissed(MatchingEvent):
    """The provider did not contact the resident in time; the request goes to the next provider in turn."""

    provider_id: str = Field(description="The provider who missed the deadline.")
    deadline_at: datetime = Field(description="The deadline that passed.")


class UnmetReason(StrEnum):
    NO_PROVIDER_FOR_ACTIVITY_IN_COMMUNE = "no_provider_for_activity_in_commune"
    ALL_DECLINED = "all_declined"
    DEADLINE_MISSED_BY_ALL = "deadline_missed_by_all"
    FRAGILE_PUBLIC_NOBODY_ACCREDITED = "fragile_public_nobody_accredited"
    OUT_OF_HOURS_NEVER_CALLED_BACK = "out_of_hours_never_called_back"


@register
class RequestUnmet(MatchingEvent):
    """Nobody could serve the request; it is listed by the observatory of unmet needs."""

    reason: UnmetReason = Field(description="Structured reason, counted by activity x commune x month.")
    activity: ActivityCode
    commune: CommuneCode
    detail: str = Field(default="", max_length=1000, description="Details (no personal data).")


@register
class QuoteSent(MatchingEvent):
    """The provider sent the resident a quote."""

    provider_id: str = Field(description="The provider who quoted.")
    amount_excl_tax: Money = Field(description="Quoted amount excluding tax.")
    sent_at: datetime = Field(description="When the quote was sent.")


@register
class QuoteAnswered(MatchingEvent):
    """The resident accepted or declined the quote."""

    provider_id: str = Field(description="The provider who quoted.")
    accepted: bool = Field(description="True if the resident accepted the quote.")
    answered_at: datetime = Field(description="When the resident answered.")


class InterventionFigures(MatchingEvent):
    """What was done and what it cost, excluding tax; the basis of fees."""

    provider_id: str = Field(description="The provider who did the work.")
    resident_id: str = Field(description="Pseudonymous resident id (no personal data).")
    activity: ActivityCode
    commune: CommuneCode
    done_on: date = Field(description="Day of the intervention.")
    labour_hours: Hours = Field(description="Hours of labour.")
    labour_amount_excl_tax: Money = Field(description="Labour, excluding tax.")
    travel_amount_excl_tax: Money = Field(description="Travel costs, excluding tax.")
    amount_excl_tax: Money = Field(description="Total excluding tax: labour plus travel.")

    @model_validator(mode="after")
    def _total_is_labour_plus_travel(self) -> InterventionFigures:
        total = Decimal(self.labour_amount_excl_tax) + Decimal(self.travel_amount_excl_tax)
        if Decimal(self.amount_excl_tax) != total:
            raise ValueError(f"amount_excl_tax must equal labour plus travel ({total})")
        return self


@register
class InterventionDone(InterventionFigures):
    """The provider did the work."""

    schema_version = 2


@upcaster("InterventionDone", 1)
def _intervention_done_v1_to_v2(payload: dict) -> dict:
    """v1 had ``hours`` and a single ``amount`` (JSON numbers); v2 splits labour and travel as decimal strings.

    Numbers are rounded half up to the cent. v1 did not say how much was travel: all of it is
    counted as labour, travel as zero. The total, on which percentage fees are charged, is unchanged.
    """
    data = dict(payload)
    hours = _two_places(data.pop("hours", None), "hours")
    amount = _two_places(data.pop("amount", None), "amount")
    data.update(labour_hours=hours, labour_amount_excl_tax=amount, travel_amount_excl_tax="0.00", amount_excl_tax=amount)
    return data


def _two_places(value: object, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise UpcastError(f"InterventionDone v1 field {field!r} must be a number, got {value!r}")
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except ArithmeticError:
        raise UpcastError(f"InterventionDone v1 field {field!r} is not a number: {value!r}") from None
    if not number.is_finite() or number < 0:
        raise UpcastError(f"InterventionDone v1 field {field!r} must be a non-negative number, got {value!r}")
    return str(number.copy_abs())


@register
class InterventionCorrected(InterventionFigures):
    """Corrects the figures of a recorded intervention; the new figures replace the old ones (fees are adjusted)."""

    corrected_event_id: UUID = Field(description="Event id of the InterventionDone (or previous correction) corrected.")
    reason: str = Field(min_length=1, max_length=500, description="Why the figures were corrected.")
