"""The Prometheus configuration and alert rules, checked by promtool; the rules' unit tests run."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.unit.deploy.tools import require_tool

PROMETHEUS_DIR = Path(__file__).resolve().parents[3] / "deploy" / "prometheus"


def promtool(*arguments: str) -> str:
    result = subprocess.run([require_tool("promtool"), *arguments], check=False, cwd=PROMETHEUS_DIR,
                            capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus-local.yml"])
def test_scrape_configuration_is_valid(config: str) -> None:
    assert "SUCCESS" in promtool("check", "config", config)


def test_alert_rules_are_valid() -> None:
    assert "SUCCESS: 6 rules found" in promtool("check", "rules", "alerts.yml")


def test_alert_rules_pass_their_unit_tests() -> None:
    assert "SUCCESS" in promtool("test", "rules", "alerts_test.yml")


def test_every_alert_has_a_unit_test() -> None:
    import yaml

    rules = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())
    tests = yaml.safe_load((PROMETHEUS_DIR / "alerts_test.yml").read_text())
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    firing = {case["alertname"] for test in tests["tests"] for case in test["alert_rule_test"] if case["exp_alerts"]}
    quiet = {case["alertname"] for test in tests["tests"] for case in test["alert_rule_test"] if not case["exp_alerts"]}
    assert alerts == firing == quiet
