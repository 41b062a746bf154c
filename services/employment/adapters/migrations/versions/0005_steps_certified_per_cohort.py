"""steps of the framework certified per cohort

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('training_cohorts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('steps_certified', sa.Integer(), nullable=False, server_default='0',
                                      comment='Steps (trainee x module) validated so far.'))


def downgrade() -> None:
    with op.batch_alter_table('training_cohorts', schema=None) as batch_op:
        batch_op.drop_column('steps_certified')
