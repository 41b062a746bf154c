"""Set-based projections: SQL statements run once per batch over the batch's events, staged as rows.

A :class:`Projection` may apply some of its event types with :class:`SetBased` SQL rather than one
Python handler per event. The runner (:func:`shared.messaging.batches.apply_decoded`, live and in
``relais replay``) keeps the exact semantics of handlers: it drops the events this consumer has
already processed (by event id) or met earlier in the batch, then stages the new events of the SQL's
types in a temporary table of the connection, one row each, in batch order::

    seq, event_id, event_type, topic, partition, record_offset, occurred_at, platform_id,
    aggregate_id, aggregate_version, actor, payload (JSON), then the projection's computed columns

and runs the statements in order, in the batch's transaction, before the processed ids and the
checkpoints are written. ``seq`` is the order a handler would have applied them in: statements whose
result depends on that order (a running value, "the latest") order by it. Computed columns hold what
SQL cannot work out portably (the month of a platform's local time), computed in Python once per
event. The SQL is written once for SQLite and PostgreSQL: what they spell differently comes from the
:class:`~shared.storage.batch_dialect.BatchDialect` the statements are built with.

A failing statement fails the batch, which then runs again with a savepoint per event (as handlers
do): the event whose statements fail alone is dead-lettered, the others are applied.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import TypeEngine

from shared.contracts.envelope import Envelope
from shared.storage.batch_dialect import STAGED_COLUMNS, BatchDialect
from shared.storage.ports import ProjectionConnection

Statements = Callable[[BatchDialect], Sequence[str]]


@dataclass(frozen=True)
class Computed:
    """A staged column worked out in Python from each event (``value(envelope)``), of SQL type ``type_``."""

    name: str
    type_: TypeEngine[Any]
    value: Callable[[Envelope[Any]], Any]


@dataclass(frozen=True)
class Field:
    """A field of the payload staged as a column of its own (same name), of ``kind`` text, integer, bigint,
    real or json (a list or an object, read with :meth:`~shared.storage.batch_dialect.BatchDialect.elements_of`).

    Reading a column costs SQL nothing, where each ``json_extract`` of SQLite parses the payload's
    JSON text anew: projections stage the fields their SQL reads, and may then leave the payload out.
    An event without the field stages NULL.
    """

    name: str
    kind: str = "text"


@dataclass(frozen=True)
class WorkTable:
    """A temporary table the statements fill and read within a batch (emptied after it), for a step an
    index makes cheap (e.g. the next row of a running sum found by primary key). ``columns`` are
    (name, kind) pairs, kinds as :meth:`~shared.storage.batch_dialect.BatchDialect.type_name` knows them."""

    name: str
    columns: tuple[tuple[str, str], ...]
    primary_key: str | None = None


@dataclass(frozen=True, eq=False)
class SetBased:
    """The SQL of a projection: the ``event_types`` it applies and the ``statements`` run over them.

    ``statements(dialect)`` returns the SQL text of each statement, reading the staged events from
    ``dialect.staged``; it is called once per database kind and the statements are kept.
    """

    consumer: str
    event_types: frozenset[str]
    statements: Statements
    computed: tuple[Computed, ...] = ()
    work_tables: tuple[WorkTable, ...] = ()
    fields: tuple[Field, ...] = ()
    payload: bool = True
    _built: dict[str, tuple[BatchDialect, tuple[TextClause, ...]]] = field(default_factory=dict, repr=False)

    @cached_property
    def staged(self) -> str:
        """Name of the staged table: one per projection, so projections sharing a transaction never mix."""
        return "staged_" + re.sub(r"[^a-z0-9]+", "_", self.consumer.lower())

    @cached_property
    def _extra(self) -> tuple[tuple[str, TypeEngine[Any]], ...]:
        return tuple((column.name, column.type_) for column in self.computed)

    @cached_property
    def _fields(self) -> tuple[tuple[str, str], ...]:
        return tuple((field.name, field.kind) for field in self.fields)

    def built_for(self, dialect_name: str) -> tuple[BatchDialect, tuple[TextClause, ...]]:
        """The dialect and the statements of ``dialect_name``, built once."""
        built = self._built.get(dialect_name)
        if built is None:
            dialect = BatchDialect(dialect_name, self.staged)
            built = (dialect, tuple(text(sql) for sql in self.statements(dialect)))
            self._built[dialect_name] = built
        return built

    def rows(self, events: Sequence[tuple[Any, Envelope[Any]]], first_seq: int = 0) -> list[tuple[Any, ...]]:
        """The staged rows of ``events`` ((record, envelope) pairs, in the order they apply), values in the
        order of :attr:`column_kinds`."""
        computed, fields, payload = self.computed, self.fields, self.payload
        rows = []
        for seq, (record, envelope) in enumerate(events, start=first_seq):
            meta, event = envelope.meta, envelope.payload
            row = [seq, str(meta.event_id), meta.event_type, record.topic, record.partition, record.offset,
                   meta.occurred_at, meta.platform_id, meta.aggregate_id, meta.aggregate_version, meta.actor,
                   event.model_dump_json() if payload else None]
            values = event.__dict__  # a pydantic model's fields (getattr of a missing one costs an exception)
            for staged in fields:
                value = values.get(staged.name)
                row.append(orjson.dumps(value).decode() if staged.kind == "json" and value is not None else value)
            for column in computed:
                row.append(column.value(envelope))
            rows.append(tuple(row))
        return rows

    @cached_property
    def column_kinds(self) -> tuple[str, ...]:
        """The kind of each staged column, in order (a computed column's is "computed")."""
        return (*(kind for _, kind in STAGED_COLUMNS), *(field.kind for field in self.fields),
                *("computed" for _ in self.computed))

    async def apply(self, conn: ProjectionConnection, events: Sequence[tuple[Any, Envelope[Any]]], *,
                    again: bool = False) -> None:
        """Stage ``events`` and run the statements over them on ``conn`` (inside the batch's transaction).

        The temporary tables are created unless a committed batch of this connection created them
        (:meth:`created_on`). They are emptied after the statements on SQLite; on PostgreSQL the commit
        empties them, so they are emptied first only when the transaction staged before (``again``: the
        batch run again one event at a time).
        """
        if not events:
            return
        dialect, statements = self.built_for(conn.dialect.name)
        tables = (self.staged, *(work.name for work in self.work_tables))
        info = connection_info(conn)
        if info is None or not info.get(self._created_key):
            await conn.execute(_ddl(dialect.create_staged(self._extra, conn.dialect, self._fields)))
            for work in self.work_tables:
                columns = [(name, dialect.type_name(kind)) for name, kind in work.columns]
                await conn.execute(_ddl(dialect.create_temporary(work.name, columns, work.primary_key)))
        if again and dialect.clears_at_commit:
            for table in tables:
                await conn.execute(_ddl(dialect.clear(table)))
        stage = dialect.stage(self._extra, self._fields, conn.dialect)
        rows = dialect.staged_rows(self.rows(events), self.column_kinds)
        if dialect.postgresql:
            await conn.execute(_ddl(stage), rows)
        else:
            await conn.run_sync(_executemany, stage, rows)
        for statement in statements:
            await conn.execute(statement)
        if not dialect.clears_at_commit:
            for table in tables:
                await conn.execute(_ddl(dialect.clear(table)))

    @cached_property
    def _created_key(self) -> str:
        return f"relais.staged:{self.staged}"

    def created_on(self, info: dict[str, Any] | None) -> None:
        """Remember that this connection (its ``info``) has the temporary tables: called once the batch that
        created them committed (a rolled back transaction takes its temporary tables with it)."""
        if info is not None:
            info[self._created_key] = True


def _executemany(connection: Any, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """The driver's own executemany of ``rows`` (tuples), bypassing SQLAlchemy's binding row by row."""
    connection.exec_driver_sql(statement, list(rows))


def connection_info(conn: Any) -> dict[str, Any] | None:
    """The ``info`` dictionary of the DBAPI connection behind ``conn`` (it lives as long as that connection),
    or None when ``conn`` does not tell."""
    sync = getattr(conn, "sync_connection", None)
    info = getattr(sync, "info", None)
    return info if isinstance(info, dict) else None


_texts: dict[str, TextClause] = {}


def _ddl(sql: str) -> TextClause:
    statement = _texts.get(sql)
    if statement is None:
        statement = _texts[sql] = text(sql)
    return statement

