"""Statements compiled once and run straight on the ``sqlite3`` driver, for rebuilds.

SQLAlchemy costs ~50 us a statement (cache key, parameter processing, result set-up), where
SQLite itself answers a point query or upsert in a few. Projections build their statements once
and run them with parameters; :class:`DriverConnection` compiles such a statement the second
time it sees it, into a :class:`Plan`: the SQL string, where each positional value comes from
(a parameter of the call, or a value fixed in the statement) and the bind processors of the
columns' types. Rows read come back through the columns' result processors. So the SQL sent
and the values bound are exactly those SQLAlchemy would send. A statement a plan cannot express
(Python-side defaults, expanding IN lists, textual SQL without typed columns, options) and
statements seen once go through SQLAlchemy.

Savepoints are ``SAVEPOINT`` s on the driver.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

from sqlalchemy import Connection
from sqlalchemy.engine.result import IteratorResult, SimpleResultMetaData
from sqlalchemy.sql import ClauseElement, TextClause
from sqlalchemy.sql.base import Executable

from relais.replay.direct import DirectConnection, DirectWriter

SEEN_ONCE_LIMIT = 1024
PLANS_LIMIT = 4096


@dataclass(frozen=True)
class Plan:
    """A compiled statement: ``sources[i]`` is a parameter key, or ``fixed[i]`` the value to bind."""

    statement: Any
    sql: str
    sources: tuple[str | None, ...]
    fixed: tuple[Any, ...]
    processors: tuple[Any, ...]
    keys: tuple[str, ...] | None
    result_processors: tuple[Any, ...]

    def values(self, parameters: Mapping[str, Any]) -> Sequence[Any]:
        """The positional values to bind for ``parameters``."""
        values = self.pick(parameters)
        for index, processor in self.processing:
            values[index] = processor(values[index])
        return values

    @cached_property
    def processing(self) -> tuple[tuple[int, Any], ...]:
        return tuple((index, processor) for index, processor in enumerate(self.processors) if processor is not None)

    @cached_property
    def pick(self) -> Callable[[Mapping[str, Any]], list[Any]]:
        """Takes the values out of the parameters (one C-level call when none is fixed)."""
        sources, fixed = self.sources, self.fixed
        if len(sources) > 1 and None not in sources:
            getter = itemgetter(*sources)
            return lambda parameters: list(getter(parameters))
        return lambda parameters: [parameters[source] if source is not None else value
                                   for source, value in zip(sources, fixed, strict=True)]


def compile_plan(connection: Connection, statement: Any, keys: Sequence[str], many: bool) -> Plan | None:
    """The :class:`Plan` of ``statement`` run with parameters named ``keys``, or None if it needs SQLAlchemy."""
    if not isinstance(statement, ClauseElement) or not isinstance(statement, Executable) or isinstance(statement, TextClause):
        return None
    compiled: Any = statement.compile(dialect=connection.dialect, column_keys=list(keys), for_executemany=many)
    if (compiled.positiontup is None or compiled.insert_prefetch or compiled.update_prefetch
            or compiled.literal_execute_params or compiled.post_compile_params):
        return None
    processors = getattr(compiled, "_bind_processors", None)
    if processors is None:
        return None
    sources: list[str | None] = []
    fixed: list[Any] = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        if bind.expanding:
            return None
        if bind.key in keys:
            sources.append(bind.key)
            fixed.append(None)
        elif bind.callable is None and not bind.required:
            sources.append(None)
            fixed.append(bind.value)
        else:
            return None
    result_keys, result_processors = None, ()
    if compiled._result_columns:
        result_keys = tuple(column.keyname for column in compiled._result_columns)
        result_processors = tuple(column.type._cached_result_processor(connection.dialect, None)
                                  for column in compiled._result_columns)
    return Plan(statement, compiled.string, tuple(sources), tuple(fixed),
                tuple(processors.get(name) for name in compiled.positiontup), result_keys, result_processors)


class DriverNested:
    """``async with conn.begin_nested():`` as a driver-level SAVEPOINT."""

    def __init__(self, driver: Any) -> None:
        self._driver = driver
        self._name = "rebuild_savepoint"

    async def __aenter__(self) -> DriverNested:
        self._driver.execute(f"SAVEPOINT {self._name}")
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        if exc_type is not None:
            self._driver.execute(f"ROLLBACK TO {self._name}")
        self._driver.execute(f"RELEASE {self._name}")


class DriverConnection(DirectConnection):
    """A :class:`DirectConnection` that runs repeated statements through their :class:`Plan`.

    Plans are kept per dialect for the life of the process (projections build a bounded set of
    statements once); statements seen once are remembered in a bounded list only.
    """

    _plans: ClassVar[dict[tuple[int, tuple[str, ...], bool, str], tuple[Any, Plan | None]]] = {}
    _seen_once: ClassVar[OrderedDict[int, Any]] = OrderedDict()

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._driver: Any = connection.connection.driver_connection

    async def execute(self, statement: Any, parameters: Any = None, **options: Any) -> Any:
        if options:
            return self.sync_connection.execute(statement, parameters, **options)
        if parameters is None or type(parameters) is dict:
            keys = tuple(parameters or ())
            plan = self._plan(statement, keys, False)
            if plan is None:
                return self.sync_connection.execute(statement, parameters)
            cursor = self._driver.execute(plan.sql, plan.values(parameters or {}))
            return cursor if plan.keys is None else _result(plan, cursor.fetchall())
        if isinstance(parameters, list) and parameters and all(type(row) is dict for row in parameters):
            keys = tuple(parameters[0])
            plan = self._plan(statement, keys, True)
            if plan is not None and plan.keys is None and all(tuple(row) == keys for row in parameters):
                return self._driver.executemany(plan.sql, [plan.values(row) for row in parameters])
        return self.sync_connection.execute(statement, parameters)

    async def scalar(self, statement: Any, parameters: Any = None, **options: Any) -> Any:
        return (await self.execute(statement, parameters, **options)).scalar()

    async def scalars(self, statement: Any, parameters: Any = None, **options: Any) -> Any:
        return (await self.execute(statement, parameters, **options)).scalars()

    def begin_nested(self) -> DriverNested:  # type: ignore[override]
        return DriverNested(self._driver)

    def _plan(self, statement: Any, keys: tuple[str, ...], many: bool) -> Plan | None:
        cache_key = (id(statement), keys, many, self.dialect.name)
        cached = self._plans.get(cache_key)
        if cached is not None and cached[0] is statement:
            return cached[1]
        if self._seen_once.get(id(statement)) is not statement:
            self._seen_once[id(statement)] = statement
            if len(self._seen_once) > SEEN_ONCE_LIMIT:
                self._seen_once.popitem(last=False)
            return None
        plan = compile_plan(self.sync_connection, statement, keys, many)
        if len(self._plans) >= PLANS_LIMIT:
            del self._plans[next(iter(self._plans))]
        self._plans[cache_key] = (statement, plan)
        return plan


def _result(plan: Plan, rows: list[tuple[Any, ...]]) -> IteratorResult:
    processors = plan.result_processors
    if any(processor is not None for processor in processors):
        rows = [tuple(value if processor is None else processor(value)
                      for value, processor in zip(row, processors, strict=True)) for row in rows]
    return IteratorResult(SimpleResultMetaData(plan.keys or ()), iter(rows))


def driver_writer(path: Path | str) -> DirectWriter:
    """The rebuild writer of a fresh SQLite file, through :class:`DriverConnection` s."""
    return DirectWriter(path, DriverConnection)

