"""The HTML statement in Debian's Chromium, at 1366x768 and 390 px: French, readable, nothing cut off."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.billing.domain.ledger import statement_for
from services.billing.entrypoints.statements import statement_html
from services.billing.service_layer.handlers import IssuedStatement
from shared.contracts.events.billing import PaymentMethod, PaymentRecorded
from tests.fixtures.browser import PHONE, screenshot, serious_accessibility_violations
from tests.unit.billing.factories import fee, line, month_of_every_kind

pytestmark = pytest.mark.integration


def in_credit() -> IssuedStatement:
    entries = [line(fee(base_amount="100.00", amount="5.00"), datetime(2026, 3, 2, 10, tzinfo=UTC), 1),
               line(PaymentRecorded(provider_id="p", amount="1250.00", paid_on=date(2026, 3, 10),
                                    method=PaymentMethod.BANK_TRANSFER, reference="VIR-2026-118"),
                    datetime(2026, 3, 10, 10, tzinfo=UTC), 2)]
    return IssuedStatement("stm-2026-04-p", "limoges", date(2026, 5, 1), statement_for("p", "2026-04", entries))


def overflowing(page: Any) -> list[str]:
    """Elements wider than the window (read only by scrolling sideways)."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 40))""")


@pytest.mark.parametrize(("name", "statement", "expected"), [
    ("40-releve-mois", month_of_every_kind(), ["Relevé de compte — mars 2026", "Solde dû en fin de mois",
                                               "5 % de 1\u202f234,50\xa0€", "Chèque, réf. n° 1", "176,73\xa0€"]),
    ("41-releve-credit", in_credit(), ["Crédit du prestataire reporté du mois précédent", "1\u202f245,00\xa0€",
                                       "Crédit en faveur du prestataire en fin de mois"]),
])
def test_the_statement_reads_well_on_a_laptop_and_a_phone(page: Any, name: str, statement: IssuedStatement,
                                                         expected: list[str]) -> None:
    page.set_content(statement_html(statement, "Proximain (Limoges)"))
    seen = page.inner_text("body")

    assert all(words in seen for words in expected), seen
    assert not serious_accessibility_violations(page)
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    assert overflowing(page) == []
