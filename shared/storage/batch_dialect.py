"""Everything set-based projections say differently to SQLite and to PostgreSQL, in one place.

A set-based projection (:mod:`shared.messaging.set_based`) writes its SQL once, over a table of the
batch's events staged by the runner, and asks a :class:`BatchDialect` for the few expressions the
two databases spell differently: reading a field of an event's JSON payload (SQLite's
``json_extract``, PostgreSQL's ``jsonb`` operators), the elements of a JSON array as rows, the
staged table's DDL (a ``TEMP`` table; on PostgreSQL also truncated at commit) and the statement that
stages rows. Everything else (``INSERT ... SELECT ... ON CONFLICT DO UPDATE``, ``UPDATE ... FROM``,
window functions, ``WITH RECURSIVE``) is spelt the same by both. So do the runner's lists of event
ids sent as one parameter (:func:`id_rows`): a JSON array read by ``json_each``, or an array ``unnest``-ed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

DIALECTS = ("sqlite", "postgresql")

STAGED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("seq", "integer"), ("event_id", "text"), ("event_type", "text"), ("topic", "text"), ("partition", "integer"),
    ("record_offset", "bigint"), ("occurred_at", "timestamp"), ("platform_id", "text"), ("aggregate_id", "text"),
    ("aggregate_version", "integer"), ("actor", "text"), ("payload", "json"),
)
"""The columns every staged event has (``seq``: its rank among the batch's new events, the order a
handler would have applied them in), before the projection's own computed columns."""


@dataclass(frozen=True)
class BatchDialect:
    """The SQL spellings of one database (``name``: "sqlite" or "postgresql") for the staged table ``staged``.

    JSON paths are dotted field names of the payload (``"activity"``, ``"contact.commune"``); ``source``
    is the alias the statement gave the staged table (``e`` by default).
    """

    name: str
    staged: str

    def __post_init__(self) -> None:
        if self.name not in DIALECTS:
            raise NotImplementedError(f"set-based projections run on SQLite and PostgreSQL, not {self.name}")

    @property
    def postgresql(self) -> bool:
        return self.name == "postgresql"

    @property
    def clears_at_commit(self) -> bool:
        """Whether the commit empties the temporary tables (PostgreSQL's ``ON COMMIT DELETE ROWS``)."""
        return self.postgresql

    def text(self, path: str, source: str = "e") -> str:
        """The payload field at ``path`` as text (NULL when absent or null)."""
        if self.postgresql:
            parts = path.split(".")
            if len(parts) == 1:
                return f"({source}.payload ->> '{path}')"
            return f"({source}.payload #>> '{{{','.join(parts)}}}')"
        return f"json_extract({source}.payload, '$.{path}')"

    def integer(self, path: str, source: str = "e") -> str:
        """The payload field at ``path`` as an integer."""
        return f"CAST({self.text(path, source)} AS BIGINT)" if self.postgresql else self.text(path, source)

    def number(self, path: str, source: str = "e") -> str:
        """The payload field at ``path`` as a double-precision number."""
        return f"CAST({self.text(path, source)} AS DOUBLE PRECISION)" if self.postgresql else self.text(path, source)

    def boolean(self, path: str, source: str = "e") -> str:
        """The payload field at ``path`` as 1 (true) or 0 (false)."""
        if self.postgresql:
            return f"(CASE {self.text(path, source)} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)"
        return self.text(path, source)

    def array_length(self, path: str, source: str = "e") -> str:
        """The number of elements of the payload's JSON array at ``path``."""
        if self.postgresql:
            return f"jsonb_array_length({source}.payload -> '{path}')"
        return f"json_array_length({source}.payload, '$.{path}')"

    def document(self, path: str, source: str = "e") -> str:
        """The JSON document (object or array) at ``path`` of the payload, for :meth:`elements_of`."""
        if self.postgresql:
            return f"({source}.payload -> '{path}')"
        return f"json_extract({source}.payload, '$.{path}')"

    def elements(self, path: str, alias: str, source: str = "e") -> str:
        """A FROM item, placed after ``source`` in the same FROM list (both databases let it read
        ``source``), yielding each element of the payload's JSON array at ``path`` as ``alias.value`` (text)."""
        return self.elements_of(self.document(path, source), alias)

    def elements_of(self, document: str, alias: str) -> str:
        """:meth:`elements` of a JSON array ``document`` (e.g. a column holding a :meth:`document`): reading a
        small array again costs less than parsing the whole payload again (SQLite parses JSON text anew)."""
        if self.postgresql:
            return f"jsonb_array_elements_text({document}) AS {alias}(value)"
        return f"json_each({document}) AS {alias}"

    def real(self, value: str) -> str:
        """``value`` as a double-precision number (a bare ``1.0`` is a NUMERIC on PostgreSQL)."""
        return f"CAST({value} AS DOUBLE PRECISION)"

    def create_staged(self, extra: Sequence[tuple[str, TypeEngine[Any]]], dialect: Dialect,
                      fields: Sequence[tuple[str, str]] = ()) -> str:
        """DDL of the staged table (see :meth:`create_temporary`): the columns every staged event has, the
        payload ``fields`` ((name, kind) pairs) and the ``extra`` computed columns."""
        columns = [(name, self.type_name(kind)) for name, kind in (*STAGED_COLUMNS, *fields)]
        columns += [(name, type_.compile(dialect=dialect)) for name, type_ in extra]
        return self.create_temporary(self.staged, columns)

    def create_temporary(self, table: str, columns: Sequence[tuple[str, str]], primary_key: str | None = None) -> str:
        """DDL of a temporary table of this connection, emptied by :meth:`clear` (and on PostgreSQL when its
        transaction commits); ``columns`` are (name, SQL type) pairs."""
        defined = [f"{name} {type_}" + (" PRIMARY KEY" if name == primary_key else "") for name, type_ in columns]
        ending = " ON COMMIT DELETE ROWS" if self.postgresql else ""
        return f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({', '.join(defined)}){ending}"

    def type_name(self, kind: str) -> str:
        """The SQL type of ``kind``: integer, bigint, text, real, timestamp or json."""
        return {"integer": "INTEGER", "bigint": "BIGINT", "text": "TEXT", "real": "DOUBLE PRECISION",
                "timestamp": "TIMESTAMP WITH TIME ZONE" if self.postgresql else "DATETIME",
                "json": "JSONB" if self.postgresql else "TEXT"}[kind]

    def clear(self, table: str) -> str:
        """What empties a temporary table: after its statements on SQLite; on PostgreSQL the commit truncates
        it (no dead rows left behind), and this is needed only when a transaction stages several times
        (one event at a time when the batch runs again with savepoints)."""
        return f"DELETE FROM {table}"

    def stage(self, extra: Sequence[tuple[str, TypeEngine[Any]]], fields: Sequence[tuple[str, str]],
              dialect: Dialect) -> str:
        """The INSERT of the staged rows, with no parameter bound through SQLAlchemy row by row: on SQLite one
        row of ``?`` placeholders run by the driver's executemany (see :meth:`staged_rows`), on PostgreSQL
        every row at once from one array per column (``unnest``)."""
        return _stage_statement(self.name, self.staged, tuple(extra), tuple(fields), dialect)

    def staged_rows(self, rows: Sequence[Sequence[Any]], kinds: Sequence[str]) -> Any:
        """The parameters of :meth:`stage` for ``rows`` (values in column order; ``kinds`` says which column
        holds a time: written on SQLite as the text a UTC datetime column holds there): the rows as tuples for
        SQLite's executemany, one array per column (``c0``, ``c1``...) for PostgreSQL."""
        if self.postgresql:
            return {f"c{index}": [row[index] for row in rows] for index in range(len(kinds))}
        times = [index for index, kind in enumerate(kinds) if kind == "timestamp"]
        if not times:
            return [tuple(row) for row in rows]
        written: list[tuple[Any, ...]] = []
        for row in rows:
            values = list(row)
            for index in times:
                at = values[index]
                values[index] = None if at is None else at.astimezone(UTC).isoformat(" ", "microseconds")[:26]
            written.append(tuple(values))
        return written


