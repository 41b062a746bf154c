"""The platforms' console in Debian's Chromium (Playwright), clicked through as operators and coordinators do.

Every page visited is saved at 1366x768 and 390 px wide under tests/artifacts/screenshots/, checked with
axe-core (no serious or critical violation), for sideways scrolling on a phone, and scanned for codes: no
activity, commune, reason or status code may reach a person's eyes.
"""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from relais.devstack.demo_data import demo_providers
from tests.e2e.console_pages import check_page, sign_in
from tests.e2e.processes import ROOT, DemoStack

pytestmark = pytest.mark.e2e

def requests_of(demo: DemoStack, platform: str, user: str) -> list[dict]:
    answer = httpx.get(f"{demo.urls['intake']}/platforms/{platform}/requests?limit=500",
                       headers=demo.headers(platform, user), timeout=10)
    return answer.json()


def type_call(page, activity: str, commune: str, name: str, phone: str) -> None:
    """A whole call from the keyboard, from the activity field to the phone number (Enter not pressed)."""
    assert page.evaluate("document.activeElement.id") == "activity", "the console puts the cursor in the first field"
    page.keyboard.type(activity)
    page.keyboard.press("Tab")
    page.keyboard.type(commune)
    for _ in range(4):  # the three fragile publics' boxes, then the name
        page.keyboard.press("Tab")
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(phone)


def test_an_operator_logs_a_call_from_the_keyboard_and_sees_the_provider_without_scrolling(demo: DemoStack, page) -> None:
    sign_in(page, demo, "limoges", "lim-ecoutante-2")
    check_page(page, "01-appels")
    type_call(page, "jardinier", "87000", "Jeanne Console", "05 36 49 00 77")
    page.keyboard.press("Enter")

    outcome = page.locator("#outcome")
    page.wait_for_function("document.querySelector('#outcome').textContent.includes('Prestataire désigné')", timeout=20_000)
    named = {provider["name"] for provider in demo_providers("limoges")}
    assert any(f"Prestataire désigné : {name}." in outcome.inner_text() for name in named), outcome.inner_text()
    assert "Il rappellera l'usager avant le" in outcome.inner_text()
    box = outcome.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= 768, f"outcome outside the 1366x768 viewport: {box}"
    assert outcome.get_attribute("aria-live") == "polite"
    check_page(page, "02-prestataire-designe")

    page.locator("#outcome button[data-open]").click()
    story = page.locator("#request-page")
    page.wait_for_function("document.querySelector('#timeline-events').textContent.includes('Confiée à')")
    assert "Jardinage" in story.inner_text() and "Limoges" in story.inner_text()
    assert "Preuve du tour" in story.inner_text()
    check_page(page, "03-demande-et-preuve")

    page.locator("#request-page button", has_text="coordonnées").click()
    page.wait_for_function("document.querySelector('#request-contact').textContent.includes('Jeanne Console')")
    page.locator("#request-page button", has_text="Annuler la demande").click()
    page.fill("#cancel-reason", "L'usager a trouvé quelqu'un.")
    page.press("#cancel-reason", "Enter")
    page.wait_for_function("document.querySelector('#request-facts').textContent.includes('annulée')")
    assert "Demande annulée" in page.locator("#timeline-events").inner_text()
    check_page(page, "03b-demande-annulee")


def test_a_double_enter_logs_one_request(demo: DemoStack, page) -> None:
    sign_in(page, demo, "limoges", "lim-ecoutante-1")
    before = len(requests_of(demo, "limoges", "lim-ecoutante-1"))
    page.fill("#activity", "femme de ménage")
    page.fill("#commune", "limoges")
    page.fill("#name", "Paul Deuxfois")
    page.fill("#phone", "05 55 12 34 56")
    page.evaluate("""() => { const form = document.getElementById('call-form');
        form.requestSubmit(); form.requestSubmit(); }""")
    page.wait_for_function("document.querySelector('#outcome').textContent.includes('Prestataire désigné')", timeout=20_000)
    page.wait_for_timeout(500)
    assert len(requests_of(demo, "limoges", "lim-ecoutante-1")) == before + 1


