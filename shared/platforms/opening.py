"""When the platform's phone line is staffed: weekly opening hours and public holidays."""

from __future__ import annotations

import re
from datetime import date, time
from itertools import pairwise
from typing import Any

from pydantic import Field, model_validator

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
            raise ValueError(f"{value!r} is not an interval like '09:00-12:00'")
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        try:
            return {"opens": time(h1, m1), "closes": time(h2, m2)}
        except ValueError as error:
            raise ValueError(f"{value!r}: {error}") from None

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        if self.closes <= self.opens:
            raise ValueError(f"interval {self}: closing time must be after opening time")
        return self

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"


class OpeningHours(PolicyModel):
    """Weekly opening hours (a missing weekday is closed all day) and days closed all day."""

    weekly: dict[Weekday, list[Interval]] = Field(
        default_factory=dict, description="Opening intervals per weekday, in order, not overlapping."
    )
    holidays: list[date] = Field(default_factory=list, description="Public holidays and other days closed all day.")

    @model_validator(mode="after")
    def _intervals_ordered(self) -> OpeningHours:
        for weekday, intervals in self.weekly.items():
            for index, (before, after) in enumerate(pairwise(intervals), start=1):
                if after.opens < before.closes:
                    raise ValueError(
                        f"weekly.{weekday.value}[{index}]: {after} starts before the previous interval {before} ends"
                    )
        if len(set(self.holidays)) != len(self.holidays):
            raise ValueError("holidays: a date is listed twice")
        return self

    def intervals_on(self, day: date) -> list[Interval]:
        """Opening intervals of ``day`` (empty on holidays and closed weekdays)."""
        if day in self.holidays:
            return []
        return list(self.weekly.get(list(Weekday)[day.weekday()], []))

    def is_empty(self) -> bool:
        return not any(self.weekly.values())
