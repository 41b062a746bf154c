"""Each step (module) of a training cohort's framework validated or not, with its day (issue 22)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.employment.adapters.figures import facts_of
from services.employment.domain import commands as c
from services.employment.entrypoints.schemas import CohortSummary, CohortView
from shared.clock import FixedClock
from shared.contracts.events.employment import ModuleCertified
from shared.errors import Conflict, DomainError
from tests.unit.employment.factories import P, register
from tests.unit.employment.fakes import World

ADVISOR = "advisor:adv-1"


@pytest.fixture
def world() -> World:
    return World(FixedClock(datetime(2026, 4, 20, 8, 0, tzinfo=UTC)))


async def cohort_with_trainee(world: World) -> tuple[str, str]:
    seeker_id = await register(world, "Sam")
    cohort_id = await world.handlers.open_cohort(P, c.OpenCohort(
        title="Remise à niveau DEAVS", modules=["DC1 — accompagner la personne", "DC2 — vie quotidienne"],
        starts_on=date(2026, 4, 1), ends_on=date(2026, 5, 29)), ADVISOR)
    await world.handlers.admit_trainee(P, cohort_id, c.AdmitTrainee(seeker_id=seeker_id), ADVISOR)
    return cohort_id, seeker_id


async def test_each_step_is_validated_or_not_with_its_day_and_a_failed_step_may_be_passed_later(world: World) -> None:
    h = world.handlers
    cohort_id, seeker_id = await cohort_with_trainee(world)
    first, second = "DC1 — accompagner la personne", "DC2 — vie quotidienne"
    await h.record_module(P, cohort_id, c.RecordModuleAttendance(seeker_id=seeker_id, module=first,
                                                                 attendance="present"), ADVISOR)
    await h.certify_module(P, cohort_id, c.CertifyModule(seeker_id=seeker_id, module=first, certified=True,
                                                         on=date(2026, 4, 10)), ADVISOR)
    await h.certify_module(P, cohort_id, c.CertifyModule(seeker_id=seeker_id, module=second, certified=False), ADVISOR)
    world.clock.advance(timedelta(days=5))
    await h.certify_module(P, cohort_id, c.CertifyModule(seeker_id=seeker_id, module=second, certified=True), ADVISOR)

    assert [(event.module, event.certified, event.on) for event in world.events("ModuleCertified")] == [
        (first, True, date(2026, 4, 10)), (second, False, date(2026, 4, 20)), (second, True, date(2026, 4, 25))]
    view = CohortView.of(await h.cohort(P, cohort_id))
    assert [(step.module, step.attendance_label, step.certified_label, step.on) for step in view.steps] == [
        (first, "présent·e", "validée", date(2026, 4, 10)), (second, None, "validée", date(2026, 4, 25))]
    [summary] = await h.cohorts(P)
    assert CohortSummary.of(summary).steps_certified == 2


async def test_a_step_refuses_an_unknown_module_a_day_to_come_a_day_before_the_course_and_a_second_validation(
        world: World) -> None:
    h = world.handlers
    cohort_id, seeker_id = await cohort_with_trainee(world)
    module = "DC1 — accompagner la personne"

    def certify(**changes: object) -> c.CertifyModule:
        return c.CertifyModule(**{"seeker_id": seeker_id, "module": module, "certified": True, **changes})

    with pytest.raises(DomainError, match="ne fait pas partie"):
        await h.certify_module(P, cohort_id, certify(module="DC9"), ADVISOR)
    with pytest.raises(DomainError, match="futur"):
        await h.certify_module(P, cohort_id, certify(on=date(2026, 4, 21)), ADVISOR)
    with pytest.raises(DomainError, match="commence le 01/04/2026"):
        await h.certify_module(P, cohort_id, certify(on=date(2026, 3, 31)), ADVISOR)
    with pytest.raises(DomainError, match="ne suit pas"):
        await h.certify_module(P, cohort_id, certify(seeker_id=await register(world, "Autre")), ADVISOR)
    await h.certify_module(P, cohort_id, certify(), ADVISOR)
    with pytest.raises(Conflict, match="déjà validée \\(le 20/04/2026\\)"):
        await h.certify_module(P, cohort_id, certify(certified=False), ADVISOR)


def test_a_validated_step_is_counted_for_its_trainee_and_a_failed_one_is_not() -> None:
    passed = ModuleCertified(cohort_id="coh-1", seeker_id="skr-1", module="DC1", certified=True, on=date(2026, 4, 10))
    failed = passed.model_copy(update={"certified": False})
    assert [(f.measure, f.subject) for f in facts_of(passed, date(2026, 4, 10))] == [("modules_assessed", "skr-1"),
                                                                                  ("modules_certified", "skr-1")]
    assert [(f.measure, f.subject) for f in facts_of(failed, date(2026, 4, 10))] == [("modules_assessed", "skr-1")]
