"""Order-independent checksums of tables, to compare a rebuilt projection with the live one.

Each row is normalised (datetimes to UTC ISO text, naive ones taken as UTC; decimals without
trailing zeros; booleans, numbers, text and bytes as such), serialised with its column names, and
hashed with SHA-256; a table's digest is the sum of its rows' hashes modulo 2**256, so neither row
order nor the backend's storage format matters, while a changed, missing or repeated row does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import MetaData, Table, inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

MODULUS = 2**256
STREAM_CHUNK = 5000


@dataclass(frozen=True)
class TableChecksum:
    table: str
    rows: int
    digest: str
    present: bool = True

    def same_as(self, other: TableChecksum) -> bool:
        return (self.present, self.rows, self.digest) == (other.present, other.rows, other.digest)


def normalise(value: Any) -> Any:
    """A JSON-able form of ``value`` that is equal for equal values on every backend."""
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def row_hash(row: Mapping[str, Any]) -> int:
    document = orjson.dumps({name: normalise(value) for name, value in row.items()},
                            option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return int.from_bytes(hashlib.sha256(document).digest(), "big")


def combine(rows: Iterable[Mapping[Any, Any]]) -> tuple[int, str]:
    total, count = 0, 0
    for row in rows:
        total = (total + row_hash(row)) % MODULUS
        count += 1
    return count, f"{total:064x}"


async def table_checksum(engine: AsyncEngine, table: Table) -> TableChecksum:
    """The checksum of ``table`` in ``engine``'s database (``present=False`` when the table is missing)."""
    async with engine.connect() as conn:
        return await checksum_in(conn, table)


async def checksum_in(conn: AsyncConnection, table: Table) -> TableChecksum:
    """:func:`table_checksum` read through ``conn`` (within its transaction, hence its snapshot)."""
    names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    if table.name not in names:
        return TableChecksum(table.name, 0, "", present=False)
    total, count = 0, 0
    result = await conn.stream(select(table))
    async for partition in result.mappings().partitions(STREAM_CHUNK):
        rows, digest = combine(partition)
        count += rows
        total = (total + int(digest, 16)) % MODULUS
    return TableChecksum(table.name, count, f"{total:064x}")


async def checksums(engine: AsyncEngine, metadata: MetaData, tables: Iterable[str]) -> dict[str, TableChecksum]:
    return {name: await table_checksum(engine, metadata.tables[name]) for name in tables}
