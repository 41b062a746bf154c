"""The employment aggregates: the job seeker, the information session, the training cohort and the opening.

Each decides which events a command yields and refuses, with a French sentence, what its history forbids
(inviting twice, holding a session before it starts, hiring someone who was not proposed, checking a
placement before its 3 or 6 months are over).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from shared.aggregate import Aggregate
from shared.contracts.base import Event
from shared.contracts.envelope import Envelope
from shared.contracts.events import employment as e
from shared.errors import Conflict, DomainError


@dataclass(kw_only=True)
class Seeker(Aggregate):
    """A job seeker followed by the platform's advisors."""

    seeker_id: str
    registered: bool = False
    erased: bool = False
    decision: e.AssessmentDecision | None = None

    def register(self, event: e.SeekerRegistered) -> None:
        if self.registered:
            raise Conflict("seeker_exists", "Ce demandeur d'emploi est déjà inscrit.")
        self.record(event)

    def assess(self, grid: e.AssessmentGrid, decision: e.AssessmentDecision, reason: str, advisor: str) -> None:
        self._ensure_followed()
        self.record(e.SeekerAssessed(seeker_id=self.seeker_id, grid=grid, decision=decision, reason=reason,
                                     advisor=advisor))

    def erase(self, at: datetime, requested_by: str) -> None:
        if not self.registered:
            raise DomainError("unknown_seeker", "Demandeur d'emploi inconnu.")
        if not self.erased:
            self.record(e.SeekerErased(seeker_id=self.seeker_id, erased_at=at, requested_by=requested_by))

    def _ensure_followed(self) -> None:
        if not self.registered:
            raise DomainError("unknown_seeker", "Demandeur d'emploi inconnu.")
        if self.erased:
            raise Conflict("seeker_erased", "Les données de ce demandeur d'emploi ont été effacées : il n'est plus suivi.")

    def _apply(self, event: Event) -> None:
        match event:
            case e.SeekerRegistered():
                self.registered = True
            case e.SeekerAssessed(decision=decision):
                self.decision = decision
            case e.SeekerErased():
                self.erased = True


@dataclass(kw_only=True)
class InformationSession(Aggregate):
    """A session presenting the home-service trades: invitations, seats taken, attendance."""

    session_id: str
    scheduled: bool = False
    starts_at: datetime | None = None
    place: str = ""
    trades: list[e.Trade] = field(default_factory=list)
    capacity: int = 0
    invited: list[str] = field(default_factory=list)
    enrolled: set[str] = field(default_factory=set)
    attendance: dict[str, e.Attendance] = field(default_factory=dict)
    held: bool = False

    def schedule(self, event: e.SessionScheduled) -> None:
        if self.scheduled:
            raise Conflict("session_exists", "Cette réunion d'information existe déjà.")
        self.record(event)

    def invite(self, seeker_id: str) -> None:
        self._ensure_open()
        if seeker_id not in self.invited:
            self.record(e.SeekerInvited(session_id=self.session_id, seeker_id=seeker_id))

    def enroll(self, seeker_id: str) -> None:
        self._ensure_open()
        if seeker_id not in self.invited:
            raise DomainError("not_invited", "Seules les personnes invitées peuvent s'inscrire à la réunion.",
                              field="seeker_id")
        if seeker_id in self.enrolled:
            return
        if len(self.enrolled) >= self.capacity:
            raise Conflict("session_full", f"La réunion est complète ({self.capacity} places).")
        self.record(e.SeekerEnrolled(session_id=self.session_id, seeker_id=seeker_id))

    def hold(self, attendance: Mapping[str, e.Attendance], now: datetime) -> None:
        """Record the session as held; invited seekers missing from ``attendance`` count as absent."""
        self._ensure_open()
        assert self.starts_at is not None
        if now < self.starts_at:
            raise DomainError("session_not_started", "La réunion n'a pas encore commencé : la présence se note après.")
        strangers = sorted(set(attendance) - set(self.invited))
        if strangers:
            raise DomainError("not_invited", f"{len(strangers)} personne(s) notée(s) n'étaient pas invitées.",
                              field="attendance")
        self.record(e.SessionHeld(session_id=self.session_id, attendance={
            seeker_id: attendance.get(seeker_id, e.Attendance.ABSENT) for seeker_id in self.invited}))

    def _ensure_open(self) -> None:
        if not self.scheduled:
            raise DomainError("unknown_session", "Réunion d'information inconnue.")
        if self.held:
            raise Conflict("session_held", "La réunion a déjà eu lieu.")

    def _apply(self, event: Event) -> None:
        match event:
            case e.SessionScheduled(starts_at=starts_at, place=place, trades=trades, capacity=capacity):
                self.scheduled, self.starts_at, self.capacity = True, starts_at, capacity
                self.place, self.trades = place, list(trades)
            case e.SeekerInvited(seeker_id=seeker_id):
                self.invited.append(seeker_id)
            case e.SeekerEnrolled(seeker_id=seeker_id):
                self.enrolled.add(seeker_id)
            case e.SessionHeld(attendance=attendance):
                self.held, self.attendance = True, dict(attendance)


