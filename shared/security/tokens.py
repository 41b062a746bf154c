"""Platform-scoped API tokens: issue, authenticate, revoke; only hashes are stored.

A token reads ``rls_<token_id>_<secret>``: ``token_id`` (16 hex digits) finds the entry, the
SHA-256 of the whole token is compared in constant time with the stored hash. Secrets are 256-bit
random values, so an unsalted hash cannot be brute-forced and no pepper is needed.

The file (``Settings.tokens_file``, YAML, or JSON when it ends in ``.json``) holds
``{"tokens": [entry, ...]}``; it is rewritten atomically and re-read when it changes on disk
(:mod:`shared.security.token_file`), so a token revoked from the command line stops working in
running services at their next request.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from datetime import UTC, datetime
from hmac import compare_digest
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.security.principals import Principal, Role, check_scope
from shared.security.token_file import dump_document, file_stamp, parse_document, write_atomically

if TYPE_CHECKING:
    from shared.settings import Settings

TOKEN_PREFIX = "rls"
_DUMMY_HASH = hashlib.sha256(b"no such token").hexdigest()


class Unauthorized(Exception):
    """The token is missing, malformed, unknown or revoked. The message never contains the secret."""


class TokenEntry(BaseModel):
    """What the token file keeps about one token."""

    model_config = ConfigDict(extra="forbid")

    token_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 (hex) of the whole plaintext token.")
    platform_id: str
    role: Role
    subject: str = Field(min_length=1, max_length=120)
    created_at: datetime
    revoked: bool = False

    @model_validator(mode="after")
    def _scoped(self) -> TokenEntry:
        check_scope(self.platform_id, self.role)
        return self

    def principal(self) -> Principal:
        return Principal(platform_id=self.platform_id, role=self.role, subject=self.subject, token_id=self.token_id)


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def parse_token_id(plaintext: str) -> str:
    """The token id inside ``rls_<token_id>_<secret>``; ``Unauthorized`` if it is not shaped so."""
    prefix, _, rest = plaintext.partition("_")
    token_id, _, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or len(token_id) != 16 or not secret:
        raise Unauthorized("malformed token")
    return token_id


class TokenRegistry:
    """The API tokens of a deployment, kept in ``path`` (or only in memory when ``path`` is None)."""

    def __init__(self, path: Path | None = None, entries: list[TokenEntry] | None = None) -> None:
        self._path = path
        self._entries = {entry.token_id: entry for entry in entries or []}
        self._file_stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path) -> TokenRegistry:
        """The registry of ``path``; an absent file is an empty registry (created by the first ``issue``)."""
        registry = cls(Path(path))
        registry.reload()
        return registry

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenRegistry:
        """From ``settings.tokens_file``; with no file configured, an empty in-memory registry (rejects every token)."""
        return cls.load(settings.tokens_file) if settings.tokens_file else cls()

    @property
    def path(self) -> Path | None:
        return self._path

    def entries(self) -> list[TokenEntry]:
        self._refresh_if_changed()
        return sorted(self._entries.values(), key=lambda entry: entry.created_at)

    def issue(self, platform_id: str, role: Role | str, subject: str) -> tuple[str, TokenEntry]:
        """A new token; returns its plaintext (shown once, never stored) and its stored entry."""
        role = Role(role)
        token_id = secrets.token_hex(8)
        plaintext = f"{TOKEN_PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"
        entry = TokenEntry(
            token_id=token_id,
            sha256=hash_token(plaintext),
            platform_id=platform_id,
            role=role,
            subject=subject,
            created_at=datetime.now(UTC),
        )
        with self._lock:
            self._refresh_if_changed()
            self._entries[token_id] = entry
            self._save()
        return plaintext, entry

    def authenticate(self, plaintext: str) -> Principal:
        """The principal of a valid, unrevoked token; ``Unauthorized`` otherwise."""
        token_id = parse_token_id(plaintext)
        self._refresh_if_changed()
        entry = self._entries.get(token_id)
        matches = compare_digest(hash_token(plaintext), entry.sha256 if entry else _DUMMY_HASH)
        if entry is None or not matches:
            raise Unauthorized("unknown token")
        if entry.revoked:
            raise Unauthorized("revoked token")
        return entry.principal()

    def revoke(self, token_id: str) -> TokenEntry:
        """Mark ``token_id`` revoked (idempotent); ``KeyError`` if there is no such token."""
        with self._lock:
            self._refresh_if_changed()
            entry = self._entries[token_id].model_copy(update={"revoked": True})
            self._entries[token_id] = entry
            self._save()
        return entry

    def reload(self) -> None:
        """Re-read the file (no-op for an in-memory registry)."""
        if self._path is None:
            return
        stamp = file_stamp(self._path)
        if stamp is None:
            self._entries = {}
        else:
            document = parse_document(self._path, self._path.read_text(encoding="utf-8")) or {}
            entries = [TokenEntry.model_validate(item) for item in document.get("tokens", [])]
            self._entries = {entry.token_id: entry for entry in entries}
        self._file_stamp = stamp

    def _refresh_if_changed(self) -> None:
        if self._path is not None and file_stamp(self._path) != self._file_stamp:
            self.reload()

    def _save(self) -> None:
        if self._path is None:
            return
        document = {"tokens": [entry.model_dump(mode="json") for entry in self._entries.values()]}
        write_atomically(self._path, dump_document(self._path, document))
        self._file_stamp = file_stamp(self._path)
