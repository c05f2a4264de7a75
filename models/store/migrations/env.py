"""Alembic's environment for the ledger's migrations.

scanpipe runs it itself: `models.store.schema.migrate` passes its own connection (in
`config.attributes["connection"]`), inside the transaction that holds its lock, so no
alembic.ini is needed at run time. Developers run the `alembic` command from the
repository root (see alembic.ini) and name the database with `-x url=…`.
"""

from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, TypeDecorator, create_engine, make_url, pool
from sqlmodel import SQLModel

import models.store.tables  # noqa: F401 - puts the tables on SQLModel.metadata
from models.store import normalise_url

config = context.config


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write sqlmodel's column types (AutoString, UTCDateTime) as the SQLAlchemy types they
    decorate, so a revision needs no sqlmodel and means the same whatever its version."""
    if (type_ == "type" and isinstance(obj, TypeDecorator)
            and type(obj).__module__.startswith("sqlmodel.")):
        return f"sa.{obj.impl!r}"
    return False


def options(dialect_name: str) -> dict[str, Any]:
    # SQLite can alter little in place: batch mode copies a table to change it.
    return {"target_metadata": SQLModel.metadata, "render_item": render_item,
            "render_as_batch": dialect_name == "sqlite"}


def run(connection: Connection) -> None:
    context.configure(connection=connection, **options(connection.dialect.name))
    with context.begin_transaction():  # a no-op inside scanpipe's own transaction
        context.run_migrations()


def developer_url() -> str:
    url = (context.get_x_argument(as_dictionary=True).get("url")
           or config.get_main_option("sqlalchemy.url"))
    if not url:
        raise SystemExit("name the database: alembic -x url=sqlite:///scratch.sqlite3 …")
    return normalise_url(url)


if config.attributes.get("connection") is not None:
    run(config.attributes["connection"])
else:
    if config.config_file_name:
        fileConfig(config.config_file_name)
    url = developer_url()
    if context.is_offline_mode():  # `alembic upgrade head --sql`: print the SQL, run nothing
        context.configure(url=url, literal_binds=True,
                          **options(make_url(url).get_backend_name()))
        with context.begin_transaction():
            context.run_migrations()
    else:
        engine = create_engine(url, poolclass=pool.NullPool)
        with engine.connect() as connection:
            run(connection)
            connection.commit()
