"""The whole platform on one machine: the four services as processes next to one broker.

Used by ``relais up`` and ``relais demo``; the broker itself is :class:`~relais.devstack.tansu.EmbeddedBroker`
(or, with ``--kafka``, :class:`~relais.devstack.kafka.KafkaCluster`).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from relais.devstack.ports import port_is_free
from relais.devstack.supervisor import Supervisor
from relais.devstack.tansu import FETCH_MAX_WAIT_MS as TANSU_FETCH_MAX_WAIT_MS
from relais.devstack.tansu import EmbeddedBroker
from shared.settings import DEFAULT_PORTS, SERVICES, Settings


class StackError(RuntimeError):
    """The platform could not be started; the message is meant for the user as is."""


class ChildDied(StackError):
    def __init__(self, name: str, code: int) -> None:
        super().__init__(f"{name} exited unexpectedly (exit code {code})")
        self.name = name
        self.code = code


@dataclass(frozen=True)
class ServiceProcess:
    """Where one service listens."""

    name: str
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def plan_services(host: str, ports: Mapping[str, int] | None = None, only: Iterable[str] = SERVICES) -> list[ServiceProcess]:
    """The services to run, on their default ports unless ``ports`` names another."""
    chosen = {**DEFAULT_PORTS, **(ports or {})}
    unknown = set(chosen) - set(SERVICES)
    if unknown:
        raise StackError(f"unknown service(s): {', '.join(sorted(unknown))}; known: {', '.join(SERVICES)}")
    return [ServiceProcess(name, host, chosen[name]) for name in only]


def check_ports_free(services: Iterable[ServiceProcess]) -> None:
    taken = [f"{service.host}:{service.port} ({service.name})" for service in services if not port_is_free(service.port, service.host)]
    if taken:
        raise StackError(f"port(s) already in use: {', '.join(taken)}; choose others with --port SERVICE=PORT")


def serve_argv(service: ServiceProcess, app_factory: str = "") -> list[str]:
    """The command that runs one service (``relais serve``) with this interpreter.

    ``app_factory`` (an import string, ``{service}`` filled in) replaces the factory of the registry
    (:data:`relais.services.REGISTRY`)."""
    argv = [sys.executable, "-m", "relais.cli.main", "serve", service.name, "--host", service.host,
            "--port", str(service.port)]
    return [*argv, "--app-factory", app_factory] if app_factory else argv


def broker_appropriate(settings: Settings, broker: object) -> Settings:
    """``settings`` with the consumers' fetch wait the broker needs, unless the user chose one.

    Apache Kafka answers a waiting fetch as soon as a record arrives, so the default long wait costs
    no latency and keeps idle consumers quiet; Tansu answers only when the wait ends, so on Tansu
    the wait is the latency floor of every hop and stays short.
    """
    if isinstance(broker, EmbeddedBroker) and "consumer_fetch_max_wait_ms" not in settings.model_fields_set:
        return settings.model_copy(update={"consumer_fetch_max_wait_ms": TANSU_FETCH_MAX_WAIT_MS})
    return settings


def service_env(settings: Settings) -> dict[str, str]:
    """This process's environment plus the settings every service must share."""
    env = dict(os.environ)
    env.update(
        RELAIS_KAFKA_BOOTSTRAP_SERVERS=settings.kafka_bootstrap_servers,
        RELAIS_TOPIC_PREFIX=settings.topic_prefix,
        RELAIS_DATA_DIR=str(settings.data_dir),
        RELAIS_HOST=settings.host,
        RELAIS_MATCHING_URL=settings.matching_url,
        RELAIS_EMPLOYMENT_URL=settings.employment_url,
        RELAIS_CONSOLE_URL=settings.console_url,
        RELAIS_TOKENS_FILE=str(settings.tokens_file or settings.data_dir / "tokens.yaml"),
        RELAIS_CONSUMER_FETCH_MAX_WAIT_MS=str(settings.consumer_fetch_max_wait_ms),
        RELAIS_CONSUMER_BATCH_TIMEOUT_MS=str(settings.consumer_batch_timeout_ms),
        PYTHONUNBUFFERED="1",
    )
    return env


def wait_healthy(services: Iterable[ServiceProcess], supervisor: Supervisor, timeout: float = 60.0) -> None:
    """Block until every service answers ``GET /health`` with 200; raise if one dies or the time runs out."""
    pending = {service.name: f"{service.url}/health" for service in services}
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while pending:
            if (ended := supervisor.exited()) is not None:
                raise ChildDied(*ended)
            for name, url in list(pending.items()):
                try:
                    if client.get(url).status_code == 200:
                        del pending[name]
                except httpx.TransportError:
                    pass
            if not pending:
                return
            if time.monotonic() > deadline:
                raise StackError(f"no answer from GET /health within {timeout:g}s: {', '.join(pending)}")
            time.sleep(0.2)


def load_demo(urls: dict[str, str], settings: Settings) -> dict[str, dict[str, str]]:
    """Load the demo federation into the running services (:func:`relais.devstack.demo.load_demo`)."""
    from relais.devstack.demo import load_demo as load

    return load(urls, settings)


def ensure_data_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
