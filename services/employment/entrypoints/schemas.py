"""What the employment API answers: each code comes with its French words, never alone for a person to read."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from pydantic import BaseModel, Field

from services.employment.adapters.figures import MEASURES, Figures
from services.employment.domain.invitations import spoken_moment
from services.employment.domain.model import InformationSession, Opening, TrainingCohort
from services.employment.service_layer.ports import CohortRecord, OpeningRecord, SeekerRecord, SessionRecord
from shared.contracts import labels
from shared.contracts.events import employment as e

SEEKER_STATUSES = {"registered": "inscrit·e", "preselected": "pré-sélectionné·e",
                   "referred_to_training": "orienté·e vers une formation", "in_training": "en formation",
                   "not_now": "pas pour le moment", "hired": "embauché·e", "erased": "données effacées"}
OPENING_STATUSES = {"open": "ouverte", "filled": "pourvue"}
STEP_STATES = {True: "validée", False: "non validée", None: "à évaluer"}
MEASURE_LABELS = {
    "seekers_received": "demandeurs d'emploi reçus", "sessions_held": "réunions d'information tenues",
    "invited_to_session": "invitations aux réunions", "present_at_session": "présents aux réunions",
    "assessed": "personnes évaluées", "preselected": "pré-sélectionnées",
    "referred_to_training": "orientées vers une formation", "not_now": "pas pour le moment",
    "trainings_started": "entrées en formation", "modules_assessed": "étapes de formation évaluées",
    "modules_certified": "étapes de formation validées", "trainings_completed": "formations terminées",
    "certified": "certifications obtenues", "openings_posted": "offres d'emploi déposées",
    "candidates_proposed": "candidatures proposées", "hires": "embauches (offres pourvues)",
    "time_to_fill_days": "jours pour pourvoir (somme)", "placements_checked_3": "suivis à 3 mois",
    "in_post_3": "en poste à 3 mois", "placements_checked_6": "suivis à 6 mois", "in_post_6": "en poste à 6 mois",
}


class Created(BaseModel):
    id: str = Field(description="Id of what was created.")


class SeekerSummary(BaseModel):
    """A seeker as lists show them: no personal data."""

    seeker_id: str
    status: str
    status_label: str
    referral_source: e.ReferralSource
    referral_source_label: str
    trades: list[e.Trade]
    trade_labels: list[str]
    commune: str
    mobility_km: int
    available_from: date
    preselected_on: date | None
    proposals: int

    @classmethod
    def of(cls, record: SeekerRecord) -> SeekerSummary:
        return cls(seeker_id=record.seeker_id, status=record.status,
                   status_label=labels.label(SEEKER_STATUSES, record.status),
                   referral_source=record.referral_source,
                   referral_source_label=labels.label(labels.REFERRAL_SOURCES, record.referral_source),
                   trades=list(record.trades), trade_labels=[labels.label(labels.TRADES, t) for t in record.trades],
                   commune=record.commune, mobility_km=record.mobility_km, available_from=record.available_from,
                   preselected_on=record.preselected_on, proposals=record.proposals)


class Assessment(BaseModel):
    """One assessment of the seeker: the grid, the decision and why."""

    on: date = Field(description="Day of the assessment (platform's local day).")
    skills: int
    motivation: int
    constraints: int
    decision: e.AssessmentDecision
    decision_label: str
    reason: str

    @classmethod
    def of(cls, event: e.SeekerAssessed, on: date) -> Assessment:
        return cls(on=on, skills=event.grid.skills, motivation=event.grid.motivation,
                   constraints=event.grid.constraints, decision=event.decision,
                   decision_label=labels.label(labels.ASSESSMENT_DECISIONS, event.decision), reason=event.reason)


class SeekerDetail(SeekerSummary):
    identity: dict[str, Any] | None = Field(description="Name and contact details (read audited); null once erased.")
    assessments: list[Assessment] = Field(default_factory=list, description="Their assessments, oldest first.")


class SessionView(BaseModel):
    session_id: str
    starts_at: datetime | None
    place: str
    trade_labels: list[str] = Field(description="Trades presented, in French.")
    capacity: int
    invited: list[str]
    enrolled: list[str]
    held: bool
    attendance: dict[str, e.Attendance] = Field(description="Once held: each invited seeker's attendance.")
    attendance_labels: dict[str, str] = Field(description="The same in French.")

    @classmethod
    def of(cls, session: InformationSession) -> SessionView:
        return cls(session_id=session.session_id, starts_at=session.starts_at, place=session.place,
                   trade_labels=[labels.label(labels.TRADES, trade) for trade in session.trades],
                   capacity=session.capacity, invited=session.invited, enrolled=sorted(session.enrolled),
                   held=session.held, attendance=session.attendance,
                   attendance_labels={seeker: labels.label(labels.ATTENDANCES, mark)
                                      for seeker, mark in session.attendance.items()})


class SessionSummary(BaseModel):
    session_id: str
    starts_at: datetime
    when: str = Field(description="When it starts, in French and the platform's local time.")
    place: str
    capacity: int
    invited: int
    enrolled: int
    present: int
    held: bool
    attendance_rate: str | None = Field(description="Present / invited once held, e.g. '0.75'.")

    @classmethod
    def of(cls, record: SessionRecord, zone: tzinfo) -> SessionSummary:
        return cls(**{name: value for name, value in record.__dict__.items() if name != "platform_id"}, when=spoken_moment(record.starts_at, zone),
                   attendance_rate=_rate(record.present, record.invited) if record.held else None)


class CohortSummary(BaseModel):
    cohort_id: str
    title: str
    starts_on: date
    ends_on: date
    trainees: int
    completed: int
    certified: int
    steps_certified: int = Field(description="Steps (trainee x module) validated so far.")

    @classmethod
    def of(cls, record: CohortRecord) -> CohortSummary:
        return cls(**{name: value for name, value in record.__dict__.items() if name != "platform_id"})


class Step(BaseModel):
    """Where a trainee stands on one module (step) of the framework."""

    seeker_id: str
    module: str
    attendance: e.Attendance | None = Field(description="Last attendance noted at the module; null if none.")
    attendance_label: str | None = Field(description="The attendance in French.")
    certified: bool | None = Field(description="Validated (true), assessed and not validated (false), not assessed "
                                   "yet (null).")
    certified_label: str = Field(description="The step's state in French.")
    on: date | None = Field(description="Day of the last assessment of the step.")


class CohortView(BaseModel):
    cohort_id: str
    title: str
    starts_on: date | None
    ends_on: date | None
    modules: list[str]
    trainees: list[str]
    completed: list[str]
    certified: list[str] = Field(description="Trainees who finished with the certification.")
    steps: list[Step] = Field(description="Each trainee x module, in the order of the modules.")

    @classmethod
    def of(cls, cohort: TrainingCohort) -> CohortView:
        steps = []
        for seeker_id in sorted(cohort.trainees):
            for module in cohort.modules:
                attendance = cohort.attendance.get((seeker_id, module))
                done = cohort.steps.get((seeker_id, module))
                steps.append(Step(
                    seeker_id=seeker_id, module=module, attendance=attendance,
                    attendance_label=labels.label(labels.ATTENDANCES, attendance) if attendance else None,
                    certified=done[0] if done else None, on=done[1] if done else None,
                    certified_label=STEP_STATES[done[0] if done else None]))
        return cls(cohort_id=cohort.cohort_id, title=cohort.title, starts_on=cohort.starts_on, ends_on=cohort.ends_on,
                   modules=cohort.modules, trainees=sorted(cohort.trainees), completed=sorted(cohort.completed),
                   certified=sorted(cohort.certified), steps=steps)


class OpeningSummary(BaseModel):
    opening_id: str
    provider_id: str
    trade: e.Trade
    trade_label: str
    starts_on: date
    posted_at: datetime
    status: str
    status_label: str

    @classmethod
    def of(cls, record: OpeningRecord) -> OpeningSummary:
        return cls(**record.__dict__, trade_label=labels.label(labels.TRADES, record.trade),
                   status_label=labels.label(OPENING_STATUSES, record.status))


class Candidate(BaseModel):
    seeker_id: str
    rank: int
    why: str = Field(description="Why this candidate, in French.")
    name: str | None = Field(default=None, description="Name, for the provider to call (read audited); null once erased.")
    phone: str | None = None
    email: str | None = None
    interview: str | None = Field(default=None, description="Interview outcome, in French.")
    hired_on: date | None = None


class Skipped(BaseModel):
    seeker_id: str
    reason: e.CandidateSkip
    reason_label: str


class Proposal(BaseModel):
    """One round of proposals: who was proposed and why, who was skipped and why (the skipped are listed to the
    platform's staff only; a provider reads how many were skipped for each reason)."""

    proposed: list[Candidate]
    skipped: list[Skipped]
    skipped_by_reason: dict[str, int] = Field(description="How many seekers were skipped for each reason, in French.")

    @classmethod
    def of(cls, event: e.CandidatesProposed) -> Proposal:
        skipped = [Skipped(seeker_id=s.seeker_id, reason=s.reason,
                           reason_label=labels.label(labels.CANDIDATE_SKIPS, s.reason)) for s in event.skipped]
        by_reason: dict[str, int] = {}
        for skip in skipped:
            by_reason[skip.reason_label] = by_reason.get(skip.reason_label, 0) + 1
        return cls(proposed=[Candidate(seeker_id=c.seeker_id, rank=c.rank, why=why(c)) for c in event.proposed],
                   skipped=skipped, skipped_by_reason=by_reason)


class OpeningView(BaseModel):
    opening_id: str
    provider_id: str
    trade: e.Trade
    trade_label: str
    positions: int
    filled: bool
    proposals: list[Proposal]

    @classmethod
    def of(cls, opening: Opening, proposals: list[Proposal]) -> OpeningView:
        assert opening.trade is not None
        return cls(opening_id=opening.opening_id, provider_id=opening.provider_id, trade=opening.trade,
                   trade_label=labels.label(labels.TRADES, opening.trade), positions=opening.positions,
                   filled=opening.filled, proposals=proposals)


def why(candidate: e.ProposedCandidate) -> str:
    times = {0: "jamais proposé·e jusqu'ici", 1: "proposé·e une fois jusqu'ici"}.get(
        candidate.proposals_before, f"proposé·e {candidate.proposals_before} fois jusqu'ici")
    return (f"Rang {candidate.rank} : {times}, pré-sélectionné·e le {candidate.preselected_on:%d/%m/%Y}, "
            f"à {candidate.distance_km} km du lieu de travail.")


class MeasureFigures(BaseModel):
    counts: dict[str, int] = Field(description="Each measure's sum.")
    attendance_rate: str | None = Field(description="Present / invited at the information sessions, e.g. '0.75'.")
    preselection_rate: str | None = Field(description="Pre-selected / assessed.")
    average_days_to_fill: str | None = Field(description="Average days from posting to hire.")
    in_post_at_6_months_rate: str | None = Field(description="In post at 6 months / checked at 6 months.")

    @classmethod
    def of(cls, counts: dict[str, int]) -> MeasureFigures:
        full = {measure: counts.get(measure, 0) for measure in MEASURES}
        return cls(counts=full, attendance_rate=_rate(full["present_at_session"], full["invited_to_session"]),
                   preselection_rate=_rate(full["preselected"], full["assessed"]),
                   average_days_to_fill=_rate(full["time_to_fill_days"], full["hires"], places=1),
                   in_post_at_6_months_rate=_rate(full["in_post_6"], full["placements_checked_6"]))


class FiguresReport(BaseModel):
    platform_id: str
    since: str | None
    until: str | None
    measures: dict[str, str] = Field(description="French name of each measure.")
    total: MeasureFigures
    months: dict[str, MeasureFigures] = Field(description="By month (YYYY-MM, platform's local time).")
    trades: dict[str, MeasureFigures] = Field(description="By trade (code; French in trade_labels).")
    referral_sources: dict[str, MeasureFigures] = Field(description="By referral source.")
    trade_labels: dict[str, str]
    referral_source_labels: dict[str, str]

    @classmethod
    def of(cls, platform_id: str, since: str | None, until: str | None, figures: Figures) -> FiguresReport:
        return cls(platform_id=platform_id, since=since, until=until, measures=MEASURE_LABELS,
                   total=MeasureFigures.of(figures.total),
                   months={k: MeasureFigures.of(v) for k, v in figures.months.items()},
                   trades={k: MeasureFigures.of(v) for k, v in figures.trades.items()},
                   referral_sources={k: MeasureFigures.of(v) for k, v in figures.sources.items()},
                   trade_labels={k: labels.label(labels.TRADES, k) for k in figures.trades},
                   referral_source_labels={k: labels.label(labels.REFERRAL_SOURCES, k) for k in figures.sources})


def _rate(part: int, whole: int, places: int = 2) -> str | None:
    return f"{part / whole:.{places}f}" if whole else None
