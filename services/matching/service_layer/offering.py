"""Offering a request: to the provider whose turn it is, or the nearest structures, or nobody (unmet).

Shared by the assignment process manager (new requests), provider declines and the deadline
sweeper (re-offers). Everything happens on one ``store`` (a unit of work or a projection's batch
connection), so the new events, the turn's cursor and the match row commit together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.matching.domain.eligibility import RequestSpec
from services.matching.domain.match import Match, RequestContext, spec_at
from services.matching.domain.orientation import nearest
from services.matching.domain.rotation import TurnKey, ring, take_turn
from services.matching.domain.unmet import why_unmet
from services.matching.service_layer.ports import Store
from shared.contracts.directory import ADMITTED, SUSPENDED
from shared.contracts.envelope import Envelope
from shared.contracts.events.intake import RequestLogged
from shared.contracts.events.matching import OrientedProvider, SkipReason, UnmetReason
from shared.errors import NotFound
from shared.platforms.calendar import callback_deadline, distance_km
from shared.platforms.model import MatchingMode, PlatformPolicy

NO_SECTOR = "none"



def request_context(envelope: Envelope[RequestLogged], policy: PlatformPolicy) -> RequestContext:
    """What matching keeps of a logged request; the sector comes from the platform's map of communes, the
    publics an agrément must cover from the policy's activity (see :class:`shared.platforms.places.Activity`)."""
    logged = envelope.payload
    publics: frozenset[str] = frozenset()
    if logged.activity in policy.activity_codes():
        required = policy.activity(logged.activity).publics_requiring_agrement(logged.fragile_publics)
        publics = frozenset(public.value for public in required)
    sector = policy.sector_of(logged.commune).code if logged.commune in policy.commune_codes() else NO_SECTOR
    spec = RequestSpec(
        request_id=logged.request_id, platform_id=envelope.platform_id, activity=logged.activity,
        commune=logged.commune, sector=sector, fragile_publics=publics,
        windows=tuple((window.starts_at, window.ends_at) for window in logged.availability),
        received_at=envelope.meta.occurred_at, timezone=policy.timezone,
    )
    return RequestContext(spec, logged.resident_id, logged.contact)


async def load_match(store: Store, request_id: str, platform_id: str | None = None) -> tuple[Match, list[Envelope[Any]]]:
    """The match of ``request_id`` and its history; 404 if unknown (or of another platform)."""
    found = await store.matches.context(request_id)
    if found is None or (platform_id is not None and found[0].spec.platform_id != platform_id):
        raise NotFound("Demande")
    context, cancelled = found
    history = await store.events.load("request", request_id)
    return Match.from_history(context, history, cancelled=cancelled), history


async def offer_next(store: Store, policy: PlatformPolicy, match: Match, now: datetime,
                     last_exclusion: SkipReason | None = None) -> None:
    """Record the next offer of ``match`` (or its orientation, or why it is unmet) in ``match.pending``."""
    spec = spec_at(match.context.spec, now)
    fragile = bool(spec.fragile_publics)
    if spec.sector == NO_SECTOR:
        match.give_up(UnmetReason.NO_PROVIDER_FOR_ACTIVITY_IN_COMMUNE, "the commune is not covered by the platform")
        return
    if policy.matching.mode is MatchingMode.ORIENT:
        providers = await store.providers.list(spec.platform_id, statuses=(ADMITTED, SUSPENDED))
        found = nearest(providers, spec, _distance(policy), policy.matching.orient_count or 1)
        if found.nearest:
            match.orient([OrientedProvider(provider_id=pid, distance_km=km) for pid, km in found.nearest])
        else:
            match.give_up(*why_unmet(found.skipped, fragile=fragile))
        return
    key = TurnKey(spec.platform_id, spec.activity, spec.sector)
    sector_communes = frozenset(policy.sector_of(spec.commune).communes)
    members = ring(await store.providers.in_rotation(spec.platform_id), spec.activity, sector_communes)
    turn = await store.turns.get(key)
    decision = take_turn(members, turn.cursor, spec, match.excluded)
    if decision.chosen is None or decision.cursor is None:
        match.give_up(*why_unmet(decision.skipped, fragile=fragile, last_exclusion=last_exclusion))
        return
    await store.turns.advance(key, decision.cursor, expected_version=turn.version)
    match.offer(decision, callback_deadline(policy, now))


async def save_match(store: Store, match: Match, *, cause: Envelope[Any], actor: str, now: datetime) -> list[Envelope[Any]]:
    """Append ``match.pending`` after ``cause`` (same correlation id) and write the match row."""
    loaded = match.version
    envelopes = match.take_pending(cause, aggregate_id=match.request_id, actor=actor, occurred_at=now)
    await store.events.append(envelopes)
    await store.matches.save(match, expected_version=loaded)
    return envelopes


def _distance(policy: PlatformPolicy) -> Any:
    def between(commune_a: str, commune_b: str) -> float | None:
        try:
            return distance_km(policy.commune(commune_a), policy.commune(commune_b))
        except KeyError:
            return None

    return between
