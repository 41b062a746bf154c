from datetime import date
from decimal import Decimal

import pytest

from relais.devstack.demo_data import DEMO_DESK_IDS, DEMO_PLATFORM_IDS
from shared.contracts.events.providers import ProviderKind
from shared.platforms.fees import FeeEntry, check_not_retroactive
from shared.platforms.loader import load_policies
from shared.platforms.model import DeadlineMode, MatchingMode
from tests.unit.platforms.policy_files import POLICY_DIR, edited_policy


@pytest.fixture(scope="module")
def policies():
    return load_policies(POLICY_DIR)


def test_every_platform_has_a_policy_file_that_loads(policies):
    assert sorted(policies) == sorted(DEMO_PLATFORM_IDS + DEMO_DESK_IDS)
    for platform_id, policy in policies.items():
        assert policy.platform_id == platform_id


def test_every_platform_closes_on_its_country_public_holidays(policies):
    for policy in policies.values():
        assert policy.opening_hours.public_holidays is not None, policy.platform_id
        assert policy.opening_hours.public_holidays.country == policy.country, policy.platform_id
        assert date(2029, 12, 25) in policy.opening_hours.public_holidays  # after the old hand-kept lists ended


def test_limoges_assigns_in_turn_with_a_24_hour_wall_clock_callback(policies):
    limoges = policies["limoges"]
    assert limoges.name == "Proximain (Limoges)"
    assert limoges.matching.mode is MatchingMode.ASSIGN
    assert (limoges.callback.deadline_hours, limoges.callback.mode) == (24, DeadlineMode.WALL_CLOCK)
    assert limoges.operators == 3
    assert 65 <= len(limoges.activities) <= 75
    assert limoges.sector_of("87085").code == "limoges-ville"
    assert limoges.activity("infant_care").fragile_public


def test_brenne_orients_to_the_three_nearest_structures_and_has_an_answering_machine(policies):
    brenne = policies["brenne"]
    assert (brenne.matching.mode, brenne.matching.orient_count) == (MatchingMode.ORIENT, 3)
    assert brenne.answering_machine
    assert brenne.callback.mode is DeadlineMode.BUSINESS_HOURS


def test_mons_borinage_is_belgian_and_takes_online_orders(policies):
    mons = policies["mons-borinage"]
    assert (mons.country, mons.timezone) == ("BE", "Europe/Brussels")
    assert mons.online_form_enabled
    assert all(code.startswith("BE") for code in mons.commune_codes())
    assert mons.fee_rule("company", date(2026, 3, 1)).type == "none"


def test_fees_follow_the_articles(policies):
    on = date(2026, 3, 1)
    limoges = policies["limoges"]
    assert limoges.fee_rule(ProviderKind.ARTISAN, on).rate == Decimal("0.05")
    association = limoges.fee_rule(ProviderKind.ASSOCIATION, on)
    assert (association.amount_per_hour, association.new_client_hours) == (Decimal("0.10"), 20)
    assert policies["val-de-marne"].fee_rule("association", on).amount_per_year == Decimal("155.00")
    assert policies["herault"].fee_rule("artisan", on).type == "none"
    assert policies["herault"].survey.phone_follow_up


def _with_a_2026_fee_change(document):
    document["fees"].append(
        {
            "effective_from": date(2026, 7, 1),
            "rules": {
                "artisan": {"type": "percentage", "rate": "0.04"},
                "company": {"type": "percentage", "rate": "0.04"},
                "association": {"type": "per_hour_new_client", "amount_per_hour": "0.10", "new_client_hours": 30},
            },
        }
    )


def test_the_fee_entry_in_force_at_a_date_is_picked():
    limoges = edited_policy("limoges", _with_a_2026_fee_change)
    assert limoges.fee_rule("artisan", date(2026, 6, 30)).rate == Decimal("0.05")
    assert limoges.fee_rule("artisan", date(2026, 7, 1)).rate == Decimal("0.04")
    assert limoges.fee_rule("association", date(2027, 1, 1)).new_client_hours == 30
    with pytest.raises(LookupError, match="no fee entry in force on 2006-12-31"):
        limoges.fee_entry_at(date(2006, 12, 31))


def test_fee_entries_in_force_cannot_be_rewritten():
    current = edited_policy("limoges", _with_a_2026_fee_change).fees
    check_not_retroactive(current, current, today=date(2026, 8, 1))
    future_edit = [*current[:-1], FeeEntry.model_validate({**current[-1].model_dump(), "effective_from": date(2026, 9, 1)})]
    check_not_retroactive(current, future_edit, today=date(2026, 6, 1))
    with pytest.raises(ValueError, match="ne se modifient pas"):
        check_not_retroactive(current, future_edit, today=date(2026, 8, 1))
