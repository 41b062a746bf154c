import re
from collections import Counter
from datetime import date

import pytest

from relais.devstack.demo_data import (
    DEMO_PLATFORM_IDS,
    demo_calls,
    demo_providers,
    demo_residents,
    demo_users,
    demo_visits,
)
from services.intake.domain.commands import VisitDetails
from shared.contracts.events.providers import AccreditationRecorded, ProviderApplied, ProviderAvailabilityChanged
from shared.platforms.calendar import distance_km
from shared.platforms.loader import load_policies
from tests.unit.platforms.policy_files import POLICY_DIR

TODAY = date(2026, 3, 3)
FICTION_PHONES = re.compile(r"^(01 99 00|02 61 91|04 65 71|05 36 49) \d\d \d\d$|^\+32 65 00 00 \d\d$")


@pytest.fixture(scope="module")
def policies():
    return load_policies(POLICY_DIR)


def admitted(platform_id):
    return [p for p in demo_providers(platform_id) if p["status"] == "admitted"]


def serving(platform_id, activity, commune):
    return [p["provider_id"] for p in admitted(platform_id) if activity in p["activities"] and commune in p["communes"]]


def valid_agrement(provider, public, on=TODAY):
    return any(public in a["publics"] and a["issued_on"] <= on < a["expires_on"] for a in provider["accreditations"])


def luhn_valid(digits):
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


@pytest.mark.parametrize("platform_id", DEMO_PLATFORM_IDS)
def test_providers_fit_their_platform_policy_and_the_provider_events(policies, platform_id):
    policy = policies[platform_id]
    providers = demo_providers(platform_id)
    assert len({p["provider_id"] for p in providers}) == len(providers) >= 5
    for p in providers:
        assert set(p["activities"]) <= policy.activity_codes(), p["provider_id"]
        assert set(p["communes"]) <= policy.commune_codes(), p["provider_id"]
        assert p["located_in"] in policy.commune_codes()
        identity = {
            key: p[key] for key in ("name", "kind", "activities", "communes", "qualifications", "siret", "bce_number") if key in p
        }
        ProviderApplied(provider_id=p["provider_id"], **identity)
        ProviderAvailabilityChanged(provider_id=p["provider_id"], weekly=p["weekly"])
        for accreditation in p["accreditations"]:
            AccreditationRecorded(provider_id=p["provider_id"], **accreditation)


@pytest.mark.parametrize("platform_id", DEMO_PLATFORM_IDS)
def test_identifiers_are_well_formed_and_obviously_fictional(platform_id):
    for p in demo_providers(platform_id):
        if "siret" in p:
            assert p["siret"].startswith("000") and luhn_valid(p["siret"]) and luhn_valid(p["siret"][:9])
        else:
            number = p["bce_number"]
            assert number.startswith("0999") and 97 - int(number[:8]) % 97 == int(number[8:])
    for resident in demo_residents(platform_id):
        assert FICTION_PHONES.match(resident["phone"]), resident["phone"]
        assert resident["email"].endswith("@example.org")


@pytest.mark.parametrize("platform_id", DEMO_PLATFORM_IDS)
def test_users_residents_and_calls_refer_to_known_things(policies, platform_id):
    policy = policies[platform_id]
    provider_ids = {p["provider_id"] for p in demo_providers(platform_id)}
    users = demo_users(platform_id)
    assert {"operator", "coordinator", "analyst", "provider"} <= {u["role"] for u in users}
    assert all(u["provider_id"] in provider_ids for u in users if u["role"] == "provider")
    residents = {r["resident_id"]: r for r in demo_residents(platform_id)}
    assert all(r["commune"] in policy.commune_codes() for r in residents.values())
    for call in demo_calls(platform_id):
        assert call["received_at"].utcoffset() is not None
        assert call["commune"] in policy.commune_codes()
        if call["kind"] in ("request", "voicemail"):
            assert call["resident"] in residents
            activity = policy.activity(call["activity"])
            assert set(call.get("fragile_publics", [])) <= set(activity.fragile_publics)


def test_limoges_has_at_least_three_gardeners_in_limoges():
    assert len(serving("limoges", "gardening", "87085")) >= 3


def test_limoges_childcare_providers_differ_in_agrement():
    childcare = [p for p in admitted("limoges") if "childcare" in p["activities"]]
    with_agrement = [p["provider_id"] for p in childcare if valid_agrement(p, "child_under_3")]
    without = [p["provider_id"] for p in childcare if not valid_agrement(p, "child_under_3")]
    assert with_agrement and without
    expired = [p for p in childcare if any(a["expires_on"] < date(2026, 1, 1) for a in p["accreditations"])]
    assert [p["provider_id"] for p in expired] == ["prv-lim-berceau"]


def test_some_commune_of_limoges_is_served_by_nobody_for_gardening(policies):
    unserved = [c for c in sorted(policies["limoges"].commune_codes()) if not serving("limoges", "gardening", c)]
    assert unserved == ["87117"]  # Peyrilhac


def test_brenne_orientation_order_from_mezieres(policies):
    brenne = policies["brenne"]
    home = brenne.commune("36123")
    gardeners = [p for p in admitted("brenne") if "gardening" in p["activities"]]
    nearest = sorted(gardeners, key=lambda p: distance_km(home, brenne.commune(p["located_in"])))
    assert len({p["located_in"] for p in gardeners}) >= 4
    assert [p["provider_id"] for p in nearest[:3]] == ["prv-bre-bras-brenne", "prv-bre-jardin-rosnay", "prv-bre-tournon"]


def test_accessors_return_copies_and_refuse_unknown_platforms():
    demo_providers("limoges")[0]["name"] = "changed"
    assert demo_providers("limoges")[0]["name"] != "changed"
    with pytest.raises(KeyError, match="no demo data for platform 'paris'"):
        demo_providers("paris")


def test_the_demo_desk_draws_weeks_of_visits_that_fit_its_policy_with_a_drop_on_its_last_open_day(policies):
    desk = policies["pimms-lyon"]
    today = date(2026, 12, 9)  # a Wednesday: the last open day is Tuesday 8 December
    visits, answers = demo_visits(desk, today)
    assert (visits, answers) == demo_visits(desk, today)  # the same draws at every run
    per_day = Counter(visit["visited_at_local"][:10] for visit in visits)
    assert per_day["2026-12-08"] < 0.5 * per_day["2026-12-01"] and "2026-12-06" not in per_day
    groups = Counter(desk.topic(visit["topic_asked"])[0].code for visit in visits)
    assert 0.35 < groups["partner_services"] / len(visits) < 0.65  # about half and half
    for visit in visits:
        VisitDetails.model_validate(visit)
        assert desk.desk.walk_in_hours.intervals_on(date.fromisoformat(visit["visited_at_local"][:10]))
    assert 0.15 < len(answers) / len(visits) < 0.35
    assert {user["role"] for user in demo_users("pimms-lyon")} == {"mediator", "coordinator", "analyst"}
