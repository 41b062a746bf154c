"""Order-independent checksums of tables, to compare a rebuilt projection with the live one.

Each row is normalised (datetimes to naive UTC, naive ones taken as UTC; decimals without
trailing zeros; floats to 12 significant digits, since a sum of shares depends on the order of its
terms, e.g. when a rebuild shared out by partition adds up its parts; booleans, integers, text and
bytes as such), serialised as the list of its values in the order of the column names, and hashed
with XXH3 (128 bits: a checksum against mistakes, not against forgery); a table's digest is the sum of its rows' hashes modulo 2**128, so neither
row order nor the backend's storage format matters, while a changed, missing or repeated row does.

Rows are read as plain tuples, a chunk at a time, and only the columns whose type needs it are
normalised: the comparison costs a small part of the rebuild it checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, String, Table, Time, inspect, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from xxhash import xxh3_128_intdigest

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
        return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, date):
        return value
    if isinstance(value, time):
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
    return xxh3_128_intdigest(orjson.dumps(values, option=orjson.OPT_NON_STR_KEYS))


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
    sqlite = conn.dialect.name == "sqlite"
    selected: list[Any] = []
    normalisers: list[Callable[[Any], Any] | None] = []
    for column in columns:
        moment = _moment_type(column.type)
        if sqlite and moment is not None:
            selected.append(type_coerce(column, String()))
            normalisers.append(_text_moment(moment))
        else:
            selected.append(column)
            normalisers.append(None if isinstance(column.type, _AS_IS) else normalise)
    active = [(index, function) for index, function in enumerate(normalisers) if function is not None]
    total, count = 0, 0
    result = await conn.stream(select(*selected))
    async for rows in result.partitions(STREAM_CHUNK):
        for row in rows:
            values = list(row)
            for index, function in active:
                if values[index] is not None:
                    values[index] = function(values[index])
            total += values_hash(values)
        count += len(rows)
    return TableChecksum(table.name, count, f"{total % MODULUS:032x}")


def _moment_type(column_type: Any) -> type | None:
    """datetime, date or time for a column of that kind (through a TypeDecorator too), else None."""
    impl = getattr(column_type, "impl", column_type)
    for kind, moment in ((DateTime, datetime), (Date, date), (Time, time)):
        if isinstance(impl, kind):
            return moment
    return None


def _text_moment(kind: type) -> Callable[[Any], Any]:
    """Normalises a moment SQLite keeps as text (read as such: parsing it once here is cheaper than
    SQLAlchemy's result processing followed by :func:`normalise`)."""
    parse = kind.fromisoformat  # type: ignore[attr-defined]

    def normalised(value: Any) -> Any:
        moment = parse(value) if isinstance(value, str) else value
        return moment if type(moment) is kind and getattr(moment, "tzinfo", None) is None else normalise(moment)

    return normalised


async def checksums(engine: AsyncEngine, metadata: MetaData, tables: Iterable[str]) -> dict[str, TableChecksum]:
    return {name: await table_checksum(engine, metadata.tables[name]) for name in tables}
