"""Which pre-selected seekers the platform proposes for an opening, and why the others are not proposed.

The same spirit as the providers' rotation: among the seekers who fit the job (pre-selected, aiming for
its trade, living within their mobility of one of its communes, available by its start date, not hired,
not proposed for it yet), those proposed least often so far go first, then those pre-selected longest
ago, then the nearest; the seeker id breaks the last ties so that the choice can be replayed. Every
seeker considered and not proposed is named with the first reason that kept them out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from shared.contracts.events import employment as e

PRESELECTED = "preselected"
HIRED = "hired"
ERASED = "erased"


@dataclass(frozen=True)
class PoolEntry:
    """What the choice needs to know of a seeker of the platform (no personal data)."""

    seeker_id: str
    status: str
    trades: tuple[e.Trade, ...]
    commune: str
    mobility_km: int
    available_from: date
    preselected_on: date | None
    proposals: int


@dataclass(frozen=True)
class OpeningNeeds:
    trade: e.Trade
    communes: tuple[str, ...]
    starts_on: date
    already_proposed: frozenset[str]
    wanted: int


def choose_candidates(needs: OpeningNeeds, pool: Iterable[PoolEntry],
                      distance_km: Callable[[str, str], float]) -> tuple[list[e.ProposedCandidate],
                                                                        list[e.SkippedCandidate]]:
    """The candidates proposed, in order, and those skipped with their reason; ``distance_km`` between two communes."""
    fitting: list[tuple[PoolEntry, int]] = []
    skipped: list[e.SkippedCandidate] = []
    for entry in sorted(pool, key=lambda entry: entry.seeker_id):
        distance = round(min(distance_km(entry.commune, commune) for commune in needs.communes))
        reason = _skip_reason(needs, entry, distance)
        if reason is None:
            fitting.append((entry, distance))
        else:
            skipped.append(e.SkippedCandidate(seeker_id=entry.seeker_id, reason=reason))
    fitting.sort(key=lambda pair: (pair[0].proposals, pair[0].preselected_on, pair[1], pair[0].seeker_id))
    chosen, beyond = fitting[:needs.wanted], fitting[needs.wanted:]
    proposed = [e.ProposedCandidate(seeker_id=entry.seeker_id, rank=rank, proposals_before=entry.proposals,
                                    preselected_on=entry.preselected_on or entry.available_from, distance_km=distance)
                for rank, (entry, distance) in enumerate(chosen, start=1)]
    skipped += [e.SkippedCandidate(seeker_id=entry.seeker_id, reason=e.CandidateSkip.ENOUGH_CANDIDATES)
                for entry, _ in beyond]
    return proposed, skipped


def _skip_reason(needs: OpeningNeeds, entry: PoolEntry, distance: int) -> e.CandidateSkip | None:
    if entry.status == ERASED:
        return e.CandidateSkip.ERASED
    if entry.status == HIRED:
        return e.CandidateSkip.ALREADY_HIRED
    if entry.status != PRESELECTED:
        return e.CandidateSkip.NOT_PRESELECTED
    if needs.trade not in entry.trades:
        return e.CandidateSkip.OTHER_TRADE
    if entry.seeker_id in needs.already_proposed:
        return e.CandidateSkip.ALREADY_PROPOSED
    if distance > entry.mobility_km:
        return e.CandidateSkip.TOO_FAR
    if entry.available_from > needs.starts_on:
        return e.CandidateSkip.NOT_AVAILABLE_YET
    return None
