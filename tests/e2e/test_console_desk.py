"""A mediation desk in the console (Debian's Chromium, Playwright): a mediator of the demo's PIMMS logs visits from
the keyboard and reads the desk's dashboard, with the attendance alert of the demo's last open day; the pages are
screenshot at 1366x768 and 390 px, checked with axe-core, for sideways scrolling and for codes on screen. The desk's
public questionnaire page and a partner's printable monthly report are checked the same way."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.console_pages import check_page, sign_in
from tests.e2e.processes import DemoStack
from tests.fixtures.browser import screenshot, serious_accessibility_violations

pytestmark = pytest.mark.e2e
DESK = "pimms-lyon"


def test_a_mediator_logs_visits_in_a_few_keystrokes_and_reads_the_dashboard(demo: DemoStack, page) -> None:
    sign_in(page, demo, DESK, "lyon-mediatrice-1")
    page.wait_for_selector("#desk-topics tr")
    assert page.locator("nav button:not(.hidden)").all_inner_texts() == ["Visites Alt+V"]
    assert "Baisse de fréquentation" in page.locator("#desk-alerts").inner_text()
    before = int(page.locator("#desk-figures li").first.locator("strong").inner_text())
    check_page(page, "desk-01-visites")

    page.select_option("#visit-topic", "water_bill")
    page.check("#visit-actions input[value='informed']")
    page.check("#visit-actions input[value='appointment_made']")
    page.fill("#visit-minutes", "12")
    page.press("#visit-minutes", "Enter")
    page.wait_for_selector("#visit-outcome.assigned")
    assert "Visite enregistrée" in page.locator("#visit-outcome").inner_text()
    assert "Facture et abonnement d'eau" in page.locator("#visit-outcome").inner_text()

    page.select_option("#visit-topic", "residence_permit")
    page.check("#visit-actions input[value='oriented']")
    page.press("#visit-minutes", "Enter")
    page.wait_for_selector("#visit-outcome.error")
    assert "Orienté vers" in page.locator("#visit-outcome").inner_text()
    page.fill("#oriented-to", "Préfecture du Rhône")
    page.press("#oriented-to", "Enter")
    page.wait_for_function("document.querySelector('#visit-outcome').innerText.includes('Titre de séjour')")

    page.wait_for_function(f"Number(document.querySelector('#desk-figures strong').innerText) >= {before + 2}")
    check_page(page, "desk-02-visite-enregistree")


def test_the_desks_questionnaire_and_a_partners_monthly_report_read_well_in_the_browser(demo: DemoStack, page) -> None:
    page.goto(f"{demo.urls['feedback']}/d/{DESK}")
    screenshot(page, "desk-03-questionnaire")
    assert not serious_accessibility_violations(page)
    page.click("button[type=submit]")
    assert "Quelques réponses manquent" in page.locator("body").inner_text()
    assert not serious_accessibility_violations(page)
    for question in ("satisfied", "question_resolved", "would_come_back"):
        page.check(f"#{question}-oui")
    page.click("button[type=submit]")
    assert "Merci" in page.locator("h1").inner_text()

    page.set_extra_http_headers(demo.headers(DESK, "lyon-coordination"))
    page.goto(f"{demo.urls['intake']}/platforms/{DESK}/desk/partners/edf/report")
    screenshot(page, "desk-04-rapport-partenaire")
    assert "Visites concernant EDF" in page.locator("h1").inner_text()
    assert not serious_accessibility_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_desks_figures_and_the_home_service_topics_live_side_by_side(demo: DemoStack) -> None:
    desk = f"/platforms/{DESK}"
    coordinator = demo.headers(DESK, "lyon-coordination")
    satisfaction = httpx.get(f"{demo.urls['feedback']}{desk}/desk/satisfaction", headers=coordinator, timeout=10).json()
    assert satisfaction["answers"] > 50 and satisfaction["headline"].endswith("réponse(s))")
    assert "% des visiteurs interrogés satisfaits" in satisfaction["headline"]
    board = httpx.get(f"{demo.urls['intake']}{desk}/desk/dashboard", headers=coordinator, timeout=10).json()
    shares = {group["group"]: float(group["share"].replace(",", ".")) for group in board["by_group"]}
    assert 35 < shares["partner_services"] < 65 and 35 < shares["public_services"] < 65  # the article's half and half
    report = httpx.get(f"{demo.urls['intake']}{desk}/desk/partners/caf/report.csv", headers=coordinator, timeout=10)
    assert report.status_code == 200 and report.text.count("\n") > 10

    limoges = demo.headers("limoges", "lim-coordination")
    observatory = httpx.get(f"{demo.urls['intake']}/platforms/limoges/observatory", headers=limoges, timeout=10).json()
    assert set(observatory["information_calls"]) <= {"tax_advantages", "rates", "employer_status", "other"}
    assert observatory["information_calls"], "the demo's information calls of Limoges count under their topics"
