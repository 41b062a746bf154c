"""The employment use cases on fakes: the path from registration to a placement, and what each step refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.employment.domain import commands as c
from shared.clock import FixedClock
from shared.contracts.events.employment import AssessmentDecision, AssessmentGrid, Attendance, Trade
from shared.errors import DomainError, NotFound
from shared.privacy.contact import ResidentContact
from tests.unit.employment.factories import P, register
from tests.unit.employment.fakes import World

GRID = AssessmentGrid(skills=4, motivation=4, constraints=3)


@pytest.fixture
def world() -> World:
    return World(FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)))


async def test_a_seeker_goes_from_session_to_hire_and_is_followed_up_at_six_months(world: World) -> None:
    h = world.handlers
    seekers = [await register(world, f"Personne {i}") for i in range(3)]
    session_id = await h.schedule_session(P, c.ScheduleSession(starts_at=datetime(2026, 3, 5, 9, tzinfo=UTC),
                                                               place="Salle 2", trades=[Trade.HOME_HELP], capacity=10),
                                          "advisor:adv-1")
    await h.invite(P, session_id, c.InviteSeekers(seeker_ids=seekers), "advisor:adv-1")
    await h.invite(P, session_id, c.InviteSeekers(seeker_ids=seekers[:1]), "advisor:adv-1")  # not invited twice
    invitation, reminder = [(m.kind, m.channel, m.body, m.resident_id, when) for m, when in world.outbox.messages[:2]]
    assert invitation[:2] == ("session_invitation", "sms") and invitation[4] is None
    assert "le jeudi 5 mars 2026 à 10:00, Salle 2. Métiers présentés : aide à domicile." in invitation[2]
    assert reminder[0] == "session_reminder" and reminder[4] == datetime(2026, 3, 4, 9, tzinfo=UTC)
    assert len(world.outbox.messages) == 6 and "Personne" not in invitation[2]
    with pytest.raises(DomainError, match="pas encore commencé"):
        await h.hold_session(P, session_id, c.RecordAttendance(attendance={}), "advisor:adv-1")
    world.clock.advance(timedelta(days=3, hours=2))
    await h.hold_session(P, session_id, c.RecordAttendance(attendance={seekers[0]: Attendance.PRESENT,
                                                                       seekers[1]: Attendance.EXCUSED}), "advisor:adv-1")
    assert world.events("SessionHeld")[0].attendance == {seekers[0]: "present", seekers[1]: "excused", seekers[2]: "absent"}
    [session] = await h.sessions(P)
    assert (session.invited, session.present, session.held) == (3, 1, True)

    await h.assess_seeker(P, seekers[0], c.AssessSeeker(grid=GRID, decision=AssessmentDecision.PRESELECTED,
                                                        reason="Motivée"), "advisor:adv-1", "adv-1")
    opening_id = await h.post_opening(P, c.PostOpening(trade=Trade.HOME_HELP, hours_per_week="24.00",
                                                       communes=["94046"], starts_on=date(2026, 4, 1)),
                                      "prv-aide", "provider:prv-aide")
    proposal = await h.propose(P, opening_id, c.ProposeCandidates(), "advisor:adv-1")
    assert [candidate.seeker_id for candidate in proposal.proposed] == [seekers[0]]
    assert {skip.seeker_id: skip.reason for skip in proposal.skipped} == {seekers[1]: "not_preselected",
                                                                          seekers[2]: "not_preselected"}
    assert world.seekers.rows[seekers[0]].proposals == 1

    with pytest.raises(DomainError, match="retenu"):
        await h.hire(P, opening_id, c.Hire(seeker_id=seekers[0], starts_on=date(2026, 4, 1)), "provider:prv-aide", "prv-aide")
    await h.record_interview(P, opening_id, c.RecordInterview(seeker_id=seekers[0], outcome="retained"),
                             "provider:prv-aide", "prv-aide")
    world.clock.advance(timedelta(days=10))
    await h.hire(P, opening_id, c.Hire(seeker_id=seekers[0], starts_on=date(2026, 4, 1)), "provider:prv-aide", "prv-aide")
    hired = world.events("SeekerHired")[0]
    assert hired.posted_on == date(2026, 3, 5) and world.openings.rows[opening_id].status == "filled"

    six_months = c.CheckPlacement(seeker_id=seekers[0], months=6, in_post=True)
    with pytest.raises(DomainError, match="01/10/2026"):
        await h.check_placement(P, opening_id, six_months, "provider:prv-aide", "prv-aide")
    world.clock.advance(timedelta(days=200))
    await h.check_placement(P, opening_id, six_months, "provider:prv-aide", "prv-aide")
    assert world.events("PlacementChecked")[0].in_post is True


async def test_a_provider_never_reaches_another_providers_opening(world: World) -> None:
    opening_id = await world.handlers.post_opening(P, c.PostOpening(trade=Trade.HOME_HELP, hours_per_week="10.00",
                                                                    communes=["94028"], starts_on=date(2026, 4, 1)),
                                                   "prv-aide", "provider:prv-aide")
    with pytest.raises(NotFound):
        await world.handlers.opening(P, opening_id, "prv-other")
    with pytest.raises(NotFound):
        await world.handlers.opening("limoges", opening_id, None)
    assert await world.handlers.openings(P, "prv-other") == []


async def test_erasure_deletes_the_key_and_the_sealed_identity_but_keeps_the_seeker_counted(world: World) -> None:
    seeker_id = await register(world, "Camille Martin")
    record = await world.handlers.seeker(P, seeker_id)
    assert (await world.handlers.identity(record, None, "suivi"))["name"] == "Camille Martin"  # type: ignore[arg-type,index]
    await world.handlers.erase_seeker(P, seeker_id, "advisor:adv-1", "advisor:adv-1")
    record = await world.handlers.seeker(P, seeker_id)
    assert record.status == "erased" and record.identity is None and seeker_id in world.vault.erased
    assert [event.seeker_id for event in world.events("SeekerErased")] == [seeker_id]
    assert world.outbox.cancelled == [seeker_id]
    with pytest.raises(DomainError, match="effacées"):
        await world.handlers.admit_trainee(P, "coh-x", c.AdmitTrainee(seeker_id=seeker_id), "advisor:adv-1")


async def test_a_certified_trainee_becomes_preselected(world: World) -> None:
    seeker_id = await register(world, "Sam")
    cohort_id = await world.handlers.open_cohort(P, c.OpenCohort(title="Remise à niveau DEAVS", modules=["DC1", "DC2"],
                                                                 starts_on=date(2026, 4, 1), ends_on=date(2026, 5, 29)),
                                                 "advisor:adv-1")
    await world.handlers.admit_trainee(P, cohort_id, c.AdmitTrainee(seeker_id=seeker_id), "advisor:adv-1")
    assert world.seekers.rows[seeker_id].status == "in_training"
    with pytest.raises(DomainError, match="module"):
        await world.handlers.record_module(P, cohort_id, c.RecordModuleAttendance(seeker_id=seeker_id, module="DC9",
                                                                                  attendance="present"), "advisor:adv-1")
    await world.handlers.record_module(P, cohort_id, c.RecordModuleAttendance(seeker_id=seeker_id, module="DC1",
                                                                              attendance="present"), "advisor:adv-1")
    await world.handlers.complete_training(P, cohort_id, c.CompleteTraining(seeker_id=seeker_id, certified=True),
                                           "advisor:adv-1")
    assert world.seekers.rows[seeker_id].status == "preselected"
    [cohort] = await world.handlers.cohorts(P)
    assert (cohort.title, cohort.trainees, cohort.completed, cohort.certified) == ("Remise à niveau DEAVS", 1, 1, 1)


async def test_a_retried_creation_with_its_idempotency_key_creates_nothing_new(world: World) -> None:
    body = c.RegisterSeeker(identity=ResidentContact(name="Léa", phone="06 12 34 56 78"), referral_source="spontaneous",
                            trades=[Trade.GARDENING], commune="94028", mobility_km=5, available_from=date(2026, 3, 1),
                            hours_per_week="10.00")
    first = await world.handlers.register_seeker(P, body, "advisor:adv-1", "adv-1", key="clé-0001-a")
    again = await world.handlers.register_seeker(P, body, "advisor:adv-1", "adv-1", key="clé-0001-a")
    other = await world.handlers.register_seeker(P, body, "advisor:adv-1", "adv-1", key="clé-0002-b")
    assert first == again != other and len(world.events("SeekerRegistered")) == 2
    opening = c.PostOpening(trade=Trade.GARDENING, hours_per_week="10.00", communes=["94028"], starts_on=date(2026, 4, 1))
    mine = await world.handlers.post_opening(P, opening, "prv-a", "provider:prv-a", key="clé-0003-c")
    theirs = await world.handlers.post_opening(P, opening, "prv-b", "provider:prv-b", key="clé-0003-c")
    assert mine != theirs


async def test_someone_who_left_the_job_at_three_months_can_be_proposed_again(world: World) -> None:
    h = world.handlers
    seeker_id = await register(world, "Noa")
    await h.assess_seeker(P, seeker_id, c.AssessSeeker(grid=GRID, decision=AssessmentDecision.PRESELECTED, reason="Prête"),
                          "advisor:adv-1", "adv-1")
    opening_id = await h.post_opening(P, c.PostOpening(trade=Trade.HOME_HELP, hours_per_week="24.00", communes=["94028"],
                                                       starts_on=date(2026, 3, 9)), "prv-aide", "provider:prv-aide")
    await h.propose(P, opening_id, c.ProposeCandidates(), "advisor:adv-1")
    await h.record_interview(P, opening_id, c.RecordInterview(seeker_id=seeker_id, outcome="retained"), "p", "prv-aide")
    await h.hire(P, opening_id, c.Hire(seeker_id=seeker_id, starts_on=date(2026, 3, 9)), "p", "prv-aide")
    assert world.seekers.rows[seeker_id].status == "hired"
    world.clock.advance(timedelta(days=100))
    await h.check_placement(P, opening_id, c.CheckPlacement(seeker_id=seeker_id, months=3, in_post=False), "p", "prv-aide")
    assert world.seekers.rows[seeker_id].status == "preselected"
    world.clock.advance(timedelta(days=100))
    with pytest.raises(DomainError, match="plus en poste à 3 mois"):
        await h.check_placement(P, opening_id, c.CheckPlacement(seeker_id=seeker_id, months=6, in_post=True), "p",
                                "prv-aide")
