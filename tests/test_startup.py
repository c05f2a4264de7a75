"""The command line starts at once: `--help` (the root's, every group's and every command's) and
the light commands import none of the heavy libraries, and a ledger at the schema's head opens
without Alembic or the audit (what they import is checked, never how long it takes:
bench/startup.py measures that); a folder or database without a ledger is refused, never made;
progress is told by the layers that take long, and drawn only on a terminal."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from typing import Any

import click
import pytest
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from conftest import ROOT, SAMPLE_CAMPAIGN, StepClock, record_piece
from season import build_season
from sqlalchemy import create_engine, inspect, text

from models.audit.export import write_export
from models.events import PIECE_KINDS, BundleState
from models.store import SchemaBehind, Store, open_engines
from models.store.bundles import DispatchMethod
from models.store.people import Role
from models.store.schema import HEAD, migrate, schema_status
from scanpipe.domain.campaign import parse_campaign
from scanpipe.domain.outcomes import YEARS_BEFORE, Outcome
from scanpipe.domain.routing import Kind
from scanpipe.paper.kits import render_kit
from stations import progress
from stations.cli import COMMANDS, choices, cli
from stations.cli import bundles as cli_bundles
from stations.cli import words as cli_words
from stations.cli.audit import LAZY_COMMANDS, audit
from stations.cli.base import exit_code

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "reportlab", "cv2", "numpy", "uharfbuzz", "PIL",
         "fontTools", "rapidfuzz", "pydantic_settings", "scanpipe.paper.typeset", "models.store")
# What a command that reads the ledger but draws and reads no image must not import.
DRAWING = ("reportlab", "cv2", "numpy", "uharfbuzz", "PIL", "fontTools", "rapidfuzz",
           "scanpipe.paper.typeset", "scanpipe.reading.pipeline")

_PROBE = """
import json, sys
from stations.cli import cli
from stations.cli.base import exit_code
try:
    cli(sys.argv[1:], prog_name="scanpipe")
except SystemExit as end:
    code = end.code
exit_code(RuntimeError("no command expects this"))  # looks up no module it would import
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _probe(probe: str, *args: str) -> Any:
    """Run the Python `probe` with ARGS in a new interpreter; what it printed last, as JSON."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT, start_new_session=True)
    assert done.stderr.strip(), done
    return json.loads(done.stderr.strip().splitlines()[-1])


def _imported_by(*args: str) -> tuple[int, set[str]]:
    """Run `scanpipe ARGS` in a new interpreter; its exit code and every module it imported."""
    found = _probe(_PROBE, *args)
    return found["code"], set(found["modules"])


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["campaign", "--help"]], ids=" ".join)
def test_help_and_version_import_nothing_heavy(args):
    code, modules = _imported_by(*args)
    assert code == 0
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


# `scanpipe NAME --help`, then the --help of each of its commands (and theirs), in one interpreter:
# what is imported is looked at after each, so the first that loads a heavy module is the one named.
_HELP_PROBE = """
import json, sys
import click
from stations.cli import cli

heavy = json.loads(sys.argv[1])
helped = []

def walk(path):
    code = cli.main([*path, "--help"], prog_name="scanpipe", standalone_mode=False)
    found = sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))
    helped.append({"command": " ".join(path), "code": code, "heavy": found})
    command = cli
    for name in path:  # loaded already, by its --help
        command = command.get_command(click.Context(command), name)
    if isinstance(command, click.Group):
        for name in command.list_commands(click.Context(command)):
            walk([*path, name])

