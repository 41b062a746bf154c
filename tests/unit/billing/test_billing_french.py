"""What an accountant or a provider reads of billing is French, written from codes when read, never stored."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from uuid import uuid4

import pytest

from services.billing.domain.ledger import LedgerEntry, statement_for
from services.billing.entrypoints.statements import statement_csv, statement_html
from services.billing.service_layer.handlers import IssuedStatement
from shared.contracts.events.billing import (
    FeeAdjusted,
    FeeBasis,
    MembershipFeeCharged,
    PaymentMethod,
    PaymentRecorded,
)
from shared.contracts.labels import FEE_BASES, PAYMENT_METHODS
from tests.unit.billing.factories import fee, line, month_of_every_kind, statement_rows

ENGLISH = ("payment", "membership", "adjustment", "correction:", "labour", "travel", "excl", "tax", "new client",
           "owed", "opening", "closing", "balance", "charged", "paid", "credit", "statement", "provider",
           "period", "amount", "fee", "fees", "kind", "request", "description", "cheque", "bank transfer", "cash",
           "direct debit", "EUR", "of")
"""Every English word the statements used to show (row labels, descriptions, column names, codes)."""


@pytest.mark.parametrize(("payload", "words"), [
    (fee(), "5 % de 1\u202f234,50\xa0€ (main-d'œuvre et déplacement, HT)"),
    (fee(FeeBasis.PER_HOUR_NEW_CLIENT, base_amount="0.00", rate="0.10", hours_charged="12.50", amount="1.25"),
     "12,5 h × 0,10\xa0€ (heures d'un nouveau client)"),
    (MembershipFeeCharged(provider_id="p", year=2026, policy_id="x", amount="155.00"), "Cotisation annuelle 2026"),
    (FeeAdjusted(provider_id="p", request_id="r", adjusts_event_id=uuid4(), correction_event_id=uuid4(), policy_id="x",
                 amount="-1.00", reason="heures mal comptées"),
     "Après correction de l'intervention : heures mal comptées"),
    (FeeAdjusted(provider_id="p", request_id="r", adjusts_event_id=uuid4(), correction_event_id=uuid4(), policy_id="x",
                 amount="2.00"), "Après correction de l'intervention"),
    (PaymentRecorded(provider_id="p", amount="20.00", paid_on=date(2026, 3, 2), method=PaymentMethod.CHEQUE,
                     reference="CHQ 881"), "Chèque, réf. CHQ 881"),
    (PaymentRecorded(provider_id="p", amount="20.00", paid_on=date(2026, 3, 2), method=PaymentMethod.CASH), "Espèces"),
])
def test_each_entry_is_written_in_french_from_its_codes(payload, words) -> None:  # type: ignore[no-untyped-def]
    assert line(payload).description == words


def test_an_entry_keeps_codes_and_what_a_person_typed_never_a_sentence() -> None:
    assert "description" not in {field.name for field in fields(LedgerEntry)}
    paid = line(PaymentRecorded(provider_id="p", amount="20.00", paid_on=date(2026, 3, 2),
                                method=PaymentMethod.BANK_TRANSFER, reference="VIR-7"))
    assert (paid.method, paid.note) == (PaymentMethod.BANK_TRANSFER, "VIR-7")
    charged = line(fee())
    assert (charged.basis, charged.rate, charged.base_amount) == (FeeBasis.PERCENTAGE, Decimal("0.05"), Decimal("1234.50"))


def test_every_payment_method_and_fee_basis_has_its_french_words() -> None:
    assert set(PAYMENT_METHODS) == set(PaymentMethod) and set(FEE_BASES) == set(FeeBasis)


class VisibleText(HTMLParser):
    """The words a reader sees on a page: text outside <style>, and the page title."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._hidden = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self._hidden = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._hidden = False

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.words.append(data)


def english_in(text: str) -> list[str]:
    return [word for word in ENGLISH if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE)]


def test_the_statements_read_in_french_without_the_english_words_they_had() -> None:
    statement = month_of_every_kind()
    page = VisibleText()
    page.feed(statement_html(statement, "Proximain (Limoges)"))
    cells = [cell for row in statement_rows(statement_csv(statement, "Proximain (Limoges)")) for cell in row]

    assert english_in(" ".join(page.words)) == []
    assert english_in(" ".join(cells)) == []
    assert not any(re.fullmatch(r"[a-z]+(_[a-z]+)+", cell) for cell in cells), "a code in the CSV"


def test_pages_write_amounts_and_days_the_french_way_and_spreadsheets_get_numbers() -> None:
    statement = month_of_every_kind()
    html = statement_html(statement, "Proximain (Limoges)")
    rows = statement_rows(statement_csv(statement, "Proximain (Limoges)"))

    assert "Relevé de compte — mars 2026" in html and "émis le 01/04/2026" in html
    assert ">1\u202f234,50\xa0€ (main" in html.replace("5 % de ", ">") and ">155,00\xa0€<" in html
    assert ">-10,00\xa0€<" in html and ">02/03/2026<" in html
    assert rows[0][0] == "Relevé de compte — mars 2026" and rows[1] == ["Date", "Nature", "Demande", "Libellé", "Montant (€)"]
    assert rows[3] == ["02/03/2026", "frais", "req-1", "5 % de 1\u202f234,50\xa0€ (main-d'œuvre et déplacement, HT)",
                       "61,73"]
    assert [row[1] for row in rows[3:-3]] == ["frais", "frais", "adhésion", "régularisation"] + ["paiement"] * 4
    assert rows[-3:] == [["", "Total facturé (frais, adhésions et régularisations)", "", "", "216,73"],
                         ["", "Total payé", "", "", "40,00"], ["", "Solde dû en fin de mois", "", "", "176,73"]]


def test_a_day_is_the_platform_s_day() -> None:
    just_after_midnight_in_limoges = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    april = statement_for("p", "2026-04", [line(fee(), just_after_midnight_in_limoges)])
    html = statement_html(IssuedStatement("stm", "limoges", date(2026, 5, 1), april), "Proximain (Limoges)")
    assert ">01/04/2026<" in html
