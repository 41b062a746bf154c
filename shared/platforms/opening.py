"""When the platform's phone line is staffed: weekly opening hours, public holidays and other closed days.

Public holidays come from the ``holidays`` library (country and optional subdivision), for every
year: no list to extend each year.
"""

from __future__ import annotations

import re
from datetime import date, time
from functools import lru_cache
from itertools import pairwise
from typing import Any

import holidays as holiday_calendars
from pydantic import Field, ValidationInfo, field_validator, model_validator

from shared.contracts.events.providers import Weekday
from shared.platforms._base import PolicyModel

_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class Interval(PolicyModel):
    """Opening interval of one day, local time; written ``"09:00-12:00"`` in policy files.

    ``closes`` is exclusive; an interval never crosses midnight.
    """

    opens: time = Field(description="Local opening time.")
    closes: time = Field(description="Local closing time, after `opens` (same day).")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        match = _INTERVAL.match(value)
        if not match:
            raise ValueError(f"{value!r} n'est pas un créneau comme '09:00-12:00'")
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        try:
            return {"opens": time(h1, m1), "closes": time(h2, m2)}
        except ValueError:
            raise ValueError(f"{value!r} : heure impossible") from None

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        if self.closes <= self.opens:
            raise ValueError(f"créneau {self} : la fermeture doit suivre l'ouverture")
        return self

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"


class PublicHolidays(PolicyModel):
    """The public holidays of a country, or of one of its subdivisions where they differ (Alsace-Moselle)."""

    country: str = Field(description="ISO 3166-1 alpha-2 country code, e.g. FR or BE.")
    subdivision: str | None = Field(default=None, description="Subdivision code as the `holidays` library "
                                                              "names it, e.g. 57 (Moselle) or 6AE (Alsace) for FR.")

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value not in holiday_calendars.list_supported_countries(include_aliases=False):
            raise ValueError(f"aucun calendrier de jours fériés pour le pays {value!r} ; "
                             "donnez un code ISO 3166-1 alpha-2 en capitales, par exemple FR ou BE")
        return value

    @field_validator("subdivision")
    @classmethod
    def _known_subdivision(cls, value: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("country")
        if value is None or country is None:  # no country: already reported
            return value
        known = holiday_calendars.list_supported_countries(include_aliases=False)[country]
        if value not in known:
            alias = getattr(_calendar(country, None), "subdivisions_aliases", {}).get(value)
            hint = f"écrivez son code {alias}" if alias else f"connues : {', '.join(known) or 'aucune'}"
            raise ValueError(f"{country} n'a pas de subdivision {value!r} ({hint})")
        return value

    def __contains__(self, day: object) -> bool:
        return day in _calendar(self.country, self.subdivision)


@lru_cache(maxsize=64)
def _calendar(country: str, subdivision: str | None) -> holiday_calendars.HolidayBase:
    """One calendar per (country, subdivision), built on first use; it computes a year the first time a
    day of that year is looked up (``expand=True``), so every year is covered without a list to extend."""
    return holiday_calendars.country_holidays(country, subdiv=subdivision)


class OpeningHours(PolicyModel):
    """Weekly opening hours (a missing weekday is closed all day), public holidays and other closed days."""

    weekly: dict[Weekday, list[Interval]] = Field(
        default_factory=dict, description="Opening intervals per weekday, in order, not overlapping."
    )
    public_holidays: PublicHolidays | None = Field(
        default=None, description="Whose public holidays close the platform (none when absent).")
    holidays: list[date] = Field(default_factory=list, description="Other days closed all day: local closures, "
                                                                   "bridge days.")

    @model_validator(mode="after")
    def _intervals_ordered(self) -> OpeningHours:
        for weekday, intervals in self.weekly.items():
            for index, (before, after) in enumerate(pairwise(intervals), start=1):
                if after.opens < before.closes:
                    raise ValueError(
                        f"weekly.{weekday.value}[{index}]: {after} commence avant la fin du créneau précédent {before}"
                    )
        if len(set(self.holidays)) != len(self.holidays):
            raise ValueError("holidays: une date est indiquée deux fois")
        return self

    def intervals_on(self, day: date) -> list[Interval]:
        """Opening intervals of ``day`` (empty on public holidays, other closed days and closed weekdays)."""
        if day in self.holidays or (self.public_holidays is not None and day in self.public_holidays):
            return []
        return list(self.weekly.get(list(Weekday)[day.weekday()], []))

    def is_empty(self) -> bool:
        return not any(self.weekly.values())
