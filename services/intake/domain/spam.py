"""Spam protection of the public request form (pure): honeypot, signed form age, rate limit."""

from __future__ import annotations

import hashlib
import hmac
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


def form_stamp(secret: bytes, issued_at: float) -> str:
    """A token proving when the form was served: ``<time>.<hmac>``."""
    when = f"{issued_at:.0f}"
    return f"{when}.{hmac.new(secret, when.encode(), hashlib.sha256).hexdigest()[:32]}"


def check_submission(secret: bytes, stamp: str, honeypot: str, now: float) -> None:
    """Raise :class:`SpamSuspected` for a filled honeypot, a forged, too fast or stale form."""
    if honeypot.strip():
        raise SpamSuspected("honeypot", "the form was not filled in by a person")
    when = stamp.partition(".")[0]
    expected = form_stamp(secret, float(when)) if when.isdigit() else ""
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

    def allow(self, client: str, now: float) -> bool:
        hits = self._hits.setdefault(client, deque())
        while hits and now - hits[0] > self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True
