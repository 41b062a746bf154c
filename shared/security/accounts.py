"""People's accounts: one per person and platform (operator, coordinator, advisor, mediator, analyst; a
federation admin on platform ``*``), signing in with a password and an optional TOTP second factor, or
through their platform's OpenID Connect provider. API tokens stay for machines (:mod:`shared.security.tokens`).

What the OpenID Connect sign-in calls, once the provider has vouched for the person::

    account = await account_for_oidc(store, platform="limoges", issuer="https://idp.example",
                                     subject="248289761001", email="agent@ccas.example",
                                     display_name="Camille Agent", role=Role.OPERATOR, now=clock.now())
    await start_browser_session(request, response, account, method="oidc")   # shared.security.web

:func:`account_for_oidc` finds the account linked to ``(platform, issuer, subject)``, else links the
platform's account of that email when ``link_by_email`` (only for a provider whose emails are verified), else
creates one; the role the provider's claims map to replaces the stored one at each sign-in. A disabled
account raises :class:`AccountDisabled` (the person is refused, whatever the provider says).
:func:`shared.security.sessions.open_session` is the lower-level call (no HTTP) that
:func:`~shared.security.web.start_browser_session` makes.

Rules kept here, whatever the way in: passwords hashed with Argon2id (``argon2-cffi``), at least
:data:`MIN_PASSWORD_LENGTH` characters; :data:`LOCK_AFTER` wrong passwords or codes in a row lock the account
for :data:`LOCK_MINUTES` minutes; the TOTP secret is kept sealed (AES-GCM, bound to the account id); a
code is accepted once (its time step is remembered); invitation and reset links are random, single-use,
expiring, and only their SHA-256 is stored. Nothing here logs a password, a code, a secret or a link.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal, Protocol

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.ids import new_id
from shared.security.principals import Role, check_scope

SignInMethod = Literal["password", "totp", "oidc"]
"""How a person proved who they are: a password alone, a password and a TOTP code, or OpenID Connect."""

LinkPurpose = Literal["invitation", "reset"]

MIN_PASSWORD_LENGTH = 12
LOCK_AFTER = 10
LOCK_MINUTES = 15
INVITATION_HOURS = 72
RESET_HOURS = 2
TOTP_ISSUER = "Relais"
PERSON_ROLES = frozenset({Role.OPERATOR, Role.COORDINATOR, Role.ADVISOR, Role.MEDIATOR, Role.ANALYST,
                          Role.FEDERATION_ADMIN})
"""Roles a person's account may hold (providers keep their signed links and tokens)."""


class AccountError(Exception):
    """A refusal whose message is a French sentence for the person."""


class AccountDisabled(AccountError):
    def __init__(self) -> None:
        super().__init__("Ce compte est désactivé : adressez-vous à la coordination de votre plateforme.")


class AccountLocked(AccountError):
    def __init__(self, until: datetime) -> None:
        super().__init__("Trop d'essais infructueux : le compte est verrouillé.")
        self.until = until


class DuplicateAccount(AccountError):
    def __init__(self) -> None:
        super().__init__("Un compte existe déjà avec cette adresse sur cette plateforme.")


