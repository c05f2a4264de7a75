"""Server-side sessions of the station app: one row per browser sign-in (the token hashed).

The cookie carries only a random token; its SHA-256 finds the row, which says whose session it
is and whether it still holds (revoked at sign-out or by a PIN, role or access change; expired;
idle). A cookie forged with a leaked cookie key opens nothing without a live row.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 15:37:04.487153
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A ledger made before migrations by a scanpipe that had this table already (its tables
    # were made from the models) is stamped with the baseline: it keeps the table it has.
    if sa.inspect(op.get_bind()).has_table('web_session'):
        return
    op.create_table('web_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('station', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_session_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_session_person_id'))
    op.drop_table('web_session')
