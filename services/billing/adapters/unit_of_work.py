"""The billing unit of work: one transaction with the account book, the ledger reads and the state."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from services.billing.adapters.account_book import SqlAccountBook
from services.billing.adapters.ledger import Ledger
from services.billing.adapters.state import SqlBillingState
from shared.storage.unit_of_work import SqlUnitOfWork


class BillingUnitOfWork(SqlUnitOfWork):
    book: SqlAccountBook
    state: SqlBillingState

    def __init__(self, engine: AsyncEngine, metadata: MetaData, ledger: Ledger, *, topic_prefix: str = "",
                 on_commit: Callable[[], object] | None = None) -> None:
        super().__init__(engine, metadata, topic_prefix=topic_prefix, on_commit=on_commit)
        self.ledger = ledger
        self._billing_metadata = metadata
        self._billing_prefix = topic_prefix

    def _open(self) -> None:
        self.book = SqlAccountBook(self.connection, self._billing_metadata, self.ledger, self._billing_prefix)
        self.state = SqlBillingState(self.connection, self._billing_metadata)
