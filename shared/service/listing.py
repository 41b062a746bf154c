"""What every list route of the JSON APIs takes: a page (``offset`` + ``limit``) and a period of the platform's days.

A list answers a JSON array of at most ``limit`` items, newest first unless the route says otherwise; the next
page is ``offset + limit``, and a page shorter than ``limit`` is the last one. ``since`` and ``until`` are days of
the platform's local calendar, both included (``until=2026-03-31`` takes the whole of 31 March in Limoges).

Use them as dependencies::

    async def list_things(page: Page, period: Period, ...) -> list[Thing]:
        start, end = period.bounds(policy.zone)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Annotated, TypeVar

from fastapi import Depends, Query

from shared.errors import DomainError
from shared.inputs import day_within_years

T = TypeVar("T")
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000


@dataclass(frozen=True)
class Paging:
    offset: int = 0
    limit: int = 50

    def of(self, items: Sequence[T]) -> list[T]:
        """This page of ``items`` (for lists filtered in Python rather than in SQL)."""
        return list(items[self.offset:self.offset + self.limit])


@dataclass(frozen=True)
class Days:
    since: date | None = None
    until: date | None = None

    def bounds(self, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
        """The instants where the period starts (included) and ends (excluded), as the platform's midnights."""
        start = datetime.combine(self.since, time(), tzinfo=zone) if self.since else None
        end = datetime.combine(self.until + timedelta(days=1), time(), tzinfo=zone) if self.until else None
        return start, end

    def holds(self, moment: datetime | None, zone: tzinfo) -> bool:
        """Whether ``moment`` lies in the period (an unknown moment only in an open period)."""
        start, end = self.bounds(zone)
        if moment is None:
            return start is None and end is None
        return (start is None or moment >= start) and (end is None or moment < end)


async def paging(
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip: the next page starts at offset + limit.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page, at most {MAX_LIMIT}.")] = 50,
) -> Paging:
    return Paging(offset, limit)


async def days(
    since: Annotated[date | None, Query(description="First day, YYYY-MM-DD, in the platform's local calendar.")] = None,
    until: Annotated[date | None, Query(description="Last day, YYYY-MM-DD, included.")] = None,
) -> Days:
    for name, day in (("since", since), ("until", until)):
        if day is not None:
            try:
                day_within_years(day)
            except ValueError as error:
                raise DomainError("invalid_period", f"« {name} » {error}.", field=f"paramètre {name}") from None
    if since and until and until < since:
        raise DomainError("invalid_period", f"La période finit ({until:%d/%m/%Y}) avant de commencer "
                                            f"({since:%d/%m/%Y}).", field="paramètre until")
    return Days(since, until)


Page = Annotated[Paging, Depends(paging)]
Period = Annotated[Days, Depends(days)]
