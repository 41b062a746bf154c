"""Apache Kafka, the production broker, started from its jars without Docker.

``deploy/scripts/kafka-jars.sh`` (run by ``make system-deps``) copies the broker's classpath from
Maven Central into ``~/.cache/relais/kafka-<version>/libs``. :class:`KafkaCluster` writes a KRaft
``server.properties`` per node (each node both broker and controller, a static quorum of all nodes),
formats each node's storage with ``kafka.tools.StorageTool`` and starts ``kafka.Kafka`` with Java 17.
One node serves the tests; three nodes (replication factor 3, ``min.insync.replicas=2``) serve the
fault tests of a broker lost under load.

Unlike the embedded Tansu, Kafka keeps its records on disk: a node killed and started again comes
back with its data; :meth:`KafkaCluster.restart` wipes everything, as a broker lost for good would.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Self

from relais.devstack.ports import free_port, port_is_free
from relais.devstack.processes import deferred_signals, spawn, stop_process, stop_processes
from relais.devstack.tansu import BrokerError, BrokerNotReady, BrokerStartFailed, PortInUse
from shared.blocking import run_blocking
from shared.messaging.admin import MAX_REPLICATION_FACTOR, MIN_INSYNC_REPLICAS, accepts_connections, ensure_topics

KAFKA_VERSION = "4.1.1"
"""The Apache Kafka release the tests start (deploy/kafka/pom.xml pins the same one)."""

CACHE_ENV = "RELAIS_KAFKA_CACHE"


class KafkaNotInstalled(BrokerError):
    """Java or the broker's jars are missing; the message says how to get them."""


def kafka_libs() -> Path:
    """Folder of the broker's jars: ``$RELAIS_KAFKA_CACHE`` (default ``~/.cache/relais``)/kafka-<version>/libs."""
    root = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "relais")
    return root / f"kafka-{KAFKA_VERSION}" / "libs"


def kafka_available() -> bool:
    """Whether Java and a complete copy of the broker's jars are here."""
    return shutil.which("java") is not None and (kafka_libs() / ".complete").is_file()


def _java_command(main_class: str, *arguments: str, heap: str) -> list[str]:
    java = shutil.which("java")
    libs = kafka_libs()
    if java is None:
        raise KafkaNotInstalled("Java is not installed: Apache Kafka needs Java 17 (apt-get install openjdk-17-jre-headless)")
    if not (libs / ".complete").is_file():
        raise KafkaNotInstalled(
            f"Apache Kafka {KAFKA_VERSION} is not in {libs}: run `make system-deps` (it copies the jars from "
            "Maven Central with Maven and Java 17)"
        )
    return [java, f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseG1GC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            "-Djava.awt.headless=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp", f"{libs}/*", main_class, *arguments]


