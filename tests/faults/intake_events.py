"""A realistic stream of intake events, the Kafka records of it, and malformed records.

Every aggregate's events share its key (the request id), so they land in one partition in order:
the stream's projections do not depend on how partitions interleave.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from shared.contracts.codec import encode
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events import intake as ie
from shared.contracts.types import Channel, Sealed
from shared.messaging.producer import create_producer

RawRecord = tuple[str, bytes | None, bytes | None, Sequence[tuple[str, bytes]]]
"""(physical topic, key, value, headers)."""

COMMUNES = {
    "limoges": ("87085", "87154"),
    "herault": ("34172", "34057"),
    "brenne": ("36123", "36010"),
    "val-de-marne": ("94028", "94081"),
    "mons-borinage": ("BE53053", "BE53044"),
}
ACTIVITIES = ("gardening", "housework", "small_repairs", "ironing")
START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)


def _sealed(resident_id: str) -> Sealed:
    return Sealed(resident_id=resident_id, nonce="bm9uY2U", ciphertext="c2VjcmV0")


def _envelope(payload: Any, platform: str, aggregate_id: str, version: int, at: datetime) -> Envelope[Any]:
    return new_envelope(payload, platform_id=platform, aggregate_id=aggregate_id, aggregate_version=version,
                        actor="operator:op-fault", occurred_at=at)


def aggregate_events(number: int, rng: random.Random, platforms: Sequence[str] = tuple(COMMUNES),
                     tag: str = "") -> list[Envelope[Any]]:
    """The events of one aggregate: a request (maybe cancelled), an information call or a voicemail."""
    platform = platforms[number % len(platforms)]
    commune = rng.choice(COMMUNES[platform])
    at = START + timedelta(days=number % 90, minutes=number)
    aggregate_id = f"f{tag}-{number}"
    kind = rng.random()
    if kind < 0.2:
        topic = rng.choice(list(ie.InformationTopic))
        return [_envelope(ie.InformationCallLogged(request_id=aggregate_id, channel=Channel.PHONE, topic_asked=topic,
                                                   topic_group=ie.HOME_SERVICES_GROUP,
                                                   answer="Réponse donnée", commune=commune), platform, aggregate_id, 1, at)]
    if kind < 0.35:
        resident = f"res-{tag}{number}"
        logged = _envelope(ie.VoicemailLogged(request_id=aggregate_id, resident_id=resident, contact=_sealed(resident),
                                              left_at_local=at.isoformat()), platform, aggregate_id, 1, at)
        back = _envelope(ie.VoicemailCalledBack(request_id=aggregate_id, outcome=ie.CallbackOutcome.INFORMATION_GIVEN),
                         platform, aggregate_id, 2, at + timedelta(hours=2))
        return [logged, back] if rng.random() < 0.7 else [logged]
    resident = f"res-{tag}{number}"
    logged = _envelope(ie.RequestLogged(request_id=aggregate_id, channel=rng.choice([Channel.PHONE, Channel.ONLINE_FORM]),
                                        activity=rng.choice(ACTIVITIES), commune=commune, resident_id=resident,
                                        contact=_sealed(resident)), platform, aggregate_id, 1, at)
    if rng.random() < 0.15:
        return [logged, _envelope(ie.RequestCancelled(request_id=aggregate_id, reason="plus besoin"), platform,
                                  aggregate_id, 2, at + timedelta(hours=1))]
    return [logged]


def event_stream(count: int, seed: int, *, platforms: Sequence[str] = tuple(COMMUNES), tag: str = "") -> list[Envelope[Any]]:
    """At least ``count`` events (whole aggregates), reproducible from ``seed``."""
    rng = random.Random(seed)
    events: list[Envelope[Any]] = []
    number = 0
    while len(events) < count:
        events.extend(aggregate_events(number, rng, platforms, tag))
        number += 1
    return events


def records_of(envelopes: Iterable[Envelope[Any]], topic_prefix: str) -> list[RawRecord]:
    out: list[RawRecord] = []
    for envelope in envelopes:
        record = encode(envelope, topic_prefix)
        out.append((record.topic, record.key, record.value, record.headers))
    return out


async def produce(bootstrap: str, records: Iterable[RawRecord]) -> int:
    """Send the records (in order per key) and wait for every acknowledgement; returns how many."""
    producer = create_producer(bootstrap, client_id="fault-producer")
    await producer.start()
    try:
        deliveries = [await producer.send(topic, value=value, key=key, headers=list(headers))
                      for topic, key, value, headers in records]
        for delivery in deliveries:
            await delivery
        return len(deliveries)
    finally:
        await producer.stop()


MALFORMED_KINDS = ("bad JSON", "unknown type", "future version", "missing field", "unknown platform")
EXPECTED_REASON = {"bad JSON": "not JSON", "unknown type": "unknown event type", "future version": "newer",
                   "missing field": "Field required", "unknown platform": "unknown platform"}


def malformed(number: int, unknown_platform: str, topic_prefix: str) -> tuple[str, RawRecord, Envelope[Any] | None]:
    """(kind, record, envelope) of the ``number``-th malformed record; the envelope of the valid event of an
    unknown platform (applied once the platform is known), else ``None``."""
    kind = MALFORMED_KINDS[number % len(MALFORMED_KINDS)]
    rng = random.Random(number)
    platform = unknown_platform if kind == "unknown platform" else "limoges"
    envelope = aggregate_events(number, rng, [platform], tag="bad")[0]
    topic, key, value, headers = records_of([envelope], topic_prefix)[0]
    document = orjson.loads(value or b"{}")
    if kind == "bad JSON":
        value = b'{"meta": {"event_type": ' + str(number).encode()
    elif kind == "unknown type":
        document["meta"]["event_type"] = "RequestTeleported"
        value = orjson.dumps(document)
    elif kind == "future version":
        document["meta"]["schema_version"] = 99
        value = orjson.dumps(document)
    elif kind == "missing field":
        document["payload"].pop("commune", None)
        document["payload"].pop("topic_asked", None)
        document["payload"].pop("resident_id", None)
        value = orjson.dumps(document)
    return kind, (topic, key, value, headers), envelope if kind == "unknown platform" else None
