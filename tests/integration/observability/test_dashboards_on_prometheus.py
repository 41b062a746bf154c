"""Every panel of the Grafana dashboards returns data from a real Prometheus scraping the running services.

The services run in-process (uvicorn, real broker, SQLite stores); Prometheus is the Debian package's
binary, scraping every second and loading the production alert rules. The dashboards' queries are
sent as Grafana would send them (its variables substituted: tests/unit/deploy/dashboards.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest

from shared.settings import SERVICES, Settings
from tests.integration.observability.live_services import (
    available_services,
    serving_all,
)
from tests.integration.observability.prometheus_server import (
    PrometheusServer,
    WaitTimedOut,
)
from tests.integration.observability.traffic import Traffic
from tests.unit.deploy.dashboards import DASHBOARDS, queries
from tests.unit.deploy.tools import require_tool

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

ALERT_RULES = Path(__file__).resolve().parents[3] / "deploy" / "prometheus" / "alerts.yml"
ZERO_IS_NEWS = {"Consumer lag by projection", "Consumer lag by partition", "Relay backlog", "Metric sampling failures"}
"""Panels for which 0 is a healthy answer; every other panel must show some activity of the traffic."""
PANEL_TIMEOUT_SECONDS = 60.0


def shows_activity(result: list[dict], zero_is_news: bool) -> bool:
    values = [float(series["value"][1]) for series in result]
    if zero_is_news:
        return bool(values)
    return any(not math.isnan(value) and value > 0 for value in values)


async def panels_lacking_data(prometheus: PrometheusServer) -> dict[str, str]:
    """'dashboard / panel [refId]' -> its query, for each query without data once the time is up."""
    pending = {f"{name} / {title} [{ref}]": (expr, title in ZERO_IS_NEWS)
               for name in DASHBOARDS for title, ref, expr in queries(name)}

    async def all_answered() -> bool:
        for key, (expr, zero_is_news) in list(pending.items()):
            if shows_activity(await prometheus.query(expr), zero_is_news):
                del pending[key]
        return not pending

    try:
        await prometheus.wait(all_answered, PANEL_TIMEOUT_SECONDS, "every panel to show data")
    except WaitTimedOut:
        pass  # the panels still pending are the answer
    return {key: expr for key, (expr, _) in pending.items()}


def scraped(prometheus: PrometheusServer, services: list[str]) -> Callable:
    async def every_service_scraped_once() -> bool:
        up = await prometheus.query('up{job="relais"} == 1')
        published = await prometheus.query('count by (service) (relais_events_published_total)')
        return {s["metric"]["service"] for s in up} == {s["metric"]["service"] for s in published} == set(services)

    return every_service_scraped_once


async def test_every_dashboard_panel_returns_data(service_settings: Callable[..., Settings], tmp_path: Path) -> None:
    binary = require_tool("prometheus")
    services = available_services()
    assert services == list(SERVICES), f"only {services} have an app: the traffic needs all four"
    settings = service_settings(test_clock=True)
    workdir = tmp_path / "prometheus"
    workdir.mkdir()

    async with serving_all(services, settings) as urls:
        prometheus = PrometheusServer(binary, workdir, {name: url.removeprefix("http://") for name, url in urls.items()},
                                      rule_files=[ALERT_RULES])
        await prometheus.start()
        try:
            await prometheus.wait(scraped(prometheus, services), 60, "a first scrape of every service")
            traffic = Traffic(urls, settings)
            await traffic.demo()
            await traffic.intervention_with_survey_answered()
            await traffic.missed_deadline()
            await traffic.undecodable_record()
            lacking = await panels_lacking_data(prometheus)
            unhealthy = [(rule["name"], rule.get("lastError")) for rule in await prometheus.rules()
                         if rule.get("health") != "ok"]
        finally:
            prometheus.stop()

    assert not lacking, "panels without data:\n" + "\n".join(f"- {key}: {expr}" for key, expr in lacking.items())
    assert not unhealthy, f"alert rules failing on real data: {unhealthy}"
