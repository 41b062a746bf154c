"""What an outbox relay hands to its ``on_published`` hook: :class:`PublishedEvent`, one event it
has just delivered (its envelope's metadata and stored payload), and ``OnPublished``, the type of
the hook (see :class:`shared.messaging.relay.OutboxRelay`; :mod:`shared.observability.metrics`
counts these events).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import orjson

from shared.contracts.envelope import Metadata
from shared.messaging.publishing import OutboxRow


class PublishedEvent(NamedTuple):
    """An event the relay has just delivered: its envelope's metadata and payload (as stored)."""

    meta: Metadata
    payload: dict[str, Any]

    @classmethod
    def of_row(cls, row: OutboxRow) -> PublishedEvent:
        """The event stored in the outbox ``row``."""
        return cls(row.meta, orjson.loads(row.value)["payload"])


OnPublished = Callable[[Sequence[PublishedEvent]], None]
