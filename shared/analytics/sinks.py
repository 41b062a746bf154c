"""Writing tables as Parquet and CSV files, a chunk of rows at a time, with a fixed Arrow schema."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

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
        self._writers: list[Any] = []
        for fmt in formats:
            path = folder / fmt / f"{name}.{fmt}"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.paths.append(path)
            writer = pq.ParquetWriter(path, schema) if fmt == "parquet" else pa_csv.CSVWriter(path, schema)
            self._writers.append(writer)

    def add(self, row: Mapping[str, Any]) -> None:
        self._buffer.append(dict(row))
        if len(self._buffer) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        batch = pa.Table.from_pylist(self._buffer, schema=self.schema)
        for writer in self._writers:
            writer.write_table(batch)
        self.rows_written += len(self._buffer)
        self._buffer.clear()

    def close(self) -> None:
        self.flush()
        for writer in self._writers:
            writer.close()


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
