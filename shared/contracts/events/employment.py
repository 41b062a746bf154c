"""Employment: the platforms' other mission, bringing job seekers and member providers together.

Four aggregates, each keyed by its own id (the Kafka key): the job seeker (registration, assessment,
erasure), the information session (scheduled, invitations, registrations, attendance), the training
cohort (modules, attendance, completion) and the job opening of a member provider (posted, candidates
proposed with the reasons of each choice and skip, interview outcome, hire, placement follow-up).

A seeker's name and contact details travel only sealed with the seeker's own key
(:class:`~shared.contracts.types.Sealed`, whose ``resident_id`` names that key: the seeker id).
Erasing the seeker deletes the key; the counts never held personal data.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.base import Event, register
from shared.contracts.topics import EMPLOYMENT
from shared.contracts.types import CommuneCode, Hours, Sealed, SeekerId

Score = Annotated[int, Field(ge=0, le=5, description="0 (absent) to 5 (excellent).")]


class Trade(StrEnum):
    """The home-service trades a seeker may aim for and an opening may be for."""

    HOME_HELP = "home_help"
    CARE_ASSISTANT = "care_assistant"
    CHILDCARE = "childcare"
    HOUSEKEEPING = "housekeeping"
    GARDENING = "gardening"
    HANDYMAN = "handyman"


class ReferralSource(StrEnum):
    """Who sent the seeker to the platform."""

    FRANCE_TRAVAIL = "france_travail"
    MISSION_LOCALE = "mission_locale"
    SPONTANEOUS = "spontaneous"
    OTHER_PARTNER = "other_partner"


class Attendance(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"


class AssessmentDecision(StrEnum):
    PRESELECTED = "preselected"
    REFERRED_TO_TRAINING = "referred_to_training"
    NOT_NOW = "not_now"


class CandidateSkip(StrEnum):
    """Why a seeker was not proposed for an opening."""

    NOT_PRESELECTED = "not_preselected"
    OTHER_TRADE = "other_trade"
    TOO_FAR = "too_far"
    NOT_AVAILABLE_YET = "not_available_yet"
    ALREADY_HIRED = "already_hired"
    ALREADY_PROPOSED = "already_proposed"
    ERASED = "erased"
    ENOUGH_CANDIDATES = "enough_candidates"


class InterviewOutcome(StrEnum):
    RETAINED = "retained"
    NOT_RETAINED = "not_retained"
    DID_NOT_COME = "did_not_come"
    WITHDREW = "withdrew"


class SeekerEvent(Event):
    aggregate_type = "seeker"
    topic = EMPLOYMENT

    seeker_id: str = Field(description="Pseudonymous id of the job seeker (the aggregate id); names their key.",
                           examples=["skr-4b1c9e"])


class SessionEvent(Event):
    aggregate_type = "information_session"
    topic = EMPLOYMENT

    session_id: str = Field(description="Id of the information session (the aggregate id).", examples=["ses-2026-03-a"])


class CohortEvent(Event):
    aggregate_type = "training_cohort"
    topic = EMPLOYMENT

    cohort_id: str = Field(description="Id of the training cohort (the aggregate id).", examples=["coh-deavs-2026-1"])


class OpeningEvent(Event):
    aggregate_type = "job_opening"
    topic = EMPLOYMENT

    opening_id: str = Field(description="Id of the job opening (the aggregate id).", examples=["opn-7d2f"])
    provider_id: str = Field(description="The member provider recruiting.", examples=["prv-aide-87"])


@register
class SeekerRegistered(SeekerEvent):
    """An advisor registered a job seeker: where they come from, what they look for, when they can start."""

    identity: Sealed = Field(description="Name, phone and email, sealed with the seeker's own key.")
    referral_source: ReferralSource = Field(description="Who sent the seeker.")
    trades: list[Trade] = Field(min_length=1, max_length=6, description="Trades of interest, the first preferred.")
    commune: CommuneCode = Field(description="Commune the seeker lives in.")
    mobility_km: int = Field(ge=0, le=200, description="How far the seeker can travel to work, km.")
    available_from: date = Field(description="First day the seeker can start working.")
    hours_per_week: Hours = Field(description="Hours per week the seeker looks for.")
    advisor: str = Field(min_length=1, max_length=60, description="Advisor who registered them.", examples=["adv-2"])


class AssessmentGrid(BaseModel):
    """The structured grid of interviews and tests: skills, motivation, constraints."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    skills: Score = Field(description="Know-how shown in the tests.")
    motivation: Score = Field(description="Motivation for the trades of interest.")
    constraints: Score = Field(description="How compatible the seeker's constraints are (5: none).")


@register
class SeekerAssessed(SeekerEvent):
    """After interviews and tests, the advisor scored the grid and decided."""

    grid: AssessmentGrid = Field(description="Scores of the grid.")
    decision: AssessmentDecision = Field(description="Pre-selected, referred to training, or not now.")
    reason: str = Field(min_length=1, max_length=500, description="Why, in the advisor's words (no personal data).")
    advisor: str = Field(min_length=1, max_length=60, description="Advisor who decided.")


@register
class SeekerErased(SeekerEvent):
    """The seeker's key was destroyed: their personal data can no longer be read anywhere; counts stay."""

    erased_at: datetime = Field(description="When the key was destroyed.")
    requested_by: str = Field(min_length=1, max_length=80, description="Who asked: 'seeker' or 'advisor:<id>'.")


