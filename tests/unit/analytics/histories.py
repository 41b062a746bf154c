"""A realistic federation history as the records a consumer reads (the benchmarks' generator, fixed seed)."""

from __future__ import annotations

from functools import cache

from bench.history import federation_history
from bench.produce import partition_of
from shared.messaging.projection import InboundRecord


@cache
def records(count: int) -> list[InboundRecord]:
    return [InboundRecord("t." + r.topic, partition_of(r.key, 3), offset, r.key, r.value, tuple(r.headers))
            for offset, r in enumerate(federation_history(count, seed=11))]
