"""Command and query handlers of the billing service: accounts, payments, statements, yearly totals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from services.billing.domain.commands import IssueStatement, RecordPayment
from services.billing.domain.ledger import (
    LedgerEntry,
    StatementFigures,
    YearTotals,
    period_bounds,
    statement_for,
)
from services.billing.domain.money import ZERO, from_cents, money_str
from services.billing.service_layer.ports import BillingUnitOfWork, IssuedStatementRow, UnitOfWorkFactory
from shared.clock import Clock
from shared.contracts.events.billing import PaymentRecorded, StatementIssued
from shared.errors import DomainError, NotFound
from shared.inputs import ensure_not_future_day
from shared.platforms.loader import policy_of
from shared.platforms.local_time import local_date
from shared.platforms.model import PlatformPolicy
from shared.storage.eventstore import ConcurrencyError

T = TypeVar("T")
ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Account:
    platform_id: str
    provider_id: str
    balance: Decimal
    entries: list[LedgerEntry]


@dataclass(frozen=True, slots=True)
class IssuedStatement:
    statement_id: str
    platform_id: str
    issued_on: date
    figures: StatementFigures


@dataclass
class BillingHandlers:
    """The billing use cases, bound to their dependencies by ``bootstrap``."""

    uow: UnitOfWorkFactory
    policies: Mapping[str, PlatformPolicy]
    clock: Clock

    def policy(self, platform_id: str) -> PlatformPolicy:
        return policy_of(self.policies, platform_id)

    async def account(self, platform_id: str, provider_id: str) -> Account:
        self.policy(platform_id)
        async with self.uow() as uow:
            entries = await self._known_account(uow, platform_id, provider_id)
            balance = await uow.ledger.balance(uow.connection, provider_id)
        return Account(platform_id, provider_id, balance if balance is not None else ZERO, entries)

    async def record_payment(self, cmd: RecordPayment) -> str:
        policy = self.policy(cmd.platform_id)
        payment = PaymentRecorded(provider_id=cmd.provider_id, amount=cmd.amount, paid_on=cmd.paid_on,
                                  method=cmd.method, reference=cmd.reference)

        async def record() -> str:
            async with self.uow() as uow:
                await self._known_account(uow, cmd.platform_id, cmd.provider_id)
                ensure_not_future_day("paid_on", cmd.paid_on, self.clock.now(), policy.zone)
                envelope = await uow.book.append_new(payment, platform_id=cmd.platform_id, actor=cmd.actor,
                                                     occurred_at=self.clock.now())
                await uow.commit()
            return str(envelope.event_id)

        return await _retrying(record)

    async def issue_statement(self, cmd: IssueStatement) -> IssuedStatement:
        """The month's statement; a StatementIssued is recorded the first time, and again only if figures changed."""
        policy = self.policy(cmd.platform_id)
        today = local_date(self.clock.now(), policy.zone)
        if period_bounds(cmd.period)[1] > today:
            raise DomainError("period_not_over", f"Le relevé de {cmd.period} ne peut être émis qu'une fois le mois "
                                                 f"terminé (heure de la plateforme).")
        return await _retrying(lambda: self._issue(cmd, today))

    async def _issue(self, cmd: IssueStatement, today: date) -> IssuedStatement:
        async with self.uow() as uow:
            entries = await self._known_account(uow, cmd.platform_id, cmd.provider_id)
            figures = statement_for(cmd.provider_id, cmd.period, entries)
            issued = await uow.ledger.statements(uow.connection, cmd.provider_id, cmd.period)
            if issued and _same_figures(issued[-1], figures):
                last = issued[-1]
                return IssuedStatement(last.statement_id, cmd.platform_id, last.issued_on, figures)
            statement_id = f"stm-{cmd.period}-{cmd.provider_id}" + (f"-r{len(issued) + 1}" if issued else "")
            event = StatementIssued(
                provider_id=cmd.provider_id, statement_id=statement_id, period=cmd.period, issued_on=today,
                opening_balance=money_str(figures.opening_balance), total_charged=money_str(figures.total_charged),
                total_paid=money_str(figures.total_paid), closing_balance=money_str(figures.closing_balance),
            )
            await uow.book.append_new(event, platform_id=cmd.platform_id, actor=cmd.actor, occurred_at=self.clock.now())
            await uow.commit()
        return IssuedStatement(statement_id, cmd.platform_id, today, figures)

    async def year_totals(self, platform_id: str, year: int) -> YearTotals:
        self.policy(platform_id)
        async with self.uow() as uow:
            return await uow.ledger.year_totals(uow.connection, platform_id, year)

    async def _known_account(self, uow: BillingUnitOfWork, platform_id: str, provider_id: str) -> list[LedgerEntry]:
        """The account's entries; :class:`NotFound` unless the provider is known on ``platform_id``."""
        provider = await uow.state.provider(provider_id)
        entries = await uow.ledger.entries(uow.connection, provider_id)
        platforms = {entry.platform_id for entry in entries} | ({provider.platform_id} if provider else set())
        if platforms != {platform_id}:
            raise NotFound("Compte")
        return entries


def _same_figures(row: IssuedStatementRow, figures: StatementFigures) -> bool:
    return (from_cents(row.opening_cents), from_cents(row.charged_cents), from_cents(row.paid_cents)) == (
        figures.opening_balance, figures.total_charged, figures.total_paid)


async def _retrying(attempt: Callable[[], Awaitable[T]]) -> T:
    """Run ``attempt`` again when another writer appended to the same account first."""
    for remaining in range(ATTEMPTS - 1, -1, -1):
        try:
            return await attempt()
        except ConcurrencyError:
            if remaining == 0:
                raise
    raise AssertionError("unreachable")
