"""Tables of the intake store: the core tables (event store/outbox, tracking) plus its own projections."""

from __future__ import annotations

from sqlalchemy import MetaData

from shared.storage.tables import core_metadata


def metadata() -> MetaData:
    """A fresh MetaData of every intake table (the Alembic target of its migrations)."""
    return core_metadata()
