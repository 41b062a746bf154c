"""What every console page visited in Chromium must be, and signing in to the console with an API token."""

from __future__ import annotations

import re
from functools import cache

from shared.contracts.events.intake import InformationTopic
from shared.contracts.events.matching import DeclineReason, SkipReason, UnmetReason
from shared.platforms.loader import load_policies
from tests.e2e.processes import ROOT, DemoStack
from tests.fixtures.browser import PHONE, screenshot, serious_accessibility_violations


@cache
def code_pattern() -> re.Pattern[str]:
    """Any code that must never reach a person's eyes: activities, communes, reasons, statuses, roles, JS leftovers."""
    policies = load_policies(ROOT / "deploy" / "platforms")
    codes = sorted(
        {a.code for p in policies.values() for a in p.activities} | {c.code for p in policies.values() for c in p.communes}
        | {r.value for r in (*UnmetReason, *SkipReason, *DeclineReason, *InformationTopic) if "_" in r.value}
        | {"admitted", "assigned", "oriented", "waiting", "deadline_missed", "request_logged", "no_answer", "null",
           "undefined", "NaN", "[object", "operator", "coordinator", "analyst"}, key=len, reverse=True)
    return re.compile("|".join(rf"(?<![\w-]){re.escape(code)}(?![\w-])" for code in codes))


def check_page(page, name: str) -> None:
    """What a person would see: screenshots, no code on screen, no sideways scrolling at 390 px nor at 200 % zoom
    (683 px), axe-core clean."""
    screenshot(page, name)
    shown = page.locator("body").inner_text()
    codes = code_pattern()
    assert not codes.findall(shown), f"{name}: codes on screen {set(codes.findall(shown))}:\n{shown}"
    assert "{" not in shown and "http" not in shown, f"{name}: raw JSON or an address on screen:\n{shown}"
    before = page.viewport_size
    for width, what in ((PHONE["width"], "390 px"), (683, "200 % zoom")):
        page.set_viewport_size({"width": width, "height": 768})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name}: scrolls sideways at {what}"
    page.set_viewport_size(before)
    assert not serious_accessibility_violations(page), f"{name}: {serious_accessibility_violations(page)}"


def sign_in(page, demo: DemoStack, platform: str, user: str) -> None:
    """The console opened with ``user``'s API token of ``platform``, its tabs shown."""
    page.goto(f"{demo.urls['intake']}/console#jeton")  # an API token: people sign in on /connexion
    page.select_option("#platform", platform)
    page.fill("#token", demo.credentials[platform][user])
    page.press("#token", "Enter")
    page.wait_for_selector("#tabs:not(.hidden)")
