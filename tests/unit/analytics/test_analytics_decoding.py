"""decode_fast gives exactly what the codec gives: same envelopes, same dead-letter reasons."""

from __future__ import annotations

import orjson
import pytest

from shared.analytics.decoding import decode_batch
from shared.contracts.codec import DecodeError, decode
from shared.messaging.decoding import decode_records
from shared.messaging.projection import InboundRecord
from tests.unit.analytics.histories import records


def test_same_envelopes_as_the_codec_for_a_realistic_history() -> None:
    batch = records(3000)

    fast, fast_dead = decode_batch(batch)
    slow, slow_dead = decode_records(batch)

    assert fast_dead == slow_dead == []
    assert [envelope for _, envelope in fast] == [envelope for _, envelope in slow]
    assert {type(envelope.payload).__name__ for _, envelope in fast} >= {"RequestLogged", "ProviderAssigned", "FeeCharged"}


def broken(value: bytes) -> InboundRecord:
    return InboundRecord("t.relais.requests", 0, 0, b"k", value, ())


@pytest.mark.parametrize("mutate", [
    lambda doc: doc["payload"].update(activity="Not An Activity"),
    lambda doc: doc["meta"].update(event_type="NoSuchEvent"),
    lambda doc: doc["meta"].update(schema_version=1, platform_id="paris"),
    lambda doc: doc.pop("payload"),
    lambda doc: doc["meta"].update(schema_version="2"),
])
def test_same_outcome_as_the_codec_for_odd_records(mutate) -> None:  # type: ignore[no-untyped-def]
    good = next(r for r in records(3000) if b'"RequestLogged"' in r.value)
    document = orjson.loads(good.value)
    mutate(document)
    record = broken(orjson.dumps(document))

    fast, fast_dead = decode_batch([record], platforms={"limoges", "herault"})
    try:
        expected = [decode(record.value, platforms={"limoges", "herault"})]
    except DecodeError as error:
        assert [dead.reason for dead in fast_dead] == [error.reason] and fast == []
    else:
        assert [envelope for _, envelope in fast] == expected


def test_unknown_platforms_and_garbage_become_dead_letters() -> None:
    good = records(1)[0]

    fast, dead = decode_batch([good, broken(b"{not json"), broken(b"")], platforms={"nowhere"})

    assert fast == []
    assert [letter.reason.split(":")[0] for letter in dead] == ["unknown platform 'limoges'", "not JSON", "empty record"]
