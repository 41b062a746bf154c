"""Order-independent checksums of tables, to compare a rebuilt projection with the live one.

Each row is normalised (datetimes to UTC ISO text, naive ones taken as UTC; decimals without
trailing zeros; floats to 12 significant digits, since a sum of shares depends on the order of its
terms, e.g. when a rebuild shared out by partition adds up its parts; booleans, integers, text and
bytes as such), serialised as the list of its values in the order of the column names, and hashed
with BLAKE2b (128 bits); a table's digest is the sum of its rows' hashes modulo 2**128, so neither
row order nor the backend's storage format matters, while a changed, missing or repeated row does.

Rows are read as plain tuples, a chunk at a time, and only the columns whose type needs it are
normalised: the comparison costs a small part of the rebuild it checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from hashlib import blake2b
from typing import Any

import orjson
from sqlalchemy import Boolean, Integer, MetaData, String, Table, inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

MODULUS = 2**128
STREAM_CHUNK = 10_000
FLOAT_DIGITS = 12
_AS_IS = (String, Integer, Boolean)


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
    if isinstance(value, float):
        rounded = float(f"{value:.{FLOAT_DIGITS}g}")
        return int(rounded) if rounded.is_integer() else rounded
    return value


def values_hash(values: Sequence[Any]) -> int:
    """The hash of a row's normalised values, in the order of its column names."""
    return int.from_bytes(blake2b(orjson.dumps(values, option=orjson.OPT_NON_STR_KEYS), digest_size=16).digest(), "big")


def row_hash(row: Mapping[str, Any]) -> int:
    return values_hash([normalise(row[name]) for name in sorted(row)])


def combine(rows: Iterable[Mapping[Any, Any]]) -> tuple[int, str]:
    total, count = 0, 0
    for row in rows:
        total += row_hash(row)
        count += 1
    return count, f"{total % MODULUS:032x}"


async def table_checksum(engine: AsyncEngine, table: Table) -> TableChecksum:
    """The checksum of ``table`` in ``engine``'s database (``present=False`` when the table is missing)."""
    async with engine.connect() as conn:
        return await checksum_in(conn, table)


async def checksum_in(conn: AsyncConnection, table: Table) -> TableChecksum:
    """:func:`table_checksum` read through ``conn`` (within its transaction, hence its snapshot)."""
    names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    if table.name not in names:
        return TableChecksum(table.name, 0, "", present=False)
    columns = sorted(table.columns, key=lambda column: column.name)
    normalised = [index for index, column in enumerate(columns) if not isinstance(column.type, _AS_IS)]
    total, count = 0, 0
    result = await conn.stream(select(*columns))
    async for rows in result.partitions(STREAM_CHUNK):
        for row in rows:
            values = list(row)
            for index in normalised:
                if values[index] is not None:
                    values[index] = normalise(values[index])
            total += values_hash(values)
        count += len(rows)
    return TableChecksum(table.name, count, f"{total % MODULUS:032x}")


async def checksums(engine: AsyncEngine, metadata: MetaData, tables: Iterable[str]) -> dict[str, TableChecksum]:
    return {name: await table_checksum(engine, metadata.tables[name]) for name in tables}
