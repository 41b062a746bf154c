"""Satisfaction figures: what counts as a satisfied answer, the rates, and when a provider is flagged.

An answer is *satisfied* when the resident would recommend the provider and rated both punctuality
and quality at least 3 out of 5. Rates are exact decimals rounded half up to 4 places (0.9333).
The alert is a flag for the admission committee, never a suspension: it is due when a provider has
at least ``min_answers`` answers in the window and its satisfied share is below the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from shared.contracts.events.feedback import ProviderAssessment

SATISFIED_MIN_SCORE = 3
ALERT_WINDOW = timedelta(days=365)
"""Answers counted for the alert: those of the year up to the latest answer."""
RATE_PLACES = Decimal("0.0001")


def is_satisfied(provider: ProviderAssessment) -> bool:
    return provider.would_recommend and min(provider.punctuality, provider.quality) >= SATISFIED_MIN_SCORE


def rate(count: int, total: int) -> Decimal | None:
    """``count / total`` rounded half up to 4 places; ``None`` when there is nothing to divide."""
    if total == 0:
        return None
    return (Decimal(count) / Decimal(total)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Tally:
    """Counts over a set of answers (a provider, a platform, a month)."""

    answers: int = 0
    satisfied: int = 0
    would_recommend: int = 0
    would_call_platform_again: int = 0
    platform_made_it_easier: int = 0
    punctuality_total: int = 0
    quality_total: int = 0

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return rate(self.satisfied, self.answers)

    @property
    def would_call_platform_again_rate(self) -> Decimal | None:
        """Headline figure: "would call the platform again" (93 % in Limoges)."""
        return rate(self.would_call_platform_again, self.answers)

    @property
    def platform_made_it_easier_rate(self) -> Decimal | None:
        """Headline figure: "the platform made it easier" (93 % in Limoges)."""
        return rate(self.platform_made_it_easier, self.answers)

    @property
    def would_recommend_rate(self) -> Decimal | None:
        return rate(self.would_recommend, self.answers)

    @property
    def punctuality_average(self) -> Decimal | None:
        return _average(self.punctuality_total, self.answers)

    @property
    def quality_average(self) -> Decimal | None:
        return _average(self.quality_total, self.answers)


def alert_due(tally: Tally, threshold: Decimal, min_answers: int) -> bool:
    satisfaction = tally.satisfaction_rate
    return tally.answers >= min_answers and satisfaction is not None and satisfaction < threshold


def _average(total: int, count: int) -> Decimal | None:
    if count == 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
