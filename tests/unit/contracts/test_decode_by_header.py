"""Decoding with the ``event_type`` header (each type's own envelope validating the raw bytes) gives exactly
what the full path gives, for the golden document of every event type and version, upcast old ones included,
and the same refusals; with the types a job handles, the other known types are left out undecoded."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import orjson
import pytest

from shared.contracts.base import catalogue
from shared.contracts.codec import DecodeError, _typed_from_bytes, decode, encode, event_type_of, to_json_dict
from shared.messaging.decoding import decode_records
from shared.messaging.projection import InboundRecord
from tests.unit.contracts.golden import PLATFORMS, all_fixture_paths, fixture_id, load_bytes, version_of

CATALOGUE = catalogue()
FIXTURES = all_fixture_paths()


def full(value: bytes, platforms: Any = None) -> Any:
    """The full path: no header, the document parsed to dicts, upcast, then validated."""
    return decode(value, platforms=platforms)


def record(value: bytes, event_type: str | None, offset: int = 0) -> InboundRecord:
    headers = () if event_type is None else (("event_type", event_type.encode()), ("schema_version", b"1"))
    return InboundRecord("t.relais.requests", 0, offset, b"k", value, headers)


@pytest.mark.parametrize("path", FIXTURES, ids=fixture_id)
def test_every_golden_event_decodes_by_its_header_exactly_as_by_the_full_path(path: Path) -> None:
    value = path.read_bytes()
    event_type = path.parent.name

    by_header = decode(value, platforms=PLATFORMS, event_type=event_type)
    expected = full(value, platforms=PLATFORMS)

    assert by_header == expected
    assert type(by_header.payload) is type(expected.payload) is CATALOGUE[event_type]
    assert to_json_dict(by_header) == to_json_dict(expected)
    assert by_header.meta.schema_version == CATALOGUE[event_type].schema_version


@pytest.mark.parametrize("path", FIXTURES, ids=fixture_id)
def test_current_versions_take_the_typed_envelope_and_old_ones_the_upcasting_path(path: Path) -> None:
    current = version_of(path) == CATALOGUE[path.parent.name].schema_version

    assert (_typed_from_bytes(path.parent.name, path.read_bytes()) is not None) is current


@pytest.mark.parametrize("path", FIXTURES, ids=fixture_id)
def test_the_record_of_every_golden_event_decodes_with_its_own_headers(path: Path) -> None:
    produced = encode(full(path.read_bytes()))
    inbound = InboundRecord(produced.topic, 0, 0, produced.key, produced.value, tuple(produced.headers))

    assert event_type_of(inbound.headers) == path.parent.name
    decoded, dead = decode_records([inbound], PLATFORMS)

    assert dead == [] and [envelope for _, envelope in decoded] == [full(produced.value)]


def test_a_header_naming_another_type_changes_nothing() -> None:
    value = load_bytes("RequestLogged", 2)

    assert decode(value, event_type="ProviderAssigned") == full(value)
    assert decode(value, event_type="NoSuchEvent") == full(value)


def _mutated(mutate: Any) -> bytes:
    document = orjson.loads(load_bytes("RequestLogged", 2))
    mutate(document)
    return orjson.dumps(document)


@pytest.mark.parametrize("mutate", [
    lambda doc: doc["payload"].update(activity=""),
    lambda doc: doc["payload"].update(unexpected="field"),
    lambda doc: doc["meta"].update(event_type="NoSuchEvent"),
    lambda doc: doc["meta"].update(event_type="ProviderAssigned"),
    lambda doc: doc["meta"].update(schema_version=1),
    lambda doc: doc["meta"].update(schema_version=9),
    lambda doc: doc["meta"].update(schema_version="2"),
    lambda doc: doc["meta"].update(platform_id="paris"),
    lambda doc: doc["meta"].update(platform_id="Not A Platform"),
    lambda doc: doc["meta"].pop("occurred_at"),
    lambda doc: doc.pop("payload"),
    lambda doc: doc.update(payload=[1, 2]),
    lambda doc: doc.update(extra="ignored"),
])
def test_odd_documents_get_the_full_paths_envelope_or_reason(mutate: Any) -> None:
    value = _mutated(mutate)
    platforms = ("limoges", "herault")
    try:
        expected = full(value, platforms)
    except DecodeError as error:
        with pytest.raises(DecodeError) as refused:
            decode(value, platforms=platforms, event_type="RequestLogged")
        assert refused.value.reason == error.reason
    else:
        assert decode(value, platforms=platforms, event_type="RequestLogged") == expected


@pytest.mark.parametrize("value", [b"", b"{not json", b"[]", b'{"meta": {}}'])
def test_garbage_is_refused_with_the_same_reason(value: bytes) -> None:
    with pytest.raises(DecodeError) as without:
        decode(value)
    with pytest.raises(DecodeError) as with_header:
        decode(value, event_type="RequestLogged")
    assert with_header.value.reason == without.value.reason


def test_types_no_projection_handles_are_left_out_undecoded() -> None:
    logged, assigned = load_bytes("RequestLogged", 2), load_bytes("ProviderAssigned", 3)
    batch = [record(logged, "RequestLogged", 0), record(assigned, "ProviderAssigned", 1),
             record(b"{broken", "ProviderAssigned", 2), record(b"{broken", "NoSuchEvent", 3),
             record(assigned, None, 4), record(b"{broken", None, 5)]

    decoded, dead = decode_records(batch, handled={"RequestLogged"})

    assert [(r.offset, envelope) for r, envelope in decoded] == [(0, full(logged)), (4, full(assigned))]
    assert [letter.record.offset for letter in dead] == [3, 5]


def test_without_the_handled_types_every_record_is_decoded() -> None:
    assigned = load_bytes("ProviderAssigned", 3)

    decoded, dead = decode_records([record(assigned, "ProviderAssigned"), record(b"{broken", "ProviderAssigned", 1)])

    assert [envelope for _, envelope in decoded] == [full(assigned)]
    assert [letter.reason.split(":")[0] for letter in dead] == ["not JSON"]


def test_an_envelope_decoded_by_its_header_pickles() -> None:
    envelope = decode(load_bytes("RequestLogged", 2), event_type="RequestLogged")

    assert pickle.loads(pickle.dumps(envelope)) == envelope
