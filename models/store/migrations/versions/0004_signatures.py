"""Signatures from elsewhere and case outcomes: online petition counts per import, case and
source (`online_signatures`), and what became of each case (`case_outcome`).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 18:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A ledger made before migrations by a scanpipe that had these tables already (its tables
    # were made from the models) is stamped with the baseline: it keeps the tables it has.
    if sa.inspect(op.get_bind()).has_table('online_signatures'):
        return
    op.create_table('online_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.String(length=24), nullable=False),
    sa.Column('import_seq', sa.Integer(), nullable=False),
    sa.Column('case_code', sa.String(length=24), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=False),
    sa.Column('last_date', sa.Date(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('online_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_online_signatures_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_online_signatures_import_seq'), ['import_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_online_signatures_file_sha256'), ['file_sha256'], unique=False)
    op.create_table('case_outcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.String(length=24), nullable=False),
    sa.Column('case_code', sa.String(length=24), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('outcome_date', sa.Date(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('corrects', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.String(length=40), nullable=False),
    sa.Column('recorded_by', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_outcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_outcome_campaign_id'), ['campaign_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_outcome', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_outcome_campaign_id'))
    op.drop_table('case_outcome')
    with op.batch_alter_table('online_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_online_signatures_file_sha256'))
        batch_op.drop_index(batch_op.f('ix_online_signatures_import_seq'))
        batch_op.drop_index(batch_op.f('ix_online_signatures_campaign_id'))
    op.drop_table('online_signatures')
