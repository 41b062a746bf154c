"""Deferred writes for rebuilds: many rows per ``executemany``, same statements, same outcome.

:class:`BatchingConnection` holds back two kinds of writes and runs them later, before anything
could observe them (a read, a result looked at, the commit):

- rows the upsert helpers of :mod:`shared.storage.upsert` hand to ``defer_upsert``: one
  ``executemany`` per statement shape;
- single-table INSERT / UPDATE / DELETE statements without RETURNING: run one by one, in order;
  their result is a :class:`DeferredResult` that runs them at once if it is looked at.

Writes to one table keep their order per conflict key (an opaque statement keeps its place
among all of its table's writes); writes to different keys, or to different tables without
foreign keys, do not affect one another, so they may be grouped.

Savepoints are lazy: ``begin_nested()`` only marks the buffer, and a handler that fails drops what
it deferred. Only if a flush happens inside the block is a real SAVEPOINT opened first (and rolled
back if the block fails): exactly what the handler's own SAVEPOINT would have undone. Inside a
savepoint the handler opens itself (it may catch a database error there), nothing is deferred.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Delete, Insert, Table, Update
from sqlalchemy.sql.util import find_tables

from shared.analytics.direct import DirectConnection
from shared.analytics.fastexec import Compiled, compile_insert, execute_many
from shared.analytics.waves import Deferred, group_writes


class DeferredResult:
    """The result of a deferred statement: looking at it runs the pending writes first."""

    def __init__(self, connection: BatchingConnection) -> None:
        self._connection = connection
        self.result: Any = None

    def _resolved(self) -> Any:
        if self.result is None:
            self._connection.flush()
        return self.result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._resolved(), name)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._resolved())


@dataclass(slots=True)
class _Nested:
    mark: int
    savepoint: Any = None


class BatchingConnection(DirectConnection):
    """A :class:`DirectConnection` that defers writes (see the module docstring)."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._pending: list[Deferred] = []
        self._nested: list[_Nested] = []
        self._statements: dict[Hashable, Any] = {}

    def defer_upsert(self, table: Table, key: Sequence[str], row: Mapping[str, Any], shape: Hashable,
                     build: Callable[[], Any]) -> None:
        """Run later: ``build()`` (the statement of this ``shape``, without values) with ``row``."""
        self._pending.append(Deferred(table, tuple(key), shape, build, dict(row)))
        if len(self._nested) > 1:
            self.flush()

    async def execute(self, statement: Any, parameters: Any = None, **options: Any) -> Any:
        table = None if options or len(self._nested) > 1 else _single_table_write(statement)
        if table is None:
            self.flush()
            return self.sync_connection.execute(statement, parameters, **options)
        result = DeferredResult(self)
        self._pending.append(Deferred(table, (), None, lambda: statement, parameters, result))
        return result

    async def scalar(self, statement: Any, parameters: Any = None, **options: Any) -> Any:
        self.flush()
        return self.sync_connection.scalar(statement, parameters, **options)

    async def scalars(self, statement: Any, parameters: Any = None, **options: Any) -> Any:
        self.flush()
        return self.sync_connection.scalars(statement, parameters, **options)

    async def run_sync(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self.flush()
        return fn(self.sync_connection, *args, **kwargs)

    def begin_nested(self) -> _LazyNested:  # type: ignore[override]
        return _LazyNested(self)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[DirectConnection]:
        with self.sync_connection.begin():
            try:
                yield self
                self.flush()
            finally:
                self._pending.clear()

    def flush(self) -> None:
        """Run every deferred write now (inside real savepoints for the open nested blocks)."""
        if not self._pending:
            return
        start = 0
        for nested in self._nested:
            if nested.savepoint is None:
                self._write(self._pending[start:nested.mark])
                start = nested.mark
                nested.savepoint = self.sync_connection.begin_nested()
        pending = self._pending[start:]
        self._pending = []
        for nested in self._nested:
            nested.mark = 0
        self._write(pending)

    def _write(self, writes: list[Deferred]) -> None:
        for group in group_writes(writes):
            first = group[0]
            if first.shape is None:
                first.result.result = self._run(first.build(), first.row)
                continue
            compiled = self._statements.get(first.shape)
            if compiled is None:
                statement = first.build()
                compiled = self._statements[first.shape] = (
                    compile_insert(self.sync_connection, statement, list(first.row)) or statement)
            rows = [write.row for write in group]
            if isinstance(compiled, Compiled):
                execute_many(self.sync_connection, compiled, rows)
            else:
                self.sync_connection.execute(compiled, rows)

    def _run(self, statement: Any, parameters: Any) -> Any:
        """An opaque statement; many rows of one plain INSERT go straight to the driver."""
        if isinstance(parameters, list) and len(parameters) > 1 and all(isinstance(p, dict) for p in parameters):
            columns = list(parameters[0])
            if all(list(p) == columns for p in parameters):
                compiled = compile_insert(self.sync_connection, statement, columns)
                if compiled is not None:
                    return execute_many(self.sync_connection, compiled, parameters)
        return self.sync_connection.execute(statement, parameters)


def _single_table_write(statement: Any) -> Table | None:
    """The table of an INSERT / UPDATE / DELETE that touches no other table and returns nothing."""
    if not isinstance(statement, Insert | Update | Delete) or statement._returning:
        return None
    return _write_target(statement)


@lru_cache(maxsize=4096)
def _write_target(statement: Insert | Update | Delete) -> Table | None:
    """(Statements built once and run many times are looked at once.)"""
    table = statement.table
    if not isinstance(table, Table) or any(found is not table for found in find_tables(statement, include_crud=True)):
        return None
    return table


class _LazyNested:
    def __init__(self, connection: BatchingConnection) -> None:
        self._connection = connection
        self._nested = _Nested(len(connection._pending))

    async def __aenter__(self) -> _LazyNested:
        self._connection._nested.append(self._nested)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        popped = self._connection._nested.pop()
        if popped is not self._nested:
            raise RuntimeError("nested transactions closed out of order")
        if exc_type is None:
            if self._nested.savepoint is not None:
                self._nested.savepoint.commit()
            return
        del self._connection._pending[self._nested.mark:]
        if self._nested.savepoint is not None:
            self._nested.savepoint.rollback()
