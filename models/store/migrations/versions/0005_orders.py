"""Kit orders: who ordered how many kits, where to send them, in which language.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 18:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A ledger made before migrations by a scanpipe that had this table already (its tables
    # were made from the models) is stamped with the baseline: it keeps the table it has.
    if sa.inspect(op.get_bind()).has_table('kit_order'):
        return
    op.create_table('kit_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.String(length=24), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('contact', sa.Text(), nullable=False),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('kits', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('import_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'reference', name='uq_kit_order_reference')
    )
    with op.batch_alter_table('kit_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kit_order_campaign_id'), ['campaign_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kit_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kit_order_campaign_id'))
    op.drop_table('kit_order')
