from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.platforms.calendar import callback_deadline, distance_km, is_open, next_opening
from shared.platforms.loader import load_policies
from tests.unit.platforms.policy_files import POLICY_DIR, edited_policy

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def policies():
    return load_policies(POLICY_DIR)


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (paris(2026, 3, 2, 10, 0), True),  # Monday morning
        (paris(2026, 3, 2, 12, 30), False),  # lunch break
        (paris(2026, 3, 2, 9, 0), True),  # opening minute
        (paris(2026, 3, 2, 17, 0), False),  # closing minute is closed
        (paris(2026, 3, 5, 10, 0), True),  # Thursday morning
        (paris(2026, 3, 5, 15, 0), False),  # Thursday afternoon
        (paris(2026, 3, 7, 10, 0), False),  # Saturday
        (paris(2026, 5, 1, 10, 0), False),  # 1 May, a Friday and a public holiday
    ],
)
def test_brenne_opening_hours(policies, at, expected):
    assert is_open(policies["brenne"], at) is expected


def test_opening_hours_are_read_in_the_platform_time_zone(policies):
    assert is_open(policies["brenne"], datetime(2026, 3, 2, 9, 30, tzinfo=UTC))  # 10:30 in Paris
    assert not is_open(policies["brenne"], datetime(2026, 3, 2, 7, 30, tzinfo=UTC))  # 08:30 in Paris
    assert not is_open(policies["mons-borinage"], datetime(2026, 3, 2, 17, 30, tzinfo=UTC))  # 18:30 in Brussels


def test_a_naive_datetime_is_refused(policies):
    with pytest.raises(ValueError, match="no time zone"):
        is_open(policies["brenne"], datetime(2026, 3, 2, 10, 0))


def test_next_opening_after_thursday_noon_is_friday_morning(policies):
    assert next_opening(policies["brenne"], paris(2026, 3, 5, 15, 20)) == paris(2026, 3, 6, 9, 0)
    assert next_opening(policies["brenne"], paris(2026, 3, 5, 10, 0)) == paris(2026, 3, 5, 10, 0)


def test_wall_clock_deadline_is_24_elapsed_hours(policies):
    deadline = callback_deadline(policies["limoges"], paris(2026, 3, 6, 18, 0))
    assert deadline == paris(2026, 3, 7, 18, 0)
    assert deadline.tzinfo == PARIS


def test_wall_clock_deadline_counts_real_hours_across_a_daylight_saving_change(policies):
    received = paris(2026, 3, 28, 12, 0)  # clocks go forward on the night of 28-29 March
    deadline = callback_deadline(policies["limoges"], received)
    assert deadline == paris(2026, 3, 29, 13, 0)
    assert deadline.astimezone(UTC) - received.astimezone(UTC) == timedelta(hours=24)


def test_business_hours_deadline_across_a_weekend(policies):
    # Brenne: Friday 16:00-17:00 (1 h), then Mon 6 + Tue 6 + Wed 6 + Thu 3 (morning only) = 22 h,
    # the last 2 h on Friday morning.
    assert callback_deadline(policies["brenne"], paris(2026, 3, 6, 16, 0)) == paris(2026, 3, 13, 11, 0)


def test_business_hours_start_counting_at_the_next_opening(policies):
    office = edited_policy(
        "herault",
        lambda d: d["opening_hours"].update(
            weekly={day: ["09:00-17:00"] for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}
        ),
    )
    # Saturday: nothing counts until Monday 09:00; then 8 h a day.
    assert callback_deadline(office, paris(2026, 3, 7, 11, 0)) == paris(2026, 3, 11, 17, 0)
    # Friday 15:00: 2 h on Friday, 16 h Monday-Tuesday, 6 h on Wednesday.
    assert callback_deadline(office, paris(2026, 3, 6, 15, 0)) == paris(2026, 3, 11, 15, 0)


def test_business_hours_skip_public_holidays(policies):
    # Thursday 30 April 14:00 (closed in the afternoon), Friday 1 May is a holiday:
    # counting starts Monday 4 May 09:00 and ends like a deadline received then.
    brenne = policies["brenne"]
    assert callback_deadline(brenne, paris(2026, 4, 30, 14, 0)) == callback_deadline(brenne, paris(2026, 5, 4, 9, 0))


SEVEN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def open_every_day(platform_id):
    return edited_policy(platform_id, lambda d: d["opening_hours"].update(weekly={day: ["09:00-17:00"] for day in SEVEN_DAYS}))


