"""Repositories of the matching store, on one open connection (inside the caller's transaction)."""

from __future__ import annotations

import builtins
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import MetaData, select, update
from sqlalchemy.exc import IntegrityError

from services.matching.adapters.documents import (
    dumps,
    provider_document,
    provider_from_document,
    spec_document,
    spec_from_document,
    utc,
)
from services.matching.domain.match import Match, RequestContext
from services.matching.domain.rotation import RingKey, TurnKey
from services.matching.service_layer.ports import Turn
from shared.contracts.directory import ADMITTED, SUSPENDED, Provider
from shared.contracts.types import Sealed
from shared.storage.eventstore import ConcurrencyError
from shared.storage.ports import ProjectionConnection
from shared.storage.upsert import upsert


class ProviderRepository:
    """The ``providers`` rows: each provider's current state, rewritten with every event it gets."""

    def __init__(self, conn: ProjectionConnection, metadata: MetaData) -> None:
        self._conn, self._table = conn, metadata.tables["providers"]

    async def get(self, provider_id: str) -> Provider | None:
        document = await self._conn.scalar(select(self._table.c.document).where(self._table.c.provider_id == provider_id))
        return None if document is None else provider_from_document(orjson.loads(document))

    async def save(self, provider: Provider) -> None:
        row = {"provider_id": provider.provider_id, "platform_id": provider.platform_id, "name": provider.name,
               "status": provider.status, "version": provider.version, "document": dumps(provider_document(provider)),
               "updated_at": datetime.now(UTC)}
        await upsert(self._conn, self._table, row, key=["provider_id"])

    async def list(self, platform_id: str, *, statuses: tuple[str, ...] = ()) -> list[Provider]:
        query = select(self._table.c.document).where(self._table.c.platform_id == platform_id)
        if statuses:
            query = query.where(self._table.c.status.in_(statuses))
        rows = await self._conn.execute(query.order_by(self._table.c.provider_id))
        return [provider_from_document(orjson.loads(document)) for (document,) in rows]

    async def in_rotation(self, platform_id: str) -> builtins.list[Provider]:
        """Admitted and suspended providers (suspended ones stay in the turn, skipped with a reason)."""
        return await self.list(platform_id, statuses=(ADMITTED, SUSPENDED))


class TurnRepository:
    """The cursor of each rotation; moving it checks the version read (optimistic concurrency)."""

    def __init__(self, conn: ProjectionConnection, metadata: MetaData) -> None:
        self._conn, self._table = conn, metadata.tables["turns"]

    def _where(self, key: TurnKey) -> Any:
        t = self._table.c
        return (t.platform_id == key.platform_id) & (t.activity == key.activity) & (t.sector == key.sector)

    async def get(self, key: TurnKey) -> Turn:
        t = self._table.c
        row = (await self._conn.execute(select(t.cursor_joined_at, t.cursor_provider_id, t.version)
                                        .where(self._where(key)))).first()
        if row is None:
            return Turn(None, 0)
        cursor = None if row.cursor_provider_id is None else (datetime.fromisoformat(row.cursor_joined_at), row.cursor_provider_id)
        return Turn(cursor, row.version)

    async def advance(self, key: TurnKey, cursor: RingKey, *, expected_version: int) -> None:
        """Move the cursor; :class:`ConcurrencyError` if the turn moved since it was read at ``expected_version``."""
        values = {"cursor_joined_at": utc(cursor[0]).isoformat(), "cursor_provider_id": cursor[1],
                  "version": expected_version + 1, "updated_at": datetime.now(UTC)}
        if expected_version == 0:
            try:
                async with self._conn.begin_nested():
                    await self._conn.execute(self._table.insert().values(
                        platform_id=key.platform_id, activity=key.activity, sector=key.sector, **values))
            except IntegrityError as exc:
                raise ConcurrencyError(f"turn {key} was started concurrently") from exc
            return
        result = await self._conn.execute(
            update(self._table).where(self._where(key), self._table.c.version == expected_version).values(**values))
        if result.rowcount != 1:
            raise ConcurrencyError(f"turn {key} moved since version {expected_version}")


