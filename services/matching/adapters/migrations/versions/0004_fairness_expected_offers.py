"""fairness expected offers: the equal share measured among the providers eligible for each offer

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 17:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('fairness_counts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected_offers', sa.Float(), server_default='0', nullable=False,
                                      comment="Sum over the group's offers this provider was eligible for of 1 / "
                                              "eligible providers."))


def downgrade() -> None:
    with op.batch_alter_table('fairness_counts', schema=None) as batch_op:
        batch_op.drop_column('expected_offers')
