"""Accounts, links and sessions on the real identity store (SQLite and PostgreSQL), through the migration."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from argon2 import PasswordHasher

from shared.security.accounts import (
    LOCK_AFTER,
    AccountDisabled,
    AccountError,
    AccountLocked,
    Accounts,
    DuplicateAccount,
    LinkRefused,
    SecretBox,
    account_for_oidc,
)
from shared.security.identity_store import IdentityStore
from shared.security.principals import Role
from shared.security.sessions import SessionEnded, SessionLimits, open_session, resolve_session
from shared.storage.engine import create_engine

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
PASSWORD = "un mot de passe assez long"


@pytest.fixture
async def store(database_url):
    store = IdentityStore(create_engine(database_url), database_url)
    await store.migrate()
    await store.migrate()  # a second service starting finds it done
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def accounts(store):
    return Accounts(store, SecretBox(b"k" * 32), hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


async def invited(accounts, email="camille@ccas.example", role=Role.COORDINATOR):
    account, link = await accounts.invite(platform_id="limoges", role=role, email=email, display_name="Camille",
                                          created_by="cli", now=NOW, base_url="http://console.test")
    return account, link.rsplit("/", 1)[1]


async def test_invitation_then_password_then_session_until_idle(store, accounts):
    account, token = await invited(accounts)
    assert await accounts.link_is_valid(token, "invitation", NOW)
    await accounts.accept_invitation(token, PASSWORD, NOW)
    with pytest.raises(LinkRefused):
        await accounts.accept_invitation(token, PASSWORD, NOW)
    checked = await accounts.check_password("limoges", "Camille@CCAS.example ", PASSWORD, NOW)
    assert checked.account.account_id == account.account_id and not checked.needs_totp

    opened = await open_session(store, platform="limoges", account_id=account.account_id, method="password",
                                limits=SessionLimits(idle=timedelta(minutes=30)), now=NOW)
    record, found = await resolve_session(store, opened.session_id, NOW + timedelta(minutes=20))
    assert found.account_id == account.account_id and record.method == "password"
    await resolve_session(store, opened.session_id, NOW + timedelta(minutes=45))  # idle deadline was pushed back
    with pytest.raises(SessionEnded):
        await resolve_session(store, opened.session_id, NOW + timedelta(minutes=80))
    with pytest.raises(SessionEnded):  # the expired row was deleted
        await resolve_session(store, opened.session_id, NOW)


async def test_disabling_ends_every_session_at_once(store, accounts):
    account, token = await invited(accounts)
    await accounts.accept_invitation(token, PASSWORD, NOW)
    sessions = [await open_session(store, platform="limoges", account_id=account.account_id, method="password",
                                   limits=SessionLimits(), now=NOW) for _ in range(2)]
    await accounts.set_disabled(account.account_id, True, NOW)
    for opened in sessions:
        with pytest.raises(SessionEnded):
            await resolve_session(store, opened.session_id, NOW)
    with pytest.raises(AccountDisabled):
        await accounts.check_password("limoges", account.email, PASSWORD, NOW)


async def test_ten_wrong_passwords_lock_the_account_until_a_time(accounts):
    account, token = await invited(accounts)
    await accounts.accept_invitation(token, PASSWORD, NOW)
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(AccountError) as refused:
            await accounts.check_password("limoges", account.email, "pas le bon mot de passe", NOW)
        assert not isinstance(refused.value, AccountLocked)
    with pytest.raises(AccountLocked) as locked:
        await accounts.check_password("limoges", account.email, "pas le bon mot de passe", NOW)
    assert locked.value.until == NOW + timedelta(minutes=15)
    with pytest.raises(AccountLocked):  # even the right password, until then
        await accounts.check_password("limoges", account.email, PASSWORD, NOW + timedelta(minutes=14))
    assert (await accounts.check_password("limoges", account.email, PASSWORD, NOW + timedelta(minutes=16))).account


async def test_totp_enrolment_and_a_code_accepted_once(store, accounts):
    account, token = await invited(accounts)
    await accounts.accept_invitation(token, PASSWORD, NOW)
    secret, uri = await accounts.begin_totp(account.account_id, NOW)
    assert uri.startswith("otpauth://totp/") and secret not in (await store.account(account.account_id)).totp_secret
    code = pyotp.TOTP(secret).at(NOW)
    await accounts.confirm_totp(account.account_id, code, NOW)
    assert (await accounts.check_password("limoges", account.email, PASSWORD, NOW)).needs_totp
    later = NOW + timedelta(seconds=60)
    await accounts.check_totp(account.account_id, pyotp.TOTP(secret).at(later), later)
    with pytest.raises(AccountError):
        await accounts.check_totp(account.account_id, pyotp.TOTP(secret).at(later), later)


async def test_reset_link_sets_a_new_password_and_ends_sessions(store, accounts):
    account, token = await invited(accounts)
    await accounts.accept_invitation(token, PASSWORD, NOW)
    opened = await open_session(store, platform="limoges", account_id=account.account_id, method="password",
                                limits=SessionLimits(), now=NOW)
    await accounts.request_reset("limoges", account.email, NOW, "http://console.test")
    await accounts.request_reset("limoges", "personne@nulle.part", NOW, "http://console.test")  # same silence
    # the link was queued in the outbox with its email: read it back from there
    from sqlalchemy import select
    table = store.metadata.tables["notifications"]
    async with store.engine.connect() as connection:
        rows = (await connection.execute(select(table.c.kind, table.c.message).order_by(table.c.created_at))).all()
    assert [row.kind for row in rows] == ["account_invitation", "account_reset"]
    reset_token = rows[1].message.split("/reinitialisation/")[1].split('"')[0]
    await accounts.reset_password(reset_token, "un tout autre mot de passe", NOW)
    with pytest.raises(SessionEnded):
        await resolve_session(store, opened.session_id, NOW)
    assert await accounts.check_password("limoges", account.email, "un tout autre mot de passe", NOW)


async def test_duplicate_email_and_oidc_accounts(store, accounts):
    await invited(accounts)
    with pytest.raises(DuplicateAccount):
        await invited(accounts, email="CAMILLE@ccas.example")
    first = await account_for_oidc(store, platform="limoges", issuer="https://idp.test", subject="s-1",
                                   email="agent@ccas.example", display_name="Agent", role=Role.OPERATOR, now=NOW)
    again = await account_for_oidc(store, platform="limoges", issuer="https://idp.test", subject="s-1",
                                   email="agent@ccas.example", display_name="Agent", role=Role.COORDINATOR, now=NOW)
    assert again.account_id == first.account_id and again.role is Role.COORDINATOR
    linked = await account_for_oidc(store, platform="limoges", issuer="https://idp.test", subject="s-2",
                                    email="camille@ccas.example", display_name="Camille", role=Role.COORDINATOR,
                                    now=NOW, link_by_email=True)
    assert linked.email == "camille@ccas.example" and linked.oidc_subject == "s-2"


async def test_the_invitation_email_reaches_a_real_smtp_server(store, accounts, tmp_path, monkeypatch):
    from relais.devstack.smtp_sink import SmtpSink, received
    from shared.security.web import Identity, invitation_sender

    with SmtpSink(tmp_path / "mail") as sink:
        for name, value in sink.service_env().items():
            monkeypatch.setenv(name, value)
        identity = Identity(store)
        sender = invitation_sender(identity, unsealer=None)  # no resident's data: nothing to unseal
        _, link = await accounts.invite(platform_id="limoges", role=Role.OPERATOR, email="op@ccas.example",
                                        display_name="Dominique", created_by="tests", now=datetime.now(UTC),
                                        base_url="http://console.test")
        result = await sender.send_due()
        assert result.sent == 1
        again = await sender.send_due()
        assert again.sent == 0  # sent once
        (mail,) = received(tmp_path / "mail")
    assert mail.to.endswith("<op@ccas.example>") and mail.subject.startswith("Votre compte Relais")
    assert "Bonjour Dominique" in mail.text and link in mail.text and "72 heures" in mail.text


async def test_opening_a_session_deletes_the_expired_ones(store, accounts):
    account, token = await invited(accounts)
    await accounts.accept_invitation(token, PASSWORD, NOW)
    old = await open_session(store, platform="limoges", account_id=account.account_id, method="password",
                             limits=SessionLimits(idle=timedelta(minutes=30)), now=NOW)
    await open_session(store, platform="limoges", account_id=account.account_id, method="password",
                       limits=SessionLimits(), now=NOW + timedelta(hours=1))
    assert await store.session_with_account(old.record.session_hash) is None


def test_five_services_starting_together_migrate_the_shared_store_once(database_url, tmp_path):
    """Every service brings the identity store to its head at start: five processes at once, one store."""
    import subprocess
    import sys

    script = ("import asyncio, sys\n"
              "from shared.security.identity_store import IdentityStore\n"
              "from shared.storage.engine import create_engine\n"
              "store = IdentityStore(create_engine(sys.argv[1]), sys.argv[1])\n"
              "async def main():\n"
              "    try:\n        await store.migrate()\n    finally:\n        await store.close()\n"
              "asyncio.run(main())\n")
    processes = [subprocess.Popen([sys.executable, "-c", script, database_url], stderr=subprocess.PIPE, text=True)
                 for _ in range(5)]
    failures = [process.stderr.read() for process in processes if process.wait(timeout=120) != 0]
    assert not failures, failures[0][-2000:]

    async def tables():
        store = IdentityStore(create_engine(database_url), database_url)
        try:
            await store.migrate()
            return await store.accounts_of("limoges")
        finally:
            await store.close()

    assert asyncio.run(tables()) == []
