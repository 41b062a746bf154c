"""Exactly one request per call: a command sent again with the same idempotency key records nothing new."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.intake.domain import commands as c
from services.intake.service_layer.handlers import IntakeHandlers
from shared.clock import FixedClock
from shared.contracts.types import Sealed
from shared.errors import Conflict
from shared.platforms.loader import load_policies
from shared.storage.fakes import FakeEventStore, FakeUnitOfWork

POLICIES = load_policies(Path(__file__).resolve().parents[3] / "deploy" / "platforms")
KEY = "4f1c2a9e-0b7d-4d55-9a3e-2f7c1d0e8b61"


class CountingSealer:
    def __init__(self) -> None:
        self.sealed = 0

    async def seal(self, resident_id: str, platform_id: str, data: dict[str, Any]) -> Sealed:
        self.sealed += 1
        return Sealed(resident_id=resident_id, nonce="bm9uY2U", ciphertext="c2VhbGVk")


@pytest.fixture
def store() -> FakeEventStore:
    return FakeEventStore()


@pytest.fixture
def handlers(store: FakeEventStore) -> IntakeHandlers:
    return IntakeHandlers(uow=lambda: FakeUnitOfWork(store), sealer=CountingSealer(), policies=POLICIES,
                          clock=FixedClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC)))


def request(**overrides: Any) -> c.LogRequest:
    values = {"platform_id": "limoges", "actor": "operator:op-1", "channel": "phone", "activity": "gardening",
              "commune": "87085", "contact": {"name": "Jeanne Test", "phone": "05 55 00 00 01"}}
    return c.LogRequest(**{**values, **overrides})


async def test_a_retried_request_returns_the_first_id_and_records_once(handlers: IntakeHandlers,
                                                                       store: FakeEventStore) -> None:
    first = await handlers.log_request(request(idempotency_key=KEY))
    again = await handlers.log_request(request(idempotency_key=KEY))

    assert again == first and len(store.events) == 1
    assert handlers.sealer.sealed == 1, "a retry seals nothing: no orphan resident key"


async def test_a_double_submission_at_the_same_moment_records_once(handlers: IntakeHandlers,
                                                                   store: FakeEventStore) -> None:
    ids = await asyncio.gather(*(handlers.log_request(request(idempotency_key=KEY)) for _ in range(3)))

    assert len(set(ids)) == 1 and len(store.events) == 1


async def test_keys_are_per_call_and_per_platform(handlers: IntakeHandlers, store: FakeEventStore) -> None:
    await handlers.log_request(request(idempotency_key=KEY))
    await handlers.log_request(request(idempotency_key=KEY + "-2"))
    await handlers.log_request(request())
    await handlers.log_request(request())
    await handlers.log_request(request(platform_id="herault", commune="34172", activity="gardening",
                                       idempotency_key=KEY))

    assert len({e.meta.aggregate_id for e in store.events}) == 5


async def test_information_calls_and_voicemails_are_idempotent_too(handlers: IntakeHandlers,
                                                                   store: FakeEventStore) -> None:
    call = c.LogInformationCall(platform_id="limoges", actor="operator:op-1", channel="phone", topic_asked="rates",
                                answer="Les tarifs sont libres.", idempotency_key=KEY)
    message = c.LogVoicemail(platform_id="brenne", actor="operator:op-1", idempotency_key=KEY,
                             contact={"name": "Odette", "phone": "02 54 00 00 01"}, left_at_local="2026-03-01T19:00:00")

    assert await handlers.log_information_call(call) == await handlers.log_information_call(call)
    assert await handlers.log_voicemail(message) == await handlers.log_voicemail(message)
    assert len(store.events) == 2


async def test_a_call_back_without_answer_keeps_the_message_waiting(handlers: IntakeHandlers,
                                                                    store: FakeEventStore) -> None:
    entry = await handlers.log_voicemail(c.LogVoicemail(platform_id="brenne", actor="operator:op-1",
                                                        contact={"name": "Odette", "phone": "02 54 00 00 01"},
                                                        left_at_local="2026-03-01T19:00:00"))
    complete = {"platform_id": "brenne", "actor": "operator:op-1", "entry_id": entry}
    await handlers.complete_callback(c.CompleteCallback(**complete, outcome="no_answer"))
    await handlers.complete_callback(c.CompleteCallback(**complete, outcome="no_answer"))
    await handlers.complete_callback(c.CompleteCallback(**complete, outcome="information_given"))

    with pytest.raises(Conflict):
        await handlers.complete_callback(c.CompleteCallback(**complete, outcome="not_needed"))
    assert [e.payload.outcome for e in store.events[1:]] == ["no_answer", "no_answer", "information_given"]
