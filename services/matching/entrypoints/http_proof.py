"""The assignment proof of a request: for each offer, every candidate of the turn in order and why those
passed over were skipped, read from matching's own events (what the console's request page shows)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from shared.contracts.events.matching import ProviderAssigned, Skip
from shared.contracts.proof import CandidateInTurn, turn_of
from shared.errors import NotFound
from shared.security.http import platform_member
from shared.security.principals import Principal, Role
from shared.storage.eventstore import EventStore

router = APIRouter(prefix="/platforms/{platform_id}", tags=["offers"])
_staff = platform_member(Role.OPERATOR, Role.COORDINATOR, Role.FEDERATION_ADMIN)


class OfferProof(BaseModel):
    """One offer of the request: who was in the turn, who was skipped and why, who got it."""

    attempt: int = Field(description="1 for the first offer, 2 after a decline or a missed deadline, ...")
    offered_at: datetime
    sector: str = Field(description="Sector code of the rotation.")
    candidates: list[str] = Field(description="Providers of the activity x sector rotation, in turn order.")
    rotation_position: int = Field(description="Index in `candidates` of the provider offered the request.")
    provider_id: str
    skipped: list[Skip]
    deadline_at: datetime
    turn: list[CandidateInTurn] = Field(description="The proof in full: every candidate in turn order with its name "
                                                    "and place, the one offered, each one passed over and why (French).")


@router.get("/requests/{request_id}/proof", summary="Why each offer of the request went to that provider")
async def assignment_proof(request: Request, platform_id: str, request_id: str,
                           who: Annotated[Principal, Depends(_staff)]) -> list[OfferProof]:
    runtime = request.app.state.runtime
    async with runtime.engine.connect() as connection:
        history = await EventStore(connection, runtime.metadata).load("request", request_id)
    if not history or history[0].platform_id != platform_id:
        raise NotFound("Demande")
    offers = [e for e in history if isinstance(e.payload, ProviderAssigned)]
    names = {p.provider_id: p.name for p in await request.app.state.views.providers(platform_id)} if offers else {}
    return [OfferProof(offered_at=e.meta.occurred_at, turn=turn_of(e.payload, names), **e.payload.model_dump(
                include={"attempt", "sector", "candidates", "rotation_position", "provider_id", "skipped", "deadline_at"}))
            for e in offers]
