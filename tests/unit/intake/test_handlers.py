"""Intake command handlers on fakes: no broker, no database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.intake.domain import commands as c
from services.intake.service_layer.handlers import IntakeHandlers
from shared.clock import FixedClock
from shared.contracts.events import intake as ie
from shared.contracts.types import Sealed
from shared.errors import DomainError, NotFound
from shared.platforms.loader import load_policies
from shared.storage.fakes import FakeEventStore, FakeUnitOfWork

POLICIES = load_policies(Path(__file__).resolve().parents[3] / "deploy" / "platforms")
CONTACT = {"name": "Jeanne Test", "phone": "05 55 00 00 01"}


class FakeSealer:
    def __init__(self) -> None:
        self.sealed: list[dict[str, Any]] = []

    async def seal(self, resident_id: str, platform_id: str, data: dict[str, Any]) -> Sealed:
        self.sealed.append(data)
        return Sealed(resident_id=resident_id, nonce="bm9uY2U", ciphertext="c2VhbGVk")


@pytest.fixture
def store() -> FakeEventStore:
    return FakeEventStore()


@pytest.fixture
def handlers(store: FakeEventStore) -> IntakeHandlers:
    return IntakeHandlers(uow=lambda: FakeUnitOfWork(store), sealer=FakeSealer(), policies=POLICIES,
                          clock=FixedClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC)))


def request(**overrides: Any) -> c.LogRequest:
    values = {"platform_id": "limoges", "actor": "operator:op-1", "channel": "phone", "activity": "gardening",
              "commune": "87085", "contact": CONTACT}
    return c.LogRequest(**{**values, **overrides})


async def test_a_request_is_stored_with_its_contact_sealed(handlers: IntakeHandlers, store: FakeEventStore) -> None:
    request_id = await handlers.log_request(request())
    [envelope] = store.events
    assert isinstance(envelope.payload, ie.RequestLogged)
    assert envelope.meta.aggregate_id == request_id and envelope.meta.aggregate_version == 1
    assert envelope.meta.platform_id == "limoges" and envelope.meta.actor == "operator:op-1"
    assert envelope.meta.occurred_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert "Jeanne" not in envelope.payload.model_dump_json()
    assert handlers.sealer.sealed == [{"name": "Jeanne Test", "phone": "05 55 00 00 01"}]


async def test_unknown_activity_or_commune_is_refused_and_nothing_is_written(handlers: IntakeHandlers,
                                                                              store: FakeEventStore) -> None:
    with pytest.raises(DomainError, match="taxonomy"):
        await handlers.log_request(request(activity="skydiving"))
    with pytest.raises(DomainError, match="not served"):
        await handlers.log_request(request(commune="34172"))
    assert store.events == []


async def test_an_unknown_platform_is_not_found(handlers: IntakeHandlers) -> None:
    with pytest.raises(NotFound):
        await handlers.log_request(request(platform_id="atlantis"))


async def test_cancel_appends_version_two_caused_by_the_request(handlers: IntakeHandlers, store: FakeEventStore) -> None:
    request_id = await handlers.log_request(request())
    await handlers.cancel_request(c.CancelRequest(platform_id="limoges", actor="operator:op-1", request_id=request_id,
                                                  reason="  found   someone  "))
    logged, cancelled = store.events
    assert isinstance(cancelled.payload, ie.RequestCancelled) and cancelled.payload.reason == "found someone"
    assert cancelled.meta.aggregate_version == 2
    assert cancelled.meta.correlation_id == logged.meta.correlation_id
    assert cancelled.meta.causation_id == logged.meta.event_id
    with pytest.raises(DomainError, match="already cancelled"):
        await handlers.cancel_request(c.CancelRequest(platform_id="limoges", actor="operator:op-1", request_id=request_id))


async def test_another_platform_cannot_cancel(handlers: IntakeHandlers) -> None:
    request_id = await handlers.log_request(request())
    with pytest.raises(NotFound):
        await handlers.cancel_request(c.CancelRequest(platform_id="herault", actor="operator:x", request_id=request_id))


async def test_information_call_and_voicemail_queue(handlers: IntakeHandlers, store: FakeEventStore) -> None:
    await handlers.log_information_call(c.LogInformationCall(platform_id="limoges", actor="operator:op-1",
                                                             channel="phone", topic_asked="rates", answer="Tarifs"))
    entry = await handlers.log_voicemail(c.LogVoicemail(platform_id="brenne", actor="system:answering-machine",
                                                        contact={**CONTACT, "message": "rappelez-moi"},
                                                        left_at_local="2026-03-05T18:40:00+01:00"))
    await handlers.complete_callback(c.CompleteCallback(platform_id="brenne", actor="operator:op-2", entry_id=entry,
                                                        outcome="request_logged"))
    assert [type(e.payload) for e in store.events] == [ie.InformationCallLogged, ie.VoicemailLogged, ie.VoicemailCalledBack]
    with pytest.raises(DomainError, match="not waiting"):
        await handlers.complete_callback(c.CompleteCallback(platform_id="brenne", actor="operator:op-2",
                                                            entry_id=entry, outcome="no_answer"))


async def test_an_activity_for_a_fragile_public_marks_the_request(handlers: IntakeHandlers, store: FakeEventStore) -> None:
    fragile = [a for a in POLICIES["limoges"].activities if a.fragile_publics]
    if not fragile:
        pytest.skip("no fragile-public activity in the Limoges taxonomy")
    await handlers.log_request(request(activity=fragile[0].code))
    assert set(store.events[0].payload.fragile_publics) >= set(fragile[0].fragile_publics)
