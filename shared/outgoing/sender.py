"""The sender: delivers the due rows of a service's ``notifications`` table, once each.

Each round first fails the rows left ``sending`` by a sender that stopped mid-delivery (the message
may have gone out: it is never sent again, the outcome says to check), then takes the due rows of
the channels it has, one at a time:

1. claims the row (``pending`` -> ``sending``, one more attempt) in its own transaction: a row
   claimed by another sender is skipped;
2. opens the recipient and the link (sealed for residents) through the vault, which logs the read;
   an erased resident's message is cancelled;
3. delivers, then records ``sent``; a transient failure puts the row back to ``pending`` at
   ``base_delay * 2 ** (attempts - 1)`` (capped), a permanent one or the last attempt records
   ``failed``, with the reason in French in ``outcome``.

Only ids are logged: never an address, a phone number or a link.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import MetaData, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.clock import Clock, SystemClock
from shared.contracts.events.feedback import SendChannel
from shared.contracts.types import Sealed
from shared.outgoing.delivery import Channel, Delivery, DeliveryFailed
from shared.outgoing.outbox import ERASED_OUTCOME, Status, decode, notifications_table
from shared.privacy.errors import ReadForbiddenError, ResidentErasedError, TamperedSealError, UnknownResidentError
from shared.service.periodic import repeat
from shared.storage.engine import begin_write

log = logging.getLogger(__name__)

INTERRUPTED = ("envoi interrompu (le service s'est arrêté pendant l'envoi) : peut-être reçu, "
               "pas renvoyé pour ne pas l'envoyer deux fois")


class Unsealer(Protocol):
    async def unseal(self, sealed: Sealed, *, reader: Any, purpose: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Retry:
    """How often and how long a transient failure is tried again."""

    max_attempts: int = 8
    base_delay: float = 30.0
    max_delay: float = 3600.0
    lease: float = 300.0
    """How long a claimed row may stay ``sending`` before it counts as interrupted."""

    def delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.max_delay, self.base_delay * 2 ** max(0, attempts - 1)))


@dataclass
class RoundResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    interrupted: int = 0


class Sender:
    """Delivers ``engine``'s due notifications over ``channels`` (email, SMS); ``reader`` names it in the read log."""

    def __init__(self, engine: AsyncEngine, metadata: MetaData, *, channels: Mapping[SendChannel, Channel],
                 unsealer: Unsealer, reader: str, clock: Clock | None = None, retry: Retry | None = None,
                 batch: int = 50) -> None:
        self.engine = engine
        self.table = notifications_table(metadata)
        self.channels = dict(channels)
        self.unsealer = unsealer
        self.reader = reader
        self.clock = clock or SystemClock()
        self.retry = retry or Retry()
        self.batch = batch
        self.wake = asyncio.Event()

    def notify(self) -> None:
        """Look for due messages now rather than at the next interval."""
        self.wake.set()

    async def run(self, stop: asyncio.Event, interval: float = 5.0) -> None:
        if not self.channels:
            return
        await repeat(self.send_due, stop, interval=interval, name=f"{self.reader} sender", wake=self.wake)

    async def send_due(self) -> RoundResult:
        result = RoundResult()
        if not self.channels:
            return result
        now = self.clock.now()
        result.interrupted = await self._fail_interrupted(now)
        for row in await self._due(now):
            outcome = await self._send_one(row)
            if outcome is not None:
                setattr(result, outcome, getattr(result, outcome) + 1)
        if result.sent or result.failed or result.retried or result.interrupted:
            log.info("%s sender: %d sent, %d to retry, %d failed, %d cancelled, %d interrupted", self.reader,
                     result.sent, result.retried, result.failed, result.cancelled, result.interrupted)
        return result

    async def _due(self, now: datetime) -> list[dict[str, Any]]:
        table = self.table
        query = (select(table).where(table.c.status == Status.PENDING.value,
                                     table.c.channel.in_([channel.value for channel in self.channels]),
                                     table.c.next_attempt_at <= now)
                 .order_by(table.c.next_attempt_at, table.c.notification_id).limit(self.batch))
        async with self.engine.connect() as connection:
            return [dict(row) for row in (await connection.execute(query)).mappings()]

    async def _fail_interrupted(self, now: datetime) -> int:
        table = self.table
        async with begin_write(self.engine) as connection:
            result = await connection.execute(
                update(table).where(table.c.status == Status.SENDING.value, table.c.next_attempt_at <= now)
                .values(status=Status.FAILED.value, outcome=INTERRUPTED, next_attempt_at=None))
        if result.rowcount:
            log.warning("%s sender: %d message(s) interrupted mid-sending marked failed", self.reader, result.rowcount)
        return result.rowcount or 0

    async def claim(self, row: dict[str, Any], now: datetime) -> bool:
        table = self.table
        async with begin_write(self.engine) as connection:
            result = await connection.execute(
                update(table).where(table.c.notification_id == row["notification_id"],
                                    table.c.status == Status.PENDING.value)
                .values(status=Status.SENDING.value, attempts=table.c.attempts + 1,
                        next_attempt_at=now + timedelta(seconds=self.retry.lease)))
        return result.rowcount == 1

    async def record(self, notification_id: str, status: Status, outcome: str, *,
                      sent_at: datetime | None = None, next_attempt_at: datetime | None = None) -> None:
        table = self.table
        async with begin_write(self.engine) as connection:
            await connection.execute(
                update(table).where(table.c.notification_id == notification_id, table.c.status == Status.SENDING.value)
                .values(status=status.value, outcome=outcome, sent_at=sent_at, next_attempt_at=next_attempt_at))

    async def _send_one(self, row: dict[str, Any]) -> str | None:
        now = self.clock.now()
        if not await self.claim(row, now):
            return None
        notification_id = row["notification_id"]
        attempts = row["attempts"] + 1
        try:
            delivery = await self.open(row)
            note = await self.channels[SendChannel(row["channel"])].deliver(delivery)
        except ResidentErasedError:
            await self.record(notification_id, Status.CANCELLED, ERASED_OUTCOME)
            return "cancelled"
        except (UnknownResidentError, TamperedSealError, ReadForbiddenError) as error:
            await self.record(notification_id, Status.FAILED, f"coordonnées illisibles ({type(error).__name__})")
            return "failed"
        except DeliveryFailed as failure:
            if failure.permanent or attempts >= self.retry.max_attempts:
                reason = failure.reason if failure.permanent else f"abandonné après {attempts} essais : {failure.reason}"
                log.warning("notification %s failed: %s", notification_id, reason)
                await self.record(notification_id, Status.FAILED, reason)
                return "failed"
            later = self.clock.now() + self.retry.delay(attempts)
            log.info("notification %s: attempt %d failed (%s), next at %s", notification_id, attempts,
                     failure.reason, later.isoformat())
            await self.record(notification_id, Status.PENDING, failure.reason, next_attempt_at=later)
            return "retried"
        await self.record(notification_id, Status.SENT, note, sent_at=self.clock.now())
        return "sent"

    async def open(self, row: dict[str, Any]) -> Delivery:
        """The row with its recipient and link opened (through the vault for a resident's)."""
        sealed = row["resident_id"] is not None
        recipient = await self._opened(decode(row["recipient"], sealed), row["notification_id"])
        secret = await self._opened(decode(row["message"], sealed), row["notification_id"])
        if not recipient:
            raise DeliveryFailed("destinataire inconnu (coordonnées absentes)", permanent=True)
        return Delivery(notification_id=row["notification_id"], platform_id=row["platform_id"], kind=row["kind"],
                        recipient=recipient, subject=row["subject"] or "", body=row["body"] or "",
                        link=secret.get("link") if secret else None)

    async def _opened(self, value: Sealed | dict[str, Any] | None, notification_id: str) -> dict[str, Any] | None:
        if isinstance(value, Sealed):
            return await self.unsealer.unseal(value, reader=self.reader, purpose=f"send message {notification_id}")
        return value
