"""schemathesis over each service's OpenAPI, against the live services: no answer is ever a 5xx.

Cases are generated from the app's own ``openapi()`` (valid and invalid ones), sent with a
federation_admin token (the widest access), with path parameters drawn from real ids of three demo
platforms as well as arbitrary strings. The number of examples per operation is bounded (set
``RELAIS_SCHEMATHESIS_EXAMPLES`` for a longer run) and the generation is derandomised for CI.
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from shared.settings import SERVICES
from tests.security.federation import Federation

pytestmark = pytest.mark.integration

PLATFORMS = ("brenne", "mons-borinage", "val-de-marne")  # limoges and herault are for the other tests
EXAMPLES = int(os.environ.get("RELAIS_SCHEMATHESIS_EXAMPLES", "10"))
MODES = {GenerationMode.POSITIVE: EXAMPLES, GenerationMode.NEGATIVE: max(1, EXAMPLES // 2)}


def real_ids(federation: Federation) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {"platform_id": list(PLATFORMS), "request_id": [], "provider_id": [],
                                 "entry_id": [], "year": ["2026"], "period": ["2026-01"]}
    for platform_id in PLATFORMS:
        ids["request_id"] += [row["request_id"] for row in federation.requests(platform_id)]
        ids["provider_id"] += federation.providers(platform_id)
        ids["entry_id"] += federation.voicemails(platform_id)
    return {name: values for name, values in ids.items() if values}


def with_real_ids(document: dict[str, Any], ids: dict[str, list[str]]) -> dict[str, Any]:
    """The OpenAPI document with each known path parameter drawn from real ids or from its own schema."""
    document = copy.deepcopy(document)
    for item in document["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in ids:
                    values = ids[parameter["name"]]
                    schema = {"enum": values} if parameter["name"] == "platform_id" else {
                        "anyOf": [{"enum": values}, parameter["schema"]]}
                    parameter["schema"] = schema
    return document


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")  # schemathesis' own strategies
@pytest.mark.parametrize("service", SERVICES)
def test_no_generated_request_gets_a_server_error(federation: Federation, service: str) -> None:
    server = federation.stack.servers[service]
    schema = schemathesis.openapi.from_dict(with_real_ids(server.app.openapi(), real_ids(federation)))
    statuses: Counter[int] = Counter()
    errors: list[str] = []
    operations = 0
    no_invalid_input: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode, examples in MODES.items():

            @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def send(case: schemathesis.Case) -> None:
                response = case.call(base_url=server.url, headers=federation.admin, timeout=30)
                statuses[response.status_code] += 1
                if response.status_code >= 500:
                    errors.append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                                  f"{response.text[:300]}\n  {case.as_curl_command()}")

            try:
                send()
            except Unsatisfiable:
                if mode is GenerationMode.POSITIVE:
                    raise
                no_invalid_input.append(operation.label)
    print(f"\nschemathesis {schemathesis.__version__} on {service}: {operations} operations, "
          f"{sum(statuses.values())} requests, statuses {dict(sorted(statuses.items()))}; "
          f"{len(no_invalid_input)} operations take no invalid input")
    assert operations > 0
    assert not errors, f"{len(errors)} server errors:\n" + "\n".join(errors[:20])
