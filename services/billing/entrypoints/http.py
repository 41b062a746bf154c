"""HTTP routes of the billing service: provider accounts, payments, monthly statements, yearly totals.

Coordinators (and the federation admin) see every account of their platform and record payments;
a provider reads only its own account and statements.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.billing.domain.commands import (
    IssueStatement,
    PaymentDetails,
    RecordPayment,
)
from services.billing.domain.ledger import EntryKind, owed_and_credit
from services.billing.domain.money import ZERO, french_euros, money_str
from services.billing.entrypoints.statements import statement_csv, statement_html
from services.billing.service_layer.handlers import BillingHandlers, IssuedStatement
from shared.contracts.labels import ACCOUNT_POSITIONS, LEDGER_ENTRY_KINDS, YEAR_TOTALS, label
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
    sequence: int = Field(description="Order of the entry in the account.")
    kind: EntryKind = Field(description="Code of the entry's nature.")
    kind_label: str = Field(description="The entry's nature in French, for display, e.g. 'frais'.")
    booked_on: date = Field(description="Day the entry is booked on, in the platform's local time.")
    amount: str = Field(description="Euros owed by the provider (payments negative), e.g. '6.75'.")
    request_id: str | None = Field(description="The request of the intervention a fee or an adjustment is about.")
    description: str = Field(description="The entry's line in French, for display, e.g. "
                                         "'5 % de 135,00 € (main-d'œuvre et déplacement, HT)'.")


class AccountOut(BaseModel):
    """The account as its statements show it: what the provider owes, or what the platform holds in its favour."""

    platform_id: str
    provider_id: str
    balance: str = Field(description="What the provider owes the platform, never negative: '0.00' when it owes "
                                     "nothing or is in credit, e.g. '6.75'.")
    credit: str = Field(description="What the platform holds in the provider's favour (payments beyond what was "
                                    "owed, deducted from the next fees), never negative: '0.00' when it owes.")
    position: str = Field(description="The account's position in French, for display, e.g. 'Solde dû : 6,75 €' or "
                                      "'Crédit en faveur du prestataire : 20,00 €'.")
    entries: list[EntryOut]


class Recorded(BaseModel):
    id: str = Field(description="Event id of the payment recorded.")


class TotalLine(BaseModel):
    code: str = Field(description="Which total: fees, memberships, adjustments, charged, paid.")
    label: str = Field(description="Its name in French, for display, e.g. 'Adhésions'.")
    amount: str = Field(description="Euros, e.g. '155.00'.")


class TotalsOut(BaseModel):
    platform_id: str
    year: int = Field(description="Calendar year of the entries' booking days, in the platform's local time.")
    fees: str
    memberships: str
    adjustments: str
    charged: str = Field(description="Fees + memberships + adjustments.")
    paid: str
    accounts: int = Field(description="Accounts with at least one entry in the year.")
    lines: list[TotalLine] = Field(description="The same totals with their French names, in display order.")


@router.get("/accounts/{provider_id}", summary="A provider's account: balance and entries")
async def show_account(platform_id: str, provider_id: str, who: AccountReader, svc: Handlers) -> AccountOut:
    account = await svc.account(platform_id, provider_id)
    entries = [EntryOut(entry_id=e.entry_id, sequence=e.sequence, kind=e.kind, kind_label=label(LEDGER_ENTRY_KINDS, e.kind),
                        booked_on=e.booked_on, amount=money_str(e.amount), request_id=e.request_id,
                        description=e.description)
               for e in account.entries]
    owed, credit = owed_and_credit(account.balance)
    return AccountOut(platform_id=platform_id, provider_id=provider_id, balance=money_str(owed),
                      credit=money_str(credit), position=_position(owed, credit), entries=entries)


def _position(owed: Decimal, credit: Decimal) -> str:
    if credit:
        return ACCOUNT_POSITIONS["credit"].format(amount=french_euros(credit))
    return ACCOUNT_POSITIONS["balance"].format(amount=french_euros(owed)) if owed else ACCOUNT_POSITIONS["settled"]


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
    return Response(statement_csv(issued, svc.policy(platform_id).name), media_type="text/csv; charset=utf-8",
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
    amounts = {"fees": totals.by_kind.get(EntryKind.FEE, ZERO), "memberships": totals.by_kind.get(EntryKind.MEMBERSHIP, ZERO),
               "adjustments": totals.by_kind.get(EntryKind.ADJUSTMENT, ZERO), "charged": totals.charged,
               "paid": totals.paid}
    written = {code: money_str(amount) for code, amount in amounts.items()}
    return TotalsOut(platform_id=platform_id, year=year, **written, accounts=totals.accounts,
                     lines=[TotalLine(code=code, label=YEAR_TOTALS[code], amount=amount) for code, amount in written.items()])
