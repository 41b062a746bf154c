"""The assignment proof of an offer, read from its :class:`ProviderAssigned` event: every candidate of the turn
in order, by name, the one offered the request, each one passed over with its reason, and those not reached.

Matching's ``GET /platforms/{p}/requests/{id}/proof`` and ``relais history`` both show it whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.events.matching import ProviderAssigned, SkipReason
from shared.contracts.labels import SKIP_REASONS


class TurnOutcome(StrEnum):
    ASSIGNED = "assigned"
    SKIPPED = "skipped"
    NOT_REACHED = "not_reached"


TURN_OUTCOMES = {TurnOutcome.ASSIGNED: "offre confiée", TurnOutcome.SKIPPED: "passé",
                 TurnOutcome.NOT_REACHED: "non atteint (après dans le tour)"}


class CandidateInTurn(BaseModel):
    """One provider of the rotation, at its place in the turn of one offer."""

    model_config = ConfigDict(frozen=True)

    position: int = Field(ge=1, description="Place in the turn, 1 for the first candidate.")
    provider_id: str
    name: str | None = Field(description="The provider's name in the directory (None if unknown there).")
    outcome: TurnOutcome = Field(description="assigned: offered the request; skipped: passed over (see reason); "
                                             "not_reached: after the assigned one in the turn.")
    reason: SkipReason | None = Field(default=None, description="Why a skipped provider was passed over.")
    label: str = Field(description="The outcome in French, with the reason of a skip, e.g. 'passé : suspendu'.")


def turn_of(offer: ProviderAssigned, names: Mapping[str, str]) -> list[CandidateInTurn]:
    """Every candidate of ``offer``'s turn in order, with its name from ``names`` (provider id -> name)."""
    reasons = {skip.provider_id: skip.reason for skip in offer.skipped}
    turn = []
    for index, provider_id in enumerate(offer.candidates):
        reason = reasons.get(provider_id)
        if index == offer.rotation_position:
            outcome = TurnOutcome.ASSIGNED
        elif reason is not None:
            outcome = TurnOutcome.SKIPPED
        else:
            outcome = TurnOutcome.NOT_REACHED
        label = f"passé : {SKIP_REASONS[reason]}" if reason is not None else TURN_OUTCOMES[outcome]
        turn.append(CandidateInTurn(position=index + 1, provider_id=provider_id, name=names.get(provider_id),
                                    outcome=outcome, reason=reason, label=label))
    return turn


def turn_text(turn: Sequence[CandidateInTurn]) -> str:
    """The turn on one line, e.g. ``1. Jardins A (prv-1) : passé : suspendu ; 2. Jardins B (prv-2) : offre confiée``."""
    return " ; ".join(f"{candidate.position}. {candidate.name + ' (' + candidate.provider_id + ')' if candidate.name else candidate.provider_id}"
                      f" : {candidate.label}" for candidate in turn)
