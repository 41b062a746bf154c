"""Accepting an offer (the contact becomes readable) and correcting a declared intervention (pure)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.matching.domain.match import Match, RequestContext
from services.matching.domain.rotation import Decision
from shared.contracts.envelope import new_envelope
from shared.contracts.events import matching as ev
from shared.contracts.events import providers as pev
from shared.contracts.upcasting import upcast
from shared.errors import Conflict, NotFound
from tests.unit.matching.builders import T0, spec


def offered() -> Match:
    match = Match(RequestContext(spec(), "res-1"))
    match.offer(Decision("prv-a", ("prv-a",), (), 0, (T0, "prv-a")), T0 + timedelta(hours=24))
    return match


def rebuilt(match: Match) -> Match:
    envelopes = [new_envelope(e, platform_id="limoges", aggregate_id="req-1", aggregate_version=i + 1, actor="x")
                 for i, e in enumerate(match.pending)]
    return Match.from_history(match.context, envelopes)


def test_the_contact_is_visible_once_the_offer_is_accepted_and_accepting_twice_records_nothing() -> None:
    match = offered()
    assert not match.contact_visible

    match.accept("prv-a")
    match.accept("prv-a")

    assert [type(e) for e in match.pending] == [ev.ProviderAssigned, ev.OfferAccepted]
    assert match.contact_visible and rebuilt(match).accepted
    with pytest.raises(NotFound):
        match.accept("prv-b")


def test_a_decline_after_accepting_hides_the_contact_again() -> None:
    match = offered()
    match.accept("prv-a")
    match.decline("prv-a", ev.DeclineReason.UNAVAILABLE, "")

    assert not match.accepted and not match.contact_visible


def test_a_correction_names_the_event_it_corrects_and_replaces_the_figures() -> None:
    match = offered()
    match.confirm_contact("prv-a", T0)
    match.declare_done("prv-a", date(2026, 3, 2), Decimal("2.5"), Decimal(75), Decimal("8.5"))
    history = [new_envelope(e, platform_id="limoges", aggregate_id="req-1", aggregate_version=i + 1, actor="x")
               for i, e in enumerate(match.pending)]
    loaded = Match.from_history(match.context, history)

    with pytest.raises(Conflict) as same:
        loaded.correct("prv-a", date(2026, 3, 2), Decimal("2.5"), Decimal(75), Decimal("8.5"), "rien")
    assert same.value.code == "nothing_to_correct"
    loaded.correct("prv-a", date(2026, 3, 2), Decimal(3), Decimal(90), Decimal("8.5"), " une demi-heure oubliée ")

    (corrected,) = loaded.pending
    assert isinstance(corrected, ev.InterventionCorrected)
    assert corrected.corrected_event_id == history[-1].event_id
    assert (corrected.labour_hours, corrected.amount_excl_tax, corrected.reason) == ("3.00", "98.50", "une demi-heure oubliée")
    assert loaded.figures is corrected


def test_only_a_declared_intervention_can_be_corrected() -> None:
    match = offered()
    with pytest.raises(Conflict):
        match.correct("prv-a", date(2026, 3, 2), Decimal(1), Decimal(1), Decimal(0), "erreur")


def test_a_v1_application_is_upcast_with_offers_by_email_and_no_contact() -> None:
    payload = {"provider_id": "prv-1", "name": "X", "kind": "artisan", "activities": ["gardening"], "communes": ["87085"]}

    applied = pev.ProviderApplied.model_validate(upcast("ProviderApplied", 1, 2, payload))

    assert (applied.email, applied.phone, applied.offers_by) == (None, None, [pev.OfferChannel.EMAIL])
