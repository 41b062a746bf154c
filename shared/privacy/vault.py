"""The vault: one AES-256 key per resident, kept apart from every event store.

Personal data travels in events only as :class:`~shared.contracts.types.Sealed`. Erasing a resident
deletes their key (crypto-shredding): every copy of their data, in any topic or store, becomes
unreadable, and a tombstone stops a new key being made under the same resident id (the keys and
tombstones are :mod:`shared.privacy.key_store`'s). On SQLite the erasure also overwrites the freed
bytes (``secure_delete``) and truncates the WAL; on PostgreSQL the deleted row stays on disk until
``VACUUM`` reclaims it.

Each :meth:`Vault.unseal` is logged (who, when, which resident, why, outcome), successful or not.
Keys are cached in memory for ``cache_ttl`` seconds; :meth:`Vault.erase` clears this vault's cache,
and other processes may call :meth:`Vault.forget` when they hear of an erasure.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.types import Sealed
from shared.privacy import audit
from shared.privacy.audit import AuditRecord, ReadOutcome
from shared.privacy.errors import ReadForbiddenError, ResidentErasedError, TamperedSealError, UnknownResidentError
from shared.privacy.key_store import KeyStore
from shared.privacy.sealing import open_with_key, seal_with_key
from shared.privacy.tables import vault_metadata
from shared.security.principals import Principal, Role
from shared.storage.engine import BUSY_TIMEOUT_MS, begin_write

log = logging.getLogger(__name__)


class Vault:
    """Per-resident keys, sealing and unsealing, erasure, and the read log, on ``engine`` (the vault database)."""

    def __init__(self, engine: AsyncEngine, *, cache_ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._engine = engine
        self._metadata = vault_metadata()
        self._reads = self._metadata.tables["personal_data_reads"]
        self._key_store = KeyStore(engine, self._metadata, cache_ttl=cache_ttl, clock=clock)

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def create_tables(self, attempts: int = 5) -> None:
        """Create the vault's tables if missing; several services starting at once may race here, so retry."""
        for attempt in range(1, attempts + 1):
            try:
                async with self._engine.begin() as connection:
                    await connection.run_sync(self._metadata.create_all)
                return
            except (OperationalError, IntegrityError, ProgrammingError):
                if attempt == attempts:
                    raise
                await asyncio.sleep(0.2 * attempt)

    async def key_for(self, resident_id: str, platform_id: str, create: bool = True) -> bytes:
        """The resident's key, made on first use when ``create``; raises as :meth:`KeyStore.key_for` does."""
        return await self._key_store.key_for(resident_id, platform_id, create)

    async def seal(self, resident_id: str, platform_id: str, data: Mapping[str, Any] | BaseModel) -> Sealed:
        """Encrypt ``data`` (e.g. a :class:`~shared.privacy.contact.ResidentContact`) with the resident's key."""
        key = await self.key_for(resident_id, platform_id)
        return seal_with_key(key, resident_id, platform_id, data)

    async def unseal(self, sealed: Sealed, *, reader: Principal | str, purpose: str) -> dict[str, Any]:
        """Decrypt ``sealed`` for ``reader`` (a principal, or a system name like ``system:matching``).

        Always logs the attempt. Raises ``ResidentErasedError``, ``UnknownResidentError``,
        ``ReadForbiddenError`` (a principal of another platform, or an analyst: analysts work on
        pseudonymised exports only) or ``TamperedSealError``.
        """
        purpose = audit.check_purpose(purpose)
        resident_id = sealed.resident_id
        platform_id: str | None = None
        try:
            platform_id, key = await self._key_store.lookup(resident_id)
            _check_reader(reader, platform_id)
            document = open_with_key(key, sealed, platform_id)
        except ResidentErasedError:
            platform_id = await self._key_store.erased_platform(resident_id)
            await self._record(resident_id, platform_id, reader, purpose, ReadOutcome.ERASED)
            raise
        except UnknownResidentError:
            await self._record(resident_id, None, reader, purpose, ReadOutcome.UNKNOWN)
            raise
        except ReadForbiddenError:
            await self._record(resident_id, platform_id, reader, purpose, ReadOutcome.FORBIDDEN)
            raise
        except TamperedSealError:
            await self._record(resident_id, platform_id, reader, purpose, ReadOutcome.TAMPERED)
            raise
        await self._record(resident_id, platform_id, reader, purpose, ReadOutcome.READ)
        return document

    async def erase(self, resident_id: str) -> bool:
        """Delete the resident's key for good; True if a key was deleted, False if there was none (idempotent)."""
        deleted = await self._key_store.erase(resident_id)
        if self._engine.dialect.name == "sqlite":
            await self._truncate_wal()
        return deleted

    async def is_erased(self, resident_id: str) -> bool:
        return await self._key_store.is_erased(resident_id)

    def forget(self, resident_id: str) -> None:
        """Drop the resident's key from this process's cache."""
        self._key_store.forget(resident_id)

    async def read_log(self, resident_id: str | None = None, limit: int = 1000) -> list[AuditRecord]:
        """The personal-data read log, oldest first."""
        return await audit.read_log(self._engine, self._reads, resident_id, limit)

    async def _record(
        self, resident_id: str, platform_id: str | None, reader: Principal | str, purpose: str, outcome: ReadOutcome
    ) -> None:
        async with begin_write(self._engine) as connection:
            await audit.record_read(
                connection, self._reads,
                resident_id=resident_id, platform_id=platform_id, reader=reader, purpose=purpose, outcome=outcome,
            )

    async def _truncate_wal(self) -> None:
        async with self._engine.connect() as connection:
            # SQLite calls run in the event loop's thread: let the checkpoint wait for readers briefly
            await connection.exec_driver_sql("PRAGMA busy_timeout=500")
            try:
                busy = (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()[0]
                await connection.commit()
            finally:
                await connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if busy:
            log.warning(
                "vault WAL not truncated after an erasure (database busy): "
                "the erased key's bytes may stay in the WAL until the next checkpoint"
            )


def _check_reader(reader: Principal | str, platform_id: str) -> None:
    if not isinstance(reader, Principal):
        return
    if reader.role is Role.ANALYST:
        raise ReadForbiddenError(f"{reader.describe()}: analysts never read personal data, only pseudonymised exports")
    if not reader.covers(platform_id):
        raise ReadForbiddenError(f"{reader.describe()} may not read personal data of platform {platform_id!r}")
