"""processed ids keep when their event was recorded (pruned behind the consumer's horizon)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 21:05:00.000000
"""

from collections.abc import Sequence

from shared.storage.core_migration import add_processed_recorded_at, drop_processed_recorded_at

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_processed_recorded_at()


def downgrade() -> None:
    drop_processed_recorded_at()
