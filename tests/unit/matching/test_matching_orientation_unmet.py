"""Orientation to the nearest structures and the reasons of unmet demand: pure domain."""

from __future__ import annotations

from datetime import date

import pytest

from services.matching.domain.orientation import nearest
from services.matching.domain.unmet import why_unmet
from shared.contracts.directory import SUSPENDED
from shared.contracts.events.matching import SkipReason as S
from shared.contracts.events.matching import UnmetReason as U
from shared.platforms.calendar import distance_km
from tests.unit.matching.builders import (
    LE_BLANC,
    MEZIERES,
    ROSNAY,
    SAINT_GAULTIER,
    brenne,
    provider,
    spec,
)

POLICY = brenne()


def km(a: str, b: str) -> float:
    return distance_km(POLICY.commune(a), POLICY.commune(b))


def brenne_provider(provider_id: str, base: str, **options):
    return provider(provider_id, communes=(base,), platform_id="brenne", **options)


def brenne_request(**options):
    return spec(commune=MEZIERES, sector="brenne", platform_id="brenne", **options)


def test_the_nearest_structures_come_first_with_their_distance() -> None:
    structures = [brenne_provider("prv-blanc", LE_BLANC), brenne_provider("prv-rosnay", ROSNAY),
                  brenne_provider("prv-mezieres", MEZIERES), brenne_provider("prv-gaultier", SAINT_GAULTIER)]

    found = nearest(structures, brenne_request(), km, 3)

    by_distance = sorted(structures, key=lambda p: km(p.base_commune, MEZIERES))
    assert [pid for pid, _ in found.nearest] == [p.provider_id for p in by_distance[:3]]
    assert found.nearest[0] == ("prv-mezieres", "0.0")
    assert float(found.nearest[1][1]) == pytest.approx(km(ROSNAY, MEZIERES), abs=0.05)


def test_orientation_skips_the_suspended_the_unaccredited_and_other_activities() -> None:
    structures = [brenne_provider("prv-suspended", MEZIERES, status=SUSPENDED),
                  brenne_provider("prv-plumber", MEZIERES, activities=("plumbing",)),
                  brenne_provider("prv-no-agrement", ROSNAY, activities=("elderly_care",)),
                  brenne_provider("prv-accredited", LE_BLANC, activities=("elderly_care",), publics=("elderly",))]

    care = nearest(structures, brenne_request(activity="elderly_care", publics=("elderly",)), km, 2)

    assert [pid for pid, _ in care.nearest] == ["prv-accredited"]
    assert dict(care.skipped) == {"prv-no-agrement": S.NO_AGREMENT}


def test_equal_distances_are_ordered_by_provider_id() -> None:
    found = nearest([brenne_provider("prv-b", ROSNAY), brenne_provider("prv-a", ROSNAY)], brenne_request(), km, 5)

    assert [pid for pid, _ in found.nearest] == ["prv-a", "prv-b"]


def test_an_unknown_position_is_not_given_to_the_caller() -> None:
    found = nearest([brenne_provider("prv-x", ROSNAY)], brenne_request(), lambda a, b: None, 5)

    assert found.nearest == () and dict(found.skipped) == {"prv-x": S.NOT_IN_SECTOR}


@pytest.mark.parametrize(("skips", "fragile", "last", "reason"), [
    ([], False, None, U.NO_PROVIDER_FOR_ACTIVITY_IN_COMMUNE),
    ([("a", S.NOT_IN_SECTOR), ("b", S.NOT_OFFERING_ACTIVITY)], False, None, U.NO_PROVIDER_FOR_ACTIVITY_IN_COMMUNE),
    ([("a", S.DECLINED), ("b", S.DECLINED)], False, S.DECLINED, U.ALL_DECLINED),
    ([("a", S.MISSED_DEADLINE), ("b", S.MISSED_DEADLINE)], False, S.MISSED_DEADLINE, U.DEADLINE_MISSED_BY_ALL),
    ([("a", S.DECLINED), ("b", S.MISSED_DEADLINE)], False, S.MISSED_DEADLINE, U.DEADLINE_MISSED_BY_ALL),
    ([("a", S.MISSED_DEADLINE), ("b", S.DECLINED)], False, S.DECLINED, U.ALL_DECLINED),
    ([("a", S.DECLINED), ("b", S.NO_AGREMENT)], True, S.DECLINED, U.ALL_DECLINED),
    ([("a", S.NO_AGREMENT), ("b", S.AGREMENT_EXPIRED), ("c", S.SUSPENDED)], True, None,
     U.FRAGILE_PUBLIC_NOBODY_ACCREDITED),
    ([("a", S.NO_AGREMENT), ("b", S.UNAVAILABLE)], True, None, U.NO_PROVIDER_FOR_ACTIVITY_IN_COMMUNE),
    ([("a", S.SUSPENDED), ("b", S.UNAVAILABLE)], False, None, U.NO_PROVIDER_FOR_ACTIVITY_IN_COMMUNE),
])
def test_the_unmet_reason(skips, fragile, last, reason) -> None:
    assert why_unmet(skips, fragile=fragile, last_exclusion=last)[0] is reason


def test_the_detail_counts_the_skip_reasons() -> None:
    _, detail = why_unmet([("a", S.SUSPENDED), ("b", S.UNAVAILABLE), ("c", S.UNAVAILABLE)], fragile=False)

    assert detail == "nobody eligible: 1 suspended, 2 unavailable"


def test_an_agrement_expiring_today_no_longer_covers() -> None:
    expiring = brenne_provider("prv-x", MEZIERES, activities=("elderly_care",), publics=("elderly",),
                               expires_on=date(2026, 3, 2))

    found = nearest([expiring], brenne_request(activity="elderly_care", publics=("elderly",)), km, 2)

    assert dict(found.skipped) == {"prv-x": S.AGREMENT_EXPIRED}
