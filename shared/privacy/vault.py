"""The vault: one AES-256 key per resident, kept apart from every event store.

Personal data travels in events only as :class:`~shared.contracts.types.Sealed`. Erasing a resident
deletes their key (crypto-shredding): every copy of their data, in any topic or store, becomes
unreadable, and a tombstone stops a new key being made under the same resident id. On SQLite the
erasure also overwrites the freed bytes (``secure_delete``) and truncates the WAL; on PostgreSQL the
deleted row stays on disk until ``VACUUM`` reclaims it.

Each :meth:`Vault.unseal` is logged (who, when, which resident, why, outcome), successful or not.
Keys are cached in memory for ``cache_ttl`` seconds; :meth:`Vault.erase` clears this vault's cache,
and other processes may call :meth:`Vault.forget` when they hear of an erasure.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts.types import Sealed
from shared.privacy import audit
from shared.privacy.audit import AuditRecord, ReadOutcome
from shared.privacy.errors import ReadForbiddenError, ResidentErasedError, TamperedSealError, UnknownResidentError
from shared.privacy.sealing import generate_key, open_with_key, seal_with_key
from shared.privacy.tables import vault_metadata
from shared.security.principals import Principal, Role
from shared.storage.engine import BUSY_TIMEOUT_MS, begin_write
from shared.storage.group_commit import GroupCommit

log = logging.getLogger(__name__)


class Vault:
    """Per-resident keys, sealing and unsealing, erasure, and the read log, on ``engine`` (the vault database)."""

    def __init__(self, engine: AsyncEngine, *, cache_ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._engine = engine
        self._metadata = vault_metadata()
        self._keys = self._metadata.tables["resident_keys"]
        self._erased = self._metadata.tables["erased_residents"]
        self._reads = self._metadata.tables["personal_data_reads"]
        self._cache_ttl = cache_ttl
        self._clock = clock
        self._cache: dict[str, tuple[str, bytes, float]] = {}
        self._new_keys = GroupCommit(self._ensure_keys)

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
        """The resident's key, made on first use when ``create``.

        ``ResidentErasedError`` once erased; ``UnknownResidentError`` when absent and not ``create``;
        ``ValueError`` when the resident belongs to another platform.
        """
        cached = self._cached(resident_id)
        if cached is not None:
            owner, key = cached
        elif create:
            found = await self._new_keys((resident_id, platform_id))
            if isinstance(found, Exception):
                raise found
            owner, key = found
        else:
            owner, key = await self._lookup(resident_id)
        if owner != platform_id:
            raise ValueError(f"resident {resident_id!r} belongs to platform {owner!r}, not {platform_id!r}")
        return key

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
            platform_id, key = await self._lookup(resident_id)
            _check_reader(reader, platform_id)
            document = open_with_key(key, sealed, platform_id)
        except ResidentErasedError:
            platform_id = await self._erased_platform(resident_id)
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
        self.forget(resident_id)
        is_sqlite = self._engine.dialect.name == "sqlite"
        async with begin_write(self._engine) as connection:
            if is_sqlite:
                await connection.exec_driver_sql("PRAGMA secure_delete=ON")
            is_resident = self._keys.c.resident_id == resident_id
            owner = (await connection.execute(select(self._keys.c.platform_id).where(is_resident))).scalar()
            deleted = await connection.execute(self._keys.delete().where(is_resident))
            tombstone = {"resident_id": resident_id, "platform_id": owner, "erased_at": datetime.now(UTC)}
            await connection.execute(self._insert_ignore(self._erased, connection).values(**tombstone))
        self.forget(resident_id)
        if is_sqlite:
            await self._truncate_wal()
        return deleted.rowcount > 0

    async def is_erased(self, resident_id: str) -> bool:
        async with self._engine.connect() as connection:
            return await self._tombstoned(connection, resident_id)

    def forget(self, resident_id: str) -> None:
        """Drop the resident's key from this process's cache."""
        self._cache.pop(resident_id, None)

    async def read_log(self, resident_id: str | None = None, limit: int = 1000) -> list[AuditRecord]:
        """The personal-data read log, oldest first."""
        return await audit.read_log(self._engine, self._reads, resident_id, limit)

    async def _lookup(self, resident_id: str) -> tuple[str, bytes]:
        cached = self._cached(resident_id)
        if cached is not None:
            return cached
        async with self._engine.connect() as connection:
            query = select(self._keys.c.platform_id, self._keys.c.key).where(self._keys.c.resident_id == resident_id)
            row = (await connection.execute(query)).first()
            if row is None:
                if await self._tombstoned(connection, resident_id):
                    raise ResidentErasedError(resident_id)
                raise UnknownResidentError(resident_id)
        return self._remember(resident_id, row.platform_id, bytes(row.key))

    async def _ensure_keys(self, wanted: Sequence[tuple[str, str]]) -> list[tuple[str, bytes] | Exception]:
        """For each (resident, platform): the resident's (platform, key), made if missing, in ONE
        transaction; an erased resident gets :class:`ResidentErasedError` instead."""
        ids = sorted({resident_id for resident_id, _ in wanted})
        async with begin_write(self._engine) as connection:
            erased = set((await connection.scalars(
                select(self._erased.c.resident_id).where(self._erased.c.resident_id.in_(ids)))).all())
            now = datetime.now(UTC)
            rows = {resident_id: {"resident_id": resident_id, "platform_id": platform_id, "key": generate_key(),
                                  "created_at": now}
                    for resident_id, platform_id in reversed(wanted) if resident_id not in erased}
            if rows:
                await connection.execute(self._insert_ignore(self._keys, connection), list(rows.values()))
            keys = self._keys.c
            found = {row.resident_id: self._remember(row.resident_id, row.platform_id, bytes(row.key))
                     for row in await connection.execute(
                         select(keys.resident_id, keys.platform_id, keys.key).where(keys.resident_id.in_(ids)))}
        return [ResidentErasedError(resident_id) if resident_id in erased else found[resident_id]
                for resident_id, _ in wanted]

    def _cached(self, resident_id: str) -> tuple[str, bytes] | None:
        cached = self._cache.get(resident_id)
        if cached is not None and cached[2] > self._clock():
            return cached[0], cached[1]
        return None

    def _remember(self, resident_id: str, platform_id: str, key: bytes) -> tuple[str, bytes]:
        if self._cache_ttl > 0:
            self._cache[resident_id] = (platform_id, key, self._clock() + self._cache_ttl)
        return platform_id, key

    async def _tombstoned(self, connection: AsyncConnection, resident_id: str) -> bool:
        query = select(self._erased.c.resident_id).where(self._erased.c.resident_id == resident_id)
        return (await connection.execute(query)).first() is not None

    async def _erased_platform(self, resident_id: str) -> str | None:
        async with self._engine.connect() as connection:
            query = select(self._erased.c.platform_id).where(self._erased.c.resident_id == resident_id)
            return (await connection.execute(query)).scalar()

    async def _record(
        self, resident_id: str, platform_id: str | None, reader: Principal | str, purpose: str, outcome: ReadOutcome
    ) -> None:
        async with begin_write(self._engine) as connection:
            await audit.record_read(
                connection, self._reads,
                resident_id=resident_id, platform_id=platform_id, reader=reader, purpose=purpose, outcome=outcome,
            )

    @staticmethod
    def _insert_ignore(table: Table, connection: AsyncConnection):  # type: ignore[no-untyped-def]
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        (key_column,) = table.primary_key.columns
        return dialect.insert(table).on_conflict_do_nothing(index_elements=[key_column.name])

    async def _truncate_wal(self) -> None:
        async with self._engine.connect() as connection:
            # SQLite calls run in the event loop's thread: let the checkpoint wait for readers briefly
            await connection.exec_driver_sql("PRAGMA busy_timeout=500")
            try:
                busy, _, _ = (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()
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
