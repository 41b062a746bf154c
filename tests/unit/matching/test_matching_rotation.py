"""The rotation "each in their turn": pure domain, no I/O."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from services.matching.domain.eligibility import is_available
from services.matching.domain.rotation import RingKey, ring, take_turn
from shared.contracts.directory import SUSPENDED
from shared.contracts.events.matching import SkipReason
from shared.contracts.events.providers import Absence, Weekday, WeeklySlot
from shared.contracts.types import TimeWindow
from tests.unit.matching.builders import (
    ISLE,
    LIMOGES,
    PANAZOL,
    SAINT_YRIEIX,
    T0,
    provider,
    spec,
)

AGGLO = frozenset({LIMOGES, PANAZOL, ISLE})


def run(members, requests, cursor: RingKey | None = None, excluded=None):
    chosen = []
    for index in range(requests):
        decision = take_turn(members, cursor, spec(f"req-{index}"), excluded or {})
        chosen.append(decision.chosen)
        cursor = decision.cursor
    return chosen, cursor


def test_three_gardeners_nine_requests_each_get_three_in_turn() -> None:
    gardeners = ring([provider("prv-c", joined=3), provider("prv-a", joined=1), provider("prv-b", joined=2)],
                     "gardening", AGGLO)

    chosen, _ = run(gardeners, 9)

    assert chosen == ["prv-a", "prv-b", "prv-c"] * 3
    assert Counter(chosen) == {"prv-a": 3, "prv-b": 3, "prv-c": 3}


def test_the_decision_records_candidates_in_turn_order_and_the_position() -> None:
    gardeners = ring([provider("prv-a", joined=1), provider("prv-b", joined=2), provider("prv-c", joined=3)],
                     "gardening", AGGLO)
    first = take_turn(gardeners, None, spec(), {})

    second = take_turn(gardeners, first.cursor, spec("req-2"), {})

    assert second.candidates == ("prv-b", "prv-c", "prv-a")
    assert (second.chosen, second.position, second.skipped) == ("prv-b", 0, ())


def test_a_decline_goes_to_the_next_in_turn_and_the_turn_moves_on() -> None:
    gardeners = ring([provider("prv-a", joined=1), provider("prv-b", joined=2), provider("prv-c", joined=3)],
                     "gardening", AGGLO)
    offer = take_turn(gardeners, None, spec(), {})

    again = take_turn(gardeners, offer.cursor, spec(), {"prv-a": SkipReason.DECLINED})
    following = take_turn(gardeners, again.cursor, spec("req-2"), {})

    assert (offer.chosen, again.chosen, following.chosen) == ("prv-a", "prv-b", "prv-c")


def test_the_declining_provider_is_skipped_with_its_reason_when_the_turn_comes_back() -> None:
    gardeners = ring([provider("prv-a", joined=1), provider("prv-b", joined=2)], "gardening", AGGLO)
    cursor = take_turn(gardeners, None, spec("req-0"), {}).cursor  # prv-a had req-0, the turn is at prv-b

    decision = take_turn(gardeners, cursor, spec(), {"prv-b": SkipReason.DECLINED})

    assert decision.chosen == "prv-a"
    assert decision.skipped == (("prv-b", SkipReason.DECLINED),)


def test_a_newcomer_joins_at_the_end_of_the_ring_neither_flooded_nor_starved() -> None:
    veterans = [provider("prv-a", joined=1), provider("prv-b", joined=2), provider("prv-c", joined=3)]
    _, cursor = run(ring(veterans, "gardening", AGGLO), 4)  # a, b, c, a: the turn is at prv-a
    newcomer = provider("prv-new", joined=300)

    after, _ = run(ring([*veterans, newcomer], "gardening", AGGLO), 8, cursor)

    assert after == ["prv-b", "prv-c", "prv-new", "prv-a", "prv-b", "prv-c", "prv-new", "prv-a"]
    assert Counter(after)["prv-new"] == 2


def test_suspended_expired_unaccredited_unavailable_and_out_of_sector_are_skipped_with_the_reason() -> None:
    absent = Absence(first_day=T0.date(), last_day=T0.date() + timedelta(days=3))
    members = ring([
        provider("prv-suspended", joined=1, activities=("childcare",), status=SUSPENDED, publics=("child_under_3",)),
        provider("prv-expired", joined=2, activities=("childcare",), publics=("child_under_3",), expires_on=date(2026, 1, 1)),
        provider("prv-none", joined=3, activities=("childcare",)),
        provider("prv-elderly-only", joined=4, activities=("childcare",), publics=("elderly",)),
        provider("prv-away", joined=5, activities=("childcare",), publics=("child_under_3",), absences=(absent,)),
        provider("prv-isle-only", joined=6, activities=("childcare",), communes=(ISLE,), publics=("child_under_3",)),
        provider("prv-ok", joined=7, activities=("childcare",), publics=("child_under_3",)),
    ], "childcare", AGGLO)

    decision = take_turn(members, None, spec(activity="childcare", publics=("child_under_3",)), {})

    assert decision.chosen == "prv-ok"
    assert dict(decision.skipped) == {
        "prv-suspended": SkipReason.SUSPENDED, "prv-expired": SkipReason.AGREMENT_EXPIRED,
        "prv-none": SkipReason.NO_AGREMENT, "prv-elderly-only": SkipReason.NO_AGREMENT,
        "prv-away": SkipReason.UNAVAILABLE, "prv-isle-only": SkipReason.NOT_IN_SECTOR,
    }
    assert decision.position == 6


def test_the_decision_lists_every_eligible_member_in_turn_order_those_after_the_chosen_one_included() -> None:
    members = ring([
        provider("prv-a", joined=1, activities=("childcare",), publics=("child_under_3",)),
        provider("prv-suspended", joined=2, activities=("childcare",), status=SUSPENDED, publics=("child_under_3",)),
        provider("prv-none", joined=3, activities=("childcare",)),
        provider("prv-b", joined=4, activities=("childcare",), publics=("child_under_3",)),
        provider("prv-c", joined=5, activities=("childcare",), publics=("child_under_3",)),
    ], "childcare", AGGLO)
    request = spec(activity="childcare", publics=("child_under_3",))

    first = take_turn(members, None, request, {})
    assert (first.chosen, first.eligible, first.skipped) == ("prv-a", ("prv-a", "prv-b", "prv-c"), ())
    after_a = take_turn(members, first.cursor, request, {"prv-b": SkipReason.DECLINED})
    assert after_a.chosen == "prv-c" and after_a.eligible == ("prv-c", "prv-a")


def test_the_ring_leaves_out_other_activities_sectors_and_providers_not_admitted() -> None:
    members = ring([
        provider("prv-a", joined=1), provider("prv-plumber", activities=("plumbing",)),
        provider("prv-south", communes=(SAINT_YRIEIX,)), provider("prv-applied", status="applied"),
        provider("prv-gone", status="withdrawn"), provider("prv-suspended", joined=9, status=SUSPENDED),
    ], "gardening", AGGLO)

    assert [member.provider_id for member in members] == ["prv-a", "prv-suspended"]


def test_the_turn_is_deterministic_whatever_the_order_providers_are_read_in() -> None:
    providers = [provider(f"prv-{index}", joined=index % 3) for index in range(7)]
    expected, _ = run(ring(providers, "gardening", AGGLO), 20)
    shuffled = providers[:]
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert run(ring(shuffled, "gardening", AGGLO), 20)[0] == expected


def test_nobody_eligible_keeps_the_cursor_and_lists_every_skip() -> None:
    members = ring([provider("prv-a", joined=1, status=SUSPENDED)], "gardening", AGGLO)
    cursor = (T0, "prv-x")

    decision = take_turn(members, cursor, spec(), {})

    assert (decision.chosen, decision.cursor, decision.skipped) == (None, cursor, (("prv-a", SkipReason.SUSPENDED),))


def test_a_provider_who_changed_nothing_keeps_its_place() -> None:
    a, b = provider("prv-a", joined=1), provider("prv-b", joined=2)
    moved = replace(a, version=9, communes=frozenset({LIMOGES, PANAZOL}))

    assert ring([moved, b], "gardening", AGGLO)[0].provider_id == "prv-a"


def test_windows_at_the_ends_of_the_calendar_are_clipped_not_overflowing() -> None:
    """Old events may hold windows from year 1 to year 9999: they are read within a year of the request."""
    extreme = TimeWindow(starts_at=datetime.fromisoformat("0001-01-01T00:00:00+01:00"),
                         ends_at=datetime.fromisoformat("9999-12-31T23:59:59-01:00"))
    edges = [(extreme.starts_at, extreme.ends_at), (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)),
             (datetime.min, datetime.max)]
    mondays = provider("prv-mondays", weekly=(WeeklySlot(weekday=Weekday.MONDAY, starts=time(8), ends=time(12)),))
    all_year = provider("prv-away", absences=(Absence(first_day=date(2025, 1, 1), last_day=date(2028, 1, 1)),))
    for window in edges:
        request = replace(spec(), windows=(window,))
        assert is_available(mondays, request) and not is_available(all_year, request)
    far_past = replace(spec(), windows=((datetime(2001, 1, 1, tzinfo=UTC), datetime(2001, 1, 31, tzinfo=UTC)),))
    assert not is_available(mondays, far_past)
    for received_at in (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)):
        assert is_available(mondays, replace(spec(), windows=edges[:1], received_at=received_at))
