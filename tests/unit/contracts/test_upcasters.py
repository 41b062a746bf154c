"""Each upcaster turns a stored old payload into exactly the current one."""

from __future__ import annotations

import orjson
import pytest

from shared.contracts.base import catalogue
from shared.contracts.codec import DecodeError, decode
from shared.contracts.upcasting import upcast
from tests.unit.contracts.golden import load_document


def upcast_fixture(event_type: str) -> dict:
    payload = load_document(event_type, 1)["payload"]
    return upcast(event_type, 1, catalogue()[event_type].schema_version, payload)


def test_request_logged_v1_fragile_flag_becomes_elderly() -> None:
    assert upcast_fixture("RequestLogged") == {
        "request_id": "req-lim-0412",
        "channel": "phone",
        "activity": "gardening",
        "commune": "87085",
        "availability": [{"starts_at": "2008-03-13T08:00:00Z", "ends_at": "2008-03-13T11:00:00Z"}],
        "fragile_publics": ["elderly"],
        "resident_id": "res-5c1e9a",
        "contact": load_document("RequestLogged", 1)["payload"]["contact"],
    }


def test_provider_assigned_v1_gets_an_empty_skip_list_and_every_candidate_eligible() -> None:
    assert upcast_fixture("ProviderAssigned") == {
        "request_id": "req-lim-0398",
        "provider_id": "prv-dupont-plomberie",
        "activity": "plumbing",
        "commune": "87085",
        "sector": "limoges-centre",
        "candidates": ["prv-sanitherm", "prv-dupont-plomberie", "prv-eau-limousin"],
        "rotation_position": 1,
        "skipped": [],
        "eligible": ["prv-sanitherm", "prv-dupont-plomberie", "prv-eau-limousin"],
        "deadline_at": "2008-03-05T09:00:00Z",
        "attempt": 1,
    }


def test_provider_assigned_v2_counts_the_skipped_candidates_out_of_the_eligible_ones() -> None:
    v2 = load_document("ProviderAssigned", 2)["payload"]
    assert upcast("ProviderAssigned", 2, 3, v2)["eligible"] == ["prv-jardins-du-limousin", "prv-brico-services"]
    assert upcast("ProviderAssigned", 2, 3, v2) == load_document("ProviderAssigned", 3)["payload"]


def test_intervention_done_v1_amount_becomes_labour_and_zero_travel() -> None:
    assert upcast_fixture("InterventionDone") == {
        "request_id": "req-lim-0398",
        "provider_id": "prv-dupont-plomberie",
        "resident_id": "res-19e0aa",
        "activity": "plumbing",
        "commune": "87085",
        "done_on": "2008-03-06",
        "labour_hours": "2.50",
        "labour_amount_excl_tax": "135.00",
        "travel_amount_excl_tax": "0.00",
        "amount_excl_tax": "135.00",
    }


@pytest.mark.parametrize(("hours", "amount", "expected_hours", "expected_amount"), [
    (2.5, 135, "2.50", "135.00"),
    ("1.25", "40.1", "1.25", "40.10"),
    (0, 0.005, "0.00", "0.01"),
    (7.333, 99.999, "7.33", "100.00"),
])
def test_intervention_done_v1_numbers_become_two_place_strings(hours, amount, expected_hours, expected_amount) -> None:
    payload = {**load_document("InterventionDone", 1)["payload"], "hours": hours, "amount": amount}
    upcast_payload = upcast("InterventionDone", 1, 2, payload)
    assert (upcast_payload["labour_hours"], upcast_payload["amount_excl_tax"]) == (expected_hours, expected_amount)


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("amount", "about forty", "'amount' is not a number"),
    ("amount", None, "'amount' must be a number"),
    ("hours", True, "'hours' must be a number"),
    ("hours", -1, "'hours' must be a non-negative number"),
    ("amount", "NaN", "'amount' must be a non-negative number"),
])
def test_bad_intervention_done_v1_is_rejected_with_the_field_named(field: str, value: object, reason: str) -> None:
    document = load_document("InterventionDone", 1)
    document["payload"][field] = value
    with pytest.raises(DecodeError, match="invalid InterventionDone") as caught:
        decode(orjson.dumps(document))
    assert reason in caught.value.reason


def test_intervention_done_v1_without_hours_is_rejected() -> None:
    document = load_document("InterventionDone", 1)
    del document["payload"]["hours"]
    with pytest.raises(DecodeError, match="'hours' must be a number"):
        decode(orjson.dumps(document))


@pytest.mark.parametrize("event_type", ["RequestLogged", "ProviderAssigned", "InterventionDone"])
def test_decoding_an_old_fixture_equals_validating_its_upcast_payload(event_type: str) -> None:
    envelope = decode(orjson.dumps(load_document(event_type, 1)))
    assert envelope.payload == catalogue()[event_type].model_validate(upcast_fixture(event_type))
    assert envelope.meta.schema_version == catalogue()[event_type].schema_version


def test_information_call_v1_counts_its_fixed_topic_in_the_home_services_group() -> None:
    v1 = load_document("InformationCallLogged", 1)["payload"]
    assert upcast_fixture("InformationCallLogged") == {**v1, "topic_group": "home_services"}
