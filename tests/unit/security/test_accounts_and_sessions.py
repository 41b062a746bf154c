"""Accounts, sessions, CSRF and throttling on fakes: no database, no server."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from argon2 import PasswordHasher
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from shared.clock import FixedClock
from shared.security.accounts import (
    LOCK_AFTER,
    Account,
    AccountError,
    AccountLocked,
    Accounts,
    LinkPurpose,
    OneTimeLink,
    SecretBox,
    WeakPassword,
)
from shared.security.http import current_principal
from shared.security.principals import Principal, Role
from shared.security.sessions import (
    CSRF_HEADER,
    SESSION_COOKIE,
    SessionEnded,
    SessionLimits,
    SessionRecord,
    open_session,
    resolve_session,
)
from shared.security.throttle import SignInThrottles
from shared.security.tokens import TokenRegistry
from shared.security.web import HiddenLinkTokens, Identity

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
PASSWORD = "douze caractères au moins"


class FakeIdentityStore:
    """Accounts, links and sessions in dicts: the ports of shared.security.accounts and sessions."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.links: dict[str, OneTimeLink] = {}
        self.sessions: dict[str, SessionRecord] = {}
        self.emails: list[str] = []

    async def add_account(self, account: Account, link: OneTimeLink | None = None, *,
                          invitation_url: str | None = None) -> None:
        self.accounts[account.account_id] = account
        if link is not None:
            self.links[link.token_hash] = link
        if invitation_url is not None:
            self.emails.append(invitation_url)

    async def account(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)

    async def account_by_email(self, platform_id: str, email: str) -> Account | None:
        return next((a for a in self.accounts.values() if (a.platform_id, a.email) == (platform_id, email)), None)

    async def account_by_oidc(self, platform_id: str, issuer: str, subject: str) -> Account | None:
        return None

    async def accounts_of(self, platform_id: str) -> list[Account]:
        return [a for a in self.accounts.values() if a.platform_id == platform_id]

    async def save_account(self, account: Account) -> None:
        self.accounts[account.account_id] = account

    async def add_link(self, link: OneTimeLink, *, url: str | None = None) -> None:
        self.links[link.token_hash] = link
        if url is not None:
            self.emails.append(url)

    async def use_link(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> str | None:
        account_id = await self.link_account(token_hash, purpose, now)
        if account_id is not None:
            self.links[token_hash] = replace(self.links[token_hash], used_at=now)
        return account_id

    async def link_account(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> str | None:
        link = self.links.get(token_hash)
        if link is None or link.purpose != purpose or link.used_at is not None or link.expires_at <= now:
            return None
        return link.account_id

    async def add_session(self, record: SessionRecord) -> None:
        self.sessions[record.session_hash] = record

    async def session_with_account(self, session_hash: str) -> tuple[SessionRecord, Account] | None:
        record = self.sessions.get(session_hash)
        return (record, self.accounts[record.account_id]) if record else None

    async def touch_session(self, session_hash: str, now: datetime, idle_expires_at: datetime) -> None:
        self.sessions[session_hash] = replace(self.sessions[session_hash], last_seen_at=now,
                                              idle_expires_at=idle_expires_at)

    async def end_session(self, session_hash: str) -> None:
        self.sessions.pop(session_hash, None)

    async def end_sessions_of(self, account_id: str) -> int:
        ended = [key for key, record in self.sessions.items() if record.account_id == account_id]
        for key in ended:
            del self.sessions[key]
        return len(ended)


@pytest.fixture
def store() -> FakeIdentityStore:
    return FakeIdentityStore()


@pytest.fixture
def accounts(store: FakeIdentityStore) -> Accounts:
    return Accounts(store, SecretBox(b"s" * 32), hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


async def active(accounts: Accounts, role: Role = Role.OPERATOR) -> Account:
    _, link = await accounts.invite(platform_id="limoges", role=role, email="Op@Example.fr ",
                                          display_name="Op", created_by="tests", now=NOW, base_url="http://c")
    return await accounts.accept_invitation(link.rsplit("/", 1)[1], PASSWORD, NOW)


async def test_the_invitation_is_emailed_and_the_password_hashed(store: FakeIdentityStore, accounts: Accounts) -> None:
    account = await active(accounts)
    assert store.emails == [store.emails[0]] and store.emails[0].startswith("http://c/invitation/")
    assert account.email == "op@example.fr" and PASSWORD not in (account.password_hash or "")
    with pytest.raises(WeakPassword):
        await accounts.accept_invitation("whatever", "court", NOW)


async def test_a_right_password_clears_the_count_and_the_tenth_wrong_one_locks(accounts: Accounts) -> None:
    account = await active(accounts)
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(AccountError):
            await accounts.check_password("limoges", account.email, "mauvais", NOW)
    await accounts.check_password("limoges", account.email, PASSWORD, NOW)  # the count starts again
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(AccountError):
            await accounts.check_password("limoges", account.email, "mauvais", NOW)
    with pytest.raises(AccountLocked):
        await accounts.check_password("limoges", account.email, "mauvais", NOW)


async def test_unknown_address_and_wrong_password_say_the_same(accounts: Accounts) -> None:
    account = await active(accounts)
    with pytest.raises(AccountError) as unknown:
        await accounts.check_password("limoges", "nobody@example.fr", PASSWORD, NOW)
    with pytest.raises(AccountError) as wrong:
        await accounts.check_password("limoges", account.email, "mauvais", NOW)
    assert str(unknown.value) == str(wrong.value)


async def test_wrong_totp_codes_count_towards_the_lock(accounts: Accounts) -> None:
    account = await active(accounts)
    secret, _ = await accounts.begin_totp(account.account_id, NOW)
    await accounts.confirm_totp(account.account_id, pyotp.TOTP(secret).at(NOW), NOW)
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(AccountError):
            await accounts.check_totp(account.account_id, "000000", NOW + timedelta(minutes=1))
    with pytest.raises(AccountLocked):
        await accounts.check_totp(account.account_id, "000000", NOW + timedelta(minutes=1))


async def test_sessions_end_at_the_absolute_limit_even_when_active(store: FakeIdentityStore, accounts: Accounts) -> None:
    account = await active(accounts)
    limits = SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=1))
    opened = await open_session(store, platform="limoges", account_id=account.account_id, method="password",
                                limits=limits, now=NOW)
    assert opened.session_id not in str(store.sessions)  # only its hash is kept
    for minutes in (20, 40, 55):
        await resolve_session(store, opened.session_id, NOW + timedelta(minutes=minutes))
    with pytest.raises(SessionEnded):
        await resolve_session(store, opened.session_id, NOW + timedelta(minutes=61))


def test_a_person_is_named_in_events_by_account_and_sign_in_method() -> None:
    person = Principal(platform_id="limoges", role=Role.OPERATOR, subject="acc-1", token_id="", method="totp")
    machine = Principal(platform_id="limoges", role=Role.OPERATOR, subject="lim-op-1", token_id="abc")
    assert person.actor == "operator:acc-1/totp" and machine.actor == "operator:lim-op-1"
    assert "session" in person.describe() and "token abc" in machine.describe()


def test_throttles_per_address_and_per_email() -> None:
    clock = FixedClock(NOW)
    throttles = SignInThrottles(clock.now)
    assert all(throttles.hit("1.2.3.4", "limoges", "a@b.fr") is None for _ in range(20))
    wait = throttles.hit("1.2.3.4", "limoges", "A@b.fr ")
    assert wait is not None and wait <= timedelta(minutes=10)
    assert throttles.hit("5.6.7.8", "limoges", "c@d.fr") is None
    clock.advance(timedelta(minutes=11))
    assert throttles.hit("1.2.3.4", "limoges", "a@b.fr") is None


def test_link_tokens_are_masked_in_the_access_log() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "POST", "/reinitialisation/s3cr3t-t0ken", "1.1", 303), None)
    HiddenLinkTokens().filter(record)
    assert "s3cr3t" not in record.getMessage() and "/reinitialisation/…" in record.getMessage()


