"""The storage ports every service's ``service_layer/ports.py`` builds on, as :class:`typing.Protocol`\\ s.

- :class:`EventLog`: an aggregate's events, appended with optimistic concurrency and loaded in order
  (:class:`~shared.storage.eventstore.EventStore`, or a fake);
- :class:`UnitOfWork`: one transaction around a command (:class:`~shared.storage.unit_of_work.SqlUnitOfWork`);
- :class:`ProjectionConnection`: what a projection handler may do with the batch's connection. The
  runner hands it a SQLAlchemy ``AsyncConnection`` or a stand-in with the same surface:
  :class:`~shared.storage.deferred.DeferredWrites` (writes grouped until the batch ends),
  :class:`~relais.replay.direct.DirectConnection` and :class:`~relais.replay.driver.DriverConnection`
  (replay's synchronous connections);
- :class:`BatchDatabase` and :class:`BatchConnection`: where the runner writes a batch (an ``AsyncEngine``,
  or a replay's :class:`~relais.replay.direct.DirectWriter`) and the connection it opens the batch's
  transaction on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from sqlalchemy.engine import Dialect

from shared.contracts.envelope import Envelope

T = TypeVar("T")


class EventLog(Protocol):
    """The event store as the service layer sees it."""

    async def append(self, envelopes: Sequence[Envelope[Any]]) -> None:
        """Append events; a version already taken raises :class:`~shared.storage.eventstore.ConcurrencyError`."""
        ...

    async def load(self, aggregate_type: str, aggregate_id: str) -> list[Envelope[Any]]:
        """The aggregate's events, oldest first (empty if it has none)."""
        ...


class UnitOfWork(Protocol):
    """``async with uow:`` opens one transaction; only :meth:`commit` makes what was written durable."""

    @property
    def events(self) -> EventLog: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None: ...

    async def commit(self) -> None: ...


class ProjectionConnection(Protocol):
    """The part of SQLAlchemy's ``AsyncConnection`` that projection handlers and their adapters use."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, statement: Any, parameters: Any = None) -> Any: ...

    async def scalar(self, statement: Any, parameters: Any = None) -> Any: ...

    async def scalars(self, statement: Any, parameters: Any = None) -> Any: ...

    async def run_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T: ...

    def begin_nested(self) -> AbstractAsyncContextManager[Any]: ...


class BatchConnection(ProjectionConnection, Protocol):
    """The connection a batch is written on: the handlers' surface, plus the batch's own write transaction
    (:func:`~shared.storage.engine.write_transaction`)."""

    async def execution_options(self, **options: Any) -> Any: ...

    def begin(self) -> AbstractAsyncContextManager[Any]: ...


class BatchDatabase(Protocol):
    """Where :func:`~shared.messaging.batches.apply_decoded` writes a batch: ``connect()`` as ``AsyncEngine`` has it."""

    def connect(self) -> AbstractAsyncContextManager[BatchConnection]: ...
