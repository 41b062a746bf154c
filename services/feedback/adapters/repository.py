"""The survey index, notifications (the shared outbox of :mod:`shared.outgoing`) and preferences on an open connection (the caller's transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import MetaData, or_, select

from services.feedback.domain.model import SENT
from services.feedback.service_layer.ports import CallToMake, SurveyQuery, SurveyRecord
from shared.contracts.events.feedback import SendChannel
from shared.contracts.types import Sealed
from shared.outgoing.outbox import OutgoingMessage, messages_about, pending_on, queue, settle
from shared.storage.ports import ProjectionConnection
from shared.storage.upsert import insert_new, upsert

CALL_LOGGED = "appel passé par un opérateur"


class SqlSurveyIndex:
    def __init__(self, conn: ProjectionConnection, metadata: MetaData) -> None:
        self._conn = conn
        self._surveys = metadata.tables["surveys"]
        self._metadata = metadata
        self._preferences = metadata.tables["survey_preferences"]
        self._recipients = metadata.tables["survey_recipients"]

    async def add(self, record: SurveyRecord) -> None:
        await self._conn.execute(self._surveys.insert().values(**{**record.__dict__, "channel": record.channel.value}))

    async def get(self, survey_id: str) -> SurveyRecord | None:
        return await self._one(self._surveys.c.survey_id == survey_id)

    async def by_token_hash(self, hashed: str) -> SurveyRecord | None:
        return await self._one(self._surveys.c.token_hash == hashed)

    async def update(self, survey_id: str, *, status: str, reminders_sent: int, next_reminder_at: datetime | None) -> None:
        await self._conn.execute(
            self._surveys.update().where(self._surveys.c.survey_id == survey_id).values(
                status=status, reminders_sent=reminders_sent, next_reminder_at=next_reminder_at,
            )
        )

    async def due(self, now: datetime, limit: int) -> list[SurveyRecord]:
        table = self._surveys
        query = (
            select(table).where(table.c.status == SENT, or_(table.c.expires_at <= now, table.c.next_reminder_at <= now))
            .order_by(table.c.sent_at).limit(limit)
        )
        return [_record(row) for row in (await self._conn.execute(query)).mappings()]

    async def listing(self, platform_id: str, query: SurveyQuery) -> list[SurveyRecord]:
        table = self._surveys
        found = select(table).where(table.c.platform_id == platform_id)
        if query.status is not None:
            found = found.where(table.c.status == query.status)
        if query.activity is not None:
            found = found.where(table.c.activity == query.activity)
        if query.sent_from is not None:
            found = found.where(table.c.sent_at >= query.sent_from)
        if query.sent_before is not None:
            found = found.where(table.c.sent_at < query.sent_before)
        found = found.order_by(table.c.sent_at.desc(), table.c.survey_id).offset(query.offset).limit(query.limit)
        return [_record(row) for row in (await self._conn.execute(found)).mappings()]

    async def add_notification(self, message: OutgoingMessage, now: datetime) -> None:
        await queue(self._conn, self._metadata, message, now)

    async def notifications(self, survey_id: str) -> list[OutgoingMessage]:
        return await messages_about(self._conn, self._metadata, survey_id)

    async def preferred_channel(self, platform_id: str, resident_id: str) -> SendChannel | None:
        table = self._preferences
        query = select(table.c.channel).where(table.c.platform_id == platform_id, table.c.resident_id == resident_id)
        channel = (await self._conn.execute(query)).scalar()
        return SendChannel(channel) if channel else None

    async def set_preferred_channel(self, platform_id: str, resident_id: str, channel: SendChannel, at: datetime) -> None:
        await upsert(self._conn, self._preferences, {"platform_id": platform_id, "resident_id": resident_id,
                                                     "channel": channel.value, "updated_at": at},
                     key=["platform_id", "resident_id"])

    async def add_recipient(self, request_id: str, platform_id: str, resident_id: str, contact: Sealed) -> None:
        await insert_new(self._conn, self._recipients, {"request_id": request_id, "platform_id": platform_id,
                                                        "resident_id": resident_id, "contact": contact.model_dump_json()},
                         key=["request_id"])

    async def calls_to_make(self, platform_id: str, offset: int, limit: int) -> list[CallToMake]:
        rows = await pending_on(self._conn, self._metadata, platform_id, SendChannel.PHONE, offset=offset, limit=limit)
        return [CallToMake(survey_id=row["reference"], request_id=row["request_id"], kind=row["kind"],
                           queued_at=row["created_at"]) for row in rows]

    async def calls_made(self, survey_id: str, at: datetime) -> None:
        await settle(self._conn, self._metadata, survey_id, SendChannel.PHONE, CALL_LOGGED, at)

    async def recipient(self, request_id: str) -> Sealed | None:
        query = select(self._recipients.c.contact).where(self._recipients.c.request_id == request_id)
        contact = (await self._conn.execute(query)).scalar()
        return Sealed(**orjson.loads(contact)) if contact else None

    async def _one(self, condition: Any) -> SurveyRecord | None:
        row = (await self._conn.execute(select(self._surveys).where(condition))).mappings().first()
        return _record(row) if row is not None else None


def _record(row: Any) -> SurveyRecord:
    return SurveyRecord(**{**row, "channel": SendChannel(row["channel"])})

