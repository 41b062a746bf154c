"""Time as a dependency, so tests (and the demo) can move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class MovableClock(Clock, Protocol):
    """A clock tests can move forward (``POST /admin/clock``, :mod:`shared.service.test_clock`)."""

    def advance(self, delta: timedelta) -> None: ...


class SystemClock:
    """Wall-clock time (UTC), optionally shifted by an offset that tests can move."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta
