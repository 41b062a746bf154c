"""Monthly statements rendered for people (HTML) and spreadsheets (CSV); amounts as exact decimals."""

from __future__ import annotations

import csv
import io
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.billing.domain.ledger import EntryKind
from services.billing.domain.money import money_str
from services.billing.service_layer.handlers import IssuedStatement

CSV_HEADER = ["date", "kind", "request_id", "description", "amount_eur"]
ENTRY_KINDS = {EntryKind.FEE: "frais", EntryKind.ADJUSTMENT: "régularisation", EntryKind.MEMBERSHIP: "adhésion",
               EntryKind.PAYMENT: "paiement"}


def statement_csv(statement: IssuedStatement) -> str:
    """One row per entry between an opening and a closing row; ``,``-separated, ``.`` decimals."""
    figures = statement.figures
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["statement", statement.statement_id, "provider", figures.provider_id, "period", figures.period])
    writer.writerow(CSV_HEADER)
    writer.writerow(["", "opening_balance", "", "owed at the start of the month", money_str(figures.opening_balance)])
    for entry in figures.entries:
        writer.writerow([entry.booked_on.isoformat(), entry.kind.value, entry.request_id or "", entry.description,
                         money_str(entry.amount)])
    writer.writerow(["", "total_charged", "", "fees, memberships and adjustments", money_str(figures.total_charged)])
    writer.writerow(["", "total_paid", "", "payments", money_str(figures.total_paid)])
    writer.writerow(["", "closing_balance", "", "owed at the end of the month", money_str(figures.closing_balance)])
    if figures.closing_credit:
        writer.writerow(["", "closing_credit", "", "crédit du prestataire : paiements supérieurs aux sommes dues, "
                         "déduit des prochains frais", money_str(figures.closing_credit)])
    return out.getvalue()


@cache
def _templates() -> Environment:
    folder = Path(__file__).parent / "templates"
    environment = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]))
    environment.filters["eur"] = money_str
    return environment


def statement_html(statement: IssuedStatement, platform_name: str) -> str:
    return _templates().get_template("statement.html").render(s=statement, f=statement.figures, platform=platform_name,
                                                              kinds=ENTRY_KINDS)
