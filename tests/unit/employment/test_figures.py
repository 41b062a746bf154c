"""The employment figures: the facts each event counts, their sums and the export's small-count suppression."""

from __future__ import annotations

from datetime import date

from services.employment.adapters.figures import facts_of, published_cells, summed
from shared.contracts.events import employment as e


def test_a_hire_counts_the_days_from_posting_and_a_held_session_each_invited_seeker() -> None:
    hired = e.SeekerHired(opening_id="opn-1", provider_id="prv-1", seeker_id="skr-1", starts_on=date(2026, 4, 1),
                          posted_on=date(2026, 3, 5), trade=e.Trade.HOME_HELP)
    assert [(f.measure, f.amount) for f in facts_of(hired, date(2026, 3, 15))] == [("hires", 1), ("time_to_fill_days", 10)]
    held = e.SessionHeld(session_id="ses-1", attendance={"skr-1": e.Attendance.PRESENT, "skr-2": e.Attendance.ABSENT})
    assert sorted((f.measure, f.subject) for f in facts_of(held, date(2026, 3, 5))) == [
        ("invited_to_session", "skr-1"), ("invited_to_session", "skr-2"), ("present_at_session", "skr-1"),
        ("sessions_held", "")]


def test_sums_by_month_trade_and_source() -> None:
    figures = summed([("seekers_received", "2026-03", "home_help", "france_travail", 7),
                      ("seekers_received", "2026-03", "childcare", "mission_locale", 2),
                      ("sessions_held", "2026-03", "", "", 1)])
    assert figures.total == {"seekers_received": 9, "sessions_held": 1}
    assert figures.trades == {"home_help": {"seekers_received": 7}, "childcare": {"seekers_received": 2}}
    assert figures.sources["mission_locale"] == {"seekers_received": 2}


def test_the_export_hides_small_counts_and_what_would_give_them_back() -> None:
    figures = summed([("seekers_received", "2026-03", "home_help", "france_travail", 7),
                      ("seekers_received", "2026-03", "childcare", "mission_locale", 2),
                      ("seekers_received", "2026-03", "home_help", "spontaneous", 6)])
    assert published_cells(figures, threshold=5) == [
        (("seekers_received", "2026-03"), "15"),
        (("seekers_received", "2026-03", "home_help"), "secret"),  # else 15 - 13 gives childcare's 2 back
        (("seekers_received", "2026-03", "home_help", "france_travail"), "7"),
        (("seekers_received", "2026-03", "home_help", "spontaneous"), "secret"),
        (("seekers_received", "2026-03", "childcare"), "< 5"),
        (("seekers_received", "2026-03", "childcare", "mission_locale"), "< 5")]
