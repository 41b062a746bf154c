"""Information topics are policy data: a call names a topic of its platform's policy and is counted in its group."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.intake.domain import commands as c
from services.intake.domain.timeline import summary_of
from services.intake.service_layer.handlers import IntakeHandlers
from shared.clock import FixedClock
from shared.contracts.events import intake as ie
from shared.errors import DomainError
from shared.storage.fakes import FakeEventStore, FakeUnitOfWork
from tests.unit.intake.fakes import POLICIES, FakeSealer


@pytest.fixture
def store() -> FakeEventStore:
    return FakeEventStore()


@pytest.fixture
def handlers(store: FakeEventStore) -> IntakeHandlers:
    return IntakeHandlers(uow=lambda: FakeUnitOfWork(store), sealer=FakeSealer(), policies=POLICIES,
                          clock=FixedClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC)))


def call(topic: str) -> c.LogInformationCall:
    return c.LogInformationCall(platform_id="limoges", actor="operator:op-1", channel="phone", topic_asked=topic,
                                answer="Réponse donnée")


async def test_a_call_names_a_topic_of_the_policy_and_records_its_group(handlers: IntakeHandlers,
                                                                        store: FakeEventStore) -> None:
    await handlers.log_information_call(call("employer_status"))
    [envelope] = store.events
    assert envelope.payload.topic_asked == "employer_status"
    assert envelope.payload.topic_group == ie.HOME_SERVICES_GROUP


async def test_a_topic_the_policy_does_not_list_is_refused_in_french(handlers: IntakeHandlers,
                                                                      store: FakeEventStore) -> None:
    with pytest.raises(DomainError, match="Ce sujet ne figure pas") as refused:
        await handlers.log_information_call(call("energy_bill"))
    assert refused.value.status == 422 and refused.value.field == "topic_asked"
    assert store.events == []


def test_every_home_service_platform_lists_the_four_former_topics_in_its_group() -> None:
    for policy in (policy for policy in POLICIES.values() if not policy.is_mediation_desk):
        for topic in ie.InformationTopic:
            group, _ = policy.topic(topic.value)
            assert group.code == ie.HOME_SERVICES_GROUP


def test_the_timeline_names_the_topic_by_its_policy_label() -> None:
    policy = POLICIES["limoges"]
    event = ie.InformationCallLogged(request_id="inf-1", channel="phone", topic_asked="rates",
                                     topic_group="home_services", answer="Tarifs")
    assert summary_of(event, policy.zone, policy) == "Appel d'information : Tarifs"
    removed = event.model_copy(update={"topic_asked": "housing_aid"})
    assert summary_of(removed, policy.zone, policy) == "Appel d'information : sujet retiré de la liste"
