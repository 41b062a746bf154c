"""The console's Emploi tab in Debian's Chromium (Playwright), clicked through as an employment advisor works (issue 22).

The advisor of Val-de-Marne registers job seekers, schedules an information session that has just taken place,
invites them, gives one a seat and records who came; assesses them; opens a training cohort, welcomes the one
referred to training and validates a step of the framework; posts a member provider's opening, proposes candidates
in turn (why each, and why the others were not) and records the interview and the hire; then reads the figures.
Every page is saved at 1366x768 and 390 px wide, checked with axe-core, for sideways scrolling and for codes on
screen (:func:`tests.e2e.console_pages.check_page`).
"""

from __future__ import annotations

import os
import random
import string
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.console_pages import check_page
from tests.e2e.processes import ROOT, DemoStack
from tests.polling import wait_for

pytestmark = pytest.mark.e2e

P = "val-de-marne"
PARIS = ZoneInfo("Europe/Paris")
PASSWORD = "la réunion commence à neuf heures"
TRADE = "ménage et repassage"
"""A trade no other end-to-end test recruits for, so that the demo they share proposes this test's seekers."""


def sign_in(page, demo: DemoStack, platform: str, user: str) -> None:
    """Open the console signed in with the user's API token (kept in the tab's session storage, as its form does)."""
    page.set_default_timeout(30_000)  # a shared, loaded machine: each step waits for the services' answers
    page.goto(f"{demo.urls['intake']}/console/config")
    page.evaluate("([platform, token]) => { sessionStorage.setItem('platform', platform); "
                  "sessionStorage.setItem('token', token); }", [platform, demo.credentials[platform][user]])
    page.goto(f"{demo.urls['intake']}/console")
    page.wait_for_selector("#tabs:not(.hidden)")


def part(page, label: str) -> None:
    page.locator(".subtabs button", has_text=label).click()
    page.wait_for_selector(f".subtabs button[aria-current=page]:has-text(\"{label}\")")
    page.wait_for_selector("#job-pane h3")


def said(page, text: str) -> None:
    page.wait_for_function("text => document.querySelector('#job-outcome').textContent.includes(text)", arg=text)


def register(page, name: str, commune: str, source: str, trade: str) -> None:
    page.fill("#seeker-name", name)
    page.fill("#seeker-phone", "06 12 34 56 78")
    page.select_option("#seeker-source", label=source)
    page.select_option("#seeker-commune", label=commune)
    page.locator("#seeker-form label", has_text=trade).locator("input").check()
    page.locator("#seeker-form button[type=submit]").click()
    said(page, f"{name} est inscrit·e.")


