"""Tables of the vault database: resident keys, erasure tombstones and the personal-data read log.

None of them holds personal data: keys, pseudonymous resident ids, who read and why.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, LargeBinary, MetaData, String, Table

from shared.storage.tables import NAMING, Position


def vault_metadata() -> MetaData:
    metadata = MetaData(naming_convention=NAMING)
    Table(
        "resident_keys",
        metadata,
        Column("resident_id", String(120), primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("key", LargeBinary(32), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "erased_residents",
        metadata,
        Column("resident_id", String(120), primary_key=True),
        Column("platform_id", String(40), nullable=True),
        Column("erased_at", DateTime(timezone=True), nullable=False),
    )
    reads = Table(
        "personal_data_reads",
        metadata,
        Column("id", Position, primary_key=True, autoincrement=True),
        Column("read_at", DateTime(timezone=True), nullable=False),
        Column("resident_id", String(120), nullable=False),
        Column("platform_id", String(40), nullable=True),
        Column("reader", String(200), nullable=False),
        Column("reader_role", String(40), nullable=True),
        Column("reader_platform", String(40), nullable=True),
        Column("token_id", String(40), nullable=True),
        Column("purpose", String(200), nullable=False),
        Column("outcome", String(20), nullable=False),
    )
    Index("ix_personal_data_reads_resident", reads.c.resident_id, reads.c.id)
    return metadata
