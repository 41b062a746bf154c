"""What a service's /metrics exposes, read back from the text format: names, types, units, labels."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import MetaData

from shared.service.app import build_app
from shared.service.runtime import ServiceRuntime
from shared.settings import Settings
from shared.storage.engine import create_engine
from shared.storage.tables import core_metadata

ALLOWED_LABELS = {"platform", "channel", "topic", "reason", "kind", "event_type", "consumer", "projection", "partition", "gauge"}
FASTSTREAM_LABELS = {"app_name", "broker", "handler", "status", "exception_type", "destination", "le"}
COUNTERS = {
    "relais_requests_logged", "relais_information_calls", "relais_assignments", "relais_orientations",
    "relais_deadlines_missed", "relais_unmet_requests", "relais_surveys_sent", "relais_surveys_answered",
    "relais_fees_charged_euros", "relais_events_published", "relais_dead_letters", "relais_metric_sampling_failures",
}
GAUGES = {"relais_relay_backlog_events", "relais_consumer_lag_records"}


def runtime(tmp_path: Path, metadata: MetaData | None = None) -> ServiceRuntime:
    settings = Settings(kafka_bootstrap_servers="127.0.0.1:9", data_dir=tmp_path)
    return ServiceRuntime("intake", settings, create_engine(f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"),
                          metadata or core_metadata(), tmp_path, platforms=frozenset({"limoges", "brenne"}))


def families(registry: CollectorRegistry) -> dict[str, object]:
    return {family.name: family for family in text_string_to_metric_families(generate_latest(registry).decode())}


def test_relais_metrics_have_the_expected_names_and_types(tmp_path: Path) -> None:
    exposed = families(runtime(tmp_path).registry)
    relais = {name: family for name, family in exposed.items()
              if name.startswith("relais_") and not name.endswith("_created")}  # _created: counters' start times
    assert {name for name, family in relais.items() if family.type == "counter"} == COUNTERS
    assert {name for name, family in relais.items() if family.type == "gauge"} == GAUGES
    assert "relais_fees_charged_euros" in relais


def test_counters_end_in_total_and_labels_stay_few(tmp_path: Path) -> None:
    for name, family in families(runtime(tmp_path).registry).items():
        assert name.startswith(("relais_", "faststream_")), name
        allowed = ALLOWED_LABELS if name.startswith("relais_") else FASTSTREAM_LABELS
        for sample in family.samples:
            assert set(sample.labels) <= allowed, (sample.name, sample.labels)
            assert not any(label.endswith("_id") for label in sample.labels), sample
            if family.type == "counter":
                assert sample.name.endswith(("_total", "_created")), sample.name


def test_faststream_metrics_are_on_the_service_registry(tmp_path: Path) -> None:
    exposed = families(runtime(tmp_path).registry)
    assert exposed["faststream_received_processed_messages_duration_seconds"].type == "histogram"
    assert exposed["faststream_received_messages"].type == "counter"


async def test_the_app_serves_its_own_registry_and_the_runtime_metrics(tmp_path: Path) -> None:
    service = runtime(tmp_path)
    own = CollectorRegistry()
    Counter("relais_console_pages_served", "Console pages.", registry=own).inc()
    app = build_app(title="t", runtime=service, routers=[], registry=own, state={})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://relais.test") as client:
        response = await client.get("/metrics/")
    assert response.status_code == 200
    exposed = {family.name for family in text_string_to_metric_families(response.text)}
    assert {"relais_console_pages_served", "relais_requests_logged", "relais_relay_backlog_events",
            "faststream_received_messages"} <= exposed
    await service.engine.dispose()


async def test_metrics_answers_with_and_without_the_trailing_slash(tmp_path: Path) -> None:
    service = runtime(tmp_path)
    app = build_app(title="t", runtime=service, routers=[], registry=service.registry, state={})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://relais.test") as client:
        bare, slashed = await client.get("/metrics"), await client.get("/metrics/")
    assert (bare.status_code, slashed.status_code) == (200, 200)  # not a 307 to /metrics/
    assert "relais_requests_logged_total" in bare.text
    assert "/metrics" not in app.openapi()["paths"]
    await service.engine.dispose()
