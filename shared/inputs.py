"""Validated types for what people type in (HTTP bodies and the commands built from them).

Commands use these; event contracts do not (events already on the bus must still validate on
replay, whatever they hold). Bounds:

- moments and days lie in years ``MIN_YEAR``..``MAX_YEAR`` (2000-2100); moments carry a time zone;
  records of a structure's history (admission committee, agrément) may go back to ``MIN_RECORD_YEAR`` (1900);
- an availability window lasts at most ``MAX_WINDOW`` (31 days);
- amounts are euros with at most two decimals, from 0 to ``MAX_AMOUNT`` (1,000,000.00);
- a fact that already happened (a contact, a call, a payment) may be dated at most ``FUTURE_TOLERANCE``
  (10 minutes) after the service's clock: :func:`ensure_not_future` and :func:`ensure_not_future_day`,
  called by the service layer, which holds the clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from shared.commands import Frozen
from shared.contracts.types import Money, TimeWindow
from shared.errors import DomainError

MIN_YEAR, MAX_YEAR = 2000, 2100
MIN_RECORD_YEAR = 1900
MAX_WINDOW = timedelta(days=31)
MAX_AMOUNT = Decimal("1000000.00")
FUTURE_TOLERANCE = timedelta(minutes=10)


def _in_years(day: date, first: int = MIN_YEAR) -> None:
    if not first <= day.year <= MAX_YEAR:
        raise ValueError(f"doit être entre les années {first} et {MAX_YEAR}")


def day_within_years(value: date) -> date:
    """``value`` if it lies in the years ``MIN_YEAR``..``MAX_YEAR``; else ValueError (a 422 in a body)."""
    _in_years(value)
    return value


def _record_day(value: date) -> date:
    _in_years(value, MIN_RECORD_YEAR)
    return value


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("doit indiquer le fuseau horaire, par exemple 2026-12-05T10:00:00+01:00 ou 2026-12-05T09:00:00Z")
    return value


def _moment(value: datetime) -> datetime:
    _in_years(_aware(value))
    return value


def _record_moment(value: datetime) -> datetime:
    _in_years(_aware(value), MIN_RECORD_YEAR)
    return value


def _local_moment(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("doit être une date et heure locale ISO 8601, par exemple 2026-12-05T18:40:00 (ou avec +01:00)") from None
    _in_years(moment)
    return text


def _amount(text: str) -> str:
    if Decimal(text) > MAX_AMOUNT:
        raise ValueError(f"doit valoir au plus {MAX_AMOUNT} euros")
    return text


Day = Annotated[date, AfterValidator(day_within_years)]
"""A calendar day between the years 2000 and 2100."""

Moment = Annotated[datetime, AfterValidator(_moment)]
"""A timezone-aware instant between the years 2000 and 2100."""

RecordDay = Annotated[date, AfterValidator(_record_day)]
"""A day of a structure's history (admission committee, agrément), between the years 1900 and 2100."""

RecordMoment = Annotated[datetime, AfterValidator(_record_moment)]
"""A timezone-aware instant of a structure's history, between the years 1900 and 2100."""

LocalMoment = Annotated[str, Field(max_length=40), AfterValidator(_local_moment)]
"""An ISO 8601 date-time as written (kept as text), local time unless it gives an offset; years 2000-2100."""

Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=2,
                                  description="Amount in euros, at most two decimals, 0 to 1000000.00.")]
"""Euros as a number (or decimal string), at most two decimals, between 0 and ``MAX_AMOUNT``."""

AmountText = Annotated[Money, AfterValidator(_amount)]
"""Euros as a decimal string with two places (the contracts' ``Money``), at most ``MAX_AMOUNT``."""


class AvailabilityWindow(Frozen):
    """A period when the resident is available, as typed in: aware, in sane years, at most 31 days long."""

    starts_at: Moment = Field(description="Start of the window, with its time zone, e.g. 2026-12-05T10:00:00+01:00.")
    ends_at: Moment = Field(description="End of the window, with its time zone; at most 31 days after the start.")

    @model_validator(mode="after")
    def _sane(self) -> AvailabilityWindow:
        if self.ends_at <= self.starts_at:
            raise ValueError("une plage horaire doit finir après son début")
        if self.ends_at - self.starts_at > MAX_WINDOW:
            raise ValueError(f"une plage horaire dure au plus {MAX_WINDOW.days} jours")
        return self

    def window(self) -> TimeWindow:
        """The contract's value type, for the event."""
        return TimeWindow(starts_at=self.starts_at, ends_at=self.ends_at)


def ensure_not_future(what: str, moment: datetime, now: datetime) -> None:
    """``DomainError`` (422) if ``moment`` is more than ``FUTURE_TOLERANCE`` after ``now`` (the service's clock)."""
    if moment > now + FUTURE_TOLERANCE:
        raise DomainError("in_the_future", f"{what} ({moment.isoformat()}) est dans le futur : au plus tard "
                                           f"maintenant ({now.isoformat(timespec='seconds')}) plus "
                                           f"{FUTURE_TOLERANCE.seconds // 60} minutes", field=what)


def ensure_not_future_day(what: str, day: date, now: datetime, zone: tzinfo) -> None:
    """``DomainError`` (422) if ``day`` is after today in ``zone`` (the platform's), by the service's clock."""
    today = (now + FUTURE_TOLERANCE).astimezone(zone).date()
    if day > today:
        raise DomainError("in_the_future", f"{what} ({day.isoformat()}) est dans le futur : au plus tard le "
                                           f"{today.isoformat()}", field=what)


def local_moment(text: str, zone: tzinfo) -> datetime:
    """A :data:`LocalMoment` as an aware instant: its own offset if it gives one, else ``zone``."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
