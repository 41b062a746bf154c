"""Reading a resident's contact details: operators and coordinators of the platform only, every read audited.

The contact is kept only sealed (in the request's first event); it is opened through the vault with
the caller as reader, so the vault's read log records who read which resident's data, and when.
Analysts and providers get 403 (role), other platforms 404, an erased resident 410.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.intake.entrypoints.http import Operator
from shared.contracts.types import Sealed
from shared.errors import DomainError, NotFound
from shared.privacy.errors import ReadForbiddenError, ResidentErasedError
from shared.privacy.vault import Vault
from shared.service.runtime import ServiceRuntime
from shared.storage.eventstore import EventStore

router = APIRouter(prefix="/platforms/{platform_id}", tags=["intake"])


class ContactErased(DomainError):
    status = 410

    def __init__(self) -> None:
        super().__init__("resident_erased", "the resident's personal data was erased")


class ContactOut(BaseModel):
    """A resident's contact details, as given when the request (or voicemail) was logged."""

    request_id: str
    resident_id: str = Field(description="Pseudonymous resident id.")
    name: str
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    message: str | None = None


@router.get("/requests/{request_id}/contact", summary="The resident's contact details (the read is audited)")
async def read_contact(request: Request, platform_id: str, request_id: str, who: Operator) -> ContactOut:
    sealed = await sealed_contact(request, platform_id, request_id)
    if sealed is None:
        raise NotFound("Coordonnées de l'usager")
    vault: Vault = request.app.state.vault
    try:
        document = await vault.unseal(sealed, reader=who, purpose=f"read the contact of request {request_id}")
    except ResidentErasedError:
        raise ContactErased() from None
    except ReadForbiddenError:
        raise NotFound("Coordonnées de l'usager") from None
    return ContactOut(request_id=request_id, resident_id=sealed.resident_id, **document)


async def sealed_contact(request: Request, platform_id: str, request_id: str) -> Sealed | None:
    """The resident's sealed contact from the first event of request (or voicemail) ``request_id``; None when
    ``platform_id`` logged no such request."""
    runtime: ServiceRuntime = request.app.state.runtime
    async with runtime.engine.connect() as connection:
        history = await EventStore(connection, runtime.metadata).load("request", request_id)
    sealed = getattr(history[0].payload, "contact", None) if history else None
    if sealed is None or history[0].platform_id != platform_id:
        return None
    return sealed