def test_public_holidays_close_the_platform_in_years_no_list_covered():
    # 14 and 21 July 2030 are Sundays: on a platform open every day, only the library's calendar closes them.
    france, belgium = open_every_day("brenne"), open_every_day("mons-borinage")
    assert france.opening_hours.intervals_on(date(2030, 7, 14)) == []  # Fête nationale
    assert france.opening_hours.intervals_on(date(2030, 7, 21)) != []
    assert belgium.opening_hours.intervals_on(date(2030, 7, 21)) == []  # Belgian national day
    assert belgium.opening_hours.intervals_on(date(2030, 7, 14)) != []
    assert france.opening_hours.intervals_on(date(2030, 5, 8)) == []  # Victoire 1945, not a Belgian holiday
    assert belgium.opening_hours.intervals_on(date(2030, 5, 8)) != []


def test_the_real_policies_close_on_a_weekday_public_holiday_of_2030(policies):
    brussels = ZoneInfo("Europe/Brussels")
    assert not is_open(policies["brenne"], paris(2030, 5, 30, 10, 0))  # Ascension Day, a Thursday
    assert is_open(policies["brenne"], paris(2030, 5, 23, 10, 0))
    assert not is_open(policies["mons-borinage"], datetime(2030, 11, 11, 10, 0, tzinfo=brussels))  # Armistice, a Monday
    assert is_open(policies["mons-borinage"], datetime(2030, 11, 4, 10, 0, tzinfo=brussels))


def test_business_hours_deadline_skips_a_public_holiday_in_2031(policies):
    # Brenne: 6 h a day, 3 h on Thursday. Monday 14 July 2031 is a holiday: a message left on Friday
    # evening starts counting on Tuesday 15 July; Tue 6 + Wed 6 + Thu 3 + Fri 6 = 21 h, the last 3 h
    # on Monday 21 July morning. Had 14 July counted, the deadline would have been Friday 18 at noon.
    brenne = policies["brenne"]
    assert callback_deadline(brenne, paris(2031, 7, 11, 18, 0)) == paris(2031, 7, 21, 12, 0)
    assert next_opening(brenne, paris(2031, 7, 11, 18, 0)) == paris(2031, 7, 15, 9, 0)


def test_extra_closed_days_close_the_platform_too():
    bridged = edited_policy("brenne", lambda d: d["opening_hours"].update(holidays=["2034-05-19"]))
    assert not is_open(bridged, paris(2034, 5, 19, 10, 0))  # the Friday after Ascension Day
    assert next_opening(bridged, paris(2034, 5, 17, 20, 0)) == paris(2034, 5, 22, 9, 0)
    assert is_open(bridged, paris(2034, 5, 26, 10, 0))


def test_a_subdivision_adds_its_own_public_holidays():
    # Alsace-Moselle also closes on Good Friday (19 April 2030) and Saint Stephen's Day.
    moselle = edited_policy("brenne", lambda d: d["opening_hours"].update(public_holidays={"country": "FR", "subdivision": "57"}))
    assert not is_open(moselle, paris(2030, 4, 19, 10, 0))
    assert not is_open(moselle, paris(2030, 12, 26, 10, 0))
    assert is_open(edited_policy("brenne", lambda d: None), paris(2030, 4, 19, 10, 0))


def test_without_public_holidays_only_the_weekly_hours_and_listed_days_count():
    none = edited_policy("brenne", lambda d: d["opening_hours"].pop("public_holidays"))
    assert is_open(none, paris(2030, 5, 30, 10, 0))


def test_distances_between_brenne_communes(policies):
    brenne = policies["brenne"]
    mezieres, rosnay, le_blanc = brenne.commune("36123"), brenne.commune("36173"), brenne.commune("36018")
    assert distance_km(mezieres, rosnay) < distance_km(mezieres, le_blanc)
    assert distance_km(mezieres, rosnay) == pytest.approx(12.6, abs=1.0)
    assert distance_km(mezieres, le_blanc) == pytest.approx(23.6, abs=1.5)
    assert distance_km(rosnay, mezieres) == pytest.approx(distance_km(mezieres, rosnay))
    assert distance_km(rosnay, rosnay) == 0


def test_distances_have_the_right_scale(policies):
    herault, limoges = policies["herault"], policies["limoges"]
    assert distance_km(herault.commune("34172"), herault.commune("34032")) == pytest.approx(60, abs=8)
    assert distance_km(limoges.commune("87085"), limoges.commune("87114")) < 6