walk(sys.argv[2:])
print(json.dumps(helped), file=sys.stderr)
"""


def _commands_under(command: click.Command, path: tuple[str, ...]) -> list[str]:
    """Every command from `command` down, as "group command" (the test's process loads them)."""
    found = [" ".join(path)]
    if isinstance(command, click.Group):
        for name in command.list_commands(click.Context(command)):
            found += _commands_under(command.get_command(click.Context(command), name), (*path, name))
    return found


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_help_of_a_command_and_of_its_commands_imports_nothing_heavy(name):
    helped = _probe(_HELP_PROBE, json.dumps(HEAVY), name)
    assert [h["command"] for h in helped] == _commands_under(COMMANDS[name].load(), (name,))
    assert all(h["code"] == 0 for h in helped), helped
    heavy = [(h["command"], h["heavy"]) for h in helped if h["heavy"]]
    assert not heavy, heavy[0]  # the first --help that imported a heavy module, and which


def test_the_options_offer_the_values_of_the_layers_below():
    """The choices of the options, copied so that --help loads neither the store nor the
    pipeline, are the enums' values; the words and totals name every kind they should."""
    assert tuple(s.value for s in BundleState) == choices.BUNDLE_STATES
    assert tuple(m.value for m in DispatchMethod) == choices.DISPATCH_METHODS
    assert tuple(r.value for r in Role) == choices.ROLES
    assert tuple(o.value for o in Outcome) == choices.OUTCOMES
    assert choices.OUTCOME_YEARS_BEFORE == YEARS_BEFORE
    assert cli_words.kinds() == {k.value for k in Kind}
    assert tuple(kind for _, kind in cli_bundles.TOTALS) == PIECE_KINDS


def test_audit_verify_export_is_scanpipe_verify_loaded_when_it_runs():
    for name, lazy in LAZY_COMMANDS.items():
        command = lazy.load()
        assert command.name == name and command.get_short_help_str(limit=10_000) == lazy.short_help
        assert audit.get_command(click.Context(audit), name) is command
    result = CliRunner().invoke(cli, ["audit", "--help"])
    assert result.exit_code == 0 and "verify-export  Verify an audit export FOLDER" in result.output


def test_campaign_check_reads_the_file_without_the_store_or_the_pipeline():
    code, modules = _imported_by("campaign", "check", str(SAMPLE_CAMPAIGN))
    assert code == 0 and "scanpipe.domain.campaign" in modules  # the probe sees what it ran
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


@pytest.mark.parametrize("command", ["summary", "progress", "bundle list", "db status"])
def test_the_ledgers_readers_import_no_drawing_no_image_library_and_no_alembic(command, tmp_path):
    data = tmp_path / "data"
    assert CliRunner().invoke(cli, ["--data-dir", str(data), "campaign", "load",
                                    str(SAMPLE_CAMPAIGN)]).exit_code == 0
    code, modules = _imported_by("--data-dir", str(data), *command.split())
    assert code == 0 and "models.store" in modules
    assert not modules & {*DRAWING, "alembic"}, sorted(modules & {*DRAWING, "alembic"})


# ------------------------------------------------ a ledger at the schema's head

_STORE_PROBE = """
import json, sys
from pathlib import Path
from models.store import Store

store = Store.open_read_only(sys.argv[1], Path(sys.argv[2]))
store.routing_summary(), store.delivery_progress(), store.bundles()
store.close()
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_a_store_opened_to_read_loads_neither_alembic_nor_the_audit(tmp_path, campaign_text):
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    store = Store.open(url, tmp_path / "images", StepClock())
    try:
        store.load_campaign(campaign_text, actor="c", station="s")
        record_piece(store, 1)
    finally:
        store.close()
    modules = set(_probe(_STORE_PROBE, url, str(tmp_path / "images")))
    assert "models.store.auditors" in modules  # the store it opened has its audit verbs
    assert not modules & {"alembic", "cryptography"}
    # models.audit.evidence seals the words read when a piece is recorded: the store's own
    assert {m for m in modules if m.startswith("models.audit.")} <= {"models.audit.evidence"}


def _revisions() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", "models.store:migrations")
    return ScriptDirectory.from_config(config)


def test_the_schemas_head_is_the_newest_revision():
    """`HEAD`, which a ledger is compared with to open it without Alembic, is Alembic's head."""
    assert _revisions().get_current_head() == HEAD


def test_the_revision_is_read_as_alembic_reads_it(ledger_url):
    reader, writer = open_engines(ledger_url)
    try:
        assert schema_status(reader).current is None
        with reader.connect() as connection:
            assert MigrationContext.configure(connection).get_current_heads() == ()
        migrate(writer, reader=reader)
        assert schema_status(reader).current == HEAD
        with reader.connect() as connection:
            assert MigrationContext.configure(connection).get_current_heads() == (HEAD,)
    finally:
        reader.dispose()
        writer.dispose()


def test_a_ledger_behind_the_head_is_still_told_apart_and_upgraded(ledger_url, tmp_path):
    Store.open(ledger_url, tmp_path / "images", StepClock()).close()
    reader, writer = open_engines(ledger_url)
    try:
        previous = _revisions().get_revision(HEAD).down_revision
        with writer.begin() as connection:  # as a scanpipe one revision older left it
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": previous})
        status = schema_status(reader)
        assert status.current == previous and [r.id for r in status.pending] == [HEAD]
        with pytest.raises(SchemaBehind, match="needs 'scanpipe db upgrade'"):
            Store.open_read_only(ledger_url, tmp_path / "images")
        result = CliRunner().invoke(cli, ["--database-url", ledger_url, "--data-dir",
                                          str(tmp_path / "data"), "db", "status"])
        assert result.exit_code == 0 and "Pending:  1" in result.output, result.output
    finally:
        reader.dispose()
        writer.dispose()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_lazy_command_resolves_to_the_command_its_listing_describes(name):
    lazy = COMMANDS[name]
    command = lazy.load()
    assert isinstance(command, click.Command)
    assert command.get_short_help_str(limit=10_000) == lazy.short_help
    assert cli.get_command(click.Context(cli), name) is command


def test_the_root_lists_every_command_without_importing_them():
    result = CliRunner().invoke(cli, ["--help"])
    listed = result.output.split("Commands:")[1].split()
    assert result.exit_code == 0 and set(COMMANDS) <= set(listed)


def test_exit_codes_of_the_layers_below_are_found_once_their_module_is_imported():
    from models.store import StoreError
    from models.store.outcomes import RecordRefused, RecordStateRefused
    from scanpipe.paper.typeset import FontMissing

    assert exit_code(StoreError("x")) == 4
    assert exit_code(RecordStateRefused("x")) == 4 and exit_code(RecordRefused("x")) == 3
    assert exit_code(FontMissing("x")) == 5
    assert exit_code(RuntimeError("a bug")) is None


# ------------------------------------------------------------ a folder without a ledger

@pytest.mark.parametrize("args", [["summary"], ["progress"], ["audit", "verify"],
                                  ["people", "add", "Ana", "--pin", "2468"],
                                  ["bundle", "close", "--all"], ["figures"]], ids=" ".join)
def test_a_folder_without_a_ledger_is_refused_and_left_as_it_was(args, tmp_path):
    mistyped = tmp_path / "sacnpipe-data"
    result = CliRunner().invoke(cli, ["--data-dir", str(mistyped), *args])
    assert result.exit_code == 4, result.output
    assert str(mistyped) in result.output and "scanpipe campaign load" in result.output
    assert not mistyped.exists()  # nothing made: no folder, no ledger, no private folder


def test_an_existing_folder_without_a_ledger_is_refused_too(tmp_path):
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "audit", "verify"])
    assert result.exit_code == 4 and "no file ledger.sqlite3" in result.output
    assert "Verified" not in result.output and not (tmp_path / "ledger.sqlite3").exists()


