"""Read side of the matching store for the HTTP API: directory, matches, offers, fairness."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from services.matching.adapters.fairness import fairness_report
from services.matching.adapters.repositories import MatchRepository, ProviderRepository
from shared.contracts.directory import Provider


class MatchingViews:
    """Queries on their own short read transactions (no write lock taken)."""

    def __init__(self, engine: AsyncEngine, metadata: MetaData) -> None:
        self._engine, self._metadata = engine, metadata

    async def providers(self, platform_id: str, *, status: str | None = None, activity: str | None = None) -> list[Provider]:
        async with self._engine.connect() as conn:
            found = await ProviderRepository(conn, self._metadata).list(platform_id, statuses=(status,) if status else ())
        return [p for p in found if activity is None or activity in p.activities]

    async def provider(self, platform_id: str, provider_id: str) -> Provider | None:
        async with self._engine.connect() as conn:
            found = await ProviderRepository(conn, self._metadata).get(provider_id)
        return found if found is not None and found.platform_id == platform_id else None

    async def match(self, platform_id: str, request_id: str) -> dict[str, Any] | None:
        rows = await self._matches(platform_id, request_id=request_id)
        return rows[0] if rows else None

    async def offers(self, platform_id: str, provider_id: str, **where: Any) -> list[dict[str, Any]]:
        """The requests offered to ``provider_id``, latest change first; ``where``: the filters and page of
        :meth:`MatchRepository.rows`."""
        return await self._matches(platform_id, provider_id=provider_id, **where)

    async def fairness(self, platform_id: str, *, activity: str | None, sector: str | None) -> list[dict[str, Any]]:
        async with self._engine.connect() as conn:
            return await fairness_report(conn, self._metadata, platform_id, activity=activity, sector=sector)

    async def _matches(self, platform_id: str, **where: Any) -> list[dict[str, Any]]:
        async with self._engine.connect() as conn:
            rows = await MatchRepository(conn, self._metadata).rows(platform_id, **where)
        for row in rows:
            row["excluded"] = orjson.loads(row["excluded"])
            row["fragile_publics"] = orjson.loads(row.pop("spec"))["fragile_publics"]
            row.pop("resident_id")
            row.pop("contact", None)
        return rows