@dataclass(kw_only=True)
class TrainingCohort(Aggregate):
    """A training course followed by a group of seekers, module by module."""

    cohort_id: str
    opened: bool = False
    title: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    modules: list[str] = field(default_factory=list)
    trainees: set[str] = field(default_factory=set)
    completed: set[str] = field(default_factory=set)
    certified: set[str] = field(default_factory=set)
    attendance: dict[tuple[str, str], e.Attendance] = field(default_factory=dict)
    """The last attendance noted for each (trainee, module)."""
    steps: dict[tuple[str, str], tuple[bool, date]] = field(default_factory=dict)
    """Each (trainee, module) assessed: certified or not, and the day."""

    def open(self, event: e.CohortOpened) -> None:
        if self.opened:
            raise Conflict("cohort_exists", "Cette session de formation existe déjà.")
        self.record(event)

    def admit(self, seeker_id: str) -> None:
        self._ensure_opened()
        if seeker_id not in self.trainees:
            self.record(e.SeekerJoinedCohort(cohort_id=self.cohort_id, seeker_id=seeker_id))

    def attend(self, seeker_id: str, module: str, attendance: e.Attendance) -> None:
        self._ensure_trainee(seeker_id)
        if module not in self.modules:
            raise DomainError("unknown_module", "Ce module ne fait pas partie de la formation.", field="module")
        self.record(e.ModuleAttended(cohort_id=self.cohort_id, seeker_id=seeker_id, module=module, attendance=attendance))

    def certify_module(self, seeker_id: str, module: str, certified: bool, on: date, today: date) -> None:
        """Record a step of the framework as validated or not on ``on``; a failed step may be passed later, a
        validated one stays validated."""
        self._ensure_trainee(seeker_id)
        if module not in self.modules:
            raise DomainError("unknown_module", "Ce module ne fait pas partie de la formation.", field="module")
        if on > today:
            raise DomainError("future_day", "La date de validation ne peut pas être dans le futur.", field="on")
        if self.starts_on is not None and on < self.starts_on:
            raise DomainError("before_cohort", f"La formation commence le {self.starts_on:%d/%m/%Y} : "
                              "une étape ne peut pas être validée avant.", field="on")
        done = self.steps.get((seeker_id, module))
        if done is not None and done[0]:
            raise Conflict("step_certified", f"Cette étape est déjà validée (le {done[1]:%d/%m/%Y}).")
        self.record(e.ModuleCertified(cohort_id=self.cohort_id, seeker_id=seeker_id, module=module,
                                      certified=certified, on=on))

    def complete(self, seeker_id: str, certified: bool) -> None:
        self._ensure_trainee(seeker_id)
        if seeker_id in self.completed:
            raise Conflict("training_completed", "Cette personne a déjà terminé la formation.")
        self.record(e.TrainingCompleted(cohort_id=self.cohort_id, seeker_id=seeker_id, certified=certified))

    def _ensure_opened(self) -> None:
        if not self.opened:
            raise DomainError("unknown_cohort", "Session de formation inconnue.")

    def _ensure_trainee(self, seeker_id: str) -> None:
        self._ensure_opened()
        if seeker_id not in self.trainees:
            raise DomainError("not_a_trainee", "Cette personne ne suit pas cette formation.", field="seeker_id")

    def _apply(self, event: Event) -> None:
        match event:
            case e.CohortOpened(title=title, modules=modules, starts_on=starts_on, ends_on=ends_on):
                self.opened, self.title, self.modules = True, title, list(modules)
                self.starts_on, self.ends_on = starts_on, ends_on
            case e.SeekerJoinedCohort(seeker_id=seeker_id):
                self.trainees.add(seeker_id)
            case e.ModuleAttended(seeker_id=seeker_id, module=module, attendance=attendance):
                self.attendance[(seeker_id, module)] = attendance
            case e.ModuleCertified(seeker_id=seeker_id, module=module, certified=certified, on=on):
                self.steps[(seeker_id, module)] = (certified, on)
            case e.TrainingCompleted(seeker_id=seeker_id, certified=certified):
                self.completed.add(seeker_id)
                if certified:
                    self.certified.add(seeker_id)


def placement_due(starts_on: date, months: int) -> date:
    """The day a placement can be checked: ``months`` calendar months after the first day in the job."""
    return starts_on + relativedelta(months=months)


