"""The seeker and opening indexes and the outbox on an open connection (the caller's transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import MetaData, select

from services.employment.service_layer.ports import CohortRecord, OpeningRecord, SeekerRecord, SessionRecord
from shared.contracts.events.employment import ReferralSource, Trade
from shared.contracts.events.feedback import SendChannel
from shared.contracts.types import Sealed
from shared.outgoing.outbox import OutgoingMessage, cancel_for_resident, queue
from shared.storage.ports import ProjectionConnection
from shared.storage.upsert import update_where, upsert


class SqlSeekerIndex:
    def __init__(self, conn: ProjectionConnection, metadata: MetaData) -> None:
        self._conn = conn
        self._table = metadata.tables["employment_seekers"]

    async def add(self, record: SeekerRecord) -> None:
        await self._conn.execute(self._table.insert().values(**_row(record)))

    async def save(self, record: SeekerRecord) -> None:
        await update_where(self._conn, self._table, {"seeker_id": record.seeker_id}, _row(record))

    async def get(self, seeker_id: str) -> SeekerRecord | None:
        row = (await self._conn.execute(select(self._table).where(self._table.c.seeker_id == seeker_id))).mappings().first()
        return _record(row) if row is not None else None

    async def of_platform(self, platform_id: str) -> list[SeekerRecord]:
        query = (select(self._table).where(self._table.c.platform_id == platform_id)
                 .order_by(self._table.c.registered_at, self._table.c.seeker_id))
        return [_record(row) for row in (await self._conn.execute(query)).mappings()]


class SqlOpeningIndex:
    def __init__(self, conn: ProjectionConnection, metadata: MetaData) -> None:
        self._conn = conn
        self._table = metadata.tables["job_openings"]

    async def add(self, record: OpeningRecord) -> None:
        await self._conn.execute(self._table.insert().values(**{**record.__dict__, "trade": record.trade.value}))

    async def set_status(self, opening_id: str, status: str) -> None:
        await update_where(self._conn, self._table, {"opening_id": opening_id}, {"status": status})

    async def of_platform(self, platform_id: str, provider_id: str | None) -> list[OpeningRecord]:
        query = select(self._table).where(self._table.c.platform_id == platform_id)
        if provider_id is not None:
            query = query.where(self._table.c.provider_id == provider_id)
        query = query.order_by(self._table.c.posted_at.desc(), self._table.c.opening_id)
        return [OpeningRecord(**{**row, "trade": Trade(row["trade"])})
                for row in (await self._conn.execute(query)).mappings()]


class SqlActivityIndex:
    def __init__(self, conn: ProjectionConnection, metadata: MetaData) -> None:
        self._conn = conn
        self._sessions = metadata.tables["information_sessions"]
        self._cohorts = metadata.tables["training_cohorts"]

    async def save_session(self, record: SessionRecord) -> None:
        await upsert(self._conn, self._sessions, record.__dict__, key=["session_id"])

    async def sessions(self, platform_id: str) -> list[SessionRecord]:
        query = (select(self._sessions).where(self._sessions.c.platform_id == platform_id)
                 .order_by(self._sessions.c.starts_at.desc(), self._sessions.c.session_id))
        return [SessionRecord(**row) for row in (await self._conn.execute(query)).mappings()]

    async def save_cohort(self, record: CohortRecord) -> None:
        await upsert(self._conn, self._cohorts, record.__dict__, key=["cohort_id"])

    async def cohorts(self, platform_id: str) -> list[CohortRecord]:
        query = (select(self._cohorts).where(self._cohorts.c.platform_id == platform_id)
                 .order_by(self._cohorts.c.starts_on.desc(), self._cohorts.c.cohort_id))
        return [CohortRecord(**row) for row in (await self._conn.execute(query)).mappings()]


class SqlOutbox:
    def __init__(self, conn: ProjectionConnection, metadata: MetaData) -> None:
        self._conn = conn
        self._metadata = metadata

    async def queue(self, message: OutgoingMessage, now: datetime, not_before: datetime | None = None) -> None:
        await queue(self._conn, self._metadata, message, now, not_before)

    async def cancel_for(self, seeker_id: str) -> int:
        return await cancel_for_resident(self._conn, self._metadata, seeker_id)


def _row(record: SeekerRecord) -> dict[str, Any]:
    return {**record.__dict__, "referral_source": record.referral_source.value, "channel": record.channel.value,
            "trades": ",".join(trade.value for trade in record.trades),
            "identity": record.identity.model_dump_json() if record.identity is not None else None}


def _record(row: Any) -> SeekerRecord:
    return SeekerRecord(**{**row, "referral_source": ReferralSource(row["referral_source"]),
                           "channel": SendChannel(row["channel"]),
                           "trades": tuple(Trade(code) for code in row["trades"].split(",")),
                           "identity": Sealed(**orjson.loads(row["identity"])) if row["identity"] else None})