class MatchRepository:
    """The ``match_requests`` rows: the request's context (spec, resident) and where its match stands."""

    def __init__(self, conn: ProjectionConnection, metadata: MetaData) -> None:
        self._conn, self._table = conn, metadata.tables["match_requests"]

    async def context(self, request_id: str) -> tuple[RequestContext, bool] | None:
        """The request's context and whether it was cancelled; None if matching never received it."""
        t = self._table.c
        row = (await self._conn.execute(select(t.spec, t.resident_id, t.contact, t.cancelled)
                                        .where(t.request_id == request_id))).first()
        if row is None:
            return None
        contact = Sealed.model_validate_json(row.contact) if row.contact else None
        return RequestContext(spec_from_document(orjson.loads(row.spec)), row.resident_id, contact), bool(row.cancelled)

    async def save(self, match: Match, *, expected_version: int) -> None:
        """Write the match's row; :class:`ConcurrencyError` if it changed (or was cancelled) since read."""
        spec = match.context.spec
        values = {"status": match.status, "provider_id": match.provider_id,
                  "deadline_at": match.deadline_at,
                  "attempt": match.attempt, "excluded": dumps({k: v.value for k, v in sorted(match.excluded.items())}),
                  "version": match.version, "updated_at": datetime.now(UTC)}
        if expected_version == 0:
            try:
                async with self._conn.begin_nested():
                    await self._conn.execute(self._table.insert().values(
                        request_id=spec.request_id, platform_id=spec.platform_id, activity=spec.activity,
                        commune=spec.commune, sector=spec.sector, cancelled=False,
                        resident_id=match.context.resident_id, spec=dumps(spec_document(spec)),
                        contact=match.context.contact.model_dump_json() if match.context.contact else None, **values))
            except IntegrityError as exc:
                raise ConcurrencyError(f"request {spec.request_id} was received twice concurrently") from exc
            return
        t = self._table.c
        result = await self._conn.execute(update(self._table).where(
            t.request_id == spec.request_id, t.version == expected_version, t.cancelled.is_(False)).values(**values))
        if result.rowcount != 1:
            raise ConcurrencyError(f"request {spec.request_id} changed since version {expected_version}")

    async def cancel(self, request_id: str) -> bool:
        t = self._table.c
        result = await self._conn.execute(update(self._table).where(t.request_id == request_id)
                                          .values(status="cancelled", cancelled=True, updated_at=datetime.now(UTC)))
        return result.rowcount == 1

    async def due(self, now: datetime, limit: int = 100) -> list[str]:
        """Ids of assigned requests whose callback deadline passed before ``now``, oldest deadline first."""
        t = self._table.c
        rows = await self._conn.execute(
            select(t.request_id).where(t.status == "assigned", t.cancelled.is_(False), t.deadline_at < now)
            .order_by(t.deadline_at, t.request_id).limit(limit))
        return list(rows.scalars())

    async def deadlines_between(self, platform_id: str, start: datetime, end: datetime,
                                limit: int = 100) -> list[str]:
        """Ids of ``platform_id``'s assigned requests whose callback deadline falls in ``(start, end]``."""
        t = self._table.c
        rows = await self._conn.execute(
            select(t.request_id).where(t.platform_id == platform_id, t.status == "assigned", t.cancelled.is_(False),
                                       t.deadline_at > start, t.deadline_at <= end)
            .order_by(t.deadline_at, t.request_id).limit(limit))
        return list(rows.scalars())

    async def rows(self, platform_id: str, *, request_id: str | None = None, provider_id: str | None = None,
                   status: str | None = None, activity: str | None = None, updated_from: datetime | None = None,
                   updated_before: datetime | None = None, offset: int = 0, limit: int = 200) -> list[dict[str, Any]]:
        """Matches of the platform, latest change first, filtered by any of the keywords given."""
        t = self._table.c
        query = select(self._table).where(t.platform_id == platform_id)
        for column, value in ((t.request_id, request_id), (t.provider_id, provider_id), (t.status, status),
                              (t.activity, activity)):
            if value is not None:
                query = query.where(column == value)
        if updated_from is not None:
            query = query.where(t.updated_at >= updated_from)
        if updated_before is not None:
            query = query.where(t.updated_at < updated_before)
        result = await self._conn.execute(query.order_by(t.updated_at.desc(), t.request_id).offset(offset).limit(limit))
        return [dict(row._mapping) for row in result]