def test_an_advisor_follows_seekers_from_the_information_session_to_a_hire(demo: DemoStack, page) -> None:
    tag = random.choice(string.ascii_uppercase) + "".join(random.choices(string.ascii_lowercase, k=3))  # the demo is shared
    awa, bruno, chloe, driss = (f"{first} {tag}" for first in ("Awa Diallo", "Bruno Lefèvre", "Chloé Martin", "Driss Benali"))
    seekers = [(awa, "Créteil", "France Travail (ex-Pôle emploi)", TRADE), (bruno, "Créteil", "mission locale", TRADE),
               (chloe, "Maisons-Alfort", "candidature spontanée", "garde d'enfants"),
               (driss, "Créteil", "France Travail (ex-Pôle emploi)", TRADE)]
    sign_in(page, demo, P, "vdm-emploi")
    tabs = [t.split(" Alt")[0] for t in page.locator("#tabs button:not(.hidden)").all_inner_texts()]
    assert tabs == ["Emploi"], tabs  # an advisor sees the employment tab only
    page.wait_for_selector("#seeker-form")
    check_page(page, "emploi-01-demandeurs")
    before = page.locator("#job-pane tbody tr:not(:has(td[colspan]))").count()

    page.locator("#seeker-form button[type=submit]").click()
    said(page, "Vérifiez : Nom et prénom, Métiers recherchés")
    for seeker in seekers:
        register(page, *seeker)
    assert page.locator("#job-pane tbody tr").count() == before + 4
    assert tag not in page.locator("#job-pane table").inner_text()  # no names in the list
    check_page(page, "emploi-02-demandeurs")

    part(page, "Réunions d'information")
    started = (datetime.now(PARIS) - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#session-start", started)
    page.fill("#session-place", f"Centre de ressources, salle {tag}")
    page.locator("#job-pane form label", has_text=TRADE).locator("input").check()
    page.locator("#job-pane form button[type=submit]").click()
    page.wait_for_selector("#job-pane h3:has-text('Réunion du')")
    for name, *_ in seekers:
        page.locator("#job-pane form label", has_text=name).locator("input").check()
    page.locator("#job-pane form button[type=submit]", has_text="Inviter").click()
    said(page, "4 personne(s) invitée(s).")
    page.get_by_role("button", name=f"Donner une place à {awa}").click()
    said(page, f"{awa} a une place.")
    page.select_option(f"select[aria-label='Présence de {chloe}']", label="excusé·e")
    page.select_option(f"select[aria-label='Présence de {driss}']", label="absent·e")
    check_page(page, "emploi-03-reunion-presences")
    page.locator("#hold-session").click()
    said(page, "la réunion est tenue")
    table = page.locator("#job-pane table").inner_text()
    assert "présent·e" in table and "excusé·e" in table and "absent·e" in table
    part(page, "Réunions d'information")
    assert "50 %" in page.locator("#job-pane tbody tr", has_text=f"salle {tag}").inner_text()  # 2 present of 4 invited
    check_page(page, "emploi-04-reunions")

    part(page, "Évaluations")
    for name, decision in ((awa, "pré-sélectionné·e"), (bruno, "orienté·e vers une formation"),
                           (driss, "pré-sélectionné·e")):
        page.select_option("#assess-seeker", label=f"{name} ({TRADE})")
        page.select_option("#assess-skills", label="4 / 5")
        page.select_option("#assess-motivation", label="5 / 5")
        page.locator("#job-pane label", has_text=decision).locator("input").check()
        page.fill("#assess-reason", "Entretien et mise en situation concluants")
        page.locator("#job-pane form button[type=submit]").click()
        said(page, f"Évaluation de {name} enregistrée")
    check_page(page, "emploi-05-evaluations")

    part(page, "Formations")
    today = datetime.now(PARIS).date()
    page.fill("#cohort-title", "Remise à niveau DEAVS (deux mois)")
    page.fill("#cohort-modules", "DC1 — Connaissance de la personne\nDC2 — Accompagnement dans la vie quotidienne")
    page.fill("#cohort-start", (today - timedelta(days=7)).isoformat())
    page.fill("#cohort-end", (today + timedelta(days=53)).isoformat())
    page.locator("#job-pane form button[type=submit]").click()
    page.wait_for_selector("#job-pane h3:has-text('Remise à niveau DEAVS')")
    page.select_option("#admit-seeker", label=bruno)
    page.locator("#job-pane form button[type=submit]", has_text="Accueillir").click()
    said(page, f"{bruno} suit la formation.")
    page.select_option("#step-module", label="DC1 — Connaissance de la personne")
    page.select_option("#step-attendance", label="présent·e")
    page.select_option("#step-state", label="validée")
    page.locator("#job-pane form button[type=submit]", has_text="Enregistrer l'étape").click()
    said(page, f"Étape « DC1 — Connaissance de la personne » notée pour {bruno}.")
    steps = page.locator("#job-pane table").first.inner_text()
    assert "validée" in steps and "à évaluer" in steps and today.strftime("%d/%m/%Y") in steps
    check_page(page, "emploi-06-formation-etapes")

    part(page, "Offres d'emploi")
    page.select_option("#opening-trade", label=TRADE)
    page.fill("#opening-start", (today + timedelta(days=20)).isoformat())
    page.locator(".commune-box label", has_text="Créteil").locator("input").check()
    provider = page.locator("#opening-provider option").first.inner_text()
    page.locator("#job-pane form button[type=submit]").click()
    page.wait_for_selector(f"#job-pane h3:has-text(\"{provider}\")")
    page.locator("#propose").click()
    said(page, "proposé·e(s), à tour de rôle")
    shown = page.locator("#job-pane").inner_text()
    assert "Rang 1 : jamais proposé·e jusqu'ici" in shown and awa in shown and driss in shown
    assert "non proposée(s) à ce tour" in shown
    page.locator("#job-pane details summary").first.click()
    assert "pas (encore) pré-sélectionné·e" in page.locator("#job-pane details").first.inner_text()
    check_page(page, "emploi-07-offre-candidats")
    page.select_option(f"select[aria-label='Entretien de {awa}']", label="retenu·e")
    page.locator("#job-pane li", has_text=awa).locator("button", has_text="Noter l'entretien").click()
    said(page, "Entretien noté.")
    page.locator("#job-pane li", has_text=awa).locator("button", has_text="Embaucher").click()
    said(page, "Embauche enregistrée.")
    assert "embauché·e le" in page.locator("#job-pane").inner_text()
    part(page, "Offres d'emploi")
    assert "pourvue" in page.locator("#job-pane tbody tr", has_text=provider).first.inner_text()
    check_page(page, "emploi-08-offres")

    part(page, "Demandeurs d'emploi")
    page.locator("#job-pane tbody tr", has_text="embauché·e").last.locator("button").click()
    page.wait_for_selector(f"#job-pane h3:has-text('{awa}')")
    assert "Entretien et mise en situation concluants" in page.locator("#job-pane").inner_text()
    check_page(page, "emploi-09-dossier")

    headers = demo.headers(P, "vdm-emploi")
    wait_for(lambda: httpx.get(f"{demo.urls['employment']}/platforms/{P}/employment/figures", headers=headers, timeout=10)
             .json()["total"]["counts"]["hires"] >= 1, what="the figures to count the hire", timeout=30)
    part(page, "Chiffres")
    figures = page.locator("#job-pane").inner_text()
    assert "Étapes de formation validées" in figures and "de présence aux réunions" in figures
    check_page(page, "emploi-10-chiffres")


def test_a_coordinator_reads_the_employment_tab_and_an_operator_does_not_see_it(demo: DemoStack, page) -> None:
    sign_in(page, demo, P, "vdm-coordination")
    assert page.locator("#tabs button[data-view=emploi]").is_visible()
    page.locator("#tabs button[data-view=emploi]").click()
    page.wait_for_selector("#seeker-form")
    sign_in(page, demo, P, "vdm-accueil-1")
    assert not page.locator("#tabs button[data-view=emploi]").is_visible()


def test_an_advisor_signed_in_with_their_account_registers_a_seeker(demo: DemoStack, page) -> None:
    """A person's session (cookie and CSRF token) reaches employment on its own port, with the idempotency key."""
    email = f"conseil.{random.randint(0, 10**6)}@vdm.example"
    created = subprocess.run(
        [sys.executable, "-m", "relais.cli.main", "users", "create", "--platform", P, "--role", "advisor",
         "--email", email, "--name", "Inès Conseil"], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "RELAIS_DATA_DIR": str(demo.data_dir), "RELAIS_CONSOLE_URL": demo.urls["intake"]})
    assert created.returncode == 0, created.stdout + created.stderr
    page.set_default_timeout(30_000)
    page.goto(created.stdout.strip())
    page.fill("#password", PASSWORD)
    page.fill("#confirmation", PASSWORD)
    page.click("button[type=submit]")
    page.select_option("#platform", P)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#seeker-form")
    assert "Inès Conseil" in page.inner_text("#who")

    name = f"Élise {random.choice(string.ascii_uppercase)}{''.join(random.choices(string.ascii_lowercase, k=3))}"
    register(page, name, "Créteil", "mission locale", TRADE)
    page.locator("#job-pane tbody tr").last.locator("button").click()
    page.wait_for_selector(f"#job-pane h3:has-text('{name}')")
