"""Tables every service store has: its event store (also the outbox) and consumer tracking.

Each service builds its own :class:`~sqlalchemy.MetaData` with :func:`core_metadata` and adds
its projection tables to it, so one Alembic history per service covers everything.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.storage.types import UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Position = BigInteger().with_variant(Integer(), "sqlite")


def core_metadata() -> MetaData:
    """A fresh MetaData holding the event store and the tracking tables."""
    metadata = MetaData(naming_convention=NAMING)
    events = Table(
        "events",
        metadata,
        Column("position", Position, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(80), nullable=False),
        Column("schema_version", Integer, nullable=False),
        Column("platform_id", String(40), nullable=False),
        Column("aggregate_type", String(40), nullable=False),
        Column("aggregate_id", String(120), nullable=False),
        Column("aggregate_version", Integer, nullable=False),
        Column("occurred_at", UtcDateTime(), nullable=False),
        Column("correlation_id", String(36), nullable=False),
        Column("topic", String(120), nullable=False),
        Column("document", Text, nullable=False),
        Column("published_at", UtcDateTime(), nullable=True),
        UniqueConstraint("aggregate_type", "aggregate_id", "aggregate_version", name="uq_events_aggregate_version"),
    )
    Index("ix_events_unpublished", events.c.published_at, events.c.position)
    Table(
        "checkpoints",
        metadata,
        Column("consumer", String(120), primary_key=True),
        Column("topic", String(200), primary_key=True),
        Column("partition", Integer, primary_key=True),
        Column("offset", BigInteger, nullable=False),
        Column("updated_at", UtcDateTime(), nullable=False),
    )
    processed = Table(
        "processed_events",
        metadata,
        Column("consumer", String(120), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("recorded_at", UtcDateTime(), nullable=True,
               comment="When the producing service stored the event; processed ids recorded before the consumer's "
                       "horizon are pruned (shared.messaging.tracking)."),
    )
    Index("ix_processed_events_recorded", processed.c.consumer, processed.c.recorded_at)
    return metadata
