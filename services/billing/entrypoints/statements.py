"""Monthly statements rendered for providers (HTML) and accountants' spreadsheets (CSV), in French.

Every word comes from :mod:`shared.contracts.labels` (row labels, columns, entry kinds) and each entry's
line from :func:`services.billing.domain.ledger.describe`. Days are the platform's local days the ledger
booked them on. The page writes amounts the French way (``1 234,56 €``, :func:`french_euros`); the CSV
follows what a French spreadsheet opens as numbers: ``;``-separated, decimal comma without grouping,
dates ``dd/mm/yyyy``, UTF-8 with a byte order mark.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.billing.domain.ledger import StatementFigures, period_bounds
from services.billing.domain.money import FRENCH, french_euros, money_str
from services.billing.service_layer.handlers import IssuedStatement
from shared.contracts.labels import LEDGER_ENTRY_KINDS, STATEMENT_COLUMNS, STATEMENT_LINES, label

CSV_COLUMNS = ("date", "kind", "request_id", "description", "amount")
HTML_IDS = {"opening_balance": "opening", "opening_credit": "opening-credit", "total_charged": "charged",
            "total_paid": "paid", "closing_balance": "closing", "closing_credit": "closing-credit"}


def french_day(day: date) -> str:
    """``12/03/2026``."""
    return format_date(day, "dd/MM/yyyy", locale=FRENCH)


def french_month(period: str) -> str:
    """The month ``YYYY-MM`` in words: ``mars 2026``."""
    return format_date(period_bounds(period)[0], "MMMM y", locale=FRENCH)


def summary_lines(figures: StatementFigures) -> tuple[list[tuple[str, Decimal]], list[tuple[str, Decimal]]]:
    """The labelled amounts before the month's entries (opening) and after them (totals, closing).

    A credit is shown as a credit, a positive amount under its own label, never as a negative amount owed.
    """
    opening = ("opening_credit", figures.opening_credit) if figures.opening_credit else (
        "opening_balance", figures.opening_balance)
    closing = ("closing_credit", figures.closing_credit) if figures.closing_credit else (
        "closing_balance", figures.closing_balance)
    return [opening], [("total_charged", figures.total_charged), ("total_paid", figures.total_paid), closing]


def statement_csv(statement: IssuedStatement, platform_name: str) -> str:
    """A title row, the column names, the opening row, one row per entry, the totals and the closing row."""
    figures = statement.figures
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([f"Relevé de compte — {french_month(figures.period)}", platform_name,
                     f"prestataire {figures.provider_id}", f"relevé {statement.statement_id}",
                     f"émis le {french_day(statement.issued_on)}"])
    writer.writerow([STATEMENT_COLUMNS[column] for column in CSV_COLUMNS])
    opening, closing = summary_lines(figures)
    for code, amount in opening:
        writer.writerow(["", STATEMENT_LINES[code], "", "", _spreadsheet_number(amount)])
    for entry in figures.entries:
        writer.writerow([french_day(entry.booked_on), label(LEDGER_ENTRY_KINDS, entry.kind), entry.request_id or "",
                         entry.description, _spreadsheet_number(entry.amount)])
    for code, amount in closing:
        writer.writerow(["", STATEMENT_LINES[code], "", "", _spreadsheet_number(amount)])
    return out.getvalue()


def _spreadsheet_number(amount: Decimal) -> str:
    """``1234,56``: a number to a French spreadsheet (no grouping, which would make it text)."""
    return money_str(amount).replace(".", ",")


@cache
def _templates() -> Environment:
    folder = Path(__file__).parent / "templates"
    environment = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]))
    environment.filters["eur"] = french_euros
    environment.filters["day"] = french_day
    return environment


def statement_html(statement: IssuedStatement, platform_name: str) -> str:
    opening, closing = summary_lines(statement.figures)
    return _templates().get_template("statement.html").render(
        s=statement, f=statement.figures, platform=platform_name, month=french_month(statement.figures.period),
        opening=opening, closing=closing, lines=STATEMENT_LINES, columns=STATEMENT_COLUMNS, kinds=LEDGER_ENTRY_KINDS,
        ids=HTML_IDS)
