"""Which publics need an agrément: those the request names that the policy lists for its activity."""

from __future__ import annotations

import pytest

from services.matching.service_layer.offering import request_context
from tests.unit.matching.builders import limoges, request_logged


@pytest.mark.parametrize(("activity", "named", "required"), [
    ("gardening", ("elderly",), frozenset()),  # gardening for an elderly person: no agrément in the policy
    ("childcare", (), frozenset()),  # babysitting a 6-year-old: no fragile public named
    ("childcare", ("child_under_3",), frozenset({"child_under_3"})),
    ("childcare", ("elderly", "child_under_3"), frozenset({"child_under_3"})),
    ("elderly_care", (), frozenset({"elderly"})),  # fragile_public: true, always
])
def test_the_policy_decides_per_activity_which_named_publics_need_an_agrement(
        activity: str, named: tuple[str, ...], required: frozenset[str]) -> None:
    context = request_context(request_logged("req-1", activity=activity, publics=named), limoges())
    assert context.spec.fragile_publics == required
