"""Rules the payload classes enforce beyond field types."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from shared.contracts.base import catalogue
from shared.contracts.events.billing import PaymentRecorded, StatementIssued
from shared.contracts.events.intake import RequestLogged
from shared.contracts.events.matching import (
    InterventionCorrected,
    InterventionDone,
    ProviderAssigned,
    ProvidersOriented,
)
from shared.contracts.events.providers import AccreditationRecorded, ProviderAvailabilityChanged
from shared.contracts.topics import TOPICS
from tests.unit.contracts.golden import load_document


def payload(event_type: str, **changes: Any) -> dict[str, Any]:
    cls = catalogue()[event_type]
    return {**load_document(event_type, cls.schema_version)["payload"], **changes}


@pytest.mark.parametrize(("cls", "changes", "message"), [
    (ProviderAssigned, {"rotation_position": 0}, "candidates[rotation_position] must be the assigned provider"),
    (ProviderAssigned, {"rotation_position": 9}, "candidates[rotation_position] must be the assigned provider"),
    (ProviderAssigned, {"skipped": [{"provider_id": "prv-stranger", "reason": "unavailable"}]},
     "skipped providers not among the candidates"),
    (ProviderAssigned, {"eligible": ["prv-jardins-du-limousin", "prv-stranger"]}, "eligible providers not among the candidates"),
    (ProviderAssigned, {"eligible": ["prv-brico-services"]}, "the assigned provider must be among the eligible ones"),
    (ProviderAssigned, {"eligible": ["prv-vert-limousin", "prv-jardins-du-limousin"]}, "a skipped provider cannot be eligible"),
    (ProvidersOriented, {"providers": [{"provider_id": "a", "distance_km": "12.5"}, {"provider_id": "b", "distance_km": "3.0"}]},
     "nearest first"),
    (InterventionDone, {"travel_amount_excl_tax": "7.00"}, "amount_excl_tax must equal labour plus travel (61.00)"),
    (InterventionCorrected, {"amount_excl_tax": "60.50"}, "amount_excl_tax must equal labour plus travel (69.50)"),
    (StatementIssued, {"closing_balance": "48.41"}, "closing_balance must be opening + charged - paid (48.40)"),
    (PaymentRecorded, {"amount": "0.00"}, "a payment must be positive"),
    (AccreditationRecorded, {"expires_on": "2007-11-05"}, "must expire after it is issued"),
    (ProviderAvailabilityChanged, {"weekly": [{"weekday": "monday", "starts": "12:00:00", "ends": "08:00:00"}]},
     "must end after it starts"),
    (ProviderAvailabilityChanged, {"absences": [{"first_day": "2008-04-18", "last_day": "2008-04-14"}]},
     "must not end before it starts"),
    (RequestLogged, {"availability": [{"starts_at": "2026-12-05T10:00:00", "ends_at": "2026-12-05T09:00:00+01:00"}]},
     "start and end must both carry a time zone"),
])
def test_inconsistent_payloads_are_refused(cls: type, changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        cls.model_validate(payload(cls.__name__, **changes))


def test_old_events_with_extreme_or_naive_windows_still_validate() -> None:
    """Only commands bound the windows; events already on the bus keep validating on replay."""
    for window in ({"starts_at": "0001-01-01T00:00:00+01:00", "ends_at": "9999-12-31T23:59:59-01:00"},
                   {"starts_at": "2026-12-05T10:00:00", "ends_at": "2026-12-05T12:00:00"}):
        RequestLogged.model_validate(payload("RequestLogged", availability=[window]))


def test_a_negative_fee_adjustment_is_allowed() -> None:
    catalogue()["FeeAdjusted"].model_validate(payload("FeeAdjusted", amount="-0.05"))


@pytest.mark.parametrize("event_type", sorted(catalogue()))
def test_every_event_declares_a_known_topic_and_an_aggregate(event_type: str) -> None:
    cls = catalogue()[event_type]
    assert cls.topic in {topic.name for topic in TOPICS}
    assert cls.aggregate_type
    assert cls.__doc__


@pytest.mark.parametrize("event_type", sorted(catalogue()))
def test_every_payload_field_is_described(event_type: str) -> None:
    schema = catalogue()[event_type].model_json_schema()
    models = [schema, *(model for model in schema.get("$defs", {}).values() if "properties" in model)]
    undescribed = [f"{model['title']}.{name}" for model in models
                   for name, field in model["properties"].items() if "description" not in field]
    assert undescribed == []


@pytest.mark.parametrize("event_type", sorted(catalogue()))
def test_no_payload_field_is_a_float(event_type: str) -> None:
    schema = str(catalogue()[event_type].model_json_schema())
    assert "'type': 'number'" not in schema
