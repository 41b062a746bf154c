"""Spam protection of the public request form (pure): honeypot, signed form age, rate limit."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import deque
from dataclasses import dataclass, field

MIN_SECONDS, MAX_SECONDS = 3.0, 2 * 3600.0


class SpamSuspected(ValueError):
    """The submission looks automated; ``reason`` is ``honeypot``, ``altered``, ``too_fast`` or ``expired``.

    The (English) message is safe to show; the public form shows its own French one per reason.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def form_stamp(secret: bytes, issued_at: float, nonce: str | None = None) -> str:
    """A token proving when the form was served, unique to that page: ``<time>.<nonce>.<hmac>``.

    The public form uses it as the submission's idempotency key: one stamp records at most one request.
    """
    when, nonce = f"{issued_at:.0f}", nonce or secrets.token_hex(8)
    signed = f"{when}.{nonce}"
    return f"{signed}.{hmac.new(secret, signed.encode(), hashlib.sha256).hexdigest()[:32]}"


def check_submission(secret: bytes, stamp: str, honeypot: str, now: float) -> None:
    """Raise :class:`SpamSuspected` for a filled honeypot, a forged, too fast or stale form."""
    if honeypot.strip():
        raise SpamSuspected("honeypot", "the form was not filled in by a person")
    when, _, rest = stamp.partition(".")
    nonce = rest.partition(".")[0]
    expected = form_stamp(secret, float(when), nonce) if when.isdigit() and nonce.isalnum() else ""
    if not expected or not hmac.compare_digest(expected, stamp):
        raise SpamSuspected("altered", "the form has expired or was altered: reload the page")
    age = now - float(when)
    if age < MIN_SECONDS:
        raise SpamSuspected("too_fast", "the form was sent too fast: take a few seconds and send it again")
    if age > MAX_SECONDS:
        raise SpamSuspected("expired", "the form has expired: reload the page")


@dataclass
class RateLimiter:
    """At most ``limit`` submissions per ``window`` seconds per client address (sliding window)."""

    limit: int = 5
    window: float = 600.0
    _hits: dict[str, deque[float]] = field(default_factory=dict)

    def allows(self, client: str, now: float) -> bool:
        """Whether ``client`` has room for one more submission (nothing is counted)."""
        hits = self._hits.get(client)
        if hits is None:
            return True
        while hits and now - hits[0] > self.window:
            hits.popleft()
        if not hits:
            del self._hits[client]
            return True
        return len(hits) < self.limit

    def record(self, client: str, now: float) -> None:
        self._hits.setdefault(client, deque()).append(now)

    def allow(self, client: str, now: float) -> bool:
        """:meth:`allows`, then counts the submission if it does."""
        if not self.allows(client, now):
            return False
        self.record(client, now)
        return True


@dataclass
class FormLimits:
    """The public form's budgets per client address: requests recorded, and submissions refused.

    A resident who mistypes a field and sends the form again spends only the larger budget of
    refusals; what was recorded counts against the smaller one. Past either, the form answers 429.
    """

    recorded: RateLimiter = field(default_factory=lambda: RateLimiter(limit=5, window=600.0))
    refused: RateLimiter = field(default_factory=lambda: RateLimiter(limit=20, window=600.0))

    def allows(self, client: str, now: float) -> bool:
        return self.recorded.allows(client, now) and self.refused.allows(client, now)
