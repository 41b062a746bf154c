"""The ledger tables: written from billing events, read for accounts, statements and totals.

:meth:`Ledger.record` is the only writer. It runs in the transaction that appends the billing
event (fee process manager, payment and statement commands) and, for a rebuild, in the ledger
projection over the billing topic; an event already recorded is skipped, so both paths agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import MetaData, Table, bindparam, distinct, func, select

from services.billing.domain.ledger import EntryKind, LedgerEntry, YearTotals, entry_of
from services.billing.domain.money import from_cents, to_cents
from shared.contracts.envelope import Envelope
from shared.contracts.events.billing import FeeBasis, PaymentMethod, StatementIssued
from shared.storage.ports import ProjectionConnection
from shared.storage.upsert import insert_new, insert_of, plain_insert


class Ledger:
    def __init__(self, metadata: MetaData, zones: Mapping[str, ZoneInfo]) -> None:
        self._entries = metadata.tables["ledger_entries"]
        self._accounts = metadata.tables["accounts"]
        self._statements = metadata.tables["statements"]
        self._zones = dict(zones)

    def zone(self, platform_id: str) -> ZoneInfo:
        try:
            return self._zones[platform_id]
        except KeyError:
            raise LookupError(f"no time zone known for platform {platform_id!r}") from None

    async def record(self, conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        """Apply one billing event to the ledger (idempotent on the event id)."""
        if isinstance(envelope.payload, StatementIssued):
            await self._record_statement(conn, envelope)
            return
        entry = entry_of(envelope, self.zone(envelope.platform_id))
        if entry is None or await self._exists(conn, entry.entry_id):
            return
        await conn.execute(plain_insert(self._entries), _row_of(entry))
        await conn.execute(_add_to_account(conn.dialect.name, self._accounts), {
            "provider_id": entry.provider_id, "platform_id": entry.platform_id,
            "balance_cents": to_cents(entry.amount), "entries": 1,
        })

    async def _exists(self, conn: ProjectionConnection, entry_id: str) -> bool:
        found = await conn.execute(_entry_lookup(self._entries), {"wanted_entry": entry_id})
        return found.first() is not None

    async def _record_statement(self, conn: ProjectionConnection, envelope: Envelope[StatementIssued]) -> None:
        event = envelope.payload
        await insert_new(conn, self._statements, {
            "event_id": str(envelope.event_id), "statement_id": event.statement_id, "platform_id": envelope.platform_id,
            "provider_id": event.provider_id, "period": event.period, "issued_on": event.issued_on,
            "opening_cents": to_cents(Decimal(event.opening_balance)), "charged_cents": to_cents(Decimal(event.total_charged)),
            "paid_cents": to_cents(Decimal(event.total_paid)), "closing_cents": to_cents(Decimal(event.closing_balance)),
        }, key=["event_id"])

    async def balance(self, conn: ProjectionConnection, provider_id: str) -> Decimal | None:
        """The account's balance; ``None`` when it has no entry yet."""
        found = await conn.execute(select(self._accounts.c.balance_cents).where(self._accounts.c.provider_id == provider_id))
        cents = found.scalar()
        return None if cents is None else from_cents(cents)

    async def entries(self, conn: ProjectionConnection, provider_id: str) -> list[LedgerEntry]:
        """Every entry of the account, in the order they were recorded."""
        table = self._entries
        rows = await conn.execute(select(table).where(table.c.provider_id == provider_id).order_by(table.c.sequence))
        return [_entry_of(row) for row in rows]

    async def statements(self, conn: ProjectionConnection, provider_id: str, period: str) -> list[Any]:
        """Statements already issued for the account and month, oldest first."""
        table = self._statements
        rows = await conn.execute(select(table).where(table.c.provider_id == provider_id, table.c.period == period))
        return sorted(rows, key=lambda row: (len(row.statement_id), row.statement_id))

    async def year_totals(self, conn: ProjectionConnection, platform_id: str, year: int) -> YearTotals:
        table = self._entries
        in_year = (table.c.platform_id == platform_id, table.c.booked_on >= date(year, 1, 1),
                   table.c.booked_on < date(year + 1, 1, 1))
        sums = await conn.execute(select(table.c.kind, func.sum(table.c.amount_cents)).where(*in_year).group_by(table.c.kind))
        accounts = await conn.execute(select(func.count(distinct(table.c.provider_id))).where(*in_year))
        by_kind = {EntryKind(kind): from_cents(cents) for kind, cents in sums}
        return YearTotals(platform_id, year, by_kind, accounts.scalar_one())


def _row_of(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "entry_id": entry.entry_id, "platform_id": entry.platform_id, "provider_id": entry.provider_id,
        "sequence": entry.sequence, "kind": entry.kind.value, "booked_on": entry.booked_on,
        "amount_cents": to_cents(entry.amount), "request_id": entry.request_id,
        "basis": entry.basis.value if entry.basis else None, "rate": None if entry.rate is None else str(entry.rate),
        "base_cents": None if entry.base_amount is None else to_cents(entry.base_amount),
        "hours_hundredths": None if entry.hours is None else to_cents(entry.hours), "year": entry.year,
        "method": entry.method.value if entry.method else None, "note": entry.note,
    }


def _entry_of(row: Any) -> LedgerEntry:
    return LedgerEntry(
        row.entry_id, row.platform_id, row.provider_id, row.sequence, EntryKind(row.kind), row.booked_on,
        from_cents(row.amount_cents), row.request_id, basis=FeeBasis(row.basis) if row.basis else None,
        rate=None if row.rate is None else Decimal(row.rate),
        base_amount=None if row.base_cents is None else from_cents(row.base_cents),
        hours=None if row.hours_hundredths is None else from_cents(row.hours_hundredths), year=row.year,
        method=PaymentMethod(row.method) if row.method else None, note=row.note,
    )


@lru_cache(maxsize=16)
def _entry_lookup(entries: Table) -> Any:
    return select(entries.c.entry_id).where(entries.c.entry_id == bindparam("wanted_entry"))


@lru_cache(maxsize=16)
def _add_to_account(dialect: str, accounts: Table) -> Any:
    """Create the account with the entry, or add the entry to its balance (built once per dialect)."""
    statement = insert_of(dialect, accounts)
    return statement.on_conflict_do_update(
        index_elements=[accounts.c.provider_id],
        set_={"balance_cents": accounts.c.balance_cents + statement.excluded.balance_cents,
              "entries": accounts.c.entries + 1})
