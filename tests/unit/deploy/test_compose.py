"""docker-compose.yml, by structure (no Docker engine here to run it), and how Prometheus scrapes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.settings import DEFAULT_PORTS, SERVICES

REPO = Path(__file__).resolve().parents[3]
BROKERS = {"kafka-1", "kafka-2", "kafka-3"}
INFRASTRUCTURE = BROKERS | {"postgres", "prometheus", "grafana"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def published_ports(service: dict[str, Any]) -> list[tuple[int, int]]:
    """(host, container) pairs of ``ports: ["HOST:CONTAINER"]``."""
    pairs = []
    for mapping in service.get("ports", []):
        host, container = str(mapping).rsplit(":", 1)
        pairs.append((int(host.rsplit(":", 1)[-1]), int(container)))
    return pairs


def scrape_targets(config: str) -> dict[str, str]:
    """service label -> target of the ``relais`` job of ``deploy/prometheus/<config>``."""
    document = yaml.safe_load((REPO / "deploy" / "prometheus" / config).read_text())
    job = next(job for job in document["scrape_configs"] if job["job_name"] == "relais")
    return {static["labels"]["service"]: target for static in job["static_configs"] for target in static["targets"]}


def test_the_whole_stack_is_there(services: dict[str, Any]) -> None:
    assert set(services) == INFRASTRUCTURE | set(SERVICES)
    for broker in BROKERS:
        assert services[broker]["image"].startswith("apache/kafka:4.")
        assert services[broker]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services["postgres"]["image"].startswith("postgres:")


def test_every_service_has_a_health_check_and_an_image(services: dict[str, Any]) -> None:
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        assert service.get("image") or service.get("build"), f"{name} has neither image nor build"


def test_relais_services_run_one_image_with_their_own_database(services: dict[str, Any]) -> None:
    for name in SERVICES:
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/docker/Dockerfile"
        assert (REPO / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
        assert service["command"] == ["relais", "serve", name]
        environment = service["environment"]
        assert set(environment["RELAIS_KAFKA_BOOTSTRAP_SERVERS"].split(",")) == {f"{b}:9092" for b in BROKERS}
        assert environment["RELAIS_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert environment["RELAIS_DATABASE_URL"].endswith("/relais_{service}")
        assert any(f":{DEFAULT_PORTS[name]}/health" in part for part in service["healthcheck"]["test"])
        assert published_ports(service) == [(DEFAULT_PORTS[name], DEFAULT_PORTS[name])]


def test_the_init_script_creates_every_service_database(services: dict[str, Any]) -> None:
    mounts = [volume.split(":") for volume in services["postgres"]["volumes"]]
    script = next(REPO / source for source, target, *_ in mounts if target.startswith("/docker-entrypoint-initdb.d/"))
    text = script.read_text()
    for name in (*SERVICES, "vault"):
        assert f"CREATE DATABASE relais_{name};" in text


def test_published_host_ports_are_unique(services: dict[str, Any]) -> None:
    hosts = [host for service in services.values() for host, _ in published_ports(service)]
    assert len(hosts) == len(set(hosts)), sorted(hosts)


def test_dependencies_exist_and_wait_for_health(services: dict[str, Any]) -> None:
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
        for target, condition in depends_on.items():
            assert target in services and target != name, f"{name} depends on unknown {target}"
            assert condition == {"condition": "service_healthy"}, f"{name} -> {target}: {condition}"
            assert "healthcheck" in services[target]
    for name in SERVICES:
        assert BROKERS | {"postgres"} <= set(services[name]["depends_on"])


def test_three_brokers_keep_an_acknowledged_event_through_the_loss_of_one(services: dict[str, Any]) -> None:
    environments = [services[broker]["environment"] for broker in sorted(BROKERS)]
    assert sorted(int(environment["KAFKA_NODE_ID"]) for environment in environments) == [1, 2, 3]
    for environment in environments:
        assert len(environment["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")) == 3
        assert int(environment["KAFKA_DEFAULT_REPLICATION_FACTOR"]) == 3
        assert int(environment["KAFKA_MIN_INSYNC_REPLICAS"]) == 2
        assert int(environment["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"]) == 3
        assert environment["KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE"] == "false"


def test_bind_mounts_point_at_files_of_the_repository(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO / source).exists(), f"{name} mounts missing {source}"


def test_prometheus_scrapes_the_compose_services_on_their_ports(services: dict[str, Any]) -> None:
    targets = scrape_targets("prometheus.yml")
    assert set(targets) == set(SERVICES)
    for label, target in targets.items():
        host, port = target.split(":")
        assert host == label and host in services
        assert int(port) in [container for _, container in published_ports(services[host])]
    prometheus = services["prometheus"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]


def test_local_prometheus_scrapes_the_default_ports() -> None:
    assert scrape_targets("prometheus-local.yml") == {name: f"127.0.0.1:{port}" for name, port in DEFAULT_PORTS.items()}


def test_the_file_says_it_was_never_run() -> None:
    header = (REPO / "docker-compose.yml").read_text().split("\n\n")[0]
    assert "no Docker engine" in header
