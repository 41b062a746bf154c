"""Portable upserts for projections (SQLite and PostgreSQL both speak ON CONFLICT)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def _insert(conn: AsyncConnection, table: Table) -> Any:
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for {dialect}")


async def increment(conn: AsyncConnection, table: Table, key: Mapping[str, Any],
                    amounts: Mapping[str, int | Any]) -> None:
    """Add ``amounts`` to the counters of the row ``key``, creating it with those amounts."""
    statement = _insert(conn, table).values({**key, **amounts})
    statement = statement.on_conflict_do_update(
        index_elements=list(key), set_={name: table.c[name] + statement.excluded[name] for name in amounts}
    )
    await conn.execute(statement)


async def upsert(conn: AsyncConnection, table: Table, row: Mapping[str, Any], key: Sequence[str]) -> None:
    """Insert ``row`` or overwrite the existing row with the same ``key`` columns."""
    statement = _insert(conn, table).values(dict(row))
    others = {name: statement.excluded[name] for name in row if name not in key}
    statement = statement.on_conflict_do_update(index_elements=list(key), set_=others) if others else \
        statement.on_conflict_do_nothing(index_elements=list(key))
    await conn.execute(statement)
