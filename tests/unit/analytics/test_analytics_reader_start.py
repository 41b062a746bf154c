"""A HistoryReader whose consumer cannot start stops that consumer before the error propagates."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from aiokafka.errors import KafkaConnectionError

from relais.replay import reader


class UnreachableConsumer:
    made: ClassVar[list[UnreachableConsumer]] = []

    def __init__(self, **_: Any) -> None:
        self.stopped = False
        UnreachableConsumer.made.append(self)

    async def start(self) -> None:
        raise KafkaConnectionError("Unable to bootstrap from [('127.0.0.1', 1)]")

    async def stop(self) -> None:
        self.stopped = True


async def test_a_consumer_that_cannot_start_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    UnreachableConsumer.made.clear()
    monkeypatch.setattr(reader, "AIOKafkaConsumer", UnreachableConsumer)

    with pytest.raises(KafkaConnectionError):
        async with reader.HistoryReader("127.0.0.1:1", ["requests"]):
            pytest.fail("the reader opened")

    (consumer,) = UnreachableConsumer.made
    assert consumer.stopped
