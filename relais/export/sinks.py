"""Writing tables as Parquet and CSV files, a chunk of rows at a time, with a fixed Arrow schema.

Parquet keeps lists and structs as such; CSV has no such types, so there they are JSON text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric, Table

FORMATS = ("parquet", "csv")
FLUSH_ROWS = 20_000


class TableSink:
    """One table written to ``<folder>/<format>/<name>.<format>`` for each format; rows buffered."""

    def __init__(self, folder: Path, name: str, schema: pa.Schema, formats: Iterable[str]) -> None:
        self.name = name
        self.schema = schema
        self.rows_written = 0
        self.paths: list[Path] = []
        self._buffer: list[dict[str, Any]] = []
        self._writers: list[tuple[Any, pa.Schema]] = []
        for fmt in formats:
            path = folder / fmt / f"{name}.{fmt}"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.paths.append(path)
            if fmt == "parquet":
                self._writers.append((pq.ParquetWriter(path, schema), schema))
            else:
                flat = flat_schema(schema)
                self._writers.append((pa_csv.CSVWriter(path, flat), flat))

    def add(self, row: Mapping[str, Any]) -> None:
        self._buffer.append(dict(row))
        if len(self._buffer) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        batch = pa.Table.from_pylist(self._buffer, schema=self.schema)
        for writer, schema in self._writers:
            if schema is self.schema:
                writer.write_table(batch)
            else:
                writer.write_table(pa.Table.from_pylist([_as_text(row, schema) for row in self._buffer], schema=schema))
        self.rows_written += len(self._buffer)
        self._buffer.clear()

    def close(self) -> None:
        self.flush()
        for writer, _ in self._writers:
            writer.close()


def flat_schema(schema: pa.Schema) -> pa.Schema:
    """``schema`` with its lists and structs as text (JSON), for formats that hold only scalars."""
    if not any(_nested(field.type) for field in schema):
        return schema
    return pa.schema([(field.name, pa.string() if _nested(field.type) else field.type) for field in schema])


def _nested(kind: pa.DataType) -> bool:
    return pa.types.is_list(kind) or pa.types.is_struct(kind)


def _as_text(row: Mapping[str, Any], schema: pa.Schema) -> dict[str, Any]:
    return {name: orjson.dumps(value).decode() if isinstance(value, list | dict) else value
            for name, value in row.items()}


def arrow_schema(table: Table, drop: Iterable[str] = ()) -> pa.Schema:
    """The Arrow schema of a SQLAlchemy table (unknown types as text), without the ``drop`` columns."""
    dropped = set(drop)
    return pa.schema([(column.name, _arrow_type(column.type)) for column in table.columns if column.name not in dropped])


def _arrow_type(kind: Any) -> pa.DataType:
    implementation = getattr(kind, "impl", kind)
    if isinstance(implementation, Boolean):
        return pa.bool_()
    if isinstance(implementation, Integer):
        return pa.int64()
    if isinstance(implementation, Float):
        return pa.float64()
    if isinstance(implementation, Numeric):
        return pa.string()
    if isinstance(implementation, DateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(implementation, Date):
        return pa.date32()
    return pa.string()
