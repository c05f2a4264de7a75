"""The ledger's schema: created and upgraded by the Alembic revisions in `models/store/migrations`.

`migrate` is called every time a store opens, so it first only looks: a ledger already at this
scanpipe's head (`HEAD`) costs one query, in plain SQL, without even importing Alembic (so a
command that reads the ledger starts without it). Otherwise it works under a lock (a PostgreSQL
advisory lock, SQLite's write lock), so stations starting at once upgrade the schema once; a
ledger made before migrations existed is brought to the baseline revision and stamped with it;
a ledger a newer scanpipe upgraded is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import SchemaItem

if TYPE_CHECKING:  # Alembic is imported only where a schema is compared with the revisions
    from alembic.config import Config
    from alembic.script import ScriptDirectory

# This scanpipe's newest revision, the last of migrations/versions (tests/test_startup.py keeps
# them equal): a ledger at it is opened without reading the revisions.
HEAD = "0006"
BASELINE = "0001"  # the revision a ledger made before migrations is stamped with
_VERSION_TABLE = "alembic_version"  # where Alembic keeps a database's revision
_PG_SCHEMA_LOCK = 0x5CA4_5C4E  # advisory lock id of schema changes (the ledger's is 0x5CA491BE)


class SchemaError(Exception):
    """The ledger's schema cannot be brought to this scanpipe's; the message says what to do."""


@dataclass(frozen=True)
class Revision:
    """One revision of the schema: its id and the first paragraph of its docstring."""

    id: str
    message: str


@dataclass(frozen=True)
class MigrationOutcome:
    """What `migrate` found and did."""

    before: str | None  # the ledger's revision before (None: empty, or older than migrations)
    after: str          # its revision now: this scanpipe's head
    applied: tuple[Revision, ...] = ()  # revisions run, oldest first
    added: tuple[str, ...] = ()  # a ledger older than migrations: what it lacked and was given
    stamped: bool = False        # a ledger older than migrations, stamped with the baseline

    @property
    def changed(self) -> bool:
        return bool(self.applied or self.stamped)


@dataclass(frozen=True)
class SchemaStatus:
    """Where a ledger's schema stands, for `scanpipe db status`; changes nothing."""

    current: str | None
    head: str
    pending: tuple[Revision, ...]  # what `migrate` would run, oldest first
    legacy: bool                   # tables made before migrations, not stamped yet
    newer: bool                    # upgraded by a newer scanpipe: this one refuses it


def migrate(engine: Engine, *, reader: Engine | None = None) -> MigrationOutcome:
    """Bring the ledger's schema to this scanpipe's head; returns what was done.

    `engine` is the store's writer: on SQLite its transactions must begin with
    BEGIN IMMEDIATE (as `models.store.open_engines` makes them), which is the lock there.
    `reader` (default `engine`) is where to look first, without taking any lock.
    """
    with (reader or engine).connect() as connection:
        current = _current(connection)
    if current == HEAD:
        return MigrationOutcome(before=HEAD, after=HEAD)
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    head = _head()
    _refuse_newer(current)
    with _locked(engine) as connection:
        current = _current(connection)  # another station may have done it meanwhile
        if current == head:
            return MigrationOutcome(before=head, after=head)
        _refuse_newer(current)
        added: tuple[str, ...] = ()
        stamped = current is None and _has_ledger_tables(connection)
        if stamped:
            added = _bring_to_baseline(connection)
            MigrationContext.configure(connection).stamp(_script(), BASELINE)
        applied = _pending(BASELINE if stamped else current)
        if applied:
            config = _config()
            config.attributes["connection"] = connection
            command.upgrade(config, head)
    return MigrationOutcome(before=current, after=head, applied=applied, added=added,
                            stamped=stamped)


def schema_status(engine: Engine) -> SchemaStatus:
    """The ledger's revision against this scanpipe's head, and what an upgrade would do; at the
    head (as a ledger almost always is), found with one query and without Alembic."""
    with engine.connect() as connection:
        current = _current(connection)
        if current == HEAD:
            return SchemaStatus(current=HEAD, head=HEAD, pending=(), legacy=False, newer=False)
        legacy = current is None and _has_ledger_tables(connection)
    head = _head()
    newer = current is not None and current not in _known()
    pending = () if newer else _pending(BASELINE if legacy else current)
    return SchemaStatus(current=current, head=head, pending=pending, legacy=legacy, newer=newer)


