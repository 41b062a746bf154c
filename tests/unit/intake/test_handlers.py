"""Intake command handlers on fakes: no broker, no database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from services.intake.domain import commands as c
from services.intake.service_layer.handlers import IntakeHandlers
from shared.clock import FixedClock
from shared.contracts.events import intake as ie
from shared.errors import DomainError, NotFound
from shared.storage.fakes import FakeEventStore, FakeUnitOfWork
from tests.unit.intake.fakes import CONTACT, POLICIES, FakeSealer


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
    with pytest.raises(DomainError, match="pas proposée"):
        await handlers.log_request(request(activity="skydiving"))
    with pytest.raises(DomainError, match="pas desservie"):
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
    with pytest.raises(DomainError, match="déjà annulée"):
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
                                                        left_at_local="2026-03-01T18:40:00+01:00"))
    await handlers.complete_callback(c.CompleteCallback(platform_id="brenne", actor="operator:op-2", entry_id=entry,
                                                        outcome="request_logged"))
    assert [type(e.payload) for e in store.events] == [ie.InformationCallLogged, ie.VoicemailLogged, ie.VoicemailCalledBack]
    with pytest.raises(DomainError, match="n'attend plus"):
        await handlers.complete_callback(c.CompleteCallback(platform_id="brenne", actor="operator:op-2",
                                                            entry_id=entry, outcome="no_answer"))


async def test_a_request_carries_the_fragile_publics_it_names_not_the_activitys(
        handlers: IntakeHandlers, store: FakeEventStore) -> None:
    assert POLICIES["limoges"].activity("babysitting").fragile_publics == ["child_under_3"]
    await handlers.log_request(request(activity="babysitting"))  # a 6-year-old: no fragile public named
    await handlers.log_request(request(activity="gardening", fragile_publics=["elderly", "elderly"]))
    assert [e.payload.fragile_publics for e in store.events] == [[], ["elderly"]]


async def test_a_voicemail_is_refused_where_the_policy_has_no_answering_machine(
        handlers: IntakeHandlers, store: FakeEventStore) -> None:
    assert not POLICIES["limoges"].answering_machine
    with pytest.raises(DomainError, match="n'a pas de répondeur") as refused:
        await handlers.log_voicemail(c.LogVoicemail(platform_id="limoges", actor="operator:op-1", contact=CONTACT,
                                                    left_at_local="2026-03-01T18:40:00"))
    assert refused.value.status == 422 and refused.value.code == "no_answering_machine"
    assert store.events == []


@pytest.mark.parametrize(("window", "words"), [
    ({"starts_at": "2026-12-05T10:00:00", "ends_at": "2026-12-05T09:00:00+01:00"}, "doit indiquer le fuseau horaire"),
    ({"starts_at": "2026-12-05T10:00:00", "ends_at": "2026-12-05T12:00:00"}, "doit indiquer le fuseau horaire"),
    ({"starts_at": "0001-01-01T00:00:00+01:00", "ends_at": "9999-12-31T23:59:59-01:00"}, "entre les années 2000 et 2100"),
    ({"starts_at": "2026-12-01T08:00:00+01:00", "ends_at": "2027-03-01T08:00:00+01:00"}, "au plus 31 jours"),
    ({"starts_at": "2026-12-05T10:00:00+01:00", "ends_at": "2026-12-05T09:00:00+01:00"}, "finir après son début"),
])
def test_availability_windows_are_aware_bounded_and_short(window: dict[str, str], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        request(availability=[window])


async def test_a_window_reaches_the_event_as_the_contract_type(handlers: IntakeHandlers, store: FakeEventStore) -> None:
    window = {"starts_at": "2026-03-05T10:00:00+01:00", "ends_at": "2026-03-05T12:00:00+01:00"}
    await handlers.log_request(request(availability=[window]))
    [logged] = [e.payload for e in store.events]
    assert [(w.starts_at.isoformat(), w.ends_at.isoformat()) for w in logged.availability] == [
        ("2026-03-05T10:00:00+01:00", "2026-03-05T12:00:00+01:00")]
    assert ie.RequestLogged.model_validate_json(logged.model_dump_json()) == logged


@pytest.mark.parametrize("left_at", ["yesterday", "0001-01-01T10:00:00", "2026-13-01T10:00:00", ""])
def test_a_voicemail_time_must_be_an_iso_local_date_time(left_at: str) -> None:
    with pytest.raises(ValidationError, match="left_at_local"):
        c.LogVoicemail(platform_id="brenne", actor="operator:op-1", contact=CONTACT, left_at_local=left_at)


async def test_a_voicemail_cannot_be_left_in_the_future(handlers: IntakeHandlers, store: FakeEventStore) -> None:
    def voicemail(left_at: str) -> c.LogVoicemail:
        return c.LogVoicemail(platform_id="brenne", actor="operator:op-1", contact=CONTACT, left_at_local=left_at)

    with pytest.raises(DomainError, match="dans le futur"):
        await handlers.log_voicemail(voicemail("2026-03-02T11:00:00"))  # 10:00 UTC: 30 min after the clock
    await handlers.log_voicemail(voicemail("2026-03-02T10:35:00"))  # local (Paris) = 09:35 UTC: within tolerance
    await handlers.log_voicemail(voicemail("2026-03-02T09:00:00Z"))
    assert [e.payload.left_at_local for e in store.events] == ["2026-03-02T10:35:00", "2026-03-02T09:00:00Z"]
