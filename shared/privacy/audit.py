"""The log of personal-data reads: who read which resident's data, when, why, and what came of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.security.principals import Principal


class ReadOutcome(StrEnum):
    READ = "read"
    ERASED = "erased"
    UNKNOWN = "unknown"
    TAMPERED = "tampered"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True, slots=True)
class AuditRecord:
    read_at: datetime
    resident_id: str
    platform_id: str | None
    reader: str
    reader_role: str | None
    reader_platform: str | None
    token_id: str | None
    purpose: str
    outcome: ReadOutcome


def check_purpose(purpose: str) -> str:
    """The trimmed purpose; ``ValueError`` when blank or longer than 200 characters (it must hold no personal data)."""
    text = purpose.strip()
    if not text or len(text) > 200:
        raise ValueError("a read needs a purpose of 1 to 200 characters, e.g. 'call back about request req-7f3a'")
    return text


async def record_read(
    connection: AsyncConnection,
    table: Table,
    *,
    resident_id: str,
    platform_id: str | None,
    reader: Principal | str,
    purpose: str,
    outcome: ReadOutcome,
) -> None:
    """Append one record; ``reader`` is a principal or a system name such as ``system:matching``."""
    who: dict[str, str | None]
    if isinstance(reader, Principal):
        who = {
            "reader": reader.actor,
            "reader_role": reader.role.value,
            "reader_platform": reader.platform_id,
            "token_id": reader.token_id or None,
        }
    else:
        who = {"reader": reader, "reader_role": None, "reader_platform": None, "token_id": None}
    await connection.execute(
        table.insert().values(
            read_at=datetime.now(UTC),
            resident_id=resident_id,
            platform_id=platform_id,
            purpose=purpose,
            outcome=outcome.value,
            **who,
        )
    )


async def read_log(engine: AsyncEngine, table: Table, resident_id: str | None = None, limit: int = 1000) -> list[AuditRecord]:
    """Records oldest first, of one resident or of all."""
    query = select(table).order_by(table.c.id).limit(limit)
    if resident_id is not None:
        query = query.where(table.c.resident_id == resident_id)
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).mappings().all()
    return [
        AuditRecord(
            read_at=_aware(row["read_at"]),
            resident_id=row["resident_id"],
            platform_id=row["platform_id"],
            reader=row["reader"],
            reader_role=row["reader_role"],
            reader_platform=row["reader_platform"],
            token_id=row["token_id"],
            purpose=row["purpose"],
            outcome=ReadOutcome(row["outcome"]),
        )
        for row in rows
    ]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
