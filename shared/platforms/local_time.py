"""The platform's local time: the only way an instant becomes a day, a month, a year or a time of day.

Instants are stored and carried in UTC. Whatever a person reads (a deadline in the timeline) and every
rule that speaks of a day or a month (an agrément valid until a date, the month of the observatory or of
a statement, the year of a membership) uses the platform's time zone (``PlatformPolicy.zone``): a request
left unmet at 00:30 on 1 January in Limoges counts in January, not in December as UTC would have it.

Every function refuses a naive datetime (an instant without a time zone has no local date).
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo


def local(at: datetime, zone: tzinfo) -> datetime:
    """``at`` as the wall-clock time of ``zone``."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at.isoformat()} has no time zone; give an aware datetime")
    return at.astimezone(zone)


def local_date(at: datetime, zone: tzinfo) -> date:
    """The calendar day of ``zone`` in which ``at`` falls."""
    return local(at, zone).date()


def local_month(at: datetime, zone: tzinfo) -> str:
    """The month of ``zone`` in which ``at`` falls, as ``YYYY-MM`` (the key of every monthly figure)."""
    return f"{local_date(at, zone):%Y-%m}"


def local_year(at: datetime, zone: tzinfo) -> int:
    """The calendar year of ``zone`` in which ``at`` falls."""
    return local_date(at, zone).year


def french_moment(at: datetime, zone: tzinfo) -> str:
    """``at`` as a French reader expects it, in the platform's time: ``le 05/12 à 14:30``."""
    moment = local(at, zone)
    return f"le {moment:%d/%m} à {moment:%H:%M}"


MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
          "décembre")


def french_month(day: date) -> str:
    """The month of ``day`` as a French reader writes it: ``novembre 2026``."""
    return f"{MONTHS[day.month - 1]} {day.year}"