@lru_cache(maxsize=256)
def _stage_statement(dialect: str, staged: str, extra: tuple[tuple[str, TypeEngine[Any]], ...],
                     fields: tuple[tuple[str, str], ...], sa_dialect: Dialect) -> str:
    kinds = dict((*STAGED_COLUMNS, *fields))
    names = list(kinds) + [name for name, _ in extra]
    if dialect == "postgresql":
        sql_types = {"integer": "INTEGER", "bigint": "BIGINT", "text": "TEXT", "real": "DOUBLE PRECISION",
                     "timestamp": "TIMESTAMP WITH TIME ZONE", "json": "TEXT"}
        types = [sql_types[kinds[name]] if name in kinds else dict(extra)[name].compile(dialect=sa_dialect)
                 for name in names]
        arrays = ", ".join(f"CAST(:c{index} AS {type_}[])" for index, type_ in enumerate(types))
        aliases = ", ".join(f"c{index}" for index in range(len(names)))
        values = ", ".join(f"CAST(c{index} AS JSONB)" if kinds.get(name) == "json" else f"c{index}"
                           for index, name in enumerate(names))
        return f"INSERT INTO {staged} ({', '.join(names)}) SELECT {values} FROM unnest({arrays}) AS u({aliases})"
    return f"INSERT INTO {staged} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"


def id_rows(dialect: str) -> str:
    """A subquery yielding each id of the ``:ids`` parameter (see :func:`ids_parameter`) as a row (``value``)."""
    if dialect == "postgresql":
        return "SELECT unnest(CAST(:ids AS VARCHAR[])) AS value"
    if dialect == "sqlite":
        return "SELECT value FROM json_each(:ids)"
    raise NotImplementedError(f"no id list for {dialect}")


def id_and_time_rows(dialect: str) -> str:
    """A subquery yielding each (``value``, ``at``) of the ``:ids`` and ``:times`` parameters (see
    :func:`times_parameter`), paired by position."""
    if dialect == "postgresql":
        return ("SELECT unnest(CAST(:ids AS VARCHAR[])) AS value, "
                "unnest(CAST(:times AS TIMESTAMP WITH TIME ZONE[])) AS at")
    if dialect == "sqlite":
        return "SELECT json_extract(value, '$[0]') AS value, json_extract(value, '$[1]') AS at FROM json_each(:times)"
    raise NotImplementedError(f"no id list for {dialect}")


def times_parameter(dialect: str, ids: Sequence[str], times: Sequence[datetime | None]) -> Any:
    """The ``:times`` parameter of :func:`id_and_time_rows`: on PostgreSQL the times (aware) as an array, on
    SQLite the (id, time) pairs as one JSON array, each time as the text a UTC datetime column holds there
    (see :class:`~shared.storage.types.UtcDateTime`), and ``:ids`` unused."""
    if dialect == "postgresql":
        return list(times)
    return orjson.dumps([(event_id, None if at is None else at.astimezone(UTC).isoformat(" ", "microseconds")[:26])
                         for event_id, at in zip(ids, times, strict=True)]).decode()


def ids_parameter(dialect: str, ids: Sequence[str]) -> Any:
    """``ids`` as the one ``:ids`` parameter of :func:`id_rows`: a JSON array on SQLite, an array on PostgreSQL."""
    return list(ids) if dialect == "postgresql" else orjson.dumps(list(ids)).decode()
