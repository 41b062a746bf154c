"""The replay decodes with the live consumers' decoder: an event at its current version takes the codec's
short path, which gives exactly the envelope and the dead-letter reason of its full (upcasting) path."""

from __future__ import annotations

import orjson
import pytest

from shared.contracts.codec import DecodeError, _upcast_and_validate
from shared.messaging.decoding import decode_records
from shared.messaging.projection import InboundRecord
from tests.unit.analytics.histories import records


def full_path(value: bytes, platforms: set[str] | None = None):  # type: ignore[no-untyped-def]
    envelope = _upcast_and_validate(orjson.loads(value))
    if platforms is not None and envelope.meta.platform_id not in platforms:
        raise DecodeError(f"unknown platform {envelope.meta.platform_id!r}")
    return envelope


def test_same_envelopes_as_the_full_path_for_a_realistic_history() -> None:
    batch = records(3000)

    decoded, dead = decode_records(batch)

    assert dead == []
    assert [envelope for _, envelope in decoded] == [full_path(record.value) for record in batch]
    assert {type(envelope.payload).__name__ for _, envelope in decoded} >= {"RequestLogged", "ProviderAssigned", "FeeCharged"}


def broken(value: bytes) -> InboundRecord:
    return InboundRecord("t.relais.requests", 0, 0, b"k", value, ())


@pytest.mark.parametrize("mutate", [
    lambda doc: doc["payload"].update(activity="Not An Activity"),
    lambda doc: doc["meta"].update(event_type="NoSuchEvent"),
    lambda doc: doc["meta"].update(schema_version=1, platform_id="paris"),
    lambda doc: doc.pop("payload"),
    lambda doc: doc["meta"].update(schema_version="2"),
])
def test_same_outcome_as_the_full_path_for_odd_records(mutate) -> None:  # type: ignore[no-untyped-def]
    good = next(r for r in records(3000) if b'"RequestLogged"' in r.value)
    document = orjson.loads(good.value)
    mutate(document)
    record = broken(orjson.dumps(document))

    decoded, dead = decode_records([record], platforms={"limoges", "herault"})
    try:
        expected = [full_path(record.value, platforms={"limoges", "herault"})]
    except DecodeError as error:
        assert [letter.reason for letter in dead] == [error.reason] and decoded == []
    else:
        assert [envelope for _, envelope in decoded] == expected


def test_unknown_platforms_and_garbage_become_dead_letters() -> None:
    good = records(1)[0]

    decoded, dead = decode_records([good, broken(b"{not json"), broken(b"")], platforms={"nowhere"})

    assert decoded == []
    assert [letter.reason.split(":")[0] for letter in dead] == ["unknown platform 'limoges'", "not JSON", "empty record"]