def test_campaign_load_makes_the_ledger_the_others_then_use(tmp_path):
    data = tmp_path / "data"
    runner = CliRunner()
    assert runner.invoke(cli, ["--data-dir", str(data), "campaign", "load", "--dry-run",
                               str(SAMPLE_CAMPAIGN)]).exit_code == 4  # a dry run makes nothing
    assert not (data / "ledger.sqlite3").exists()
    assert runner.invoke(cli, ["--data-dir", str(data), "campaign", "load",
                               str(SAMPLE_CAMPAIGN)]).exit_code == 0
    result = runner.invoke(cli, ["--data-dir", str(data), "audit", "verify"])
    assert result.exit_code == 0, result.output


def test_a_proof_print_of_kits_needs_no_ledger_and_makes_none(tmp_path):
    data = tmp_path / "data"
    proof = CliRunner().invoke(cli, ["--data-dir", str(data), "kits", "--campaign",
                                     str(SAMPLE_CAMPAIGN), "--out", str(tmp_path / "out"),
                                     "--kits", "2", "--no-record"])
    assert proof.exit_code == 0, proof.output
    assert not data.exists()
    recorded = CliRunner().invoke(cli, ["--data-dir", str(data), "kits", "--campaign",
                                        str(SAMPLE_CAMPAIGN), "--out", str(tmp_path / "out2")])
    assert recorded.exit_code == 4 and "campaign load" in recorded.output  # serials need the ledger


@pytest.mark.postgres
def test_a_database_without_scanpipe_tables_is_refused_and_given_none(postgres_url, tmp_path):
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data"), "--database-url", postgres_url]
    for args in (["summary"], ["audit", "verify"], ["people", "add", "Ana", "--pin", "2468"]):
        result = runner.invoke(cli, [*base, *args])
        assert result.exit_code == 4, result.output
        assert "no scanpipe ledger in postgresql" in result.output and "campaign load" in result.output
    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            assert inspect(connection).get_table_names() == []  # no schema made on the way
    finally:
        engine.dispose()
    assert runner.invoke(cli, [*base, "campaign", "load", str(SAMPLE_CAMPAIGN)]).exit_code == 0
    assert runner.invoke(cli, [*base, "summary"]).exit_code == 0


