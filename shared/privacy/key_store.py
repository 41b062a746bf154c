"""The vault's key store: one AES-256 key per resident, made on first use (new keys asked for at the same
time are written in one transaction), and a tombstone per erased resident so that no new key is ever made
under an erased id; erasing deletes the key row with SQLite's ``secure_delete`` on, so the freed bytes are
overwritten. Keys are cached in memory for ``cache_ttl`` seconds: erasing clears this process's cache, and
:meth:`KeyStore.forget` (through :meth:`~shared.privacy.vault.Vault.forget`) clears another's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import MetaData, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.dml import Insert

from shared.privacy.errors import ResidentErasedError, UnknownResidentError
from shared.privacy.sealing import generate_key
from shared.storage.engine import begin_write
from shared.storage.group_commit import GroupCommit


class KeyStore:
    """The ``resident_keys`` and ``erased_residents`` tables of ``metadata`` on ``engine``, with a key cache."""

    def __init__(self, engine: AsyncEngine, metadata: MetaData, *, cache_ttl: float, clock: Callable[[], float]) -> None:
        self._engine = engine
        self._keys = metadata.tables["resident_keys"]
        self._erased = metadata.tables["erased_residents"]
        self._cache_ttl = cache_ttl
        self._clock = clock
        self._cache: dict[str, tuple[str, bytes, float]] = {}
        self._new_keys = GroupCommit(self._ensure_keys)

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
            owner, key = await self.lookup(resident_id)
        if owner != platform_id:
            raise ValueError(f"resident {resident_id!r} belongs to platform {owner!r}, not {platform_id!r}")
        return key

    async def lookup(self, resident_id: str) -> tuple[str, bytes]:
        """The resident's (platform, key); ``ResidentErasedError`` once erased, ``UnknownResidentError`` if absent."""
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

    async def erase(self, resident_id: str) -> bool:
        """Delete the resident's key and tombstone them, in one transaction; True if a key was deleted."""
        self.forget(resident_id)
        async with begin_write(self._engine) as connection:
            if self._engine.dialect.name == "sqlite":
                await connection.exec_driver_sql("PRAGMA secure_delete=ON")
            is_resident = self._keys.c.resident_id == resident_id
            owner = (await connection.execute(select(self._keys.c.platform_id).where(is_resident))).scalar()
            deleted = await connection.execute(self._keys.delete().where(is_resident))
            tombstone = {"resident_id": resident_id, "platform_id": owner, "erased_at": datetime.now(UTC)}
            await connection.execute(self._insert_ignore(self._erased, connection).values(**tombstone))
        self.forget(resident_id)
        return deleted.rowcount > 0

    async def is_erased(self, resident_id: str) -> bool:
        async with self._engine.connect() as connection:
            return await self._tombstoned(connection, resident_id)

    async def erased_platform(self, resident_id: str) -> str | None:
        """The platform an erased resident belonged to, as its tombstone recorded it (None if unknown)."""
        async with self._engine.connect() as connection:
            query = select(self._erased.c.platform_id).where(self._erased.c.resident_id == resident_id)
            return (await connection.execute(query)).scalar()

    def forget(self, resident_id: str) -> None:
        """Drop the resident's key from this process's cache."""
        self._cache.pop(resident_id, None)

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

    @staticmethod
    def _insert_ignore(table: Table, connection: AsyncConnection) -> Insert:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        (key_column,) = table.primary_key.columns
        return dialect.insert(table).on_conflict_do_nothing(index_elements=[key_column.name])
