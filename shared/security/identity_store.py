"""The identity store shared by every service: accounts, their one-time links, sessions, and the outbox of
invitation and reset emails (``RELAIS_IDENTITY_URL``; unset: SQLite ``<data dir>/identity.db``).

One Alembic history, ``shared/security/migrations``; every service brings the store to its head when it
starts (several starting together may race: the loser retries). The adapter of
:class:`~shared.security.accounts.AccountStore` and :class:`~shared.security.sessions.SessionStore`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts.events.feedback import SendChannel
from shared.outgoing.outbox import Contact, OutgoingMessage, queue
from shared.outgoing.tables import add_notifications_table
from shared.security.accounts import Account, DuplicateAccount, LinkPurpose, OneTimeLink
from shared.security.principals import Role
from shared.security.sessions import SessionRecord
from shared.storage.engine import begin_write
from shared.storage.migrate import upgrade_async
from shared.storage.tables import NAMING
from shared.storage.types import UtcDateTime

MIGRATIONS = Path(__file__).parent / "migrations"


def identity_metadata() -> MetaData:
    metadata = MetaData(naming_convention=NAMING)
    Table(
        "accounts", metadata,
        Column("account_id", String(40), primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("role", String(40), nullable=False),
        Column("email", String(254), nullable=False),
        Column("display_name", String(120), nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("created_by", String(200), nullable=False),
        Column("password_hash", String(200), nullable=True, comment="Argon2id; never the password."),
        Column("totp_secret", Text, nullable=True, comment="TOTP secret sealed with the identity key (AES-GCM)."),
        Column("totp_enabled_at", UtcDateTime, nullable=True),
        Column("totp_last_step", Integer, nullable=True, comment="Time step of the last code accepted: never twice."),
        Column("failed_attempts", Integer, nullable=False, server_default="0"),
        Column("locked_until", UtcDateTime, nullable=True),
        Column("disabled_at", UtcDateTime, nullable=True),
        Column("last_sign_in_at", UtcDateTime, nullable=True),
        Column("oidc_issuer", String(300), nullable=True),
        Column("oidc_subject", String(255), nullable=True),
        UniqueConstraint("platform_id", "email", name="uq_accounts_platform_email"),
        UniqueConstraint("platform_id", "oidc_issuer", "oidc_subject", name="uq_accounts_platform_oidc"),
    )
    Table(
        "account_links", metadata,
        Column("token_hash", String(64), primary_key=True, comment="SHA-256 of the link's token; never the token."),
        Column("account_id", String(40), nullable=False, index=True),
        Column("purpose", String(20), nullable=False, comment="invitation or reset."),
        Column("created_at", UtcDateTime, nullable=False),
        Column("expires_at", UtcDateTime, nullable=False),
        Column("used_at", UtcDateTime, nullable=True),
    )
    sessions = Table(
        "account_sessions", metadata,
        Column("session_hash", String(64), primary_key=True, comment="SHA-256 of the session id; never the id."),
        Column("account_id", String(40), nullable=False),
        Column("platform_id", String(40), nullable=False),
        Column("method", String(20), nullable=False, comment="password, totp or oidc."),
        Column("csrf_token", String(64), nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("last_seen_at", UtcDateTime, nullable=False),
        Column("idle_expires_at", UtcDateTime, nullable=False),
        Column("absolute_expires_at", UtcDateTime, nullable=False),
    )
    Index("ix_account_sessions_account", sessions.c.account_id)
    add_notifications_table(metadata)
    return metadata


class IdentityStore:
    """Accounts, links and sessions on ``engine``; ``base_url`` is unused here (links are built by the caller)."""

    def __init__(self, engine: AsyncEngine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.metadata = identity_metadata()
        self._accounts = self.metadata.tables["accounts"]
        self._links = self.metadata.tables["account_links"]
        self._sessions = self.metadata.tables["account_sessions"]

    async def migrate(self, attempts: int = 6) -> None:
        """Bring the store to the latest revision; services starting together may race, so retry."""
        for attempt in range(1, attempts + 1):
            try:
                await upgrade_async(self.url, MIGRATIONS)
                return
            except (OperationalError, IntegrityError, ProgrammingError):
                if attempt == attempts:
                    raise
                await asyncio.sleep(0.25 * attempt)

    async def close(self) -> None:
        await self.engine.dispose()

    # --- accounts ------------------------------------------------------------------------------------------
    async def add_account(self, account: Account, link: OneTimeLink | None = None, *,
                          invitation_url: str | None = None) -> None:
        try:
            async with begin_write(self.engine) as connection:
                await connection.execute(self._accounts.insert().values(**_account_row(account)))
                if link is not None:
                    await connection.execute(self._links.insert().values(**_link_row(link)))
                if invitation_url is not None:
                    await self._queue_email(connection, account, "invitation", invitation_url, link)
        except IntegrityError as error:
            raise DuplicateAccount() from error

    async def account(self, account_id: str) -> Account | None:
        return await self._one(self._accounts.c.account_id == account_id)

    async def account_by_email(self, platform_id: str, email: str) -> Account | None:
        return await self._one(self._accounts.c.platform_id == platform_id, self._accounts.c.email == email)

    async def account_by_oidc(self, platform_id: str, issuer: str, subject: str) -> Account | None:
        c = self._accounts.c
        return await self._one(c.platform_id == platform_id, c.oidc_issuer == issuer, c.oidc_subject == subject)

    async def accounts_of(self, platform_id: str) -> list[Account]:
        query = select(self._accounts).where(self._accounts.c.platform_id == platform_id).order_by(
            self._accounts.c.display_name, self._accounts.c.account_id)
        async with self.engine.connect() as connection:
            return [_account(row) for row in (await connection.execute(query)).mappings()]

    async def save_account(self, account: Account) -> None:
        row = _account_row(account)
        row.pop("account_id")
        async with begin_write(self.engine) as connection:
            await connection.execute(update(self._accounts).where(
                self._accounts.c.account_id == account.account_id).values(**row))

    # --- one-time links --------------------------------------------------------------------------------------
    async def add_link(self, link: OneTimeLink, *, url: str | None = None) -> None:
        async with begin_write(self.engine) as connection:
            await connection.execute(self._links.insert().values(**_link_row(link)))
            if url is not None:
                row = (await connection.execute(select(self._accounts).where(
                    self._accounts.c.account_id == link.account_id))).mappings().first()
                if row is not None:
                    await self._queue_email(connection, _account(row), "reset", url, link)

    async def use_link(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> str | None:
        links = self._links.c
        async with begin_write(self.engine) as connection:
            account_id = (await connection.execute(select(links.account_id).where(
                links.token_hash == token_hash, links.purpose == purpose, links.used_at.is_(None),
                links.expires_at > now))).scalar()
            if account_id is None:
                return None
            await connection.execute(update(self._links).where(links.token_hash == token_hash).values(used_at=now))
            if purpose == "reset":  # one reset at a time: the older links of the account stop working
                await connection.execute(update(self._links).where(
                    links.account_id == account_id, links.used_at.is_(None)).values(used_at=now))
            return str(account_id)

    async def link_account(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> str | None:
        links = self._links.c
        async with self.engine.connect() as connection:
            account_id = (await connection.execute(select(links.account_id).where(
                links.token_hash == token_hash, links.purpose == purpose, links.used_at.is_(None),
                links.expires_at > now))).scalar()
        return str(account_id) if account_id is not None else None

    # --- sessions --------------------------------------------------------------------------------------------
    async def add_session(self, record: SessionRecord) -> None:
        """Store ``record``; the sessions already expired are deleted in the same transaction (nobody else does)."""
        s = self._sessions.c
        async with begin_write(self.engine) as connection:
            await connection.execute(delete(self._sessions).where(
                (s.idle_expires_at <= record.created_at) | (s.absolute_expires_at <= record.created_at)))
            await connection.execute(self._sessions.insert().values(
                session_hash=record.session_hash, account_id=record.account_id, platform_id=record.platform_id,
                method=record.method, csrf_token=record.csrf_token, created_at=record.created_at,
                last_seen_at=record.last_seen_at, idle_expires_at=record.idle_expires_at,
                absolute_expires_at=record.absolute_expires_at))

    async def session_with_account(self, session_hash: str) -> tuple[SessionRecord, Account] | None:
        s = self._sessions
        query = (select(s, *[column.label(f"account__{column.name}") for column in self._accounts.c])
                 .join(self._accounts, self._accounts.c.account_id == s.c.account_id)
                 .where(s.c.session_hash == session_hash))
        async with self.engine.connect() as connection:
            row = (await connection.execute(query)).mappings().first()
        if row is None:
            return None
        account = _account({key.removeprefix("account__"): value for key, value in row.items()
                            if key.startswith("account__")})
        record = SessionRecord(session_hash=row["session_hash"], account_id=row["account_id"],
                               platform_id=row["platform_id"], method=row["method"], csrf_token=row["csrf_token"],
                               created_at=row["created_at"], last_seen_at=row["last_seen_at"],
                               idle_expires_at=row["idle_expires_at"], absolute_expires_at=row["absolute_expires_at"])
        return record, account

    async def touch_session(self, session_hash: str, now: datetime, idle_expires_at: datetime) -> None:
        async with begin_write(self.engine) as connection:
            await connection.execute(update(self._sessions).where(self._sessions.c.session_hash == session_hash)
                                     .values(last_seen_at=now, idle_expires_at=idle_expires_at))

    async def end_session(self, session_hash: str) -> None:
        async with begin_write(self.engine) as connection:
            await connection.execute(delete(self._sessions).where(self._sessions.c.session_hash == session_hash))

    async def end_sessions_of(self, account_id: str) -> int:
        async with begin_write(self.engine) as connection:
            result = await connection.execute(delete(self._sessions).where(self._sessions.c.account_id == account_id))
        return result.rowcount or 0

    async def _one(self, *conditions: Any) -> Account | None:
        async with self.engine.connect() as connection:
            row = (await connection.execute(select(self._accounts).where(*conditions))).mappings().first()
        return _account(row) if row is not None else None

    async def _queue_email(self, connection: AsyncConnection, account: Account, kind: LinkPurpose, url: str,
                           link: OneTimeLink | None) -> None:
        if kind == "invitation":
            subject = "Votre compte Relais : choisissez votre mot de passe"
            body = ("Un compte Relais vient d'être créé pour vous. Ouvrez ce lien pour choisir votre mot de passe "
                    "(il est valable 72 heures et ne sert qu'une fois) :")
        else:
            subject = "Relais : réinitialisation de votre mot de passe"
            body = ("Une réinitialisation de votre mot de passe a été demandée. Ouvrez ce lien pour en choisir un "
                    "nouveau (il est valable 2 heures et ne sert qu'une fois) ; si vous n'avez rien demandé, "
                    "ignorez ce message :")
        message = OutgoingMessage(platform_id=account.platform_id if account.platform_id != "*" else "federation",
                                  request_id=account.account_id, kind=f"account_{kind}", channel=SendChannel.EMAIL,
                                  subject=subject, body=body,
                                  recipient=Contact(name=account.display_name, email=account.email),
                                  secret={"link": url}, reference=account.account_id)
        await queue(connection, self.metadata, message, link.created_at if link else account.created_at)


def _account_row(account: Account) -> dict[str, Any]:
    return {"account_id": account.account_id, "platform_id": account.platform_id, "role": account.role.value,
            "email": account.email, "display_name": account.display_name, "created_at": account.created_at,
            "created_by": account.created_by, "password_hash": account.password_hash,
            "totp_secret": account.totp_secret, "totp_enabled_at": account.totp_enabled_at,
            "totp_last_step": account.totp_last_step, "failed_attempts": account.failed_attempts,
            "locked_until": account.locked_until, "disabled_at": account.disabled_at,
            "last_sign_in_at": account.last_sign_in_at, "oidc_issuer": account.oidc_issuer,
            "oidc_subject": account.oidc_subject}


def _account(row: Mapping[Any, Any]) -> Account:
    return Account(account_id=row["account_id"], platform_id=row["platform_id"], role=Role(row["role"]),
                   email=row["email"], display_name=row["display_name"], created_at=row["created_at"],
                   created_by=row["created_by"], password_hash=row["password_hash"], totp_secret=row["totp_secret"],
                   totp_enabled_at=row["totp_enabled_at"], totp_last_step=row["totp_last_step"],
                   failed_attempts=row["failed_attempts"], locked_until=row["locked_until"],
                   disabled_at=row["disabled_at"], last_sign_in_at=row["last_sign_in_at"],
                   oidc_issuer=row["oidc_issuer"], oidc_subject=row["oidc_subject"])


def _link_row(link: OneTimeLink) -> dict[str, Any]:
    return {"token_hash": link.token_hash, "account_id": link.account_id, "purpose": link.purpose,
            "created_at": link.created_at, "expires_at": link.expires_at, "used_at": link.used_at}
