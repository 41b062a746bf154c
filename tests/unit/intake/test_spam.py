"""The public form's spam protection."""

from __future__ import annotations

import pytest

from services.intake.domain.spam import RateLimiter, SpamSuspected, check_submission, form_stamp

SECRET = b"s" * 32


def test_a_person_taking_ten_seconds_passes() -> None:
    check_submission(SECRET, form_stamp(SECRET, 1000.0), "", now=1010.0)


@pytest.mark.parametrize(("stamp", "honeypot", "now", "message"), [
    (form_stamp(SECRET, 1000.0), "http://spam.example", 1010.0, "not filled in by a person"),
    (form_stamp(SECRET, 1000.0), "", 1001.0, "too fast"),
    (form_stamp(SECRET, 1000.0), "", 1000.0 + 3 * 3600, "expired"),
    (form_stamp(b"other" * 8, 1000.0), "", 1010.0, "altered"),
    ("garbage", "", 1010.0, "altered"),
])
def test_bots_are_refused_with_a_reason(stamp: str, honeypot: str, now: float, message: str) -> None:
    with pytest.raises(SpamSuspected, match=message):
        check_submission(SECRET, stamp, honeypot, now)


def test_each_refusal_names_its_reason_for_the_french_page() -> None:
    cases = [(form_stamp(SECRET, 1000.0), "x", 1010.0, "honeypot"), ("garbage", "", 1010.0, "altered"),
             (form_stamp(SECRET, 1000.0), "", 1001.0, "too_fast"), (form_stamp(SECRET, 1000.0), "", 9000.0, "expired")]
    for stamp, honeypot, now, reason in cases:
        with pytest.raises(SpamSuspected) as refused:
            check_submission(SECRET, stamp, honeypot, now)
        assert refused.value.reason == reason


def test_rate_limit_per_address_with_a_sliding_window() -> None:
    limiter = RateLimiter(limit=2, window=60)
    assert limiter.allow("1.2.3.4", 0) and limiter.allow("1.2.3.4", 1)
    assert not limiter.allow("1.2.3.4", 2)
    assert limiter.allow("5.6.7.8", 2)
    assert limiter.allow("1.2.3.4", 62)
