"""What every event-sourced aggregate shares: its version, the events it recorded, its rebuilding from history.

A service's aggregate is a dataclass subclassing :class:`Aggregate`: it declares its state, decides in
its methods which events a command yields (:meth:`Aggregate.record`), and says in ``_apply`` how each
event changes its state, the same whether the event was just recorded or read back from the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

from shared.contracts.base import Event
from shared.contracts.envelope import Envelope


@dataclass(kw_only=True)
class Aggregate:
    """``version``: the version of the last stored event; ``pending``: events recorded since, not stored yet."""

    version: int = 0
    pending: list[Event] = field(default_factory=list)

    def replay(self, envelopes: Iterable[Envelope[Any]]) -> Self:
        """Apply the stored events, oldest first; the aggregate is then at the version of the last one."""
        for envelope in envelopes:
            self._observe(envelope)
            self._apply(envelope.payload)
            self.version = envelope.meta.aggregate_version
        return self

    def record(self, event: Event) -> None:
        """Apply a new event and keep it to be stored."""
        self._apply(event)
        self.pending.append(event)

    def take_pending(self, cause: Envelope[Any], *, aggregate_id: str, actor: str,
                     occurred_at: datetime) -> list[Envelope[Any]]:
        """The pending events as envelopes caused by ``cause`` (same correlation id), numbered after
        :attr:`version`; from then on they count as stored (the version moves past them)."""
        envelopes = [
            cause.caused(event, aggregate_id=aggregate_id, aggregate_version=self.version + index + 1, actor=actor,
                         occurred_at=occurred_at)
            for index, event in enumerate(self.pending)
        ]
        self.version, self.pending = self.version + len(envelopes), []
        return envelopes

    def _observe(self, envelope: Envelope[Any]) -> None:
        """What the aggregate keeps of a stored event's envelope (its platform, time or id), before applying it."""

    def _apply(self, event: Event) -> None:
        raise NotImplementedError(f"{type(self).__name__} applies no events")