@dataclass(kw_only=True)
class Opening(Aggregate):
    """A member provider's job opening: candidates proposed, interviews, hires and their follow-up."""

    opening_id: str
    provider_id: str = ""
    posted: bool = False
    trade: e.Trade | None = None
    starts_on: date | None = None
    posted_at: datetime | None = None
    positions: int = 1
    proposed: list[str] = field(default_factory=list)
    outcomes: dict[str, e.InterviewOutcome] = field(default_factory=dict)
    hires: dict[str, date] = field(default_factory=dict)
    checks: dict[tuple[str, int], bool] = field(default_factory=dict)

    def post(self, event: e.OpeningPosted, at: datetime) -> None:
        if self.posted:
            raise Conflict("opening_exists", "Cette offre d'emploi existe déjà.")
        self.posted_at = at
        self.record(event)

    @property
    def filled(self) -> bool:
        return len(self.hires) >= self.positions

    def propose(self, proposed: list[e.ProposedCandidate], skipped: list[e.SkippedCandidate]) -> None:
        self._ensure_posted()
        if self.filled:
            raise Conflict("opening_filled", "L'offre est pourvue : plus de candidats à proposer.")
        if not proposed:
            raise Conflict("no_candidate", "Aucun candidat ne peut être proposé pour cette offre pour le moment.")
        self.record(e.CandidatesProposed(opening_id=self.opening_id, provider_id=self.provider_id,
                                         proposed=proposed, skipped=skipped))

    def record_interview(self, seeker_id: str, outcome: e.InterviewOutcome) -> None:
        self._ensure_candidate(seeker_id)
        self.record(e.InterviewOutcomeRecorded(opening_id=self.opening_id, provider_id=self.provider_id,
                                               seeker_id=seeker_id, outcome=outcome))

    def hire(self, seeker_id: str, starts_on: date, posted_on: date) -> None:
        """Hire a retained candidate; ``posted_on`` is the platform's local day of :attr:`posted_at`."""
        self._ensure_candidate(seeker_id)
        if self.outcomes.get(seeker_id) is not e.InterviewOutcome.RETAINED:
            raise DomainError("not_retained", "Notez d'abord l'entretien de cette personne comme « retenu·e ».",
                              field="seeker_id")
        if seeker_id in self.hires:
            raise Conflict("already_hired", "Cette personne est déjà embauchée sur cette offre.")
        if self.filled:
            raise Conflict("opening_filled", "L'offre est déjà pourvue.")
        assert self.trade is not None
        self.record(e.SeekerHired(opening_id=self.opening_id, provider_id=self.provider_id, seeker_id=seeker_id,
                                  starts_on=starts_on, posted_on=posted_on, trade=self.trade))

    def check_placement(self, seeker_id: str, months: int, in_post: bool, today: date) -> None:
        self._ensure_posted()
        started = self.hires.get(seeker_id)
        if started is None:
            raise DomainError("not_hired", "Cette personne n'a pas été embauchée sur cette offre.", field="seeker_id")
        due = placement_due(started, months)
        if today < due:
            raise DomainError("placement_not_due", f"Le suivi à {months} mois se fait à partir du {due:%d/%m/%Y}.",
                              field="months")
        if (seeker_id, months) in self.checks:
            raise Conflict("placement_checked", f"Le suivi à {months} mois est déjà noté.")
        if in_post and self.checks.get((seeker_id, 3)) is False:
            raise DomainError("left_at_3_months", "Cette personne n'était plus en poste à 3 mois.", field="in_post")
        self.record(e.PlacementChecked(opening_id=self.opening_id, provider_id=self.provider_id, seeker_id=seeker_id,
                                       months=months, in_post=in_post))

    def _observe(self, envelope: Envelope[Any]) -> None:
        if isinstance(envelope.payload, e.OpeningPosted):
            self.posted_at = envelope.meta.occurred_at

    def _ensure_posted(self) -> None:
        if not self.posted:
            raise DomainError("unknown_opening", "Offre d'emploi inconnue.")

    def _ensure_candidate(self, seeker_id: str) -> None:
        self._ensure_posted()
        if seeker_id not in self.proposed:
            raise DomainError("not_proposed", "Cette personne n'a pas été proposée pour cette offre.", field="seeker_id")

    def _apply(self, event: Event) -> None:
        match event:
            case e.OpeningPosted(provider_id=provider_id, trade=trade, starts_on=starts_on, positions=positions):
                self.posted, self.provider_id, self.trade = True, provider_id, trade
                self.starts_on, self.positions = starts_on, positions
            case e.CandidatesProposed(proposed=proposed):
                self.proposed.extend(candidate.seeker_id for candidate in proposed)
            case e.InterviewOutcomeRecorded(seeker_id=seeker_id, outcome=outcome):
                self.outcomes[seeker_id] = outcome
            case e.SeekerHired(seeker_id=seeker_id, starts_on=starts_on):
                self.hires[seeker_id] = starts_on
            case e.PlacementChecked(seeker_id=seeker_id, months=months, in_post=in_post):
                self.checks[(seeker_id, months)] = in_post
