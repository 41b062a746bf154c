"""HTTP routes of the provider directory: coordinators manage it; a provider may read its own record; operators
(and employment advisors) read every provider's card (``cards_router``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.matching.domain import commands as c
from services.matching.entrypoints.schemas import Created, MatchView, ProviderCard, ProviderView
from services.matching.service_layer.handlers import DirectoryHandlers
from shared.errors import NotFound
from shared.platforms.loader import policy_of
from shared.platforms.local_time import local_date
from shared.platforms.model import PlatformPolicy
from shared.security.http import ensure_platform, ensure_subject, platform_member, require
from shared.security.principals import Principal, Role
from shared.service.listing import Page, Period

router = APIRouter(prefix="/platforms/{platform_id}/providers", tags=["directory"])
cards_router = APIRouter(prefix="/platforms/{platform_id}", tags=["directory"])


_coordinator = platform_member(Role.COORDINATOR, Role.FEDERATION_ADMIN)
_card_readers = platform_member(Role.OPERATOR, Role.COORDINATOR, Role.ADVISOR, Role.FEDERATION_ADMIN)
"""Who reads the providers' cards: the staff, and the employment advisors helping the providers recruit."""


async def _reader(platform_id: str, provider_id: str, principal: Annotated[Principal, Depends(
        require(Role.COORDINATOR, Role.FEDERATION_ADMIN, Role.PROVIDER))]) -> Principal:
    ensure_platform(principal, platform_id)
    ensure_subject(principal, provider_id, resource="Fiche de prestataire")
    return principal


Coordinator = Annotated[Principal, Depends(_coordinator)]
Reader = Annotated[Principal, Depends(_reader)]


async def _handlers(request: Request) -> DirectoryHandlers:
    return request.app.state.directory


Handlers = Annotated[DirectoryHandlers, Depends(_handlers)]


def _policy(request: Request, platform_id: str) -> PlatformPolicy:
    return policy_of(request.app.state.policies, platform_id)


def _today(request: Request, platform_id: str) -> date:
    return local_date(request.app.state.clock.now(), _policy(request, platform_id).zone)


async def _change(request: Request, platform_id: str, provider_id: str, change: c.DirectoryChange, who: Principal,
                  svc: DirectoryHandlers) -> ProviderView:
    command = c.ChangeProvider(platform_id=platform_id, actor=who.actor, provider_id=provider_id, change=change)
    return ProviderView.of(await svc.change(command), _today(request, platform_id))


@router.post("", status_code=201, summary="Record an application to join the platform")
async def apply(platform_id: str, body: c.ApplicationDetails, who: Coordinator, svc: Handlers) -> Created:
    return Created(id=await svc.apply(c.Apply(**dict(body), platform_id=platform_id, actor=who.actor)))


@router.post("/{provider_id}/committee-decision", summary="Record the admission committee's decision")
async def decide(request: Request, platform_id: str, provider_id: str, body: c.CommitteeDecision, who: Coordinator,
                 svc: Handlers) -> ProviderView:
    return await _change(request, platform_id, provider_id, body, who, svc)


@router.post("/{provider_id}/accreditation", summary="Record an agrément qualité (with its expiry)")
async def accredit(request: Request, platform_id: str, provider_id: str, body: c.AccreditationDetails,
                   who: Coordinator, svc: Handlers) -> ProviderView:
    return await _change(request, platform_id, provider_id, body, who, svc)


@router.put("/{provider_id}/availability", summary="Replace the weekly availability and absences")
async def set_availability(request: Request, platform_id: str, provider_id: str, body: c.AvailabilityDetails,
                           who: Coordinator, svc: Handlers) -> ProviderView:
    return await _change(request, platform_id, provider_id, body, who, svc)


@router.put("/{provider_id}/activities", summary="Replace the activities offered")
async def set_activities(request: Request, platform_id: str, provider_id: str, body: c.ActivitiesDetails,
                         who: Coordinator, svc: Handlers) -> ProviderView:
    return await _change(request, platform_id, provider_id, body, who, svc)


@router.put("/{provider_id}/communes", summary="Replace the communes served")
async def set_communes(request: Request, platform_id: str, provider_id: str, body: c.CommunesDetails,
                       who: Coordinator, svc: Handlers) -> ProviderView:
    return await _change(request, platform_id, provider_id, body, who, svc)


@router.post("/{provider_id}/suspension", summary="Suspend the provider (leaves the rotation)")
async def suspend(request: Request, platform_id: str, provider_id: str, body: c.StatusChangeDetails,
                  who: Coordinator, svc: Handlers) -> ProviderView:
    return await _change(request, platform_id, provider_id, c.Suspension(**dict(body)), who, svc)


@router.post("/{provider_id}/reinstatement", summary="Reinstate a suspended provider")
async def reinstate(request: Request, platform_id: str, provider_id: str, body: c.StatusChangeDetails,
                    who: Coordinator, svc: Handlers) -> ProviderView:
    return await _change(request, platform_id, provider_id, c.Reinstatement(**dict(body)), who, svc)


@router.post("/{provider_id}/withdrawal", summary="Record that the provider left the platform")
async def withdraw(request: Request, platform_id: str, provider_id: str, body: c.StatusChangeDetails,
                   who: Coordinator, svc: Handlers) -> ProviderView:
    return await _change(request, platform_id, provider_id, c.Withdrawal(**dict(body)), who, svc)


@router.get("", summary="The providers of the platform: a page of them (offset, limit), filtered by status and activity")
async def list_providers(request: Request, platform_id: str, who: Coordinator, page: Page,
                         status: Annotated[str | None, Query(max_length=20)] = None,
                         activity: Annotated[str | None, Query(max_length=40)] = None) -> list[ProviderView]:
    found = await request.app.state.views.providers(platform_id, status=status, activity=activity)
    today = _today(request, platform_id)
    return [ProviderView.of(provider, today) for provider in page.of(found)]


@router.get("/{provider_id}", summary="One provider's record (coordinators, or the provider itself)")
async def show_provider(request: Request, platform_id: str, provider_id: str, who: Reader) -> ProviderView:
    provider = await request.app.state.views.provider(platform_id, provider_id)
    if provider is None:
        raise NotFound("Prestataire")
    return ProviderView.of(provider, _today(request, platform_id))


@router.get("/{provider_id}/offers", summary="Requests offered to the provider, latest change first: a page of them "
            "(offset, limit), filtered by status, activity and the local days of their last change (since, until)")
async def offers(request: Request, platform_id: str, provider_id: str, who: Reader, page: Page, period: Period,
                 status: Annotated[str | None, Query(max_length=20)] = None,
                 activity: Annotated[str | None, Query(max_length=40)] = None) -> list[MatchView]:
    updated_from, updated_before = period.bounds(_policy(request, platform_id).zone)
    rows = await request.app.state.views.offers(platform_id, provider_id, status=status, activity=activity,
                                                updated_from=updated_from, updated_before=updated_before,
                                                offset=page.offset, limit=page.limit)
    return [MatchView.of(row) for row in rows]


@cards_router.get("/provider-cards",
                  summary="Every provider's name, kind, status, activities and communes (for operators)")
async def provider_cards(request: Request, platform_id: str,
                         who: Annotated[Principal, Depends(_card_readers)]) -> list[ProviderCard]:
    return [ProviderCard.of(provider) for provider in await request.app.state.views.providers(platform_id)]