def test_an_information_call_then_a_service_call(demo: DemoStack, page) -> None:
    sign_in(page, demo, "limoges", "lim-ecoutante-1")
    page.select_option("#kind", "information")
    page.select_option("#topic", "tax_advantages")
    page.fill("#answer", "Crédit d'impôt de 50 % des sommes versées.")
    page.locator("#submit").click()
    page.wait_for_function("document.querySelector('#outcome').textContent.includes(\"Appel d'information enregistré\")")
    assert "Avantages fiscaux" in page.locator("#outcome").inner_text()
    assert page.locator("#kind").input_value() == "service"
    assert page.locator("#activity").is_visible() and not page.locator("#answer").is_visible()
    check_page(page, "04-appel-information")

    type_call(page, "Repassage", "Panazol", "Lucie Ensuite", "05 55 00 11 22")
    page.keyboard.press("Enter")
    page.wait_for_function("['Prestataire désigné', 'Aucun prestataire'].some((t) => "
                           "document.querySelector('#outcome').textContent.includes(t))", timeout=20_000)


def test_a_refused_call_says_why_in_french(demo: DemoStack, page) -> None:
    sign_in(page, demo, "limoges", "lim-ecoutante-1")
    page.fill("#activity", "plomberie sous-marine")
    page.press("#activity", "Enter")
    assert "Vérifiez : Activité" in page.locator("#outcome").inner_text()
    assert page.locator("#activity").get_attribute("aria-invalid") == "true"
    check_page(page, "05-erreur")

    page.fill("#activity", "Jardinage")
    page.fill("#commune", "Limoges")
    page.fill("#name", "Jean Numéro")
    page.fill("#phone", "12")
    page.press("#phone", "Enter")
    page.wait_for_function("document.querySelector('#outcome').textContent.includes(\"Rien n'a été enregistré\")")
    assert "Téléphone" in page.locator("#outcome").inner_text(), page.locator("#outcome").inner_text()
    assert page.locator("#phone").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "phone"
    check_page(page, "05b-erreur-serveur")


def test_an_oriented_call_lists_the_nearest_structures(demo: DemoStack, page) -> None:
    sign_in(page, demo, "brenne", "bre-accueil")
    page.fill("#activity", "Jardinage")
    page.fill("#commune", "Mézières-en-Brenne")
    page.fill("#name", "Marc Orienté")
    page.fill("#phone", "02 54 38 00 00")
    page.press("#phone", "Enter")
    page.wait_for_function("['Structures à indiquer', 'Aucun prestataire'].some((t) => "
                           "document.querySelector('#outcome').textContent.includes(t))", timeout=20_000)
    check_page(page, "06-orientation")


def test_a_voicemail_worked_to_each_outcome(demo: DemoStack, page) -> None:
    headers = demo.headers("brenne", "bre-accueil")
    entries = []
    for name in ("Odette Sansreponse", "Henri Plusbesoin", "Rose Information"):
        answer = httpx.post(f"{demo.urls['intake']}/platforms/brenne/voicemails", headers=headers, timeout=10, json={
            "contact": {"name": name, "phone": "02 54 00 00 01", "message": "Rappelez-moi pour du jardinage."},
            "left_at_local": "2026-01-05T19:30:00"})
        assert answer.status_code == 201, answer.text
        entries.append(answer.json()["id"])
    sign_in(page, demo, "brenne", "bre-accueil")
    page.locator("nav button[data-view=queue]").click()
    page.wait_for_selector(f'#queue tr[data-id="{entries[1]}"]', timeout=20_000)
    queue = page.locator("#queue")
    assert "Odette Sansreponse" in queue.inner_text() and "Rappelez-moi pour du jardinage." in queue.inner_text()
    check_page(page, "07-repondeur")

    page.locator(f'#queue tr[data-id="{entries[0]}"] button', has_text="Pas de réponse").click()
    page.wait_for_function("document.querySelector('#queue-status').textContent.includes('Essai compté')")
    assert "1 essai sans réponse" in page.locator(f'#queue tr[data-id="{entries[0]}"]').inner_text()

    page.locator(f'#queue tr[data-id="{entries[1]}"] button', has_text="Plus nécessaire").click()
    page.wait_for_function("document.querySelector('#queue-status').textContent.includes('retiré')")
    assert page.locator(f'#queue tr[data-id="{entries[1]}"]').count() == 0

    page.locator(f'#queue tr[data-id="{entries[0]}"] button', has_text="Demande enregistrée").click()
    assert page.locator("#name").input_value() == "Odette Sansreponse"
    page.fill("#activity", "Jardinage")
    page.fill("#commune", "Mézières-en-Brenne")
    page.press("#commune", "Enter")
    page.wait_for_function("document.querySelector('#outcome').textContent.includes('Demande enregistrée')", timeout=20_000)
    page.locator("nav button[data-view=queue]").click()
    page.wait_for_selector(f'#queue tr[data-id="{entries[2]}"]')
    assert page.locator(f'#queue tr[data-id="{entries[0]}"]').count() == 0

    page.locator(f'#queue tr[data-id="{entries[2]}"] button', has_text="Information donnée").click()
    assert page.locator("#kind").input_value() == "information"
    page.select_option("#topic", "rates")
    page.fill("#answer", "Les tarifs sont fixés par chaque prestataire.")
    page.locator("#submit").click()
    page.wait_for_function("document.querySelector('#outcome').textContent.includes(\"Appel d'information enregistré\")")
    page.locator("nav button[data-view=queue]").click()
    page.wait_for_function(f"!document.querySelector('#queue tr[data-id=\"{entries[2]}\"]')"
                           " && document.querySelector('#queue').textContent.length > 0")


