"""Tables of the matching store: the core tables (event store/outbox, tracking) plus its own.

- ``providers``: the directory as the write model sees it (one row per provider, its state as JSON),
  updated in the transaction that appends the provider's event;
- ``turns``: the cursor of each rotation (platform x activity x sector), with a version for
  optimistic concurrency;
- ``match_requests``: the state of each request's match, for queries and the deadline sweeper;
- ``fairness_counts`` / ``fairness_requests``: the fairness projection (read from the matching topic);
- ``notifications``: the outbox of offers sent to providers (:mod:`shared.outgoing`).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from shared.outgoing.tables import add_notifications_table
from shared.storage.tables import core_metadata
from shared.storage.types import UtcDateTime


def metadata() -> MetaData:
    """A fresh MetaData of every matching table (the Alembic target of its migrations)."""
    md = core_metadata()
    Table(
        "providers", md,
        Column("provider_id", String(120), primary_key=True),
        Column("platform_id", String(40), nullable=False, index=True),
        Column("name", String(200), nullable=False),
        Column("status", String(20), nullable=False),
        Column("version", Integer, nullable=False),
        Column("document", Text, nullable=False),
        Column("updated_at", UtcDateTime(), nullable=False),
    )
    Table(
        "turns", md,
        Column("platform_id", String(40), primary_key=True),
        Column("activity", String(40), primary_key=True),
        Column("sector", String(60), primary_key=True),
        Column("cursor_joined_at", String(40), nullable=True),
        Column("cursor_provider_id", String(120), nullable=True),
        Column("version", Integer, nullable=False),
        Column("updated_at", UtcDateTime(), nullable=False),
    )
    requests = Table(
        "match_requests", md,
        Column("request_id", String(120), primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("activity", String(40), nullable=False),
        Column("commune", String(10), nullable=False),
        Column("sector", String(60), nullable=False),
        Column("status", String(20), nullable=False),
        Column("provider_id", String(120), nullable=True),
        Column("deadline_at", UtcDateTime(), nullable=True),
        Column("attempt", Integer, nullable=False),
        Column("excluded", Text, nullable=False),
        Column("version", Integer, nullable=False),
        Column("cancelled", Boolean, nullable=False),
        Column("resident_id", String(120), nullable=False),
        Column("spec", Text, nullable=False),
        Column("contact", Text, nullable=True, comment="The resident's contact from RequestLogged, sealed with their key."),
        Column("updated_at", UtcDateTime(), nullable=False),
    )
    Index("ix_match_requests_due", requests.c.status, requests.c.deadline_at)
    Index("ix_match_requests_provider", requests.c.platform_id, requests.c.provider_id)
    Table(
        "fairness_counts", md,
        Column("platform_id", String(40), primary_key=True),
        Column("activity", String(40), primary_key=True),
        Column("sector", String(60), primary_key=True),
        Column("provider_id", String(120), primary_key=True),
        Column("offers", Integer, nullable=False),
        Column("accepted", Integer, nullable=False),
        Column("declined", Integer, nullable=False),
        Column("missed", Integer, nullable=False),
        Column("expected_offers", Float, nullable=False, server_default="0",
               comment="Sum over the group's offers this provider was eligible for of 1 / eligible providers."),
    )
    Table(
        "fairness_requests", md,
        Column("request_id", String(120), primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("activity", String(40), nullable=False),
        Column("sector", String(60), nullable=False),
    )
    add_notifications_table(md)
    return md
