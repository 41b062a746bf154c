"""Portable upserts for projections (SQLite and PostgreSQL both speak ON CONFLICT).

Their writes may wait for the end of the handler's batch (see :mod:`shared.storage.deferred`).
Each statement is built once per shape (dialect, table, key, columns) and run with the row as its
parameters: building an upsert costs far more than running it, and SQLAlchemy memoizes the cache
key of a statement object it has seen before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, bindparam, case, or_, update
from sqlalchemy.dialects import postgresql, sqlite

from shared.storage.deferred import write
from shared.storage.ports import ProjectionConnection


def insert_for(conn: ProjectionConnection, table: Table) -> Any:
    return insert_of(conn.dialect.name, table)


def insert_of(dialect: str, table: Table) -> Any:
    """An INSERT on ``table`` that accepts ``on_conflict_do_*`` in ``dialect`` ("sqlite" or "postgresql")."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for {dialect}")


@lru_cache(maxsize=1024)
def _excluded_of(dialect: str, table: Table) -> Any:
    return insert_of(dialect, table).excluded


@lru_cache(maxsize=4096)
def _increment_statement(dialect: str, table: Table, key: tuple[str, ...], amounts: tuple[str, ...]) -> Any:
    new = _excluded_of(dialect, table)
    return insert_of(dialect, table).on_conflict_do_update(
        index_elements=list(key), set_={name: table.c[name] + new[name] for name in amounts})


@lru_cache(maxsize=4096)
def _latest_statement(dialect: str, table: Table, key: tuple[str, ...], columns: tuple[str, ...],
                      always: tuple[str, ...], stamp: str) -> Any:
    new = _excluded_of(dialect, table)
    newer = or_(table.c[stamp].is_(None), new[stamp] >= table.c[stamp])
    changes = {name: new[name] if name in always else case((newer, new[name]), else_=table.c[name])
               for name in columns if name not in key}
    return insert_of(dialect, table).on_conflict_do_update(index_elements=list(key), set_=changes)


@lru_cache(maxsize=4096)
def _upsert_statement(dialect: str, table: Table, key: tuple[str, ...], columns: tuple[str, ...]) -> Any:
    others = {name: _excluded_of(dialect, table)[name] for name in columns if name not in key}
    statement = insert_of(dialect, table)
    if others:
        return statement.on_conflict_do_update(index_elements=list(key), set_=others)
    return statement.on_conflict_do_nothing(index_elements=list(key))


async def increment(conn: ProjectionConnection, table: Table, key: Mapping[str, Any],
                    amounts: Mapping[str, int | Any]) -> None:
    """Add ``amounts`` to the counters of the row ``key``, creating it with those amounts."""
    statement = _increment_statement(conn.dialect.name, table, tuple(key), tuple(amounts))
    await write(conn, statement, {**key, **amounts}, table, key=tuple(key))


async def upsert_latest(conn: ProjectionConnection, table: Table, row: Mapping[str, Any], *, key: Sequence[str],
                        always: Sequence[str] = (), stamp: str = "status_at") -> None:
    """Upsert where the columns not in ``always`` change only if ``row[stamp]`` is not older than the stored one.

    For read models fed by several topics, whose events arrive in no global order: a late event
    fills in what it knows without undoing a newer status.
    """
    statement = _latest_statement(conn.dialect.name, table, tuple(key), tuple(row), tuple(always), stamp)
    await write(conn, statement, row, table, key=key)


async def upsert(conn: ProjectionConnection, table: Table, row: Mapping[str, Any], key: Sequence[str]) -> None:
    """Insert ``row`` or overwrite the existing row with the same ``key`` columns."""
    await write(conn, _upsert_statement(conn.dialect.name, table, tuple(key), tuple(row)), row, table, key=key)


@lru_cache(maxsize=4096)
def _insert_new_statement(dialect: str, table: Table, key: tuple[str, ...]) -> Any:
    return insert_of(dialect, table).on_conflict_do_nothing(index_elements=list(key))


async def insert_new(conn: ProjectionConnection, table: Table, row: Mapping[str, Any], key: Sequence[str]) -> None:
    """Insert ``row`` unless a row with the same ``key`` columns exists (then change nothing)."""
    await write(conn, _insert_new_statement(conn.dialect.name, table, tuple(key)), row, table, key=key)


@lru_cache(maxsize=4096)
def _update_statement(table: Table, match: tuple[str, ...]) -> Any:
    return update(table).where(*(table.c[name] == bindparam(f"match_{name}") for name in match))


async def update_where(conn: ProjectionConnection, table: Table, match: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    """Set ``values`` on the rows whose columns equal ``match`` (the statement is built once per shape)."""
    await write(conn, _update_statement(table, tuple(match)),
                {**{f"match_{name}": value for name, value in match.items()}, **values}, table)


@lru_cache(maxsize=1024)
def plain_insert(table: Table) -> Any:
    """``table.insert()`` built once: run it with the row (or rows) as parameters."""
    return table.insert()
