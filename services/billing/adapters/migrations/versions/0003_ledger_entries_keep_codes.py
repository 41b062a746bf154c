"""ledger entries keep codes and figures instead of an English sentence

Each entry's new columns are filled from its billing event, kept in the same store (``events``); the
French line is written when the entry is read. Downgrading keeps the kind and what a person typed as
``description``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 18:05:00
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENTRIES = sa.table('ledger_entries', sa.column('entry_id', sa.String), sa.column('basis', sa.String),
                   sa.column('rate', sa.String), sa.column('base_cents', sa.BigInteger),
                   sa.column('hours_hundredths', sa.BigInteger), sa.column('year', sa.Integer),
                   sa.column('method', sa.String), sa.column('note', sa.String), sa.column('description', sa.String))
EVENTS = sa.table('events', sa.column('event_id', sa.String), sa.column('document', sa.Text))


def upgrade() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis', sa.String(length=30), nullable=True, comment='Fees: percentage or per_hour_new_client.'))
        batch_op.add_column(sa.Column('rate', sa.String(length=12), nullable=True, comment="Fees: the rate as in FeeCharged, e.g. '0.05'."))
        batch_op.add_column(sa.Column('base_cents', sa.BigInteger(), nullable=True, comment='Fees by percentage: labour + travel excl. tax.'))
        batch_op.add_column(sa.Column('hours_hundredths', sa.BigInteger(), nullable=True, comment='Fees per hour: hours charged, x 100.'))
        batch_op.add_column(sa.Column('year', sa.Integer(), nullable=True, comment='Memberships: the year paid for.'))
        batch_op.add_column(sa.Column('method', sa.String(length=20), nullable=True, comment='Payments: bank_transfer, cheque, cash, direct_debit.'))
        batch_op.add_column(sa.Column('note', sa.String(length=500), server_default='', nullable=False, comment="As typed by a person: a payment's reference, a correction's reason."))
    connection = op.get_bind()
    found = connection.execute(sa.select(ENTRIES.c.entry_id, EVENTS.c.document)
                               .join(EVENTS, EVENTS.c.event_id == ENTRIES.c.entry_id))
    for entry_id, document in found.all():
        connection.execute(ENTRIES.update().where(ENTRIES.c.entry_id == entry_id),
                           _details(orjson.loads(document)["payload"]))
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_column('description')


def _details(payload: dict[str, Any]) -> dict[str, Any]:
    """The new columns from a FeeCharged, FeeAdjusted, MembershipFeeCharged or PaymentRecorded payload."""
    def cents(text: str | None) -> int | None:
        return None if text is None else int(Decimal(text) * 100)

    return {'basis': payload.get('basis'), 'rate': payload.get('rate'), 'base_cents': cents(payload.get('base_amount')),
            'hours_hundredths': cents(payload.get('hours_charged')), 'year': payload.get('year'),
            'method': payload.get('method'), 'note': payload.get('reference') or payload.get('reason') or ''}


def downgrade() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.String(length=300), server_default='', nullable=False))
    connection = op.get_bind()
    for entry_id, kind, note in connection.execute(sa.text('SELECT entry_id, kind, note FROM ledger_entries')).all():
        connection.execute(ENTRIES.update().where(ENTRIES.c.entry_id == entry_id),
                           {'description': f'{kind} {note}'.strip()[:300]})
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_column('note')
        batch_op.drop_column('method')
        batch_op.drop_column('year')
        batch_op.drop_column('hours_hundredths')
        batch_op.drop_column('base_cents')
        batch_op.drop_column('rate')
        batch_op.drop_column('basis')
