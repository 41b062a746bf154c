"""Queueing messages in a service's ``notifications`` table, in the caller's transaction, and cancelling them.

Write a message with :func:`queue` on the connection whose transaction also writes its cause (the
event appended, or the projection batch handling it): both commit or neither does, so a cause
retried or redelivered never yields a second message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import MetaData, Table, select, update

from shared.contracts.envelope import Envelope
from shared.contracts.events.feedback import SendChannel
from shared.contracts.events.privacy import ResidentErased
from shared.contracts.topics import PRIVACY
from shared.contracts.types import Sealed
from shared.ids import new_id
from shared.messaging.projection import Projection
from shared.storage.ports import ProjectionConnection


class Status(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


ERASED_OUTCOME = "annulé : les données du résident ont été effacées"


@dataclass(frozen=True)
class Contact:
    """Where to reach a person who is not a resident (a provider): not sealed."""

    name: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to send. ``subject`` and ``body`` are French and hold no personal data.

    For a resident, ``recipient`` (their sealed contact) and ``secret`` (``{"link": ...}`` sealed
    with their key) are :class:`Sealed` and ``resident_id`` is set; for a provider they are plain.
    """

    platform_id: str
    request_id: str
    kind: str
    channel: SendChannel
    subject: str
    body: str
    recipient: Sealed | Contact | None
    secret: Sealed | Mapping[str, Any] | None = None
    resident_id: str | None = None
    reference: str | None = None
    notification_id: str = field(default_factory=lambda: new_id("ntf"))


def notifications_table(metadata: MetaData) -> Table:
    return metadata.tables["notifications"]


async def queue(conn: Any, metadata: MetaData, message: OutgoingMessage, now: datetime,
                not_before: datetime | None = None) -> str:
    """Write ``message`` in the caller's transaction, to be sent from ``not_before`` on (at once by default);
    returns its id."""
    await conn.execute(notifications_table(metadata).insert().values(
        notification_id=message.notification_id, platform_id=message.platform_id, reference=message.reference,
        request_id=message.request_id, resident_id=message.resident_id, kind=message.kind,
        channel=message.channel.value, subject=message.subject, body=message.body,
        recipient=_encode(message.recipient), message=_encode(message.secret), created_at=now,
        status=Status.PENDING.value, attempts=0, next_attempt_at=max(now, not_before) if not_before else now,
    ))
    return message.notification_id


async def already_queued(conn: Any, metadata: MetaData, notification_id: str) -> bool:
    """Whether a message of this id is in the outbox (for messages whose id is derived from their cause)."""
    table = notifications_table(metadata)
    query = select(table.c.notification_id).where(table.c.notification_id == notification_id)
    return (await conn.execute(query)).first() is not None


async def messages_about(conn: Any, metadata: MetaData, reference: str) -> list[OutgoingMessage]:
    """The messages queued about ``reference`` (a survey, ...), oldest first."""
    table = notifications_table(metadata)
    query = select(table).where(table.c.reference == reference).order_by(table.c.created_at, table.c.notification_id)
    return [message_of(row) for row in (await conn.execute(query)).mappings()]


def message_of(row: Mapping[str, Any]) -> OutgoingMessage:
    """A ``notifications`` row back as the message queued (still sealed)."""
    sealed = row["resident_id"] is not None
    recipient = decode(row["recipient"], sealed)
    return OutgoingMessage(
        platform_id=row["platform_id"], request_id=row["request_id"], kind=row["kind"],
        channel=SendChannel(row["channel"]), subject=row["subject"] or "", body=row["body"] or "",
        recipient=Contact(**recipient) if isinstance(recipient, dict) else recipient,
        secret=decode(row["message"], sealed), resident_id=row["resident_id"], reference=row["reference"],
        notification_id=row["notification_id"],
    )


async def pending_on(conn: Any, metadata: MetaData, platform_id: str, channel: SendChannel, *, offset: int = 0,
                     limit: int = 200) -> list[dict[str, Any]]:
    """The messages of ``channel`` waiting on ``platform_id`` (e.g. the calls operators are to make), oldest first."""
    table = notifications_table(metadata)
    query = (select(table.c.notification_id, table.c.reference, table.c.request_id, table.c.kind, table.c.created_at)
             .where(table.c.platform_id == platform_id, table.c.channel == channel.value,
                    table.c.status == Status.PENDING.value)
             .order_by(table.c.created_at, table.c.notification_id).offset(offset).limit(limit))
    return [dict(row) for row in (await conn.execute(query)).mappings()]


async def settle(conn: Any, metadata: MetaData, reference: str, channel: SendChannel, outcome: str,
                 now: datetime) -> int:
    """Record as done the waiting messages of ``channel`` about ``reference`` (a call an operator made)."""
    table = notifications_table(metadata)
    result = await conn.execute(
        update(table).where(table.c.reference == reference, table.c.channel == channel.value,
                            table.c.status == Status.PENDING.value)
        .values(status=Status.SENT.value, sent_at=now, outcome=outcome, next_attempt_at=None))
    return result.rowcount or 0


async def cancel_for_resident(conn: Any, metadata: MetaData, resident_id: str) -> int:
    """Cancel every message to ``resident_id`` not sent yet; returns how many."""
    table = notifications_table(metadata)
    result = await conn.execute(
        update(table).where(table.c.resident_id == resident_id, table.c.status == Status.PENDING.value)
        .values(status=Status.CANCELLED.value, outcome=ERASED_OUTCOME, next_attempt_at=None))
    return result.rowcount or 0


def cancel_on_erasure(metadata: MetaData, name: str) -> Projection:
    """A projection ``name`` (e.g. ``feedback.outgoing``) cancelling the unsent messages of each erased resident."""
    projection = Projection(name, topics=(PRIVACY,))

    @projection.handles(ResidentErased)
    async def cancel(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        await cancel_for_resident(conn, metadata, envelope.payload.resident_id)

    return projection


def decode(text: str | None, sealed: bool) -> Sealed | dict[str, Any] | None:
    """A ``recipient`` or ``message`` column back: :class:`Sealed` when the row is a resident's."""
    if text is None:
        return None
    document = orjson.loads(text)
    return Sealed(**document) if sealed else document


def _encode(value: Sealed | Contact | Mapping[str, Any] | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, Sealed):
        return value.model_dump_json()
    if isinstance(value, Contact):
        return orjson.dumps({k: v for k, v in value.__dict__.items() if v is not None}).decode()
    return orjson.dumps(dict(value)).decode()
