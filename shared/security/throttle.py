"""A sliding-window limit on sign-in attempts, per address and per account email, in the process that serves the
sign-in pages (intake). It comes on top of the account lock (:data:`shared.security.accounts.LOCK_AFTER`): it
slows down an address trying many accounts, and the reset and invitation forms."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class Throttle:
    """At most ``limit`` attempts per key within ``window``; :meth:`hit` says how long to wait when over."""

    limit: int
    window: timedelta
    now: Callable[[], datetime]
    _hits: dict[str, deque[datetime]] = field(default_factory=dict)

    def hit(self, key: str) -> timedelta | None:
        """Count an attempt of ``key``; None when allowed, else how long until the next one is."""
        now = self.now()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] + self.window - now
        hits.append(now)
        if len(self._hits) > 50_000:
            self._forget_idle(now)
        return None

    def _forget_idle(self, now: datetime) -> None:
        for key in [key for key, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[key]


@dataclass
class SignInThrottles:
    """Per client address (30 attempts in 10 minutes) and per email of a platform (20 in 10 minutes)."""

    now: Callable[[], datetime]
    per_address: Throttle = field(init=False)
    per_email: Throttle = field(init=False)

    def __post_init__(self) -> None:
        self.per_address = Throttle(30, timedelta(minutes=10), self.now)
        self.per_email = Throttle(20, timedelta(minutes=10), self.now)

    def hit(self, address: str, platform_id: str, email: str) -> timedelta | None:
        waits = [self.per_address.hit(address), self.per_email.hit(f"{platform_id}|{email.strip().lower()}")]
        longest = max((wait for wait in waits if wait is not None), default=None)
        return longest
