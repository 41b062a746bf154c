"""``relais replay all`` on the running demo: every replayable projection rebuilds identical to the live one.

One intervention is carried through (contact, intervention, survey answered by phone, fee charged)
so that matching's fairness, feedback's satisfaction and billing's ledger all have rows; once the
services are idle, the replay must report "identical" for each projection of the catalogue. It compares
at the live consumers' checkpoints, so a live projection still a batch behind the bus needs no retry.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest

from relais.services import described_services
from tests.e2e.platform import Platform, broker_address
from tests.e2e.processes import Cli, DemoStack
from tests.polling import wait_for

pytestmark = pytest.mark.e2e
EXPECTED = {"intake.console", "intake.observatory", "matching.fairness", "feedback.satisfaction", "billing.ledger",
            "employment.figures", "intake.desk", "feedback.desk_satisfaction"}


def _carry_one_intervention_through(limoges: Platform, demo: DemoStack) -> None:
    request_id = limoges.log_request("gardening", "87085")
    provider_id = limoges.shown(request_id, lambda r: r["status"] == "assigned")["provider_id"]
    for action, body in (("contact", {}), ("intervention", {"done_on": limoges.day_logged(request_id), "labour_hours": "3.00",
                                                             "labour_amount_excl_tax": "90.00",
                                                             "travel_amount_excl_tax": "10.00"})):
        response = limoges.matching("POST", f"/requests/{request_id}/{action}", headers=limoges.coordinator, json=body)
        assert response.status_code == 204, response.text
    feedback = demo.urls["feedback"] + "/platforms/limoges"
    survey = wait_for(lambda: [s for s in httpx.get(f"{feedback}/surveys", headers=limoges.operator).json()
                               if s["request_id"] == request_id], lambda found: len(found) == 1, "the survey")[0]
    answered = httpx.post(f"{feedback}/surveys/{survey['survey_id']}/phone-answers", headers=limoges.operator, json={
        "outcome": "satisfied", "answers": {
            "provider": {"punctuality": 4, "quality": 5, "would_recommend": True},
            "platform": {"would_call_platform_again": True, "platform_made_it_easier": True}}})
    assert answered.status_code in (200, 201, 204), answered.text
    wait_for(lambda: httpx.get(f"{feedback}/satisfaction", headers=limoges.coordinator).text,
             lambda text: provider_id in text, "the answer in the satisfaction read model")
    wait_for(lambda: httpx.get(f"{demo.urls['billing']}/platforms/limoges/accounts/{provider_id}",
                               headers=limoges.coordinator).json(),
             lambda body: any(e.get("request_id") == request_id for e in body.get("entries", [])), "the fee in the ledger")


def _verdicts(output: str, names: set[str]) -> dict[str, str]:
    """``{projection: "identical" | "different"}`` from the replay's report lines."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"^(\S+) \(\w+\): [\d,]+ events processed.*?(identical|different)", line)
        if match and match.group(1) in names:
            found[match.group(1)] = match.group(2)
    return found


def _replay(cli: Callable[..., Cli], demo: DemoStack, *options: str) -> tuple[int, str]:
    env = {"RELAIS_DATA_DIR": str(demo.data_dir), "RELAIS_KAFKA_BOOTSTRAP_SERVERS": broker_address(demo), "COLUMNS": "200"}
    process = cli("replay", "all", *options, env=env)
    return process.finish(timeout=180), process.output


def test_replaying_every_projection_of_the_demo_gives_the_live_read_models(demo: DemoStack, cli) -> None:
    limoges = Platform(demo, "limoges", "lim-ecoutante-2", "lim-coordination")
    limoges.settle()
    _carry_one_intervention_through(limoges, demo)
    names = {spec.name for models in described_services() for spec in models.projections}
    assert EXPECTED <= names

    code, output = _replay(cli, demo)
    verdicts = _verdicts(output, names)
    assert code == 0, output
    assert verdicts == dict.fromkeys(names, "identical"), output
    assert re.search(r"replaying \d+ projections .*━", output), output

    code, output = _replay(cli, demo, "--jobs", "2")  # shared out by partition, the parts merged
    assert code == 0, output
    assert _verdicts(output, names) == dict.fromkeys(names, "identical"), output