class WeakPassword(AccountError):
    def __init__(self) -> None:
        super().__init__(f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères.")


class LinkRefused(AccountError):
    def __init__(self) -> None:
        super().__init__("Ce lien n'est plus valable (déjà utilisé, expiré ou incomplet) : demandez-en un nouveau.")


@dataclass(frozen=True, slots=True)
class Account:
    """A person's account. ``totp_secret`` is sealed (see :class:`SecretBox`); ``totp_enabled_at`` is set once
    the person confirmed a first code."""

    account_id: str
    platform_id: str
    role: Role
    email: str
    display_name: str
    created_at: datetime
    created_by: str
    password_hash: str | None = None
    totp_secret: str | None = None
    totp_enabled_at: datetime | None = None
    totp_last_step: int | None = None
    failed_attempts: int = 0
    locked_until: datetime | None = None
    disabled_at: datetime | None = None
    last_sign_in_at: datetime | None = None
    oidc_issuer: str | None = None
    oidc_subject: str | None = None

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret is not None

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True, slots=True)
class OneTimeLink:
    """An invitation or reset link as stored: the SHA-256 of its token, never the token."""

    token_hash: str
    account_id: str
    purpose: LinkPurpose
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class AccountStore(Protocol):
    """Where accounts and their one-time links live (:class:`shared.security.identity_store.IdentityStore`)."""

    async def add_account(self, account: Account, link: OneTimeLink | None = None, *, invitation_url: str | None = None) -> None:
        """Store a new account (``DuplicateAccount`` when its email or OIDC identity is taken on its platform),
        with its invitation link and, when ``invitation_url`` is given, the invitation email in the outbox, in one
        transaction."""
        ...

    async def account(self, account_id: str) -> Account | None: ...

    async def account_by_email(self, platform_id: str, email: str) -> Account | None: ...

    async def account_by_oidc(self, platform_id: str, issuer: str, subject: str) -> Account | None: ...

    async def accounts_of(self, platform_id: str) -> list[Account]: ...

    async def save_account(self, account: Account) -> None:
        """Write every field of ``account`` (which exists)."""
        ...

    async def add_link(self, link: OneTimeLink, *, url: str | None = None) -> None:
        """Store a reset link (and queue its email when ``url`` is given), in one transaction."""
        ...

    async def use_link(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> str | None:
        """Mark the unexpired, unused link used and return its account id; None otherwise."""
        ...

    async def link_account(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> str | None:
        """The account id of an unexpired, unused link, leaving it unused (to show its form)."""
        ...

    async def end_sessions_of(self, account_id: str) -> int:
        """End every session of the account; how many."""
        ...


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_link_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link(account_id: str, purpose: LinkPurpose, now: datetime) -> tuple[str, OneTimeLink]:
    """A fresh link token (plaintext, to send once) and the row that stores its hash."""
    token = secrets.token_urlsafe(32)
    hours = INVITATION_HOURS if purpose == "invitation" else RESET_HOURS
    return token, OneTimeLink(hash_link_token(token), account_id, purpose, now, now + timedelta(hours=hours))


class SecretBox:
    """Seals TOTP secrets at rest with the identity key (AES-256-GCM, bound to the account id)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the identity key is 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_text(cls, secret: str) -> SecretBox:
        """From a configured secret of any length (at least 32 characters), through SHA-256."""
        if len(secret) < 32:
            raise ValueError("the identity secret needs at least 32 characters")
        return cls(hashlib.sha256(b"relais.identity.v1|" + secret.encode()).digest())

    def seal(self, account_id: str, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), account_id.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, account_id: str, sealed: str) -> str:
        raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
        try:
            return self._aead.decrypt(raw[:12], raw[12:], account_id.encode()).decode()
        except InvalidTag as error:
            raise ValueError("sealed TOTP secret does not authenticate") from error


@dataclass(frozen=True, slots=True)
class PasswordChecked:
    """The password was right: ``needs_totp`` says a code must follow before a session opens."""

    account: Account
    needs_totp: bool


class Accounts:
    """What people and coordinators do with accounts, on an :class:`AccountStore`."""

    def __init__(self, store: AccountStore, box: SecretBox, *, hasher: PasswordHasher | None = None) -> None:
        self.store = store
        self.box = box
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))

    async def invite(self, *, platform_id: str, role: Role | str, email: str, display_name: str, created_by: str,
                     now: datetime, base_url: str | None, send: bool = True) -> tuple[Account, str]:
        """Create an account without a password and its invitation link; returns the account and the link
        (``<base_url>/invitation/<token>``), also emailed through the outbox when ``send``."""
        role = Role(role)
        if role not in PERSON_ROLES:
            raise AccountError("Ce rôle ne se donne pas à une personne (les prestataires reçoivent des liens).")
        check_scope(platform_id, role)
        display_name = display_name.strip()
        if not display_name or len(display_name) > 120:
            raise AccountError("Indiquez le nom de la personne (120 caractères au plus).")
        account = Account(account_id=new_id("acc"), platform_id=platform_id, role=role, email=normalise_email(email),
                          display_name=display_name, created_at=now, created_by=created_by)
        token, link = new_link(account.account_id, "invitation", now)
        url = f"{(base_url or '').rstrip('/')}/invitation/{token}"
        await self.store.add_account(account, link, invitation_url=url if send else None)
        return account, url

    async def accept_invitation(self, token: str, password: str, now: datetime) -> Account:
        """Set the first password of the invited account; the link is then used."""
        return await self._set_password_by_link(token, "invitation", password, now)

    async def request_reset(self, platform_id: str, email: str, now: datetime, base_url: str) -> None:
        """Email a reset link if the address has an active account (the answer is the same either way)."""
        account = await self.store.account_by_email(platform_id, normalise_email(email))
        if account is None or account.disabled:
            return
        token, link = new_link(account.account_id, "reset", now)
        await self.store.add_link(link, url=f"{base_url.rstrip('/')}/reinitialisation/{token}")

    async def reset_password(self, token: str, password: str, now: datetime) -> Account:
        """Set a new password from a reset link; every session of the account ends."""
        account = await self._set_password_by_link(token, "reset", password, now)
        await self.store.end_sessions_of(account.account_id)
        return account

    async def link_is_valid(self, token: str, purpose: LinkPurpose, now: datetime) -> bool:
        return await self.store.link_account(hash_link_token(token), purpose, now) is not None

    async def check_password(self, platform_id: str, email: str, password: str, now: datetime) -> PasswordChecked:
        """The account when ``password`` is right; ``AccountLocked``, ``AccountDisabled`` or ``AccountError``
        (one message for an unknown address and a wrong password) otherwise. A wrong password counts
        towards the lock."""
        account = await self.store.account_by_email(platform_id, normalise_email(email))
        if account is None or account.password_hash is None:
            self._verify(self._dummy_hash, password)
            raise AccountError(_WRONG_CREDENTIALS)
        if account.locked_at(now):
            assert account.locked_until is not None
            raise AccountLocked(account.locked_until)
        if not self._verify(account.password_hash, password):
            await self._count_failure(account, now)
            raise AccountError(_WRONG_CREDENTIALS)
        if account.disabled:
            raise AccountDisabled()
        if self.hasher.check_needs_rehash(account.password_hash):
            account = replace(account, password_hash=self.hasher.hash(password))
        if not account.totp_enabled:
            account = replace(account, failed_attempts=0, locked_until=None, last_sign_in_at=now)
        await self.store.save_account(account)
        return PasswordChecked(account, needs_totp=account.totp_enabled)

    async def check_totp(self, account_id: str, code: str, now: datetime) -> Account:
        """The account when ``code`` is its current TOTP code (not used before); a wrong code counts towards the lock."""
        account = await self._active(account_id, now)
        if account.totp_secret is None or account.totp_enabled_at is None:
            raise AccountError("La double authentification n'est pas activée sur ce compte.")
        step = self._totp_step(account, account.totp_secret, code, now)
        if step is None:
            await self._count_failure(account, now)
            raise AccountError("Code incorrect ou expiré : saisissez le code à 6 chiffres affiché maintenant.")
        account = replace(account, totp_last_step=step, failed_attempts=0, locked_until=None, last_sign_in_at=now)
        await self.store.save_account(account)
        return account

    async def begin_totp(self, account_id: str, now: datetime) -> tuple[str, str]:
        """A new TOTP secret for the account, kept sealed until confirmed; returns (secret, otpauth URI) to show
        once as a QR code."""
        account = await self._active(account_id, now)
        secret = pyotp.random_base32()
        await self.store.save_account(replace(account, totp_secret=self.box.seal(account_id, secret),
                                              totp_enabled_at=None, totp_last_step=None))
        uri = pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name=TOTP_ISSUER)
        return secret, uri

    async def confirm_totp(self, account_id: str, code: str, now: datetime) -> Account:
        """Turn the second factor on once the person typed a code of the secret shown to them."""
        account = await self._active(account_id, now)
        if account.totp_secret is None:
            raise AccountError("Commencez par afficher le code QR de la double authentification.")
        step = self._totp_step(account, account.totp_secret, code, now)
        if step is None:
            raise AccountError("Code incorrect : saisissez le code à 6 chiffres que l'application affiche maintenant.")
        account = replace(account, totp_enabled_at=now, totp_last_step=step)
        await self.store.save_account(account)
        return account

    async def set_disabled(self, account_id: str, disabled: bool, now: datetime) -> Account:
        """Disable (every session ends at once) or enable an account."""
        account = await self.store.account(account_id)
        if account is None:
            raise AccountError("Compte introuvable.")
        account = replace(account, disabled_at=now if disabled else None, failed_attempts=0, locked_until=None)
        await self.store.save_account(account)
        if disabled:
            await self.store.end_sessions_of(account_id)
        return account

    async def _active(self, account_id: str, now: datetime) -> Account:
        account = await self.store.account(account_id)
        if account is None:
            raise AccountError("Compte introuvable.")
        if account.disabled:
            raise AccountDisabled()
        if account.locked_at(now):
            assert account.locked_until is not None
            raise AccountLocked(account.locked_until)
        return account

    async def _set_password_by_link(self, token: str, purpose: LinkPurpose, password: str, now: datetime) -> Account:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise WeakPassword()
        account_id = await self.store.use_link(hash_link_token(token), purpose, now)
        account = await self.store.account(account_id) if account_id else None
        if account is None:
            raise LinkRefused()
        if account.disabled:
            raise AccountDisabled()
        account = replace(account, password_hash=self.hasher.hash(password), failed_attempts=0, locked_until=None)
        await self.store.save_account(account)
        return account

    async def _count_failure(self, account: Account, now: datetime) -> None:
        """One more failure; the :data:`LOCK_AFTER`-th in a row locks the account (``AccountLocked``)."""
        failures = account.failed_attempts + 1
        if failures < LOCK_AFTER:
            await self.store.save_account(replace(account, failed_attempts=failures))
            return
        locked_until = now + timedelta(minutes=LOCK_MINUTES)
        await self.store.save_account(replace(account, failed_attempts=0, locked_until=locked_until))
        raise AccountLocked(locked_until)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _totp_step(self, account: Account, sealed: str, code: str, now: datetime) -> int | None:
        """The time step ``code`` belongs to (now, or one step either side), if it is not the last one used."""
        code = code.strip().replace(" ", "")
        if not code.isdigit() or len(code) != 6:
            return None
        totp = pyotp.TOTP(self.box.open(account.account_id, sealed))
        current = totp.timecode(now)
        for step in (current, current - 1, current + 1):
            if account.totp_last_step is not None and step <= account.totp_last_step:
                continue
            if secrets.compare_digest(totp.generate_otp(step), code):
                return step
        return None


_WRONG_CREDENTIALS = "Adresse ou mot de passe incorrect."


async def account_for_oidc(store: AccountStore, *, platform: str, issuer: str, subject: str, email: str | None,
                           display_name: str, role: Role | str, now: datetime, link_by_email: bool = False) -> Account:
    """The account of the person an OpenID Connect provider vouched for, made on first sign-in.

    Found by ``(platform, issuer, subject)``; else, when ``link_by_email`` (the provider verifies emails),
    the platform's account of ``email`` gets linked; else a new account is created (``created_by`` names the
    issuer). The ``role`` mapped from the provider's claims is written at each sign-in. Raises
    :class:`AccountDisabled` for a disabled account, :class:`DuplicateAccount` when ``email`` belongs to
    another account of the platform and linking is off.
    """
    role = Role(role)
    check_scope(platform, role)
    account = await store.account_by_oidc(platform, issuer, subject)
    if account is None and link_by_email and email:
        account = await store.account_by_email(platform, normalise_email(email))
        if account is not None and account.oidc_issuer not in (None, issuer):
            account = None
    if account is None:
        account = Account(account_id=new_id("acc"), platform_id=platform, role=role,
                          email=normalise_email(email or f"{subject}@{platform}.oidc.invalid"),
                          display_name=display_name.strip()[:120] or subject, created_at=now,
                          created_by=f"oidc:{issuer}"[:200], oidc_issuer=issuer, oidc_subject=subject)
        await store.add_account(account)
    if account.disabled:
        raise AccountDisabled()
    account = replace(account, role=role, oidc_issuer=issuer, oidc_subject=subject, last_sign_in_at=now)
    await store.save_account(account)
    return account