@register
class SessionScheduled(SessionEvent):
    """An information session on the home-service trades was scheduled."""

    starts_at: datetime = Field(description="When it starts.")
    place: str = Field(min_length=1, max_length=200, description="Where it is held, e.g. the resource centre's room.")
    trades: list[Trade] = Field(min_length=1, description="Trades presented.")
    capacity: int = Field(ge=1, le=500, description="Seats.")


@register
class SeekerInvited(SessionEvent):
    """A seeker was invited to the session."""

    seeker_id: str = Field(description="The seeker invited.")


@register
class SeekerEnrolled(SessionEvent):
    """An invited seeker took a seat at the session."""

    seeker_id: str = Field(description="The seeker enrolled.")


@register
class SessionHeld(SessionEvent):
    """The session took place; who was present, absent or excused among those invited."""

    attendance: dict[SeekerId, Attendance] = Field(description="Attendance of each invited seeker, by seeker id.")


@register
class CohortOpened(CohortEvent):
    """A training cohort was opened (e.g. the two-month upgrade course on the DEAVS framework)."""

    title: str = Field(min_length=1, max_length=200, description="Name of the course.")
    modules: list[str] = Field(min_length=1, max_length=40, description="Modules of the framework, in order.")
    starts_on: date = Field(description="First day.")
    ends_on: date = Field(description="Last day.")

    @model_validator(mode="after")
    def _ordered(self) -> CohortOpened:
        if self.ends_on < self.starts_on:
            raise ValueError("a cohort must end after it starts")
        return self


@register
class SeekerJoinedCohort(CohortEvent):
    """A seeker joined the cohort."""

    seeker_id: str = Field(description="The trainee.")


@register
class ModuleAttended(CohortEvent):
    """A trainee's attendance at one module."""

    seeker_id: str = Field(description="The trainee.")
    module: str = Field(min_length=1, max_length=200, description="The module, one of the cohort's.")
    attendance: Attendance = Field(description="Present, absent or excused.")


@register
class ModuleCertified(CohortEvent):
    """A trainee's step of the framework was assessed: certified (validated) or not, on that day."""

    seeker_id: str = Field(description="The trainee.")
    module: str = Field(min_length=1, max_length=200, description="The module (step) of the framework, one of the cohort's.")
    certified: bool = Field(description="Whether the step was validated.")
    on: date = Field(description="Day of the assessment of the step (the platform's local day).")


@register
class TrainingCompleted(CohortEvent):
    """A trainee finished the course; ``certified`` when the certification step was passed."""

    seeker_id: str = Field(description="The trainee.")
    certified: bool = Field(description="Whether the certification step was passed.")


@register
class OpeningPosted(OpeningEvent):
    """A member provider posted a job opening."""

    trade: Trade = Field(description="Trade of the job.")
    hours_per_week: Hours = Field(description="Hours per week.")
    communes: list[CommuneCode] = Field(min_length=1, description="Communes where the work is.")
    starts_on: date = Field(description="Start date of the job.")
    positions: int = Field(default=1, ge=1, le=20, description="How many people the provider hires.")


class ProposedCandidate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    seeker_id: str = Field(description="The seeker proposed.")
    rank: int = Field(ge=1, description="1 for the first proposed.")
    proposals_before: int = Field(ge=0, description="Proposals the seeker had before this one (fewest go first).")
    preselected_on: date = Field(description="Day of pre-selection (longest waiting go first among equals).")
    distance_km: int = Field(ge=0, description="Distance from the seeker's commune to the nearest commune of the job.")


class SkippedCandidate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    seeker_id: str = Field(description="The seeker not proposed.")
    reason: CandidateSkip = Field(description="Why not.")


@register
class CandidatesProposed(OpeningEvent):
    """The platform proposed candidates for the opening, in turn: fewest proposals so far first, then
    longest pre-selected, then the nearest; every seeker considered and not proposed is listed with why."""

    proposed: list[ProposedCandidate] = Field(description="Seekers proposed, in order.")
    skipped: list[SkippedCandidate] = Field(description="Seekers considered and not proposed, with the reason.")


@register
class InterviewOutcomeRecorded(OpeningEvent):
    """The provider recorded how the interview of a proposed candidate went."""

    seeker_id: str = Field(description="The candidate.")
    outcome: InterviewOutcome = Field(description="Retained, not retained, did not come, withdrew.")


@register
class SeekerHired(OpeningEvent):
    """The provider hired a proposed candidate for the opening."""

    seeker_id: str = Field(description="The candidate hired.")
    starts_on: date = Field(description="First day in the job.")
    posted_on: date = Field(description="Day the opening was posted (platform's local day), for the time to fill.")
    trade: Trade = Field(description="Trade of the job.")


@register
class PlacementChecked(OpeningEvent):
    """Follow-up of a hire after 3 or 6 months: is the person still in post."""

    seeker_id: str = Field(description="The person hired.")
    months: int = Field(description="3 or 6.")
    in_post: bool = Field(description="Still in post.")

    @model_validator(mode="after")
    def _known_milestone(self) -> PlacementChecked:
        if self.months not in (3, 6):
            raise ValueError("a placement is checked at 3 or 6 months")
        return self
