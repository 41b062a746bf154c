"""decode() refuses anything that is not a valid event, and says why (the reason goes to the dead-letter topic)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from shared.contracts.codec import DecodeError, decode
from tests.unit.contracts.golden import PLATFORMS, load_document

Document = dict[str, Any]


def assigned() -> Document:
    return load_document("ProviderAssigned", 2)


def reason_for(value: bytes | None, **kwargs: Any) -> str:
    with pytest.raises(DecodeError) as caught:
        decode(value, **kwargs)
    return caught.value.reason


def changed(edit: Callable[[Document], None]) -> bytes:
    document = assigned()
    edit(document)
    return orjson.dumps(document)


@pytest.mark.parametrize(("value", "expected"), [
    (None, "empty record"),
    (b"", "empty record"),
    (b'{"meta": {', "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b"[1, 2]", "not an event"),
    (b'{"payload": {}}', "not an event"),
    (b'{"meta": {}, "payload": []}', "'payload' must be a JSON object"),
])
def test_records_that_are_not_event_documents(value: bytes | None, expected: str) -> None:
    assert expected in reason_for(value)


def test_unknown_event_type() -> None:
    value = changed(lambda d: d["meta"].update(event_type="ProviderTeleported"))
    assert reason_for(value) == "unknown event type 'ProviderTeleported'"


def test_version_newer_than_the_service_knows() -> None:
    value = changed(lambda d: d["meta"].update(schema_version=4))
    assert "schema version 4 is newer than this service knows (3)" in reason_for(value)


@pytest.mark.parametrize("version", [0, -1])
def test_invalid_version(version: int) -> None:
    value = changed(lambda d: d["meta"].update(schema_version=version))
    assert f"schema version {version} is not valid" in reason_for(value)


def test_missing_payload_field_is_named() -> None:
    value = changed(lambda d: d["payload"].pop("deadline_at"))
    assert reason_for(value) == "invalid ProviderAssigned: deadline_at: Field required"


def test_missing_metadata_field_is_named() -> None:
    value = changed(lambda d: d["meta"].pop("correlation_id"))
    assert reason_for(value) == "invalid ProviderAssigned: correlation_id: Field required"


def test_unknown_platform() -> None:
    value = changed(lambda d: d["meta"].update(platform_id="lyon"))
    assert reason_for(value, platforms=PLATFORMS) == "unknown platform 'lyon'"


def test_malformed_platform_id() -> None:
    value = changed(lambda d: d["meta"].update(platform_id="Limoges!"))
    assert "platform_id: String should match pattern" in reason_for(value)


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda d: d["payload"].update(rotation_position="third"), "rotation_position: Input should be a valid integer"),
    (lambda d: d["payload"].update(candidates="prv-a"), "candidates: Input should be a valid list"),
    (lambda d: d["payload"].update(deadline_at="tomorrow"), "deadline_at: Input should be a valid datetime"),
    (lambda d: d["payload"]["skipped"][0].update(reason="bored"), "skipped.0.reason: Input should be"),
    (lambda d: d["meta"].update(event_id="not-a-uuid"), "event_id: Input should be a valid UUID"),
    (lambda d: d["payload"].update(colour="blue"), "colour: Extra inputs are not permitted"),
])
def test_wrong_types_are_named(edit: Callable[[Document], None], expected: str) -> None:
    assert expected in reason_for(changed(edit))


@pytest.mark.parametrize("amount", [60.5, "60.5", "60,50", "1e2"])
def test_money_must_be_a_two_place_decimal_string(amount: object) -> None:
    document = load_document("InterventionDone", 2)
    document["payload"].update(amount_excl_tax=amount)
    assert "amount_excl_tax:" in reason_for(orjson.dumps(document))


def test_the_reason_names_the_event_type() -> None:
    document = load_document("FeeCharged", 1)
    document["payload"]["amount"] = 0.3
    assert reason_for(orjson.dumps(document)).startswith("invalid FeeCharged: amount:")
