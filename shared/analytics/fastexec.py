"""``executemany`` of one INSERT over many rows, straight to the driver once compiled.

SQLAlchemy's own ``executemany`` rebuilds every row's parameters through its generic machinery
(~15 us a row here). For an INSERT whose only bound values are the inserted columns (upserts
included: ``ON CONFLICT ... DO UPDATE SET x = excluded.x`` binds nothing more), the statement is
compiled once and each row becomes a tuple run through the columns' own bind processors (type
decorators, SQLite's date formats), exactly what SQLAlchemy would send. Anything else, e.g.
Python-side column defaults to compute or bound values elsewhere in the statement, goes through
SQLAlchemy as usual.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Insert


@dataclass(frozen=True)
class Compiled:
    sql: str
    keys: tuple[str, ...]
    processors: tuple[Any, ...]


def compile_insert(connection: Connection, statement: Any, columns: Sequence[str]) -> Compiled | None:
    """The driver-level form of ``statement`` for rows of ``columns``, or None if it needs SQLAlchemy."""
    if not isinstance(statement, Insert) or statement._returning or statement._values or statement._multi_values:
        return None
    compiled: Any = statement.compile(dialect=connection.dialect, column_keys=list(columns), for_executemany=True)
    names = compiled.positiontup
    if names is None or compiled.insert_prefetch or compiled.postfetch or set(names) != set(columns):
        return None
    if any(compiled.binds[name].key != name for name in names):
        return None
    processors = getattr(compiled, "_bind_processors", None)
    if processors is None:
        return None
    return Compiled(compiled.string, tuple(names), tuple(processors.get(name) for name in names))


def execute_many(connection: Connection, compiled: Compiled, rows: Sequence[Mapping[str, Any]]) -> Any:
    keys, processors = compiled.keys, compiled.processors
    tuples = [tuple(value if processor is None else processor(value)
                    for value, processor in zip([row[key] for key in keys], processors, strict=True))
              for row in rows]
    return connection.exec_driver_sql(compiled.sql, tuples)
