"""Benchmark: intake POST -> ProviderAssigned visible in the console's read model, p50 and p99,
next to the raw broker produce -> consume round trip measured in the same run on the same broker.

Runs the broker and the services as processes, as ``relais up`` does, loads the demo directory,
measures each process's CPU while idle, then logs gardening requests for Limoges one after another.
Both brokers, one after the other: the embedded Tansu and Apache Kafka (when installed), each with
the consumer waits ``relais up`` gives it.

    python -m bench.latency [--requests 200] [--idle-seconds 60] [--broker tansu|kafka|both]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from relais.devstack import stack
from relais.devstack.demo import load_demo
from relais.devstack.kafka import KAFKA_VERSION, KafkaCluster, kafka_available
from relais.devstack.ports import free_port
from relais.devstack.supervisor import Supervisor
from relais.devstack.tansu import EmbeddedBroker
from shared.settings import load_settings

CONTACT = {"name": "Banc d'Essai", "phone": "05 36 49 00 99"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def raw_round_trip(bootstrap: str, count: int, fetch_max_wait_ms: int) -> list[float]:
    """Milliseconds from produce (acks=all) to the consumer receiving it, one message at a time."""
    topic = f"bench-roundtrip-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=f"bench-{uuid.uuid4().hex[:8]}", fetch_max_wait_ms=fetch_max_wait_ms)
    await producer.start()
    await consumer.start()
    try:
        await producer.send_and_wait(topic, b"warm-up")
        await consumer.getone()
        samples = []
        for index in range(count):
            started = time.perf_counter()
            await producer.send_and_wait(topic, str(index).encode())
            await consumer.getone()
            samples.append((time.perf_counter() - started) * 1000)
        return samples
    finally:
        await consumer.stop()
        await producer.stop()


def assignment_latency(intake: str, token: str, count: int) -> list[float]:
    """Milliseconds from POST /requests to the assigned provider shown by GET /requests/{id}."""
    headers = {"Authorization": f"Bearer {token}"}
    samples = []
    with httpx.Client(base_url=intake, headers=headers, timeout=10) as client:
        for _ in range(count):
            started = time.perf_counter()
            created = client.post("/platforms/limoges/requests", json={
                "channel": "phone", "activity": "gardening", "commune": "87085", "contact": CONTACT})
            created.raise_for_status()
            path = f"/platforms/limoges/requests/{created.json()['id']}"
            while True:
                shown = client.get(path)
                if shown.status_code == 200 and shown.json()["status"] in ("assigned", "unmet"):
                    break
                if time.perf_counter() - started > 30:
                    raise TimeoutError(f"{path} not assigned within 30 s")
                time.sleep(0.002)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


@contextmanager
def broker_of(kind: str) -> Iterator[EmbeddedBroker | KafkaCluster]:
    """A fresh broker of ``kind`` (``tansu`` or ``kafka``) on free ports, stopped afterwards."""
    broker: EmbeddedBroker | KafkaCluster = EmbeddedBroker(free_port()) if kind == "tansu" else KafkaCluster()
    with broker:
        yield broker


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cpu(processes: dict[str, int], seconds: float) -> dict[str, float]:
    """Share of one core each process used while nothing was asked of it, over ``seconds``."""
    before = {name: cpu_seconds(pid) for name, pid in processes.items()}
    time.sleep(seconds)
    return {name: (cpu_seconds(pid) - before[name]) / seconds for name, pid in processes.items()}


@dataclass
class BrokerFigures:
    broker: str
    idle: dict[str, float]
    assigned: list[float]
    raw: list[float]
    fetch_max_wait_ms: int


def measure(kind: str, requests: int, idle_seconds: float) -> BrokerFigures:
    """Idle CPU of every process, then assignment latency and the raw round trip, on a broker of ``kind``."""
    with tempfile.TemporaryDirectory(prefix="relais-bench-") as folder, broker_of(kind) as broker, \
            Supervisor(grace=5) as supervisor:
        settings = load_settings(data_dir=Path(folder), kafka_bootstrap_servers=broker.bootstrap, topic_prefix="")
        settings = stack.broker_appropriate(settings, broker)
        services = stack.plan_services("127.0.0.1", {name: free_port() for name in ("intake", "matching", "feedback", "billing")})
        env = stack.service_env(settings)
        for service in services:
            supervisor.spawn(service.name, stack.serve_argv(service), env=env)
        stack.wait_healthy(services, supervisor, 120)
        credentials = load_demo({s.name: s.url for s in services}, settings)
        token = credentials["limoges"]["lim-ecoutante-1"]
        url = next(s.url for s in services if s.name == "intake")
        assignment_latency(url, token, 5)
        time.sleep(5)  # let the demo's load settle before measuring idle
        assert broker.process is not None
        pids = {child.name: child.process.pid for child in supervisor.children} | {"broker": broker.process.pid}
        idle = idle_cpu(pids, idle_seconds)
        assigned = assignment_latency(url, token, requests)
        raw = asyncio.run(raw_round_trip(broker.bootstrap, requests, settings.consumer_fetch_max_wait_ms))
    return BrokerFigures(kind, idle, assigned, raw, settings.consumer_fetch_max_wait_ms)


def report(figures: BrokerFigures) -> None:
    name = {"tansu": "embedded Tansu", "kafka": f"Apache Kafka {KAFKA_VERSION}"}[figures.broker]
    p50, p99 = percentile(figures.assigned, 0.50), percentile(figures.assigned, 0.99)
    raw50, raw99 = percentile(figures.raw, 0.50), percentile(figures.raw, 0.99)
    idle = "  ".join(f"{process} {share * 100:.1f} %" for process, share in figures.idle.items())
    print(f"== {name} (consumer fetch wait {figures.fetch_max_wait_ms} ms)")
    print(f"idle CPU (share of one core): {idle}  total {sum(figures.idle.values()) * 100:.1f} %")
    print(f"intake POST -> assigned provider in the console read model ({len(figures.assigned)} sequential "
          f"requests): p50 {p50:.1f} ms  p99 {p99:.1f} ms  mean {statistics.fmean(figures.assigned):.1f} ms")
    print(f"raw broker produce -> consume round trip (same fetch wait): p50 {raw50:.1f} ms  p99 {raw99:.1f} ms")
    print(f"ratio (assignment / raw round trip): p50 {p50 / raw50:.1f}x  p99 {p99 / raw99:.1f}x")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--broker", choices=["tansu", "kafka", "both"], default="both")
    args = parser.parse_args(argv)
    kinds = ["tansu", "kafka"] if args.broker == "both" else [args.broker]
    if "kafka" in kinds and not kafka_available():
        print(f"Apache Kafka {KAFKA_VERSION} is not installed (make system-deps): measuring Tansu only")
        kinds.remove("kafka")
    for kind in kinds:
        report(measure(kind, args.requests, args.idle_seconds))


if __name__ == "__main__":
    main()
