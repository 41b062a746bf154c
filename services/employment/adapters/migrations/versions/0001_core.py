"""core

Revision ID: 0001
Revises:
Create Date: 2026-12-05 18:00:00
"""

from collections.abc import Sequence

from shared.storage.core_migration import create_core_tables, drop_core_tables

revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_core_tables()


def downgrade() -> None:
    drop_core_tables()
