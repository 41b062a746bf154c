"""Signed, expiring links for people without an account (a provider's offer page): itsdangerous underneath.

A link carries a small JSON payload signed with the service's secret (HMAC-SHA256) and its signing
time; :meth:`LinkSigner.read` refuses a token that was altered, signed with another secret or
purpose, or older than ``max_age``. Nothing is stored: revoking every link means changing the secret.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SECRET_BYTES = 32


class LinkExpired(Exception):
    """The link was genuine but is older than its lifetime."""


class LinkInvalid(Exception):
    """The link was not signed by this service for this purpose (altered, truncated, forged)."""


class LinkSigner:
    """Signs and reads the links of one ``purpose`` (e.g. ``"offer"``): a link of one purpose never opens another."""

    def __init__(self, secret: str, purpose: str, max_age_seconds: int) -> None:
        if len(secret) < 32:
            raise ValueError("a link secret needs at least 32 characters")
        self._serializer = URLSafeTimedSerializer(secret, salt=f"relais.{purpose}")
        self.max_age_seconds = max_age_seconds

    def sign(self, payload: dict[str, Any]) -> str:
        return str(self._serializer.dumps(payload))

    def read(self, token: str) -> dict[str, Any]:
        """The payload of ``token``; :class:`LinkExpired` or :class:`LinkInvalid` otherwise."""
        try:
            payload = self._serializer.loads(token, max_age=self.max_age_seconds)
        except SignatureExpired as error:
            raise LinkExpired("link expired") from error
        except BadSignature as error:
            raise LinkInvalid("link not signed by this service") from error
        if not isinstance(payload, dict):
            raise LinkInvalid("link payload is not an object")
        return payload


def secret_from_file(path: Path) -> str:
    """The secret kept in ``path`` (mode 600), made on first use: links survive restarts without a setting."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    path.touch(mode=0o600)
    path.write_text(secret)
    return secret
