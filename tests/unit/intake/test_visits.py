"""Visits to a mediation desk on fakes: counted under the desk's topics, sealed contact only when a follow-up is promised."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from services.intake.domain import commands as c
from services.intake.service_layer.handlers import IntakeHandlers
from shared.clock import FixedClock
from shared.contracts.events import intake as ie
from shared.errors import DomainError
from shared.platforms.loader import load_policy
from shared.storage.fakes import FakeEventStore, FakeUnitOfWork
from tests.unit.intake.fakes import CONTACT, POLICIES, FakeSealer

DESK = load_policy(Path(__file__).resolve().parents[3] / "deploy" / "platforms" / "pimms-lyon.yaml")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 11:00 in Lyon


@pytest.fixture
def store() -> FakeEventStore:
    return FakeEventStore()


@pytest.fixture
def handlers(store: FakeEventStore) -> IntakeHandlers:
    return IntakeHandlers(uow=lambda: FakeUnitOfWork(store), sealer=FakeSealer(),
                          policies={**POLICIES, DESK.platform_id: DESK}, clock=FixedClock(NOW))


def visit(**overrides: Any) -> c.LogVisit:
    values = {"platform_id": "pimms-lyon", "actor": "mediator:lyon-med-1", "topic_asked": "water_bill",
              "actions": ["informed", "helped_online"], "minutes_spent": 15}
    return c.LogVisit(**{**values, **overrides})


async def test_a_visit_is_counted_under_its_topic_group_and_partner_with_no_personal_data(
        handlers: IntakeHandlers, store: FakeEventStore) -> None:
    visit_id = await handlers.log_visit(visit(commune="69259", visited_at_local="2026-12-01T10:40:00"))
    [envelope] = store.events
    event = envelope.payload
    assert isinstance(event, ie.VisitLogged)
    assert envelope.meta.aggregate_type == "visit" and envelope.meta.aggregate_id == visit_id == event.visit_id
    assert (event.topic_asked, event.topic_group, event.partner) == ("water_bill", "partner_services",
                                                                      "eau-du-grand-lyon")
    assert event.visited_at == datetime(2026, 12, 1, 9, 40, tzinfo=UTC)
    assert event.follow_up_contact is None and handlers.sealer.sealed == []


async def test_a_promised_follow_up_seals_the_visitors_contact(handlers: IntakeHandlers, store: FakeEventStore) -> None:
    await handlers.log_visit(visit(topic_asked="residence_permit", actions=["oriented", "appointment_made"],
                                   oriented_to="Préfecture du Rhône, service des étrangers", follow_up_contact=CONTACT))
    event = store.events[0].payload
    assert event.partner is None and event.oriented_to.startswith("Préfecture")
    assert event.follow_up_contact is not None and "Jeanne" not in event.model_dump_json()
    assert handlers.sealer.sealed == [CONTACT]
    assert event.visited_at == NOW


@pytest.mark.parametrize(("overrides", "message"), [
    ({"platform_id": "limoges"}, "n'est pas un point de médiation"),
    ({"topic_asked": "tax_advantages"}, "Ce sujet ne figure pas"),
    ({"commune": "87085"}, "pas dans le territoire"),
    ({"visited_at_local": "2026-12-01T14:00:00"}, "dans le futur"),
])
async def test_what_the_desk_cannot_count_is_refused_in_french(handlers: IntakeHandlers, store: FakeEventStore,
                                                               overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(DomainError, match=message) as refused:
        await handlers.log_visit(visit(**overrides))
    assert refused.value.status == 422
    assert store.events == []


@pytest.mark.parametrize("overrides", [
    {"actions": ["oriented"]}, {"oriented_to": "Mairie du 8e"}, {"actions": ["informed", "informed"]},
    {"actions": []}, {"minutes_spent": 0},
])
def test_an_incoherent_visit_is_refused_before_reaching_the_handler(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        visit(**overrides)


async def test_the_same_idempotency_key_counts_one_visit(handlers: IntakeHandlers, store: FakeEventStore) -> None:
    first = await handlers.log_visit(visit(idempotency_key="visit-key-0001"))
    again = await handlers.log_visit(visit(idempotency_key="visit-key-0001"))
    assert first == again and len(store.events) == 1
