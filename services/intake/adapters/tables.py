"""Tables of the intake store: the core tables (event store/outbox, tracking) plus its own projections."""

from __future__ import annotations

from sqlalchemy import MetaData

from services.intake.adapters.read_tables import add_read_tables
from shared.storage.tables import core_metadata


def metadata() -> MetaData:
    """A fresh MetaData of every intake table (the Alembic target of its migrations)."""
    metadata = core_metadata()
    add_read_tables(metadata)
    return metadata
