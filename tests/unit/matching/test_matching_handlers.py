"""The matching use cases on fake repositories: directory, first offers, actions, deadlines (no I/O)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from services.matching.domain import commands as c
from services.matching.service_layer.assignment import receive_request
from services.matching.service_layer.handlers import DirectoryHandlers, OfferHandlers
from services.matching.service_layer.sweeper import DeadlineSweeper
from shared.clock import FixedClock
from shared.contracts.events import matching as ev
from shared.contracts.events.providers import (
    CommitteeBody,
    CommitteeMember,
    ProviderApplied,
)
from shared.errors import DomainError, NotFound
from tests.unit.matching.builders import (
    LIMOGES,
    MEZIERES,
    ROSNAY,
    SAINT_YRIEIX,
    T0,
    brenne,
    limoges,
    request_logged,
)
from tests.unit.matching.fakes import FakeMatchingDatabase

COMMITTEE = [CommitteeMember(body=CommitteeBody.CCAS, label="CCAS")]


class World:
    def __init__(self) -> None:
        self.db = FakeMatchingDatabase()
        self.clock = FixedClock(T0)
        self.policies = {"limoges": limoges(), "brenne": brenne()}
        self.directory = DirectoryHandlers(self.db.uow, self.policies, self.clock)
        self.offers = OfferHandlers(self.db.uow, self.policies, self.clock)
        self.sweeper = DeadlineSweeper(self.db.uow, self.policies, self.clock)

    async def admit(self, name: str, *, activities=("gardening",), communes=(LIMOGES,), platform="limoges",
                    publics=(), expires_on=date(2030, 1, 1)) -> str:
        pid = await self.directory.apply(c.Apply(platform_id=platform, actor="coordinator:co", name=name,
                                                 kind="association", activities=list(activities), communes=list(communes)))
        await self.change(pid, c.CommitteeDecision(decision="admitted", committee_on=date(2026, 2, 1), members=COMMITTEE,
                                                   charter_signed_at=T0), platform)
        if publics:
            await self.change(pid, c.AccreditationDetails(number="N/1", issued_on=date(2020, 1, 1), expires_on=expires_on,
                                                          publics=list(publics)), platform)
        self.clock.advance(timedelta(minutes=1))
        return pid

    async def change(self, pid: str, change: c.DirectoryChange, platform: str = "limoges") -> None:
        await self.directory.change(c.ChangeProvider(platform_id=platform, actor="coordinator:co", provider_id=pid,
                                                     change=change))

    async def log(self, request_id: str, platform: str = "limoges", **options) -> None:
        async with self.db.uow() as uow:
            await receive_request(uow, self.policies[platform], request_logged(request_id, platform_id=platform,
                                                                             **options), self.clock.now())
            await uow.commit()

    def of(self, request_id: str, cls: type = ev.MatchingEvent) -> list:
        return [e for e in self.db.of_type(cls) if e.request_id == request_id]

    def holder(self, request_id: str) -> str | None:
        return self.db.matches[request_id]["provider_id"]

    def act(self, request_id: str, provider_id: str | None = None) -> dict:
        return {"platform_id": "limoges", "actor": f"provider:{provider_id}", "request_id": request_id,
                "provider_id": provider_id}


@pytest.fixture
async def world() -> World:
    return World()


async def test_the_directory_records_events_and_rows(world: World) -> None:
    pid = await world.admit("Jardins du Limousin")

    assert [e.meta.event_type for e in world.db.events] == ["ProviderApplied", "ProviderAdmitted"]
    assert world.db.providers[pid].status == "admitted" and world.db.providers[pid].version == 2
    with pytest.raises(NotFound):
        await world.change(pid, c.Suspension(since=date(2026, 3, 1), reason="x"), platform="brenne")
    with pytest.raises(DomainError):
        await world.directory.apply(c.Apply(platform_id="limoges", actor="coordinator:co", name="X", kind="artisan",
                                            activities=["skydiving"], communes=[LIMOGES]))
    assert len(world.db.of_type(ProviderApplied)) == 1


async def test_nine_requests_go_three_each_in_turn_to_three_gardeners(world: World) -> None:
    gardeners = [await world.admit(name) for name in ("A", "B", "C")]

    for index in range(9):
        await world.log(f"req-{index}")

    assert [world.holder(f"req-{index}") for index in range(9)] == gardeners * 3
    first = world.of("req-1", ev.ProviderAssigned)[0]
    assert first.candidates == [gardeners[1], gardeners[2], gardeners[0]] and first.rotation_position == 0
    assert first.deadline_at == (world.clock.now() + timedelta(hours=24)).astimezone(first.deadline_at.tzinfo)


async def test_a_request_logged_twice_is_offered_once(world: World) -> None:
    await world.admit("A")
    await world.log("req-1")
    await world.log("req-1")

    assert len(world.of("req-1")) == 1


async def test_declines_go_to_the_next_in_turn_until_nobody_is_left(world: World) -> None:
    a, b = await world.admit("A"), await world.admit("B")
    await world.log("req-1")

    await world.offers.decline(c.Decline(**world.act("req-1", a), reason="unavailable"))
    assert world.holder("req-1") == b and world.of("req-1", ev.ProviderAssigned)[-1].attempt == 2
    await world.offers.decline(c.Decline(**world.act("req-1"), reason="too_far"))  # a coordinator, for B

    (unmet,) = world.of("req-1", ev.RequestUnmet)
    assert unmet.reason is ev.UnmetReason.ALL_DECLINED
    assert world.db.matches["req-1"]["status"] == "unmet"


async def test_a_provider_cannot_touch_another_providers_offer(world: World) -> None:
    a, b = await world.admit("A"), await world.admit("B")
    await world.log("req-1")

    with pytest.raises(NotFound):
        await world.offers.confirm_contact(c.ConfirmContact(**world.act("req-1", b)))
    with pytest.raises(NotFound):
        await world.offers.confirm_contact(c.ConfirmContact(**world.act("req-unknown", a)))
    with pytest.raises(DomainError, match="contact"):
        await world.offers.declare_done(c.DeclareDone(**world.act("req-1", a), done_on=date(2026, 3, 2),
                                                      labour_hours=Decimal(2), labour_amount_excl_tax=Decimal(40)))
    await world.offers.confirm_contact(c.ConfirmContact(**world.act("req-1", a)))
    await world.offers.declare_done(c.DeclareDone(**world.act("req-1", a), done_on=date(2026, 3, 2),
                                                  labour_hours=Decimal(2), labour_amount_excl_tax=Decimal(40)))
    assert world.of("req-1", ev.InterventionDone)[0].amount_excl_tax == "40.00"


async def test_a_missed_deadline_reoffers_and_all_missed_is_unmet(world: World) -> None:
    a, b = await world.admit("A"), await world.admit("B")
    await world.log("req-1")
    assert await world.sweeper.sweep_once() == 0

    world.clock.advance(timedelta(hours=24, seconds=1))
    assert await world.sweeper.sweep_once() == 1
    assert world.of("req-1", ev.ContactDeadlineMissed)[0].provider_id == a and world.holder("req-1") == b

    world.clock.advance(timedelta(hours=25))
    await world.sweeper.sweep_once()
    assert world.of("req-1", ev.RequestUnmet)[0].reason is ev.UnmetReason.DEADLINE_MISSED_BY_ALL


async def test_a_decline_retries_when_another_instance_moved_the_turn(world: World) -> None:
    a, b = await world.admit("A"), await world.admit("B")
    await world.log("req-1")
    world.db.fail_turn_advances[:] = [True]

    await world.offers.decline(c.Decline(**world.act("req-1", a), reason="unavailable"))

    assert world.holder("req-1") == b and len(world.of("req-1", ev.OfferDeclined)) == 1


async def test_a_child_under_3_only_goes_to_accredited_providers(world: World) -> None:
    plain = await world.admit("Plain", activities=("childcare",))
    expired = await world.admit("Expired", activities=("childcare",), publics=("child_under_3",), expires_on=date(2026, 1, 1))
    accredited = await world.admit("Accredited", activities=("childcare",), publics=("child_under_3",))

    await world.log("req-1", activity="childcare", publics=("child_under_3",))

    (assigned,) = world.of("req-1", ev.ProviderAssigned)
    assert assigned.provider_id == accredited
    assert {(s.provider_id, s.reason) for s in assigned.skipped} == {
        (plain, ev.SkipReason.NO_AGREMENT), (expired, ev.SkipReason.AGREMENT_EXPIRED)}


async def test_a_fragile_public_with_nobody_accredited_is_unmet_with_that_reason(world: World) -> None:
    await world.admit("Plain", activities=("elderly_care",))

    await world.log("req-1", activity="elderly_care")

    assert world.of("req-1", ev.RequestUnmet)[0].reason is ev.UnmetReason.FRAGILE_PUBLIC_NOBODY_ACCREDITED


async def test_a_commune_nobody_serves_is_unmet(world: World) -> None:
    await world.admit("A")

    await world.log("req-1", commune=SAINT_YRIEIX)

    assert world.of("req-1", ev.RequestUnmet)[0].reason is ev.UnmetReason.NO_PROVIDER_FOR_ACTIVITY_IN_COMMUNE


async def test_brenne_orients_to_the_nearest_structures(world: World) -> None:
    near = await world.admit("Near", communes=(MEZIERES,), platform="brenne")
    further = await world.admit("Further", communes=(ROSNAY,), platform="brenne")

    await world.log("req-1", platform="brenne", commune=MEZIERES)

    (oriented,) = world.of("req-1", ev.ProvidersOriented)
    assert [p.provider_id for p in oriented.providers] == [near, further]
    assert world.db.matches["req-1"]["status"] == "oriented"


async def test_after_a_cancellation_nothing_more_happens(world: World) -> None:
    a = await world.admit("A")
    await world.log("req-1")
    async with world.db.uow() as uow:
        await uow.matches.cancel("req-1")
        await uow.commit()

    world.clock.advance(timedelta(days=2))
    assert await world.sweeper.sweep_once() == 0
    with pytest.raises(DomainError, match="annulée par l'usager"):
        await world.offers.confirm_contact(c.ConfirmContact(**world.act("req-1", a)))


async def test_facts_cannot_be_dated_in_the_future_by_the_service_clock(world: World) -> None:
    a = await world.admit("A")
    await world.log("req-1")
    now = world.clock.now()

    with pytest.raises(DomainError, match=r"contacted_at .* est dans le futur"):
        await world.offers.confirm_contact(c.ConfirmContact(**world.act("req-1", a), contacted_at=now + timedelta(hours=1)))
    await world.offers.confirm_contact(c.ConfirmContact(**world.act("req-1", a), contacted_at=now + timedelta(minutes=5)))
    with pytest.raises(DomainError, match="sent_at"):
        await world.offers.send_quote(c.SendQuote(**world.act("req-1", a), amount_excl_tax=Decimal(90),
                                                  sent_at=now + timedelta(days=1)))
    with pytest.raises(DomainError, match=r"done_on .* est dans le futur"):
        await world.offers.declare_done(c.DeclareDone(**world.act("req-1", a), done_on=now.date() + timedelta(days=1),
                                                      labour_hours=Decimal(2), labour_amount_excl_tax=Decimal(40)))
    assert [type(e) for e in world.of("req-1")][-1] is ev.ContactConfirmed


@pytest.mark.parametrize(("details", "words"), [
    ({"contacted_at": "2026-03-02T10:00:00"}, "doit indiquer le fuseau horaire"),
    ({"contacted_at": "0001-01-01T00:00:00+01:00"}, "entre les années 2000 et 2100"),
    ({"contacted_at": "1999-12-31T23:00:00Z"}, "entre les années 2000 et 2100"),
])
def test_contact_times_are_aware_and_within_sane_years(details: dict[str, str], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        c.ContactDetails(**details)


@pytest.mark.parametrize(("absence", "words"), [
    ({"first_day": "0001-01-01", "last_day": "2026-01-01"}, "entre les années 2000 et 2100"),
    ({"first_day": "2026-01-01", "last_day": "9999-12-31"}, "entre les années 2000 et 2100"),
    ({"first_day": "2026-08-15", "last_day": "2026-08-01"}, "must not end before it starts"),
])
def test_absences_are_ordered_and_within_sane_years(absence: dict[str, str], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        c.AvailabilityDetails(absences=[absence])


def test_availability_accepts_ordinary_slots_and_absences_but_not_too_many() -> None:
    details = c.AvailabilityDetails(weekly=[{"weekday": "monday", "starts": "08:00", "ends": "12:00"}],
                                    absences=[{"first_day": "2026-08-01", "last_day": "2026-08-15"}])
    assert details.absences[0].last_day.day == 15
    with pytest.raises(ValidationError, match="at most 100"):
        c.AvailabilityDetails(absences=[{"first_day": "2026-08-01", "last_day": "2026-08-01"}] * 101)
    with pytest.raises(ValidationError, match="end after it starts"):
        c.AvailabilityDetails(weekly=[{"weekday": "monday", "starts": "12:00", "ends": "08:00"}])


@pytest.mark.parametrize(("model", "details"), [
    (c.QuoteDetails, {"amount_excl_tax": "99999999999999999999999999999.00"}),
    (c.QuoteDetails, {"amount_excl_tax": "1000000.01"}),
    (c.QuoteDetails, {"amount_excl_tax": "12.345"}),
    (c.InterventionDetails, {"done_on": "2026-03-01", "labour_hours": "2", "labour_amount_excl_tax": "1e30"}),
    (c.InterventionDetails, {"done_on": "0001-01-01", "labour_hours": "2", "labour_amount_excl_tax": "40"}),
    (c.InterventionDetails, {"done_on": "2026-03-01", "labour_hours": "2", "labour_amount_excl_tax": "40",
                             "travel_amount_excl_tax": "2000000"}),
])
def test_amounts_are_bounded_to_a_million_euros_with_cents(model: type, details: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        model(**details)
    assert c.QuoteDetails(amount_excl_tax="1000000.00").amount_excl_tax == Decimal("1000000.00")
