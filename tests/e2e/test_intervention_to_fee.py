"""From a logged call to an answered survey and a charged fee, services as processes (issue 4).

An operator logs a gardening request in Limoges; the provider in turn confirms contact and
declares the intervention (labour 120.00, travel 15.00); feedback sends the survey, the operator
records the answers given by phone; billing charges the fee of the provider's kind (5 % of labour
+ travel for artisans and companies: 6.75; EUR 0.10 per hour for associations: 0.40 for 4 h).
"""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from tests.e2e.platform import Platform
from tests.e2e.processes import DemoStack
from tests.polling import wait_for

pytestmark = pytest.mark.e2e
EXPECTED_FEE = {"artisan": Decimal("6.75"), "company": Decimal("6.75"), "association": Decimal("0.40")}


def test_a_call_ends_in_an_answered_survey_and_a_charged_fee(demo: DemoStack) -> None:
    limoges = Platform(demo, "limoges", "lim-ecoutante-3", "lim-coordination")
    request_id = limoges.log_request("gardening", "87085")
    provider_id = limoges.shown(request_id, lambda r: r["status"] == "assigned")["provider_id"]
    for action, body in (("contact", {}), ("intervention", {"done_on": limoges.day_logged(request_id), "labour_hours": "4.00",
                                                             "labour_amount_excl_tax": "120.00",
                                                             "travel_amount_excl_tax": "15.00"})):
        response = limoges.matching("POST", f"/requests/{request_id}/{action}", headers=limoges.coordinator, json=body)
        assert response.status_code == 204, response.text
    limoges.shown(request_id, lambda r: r["status"] == "done")

    feedback = demo.urls["feedback"] + "/platforms/limoges"
    survey = wait_for(lambda: [s for s in httpx.get(f"{feedback}/surveys", headers=limoges.operator).json()
                               if s["request_id"] == request_id],
                      lambda found: len(found) == 1, "the survey to be sent")[0]
    assert survey["provider_id"] == provider_id and survey["status"] == "sent"
    answered = httpx.post(f"{feedback}/surveys/{survey['survey_id']}/phone-answers", headers=limoges.operator, json={
        "outcome": "satisfied", "answers": {
            "provider": {"punctuality": 5, "quality": 4, "would_recommend": True},
            "platform": {"would_call_platform_again": True, "platform_made_it_easier": True}}})
    assert answered.status_code in (200, 201, 204), answered.text
    wait_for(lambda: [s["status"] for s in httpx.get(f"{feedback}/surveys", headers=limoges.operator).json()
                      if s["survey_id"] == survey["survey_id"]], lambda found: found == ["answered"], "the answer")
    satisfaction = httpx.get(f"{feedback}/satisfaction", headers=limoges.coordinator)
    assert satisfaction.status_code == 200 and provider_id in satisfaction.text

    kind = limoges.matching("GET", f"/providers/{provider_id}", headers=limoges.coordinator).json()["kind"]
    account = wait_for(lambda: httpx.get(f"{demo.urls['billing']}/platforms/limoges/accounts/{provider_id}",
                                         headers=limoges.coordinator).json(),
                       lambda body: any(e.get("request_id") == request_id for e in body.get("entries", [])),
                       "the fee in the provider's ledger")
    [fee] = [e for e in account["entries"] if e["request_id"] == request_id]
    assert Decimal(fee["amount"]) == EXPECTED_FEE[kind], (kind, fee)
