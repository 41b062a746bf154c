"""The rotation "each in their turn" per platform x activity x sector (pure, deterministic).

The turn is a ring of the providers who offer the activity in the sector, ordered by the time
they joined the platform (admission), then by id. A cursor remembers who was offered last; the
next request goes to the first provider after the cursor who passes every filter. A newcomer takes
its place at the end of the ring: it gets one offer per round, like everyone else, so it is
neither flooded (as it would be by a "fewest offers first" rule) nor starved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from services.matching.domain.eligibility import RequestSpec, skip_reason
from shared.contracts.directory import ADMITTED, SUSPENDED, Provider
from shared.contracts.events.matching import SkipReason

RingKey = tuple[datetime, str]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class TurnKey:
    platform_id: str
    activity: str
    sector: str

    def __str__(self) -> str:
        return f"{self.platform_id}:{self.activity}:{self.sector}"


@dataclass(frozen=True)
class Decision:
    """The outcome of one turn: who gets the offer (or nobody), and the proof of fairness.

    ``eligible``: the members who could have taken this offer (every filter passed), in turn order; the
    equal share of each offer is measured among them, not among every member of the turn.
    """

    chosen: str | None
    candidates: tuple[str, ...]
    skipped: tuple[tuple[str, SkipReason], ...]
    position: int | None
    cursor: RingKey | None
    eligible: tuple[str, ...] = ()


def ring_key(provider: Provider) -> RingKey:
    return (provider.joined_at or _EPOCH, provider.provider_id)


def ring(providers: Iterable[Provider], activity: str, sector_communes: frozenset[str]) -> list[Provider]:
    """Members of the turn: admitted or suspended providers offering the activity somewhere in the sector."""
    members = [
        p for p in providers
        if p.status in (ADMITTED, SUSPENDED) and activity in p.activities and p.communes & sector_communes
    ]
    return sorted(members, key=ring_key)


def take_turn(members: list[Provider], cursor: RingKey | None, request: RequestSpec,
              excluded: Mapping[str, SkipReason]) -> Decision:
    """Offer ``request`` to the first eligible member after ``cursor``.

    ``excluded`` holds providers already out for this request (declined, missed deadline).
    Candidates are listed in turn order starting right after the cursor.
    """
    start = 0
    if cursor is not None:
        start = next((i for i, member in enumerate(members) if ring_key(member) > cursor), 0)
    ordered = members[start:] + members[:start]
    candidates = tuple(member.provider_id for member in ordered)
    skipped: list[tuple[str, SkipReason]] = []
    eligible: list[str] = []
    chosen: tuple[Provider, int] | None = None
    for position, member in enumerate(ordered):
        reason = excluded.get(member.provider_id) or skip_reason(member, request)
        if reason is None:
            eligible.append(member.provider_id)
            chosen = chosen or (member, position)
        elif chosen is None:
            skipped.append((member.provider_id, reason))
    if chosen is None:
        return Decision(None, candidates, tuple(skipped), None, cursor)
    member, position = chosen
    return Decision(member.provider_id, candidates, tuple(skipped), position, ring_key(member), tuple(eligible))
