"""HTTP routes of the intake service: operators log calls; every route needs a platform token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field

from services.intake.domain import commands as c
from services.intake.service_layer.handlers import IntakeHandlers
from shared.security.http import platform_member
from shared.security.principals import Principal, Role

router = APIRouter(prefix="/platforms/{platform_id}", tags=["intake"])


async def _handlers(request: Request) -> IntakeHandlers:
    return request.app.state.handlers


_operator = platform_member(Role.OPERATOR, Role.COORDINATOR, Role.FEDERATION_ADMIN)


Handlers = Annotated[IntakeHandlers, Depends(_handlers)]
Operator = Annotated[Principal, Depends(_operator)]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=8, max_length=200,
    description="One key per call taken (e.g. a UUID): sending the same command again with it records nothing new "
                "and answers the first id (a retry, a double click).")]


class Created(BaseModel):
    id: str = Field(description="Id of the request, call, callback entry or visit created.")


@router.post("/requests", status_code=201, summary="Log a service request")
async def log_request(platform_id: str, body: c.RequestDetails, who: Operator, svc: Handlers,
                      key: IdempotencyKey = None) -> Created:
    command = c.LogRequest(**dict(body), platform_id=platform_id, actor=who.actor, idempotency_key=key)
    return Created(id=await svc.log_request(command))


@router.post("/information-calls", status_code=201, summary="Log an information-only call")
async def log_information_call(platform_id: str, body: c.InformationCallDetails, who: Operator, svc: Handlers,
                               key: IdempotencyKey = None) -> Created:
    command = c.LogInformationCall(**dict(body), platform_id=platform_id, actor=who.actor, idempotency_key=key)
    return Created(id=await svc.log_information_call(command))


@router.post("/voicemails", status_code=201, summary="Log a message left on the answering machine")
async def log_voicemail(platform_id: str, body: c.VoicemailDetails, who: Operator, svc: Handlers,
                        key: IdempotencyKey = None) -> Created:
    command = c.LogVoicemail(**dict(body), platform_id=platform_id, actor=who.actor, idempotency_key=key)
    return Created(id=await svc.log_voicemail(command))


@router.post("/requests/{request_id}/cancel", status_code=204, summary="Cancel a request at the resident's wish")
async def cancel_request(platform_id: str, request_id: str, body: c.CancellationDetails, who: Operator,
                         svc: Handlers) -> None:
    await svc.cancel_request(c.CancelRequest(**dict(body), request_id=request_id, platform_id=platform_id, actor=who.actor))
