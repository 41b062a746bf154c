"""the visits of mediation desks

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 17:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('desk_visits',
    sa.Column('visit_id', sa.String(length=60), nullable=False),
    sa.Column('platform_id', sa.String(length=40), nullable=False),
    sa.Column('visited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('topic_group', sa.String(length=40), nullable=False),
    sa.Column('partner', sa.String(length=40), nullable=True),
    sa.Column('actions', sa.String(length=200), nullable=False),
    sa.Column('oriented_to', sa.String(length=200), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('commune', sa.String(length=10), nullable=True),
    sa.Column('follow_up', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('visit_id', name=op.f('pk_desk_visits'))
    )
    op.create_index('ix_desk_visits_platform_id_day', 'desk_visits', ['platform_id', 'day'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_desk_visits_platform_id_day', table_name='desk_visits')
    op.drop_table('desk_visits')
