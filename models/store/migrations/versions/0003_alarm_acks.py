"""Alarm acknowledgements: who saw which quarantined file, and when.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 15:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A ledger made before migrations by a scanpipe that had this table already (its tables
    # were made from the models) is stamped with the baseline: it keeps the table it has.
    if sa.inspect(op.get_bind()).has_table('alarm_ack'):
        return
    op.create_table('alarm_ack',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station', sa.String(length=80), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('quarantined_at', sa.String(length=40), nullable=False),
    sa.Column('acked_by', sa.String(length=60), nullable=False),
    sa.Column('acked_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('station', 'name', 'quarantined_at', name='uq_alarm_ack')
    )


def downgrade() -> None:
    op.drop_table('alarm_ack')
