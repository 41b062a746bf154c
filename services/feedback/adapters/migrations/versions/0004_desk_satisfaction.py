"""the answers of mediation desks' visitors, per desk and month

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 18:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('desk_satisfaction',
    sa.Column('platform_id', sa.String(length=40), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False, comment='YYYY-MM of the visits answered about (local days).'),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.Column('question_resolved', sa.Integer(), nullable=False),
    sa.Column('would_come_back', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('platform_id', 'month', name=op.f('pk_desk_satisfaction'))
    )


def downgrade() -> None:
    op.drop_table('desk_satisfaction')