# ----------------------------------------------------------------- revisions

def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "models.store:migrations")
    return config


@cache
def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


@cache
def _head() -> str:
    head = _script().get_current_head()
    assert head is not None  # scanpipe ships its revisions
    return head


@cache
def _known() -> frozenset[str]:
    return frozenset(script.revision for script in _script().walk_revisions())


def _pending(current: str | None) -> tuple[Revision, ...]:
    """The revisions after `current` up to the head, oldest first."""
    script = _script()
    found = script.iterate_revisions(_head(), current or "base")
    return tuple(Revision(s.revision, s.doc) for s in reversed(list(found))
                 if s.revision != current)


def _current(connection: Connection) -> str | None:
    """The ledger's revision, read from Alembic's table as Alembic reads it (None: no revision)."""
    if not sa.inspect(connection).has_table(_VERSION_TABLE):
        return None
    heads = connection.execute(sa.text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalars().all()
    if len(heads) > 1:
        raise SchemaError(f"the ledger's schema is at several revisions at once "
                          f"({', '.join(heads)}): it was changed by hand; restore it from a backup")
    return heads[0] if heads else None


def _refuse_newer(current: str | None) -> None:
    if current is not None and current not in _known():
        raise SchemaError(
            f"the ledger's schema is at revision {current}, which this scanpipe does not know "
            f"(its newest is {_head()}): a newer scanpipe upgraded it. Update scanpipe on this "
            "machine to the version the other stations run; nothing was changed.")


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the schema lock until it commits."""
    with engine.begin() as connection:  # SQLite: the writer's BEGIN IMMEDIATE is the lock
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": _PG_SCHEMA_LOCK})
        yield connection


# ------------------------------------------------- ledgers older than migrations

class _Collector:
    """Takes the baseline revision's `op.create_table` / `op.create_index` calls as
    SQLAlchemy tables and indexes, without running them."""

    def __init__(self) -> None:
        self.metadata = sa.MetaData()

    def f(self, name: str) -> str:
        return name

    def create_table(self, name: str, *items: SchemaItem, **options: Any) -> None:
        sa.Table(name, self.metadata, *items, **options)

    def create_index(self, name: str, table: str, columns: list[str], unique: bool = False) -> None:
        sa.Index(name, *(self.metadata.tables[table].c[c] for c in columns), unique=unique)


@cache
def _baseline() -> sa.MetaData:
    collector = _Collector()
    _script().get_revision(BASELINE).module.create_tables(collector)
    return collector.metadata


def _has_ledger_tables(connection: Connection) -> bool:
    return bool(set(sa.inspect(connection).get_table_names()) & set(_baseline().tables))


def _bring_to_baseline(connection: Connection) -> tuple[str, ...]:
    """Give a ledger made before migrations what the baseline has and it lacks: tables, and
    columns that may be empty (with their indexes). A missing column that may not be empty
    cannot be filled for the rows already there: refused before anything is changed."""
    inspector = sa.inspect(connection)
    present = set(inspector.get_table_names())
    tables = [table for table in _baseline().sorted_tables if table.name in present]
    lacking = {}
    for table in tables:
        have = {column["name"] for column in inspector.get_columns(table.name)}
        lacking[table.name] = [c for c in table.columns if c.name not in have]
        blocking = sorted(c.name for c in lacking[table.name] if not c.nullable)
        if blocking:
            raise SchemaError(
                f"the ledger's table {table.name} lacks {', '.join(blocking)}: it was made by an "
                "older scanpipe, before schema migrations, and these columns have no value to give "
                "the rows it holds. Keep using that scanpipe for it, or start a new ledger "
                "(another --data-dir or database URL).")
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    added: list[str] = []
    operations = Operations(MigrationContext.configure(connection))
    for table in _baseline().sorted_tables:
        if table.name not in present:
            table.create(connection)  # with its indexes
            added.append(f"table {table.name}")
            continue
        for column in lacking[table.name]:
            # The type alone, as scanpipe added such columns before migrations.
            operations.add_column(table.name, sa.Column(column.name, column.type))
            added.append(f"column {table.name}.{column.name}")
        indexes = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                index.create(connection)
                added.append(f"index {index.name}")
    return tuple(added)
