"""The ``notifications`` table: each service's outbox of messages to people (same shape in every store)."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text

from shared.storage.types import UtcDateTime


def add_notifications_table(metadata: MetaData) -> Table:
    """Add the outbox of outgoing messages to ``metadata`` (a service's store) and return it."""
    table = Table(
        "notifications", metadata,
        Column("notification_id", String(60), primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("reference", String(60), nullable=True, comment="What the message is about: a survey id, a provider id."),
        Column("request_id", String(120), nullable=False),
        Column("resident_id", String(60), nullable=True, comment="Set when recipient and message are sealed with its key."),
        Column("kind", String(30), nullable=False),
        Column("channel", String(10), nullable=False, comment="email, sms, paper (printed and posted), phone (an operator calls)."),
        Column("subject", String(200), nullable=True, comment="French subject; never personal data."),
        Column("body", Text, nullable=True, comment="French text; never personal data."),
        Column("recipient", Text, nullable=True, comment="JSON {name, email, phone, address}; sealed JSON for a resident."),
        Column("message", Text, nullable=True, comment="JSON {link}; sealed JSON for a resident: only the resident's key opens it."),
        Column("created_at", UtcDateTime, nullable=False),
        Column("status", String(10), nullable=False, server_default="pending",
               comment="pending, sending, sent, failed, cancelled."),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("next_attempt_at", UtcDateTime, nullable=True),
        Column("sent_at", UtcDateTime, nullable=True),
        Column("outcome", Text, nullable=True, comment="French: how it was delivered, or why it failed or was cancelled."),
    )
    Index("ix_notifications_due", table.c.status, table.c.channel, table.c.next_attempt_at)
    Index("ix_notifications_reference", table.c.reference)
    Index("ix_notifications_resident", table.c.resident_id)
    return table