def test_a_wrong_or_revoked_token_returns_to_sign_in_in_french(demo: DemoStack, page) -> None:
    page.goto(f"{demo.urls['intake']}/console#jeton")  # an API token: people sign in on /connexion
    page.select_option("#platform", "limoges")
    page.fill("#token", "rls_0000000000000000_wrong")
    page.press("#token", "Enter")
    page.wait_for_function("document.querySelector('#login-error').textContent.length > 0")
    assert "n'est pas reconnu" in page.locator("#login-error").inner_text()
    check_page(page, "08-connexion-refusee")

    tokens = str(demo.data_dir / "tokens.yaml")  # a token of its own: the demo's are shared by the whole session
    issued = subprocess.run([sys.executable, "-m", "relais.cli.main", "token", "issue", "--role", "operator",
                             "--subject", "op-a-revoquer", "--platform", "limoges", "--file", tokens],
                            cwd=ROOT, capture_output=True, text=True)
    assert issued.returncode == 0, issued.stdout + issued.stderr
    page.goto(f"{demo.urls['intake']}/console#jeton")  # an API token: people sign in on /connexion
    page.select_option("#platform", "limoges")
    page.fill("#token", issued.stdout.strip())
    page.press("#token", "Enter")
    page.wait_for_selector("#tabs:not(.hidden)")
    revoked = subprocess.run([sys.executable, "-m", "relais.cli.main", "token", "revoke", "op-a-revoquer",
                              "--file", tokens], cwd=ROOT, capture_output=True, text=True)
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    page.wait_for_selector("#login:not(.hidden)", timeout=20_000)
    assert "connectez-vous de nouveau" in page.locator("#login-error").inner_text()
    assert page.locator("#platform").input_value() == "limoges"


def test_roles_decide_the_tabs(demo: DemoStack, page) -> None:
    sign_in(page, demo, "limoges", "lim-ecoutante-1")
    visible = page.locator("nav button:not(.hidden)").all_inner_texts()
    assert [t.split("\n")[0].split(" Alt")[0] for t in visible] == ["Appels"], visible  # Limoges has no answering machine

    page.locator("#logout").click()
    assert "déconnecté" in page.locator("#login-error").inner_text()
    sign_in(page, demo, "limoges", "lim-observatoire")
    visible = " ".join(page.locator("nav button:not(.hidden)").all_inner_texts())
    assert "Observatoire" in visible and "Équité" in visible and "Appels" not in visible
    assert not page.locator("#call-form").is_visible()
    page.wait_for_function("document.querySelector('#unmet').textContent.length > 0")
    check_page(page, "09-analyste-observatoire")


def test_a_coordinator_reads_the_directory_fairness_and_observatory(demo: DemoStack, page) -> None:
    sign_in(page, demo, "limoges", "lim-coordination")
    page.locator("nav button[data-view=directory]").click()
    directory = page.locator("#directory")
    page.wait_for_function("document.querySelector('#directory').textContent.includes('Jardins Solidaires du Limousin')")
    assert "expiré" in directory.inner_text() and "valide" in directory.inner_text()
    assert "admis" in directory.inner_text() and "Jardinage" in directory.inner_text()
    check_page(page, "10-annuaire")
    page.locator("#directory button", has_text="Jardins Solidaires du Limousin").click()
    assert "Agrément qualité" in page.locator("#provider-page").inner_text()
    check_page(page, "11-fiche-prestataire")

    page.locator("nav button[data-view=fairness]").click()
    page.wait_for_function("document.querySelector('#fairness').textContent.includes('Jardinage')")
    check_page(page, "12-equite")

    page.locator("nav button[data-view=observatory]").click()
    page.wait_for_function("document.querySelector('#unmet').textContent.length > 0")
    check_page(page, "13-observatoire")
