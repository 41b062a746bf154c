"""What advisors and member providers ask the employment service (validated HTTP bodies)."""

from __future__ import annotations

from pydantic import Field, model_validator

from shared.commands import Frozen
from shared.contracts.events.employment import (
    AssessmentDecision,
    AssessmentGrid,
    Attendance,
    InterviewOutcome,
    ReferralSource,
    Trade,
)
from shared.contracts.types import CommuneCode, Hours
from shared.inputs import Day, Moment
from shared.privacy.contact import ResidentContact


class RegisterSeeker(Frozen):
    identity: ResidentContact = Field(description="Name and contact details, sealed with the seeker's own key.")
    referral_source: ReferralSource = Field(description="Who sent the seeker.")
    trades: list[Trade] = Field(min_length=1, max_length=6, description="Trades of interest, the first preferred.")
    commune: CommuneCode = Field(description="Commune the seeker lives in (one of the platform's).")
    mobility_km: int = Field(ge=0, le=200, description="How far the seeker can travel to work, km.")
    available_from: Day = Field(description="First day the seeker can start working.")
    hours_per_week: Hours = Field(description="Hours per week looked for, e.g. '24.00'.")


class AssessSeeker(Frozen):
    grid: AssessmentGrid = Field(description="Scores of the interviews and tests.")
    decision: AssessmentDecision = Field(description="Pre-selected, referred to training, or not now.")
    reason: str = Field(min_length=1, max_length=500, description="Why, in a sentence (no health or private details).")


class ScheduleSession(Frozen):
    starts_at: Moment = Field(description="When it starts, with its time zone.")
    place: str = Field(min_length=1, max_length=200, description="Where it is held.")
    trades: list[Trade] = Field(min_length=1, description="Trades presented.")
    capacity: int = Field(ge=1, le=500, description="Seats.")


class InviteSeekers(Frozen):
    seeker_ids: list[str] = Field(min_length=1, max_length=200, description="Seekers to invite.")


class EnrollSeeker(Frozen):
    seeker_id: str = Field(min_length=1, max_length=60, description="The invited seeker taking a seat.")


class RecordAttendance(Frozen):
    attendance: dict[str, Attendance] = Field(description="Attendance by seeker id; invited seekers left out are absent.")


class OpenCohort(Frozen):
    title: str = Field(min_length=1, max_length=200, description="Name of the course.")
    modules: list[str] = Field(min_length=1, max_length=40, description="Modules of the framework, in order.")
    starts_on: Day = Field(description="First day.")
    ends_on: Day = Field(description="Last day.")

    @model_validator(mode="after")
    def _ordered(self) -> OpenCohort:
        if self.ends_on < self.starts_on:
            raise ValueError("la formation doit finir après son début")
        return self


class AdmitTrainee(Frozen):
    seeker_id: str = Field(min_length=1, max_length=60, description="The seeker joining the cohort.")


class RecordModuleAttendance(Frozen):
    seeker_id: str = Field(min_length=1, max_length=60, description="The trainee.")
    module: str = Field(min_length=1, max_length=200, description="One of the cohort's modules.")
    attendance: Attendance = Field(description="Present, absent or excused.")


class CertifyModule(Frozen):
    seeker_id: str = Field(min_length=1, max_length=60, description="The trainee.")
    module: str = Field(min_length=1, max_length=200, description="One of the cohort's modules (a step of the framework).")
    certified: bool = Field(description="Whether the step was validated.")
    on: Day | None = Field(default=None, description="Day of the assessment of the step; default: today (platform's "
                           "local day). Never in the future.")


class CompleteTraining(Frozen):
    seeker_id: str = Field(min_length=1, max_length=60, description="The trainee.")
    certified: bool = Field(description="Whether the certification step was passed (then the trainee is pre-selected).")


class PostOpening(Frozen):
    provider_id: str | None = Field(default=None, max_length=60,
                                    description="The member provider (a provider's token posts for itself only).")
    trade: Trade = Field(description="Trade of the job.")
    hours_per_week: Hours = Field(description="Hours per week, e.g. '24.00'.")
    communes: list[CommuneCode] = Field(min_length=1, max_length=50, description="Communes of the platform where the work is.")
    starts_on: Day = Field(description="Start date of the job.")
    positions: int = Field(default=1, ge=1, le=20, description="How many people the provider hires.")


class ProposeCandidates(Frozen):
    wanted: int = Field(default=3, ge=1, le=10, description="How many candidates to propose at most.")


class RecordInterview(Frozen):
    seeker_id: str = Field(min_length=1, max_length=60, description="The candidate.")
    outcome: InterviewOutcome = Field(description="How the interview went.")


class Hire(Frozen):
    seeker_id: str = Field(min_length=1, max_length=60, description="The retained candidate.")
    starts_on: Day = Field(description="First day in the job.")


class CheckPlacement(Frozen):
    seeker_id: str = Field(min_length=1, max_length=60, description="The person hired.")
    months: int = Field(ge=3, le=6, description="3 or 6.")
    in_post: bool = Field(description="Still in post.")

    @model_validator(mode="after")
    def _milestone(self) -> CheckPlacement:
        if self.months not in (3, 6):
            raise ValueError("le suivi se fait à 3 ou à 6 mois")
        return self
