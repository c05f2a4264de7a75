"""Several campaigns (years) in one ledger: batches, bundles and items name their campaign, and a
case or embassy code is one campaign's (keyed by campaign and code).

The rows already there are the ledger's one campaign's: its first `campaign_version` (a ledger
before this revision refused any other). A ledger with rows and no campaign cannot be: its rows
get an empty campaign id, which `audit verify` then names.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PIECES = ('batch', 'bundle', 'item')
_CODES = ('case_', 'embassy')


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    # A ledger made from the models before migrations may have the column in some tables already.
    lacking = {table for table in (*_PIECES, *_CODES)
               if 'campaign_id' not in {c['name'] for c in inspector.get_columns(table)}}
    first = bind.execute(sa.text(
        "SELECT campaign_id FROM campaign_version ORDER BY id LIMIT 1")).scalar() or ''
    for table in [t for t in _PIECES if t in lacking]:
        # Added in place with a default, not by copying the table (SQLite's batch mode would drop
        # the table that items point at); filled, then (PostgreSQL) without the default again.
        op.add_column(table, sa.Column('campaign_id', sa.String(length=24), nullable=False,
                                       server_default=''))
        bind.execute(sa.text(f"UPDATE {table} SET campaign_id = :first"), {"first": first})
        if bind.dialect.name != 'sqlite':  # SQLite cannot drop a default in place; it is never used
            op.alter_column(table, 'campaign_id', existing_type=sa.String(length=24),
                            server_default=None)
        if table == 'item':  # see models/store/tables.py: with the status, for the review queue
            op.create_index('ix_item_campaign_status', 'item', ['campaign_id', 'status'], unique=False)
        else:
            op.create_index(op.f(f'ix_{table}_campaign_id'), table, ['campaign_id'], unique=False)
    for table in [t for t in _CODES if t in lacking]:
        op.add_column(table, sa.Column('campaign_id', sa.String(length=24), nullable=True))
        bind.execute(sa.text(f"UPDATE {table} SET campaign_id = :first"), {"first": first})
        _key_by_campaign(bind, table)


def _key_by_campaign(bind: sa.engine.Connection, table: str) -> None:
    """Make (campaign_id, code) the table's primary key instead of code alone."""
    if bind.dialect.name == 'sqlite':
        # SQLite cannot change a key in place: batch mode copies the table into one of this shape.
        with op.batch_alter_table(table, recreate='always', copy_from=_keyed(table)):
            pass
        return
    key = sa.inspect(bind).get_pk_constraint(table)['name'] or f'{table}_pkey'
    op.alter_column(table, 'campaign_id', existing_type=sa.String(length=24), nullable=False)
    op.drop_constraint(key, table, type_='primary')
    op.create_primary_key(key, table, ['campaign_id', 'code'])


def _keyed(table: str) -> sa.Table:
    """The table as this revision leaves it (the baseline's columns, keyed by campaign too)."""
    columns = {
        'case_': [sa.Column('person', sa.String(), nullable=False),
                  sa.Column('country', sa.String(), nullable=False),
                  sa.Column('embassy', sa.String(length=24), nullable=False),
                  sa.Column('letter_destination', sa.String(), nullable=False),
                  sa.Column('postcard_destination', sa.String(), nullable=False)],
        'embassy': [sa.Column('country', sa.String(), nullable=False),
                    sa.Column('name', sa.String(), nullable=False),
                    sa.Column('address', sa.String(), nullable=False)],
    }[table]
    return sa.Table(table, sa.MetaData(),
                    sa.Column('campaign_id', sa.String(length=24), primary_key=True),
                    sa.Column('code', sa.String(length=24), primary_key=True),
                    *columns)


def downgrade() -> None:
    raise NotImplementedError("a ledger holding several campaigns cannot go back to one campaign "
                              "a ledger: restore the backup taken before the upgrade")
