"""Orientation (Brenne): the caller gets the N nearest structures for the activity (pure).

A structure qualifies when it is admitted and passes every filter of the rotation except the
sector (distance replaces it). Distance runs from the structure's base commune (its first commune)
to the resident's commune; ties are broken by provider id, so the list is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from services.matching.domain.eligibility import RequestSpec, skip_reason
from shared.contracts.directory import ADMITTED, SUSPENDED, Provider
from shared.contracts.events.matching import SkipReason

Distance = Callable[[str, str], float | None]
"""Kilometres between two commune codes, or None when a commune's position is unknown."""


@dataclass(frozen=True)
class Orientation:
    nearest: tuple[tuple[str, str], ...]
    """(provider id, distance in km as a one-decimal string), nearest first."""
    skipped: tuple[tuple[str, SkipReason], ...]
    """Structures offering the activity that do not qualify, and why."""


def nearest(providers: Iterable[Provider], request: RequestSpec, distance: Distance, count: int) -> Orientation:
    ranked: list[tuple[str, str]] = []
    skipped: list[tuple[str, SkipReason]] = []
    for provider in sorted(providers, key=lambda p: p.provider_id):
        if provider.status not in (ADMITTED, SUSPENDED) or request.activity not in provider.activities:
            continue
        reason = skip_reason(provider, _anywhere(provider, request))
        km = distance(provider.base_commune, request.commune)
        if reason is None and km is None:
            reason = SkipReason.NOT_IN_SECTOR
        if reason is not None:
            skipped.append((provider.provider_id, reason))
            continue
        ranked.append((provider.provider_id, f"{km:.1f}"))
    ranked.sort(key=lambda item: (float(item[1]), item[0]))
    return Orientation(tuple(ranked[:count]), tuple(skipped))


def _anywhere(provider: Provider, request: RequestSpec) -> RequestSpec:
    """The request as if the provider served its commune: orientation ignores sectors."""
    if request.commune in provider.communes or not provider.communes:
        return request
    return replace(request, commune=min(provider.communes))
