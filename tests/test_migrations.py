"""The ledger's schema under Alembic, on SQLite and PostgreSQL: the revisions give the models'
schema, a ledger older than migrations is stamped without losing a row, a ledger from a newer
scanpipe is refused, stations starting at once upgrade once, and `scanpipe db`."""

from __future__ import annotations

import re
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from conftest import StepClock, record_piece
from sqlalchemy import func, inspect, make_url, select, text
from sqlmodel import SQLModel

from models.images import ImageStore
from models.store import Store, StoreError, open_engines
from models.store.schema import BASELINE, migrate, schema_status
from scanpipe.domain.routing import Status
from stations.cli import cli
from stations.cli.base import masked_url

GT = "embassy:GT"
# Tables no ledger older than migrations has.
AFTER_BASELINE = {"checkpoint", "web_session", "alarm_ack", "online_signatures", "case_outcome", "kit_order"}


def _differences(engine) -> list:
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)


def _revisions(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _rows(engine) -> dict[str, int]:
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
        return {table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in SQLModel.metadata.sorted_tables if table.name in names}


def _legacy_ledger(url: str, tmp_path, campaign_text: str) -> dict[str, int]:
    """A ledger made the way scanpipe made them before migrations: create_all of the models, here
    without the checkpoint table and without stored_image.purged_at, with pieces, a bundle and
    their events. Returns its rows per table."""
    reader, writer = open_engines(url)
    SQLModel.metadata.create_all(writer, tables=[table for table in SQLModel.metadata.sorted_tables
                                                 if table.name not in AFTER_BASELINE])
    store = Store(reader, ImageStore(tmp_path / "images"), StepClock(), writer)  # no schema step
    store.load_campaign(campaign_text, actor="coordinator", station="office")
    for n in range(5):
        record_piece(store, n)
    record_piece(store, 5, status=Status.REVIEW)
    store.close_bundle(GT, actor="cora", station="office")
    with writer.begin() as connection:
        connection.execute(text("ALTER TABLE stored_image DROP COLUMN purged_at"))
    rows = _rows(writer)
    store.close()
    return rows


def test_the_revisions_give_exactly_the_models_schema(ledger_url, tmp_path):
    """The guard that a change to models/store/tables.py comes with a revision."""
    store = Store.open(ledger_url, tmp_path / "images", StepClock())
    assert _differences(store.engine) == []
    assert _revisions(store.engine) == [schema_status(store.engine).head]
    store.close()


def test_a_ledger_at_the_head_is_left_alone(ledger_url, tmp_path):
    reader, writer = open_engines(ledger_url)
    first = migrate(writer, reader=reader)
    again = migrate(writer, reader=reader)
    assert first.changed and first.before is None and first.applied[0].id == BASELINE
    assert first.after == schema_status(reader).head
    assert not again.changed and again.before == again.after == first.after
    reader.dispose()
    writer.dispose()


def test_a_ledger_made_before_migrations_is_stamped_and_keeps_every_row(ledger_url, tmp_path,
                                                                         campaign_text):
    rows = _legacy_ledger(ledger_url, tmp_path, campaign_text)
    reader, writer = open_engines(ledger_url)
    assert schema_status(reader).legacy
    outcome = migrate(writer, reader=reader)
    assert outcome.stamped and outcome.before is None
    assert set(outcome.added) == {"table checkpoint", "column stored_image.purged_at"}
    assert _revisions(reader) == [outcome.after] and _differences(reader) == []
    assert {name: n for name, n in _rows(reader).items() if name not in AFTER_BASELINE} == rows
    assert rows["event"] > 10 and rows["item"] == 6
    reader.dispose()
    writer.dispose()
    store = Store.open(ledger_url, tmp_path / "images", StepClock())
    assert store.audit(check_images=False).ok
    assert [i.bundle_id is not None for i in store.items()] == [True] * 5 + [False]
    store.close()


def test_a_ledger_upgraded_by_a_newer_scanpipe_is_refused(ledger_url, tmp_path):
    Store.open(ledger_url, tmp_path / "images", StepClock()).close()
    reader, writer = open_engines(ledger_url)
    with writer.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    with pytest.raises(StoreError, match=re.escape("newer scanpipe upgraded it. Update scanpipe on this")):
        Store.open(ledger_url, tmp_path / "images", StepClock())
    assert _revisions(reader) == ["ffff_from_the_future"]
    reader.dispose()
    writer.dispose()


def test_stations_opening_a_new_ledger_at_once_make_one_schema(ledger_url, tmp_path):
    stations = 4
    start = threading.Barrier(stations)
    outcomes, errors = [], []

    def open_station(n: int) -> None:
        reader, writer = open_engines(ledger_url)
        store = Store(reader, ImageStore(tmp_path / "images"), StepClock(), writer)
        start.wait()
        try:
            outcomes.append(store.create_schema())  # what Store.open does
        except Exception as exc:  # every failure is the finding
            errors.append(exc)
        store.close()

    threads = [threading.Thread(target=open_station, args=(n,), daemon=True)
               for n in range(stations)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "stations still waiting"
    assert errors == [] and len(outcomes) == stations
    assert sorted(bool(o.applied) for o in outcomes) == [False] * (stations - 1) + [True]
    reader = open_engines(ledger_url)[0]
    assert _revisions(reader) == [schema_status(reader).head] and _differences(reader) == []
    reader.dispose()


# ------------------------------------------------------------------ scanpipe db

@pytest.fixture
def run(tmp_path):
    def invoke(url: str, *args: str):
        return CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"),
                                        "--database-url", url, *args])
    return invoke


