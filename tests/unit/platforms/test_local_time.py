"""The platform's local time, around midnight, month ends and both daylight-saving changes.

The oracle is written from the EU rule, independently of zoneinfo: summer time from the last Sunday
of March 01:00 UTC to the last Sunday of October 01:00 UTC, UTC+2 then, UTC+1 otherwise (Paris, Brussels).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from services.intake.domain.timeline import summary_of
from services.matching.domain.eligibility import skip_reason
from shared.contracts.events import intake as ie
from shared.contracts.events import matching as me
from shared.platforms.calendar import callback_deadline
from shared.platforms.local_time import french_moment, local_date, local_month, local_year
from tests.unit.matching.builders import SEALED, brenne, limoges, provider, spec

PARIS = ZoneInfo("Europe/Paris")
BRUSSELS = ZoneInfo("Europe/Brussels")


def _last_sunday(year: int, month: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def eu_wall_clock(at: datetime) -> datetime:
    """Central European wall-clock time of ``at`` (naive), by the EU summer-time rule."""
    utc = at.astimezone(UTC).replace(tzinfo=None)
    starts = datetime.combine(_last_sunday(utc.year, 3), datetime.min.time()) + timedelta(hours=1)
    ends = datetime.combine(_last_sunday(utc.year, 10), datetime.min.time()) + timedelta(hours=1)
    return utc + timedelta(hours=2 if starts <= utc < ends else 1)


def _edges(year: int) -> list[datetime]:
    """Local midnights of every month's first day, and both changes of the year, in UTC."""
    firsts = [datetime(year, month, 1, tzinfo=PARIS).astimezone(UTC) for month in range(1, 13)]
    changes = [datetime.combine(_last_sunday(year, month), datetime.min.time(), tzinfo=UTC) + timedelta(hours=1)
               for month in (3, 10)]
    return firsts + changes


near_an_edge = st.builds(
    lambda year, index, seconds: _edges(year)[index] + timedelta(seconds=seconds),
    st.integers(2000, 2099), st.integers(0, 13), st.integers(-3 * 3600, 3 * 3600),
)


@given(near_an_edge, st.sampled_from([PARIS, BRUSSELS]))
@example(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), PARIS)  # 00:30 on 1 January in Limoges
@example(datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC), PARIS)  # the last second of winter time
@example(datetime(2026, 10, 25, 1, 0, tzinfo=UTC), BRUSSELS)  # the second 02:00 of the autumn change
def test_the_local_day_month_and_year_are_the_platforms(at: datetime, zone: ZoneInfo) -> None:
    wall = eu_wall_clock(at)
    assert local_date(at, zone) == wall.date()
    assert local_month(at, zone) == f"{wall:%Y-%m}"
    assert local_year(at, zone) == wall.year
    assert french_moment(at, zone) == f"le {wall:%d/%m} à {wall:%H:%M}"


def test_a_naive_instant_has_no_local_date() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        local_date(datetime(2026, 1, 1), PARIS)


@given(near_an_edge)
def test_the_timeline_prints_the_deadline_in_the_platforms_time(deadline: datetime) -> None:
    assigned = me.ProviderAssigned(request_id="req-1", provider_id="prv-1", activity="gardening", commune="87085",
                                   sector="agglo", candidates=["prv-1"], eligible=["prv-1"], rotation_position=0,
                                   deadline_at=deadline)
    unanswered = ie.VoicemailUnanswered(request_id="vm-1", deadline_at=deadline)
    wall = eu_wall_clock(deadline)
    for event in (assigned, unanswered):
        text = summary_of(event, PARIS)
        assert f"le {wall:%d/%m} à {wall:%H:%M}" in text and "UTC" not in text


@given(near_an_edge)
def test_an_agrement_expires_at_local_midnight(received_at: datetime) -> None:
    local_day = eu_wall_clock(received_at).date()
    request = spec(activity="elderly_care", publics=("elderly",), at=received_at)
    expiring_today = provider("prv-1", activities=("elderly_care",), publics=("elderly",), expires_on=local_day)
    expiring_tomorrow = provider("prv-2", activities=("elderly_care",), publics=("elderly",),
                                 expires_on=local_day + timedelta(days=1))
    assert skip_reason(expiring_today, request) is me.SkipReason.AGREMENT_EXPIRED
    assert skip_reason(expiring_tomorrow, request) is None


def test_just_after_local_midnight_an_agrement_ending_that_day_no_longer_counts() -> None:
    """23:30 UTC on 30 June is 01:30 on 1 July in Paris: an agrément valid until 1 July (exclusive) is over."""
    request = spec(activity="elderly_care", publics=("elderly",), at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    holder = provider("prv-1", activities=("elderly_care",), publics=("elderly",), expires_on=date(2026, 7, 1))
    assert skip_reason(holder, request) is me.SkipReason.AGREMENT_EXPIRED


def test_the_timeline_says_when_a_voicemail_was_left_in_the_platforms_time() -> None:
    def left(text: str) -> str:
        return summary_of(ie.VoicemailLogged(request_id="vm-1", resident_id="res-1", contact=SEALED, left_at_local=text),
                          PARIS)

    assert left("2026-03-29T01:30:00") == "Message sur le répondeur laissé le 29/03 à 01:30"
    assert left("2026-03-29T01:30:00Z") == "Message sur le répondeur laissé le 29/03 à 03:30"  # summer time begun
    assert left("hier soir") == "Message sur le répondeur laissé le hier soir"


@given(near_an_edge)
def test_deadlines_count_elapsed_hours_or_local_opening_hours_across_the_changes(received_at: datetime) -> None:
    wall_clock = callback_deadline(limoges(), received_at)
    assert wall_clock - received_at == timedelta(hours=24)  # 23 or 25 hours of wall-clock time across a change
    business = callback_deadline(brenne(), received_at)
    local_end = eu_wall_clock(business)
    opening = brenne().opening_hours.intervals_on(local_end.date())
    assert any(interval.opens < local_end.time() <= interval.closes for interval in opening)
