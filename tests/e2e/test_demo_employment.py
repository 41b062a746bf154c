"""The demo federation's employment activity (``relais demo``): Val-de-Marne's and Hérault's last months of
pre-recruitment are there when the demo starts, counted in the figures, their names sealed, and the demo advisor
signs in with their account to an Emploi tab already filled (:mod:`relais.devstack.demo_employment`).

The demo is shared with the other end-to-end tests, which add their own seekers to Val-de-Marne: the counts are
checked as lower bounds.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import httpx
import pytest

from relais.devstack.demo import DEMO_PASSWORD, demo_email
from relais.devstack.demo_data import demo_employment_spec
from relais.devstack.demo_data.employment import employment_history
from shared.platforms.loader import load_policies
from shared.platforms.local_time import local_date
from tests.e2e.console_pages import check_page
from tests.e2e.processes import ROOT, DemoStack
from tests.polling import wait_for

pytestmark = pytest.mark.e2e

POLICIES = load_policies(ROOT / "deploy" / "platforms")


def figures(demo: DemoStack, platform_id: str, advisor: str) -> dict:
    return httpx.get(f"{demo.urls['employment']}/platforms/{platform_id}/employment/figures",
                     headers=demo.headers(platform_id, advisor), timeout=10).json()


@pytest.mark.parametrize(("platform_id", "advisor", "seekers", "sessions", "cohort"),
                         [("val-de-marne", "vdm-emploi", 60, 4, True), ("herault", "her-emploi", 22, 2, False)])
def test_the_demo_starts_with_months_of_employment_activity(demo: DemoStack, platform_id: str, advisor: str,
                                                            seekers: int, sessions: int, cohort: bool) -> None:
    report = wait_for(lambda: figures(demo, platform_id, advisor),
                      lambda r: r["total"]["counts"]["hires"] >= 1 and r["total"]["counts"]["seekers_received"] >= seekers,
                      what="the demo's employment figures", timeout=60)
    counts, total = report["total"]["counts"], report["total"]
    assert counts["sessions_held"] >= sessions and counts["invited_to_session"] > counts["present_at_session"] > 0
    assert 0 < float(total["attendance_rate"]) < 1
    assert counts["assessed"] > counts["preselected"] > 0 and 0 < float(total["preselection_rate"]) < 1
    assert counts["openings_posted"] >= 3 and counts["candidates_proposed"] >= 3
    assert counts["in_post_3"] >= 1
    assert set(report["referral_sources"]) >= {"france_travail", "mission_locale", "spontaneous"}
    if cohort:
        assert counts["trainings_started"] >= 6 and counts["modules_certified"] >= 10
        assert counts["modules_assessed"] > counts["modules_certified"]  # some steps were retaken
        assert counts["certified"] >= 1 and counts["placements_checked_6"] >= 1

    base, headers = f"{demo.urls['employment']}/platforms/{platform_id}", demo.headers(platform_id, advisor)
    listed = httpx.get(f"{base}/sessions", headers=headers, timeout=10).json()
    today = local_date(datetime.now(UTC), POLICIES[platform_id].zone)
    assert any(not s["held"] and s["starts_at"][:10] > today.isoformat() for s in listed)  # one still to come
    openings = httpx.get(f"{base}/openings", headers=headers, timeout=10).json()
    assert {o["status_label"] for o in openings} >= {"ouverte", "pourvue"}


def test_the_demo_seekers_names_are_sealed_in_the_store_and_read_through_the_api(demo: DemoStack) -> None:
    spec = demo_employment_spec("val-de-marne")
    assert spec is not None
    history = employment_history("val-de-marne", spec, datetime.now(UTC).date(), POLICIES["val-de-marne"].zone)
    names = {seeker["identity"]["name"] for seeker in history.seekers}
    with sqlite3.connect(demo.data_dir / "employment.db") as store:
        stored = "\n".join(row[0] for row in store.execute("SELECT document FROM events"))
    assert "SeekerRegistered" in stored
    assert not [name for name in names if name in stored]
    headers = demo.headers("val-de-marne", "vdm-emploi")
    base = f"{demo.urls['employment']}/platforms/val-de-marne"
    first = httpx.get(f"{base}/seekers?limit=1", headers=headers, timeout=10).json()[0]
    detail = httpx.get(f"{base}/seekers/{first['seeker_id']}", headers=headers, timeout=10).json()
    assert detail["identity"]["name"] in names


def test_the_demo_prints_the_advisors_accounts(demo: DemoStack) -> None:
    for username in ("vdm-emploi", "her-emploi"):
        assert f"{username} (advisor)" in demo.process.output and demo_email(username) in demo.process.output


def test_the_demo_advisor_signs_in_to_a_filled_emploi_tab(demo: DemoStack, page) -> None:
    page.set_default_timeout(30_000)
    page.goto(f"{demo.urls['intake']}/connexion")
    page.select_option("#platform", "val-de-marne")
    page.fill("#email", demo_email("vdm-emploi"))
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#seeker-form")
    page.wait_for_function("document.querySelectorAll('#job-pane tbody tr').length >= 60")
    assert "pré-sélectionné·e" in page.locator("#job-pane table").inner_text()
    check_page(page, "emploi-demo-01-demandeurs")
    for label, name, shown in (("Réunions d'information", "02-reunions", "tenue"),
                               ("Formations", "03-formations", "Remise à niveau DEAVS"),
                               ("Offres d'emploi", "04-offres", "pourvue"),
                               ("Chiffres", "05-chiffres", "de présence aux réunions")):
        page.locator(".subtabs button", has_text=label).click()
        page.wait_for_selector(f".subtabs button[aria-current=page]:has-text(\"{label}\")")
        page.wait_for_function("text => document.querySelector('#job-pane').textContent.includes(text)", arg=shown)
        check_page(page, f"emploi-demo-{name}")
    page.locator(".subtabs button", has_text="Formations").click()
    page.locator("#job-pane button.link", has_text="Remise à niveau DEAVS").first.click()
    page.wait_for_selector("#job-pane h3:has-text('Remise à niveau DEAVS')")
    steps = page.locator("#job-pane").inner_text()
    assert "validée" in steps and "non validée" in steps
    check_page(page, "emploi-demo-06-formation")
    page.locator(".subtabs button", has_text="Offres d'emploi").click()
    page.locator("#job-pane button.link", has_text="Jardinage").first.click()
    page.wait_for_selector("#job-pane h3:has-text('Les Jardiniers de la Marne')")
    shown = page.locator("#job-pane").inner_text()
    assert "Rang 1" in shown and "embauché·e le" in shown
    check_page(page, "emploi-demo-07-offre")
    page.locator(".subtabs button", has_text="Réunions d'information").click()
    page.locator("#job-pane tbody tr", has_text="tenue").last.locator("button.link").click()  # the oldest
    page.wait_for_selector("#job-pane h3:has-text('Réunion du')")
    assert "présent·e" in page.locator("#job-pane").inner_text()
    check_page(page, "emploi-demo-08-reunion")