@dataclass
class KafkaNode:
    """One node of a :class:`KafkaCluster`: a broker and a controller in one JVM."""

    node_id: int
    port: int
    controller_port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def properties_file(self) -> Path:
        return self.folder / "server.properties"

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class KafkaCluster:
    """``size`` Apache Kafka nodes on loopback ports; a context manager (start on enter, stop on exit).

    ``start()`` formats the nodes' storage when new, starts them, waits until every broker is in
    the metadata and creates the bus topics (under ``topic_prefix``, replication factor
    ``min(size, 3)``, unless ``create_topics`` is false).
    """

    durable = True
    """Records survive a node killed and started again (Tansu's memory engine loses them)."""

    def __init__(
        self,
        size: int = 1,
        host: str = "127.0.0.1",
        *,
        port: int | None = None,
        topic_prefix: str = "",
        partitions: int | None = None,
        create_topics: bool = True,
        folder: Path | None = None,
        heap: str = "384m",
        startup_timeout: float = 90.0,
        stop_grace: float = 10.0,
    ) -> None:
        if size < 1:
            raise ValueError("a cluster has at least one node")
        self.size = size
        self.host = host
        self.topic_prefix = topic_prefix
        self.partitions = partitions
        self.create_topics = create_topics
        self.heap = heap
        self.startup_timeout = startup_timeout
        self.stop_grace = stop_grace
        self.replication_factor = min(size, MAX_REPLICATION_FACTOR)  # what ensure_topics gives the bus topics
        self.min_insync_replicas = MIN_INSYNC_REPLICAS if size >= MAX_REPLICATION_FACTOR else 1
        self.topics: list[str] = []
        self._own_folder = folder is None
        self.folder = folder or Path(tempfile.mkdtemp(prefix="relais-kafka-"))
        self.nodes = [
            KafkaNode(node_id=index + 1, port=port if (port and index == 0) else free_port(host),
                      controller_port=free_port(host), folder=self.folder / f"node-{index + 1}")
            for index in range(size)
        ]

    @property
    def bootstrap(self) -> str:
        """The bootstrap servers string clients connect to (every node)."""
        return ",".join(f"{self.host}:{node.port}" for node in self.nodes)

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        """The first node's process (what a single-broker caller reports)."""
        return self.nodes[0].process

    @property
    def running(self) -> bool:
        return any(node.running for node in self.nodes)

    @property
    def version(self) -> str:
        return KAFKA_VERSION

    def start(self) -> Self:
        """Start every node that is not running; wait until all answer; create the topics."""
        try:
            self._format_new_nodes()
            for node in self.nodes:
                if not node.running:
                    self._spawn(node)
            self.topics = run_blocking(self._until_ready(self.nodes), name="kafka-startup")
        except BaseException:
            self.stop()
            raise
        return self

    def start_node(self, index: int) -> None:
        """Start node ``index`` again (after :meth:`kill_node`) and wait until it is back in the metadata."""
        node = self.nodes[index]
        if not node.running:
            self._spawn(node)
        run_blocking(self._until_ready([node], create=False), name="kafka-node-startup")

    def kill_node(self, index: int) -> None:
        """Kill node ``index`` at once (SIGKILL), as a crash would; its data stays on disk."""
        self._end(self.nodes[index], signal.SIGKILL, 0.0)

    def stop(self) -> None:
        """Stop every node at once (SIGTERM: a controlled shutdown; SIGKILL after ``stop_grace``).

        A temporary folder of the cluster's own is removed.
        """
        running = [(node.process, signal.SIGTERM) for node in self.nodes if node.process is not None]
        stop_processes(running, grace=self.stop_grace)
        for node in self.nodes:
            node.process = None
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def kill(self) -> None:
        """Kill every node at once; the data stays, a later :meth:`start` brings it back."""
        for node in self.nodes:
            self._end(node, signal.SIGKILL, 0.0)

    def restart(self) -> Self:
        """Kill every node, wipe their storage and start an empty cluster (topics created again)."""
        self.kill()
        for node in self.nodes:
            shutil.rmtree(node.folder, ignore_errors=True)
        return self.start()

    def log_tail(self, lines: int = 20, index: int = 0) -> str:
        """The last lines node ``index`` wrote."""
        log = self.nodes[index].log
        if log is None:
            return ""
        log.flush()
        log.seek(0)
        return "\n".join(log.read().decode("utf-8", "replace").strip().splitlines()[-lines:])

    def _properties(self, node: KafkaNode) -> str:
        voters = ",".join(f"{other.node_id}@{self.host}:{other.controller_port}" for other in self.nodes)
        settings = {
            "process.roles": "broker,controller",
            "node.id": node.node_id,
            "controller.quorum.voters": voters,
            "listeners": f"PLAINTEXT://{self.host}:{node.port},CONTROLLER://{self.host}:{node.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{self.host}:{node.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": node.data_dir,
            "num.partitions": 1,
            "default.replication.factor": self.replication_factor,
            "min.insync.replicas": self.min_insync_replicas,
            "offsets.topic.replication.factor": self.replication_factor,
            "offsets.topic.num.partitions": 5,
            "transaction.state.log.replication.factor": self.replication_factor,
            "transaction.state.log.min.isr": self.min_insync_replicas,
            "transaction.state.log.num.partitions": 5,
            "share.coordinator.state.topic.replication.factor": self.replication_factor,
            "share.coordinator.state.topic.min.isr": self.min_insync_replicas,
            "group.initial.rebalance.delay.ms": 0,
            "group.min.session.timeout.ms": 500,
            "auto.create.topics.enable": "true",
            "log.segment.bytes": 64 * 1024 * 1024,
            "num.network.threads": 2,
            "num.io.threads": 4,
            "background.threads": 2,
            "log.cleaner.threads": 1,
            "unclean.leader.election.enable": "false",
        }
        return "".join(f"{key}={value}\n" for key, value in settings.items())

    def _format_new_nodes(self) -> None:
        cluster_id = None
        for node in self.nodes:
            if (node.data_dir / "meta.properties").exists():
                continue
            cluster_id = cluster_id or self._cluster_id()
            node.folder.mkdir(parents=True, exist_ok=True)
            node.properties_file.write_text(self._properties(node))
            command = _java_command("kafka.tools.StorageTool", "format", "-t", cluster_id, "-c",
                                    str(node.properties_file), "--ignore-formatted", heap="256m")
            result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
            if result.returncode != 0:
                raise BrokerStartFailed(f"formatting Kafka's storage failed:\n{result.stdout}{result.stderr}"[-2000:])

    @staticmethod
    def _cluster_id() -> str:
        """A KRaft cluster id: a base64url UUID of 22 characters, what ``kafka-storage random-uuid`` prints.

        Like Kafka's own, never one starting with "-" (the storage tool would read it as an option).
        """
        while True:
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            if not cluster_id.startswith("-"):
                return cluster_id

    def _spawn(self, node: KafkaNode) -> None:
        for port in (node.port, node.controller_port):
            if not port_is_free(port, self.host):
                raise PortInUse(f"cannot start Apache Kafka: {self.host}:{port} is already in use")
        command = _java_command("kafka.Kafka", str(node.properties_file), heap=self.heap)
        with deferred_signals():
            if node.log is not None:
                node.log.close()
            node.log = (node.folder / "broker.log").open("w+b")
            node.process = spawn(command, stdout=node.log, stderr=subprocess.STDOUT)

    def _end(self, node: KafkaNode, signum: int, grace: float) -> None:
        process, node.process = node.process, None
        if process is not None:
            stop_process(process, signum=signum, grace=grace)

    async def _until_ready(self, nodes: list[KafkaNode], create: bool = True) -> list[str]:
        deadline = time.monotonic() + self.startup_timeout
        wanted = {node.node_id for node in nodes}
        while True:
            for node in nodes:
                if node.process is None or node.process.poll() is not None:
                    code = node.process.returncode if node.process is not None else None
                    raise BrokerStartFailed(
                        f"Apache Kafka node {node.node_id} exited while starting (exit code {code})\n"
                        f"{self.log_tail(index=self.nodes.index(node))}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrokerNotReady(f"Apache Kafka at {self.bootstrap} did not answer within {self.startup_timeout:g}s\n"
                                     f"{self.log_tail()}")
            if wanted <= await self._brokers_in_metadata(min(remaining, 2.0)):
                break
            await asyncio.sleep(0.2)
        if not (create and self.create_topics):
            return []
        return await ensure_topics(self.bootstrap, self.topic_prefix, self.partitions)

    async def _brokers_in_metadata(self, timeout: float) -> set[int]:
        """Ids of the brokers the cluster's metadata lists now (empty while nothing answers yet)."""
        from aiokafka.admin import AIOKafkaAdminClient
        from aiokafka.errors import KafkaError

        for node in self.nodes:
            if node.running and not await accepts_connections(f"{self.host}:{node.port}", timeout):
                return set()
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=2000)
        try:
            await admin.start()
            cluster = await admin.describe_cluster()
        except (KafkaError, OSError):
            return set()
        finally:
            await admin.close()
        return {broker["node_id"] for broker in cluster["brokers"]}

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"KafkaCluster({self.size} node(s) at {self.bootstrap}, {state})"