# ------------------------------------------------------------------------ progress

class Recorder:
    def __init__(self):
        self.calls: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int) -> None:
        self.calls.append((done, total))

    def ends_complete(self) -> bool:
        dones = [done for done, _ in self.calls]
        return bool(self.calls) and dones == sorted(dones) and self.calls[-1][0] == self.calls[-1][1]


def test_kits_tell_each_case_and_each_label(campaign):
    told = Recorder()
    render_kit(campaign, kits=3, progress=told)
    cases = len(campaign.cases)
    assert told.calls == [(n, cases + 3) for n in range(1, cases + 4)]


def test_an_export_tells_its_events_then_its_files(loaded_store, tmp_path):
    for n in range(3):
        record_piece(loaded_store, n)
    told = Recorder()
    summary = write_export(loaded_store, tmp_path / "export", public=None, progress=told)
    assert told.ends_complete() and told.calls[-1][1] > summary.events
    assert (summary.events, summary.events) in told.calls  # every event written, then the files


def test_a_reroute_tells_each_piece_moved(tmp_path, campaign_text):
    store = Store.open(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", tmp_path / "images", StepClock())
    try:
        store.load_campaign(campaign_text, actor="c", station="s")
        for n in range(3):
            record_piece(store, n, case="CAAL", destination="embassy:GT")
        moved = parse_campaign(campaign_text.replace('embassy = "GT"', 'embassy = "ER"', 1))
        assert moved.case("CAAL").embassy == "ER"  # the file's first embassy line is CAAL's
        told = Recorder()
        moves = store.reroute(moved, actor="c", station="s", progress=told)
        assert sum(len(m.items) for m in moves) == 3 and told.calls == [(1, 3), (2, 3), (3, 3)]
    finally:
        store.close()


def test_a_purge_tells_its_rows_then_its_files(store, campaign_text):
    build_season(store, campaign_text, envelopes=6, seed=3)
    told = Recorder()
    result = store.purge(delivered_before=date(2022, 2, 1), actor="admin", station="office",
                         progress=told)
    assert result.images and told.ends_complete()
    assert told.calls[-1][1] == len(result.images) + len(result.items) + result.files_removed


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_shows_count_and_time_left_on_a_terminal_and_nothing_elsewhere(monkeypatch):
    monkeypatch.setattr(progress, "DELAY", 0.0)
    screen = FakeTerminal()
    with progress.progress_bar("Kits", stream=screen, unit="labels") as tick:
        tick(250, 1000)
    drawn = screen.getvalue()
    assert "Kits [######" in drawn and "250/1,000 labels" in drawn and "25%" in drawn
    assert " left" in drawn and drawn.endswith("\r\x1b[K")  # cleared at the end
    pipe = io.StringIO()
    with progress.progress_bar("Kits", stream=pipe) as tick:
        tick(250, 1000)
    assert pipe.getvalue() == ""


def test_a_line_printed_during_the_bar_gets_a_line_of_its_own(monkeypatch, capsys):
    monkeypatch.setattr(progress, "DELAY", 0.0)
    screen = FakeTerminal()
    with progress.progress_bar("Intake", stream=screen) as tick:
        tick(1, 2)
        tick.echo("file 1: routed")
        tick(2, 2)
    assert screen.getvalue().count("\r\x1b[K") == 2  # cleared before the line, and at the end
    assert capsys.readouterr().out == "file 1: routed\n"


def test_a_command_draws_its_bar_on_a_terminal(monkeypatch, tmp_path, campaign_text):
    """The wiring: `campaign reroute` hands the bar to the store (stderr made a terminal)."""
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "_on_terminal", lambda stream: True)
    data = tmp_path / "data"
    data.mkdir()
    store = Store.open(f"sqlite:///{data / 'ledger.sqlite3'}", data / "images", StepClock())
    try:
        store.load_campaign(campaign_text, actor="c", station="s")
        for n in range(2):
            record_piece(store, n, case="CAAL", destination="embassy:GT")
    finally:
        store.close()
    moved = tmp_path / "moved.toml"
    moved.write_text(campaign_text.replace('embassy = "GT"', 'embassy = "ER"', 1), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["--data-dir", str(data), "campaign", "load", str(moved)]).exit_code == 0
    result = runner.invoke(cli, ["--data-dir", str(data), "campaign", "reroute"])
    assert result.exit_code == 0, result.output
    assert "Reroute [" in result.stderr and "2/2 pieces" in result.stderr
