"""Read models of the intake service: the console's request list and timeline, the callback
queue, the observatory of unmet demand and information calls, and the visits of mediation desks."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, MetaData, String, Table, Text

from shared.storage.types import UtcDateTime


def add_read_tables(metadata: MetaData) -> None:
    Table(
        "request_view",
        metadata,
        Column("request_id", String(60), primary_key=True),
        Column("platform_id", String(40), nullable=False, index=True),
        Column("kind", String(20)),
        Column("channel", String(20)),
        Column("activity", String(40)),
        Column("commune", String(10)),
        Column("status", String(30), nullable=False),
        Column("provider_id", String(120)),
        Column("oriented", Text),
        Column("unmet_reason", String(60)),
        Column("status_at", UtcDateTime(), nullable=False),
        Column("logged_at", UtcDateTime(), index=True),
        Column("updated_at", UtcDateTime(), nullable=False),
    )
    Table(
        "timeline",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("request_id", String(60), nullable=False, index=True),
        Column("platform_id", String(40), nullable=False),
        Column("occurred_at", UtcDateTime(), nullable=False),
        Column("aggregate_version", Integer, nullable=False),
        Column("event_type", String(80), nullable=False),
        Column("actor", String(160), nullable=False),
        Column("summary", Text, nullable=False),
    )
    Table(
        "callback_queue",
        metadata,
        Column("entry_id", String(60), primary_key=True),
        Column("platform_id", String(40), nullable=False, index=True),
        Column("resident_id", String(60), nullable=False),
        Column("left_at_local", String(40), nullable=False),
        Column("status", String(20), nullable=False),
        Column("logged_at", UtcDateTime(), nullable=False),
    )
    Table(
        "unmet_demand",
        metadata,
        Column("platform_id", String(40), primary_key=True),
        Column("activity", String(40), primary_key=True),
        Column("commune", String(10), primary_key=True),
        Column("month", String(7), primary_key=True),
        Column("reason", String(60), primary_key=True),
        Column("count", Integer, nullable=False),
    )
    Table(
        "information_calls",
        metadata,
        Column("platform_id", String(40), primary_key=True),
        Column("topic", String(40), primary_key=True),
        Column("month", String(7), primary_key=True),
        Column("count", Integer, nullable=False),
    )
    Table(
        "desk_visits",
        metadata,
        Column("visit_id", String(60), primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("visited_at", UtcDateTime(), nullable=False),
        Column("day", String(10), nullable=False),
        Column("hour", Integer, nullable=False),
        Column("topic", String(40), nullable=False),
        Column("topic_group", String(40), nullable=False),
        Column("partner", String(40)),
        Column("actions", String(200), nullable=False),
        Column("oriented_to", String(200)),
        Column("minutes", Integer, nullable=False),
        Column("commune", String(10)),
        Column("follow_up", Boolean, nullable=False),
        Index("ix_desk_visits_platform_id_day", "platform_id", "day"),
    )
