"""Read routes of the intake service: request list and timeline, callback queue, observatory."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from services.intake.adapters.views import IntakeViews
from services.intake.domain import commands as c
from services.intake.entrypoints.http import Handlers, Operator
from services.intake.service_layer.callbacks import message_deadline
from shared.errors import NotFound
from shared.inputs import local_moment
from shared.security.http import platform_member
from shared.security.principals import Principal, Role
from shared.service.listing import Page, Period

router = APIRouter(prefix="/platforms/{platform_id}", tags=["intake views"])


async def _views(request: Request) -> IntakeViews:
    return request.app.state.views


_coordinator = platform_member(Role.COORDINATOR, Role.ANALYST, Role.FEDERATION_ADMIN)


Views = Annotated[IntakeViews, Depends(_views)]
Coordinator = Annotated[Principal, Depends(_coordinator)]


@router.get("/requests", summary="Requests of the platform, latest first: a page of them (offset, limit), filtered by "
            "status, activity and the local days they were logged on (since, until)")
async def list_requests(platform_id: str, who: Operator, views: Views, svc: Handlers, page: Page, period: Period,
                        status: Annotated[str | None, Query(max_length=30)] = None,
                        activity: Annotated[str | None, Query(max_length=40)] = None) -> list[dict[str, Any]]:
    logged_from, logged_before = period.bounds(svc.policy(platform_id).zone)
    return await views.requests(platform_id, status=status, activity=activity, logged_from=logged_from,
                                logged_before=logged_before, offset=page.offset, limit=page.limit)


@router.get("/requests/{request_id}", summary="A request and its timeline")
async def show_request(platform_id: str, request_id: str, who: Operator, views: Views) -> dict[str, Any]:
    found = await views.request(platform_id, request_id)
    if found is None:
        raise NotFound("Demande")
    return found


@router.get("/callbacks", summary="Answering-machine messages waiting for a call back, oldest first, with when "
            "each was left (``left_at``), the callback deadline (``deadline_at``) and the calls that got no answer "
            "(``attempts``)")
async def callback_queue(platform_id: str, who: Operator, views: Views, svc: Handlers) -> list[dict[str, Any]]:
    policy = svc.policy(platform_id)
    return [{**entry, "left_at": local_moment(entry["left_at_local"], policy.zone),
             "deadline_at": message_deadline(policy, entry)}
            for entry in await views.callback_queue(platform_id)]


@router.post("/callbacks/{entry_id}/complete", status_code=204, summary="Mark a message as called back")
async def complete_callback(platform_id: str, entry_id: str, body: c.CallbackDetails, who: Operator,
                            svc: Handlers) -> None:
    await svc.complete_callback(c.CompleteCallback(**dict(body), entry_id=entry_id, platform_id=platform_id,
                                                   actor=who.actor))


@router.get("/observatory", summary="Unmet demand by activity x commune x month, information calls by topic")
async def observatory(platform_id: str, who: Coordinator, views: Views, year: int | None = None,
                      published: bool = False) -> dict[str, Any]:
    return await views.observatory(platform_id, year=year, published=published or who.role is Role.ANALYST)
