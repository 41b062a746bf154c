"""Server-side browser sessions of people's accounts (:mod:`shared.security.accounts`).

A session id is 256 random bits sent only in the ``HttpOnly`` cookie :data:`SESSION_COOKIE`; the store keeps
its SHA-256, never the id. Each request looks the session up in the identity store shared by every service
(:meth:`SessionStore.session_with_account`), so signing out, signing out everywhere or disabling the account
ends it at once in every service. A session ends after ``idle`` without a request or ``absolute`` after it
opened, whichever comes first: both come from the platform's policy when it opens
(``sessions.idle_minutes``, ``sessions.absolute_hours``).

Each session has its own CSRF token (a synchronizer token kept in its row), also sent in the readable cookie
:data:`CSRF_COOKIE` so that the console's script can copy it into the ``X-CSRF-Token`` header; forms carry
it in a hidden ``csrf_token`` field. Every unsafe request authenticated by the cookie must present it
(:func:`shared.security.http.current_principal`).

Lower-level entry point (no HTTP) for a sign-in that succeeded, e.g. OpenID Connect's::

    opened = await open_session(store, platform="limoges", account_id=account.account_id, method="oidc",
                                limits=SessionLimits.of(policy), now=clock.now())
    # opened.session_id goes in the cookie, opened.csrf_token in the CSRF cookie:
    # shared.security.web.start_browser_session does both.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from shared.security.accounts import Account, SignInMethod

if TYPE_CHECKING:
    from shared.platforms.model import PlatformPolicy

SESSION_COOKIE = "relais_session"
CSRF_COOKIE = "relais_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
TOUCH_EVERY = timedelta(seconds=30)
"""``last_seen_at`` is written at most this often per session (every service reads it at each request)."""


@dataclass(frozen=True, slots=True)
class SessionLimits:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)

    @classmethod
    def of(cls, policy: PlatformPolicy | None) -> SessionLimits:
        """The limits of ``policy`` (the defaults for a federation admin, who has no platform)."""
        if policy is None:
            return cls()
        return cls(idle=timedelta(minutes=policy.sessions.idle_minutes),
                   absolute=timedelta(hours=policy.sessions.absolute_hours))


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A session as stored: the hash of its id, never the id."""

    session_hash: str
    account_id: str
    platform_id: str
    method: SignInMethod
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    idle_expires_at: datetime
    absolute_expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.idle_expires_at or now >= self.absolute_expires_at


@dataclass(frozen=True, slots=True)
class OpenedSession:
    """A session just opened: ``session_id`` is shown to nobody but the browser (cookie), once."""

    session_id: str
    csrf_token: str
    record: SessionRecord


class SessionStore(Protocol):
    async def add_session(self, record: SessionRecord) -> None: ...

    async def session_with_account(self, session_hash: str) -> tuple[SessionRecord, Account] | None: ...

    async def touch_session(self, session_hash: str, now: datetime, idle_expires_at: datetime) -> None: ...

    async def end_session(self, session_hash: str) -> None: ...

    async def end_sessions_of(self, account_id: str) -> int: ...


def hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


async def open_session(store: SessionStore, *, platform: str, account_id: str, method: SignInMethod,
                       limits: SessionLimits, now: datetime) -> OpenedSession:
    """Open a session for an account whose sign-in just succeeded (password, TOTP or OpenID Connect)."""
    session_id = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    record = SessionRecord(session_hash=hash_session_id(session_id), account_id=account_id, platform_id=platform,
                           method=method, csrf_token=csrf_token, created_at=now, last_seen_at=now,
                           idle_expires_at=now + limits.idle, absolute_expires_at=now + limits.absolute)
    await store.add_session(record)
    return OpenedSession(session_id, csrf_token, record)


class SessionEnded(Exception):
    """No live session for this cookie; the message is a French sentence."""


async def resolve_session(store: SessionStore, session_id: str, now: datetime) -> tuple[SessionRecord, Account]:
    """The live session of ``session_id`` and its account, its idle deadline pushed back; :class:`SessionEnded`
    when it is unknown, expired, or its account is disabled (then it is deleted)."""
    session_hash = hash_session_id(session_id)
    found = await store.session_with_account(session_hash)
    if found is None:
        raise SessionEnded("Votre session a pris fin : connectez-vous de nouveau.")
    record, account = found
    if account.disabled:
        await store.end_sessions_of(account.account_id)
        raise SessionEnded("Ce compte est désactivé : adressez-vous à la coordination de votre plateforme.")
    if record.expired(now):
        await store.end_session(session_hash)
        raise SessionEnded("Votre session a expiré faute d'activité : connectez-vous de nouveau.")
    if now - record.last_seen_at >= TOUCH_EVERY:
        idle = record.idle_expires_at - record.last_seen_at
        await store.touch_session(session_hash, now, min(now + idle, record.absolute_expires_at))
    return record, account
