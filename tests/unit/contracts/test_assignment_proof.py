"""The assignment proof of an offer is shown whole: every candidate in turn order, by name, the skipped ones with
their French reason, the one offered, those not reached; ``relais history`` cuts nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from relais.history import describe
from shared.contracts.events.matching import ProviderAssigned
from shared.contracts.proof import TurnOutcome, turn_of, turn_text

CANDIDATES = [f"prv-{number:02d}-with-a-rather-long-identifier" for number in range(12)]


def offer() -> ProviderAssigned:
    return ProviderAssigned(
        request_id="req-1", provider_id=CANDIDATES[3], activity="gardening", commune="87085", sector="limoges-ville",
        candidates=CANDIDATES, rotation_position=3, eligible=CANDIDATES[3:],
        skipped=[{"provider_id": CANDIDATES[0], "reason": "suspended"}, {"provider_id": CANDIDATES[1], "reason": "unavailable"},
                 {"provider_id": CANDIDATES[2], "reason": "no_agrement"}],
        deadline_at=datetime(2026, 3, 3, 9, 0, tzinfo=UTC))


def test_the_turn_lists_every_candidate_in_order_with_names_and_reasons() -> None:
    turn = turn_of(offer(), {CANDIDATES[0]: "Jardins A", CANDIDATES[3]: "Jardins D"})

    assert [(c.position, c.provider_id) for c in turn] == list(enumerate(CANDIDATES, 1))
    assert [c.outcome for c in turn[:5]] == [TurnOutcome.SKIPPED] * 3 + [TurnOutcome.ASSIGNED, TurnOutcome.NOT_REACHED]
    assert (turn[0].name, turn[0].label) == ("Jardins A", "passé : suspendu")
    assert turn[1].label == "passé : indisponible (absence)" and turn[1].name is None
    assert (turn[3].name, turn[3].label) == ("Jardins D", "offre confiée")
    assert turn_text(turn).startswith(f"1. Jardins A ({CANDIDATES[0]}) : passé : suspendu ; 2. {CANDIDATES[1]} : ")


def test_history_shows_the_proof_whole() -> None:
    details = describe(offer(), "req-1", {CANDIDATES[3]: "Jardins D"})

    assert "…" not in details and all(candidate in details for candidate in CANDIDATES)
    assert f"4. Jardins D ({CANDIDATES[3]}) : offre confiée" in details
    assert "sector=limoges-ville" in details and "candidates=" not in details
