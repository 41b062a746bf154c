"""The Grafana dashboards of deploy/grafana/dashboards and their PromQL, as the tests read them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

GRAFANA_DIR = Path(__file__).resolve().parents[3] / "deploy" / "grafana"
DASHBOARDS = ("ops.json", "coordinators.json")

# What Grafana substitutes before sending a query. The windows cover a whole test run, so that a rate
# measured at the start of the traffic is still visible when the last panel is checked.
GRAFANA_VARIABLES = {"$__rate_interval": "10m", "$__interval": "5s", "$__range": "1h", "$platform": ".*"}


def dashboard(name: str) -> dict[str, Any]:
    return json.loads((GRAFANA_DIR / "dashboards" / name).read_text())


def panels(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel that queries (rows excluded, panels inside collapsed rows included)."""
    found = []
    for panel in document["panels"]:
        found.extend(panel.get("panels", []) if panel["type"] == "row" else [panel])
    return found


def queries(name: str) -> list[tuple[str, str, str]]:
    """(panel title, refId, PromQL with Grafana's variables substituted) of dashboard ``name``."""
    return [(panel["title"], target["refId"], substitute(target["expr"]))
            for panel in panels(dashboard(name)) for target in panel["targets"]]


def substitute(expr: str) -> str:
    for variable, value in sorted(GRAFANA_VARIABLES.items(), key=lambda item: -len(item[0])):
        expr = expr.replace(variable, value)
    return expr


def metric_names(expr: str) -> set[str]:
    """Names of the relais_/faststream_/up series an expression reads."""
    return set(re.findall(r"\b(relais_[a-z_]+|faststream_[a-z_]+|up)\b(?=\s*[{\[)])", expr))
