"""The fair, explained choice of candidates for an opening (pure rules)."""

from __future__ import annotations

from datetime import date

from services.employment.domain.proposals import OpeningNeeds, PoolEntry, choose_candidates
from shared.contracts.events.employment import CandidateSkip, Trade

HOME_HELP = (Trade.HOME_HELP,)
DISTANCES = {"near": 2.0, "mid": 8.0, "far": 40.0}
NEEDS = OpeningNeeds(Trade.HOME_HELP, ("work",), date(2026, 4, 1), frozenset({"skr-already"}), wanted=2)


def seeker(seeker_id: str, *, status: str = "preselected", trades: tuple[Trade, ...] = HOME_HELP, commune: str = "near",
           mobility: int = 10, available: date = date(2026, 3, 1), preselected: date | None = date(2026, 3, 5),
           proposals: int = 0) -> PoolEntry:
    return PoolEntry(seeker_id, status, trades, commune, mobility, available, preselected, proposals)


def distance(a: str, b: str) -> float:
    return DISTANCES[a]


def test_fewest_proposals_first_then_longest_preselected_then_nearest() -> None:
    pool = [seeker("skr-a", proposals=1, preselected=date(2026, 1, 1)),
            seeker("skr-b", preselected=date(2026, 3, 5), commune="mid"),
            seeker("skr-c", preselected=date(2026, 3, 5)),
            seeker("skr-d", preselected=date(2026, 2, 1), commune="mid")]
    proposed, skipped = choose_candidates(NEEDS, pool, distance)
    assert [(c.seeker_id, c.rank, c.distance_km) for c in proposed] == [("skr-d", 1, 8), ("skr-c", 2, 2)]
    assert [(s.seeker_id, s.reason) for s in skipped] == [("skr-b", CandidateSkip.ENOUGH_CANDIDATES),
                                                          ("skr-a", CandidateSkip.ENOUGH_CANDIDATES)]


def test_every_seeker_left_out_is_named_with_the_first_reason() -> None:
    pool = [seeker("skr-erased", status="erased"), seeker("skr-hired", status="hired"),
            seeker("skr-new", status="registered"), seeker("skr-garden", trades=(Trade.GARDENING,)),
            seeker("skr-already"), seeker("skr-far", commune="far"),
            seeker("skr-later", available=date(2026, 5, 1)), seeker("skr-ok")]
    proposed, skipped = choose_candidates(NEEDS, pool, distance)
    assert [c.seeker_id for c in proposed] == ["skr-ok"]
    assert {s.seeker_id: s.reason for s in skipped} == {
        "skr-erased": CandidateSkip.ERASED, "skr-hired": CandidateSkip.ALREADY_HIRED,
        "skr-new": CandidateSkip.NOT_PRESELECTED, "skr-garden": CandidateSkip.OTHER_TRADE,
        "skr-already": CandidateSkip.ALREADY_PROPOSED, "skr-far": CandidateSkip.TOO_FAR,
        "skr-later": CandidateSkip.NOT_AVAILABLE_YET}
