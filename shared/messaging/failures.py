"""Telling a handler's failure that will pass (retry the batch) from one that never will (dead-letter the event).

A batch is retried as long as the failure is the infrastructure's: the database unreachable,
locked, restarting, a serialization conflict, a timeout, another writer that moved the same
aggregate first (:class:`~shared.storage.eventstore.ConcurrencyError`). Any other exception a handler raises
for one event (a value out of range, a constraint it breaks, a bug met by that event only) would
fail every redelivery the same way and stop its partition for good: that event goes to the
dead-letter topic with the reason instead, is logged with its traceback, and is not marked
processed, so ``relais dead-letters replay`` applies it once the cause is fixed.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import exc as sql

from shared.messaging.projection import RejectEvent
from shared.storage.eventstore import ConcurrencyError

TRANSIENT: tuple[type[BaseException], ...] = (
    ConcurrencyError,
    sql.OperationalError,
    sql.InterfaceError,
    sql.DisconnectionError,
    sql.TimeoutError,
    asyncio.TimeoutError,
    TimeoutError,
    OSError,
)


class HandlerFailed(RejectEvent):
    """A handler raised an exception that redelivery cannot cure; ``reason`` names it."""


def is_transient(error: BaseException) -> bool:
    """True if running the batch again later may succeed."""
    if isinstance(error, sql.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, TRANSIENT)


def failure_reason(error: BaseException) -> str:
    """``Type: message`` of the failure; for SQL errors the driver's own, without statement or values."""
    cause = error.orig if isinstance(error, sql.StatementError) and error.orig is not None else error
    message = str(cause).strip()
    return f"{type(cause).__name__}: {message}" if message else type(cause).__name__