def test_db_status_and_upgrade(run, ledger_url):
    url = ledger_url
    if make_url(url).get_backend_name() == "postgresql":  # a password to hide (trust ignores it)
        url = make_url(url).set(password="s3cret").render_as_string(hide_password=False)
    before = run(url, "db", "status")
    assert before.exit_code == 0, before.output
    assert f"Database: {masked_url(url)}" in before.output and "s3cret" not in before.output
    assert "Revision: none" in before.output and f"  {BASELINE}  Baseline" in before.output
    upgraded = run(url, "db", "upgrade")
    assert upgraded.exit_code == 0 and f"Applied {BASELINE}" in upgraded.output
    after = run(url, "db", "status")
    head = re.search(r"Head: +(\S+)", after.output).group(1)
    assert f"Revision: {head}\n" in after.output and "Pending:  none" in after.output
    assert "nothing to do" in run(url, "db", "upgrade").output


def test_db_upgrade_of_a_ledger_made_before_migrations(run, ledger_url, tmp_path, campaign_text):
    _legacy_ledger(ledger_url, tmp_path, campaign_text)
    assert "made before migrations" in run(ledger_url, "db", "status").output
    result = run(ledger_url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "table checkpoint" in result.output and "column stored_image.purged_at" in result.output
    status = run(ledger_url, "db", "status").output
    head = re.search(r"Head: +(\S+)", status).group(1)
    assert f"Revision: {head}\n" in status


def test_a_newer_ledger_exits_4_telling_to_update_scanpipe(run, ledger_url, tmp_path):
    run(ledger_url, "db", "upgrade")
    writer = open_engines(ledger_url)[1]
    with writer.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    writer.dispose()
    status = run(ledger_url, "db", "status")
    assert status.exit_code == 0 and "newer than this scanpipe knows" in status.output
    for args in (("db", "upgrade"), ("summary",)):
        result = run(ledger_url, *args)
        assert result.exit_code == 4 and "Update scanpipe on this machine" in result.output
        assert "database server is running" not in result.output


def test_a_password_is_never_printed():
    assert masked_url("postgresql://ana:s3cret@db.example/ledger") == \
        "postgresql://ana:***@db.example/ledger"
