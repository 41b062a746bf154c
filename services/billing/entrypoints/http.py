"""HTTP routes of the billing service: provider accounts, payments, monthly statements, yearly totals.

Coordinators (and the federation admin) see every account of their platform and record payments;
a provider reads only its own account and statements.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.billing.domain.ledger import EntryKind
from services.billing.domain.money import ZERO, money_str
from services.billing.entrypoints.statements import statement_csv, statement_html
from services.billing.service_layer.commands import (
    IssueStatement,
    PaymentDetails,
    RecordPayment,
)
from services.billing.service_layer.handlers import BillingHandlers, IssuedStatement
from shared.security.http import ensure_platform, ensure_subject, platform_member, require
from shared.security.principals import Principal, Role

router = APIRouter(prefix="/platforms/{platform_id}", tags=["billing"])
PERIOD = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


async def _handlers(request: Request) -> BillingHandlers:
    return request.app.state.handlers


_coordinator = platform_member(Role.COORDINATOR, Role.FEDERATION_ADMIN)


async def _account_reader(platform_id: str, provider_id: str, principal: Annotated[Principal, Depends(
        require(Role.COORDINATOR, Role.FEDERATION_ADMIN, Role.PROVIDER))]) -> Principal:
    ensure_platform(principal, platform_id)
    ensure_subject(principal, provider_id, resource="Compte")
    return principal


Handlers = Annotated[BillingHandlers, Depends(_handlers)]
Coordinator = Annotated[Principal, Depends(_coordinator)]
AccountReader = Annotated[Principal, Depends(_account_reader)]
Period = Annotated[str, Path(pattern=PERIOD, description="Month of the statement, YYYY-MM.")]


class EntryOut(BaseModel):
    entry_id: str = Field(description="Id of the billing event of the entry.")
    sequence: int
    kind: EntryKind
    booked_on: date
    amount: str = Field(description="Euros owed by the provider (payments negative), e.g. '6.75'.")
    request_id: str | None
    description: str


class AccountOut(BaseModel):
    platform_id: str
    provider_id: str
    balance: str = Field(description="What the provider owes the platform, e.g. '6.75'.")
    entries: list[EntryOut]


class Recorded(BaseModel):
    id: str = Field(description="Event id of the payment recorded.")


class TotalsOut(BaseModel):
    platform_id: str
    year: int
    fees: str
    memberships: str
    adjustments: str
    charged: str = Field(description="Fees + memberships + adjustments.")
    paid: str
    accounts: int = Field(description="Accounts with at least one entry in the year.")


@router.get("/accounts/{provider_id}", summary="A provider's account: balance and entries")
async def show_account(platform_id: str, provider_id: str, who: AccountReader, svc: Handlers) -> AccountOut:
    account = await svc.account(platform_id, provider_id)
    entries = [EntryOut(entry_id=e.entry_id, sequence=e.sequence, kind=e.kind, booked_on=e.booked_on,
                        amount=money_str(e.amount), request_id=e.request_id, description=e.description)
               for e in account.entries]
    return AccountOut(platform_id=platform_id, provider_id=provider_id, balance=money_str(account.balance), entries=entries)


@router.post("/accounts/{provider_id}/payments", status_code=201, summary="Record a payment from the provider")
async def record_payment(platform_id: str, provider_id: str, body: PaymentDetails, who: Coordinator,
                         svc: Handlers) -> Recorded:
    command = RecordPayment(**dict(body), platform_id=platform_id, provider_id=provider_id, actor=who.actor)
    return Recorded(id=await svc.record_payment(command))


async def _statement(platform_id: str, provider_id: str, period: str, who: Principal,
                     svc: BillingHandlers) -> IssuedStatement:
    return await svc.issue_statement(IssueStatement(platform_id=platform_id, provider_id=provider_id, period=period,
                                                    actor=who.actor))


@router.get("/accounts/{provider_id}/statements/{period}.csv", summary="Monthly statement, CSV",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def statement_as_csv(platform_id: str, provider_id: str, period: Period, who: AccountReader,
                           svc: Handlers) -> Response:
    issued = await _statement(platform_id, provider_id, period, who, svc)
    return Response(statement_csv(issued), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{issued.statement_id}.csv"'})


@router.get("/accounts/{provider_id}/statements/{period}.html", summary="Monthly statement, HTML",
            response_class=HTMLResponse)
async def statement_as_html(platform_id: str, provider_id: str, period: Period, who: AccountReader,
                            svc: Handlers) -> HTMLResponse:
    issued = await _statement(platform_id, provider_id, period, who, svc)
    return HTMLResponse(statement_html(issued, svc.policy(platform_id).name))


@router.get("/totals/{year}", summary="Yearly totals of the platform")
async def year_totals(platform_id: str, year: Annotated[int, Path(ge=2000, le=2100)], who: Coordinator,
                      svc: Handlers) -> TotalsOut:
    totals = await svc.year_totals(platform_id, year)
    by_kind = {kind: money_str(totals.by_kind.get(kind, ZERO)) for kind in EntryKind}
    return TotalsOut(platform_id=platform_id, year=year, fees=by_kind[EntryKind.FEE],
                     memberships=by_kind[EntryKind.MEMBERSHIP], adjustments=by_kind[EntryKind.ADJUSTMENT],
                     charged=money_str(totals.charged), paid=money_str(totals.paid), accounts=totals.accounts)
