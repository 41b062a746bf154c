"""The public request form in Chromium, as a resident uses it: one request per form, a thanks page that a refresh
does not send again; French, accessible, no sideways scrolling on a phone."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.processes import DemoStack
from tests.fixtures.browser import PHONE, screenshot, serious_accessibility_violations

pytestmark = pytest.mark.e2e


def count_requests(demo: DemoStack) -> int:
    answer = httpx.get(f"{demo.urls['intake']}/platforms/mons-borinage/requests?limit=500",
                       headers=demo.headers("mons-borinage", "mb-coordination"), timeout=10)
    assert answer.status_code == 200, answer.text
    return len(answer.json())


def test_a_resident_sends_the_form_once_and_a_refresh_sends_nothing(demo: DemoStack, page) -> None:
    before = count_requests(demo)
    page.goto(f"{demo.urls['intake']}/public/mons-borinage/request")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not serious_accessibility_violations(page)
    screenshot(page, "20-formulaire-public")
    page.select_option("#activity", label="Jardinage")
    page.select_option("#commune", label="Mons")
    page.fill("#name", "Martine Formulaire")
    page.fill("#phone", "065 12 34 56")
    page.wait_for_timeout(3200)  # a person takes more than the form's minimum time
    page.locator("button[type=submit]").dblclick()
    page.wait_for_url("**/request/merci")
    assert "Votre demande est enregistrée" in page.locator("body").inner_text()
    screenshot(page, "21-formulaire-merci")
    page.reload()
    page.wait_for_timeout(500)
    assert count_requests(demo) == before + 1
