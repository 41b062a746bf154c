"""Why nobody could take a request: the structured reason counted by the observatory (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from shared.contracts.events.matching import SkipReason, UnmetReason

_ELSEWHERE = frozenset({SkipReason.NOT_IN_SECTOR, SkipReason.NOT_OFFERING_ACTIVITY})
_AGREMENT = frozenset({SkipReason.NO_AGREMENT, SkipReason.AGREMENT_EXPIRED})
_OUT_FOR_THIS_REQUEST = frozenset({SkipReason.DECLINED, SkipReason.MISSED_DEADLINE})


def why_unmet(skipped: Sequence[tuple[str, SkipReason]], *, fragile: bool,
              last_exclusion: SkipReason | None = None) -> tuple[UnmetReason, str]:
    """The reason and a detail (counts of skip reasons, no personal data).

    ``skipped`` lists every provider of the turn with the reason it could not take the request.
    Those who declined or missed the deadline come first: if they exist, the others could not
    have taken it anyway, so the request failed because they declined (or missed). A mix of both
    is named after ``last_exclusion``, the latest to happen.
    """
    serving = [reason for _, reason in skipped if reason not in _ELSEWHERE]
    detail = ", ".join(f"{count} {reason.value}" for reason, count in sorted(Counter(serving).items()))
    if not serving:
        return UnmetReason.NO_PROVIDER_FOR_ACTIVITY_IN_COMMUNE, "nobody offers the activity in the commune"
    out = {reason for reason in serving if reason in _OUT_FOR_THIS_REQUEST}
    if out == {SkipReason.MISSED_DEADLINE} or (len(out) > 1 and last_exclusion is SkipReason.MISSED_DEADLINE):
        return UnmetReason.DEADLINE_MISSED_BY_ALL, detail
    if out:
        return UnmetReason.ALL_DECLINED, detail
    not_suspended = [reason for reason in serving if reason is not SkipReason.SUSPENDED]
    if fragile and not_suspended and all(reason in _AGREMENT for reason in not_suspended):
        return UnmetReason.FRAGILE_PUBLIC_NOBODY_ACCREDITED, detail
    return UnmetReason.NO_PROVIDER_FOR_ACTIVITY_IN_COMMUNE, f"nobody eligible: {detail}"
