"""HTTP routes of the offers: providers act on their own offers; coordinators may act for them.

A provider reaching a request that is not offered to it gets 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.matching.domain import commands as c
from services.matching.entrypoints.schemas import MatchView
from services.matching.service_layer.handlers import OfferHandlers
from shared.errors import NotFound
from shared.security.http import ensure_subject, platform_member
from shared.security.principals import Principal, Role

router = APIRouter(prefix="/platforms/{platform_id}", tags=["offers"])


_actor = platform_member(Role.PROVIDER, Role.COORDINATOR, Role.FEDERATION_ADMIN)


_watcher = platform_member(Role.OPERATOR, Role.COORDINATOR, Role.PROVIDER, Role.FEDERATION_ADMIN)


async def _handlers(request: Request) -> OfferHandlers:
    return request.app.state.offers


Actor = Annotated[Principal, Depends(_actor)]
Handlers = Annotated[OfferHandlers, Depends(_handlers)]


def _acting(who: Principal) -> str | None:
    """The provider acting for itself, or None when a coordinator acts on its behalf."""
    return who.subject if who.role is Role.PROVIDER else None


def _base(platform_id: str, request_id: str, who: Principal) -> dict[str, str | None]:
    return {"platform_id": platform_id, "request_id": request_id, "actor": who.actor, "provider_id": _acting(who)}


@router.get("/requests/{request_id}/match", summary="Where the request stands in matching")
async def show_match(request: Request, platform_id: str, request_id: str,
                     who: Annotated[Principal, Depends(_watcher)]) -> MatchView:
    row = await request.app.state.views.match(platform_id, request_id)
    if row is None:
        raise NotFound("Demande")
    if who.role is Role.PROVIDER:
        ensure_subject(who, row["provider_id"] or "", resource="Demande")
    return MatchView.of(row)


@router.post("/requests/{request_id}/decline", status_code=204, summary="Decline the offer (goes to the next in turn)")
async def decline(platform_id: str, request_id: str, body: c.DeclineDetails, who: Actor, svc: Handlers) -> None:
    await svc.decline(c.Decline(**dict(body), **_base(platform_id, request_id, who)))


@router.post("/requests/{request_id}/contact", status_code=204, summary="Confirm the resident was contacted")
async def confirm_contact(platform_id: str, request_id: str, body: c.ContactDetails, who: Actor, svc: Handlers) -> None:
    await svc.confirm_contact(c.ConfirmContact(**dict(body), **_base(platform_id, request_id, who)))


@router.post("/requests/{request_id}/quote", status_code=204, summary="Record the quote sent to the resident")
async def send_quote(platform_id: str, request_id: str, body: c.QuoteDetails, who: Actor, svc: Handlers) -> None:
    await svc.send_quote(c.SendQuote(**dict(body), **_base(platform_id, request_id, who)))


@router.post("/requests/{request_id}/quote-answer", status_code=204, summary="Record the resident's answer to the quote")
async def answer_quote(platform_id: str, request_id: str, body: c.QuoteAnswerDetails, who: Actor,
                       svc: Handlers) -> None:
    await svc.answer_quote(c.AnswerQuote(**dict(body), **_base(platform_id, request_id, who)))


@router.post("/requests/{request_id}/intervention", status_code=204, summary="Declare the intervention done")
async def declare_done(platform_id: str, request_id: str, body: c.InterventionDetails, who: Actor,
                       svc: Handlers) -> None:
    await svc.declare_done(c.DeclareDone(**dict(body), **_base(platform_id, request_id, who)))

