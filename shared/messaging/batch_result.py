"""What applying a batch of Kafka records reports: :class:`BatchResult`, with its counts, dead letters
and checkpoint positions, and :func:`highest_offsets`, the per-partition positions a batch's
checkpoints record. :mod:`shared.messaging.batches` applies the batch and builds the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from shared.messaging.decoding import DeadLetter
from shared.messaging.projection import InboundRecord


@dataclass(frozen=True)
class BatchResult:
    """What :func:`~shared.messaging.batches.apply_batch` did with a batch.

    ``positions`` is the highest offset of the batch per (topic, partition), as saved in the
    checkpoints table.
    """

    applied: int = 0
    ignored: int = 0
    duplicates: int = 0
    excluded: int = 0
    dead_letters: tuple[DeadLetter, ...] = ()
    positions: Mapping[tuple[str, int], int] = field(default_factory=dict)

    @property
    def processed(self) -> int:
        """Events taken: applied plus those of types the projection ignores (see ``mark_ignored``)."""
        return self.applied + self.ignored


def highest_offsets(batch: Sequence[InboundRecord]) -> dict[tuple[str, int], int]:
    """The highest offset of ``batch`` per (topic, partition)."""
    positions: dict[tuple[str, int], int] = {}
    for record in batch:
        key = (record.topic, record.partition)
        positions[key] = max(positions.get(key, record.offset), record.offset)
    return positions
