"""Every event type and version has a golden document, and every golden document decodes and round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.contracts.base import catalogue
from shared.contracts.codec import decode, encode, to_json_dict
from shared.contracts.upcasting import registered_upcasters
from tests.unit.contracts.golden import (
    PLATFORMS,
    all_fixture_paths,
    fixture_id,
    fixture_path,
    version_of,
)

CATALOGUE = catalogue()
FIXTURES = all_fixture_paths()
KEY_FIELD = {"provider": "provider_id", "request": "request_id", "survey": "request_id",
             "account": "provider_id", "resident": "resident_id", "seeker": "seeker_id",
             "information_session": "session_id", "training_cohort": "cohort_id", "job_opening": "opening_id",
             "visit": "visit_id", "visit_survey": "answer_id"}


@pytest.mark.parametrize("event_type", sorted(CATALOGUE))
def test_every_event_type_has_a_fixture_of_its_current_version(event_type: str) -> None:
    assert fixture_path(event_type, CATALOGUE[event_type].schema_version).is_file()


@pytest.mark.parametrize(("event_type", "from_version"), sorted(registered_upcasters()))
def test_every_upcast_version_has_a_fixture(event_type: str, from_version: int) -> None:
    assert fixture_path(event_type, from_version).is_file()


@pytest.mark.parametrize("path", FIXTURES, ids=fixture_id)
def test_fixture_is_a_known_version_of_a_known_type(path: Path) -> None:
    cls = CATALOGUE.get(path.parent.name)
    assert cls is not None, f"{path} is not a registered event type"
    version = version_of(path)
    assert 1 <= version <= cls.schema_version
    assert all((cls.event_type, step) in registered_upcasters() for step in range(version, cls.schema_version))


@pytest.mark.parametrize("path", FIXTURES, ids=fixture_id)
def test_fixture_metadata_matches_its_event_class(path: Path) -> None:
    document = json.loads(path.read_bytes())
    cls = CATALOGUE[path.parent.name]
    meta, payload = document["meta"], document["payload"]
    assert meta["event_type"] == cls.event_type
    assert meta["schema_version"] == version_of(path)
    assert meta["aggregate_type"] == cls.aggregate_type
    assert meta["platform_id"] in PLATFORMS
    assert payload[KEY_FIELD[cls.aggregate_type]] == meta["aggregate_id"]


@pytest.mark.parametrize("path", FIXTURES, ids=fixture_id)
def test_fixture_decodes_to_the_current_version(path: Path) -> None:
    cls = CATALOGUE[path.parent.name]
    envelope = decode(path.read_bytes(), platforms=PLATFORMS)
    assert type(envelope.payload) is cls
    assert envelope.meta.schema_version == cls.schema_version


@pytest.mark.parametrize("path", [p for p in FIXTURES if version_of(p) == CATALOGUE[p.parent.name].schema_version],
                         ids=fixture_id)
def test_current_fixture_is_exactly_what_a_producer_writes(path: Path) -> None:
    assert to_json_dict(decode(path.read_bytes())) == json.loads(path.read_bytes())


@pytest.mark.parametrize("path", FIXTURES, ids=fixture_id)
def test_encode_then_decode_gives_the_same_event(path: Path) -> None:
    envelope = decode(path.read_bytes())
    record = encode(envelope, topic_prefix="t-42.")
    assert record.topic == "t-42." + envelope.payload.topic
    assert record.key == envelope.meta.aggregate_id.encode()
    assert decode(record.value, platforms=PLATFORMS) == envelope


@pytest.mark.parametrize("path", FIXTURES, ids=fixture_id)
def test_headers_name_type_version_and_platform(path: Path) -> None:
    envelope = decode(path.read_bytes())
    headers = dict(encode(envelope).headers)
    assert headers["event_type"] == envelope.meta.event_type.encode()
    assert headers["schema_version"] == str(CATALOGUE[envelope.event_type].schema_version).encode()
    assert headers["platform_id"] == envelope.meta.platform_id.encode()
    assert headers["event_id"] == str(envelope.meta.event_id).encode()
    assert headers["correlation_id"] == str(envelope.meta.correlation_id).encode()


def test_fixtures_cover_every_platform() -> None:
    platforms = {json.loads(p.read_bytes())["meta"]["platform_id"] for p in FIXTURES}
    assert platforms == set(PLATFORMS)
