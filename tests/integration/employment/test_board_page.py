"""The advisors' page in Debian's Chromium, at 1366x768 and 390 px: French, accessible, nothing cut off, no name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.employment.bootstrap import bootstrap
from services.employment.entrypoints.app import create_app
from shared.blocking import run_blocking
from shared.clock import FixedClock
from shared.security.principals import Role
from shared.settings import Settings
from tests.fixtures.browser import PHONE, screenshot, serious_accessibility_violations
from tests.fixtures.employment_scenario import P, Tokens, session_to_placement
from tests.fixtures.services import issue_token, serving

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def overflowing(page: Any) -> list[str]:
    """Elements wider than the window, outside the figures' own scrolling region."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => !e.closest('.scroll') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 40))""")


def test_the_advisors_page_reads_well_on_a_laptop_and_a_phone(service_settings: Callable[..., Settings],
                                                               page: Any) -> None:
    settings = service_settings()
    clock = FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    employment = bootstrap(settings, clock=clock)
    tokens = Tokens(advisor=issue_token(settings, P, Role.ADVISOR, "adv-1"),
                    provider=issue_token(settings, P, Role.PROVIDER, "prv-aide-94"),
                    other_provider=issue_token(settings, P, Role.PROVIDER, "prv-autre"),
                    analyst=issue_token(settings, P, Role.ANALYST, "obs-1"))

    async def board() -> tuple[int, int, str, str, int]:
        async def move_clock(delta: timedelta) -> datetime:
            clock.advance(delta)
            return clock.now()

        async with serving(create_app(employment=employment)) as client:
            await session_to_placement(client, tokens, clock.now(), move_clock)
            provider = await client.get(f"/platforms/{P}/employment/board", headers=tokens.provider)
            analyst = await client.get(f"/platforms/{P}/employment/board", headers=tokens.analyst)
            shown = await client.get(f"/platforms/{P}/employment/board", headers=tokens.advisor)
            assert shown.status_code == 200, shown.text
            openings = (await client.get(f"/platforms/{P}/openings", headers=tokens.provider)).json()
            filled = next(row["opening_id"] for row in openings if row["status"] == "filled")
            own = await client.get(f"/platforms/{P}/openings/{filled}/page", headers=tokens.provider)
            assert own.status_code == 200, own.text
            other = await client.get(f"/platforms/{P}/openings/{filled}/page", headers=tokens.other_provider)
            return provider.status_code, analyst.status_code, shown.text, own.text, other.status_code

    provider_status, analyst_status, html, opening_html, other_status = run_blocking(board())
    assert other_status == 404
    assert (provider_status, analyst_status) == (403, 403)
    page.set_content(html)
    seen = page.inner_text("body")
    for words in ("Emploi — Centre de ressources", "Taux de présence aux réunions d'information", "75 %", "55,6 %",
                  "Demandeurs d'emploi (14)", "Offres d'emploi (2)", "aide à domicile", "France Travail",
                  "mars 2026", "octobre 2026", "Rang 1 : jamais proposé·e jusqu'ici", "données effacées",
                  "Réunions d'information (1)", "Le jeudi 5 mars 2026 à 09:30", "Formations (1)",
                  "Remise à niveau DEAVS (deux mois)"):
        assert words in seen, (words, seen)
    assert "Personne " not in html and "06 12" not in html  # names and phones never on this page
    assert not serious_accessibility_violations(page)
    screenshot(page, "50-emploi-conseillers")
    page.evaluate("document.getElementById('reunions').scrollIntoView()")
    screenshot(page, "52-emploi-reunions-formations")
    page.click("text=Personnes non proposées et pourquoi")
    assert "pas (encore) pré-sélectionné·e" in page.inner_text("body")
    assert not serious_accessibility_violations(page)
    screenshot(page, "51-emploi-non-proposees")
    page.set_viewport_size(PHONE)
    assert overflowing(page) == []
    page.set_viewport_size({"width": 1366, "height": 768})
    page.set_content(opening_html)
    seen = page.inner_text("body")
    for words in ("Offre d'emploi : aide à domicile", "Candidatures proposées", "Personne ", "06 12 34 56 78",
                  "Données effacées à la demande de la personne", "Personnes non proposées cette fois",
                  "Pas (encore) pré-sélectionné·e :"):
        assert words in seen, (words, seen)
    assert "skr-" not in seen  # the provider reads names, never the other seekers' references
    assert not serious_accessibility_violations(page)
    screenshot(page, "53-emploi-offre-prestataire")
    page.set_viewport_size(PHONE)
    assert overflowing(page) == []
