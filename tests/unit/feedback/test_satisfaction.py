"""Satisfaction rules: satisfied answers, exact rates, the alert threshold."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.feedback.domain.satisfaction import Tally, alert_due, is_satisfied, rate
from services.feedback.domain.sending import (
    choose_channel,
    needs_follow_up_call,
    new_token,
    token_hash,
)
from shared.contracts.events.feedback import ProviderAssessment, SendChannel
from shared.platforms.model import PlatformPolicy


@pytest.mark.parametrize(("punctuality", "quality", "recommend", "satisfied"), [
    (5, 5, True, True), (3, 3, True, True), (2, 5, True, False), (5, 2, True, False), (5, 5, False, False),
])
def test_satisfied_means_recommended_and_both_scores_at_least_3(punctuality: int, quality: int, recommend: bool,
                                                                 satisfied: bool) -> None:
    assert is_satisfied(ProviderAssessment(punctuality=punctuality, quality=quality, would_recommend=recommend)) is satisfied


def test_rates_are_exact_decimals_rounded_half_up_to_four_places() -> None:
    assert rate(14, 15) == Decimal("0.9333")
    assert rate(2, 3) == Decimal("0.6667")
    assert rate(1, 8) == Decimal("0.1250")
    assert rate(0, 0) is None


def test_limoges_headline_figures() -> None:
    tally = Tally(answers=100, satisfied=90, would_recommend=92, would_call_platform_again=93,
                  platform_made_it_easier=93, punctuality_total=450, quality_total=433)

    assert tally.would_call_platform_again_rate == Decimal("0.9300")
    assert tally.platform_made_it_easier_rate == Decimal("0.9300")
    assert tally.punctuality_average == Decimal("4.50")
    assert tally.quality_average == Decimal("4.33")


def test_the_alert_needs_enough_answers_and_a_rate_below_the_threshold() -> None:
    threshold = Decimal("0.80")

    assert not alert_due(Tally(answers=4, satisfied=0), threshold, min_answers=5)
    assert alert_due(Tally(answers=5, satisfied=3), threshold, min_answers=5)
    assert not alert_due(Tally(answers=5, satisfied=4), threshold, min_answers=5)


def test_the_channel_is_the_residents_preference_else_the_platform_default(policies: dict[str, PlatformPolicy]) -> None:
    limoges, herault = policies["limoges"].survey, policies["herault"].survey

    assert choose_channel(None, limoges) is SendChannel.PAPER
    assert choose_channel(SendChannel.SMS, limoges) is SendChannel.SMS
    assert choose_channel(None, herault) is SendChannel.PHONE
    assert needs_follow_up_call(SendChannel.EMAIL, herault)
    assert not needs_follow_up_call(SendChannel.PHONE, herault)
    assert not needs_follow_up_call(SendChannel.EMAIL, limoges)


def test_tokens_are_random_and_only_their_hash_is_kept() -> None:
    first, second = new_token(), new_token()

    assert first != second and len(first) >= 43
    assert token_hash(first) == token_hash(first) != token_hash(second)
    assert first not in token_hash(first)
