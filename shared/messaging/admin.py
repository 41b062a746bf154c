"""Broker administration: wait for a broker to answer, create the topics of the bus, list their partitions."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable

from aiokafka import AIOKafkaClient, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from shared.contracts.topics import TOPICS, physical

_TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno
MAX_REPLICATION_FACTOR = 3
MIN_INSYNC_REPLICAS = 2
"""With 3 replicas a write needs 2 in sync: one broker may be lost without losing an acknowledged event."""


async def wait_until_ready(bootstrap: str, timeout: float = 30.0) -> None:
    """Return once the broker at ``bootstrap`` answers a metadata request.

    Raises ``TimeoutError`` if it has not answered within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"Kafka broker at {bootstrap} did not answer within {timeout:g}s: {last_error}")
        if not await accepts_connections(bootstrap, remaining):
            last_error = ConnectionRefusedError(f"nothing listening at {bootstrap}")
            await asyncio.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
            continue
        admin = AIOKafkaAdminClient(
            bootstrap_servers=bootstrap, request_timeout_ms=max(1000, int(min(remaining, 5.0) * 1000))
        )
        try:
            await admin.start()
            await admin.list_topics()
            return
        except (KafkaError, OSError) as error:
            last_error = error
        finally:
            await admin.close()
        await asyncio.sleep(min(0.1, max(0.0, deadline - time.monotonic())))


async def accepts_connections(bootstrap: str, timeout: float) -> bool:
    """Whether one of the bootstrap addresses accepts TCP connections (checked before
    asking aiokafka, which logs an error for every refused connection)."""
    for address in bootstrap.split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host.strip("[]"), int(port)), min(timeout, 2.0))
        except (TimeoutError, OSError):
            continue
        writer.close()
        with contextlib.suppress(OSError):  # a probe connection reset on close still proves the listener
            await writer.wait_closed()
        return True
    return False


async def ensure_topics(
    bootstrap: str,
    prefix: str = "",
    partitions: int | None = None,
    *,
    replication_factor: int | None = None,
) -> list[str]:
    """Create every topic of :data:`shared.contracts.topics.TOPICS` under ``prefix``.

    Partitions come from each topic's spec unless ``partitions`` overrides them. Replicas: as many
    as the cluster has brokers, up to 3, unless ``replication_factor`` says otherwise; with 3
    replicas a write needs 2 in sync (``min.insync.replicas=2``), so one broker may be lost without
    losing an acknowledged event. Topics that already exist are left as they are. Returns the
    physical names of all topics. Any other broker error is raised.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        await admin.start()
        if replication_factor is None:
            replication_factor = min(MAX_REPLICATION_FACTOR, len((await admin.describe_cluster())["brokers"]))
        configs = {"min.insync.replicas": str(MIN_INSYNC_REPLICAS)} if replication_factor >= MAX_REPLICATION_FACTOR else None
        wanted = [
            NewTopic(physical(spec.name, prefix), partitions or spec.partitions, replication_factor, topic_configs=configs)
            for spec in TOPICS
        ]
        response = await admin.create_topics(wanted)
    finally:
        await admin.close()
    for name, code, *details in response.topic_errors:
        if code not in (0, _TOPIC_ALREADY_EXISTS):
            message = details[0] if details and details[0] else ""
            raise for_code(code)(f"cannot create topic {name}: {message}".rstrip(": "))
    return [topic.name for topic in wanted]


async def partitions_of(bootstrap: str, topics: Iterable[str]) -> list[TopicPartition]:
    """The partitions of those of ``topics`` that exist, in the order given then by number.

    Asked with a metadata request for all topics: a consumer's ``topics()`` does not update the
    metadata behind its ``partitions_for_topic`` (Tansu happened to send every topic at bootstrap,
    Apache Kafka sends none).
    """
    client = AIOKafkaClient(bootstrap_servers=bootstrap)
    try:
        await client.bootstrap()
        cluster = await client.fetch_all_metadata()
    finally:
        await client.close()
    return [TopicPartition(topic, number) for topic in topics for number in sorted(cluster.partitions_for_topic(topic) or ())]

