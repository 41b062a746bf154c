"""The first migration of every service store: the event store (also the outbox) and consumer tracking.

Each service's ``0001_core`` revision calls these, so the core schema is written once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_core_tables() -> None:
    op.create_table('checkpoints',
    sa.Column('consumer', sa.String(length=120), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('partition', sa.Integer(), nullable=False),
    sa.Column('offset', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'topic', 'partition', name=op.f('pk_checkpoints'))
    )
    op.create_table('events',
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=80), nullable=False),
    sa.Column('schema_version', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.String(length=40), nullable=False),
    sa.Column('aggregate_type', sa.String(length=40), nullable=False),
    sa.Column('aggregate_id', sa.String(length=120), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('correlation_id', sa.String(length=36), nullable=False),
    sa.Column('topic', sa.String(length=120), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('position', name=op.f('pk_events')),
    sa.UniqueConstraint('aggregate_type', 'aggregate_id', 'aggregate_version', name='uq_events_aggregate_version'),
    sa.UniqueConstraint('event_id', name=op.f('uq_events_event_id'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_unpublished', ['published_at', 'position'], unique=False)

    op.create_table('processed_events',
    sa.Column('consumer', sa.String(length=120), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'event_id', name=op.f('pk_processed_events'))
    )


def add_processed_recorded_at() -> None:
    """Processed ids keep when their event was recorded, so that those behind the consumer's horizon can go."""
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True,
                                      comment="When the producing service stored the event; processed ids recorded "
                                              "before the consumer's horizon are pruned (shared.messaging.tracking)."))
        batch_op.create_index('ix_processed_events_recorded', ['consumer', 'recorded_at'], unique=False)


def drop_processed_recorded_at() -> None:
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.drop_index('ix_processed_events_recorded')
        batch_op.drop_column('recorded_at')


def drop_core_tables() -> None:
    op.drop_table('processed_events')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_unpublished')

    op.drop_table('events')
    op.drop_table('checkpoints')
