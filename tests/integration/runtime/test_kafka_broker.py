"""Apache Kafka started from the Maven jars (relais/devstack/kafka.py), and what differs from Tansu."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from relais.devstack.kafka import KAFKA_VERSION, KafkaCluster, KafkaNotInstalled
from relais.ops.topic_reader import read_all
from shared.contracts.topics import REQUESTS, physical
from shared.messaging.producer import create_producer, grants_producer_ids

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]


def test_the_runtime_starts_the_release_the_pom_pins() -> None:
    pom = (REPO / "deploy" / "kafka" / "pom.xml").read_text()
    assert re.search(r"<kafka.version>(.+)</kafka.version>", pom).group(1) == KAFKA_VERSION  # type: ignore[union-attr]


def test_missing_jars_are_a_message_saying_how_to_get_them(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RELAIS_KAFKA_CACHE", str(tmp_path))
    with pytest.raises(KafkaNotInstalled, match="make system-deps"):
        KafkaCluster(folder=tmp_path / "cluster").start()


async def test_apache_kafka_grants_producer_ids_and_tansu_does_not(  # type: ignore[no-untyped-def]
        kafka_cluster_factory, embedded_broker_factory) -> None:
    kafka = kafka_cluster_factory(1, create_topics=False)
    tansu = embedded_broker_factory(create_topics=False)
    assert await grants_producer_ids(kafka.bootstrap) is True
    assert await grants_producer_ids(tansu.bootstrap) is False


async def test_a_killed_node_comes_back_with_its_records_and_restart_wipes_them(kafka_cluster_factory) -> None:  # type: ignore[no-untyped-def]
    cluster = kafka_cluster_factory(1, topic_prefix="d.")
    topic = physical(REQUESTS, "d.")
    producer = create_producer(cluster.bootstrap, idempotent=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"kept", key=b"req-1")
    finally:
        await producer.stop()
    cluster.kill()
    cluster.start()
    assert [record.value for record in await read_all(cluster.bootstrap, topic)] == [b"kept"]
    cluster.restart()
    assert await read_all(cluster.bootstrap, topic) == []


@pytest.mark.skipif(shutil.which("kcat") is None, reason="Debian's kcat is not installed (make system-deps)")
async def test_the_readme_kcat_line_shows_headers_and_values_on_apache_kafka(kafka_cluster_factory) -> None:  # type: ignore[no-untyped-def]
    cluster = kafka_cluster_factory(1, topic_prefix="k.")
    topic = physical(REQUESTS, "k.")
    producer = AIOKafkaProducer(bootstrap_servers=cluster.bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b'{"payload": {}}', key=b"req-1",
                                     headers=[("event_type", b"RequestLogged"), ("schema_version", b"2")])
    finally:
        await producer.stop()
    shown = subprocess.run(["kcat", "-b", cluster.bootstrap, "-C", "-t", topic, "-f", "%h %s\\n", "-e", "-q"],
                           capture_output=True, text=True, timeout=60, check=True)
    assert shown.stdout.strip() == 'event_type=RequestLogged,schema_version=2 {"payload": {}}'


def test_cluster_ids_never_start_with_a_dash() -> None:
    assert not any(KafkaCluster._cluster_id().startswith("-") for _ in range(2000))
