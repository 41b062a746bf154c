"""The employment use cases, bound to their dependencies by ``bootstrap``.

Each command loads its aggregate from the employment store, lets it decide, appends the new events and
updates the seeker or opening index in the same transaction. A provider (``provider_id`` given) reaches
only its own openings: another's answers "introuvable", as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from services.employment.domain import commands as c
from services.employment.domain.invitations import session_messages
from services.employment.domain.model import InformationSession, Opening, Seeker, TrainingCohort
from services.employment.domain.proposals import ERASED, HIRED, PRESELECTED, OpeningNeeds, choose_candidates
from services.employment.service_layer.ports import (
    CohortRecord,
    EmploymentUnitOfWork,
    OpeningRecord,
    PersonalData,
    SeekerRecord,
    SessionRecord,
    UnitOfWorkFactory,
)
from shared.aggregate import Aggregate
from shared.clock import Clock
from shared.contracts import labels
from shared.contracts.envelope import new_envelope
from shared.contracts.events import employment as e
from shared.contracts.events.feedback import SendChannel
from shared.errors import Conflict, DomainError, NotFound
from shared.ids import id_for_key
from shared.outgoing.outbox import OutgoingMessage
from shared.platforms.calendar import distance_km
from shared.platforms.local_time import local_date
from shared.platforms.model import PlatformPolicy
from shared.privacy.errors import ResidentErasedError, UnknownResidentError
from shared.security.principals import Principal

A = TypeVar("A", bound=Aggregate)
IN_TRAINING = "in_training"
REGISTERED = "registered"
OPEN, FILLED = "open", "filled"


@dataclass
class EmploymentHandlers:
    uow: UnitOfWorkFactory
    personal: PersonalData
    policies: Mapping[str, PlatformPolicy]
    clock: Clock

    def policy(self, platform_id: str) -> PlatformPolicy:
        try:
            return self.policies[platform_id]
        except KeyError:
            raise NotFound("Plateforme") from None

    def today(self, platform_id: str) -> date:
        return local_date(self.clock.now(), self.policy(platform_id).zone)

    # job seekers

    async def register_seeker(self, platform_id: str, body: c.RegisterSeeker, actor: str, advisor: str,
                              key: str | None = None) -> str:
        policy = self.policy(platform_id)
        if body.commune not in policy.commune_codes():
            raise DomainError("unknown_commune", "Cette commune n'est pas couverte par la plateforme.", field="commune")
        seeker_id = id_for_key("skr", platform_id, key)
        if await self._created(key, "seeker", seeker_id):
            return seeker_id
        identity = await self.personal.seal(seeker_id, platform_id, body.identity)
        event = e.SeekerRegistered(seeker_id=seeker_id, identity=identity, referral_source=body.referral_source,
                                   trades=body.trades, commune=body.commune, mobility_km=body.mobility_km,
                                   available_from=body.available_from, hours_per_week=body.hours_per_week,
                                   advisor=advisor)
        async with self.uow() as uow:
            seeker = Seeker(seeker_id=seeker_id)
            seeker.register(event)
            await self._save(uow, seeker, seeker_id, platform_id, actor)
            await uow.seekers.add(SeekerRecord(
                seeker_id, platform_id, body.referral_source, tuple(body.trades), body.commune, body.mobility_km,
                body.available_from, self.clock.now(), REGISTERED, identity,
                channel=SendChannel.EMAIL if body.identity.email else SendChannel.SMS))
            await uow.commit()
        return seeker_id

    async def assess_seeker(self, platform_id: str, seeker_id: str, body: c.AssessSeeker, actor: str, advisor: str) -> None:
        async with self.uow() as uow:
            record = await self._seeker_record(uow, platform_id, seeker_id)
            seeker = await self._load(uow, Seeker(seeker_id=seeker_id), "seeker", seeker_id, platform_id)
            seeker.assess(body.grid, body.decision, body.reason, advisor)
            await self._save(uow, seeker, seeker_id, platform_id, actor)
            preselected = body.decision is e.AssessmentDecision.PRESELECTED
            await uow.seekers.save(record.but(status=body.decision.value,
                                              preselected_on=self.today(platform_id) if preselected else None))
            await uow.commit()

    async def erase_seeker(self, platform_id: str, seeker_id: str, requested_by: str, actor: str) -> None:
        """Delete the seeker's key (every sealed copy becomes unreadable) and record it; counts stay."""
        async with self.uow() as uow:
            record = await self._seeker_record(uow, platform_id, seeker_id)
            seeker = await self._load(uow, Seeker(seeker_id=seeker_id), "seeker", seeker_id, platform_id)
            await self.personal.erase(seeker_id)
            seeker.erase(self.clock.now(), requested_by)
            await self._save(uow, seeker, seeker_id, platform_id, actor)
            await uow.seekers.save(record.but(status=ERASED, identity=None))
            await uow.outbox.cancel_for(seeker_id)
            await uow.commit()

    async def seekers(self, platform_id: str) -> list[SeekerRecord]:
        self.policy(platform_id)
        async with self.uow() as uow:
            return await uow.seekers.of_platform(platform_id)

    async def seeker(self, platform_id: str, seeker_id: str) -> SeekerRecord:
        async with self.uow() as uow:
            return await self._seeker_record(uow, platform_id, seeker_id)

    async def assessments(self, platform_id: str, seeker_id: str) -> list[tuple[e.SeekerAssessed, date]]:
        """The seeker's assessments, oldest first, each with the platform's local day it was recorded."""
        zone = self.policy(platform_id).zone
        async with self.uow() as uow:
            history = await uow.events.load("seeker", seeker_id)
        return [(envelope.payload, local_date(envelope.meta.occurred_at, zone)) for envelope in history
                if envelope.platform_id == platform_id and isinstance(envelope.payload, e.SeekerAssessed)]

    async def identity(self, record: SeekerRecord, reader: Principal, purpose: str) -> dict[str, Any] | None:
        """The seeker's name and contact details, read through the vault (audited); None once erased."""
        if record.identity is None:
            return None
        try:
            return await self.personal.unseal(record.identity, reader=reader, purpose=purpose)
        except (ResidentErasedError, UnknownResidentError):
            return None

    # information sessions

    async def schedule_session(self, platform_id: str, body: c.ScheduleSession, actor: str,
                               key: str | None = None) -> str:
        self.policy(platform_id)
        session_id = id_for_key("ses", platform_id, key)
        if await self._created(key, "information_session", session_id):
            return session_id
        async with self.uow() as uow:
            session = InformationSession(session_id=session_id)
            session.schedule(e.SessionScheduled(session_id=session_id, starts_at=body.starts_at, place=body.place,
                                                trades=body.trades, capacity=body.capacity))
            await self._save_session(uow, session, platform_id, actor)
            await uow.commit()
        return session_id

    async def invite(self, platform_id: str, session_id: str, body: c.InviteSeekers, actor: str) -> None:
        """Invite each seeker not invited yet; each gets the invitation at once and a reminder the day before."""
        policy = self.policy(platform_id)
        now = self.clock.now()
        async with self.uow() as uow:
            session = await self._session(uow, platform_id, session_id)
            assert session.starts_at is not None
            messages = session_messages(session.starts_at, session.place,
                                        [labels.label(labels.TRADES, trade) for trade in session.trades],
                                        policy.name, policy.zone, now)
            for seeker_id in body.seeker_ids:
                record = await self._followed(uow, platform_id, seeker_id)
                if seeker_id in session.invited:
                    continue
                session.invite(seeker_id)
                for message in messages:
                    await uow.outbox.queue(OutgoingMessage(
                        platform_id=platform_id, request_id=session_id, kind=message.kind, channel=record.channel,
                        subject=message.subject, body=message.body, recipient=record.identity, resident_id=seeker_id,
                        reference=session_id), now, message.not_before)
            await self._save_session(uow, session, platform_id, actor)
            await uow.commit()

    async def enroll(self, platform_id: str, session_id: str, body: c.EnrollSeeker, actor: str) -> None:
        async with self.uow() as uow:
            session = await self._session(uow, platform_id, session_id)
            session.enroll(body.seeker_id)
            await self._save_session(uow, session, platform_id, actor)
            await uow.commit()

    async def hold_session(self, platform_id: str, session_id: str, body: c.RecordAttendance, actor: str) -> None:
        async with self.uow() as uow:
            session = await self._session(uow, platform_id, session_id)
            session.hold(body.attendance, self.clock.now())
            await self._save_session(uow, session, platform_id, actor)
            await uow.commit()

    async def session(self, platform_id: str, session_id: str) -> InformationSession:
        async with self.uow() as uow:
            return await self._session(uow, platform_id, session_id)

    # training cohorts

    async def open_cohort(self, platform_id: str, body: c.OpenCohort, actor: str, key: str | None = None) -> str:
        self.policy(platform_id)
        cohort_id = id_for_key("coh", platform_id, key)
        if await self._created(key, "training_cohort", cohort_id):
            return cohort_id
        async with self.uow() as uow:
            cohort = TrainingCohort(cohort_id=cohort_id)
            cohort.open(e.CohortOpened(cohort_id=cohort_id, title=body.title, modules=body.modules,
                                       starts_on=body.starts_on, ends_on=body.ends_on))
            await self._save_cohort(uow, cohort, platform_id, actor)
            await uow.commit()
        return cohort_id

    async def admit_trainee(self, platform_id: str, cohort_id: str, body: c.AdmitTrainee, actor: str) -> None:
        async with self.uow() as uow:
            record = await self._followed(uow, platform_id, body.seeker_id)
            cohort = await self._cohort(uow, platform_id, cohort_id)
            cohort.admit(body.seeker_id)
            await self._save_cohort(uow, cohort, platform_id, actor)
            await uow.seekers.save(record.but(status=IN_TRAINING))
            await uow.commit()

    async def record_module(self, platform_id: str, cohort_id: str, body: c.RecordModuleAttendance, actor: str) -> None:
        async with self.uow() as uow:
            cohort = await self._cohort(uow, platform_id, cohort_id)
            cohort.attend(body.seeker_id, body.module, body.attendance)
            await self._save_cohort(uow, cohort, platform_id, actor)
            await uow.commit()

    async def certify_module(self, platform_id: str, cohort_id: str, body: c.CertifyModule, actor: str) -> None:
        today = self.today(platform_id)
        async with self.uow() as uow:
            cohort = await self._cohort(uow, platform_id, cohort_id)
            cohort.certify_module(body.seeker_id, body.module, body.certified, body.on or today, today)
            await self._save_cohort(uow, cohort, platform_id, actor)
            await uow.commit()

    async def complete_training(self, platform_id: str, cohort_id: str, body: c.CompleteTraining, actor: str) -> None:
        """A certified trainee becomes pre-selected from that day; the others go back to being followed."""
        async with self.uow() as uow:
            record = await self._seeker_record(uow, platform_id, body.seeker_id)
            cohort = await self._cohort(uow, platform_id, cohort_id)
            cohort.complete(body.seeker_id, body.certified)
            await self._save_cohort(uow, cohort, platform_id, actor)
            if record.status == IN_TRAINING:
                await uow.seekers.save(record.but(status=PRESELECTED, preselected_on=self.today(platform_id))
                                       if body.certified else record.but(status=REGISTERED))
            await uow.commit()

    async def cohort(self, platform_id: str, cohort_id: str) -> TrainingCohort:
        async with self.uow() as uow:
            return await self._cohort(uow, platform_id, cohort_id)

    # openings

    async def post_opening(self, platform_id: str, body: c.PostOpening, provider_id: str, actor: str,
                           key: str | None = None) -> str:
        policy = self.policy(platform_id)
        unknown = sorted(set(body.communes) - policy.commune_codes())
        if unknown:
            raise DomainError("unknown_commune", "Commune(s) non couverte(s) par la plateforme : " + ", ".join(unknown),
                              field="communes")
        opening_id = id_for_key("opn", f"{platform_id}|{provider_id}", key)
        if await self._created(key, "job_opening", opening_id):
            return opening_id
        now = self.clock.now()
        async with self.uow() as uow:
            opening = Opening(opening_id=opening_id)
            opening.post(e.OpeningPosted(opening_id=opening_id, provider_id=provider_id, trade=body.trade,
                                         hours_per_week=body.hours_per_week, communes=body.communes,
                                         starts_on=body.starts_on, positions=body.positions), now)
            await self._save(uow, opening, opening_id, platform_id, actor)
            await uow.openings.add(OpeningRecord(opening_id, platform_id, provider_id, body.trade, body.starts_on, now, OPEN))
            await uow.commit()
        return opening_id

    async def propose(self, platform_id: str, opening_id: str, body: c.ProposeCandidates, actor: str) -> e.CandidatesProposed:
        """Propose the next candidates in turn (see :mod:`services.employment.domain.proposals`)."""
        policy = self.policy(platform_id)
        async with self.uow() as uow:
            opening, history = await self._opening(uow, platform_id, opening_id, None)
            posted: e.OpeningPosted = history[0].payload
            pool = await uow.seekers.of_platform(platform_id)
            needs = OpeningNeeds(posted.trade, tuple(posted.communes), posted.starts_on, frozenset(opening.proposed),
                                 body.wanted)
            proposed, skipped = choose_candidates(
                needs, [record.entry() for record in pool],
                lambda a, b: distance_km(policy.commune(a), policy.commune(b)))
            opening.propose(proposed, skipped)
            event: e.CandidatesProposed = opening.pending[-1]  # type: ignore[assignment]
            await self._save(uow, opening, opening_id, platform_id, actor)
            by_id = {record.seeker_id: record for record in pool}
            for candidate in proposed:
                record = by_id[candidate.seeker_id]
                await uow.seekers.save(record.but(proposals=record.proposals + 1))
            await uow.commit()
        return event

    async def record_interview(self, platform_id: str, opening_id: str, body: c.RecordInterview, actor: str,
                               provider_id: str | None) -> None:
        async with self.uow() as uow:
            opening, _ = await self._opening(uow, platform_id, opening_id, provider_id)
            opening.record_interview(body.seeker_id, body.outcome)
            await self._save(uow, opening, opening_id, platform_id, actor)
            await uow.commit()

    async def hire(self, platform_id: str, opening_id: str, body: c.Hire, actor: str, provider_id: str | None) -> None:
        zone = self.policy(platform_id).zone
        async with self.uow() as uow:
            opening, _ = await self._opening(uow, platform_id, opening_id, provider_id)
            record = await self._followed(uow, platform_id, body.seeker_id)
            assert opening.posted_at is not None
            opening.hire(body.seeker_id, body.starts_on, local_date(opening.posted_at, zone))
            await self._save(uow, opening, opening_id, platform_id, actor)
            await uow.seekers.save(record.but(status=HIRED))
            if opening.filled:
                await uow.openings.set_status(opening_id, FILLED)
            await uow.commit()

    async def check_placement(self, platform_id: str, opening_id: str, body: c.CheckPlacement, actor: str,
                              provider_id: str | None) -> None:
        """Record the follow-up; someone no longer in post can be proposed again for other openings."""
        async with self.uow() as uow:
            opening, _ = await self._opening(uow, platform_id, opening_id, provider_id)
            opening.check_placement(body.seeker_id, body.months, body.in_post, self.today(platform_id))
            await self._save(uow, opening, opening_id, platform_id, actor)
            record = await self._seeker_record(uow, platform_id, body.seeker_id)
            if not body.in_post and record.status == HIRED:  # left the job: back among the pre-selected
                await uow.seekers.save(record.but(status=PRESELECTED))
            await uow.commit()

    async def openings(self, platform_id: str, provider_id: str | None) -> list[OpeningRecord]:
        self.policy(platform_id)
        async with self.uow() as uow:
            return await uow.openings.of_platform(platform_id, provider_id)

    async def opening(self, platform_id: str, opening_id: str, provider_id: str | None) -> tuple[Opening, list[Any]]:
        """The opening and its events, oldest first (what was proposed, to whom, with which reasons)."""
        async with self.uow() as uow:
            opening, history = await self._opening(uow, platform_id, opening_id, provider_id)
            return opening, [envelope.payload for envelope in history]

    # loading and saving

    async def _created(self, key: str | None, aggregate_type: str, aggregate_id: str) -> bool:
        """Whether a command with this idempotency key already created ``aggregate_id`` (then nothing is redone)."""
        if key is None:
            return False
        async with self.uow() as uow:
            return bool(await uow.events.load(aggregate_type, aggregate_id))

    async def _load(self, uow: EmploymentUnitOfWork, aggregate: A, aggregate_type: str, aggregate_id: str,
                    platform_id: str) -> A:
        history = await uow.events.load(aggregate_type, aggregate_id)
        if history and history[0].platform_id != platform_id:
            return aggregate  # another platform's: as unknown as one that does not exist
        return aggregate.replay(history)

    async def _save(self, uow: EmploymentUnitOfWork, aggregate: Aggregate, aggregate_id: str, platform_id: str,
                    actor: str) -> None:
        now, correlation_id = self.clock.now(), None
        envelopes = []
        for index, event in enumerate(aggregate.pending):
            envelope = new_envelope(event, platform_id=platform_id, aggregate_id=aggregate_id,
                                    aggregate_version=aggregate.version + index + 1, actor=actor, occurred_at=now,
                                    correlation_id=correlation_id)
            correlation_id = envelope.meta.correlation_id
            envelopes.append(envelope)
        await uow.events.append(envelopes)
        aggregate.version, aggregate.pending = aggregate.version + len(envelopes), []

    async def _save_session(self, uow: EmploymentUnitOfWork, session: InformationSession, platform_id: str,
                            actor: str) -> None:
        await self._save(uow, session, session.session_id, platform_id, actor)
        assert session.starts_at is not None
        present = sum(1 for mark in session.attendance.values() if mark is e.Attendance.PRESENT)
        await uow.activities.save_session(SessionRecord(
            session.session_id, platform_id, session.starts_at, session.place, session.capacity, len(session.invited),
            len(session.enrolled), present, session.held))

    async def _save_cohort(self, uow: EmploymentUnitOfWork, cohort: TrainingCohort, platform_id: str,
                           actor: str) -> None:
        await self._save(uow, cohort, cohort.cohort_id, platform_id, actor)
        assert cohort.starts_on is not None and cohort.ends_on is not None
        await uow.activities.save_cohort(CohortRecord(
            cohort.cohort_id, platform_id, cohort.title, cohort.starts_on, cohort.ends_on, len(cohort.trainees),
            len(cohort.completed), len(cohort.certified), sum(1 for done, _ in cohort.steps.values() if done)))

    async def sessions(self, platform_id: str) -> list[SessionRecord]:
        self.policy(platform_id)
        async with self.uow() as uow:
            return await uow.activities.sessions(platform_id)

    async def cohorts(self, platform_id: str) -> list[CohortRecord]:
        self.policy(platform_id)
        async with self.uow() as uow:
            return await uow.activities.cohorts(platform_id)

    async def _seeker_record(self, uow: EmploymentUnitOfWork, platform_id: str, seeker_id: str) -> SeekerRecord:
        self.policy(platform_id)
        record = await uow.seekers.get(seeker_id)
        if record is None or record.platform_id != platform_id:
            raise NotFound("Demandeur d'emploi")
        return record

    async def _followed(self, uow: EmploymentUnitOfWork, platform_id: str, seeker_id: str) -> SeekerRecord:
        record = await self._seeker_record(uow, platform_id, seeker_id)
        if record.status == ERASED:
            raise Conflict("seeker_erased", "Les données de ce demandeur d'emploi ont été effacées : il n'est plus "
                           "suivi.", field="seeker_id")
        return record

    async def _session(self, uow: EmploymentUnitOfWork, platform_id: str, session_id: str) -> InformationSession:
        self.policy(platform_id)
        session = await self._load(uow, InformationSession(session_id=session_id), "information_session", session_id,
                                   platform_id)
        if not session.scheduled:
            raise NotFound("Réunion d'information")
        return session

    async def _cohort(self, uow: EmploymentUnitOfWork, platform_id: str, cohort_id: str) -> TrainingCohort:
        self.policy(platform_id)
        cohort = await self._load(uow, TrainingCohort(cohort_id=cohort_id), "training_cohort", cohort_id, platform_id)
        if not cohort.opened:
            raise NotFound("Session de formation")
        return cohort

    async def _opening(self, uow: EmploymentUnitOfWork, platform_id: str, opening_id: str,
                       provider_id: str | None) -> tuple[Opening, list[Any]]:
        self.policy(platform_id)
        history = await uow.events.load("job_opening", opening_id)
        if not history or history[0].platform_id != platform_id or provider_id not in (None, history[0].payload.provider_id):
            raise NotFound("Offre d'emploi")
        return Opening(opening_id=opening_id).replay(history), history
