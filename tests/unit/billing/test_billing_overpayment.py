"""A payment larger than the balance is recorded in full: a credit in the provider's favour, shown as such."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

from services.billing.domain.ledger import entry_of, statement_for
from services.billing.entrypoints.statements import statement_csv, statement_html
from services.billing.service_layer.handlers import IssuedStatement
from shared.contracts.events.billing import FeeBasis, FeeCharged, PaymentMethod, PaymentRecorded
from tests.unit.billing.factories import PARIS, envelope, statement_rows


def overpaid_account() -> list:  # type: ignore[type-arg]
    fee = FeeCharged(provider_id="p", request_id="req-1", intervention_event_id="6f1c0e7e-2f4b-4c57-9a60-1b0b8e5b3c11",
                     policy_id="x", basis=FeeBasis.PERCENTAGE, base_amount="100.00", rate="0.05", hours_charged="0.00",
                     amount="5.00")
    cheque = PaymentRecorded(provider_id="p", amount="25.00", paid_on=date(2026, 3, 10), method=PaymentMethod.CHEQUE,
                             reference="chq 1234")
    return [entry_of(envelope(fee, datetime(2026, 3, 2, 10, tzinfo=UTC), 1), PARIS),
            entry_of(envelope(cheque, datetime(2026, 3, 10, 10, tzinfo=UTC), 2), PARIS)]


def test_the_whole_cheque_is_booked_and_the_excess_is_a_credit_carried_to_the_next_month() -> None:
    march = statement_for("p", "2026-03", overpaid_account())
    assert (march.total_paid, march.closing_balance, march.closing_credit) == (D("25.00"), D("-20.00"), D("20.00"))
    april = statement_for("p", "2026-04", overpaid_account())
    assert (april.opening_balance, april.opening_credit, april.closing_credit) == (D("-20.00"), D("20.00"), D("20.00"))


def test_the_statement_shows_a_credit_not_an_amount_owed() -> None:
    issued = IssuedStatement("stm-2026-03-p", "limoges", date(2026, 4, 1), statement_for("p", "2026-03", overpaid_account()))
    html = statement_html(issued, "Proximain (Limoges)")
    assert "Crédit en faveur du prestataire en fin de mois" in html and 'id="closing-credit">20,00\xa0€<' in html
    assert "Solde dû en fin de mois" not in html and "20,00\xa0€</strong> de plus que les sommes dues" in html
    assert ">paiement<" in html and ">frais<" in html
    rows = statement_rows(statement_csv(issued, "Proximain (Limoges)"))
    assert rows[-1][1:] == ["Crédit en faveur du prestataire en fin de mois", "", "", "20,00"]
    assert all(row[1] != "Solde dû en fin de mois" for row in rows)


def test_a_credit_carried_into_the_month_opens_the_statement_as_a_credit() -> None:
    april = IssuedStatement("stm-2026-04-p", "limoges", date(2026, 5, 1), statement_for("p", "2026-04", overpaid_account()))
    html = statement_html(april, "Proximain (Limoges)")
    assert 'id="opening-credit">20,00\xa0€<' in html and "Crédit du prestataire reporté du mois précédent" in html
    assert statement_rows(statement_csv(april, "Proximain (Limoges)"))[2][1:] == [
        "Crédit du prestataire reporté du mois précédent", "", "", "20,00"]


def test_a_balance_owed_has_no_credit_line() -> None:
    owed = statement_for("p", "2026-03", overpaid_account()[:1])
    html = statement_html(IssuedStatement("stm", "limoges", date(2026, 4, 1), owed), "Proximain (Limoges)")
    assert owed.closing_credit == D("0") and 'id="closing">5,00\xa0€<' in html and "Crédit" not in html


