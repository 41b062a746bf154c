"""Grafana provisioning and dashboards: valid JSON, the provisioned datasource, metrics that exist."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from shared.service.runtime import ServiceRuntime
from shared.settings import Settings
from shared.storage.engine import create_engine
from shared.storage.tables import core_metadata
from tests.unit.deploy.dashboards import (
    DASHBOARDS,
    GRAFANA_DIR,
    dashboard,
    metric_names,
    panels,
    queries,
)

PROMETHEUS_DIR = GRAFANA_DIR.parent / "prometheus"


@pytest.fixture(scope="module")
def exposed(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Series names a service exposes (counters with _total, histograms with _bucket...)."""
    tmp: Path = tmp_path_factory.mktemp("runtime")
    runtime = ServiceRuntime("intake", Settings(kafka_bootstrap_servers="127.0.0.1:9", data_dir=tmp),
                             create_engine(f"sqlite+aiosqlite:///{tmp / 'x.db'}"), core_metadata(), tmp)
    names = set()
    for family in text_string_to_metric_families(generate_latest(runtime.registry).decode()):
        suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"]}.get(family.type, [""])
        names |= {family.name + suffix for suffix in suffixes}
    return names | {"up"}


def test_the_datasource_is_provisioned_with_the_uid_the_dashboards_use() -> None:
    provisioned = yaml.safe_load((GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml").read_text())
    [datasource] = provisioned["datasources"]
    assert datasource["type"] == "prometheus" and datasource["url"] == "http://prometheus:9090"
    for name in DASHBOARDS:
        for panel in panels(dashboard(name)):
            assert panel["datasource"]["uid"] == datasource["uid"], panel["title"]
            assert all(target["datasource"]["uid"] == datasource["uid"] for target in panel["targets"])


def test_the_dashboard_provider_loads_the_mounted_folder() -> None:
    provider = yaml.safe_load((GRAFANA_DIR / "provisioning" / "dashboards" / "relais.yml").read_text())
    [entry] = provider["providers"]
    compose = yaml.safe_load((GRAFANA_DIR.parents[1] / "docker-compose.yml").read_text())
    assert f"./deploy/grafana/dashboards:{entry['options']['path']}:ro" in compose["services"]["grafana"]["volumes"]


@pytest.mark.parametrize("name", DASHBOARDS)
def test_panels_have_unique_ids_titles_and_queries(name: str) -> None:
    document = dashboard(name)
    ids = [panel["id"] for panel in document["panels"]]
    assert len(ids) == len(set(ids))
    assert document["uid"].startswith("relais-")
    for panel in panels(document):
        assert panel["title"] and panel["targets"], panel
        assert all(target["expr"].strip() and target["refId"] for target in panel["targets"])


@pytest.mark.parametrize("name", DASHBOARDS)
def test_dashboards_read_metrics_the_services_expose(name: str, exposed: set[str]) -> None:
    for title, _, expr in queries(name):
        assert metric_names(expr), f"{title}: no metric in {expr}"
        assert metric_names(expr) <= exposed, f"{title}: unknown {metric_names(expr) - exposed}"
        assert "$" not in expr, f"{title}: a Grafana variable is left in {expr}"


def test_alert_rules_read_metrics_the_services_expose(exposed: set[str]) -> None:
    rules = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert metric_names(rule["expr"]) <= exposed, rule["alert"]


def test_ops_dashboard_covers_what_ops_watch() -> None:
    read = set().union(*(metric_names(expr) for _, _, expr in queries("ops.json")))
    assert {"relais_events_published_total", "relais_consumer_lag_records", "relais_dead_letters_total",
            "relais_relay_backlog_events", "up", "faststream_received_processed_messages_duration_seconds_bucket",
            "faststream_received_processed_messages_total"} <= read


def test_coordinators_dashboard_covers_demand_rotation_satisfaction_and_fees() -> None:
    read = set().union(*(metric_names(expr) for _, _, expr in queries("coordinators.json")))
    assert {"relais_requests_logged_total", "relais_information_calls_total", "relais_unmet_requests_total",
            "relais_assignments_total", "relais_orientations_total", "relais_deadlines_missed_total",
            "relais_surveys_sent_total", "relais_surveys_answered_total", "relais_fees_charged_euros_total"} <= read