async def test_a_cookie_request_needs_its_csrf_token_for_unsafe_methods(store: FakeIdentityStore,
                                                                        accounts: Accounts) -> None:
    account = await active(accounts, Role.COORDINATOR)
    opened = await open_session(store, platform="limoges", account_id=account.account_id, method="password",
                                limits=SessionLimits(), now=datetime.now(UTC))
    app = FastAPI()
    app.state.tokens = TokenRegistry()
    app.state.identity = Identity(store)  # type: ignore[arg-type]

    @app.get("/who")
    @app.post("/who")
    async def who(principal: Principal = Depends(current_principal)) -> dict[str, str]:  # noqa: B008
        return {"actor": principal.actor}

    with TestClient(app) as client:
        client.cookies.set(SESSION_COOKIE, opened.session_id)
        assert client.get("/who").json() == {"actor": f"coordinator:{account.account_id}/password"}
        refused = client.post("/who")
        assert refused.status_code == 403 and "jeton de sécurité" in refused.json()["detail"]
        assert client.post("/who", headers={CSRF_HEADER: "forged"}).status_code == 403
        assert client.post("/who", headers={CSRF_HEADER: opened.csrf_token}).status_code == 200
        assert client.post("/who", data={"csrf_token": opened.csrf_token}).status_code == 200
        client.cookies.set(SESSION_COOKIE, "unknown")
        assert client.get("/who").status_code == 401
