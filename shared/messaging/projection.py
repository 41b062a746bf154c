"""Projections: read models built from events, with exactly-once effects.

A :class:`Projection` names a consumer (its checkpoint key), the logical topics it reads, and how it
applies each event type: set-based SQL run once per batch (:mod:`shared.messaging.set_based`), or one
Python handler per event; :mod:`shared.messaging.batches` applies records to it, exactly once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from shared.contracts.base import Event
from shared.contracts.envelope import Envelope
from shared.messaging.set_based import Computed, Field, SetBased, Statements, WorkTable
from shared.storage.ports import ProjectionConnection

Handler = Callable[[ProjectionConnection, Envelope[Any]], Awaitable[None]]
BatchHook = Callable[[ProjectionConnection], Awaitable[None]]
EventFilter = Callable[[Envelope[Any]], bool]


class InboundRecord(NamedTuple):
    """A Kafka record as consumers hand it over; ``topic`` is the physical (prefixed) name."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]] = ()

    @classmethod
    def of(cls, record: Any) -> InboundRecord:
        """From an aiokafka ``ConsumerRecord`` (or anything with the same attributes)."""
        return cls(record.topic, record.partition, record.offset, record.key, record.value, tuple(record.headers))


class RejectEvent(Exception):
    """Raised by a handler to refuse one valid event for a domain reason.

    The handler's rows for that event are rolled back (SAVEPOINT), the event goes to the
    dead-letter topic with ``reason``, and the batch goes on. Other exceptions are dead-lettered the
    same way unless transient (see :mod:`shared.messaging.failures`): those fail the batch, for a retry.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Projection:
    """A read model: consumer ``name``, logical ``topics`` and a handler per event type.

    Register handlers declaratively::

        counts = Projection("intake.requests-per-commune", topics=(REQUESTS,))

        @counts.handles(RequestLogged)
        async def count(conn: AsyncConnection, envelope: Envelope[RequestLogged]) -> None: ...

    Handlers write rows with SQLAlchemy Core on the connection they are given (inside the batch
    transaction) and must do nothing outside it. Event types whose effect SQL says over a whole batch
    are declared with :meth:`in_sql` instead (:attr:`set_based`); the batch's handlers run first,
    then its SQL, so handlers and SQL of one projection write different tables.
    ``on_batch_end(conn)`` runs once per batch, after both and before the commit.
    """

    name: str
    topics: tuple[str, ...]
    handlers: dict[str, Handler] = field(default_factory=dict)
    on_batch_end: BatchHook | None = None
    set_based: SetBased | None = None

    def __post_init__(self) -> None:
        self.topics = tuple(self.topics)
        if not self.name or not self.topics:
            raise ValueError("a projection needs a name and at least one topic")

    def handles(self, *event_classes: type[Event]) -> Callable[[Handler], Handler]:
        """Decorator: ``handler`` applies events of ``event_classes``."""

        def register(handler: Handler) -> Handler:
            for cls in event_classes:
                self._check_new(cls)
                self.handlers[cls.event_type] = handler
            return handler

        return register

    def in_sql(self, *event_classes: type[Event], statements: Statements, fields: tuple[Field, ...] = (),
               payload: bool = True, computed: tuple[Computed, ...] = (),
               work_tables: tuple[WorkTable, ...] = ()) -> SetBased:
        """Apply ``event_classes`` with the set-based ``statements`` over their staged events, with the payload
        ``fields`` as columns, the payload's JSON unless ``payload`` is False, and the ``computed`` columns
        (see :mod:`shared.messaging.set_based`)."""
        if self.set_based is not None:
            raise ValueError(f"{self.name} already has its SQL")
        for cls in event_classes:
            self._check_new(cls)
        self.set_based = SetBased(self.name, frozenset(cls.event_type for cls in event_classes), statements,
                                  tuple(computed), tuple(work_tables), tuple(fields), payload)
        return self.set_based

    @property
    def event_types(self) -> frozenset[str]:
        """Every event type this projection applies, with a handler or in SQL."""
        in_sql = self.set_based.event_types if self.set_based is not None else frozenset()
        return frozenset(self.handlers) | in_sql

    def applies(self, event_type: str) -> bool:
        """True if a handler or the SQL of this projection applies events of ``event_type``."""
        return event_type in self.handlers or (self.set_based is not None and event_type in self.set_based.event_types)

    def _check_new(self, cls: type[Event]) -> None:
        if cls.topic not in self.topics:
            raise ValueError(f"{cls.event_type} is published on {cls.topic}, not read by {self.name}")
        if self.applies(cls.event_type):
            raise ValueError(f"{self.name} already handles {cls.event_type}")

    def at_batch_end(self, hook: BatchHook) -> BatchHook:
        """Decorator: set :attr:`on_batch_end`."""
        self.on_batch_end = hook
        return hook
