"""Exact money: euros as ``Decimal``, never floats.

Rounding rule: every charge is rounded once, to the cent, half up (``ROUND_HALF_UP``):
5 % of 10.10 = 0.505 -> 0.51; 5 % of 10.09 = 0.5045 -> 0.50. Sums of rounded charges are exact.
Stores keep integer cents (and hours in hundredths), so totals computed by the database are exact too.

Two written forms: the contract form of events and APIs (:func:`money_str`, ``'1234.56'``) and the form a
French reader expects on a page (:func:`french_euros`, ``1 234,56 €``), written by Babel's French locale.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal

FRENCH = "fr_FR"

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_cents(value: Decimal) -> Decimal:
    """``value`` rounded to the cent, half up."""
    if isinstance(value, float):
        raise TypeError("money must be a Decimal, not a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_money(text: str) -> Decimal:
    """A decimal string with at most two places, e.g. ``'6.75'``; ``ValueError`` otherwise."""
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError):
        raise ValueError(f"{text!r} is not an amount") from None
    if not value.is_finite() or value != value.quantize(CENT):
        raise ValueError(f"{text!r} must have at most two decimal places")
    return value.quantize(CENT)


def money_str(value: Decimal) -> str:
    """The contract form of an amount: two places, e.g. ``'155.00'``, ``'-1.00'``."""
    return str(round_cents(value) + 0)


def french_euros(value: Decimal) -> str:
    """An amount as a French reader expects it: ``1 234,56 €`` (narrow no-break spaces), ``-5,00 €``."""
    return format_currency(round_cents(value), "EUR", locale=FRENCH)


def french_number(value: Decimal) -> str:
    """A rate or a number of hours the French way, without useless zeros: ``5``, ``12,5``, ``0,1``."""
    return format_decimal(value, locale=FRENCH)


def to_cents(value: Decimal) -> int:
    exact = Decimal(value) * 100
    if exact != exact.to_integral_value():
        raise ValueError(f"{value} is not a whole number of cents")
    return int(exact)


def from_cents(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)
