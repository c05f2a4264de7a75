"""Security tests of issue 18 (secrets, exports, read-only ledger, terminal text), one per attack:
each fails if the attack succeeds.

The attack that started it: a symbolic link in the inbox read DATA_DIR/station-secret and
keys/office-signing.key into the image store, `audit export --with-images` wrote them out
world-readable, and a cookie signed with the leaked secret opened /people as admin. The hot
folder no longer follows links (its own tests); here: the secrets live where no intake and no
export reads, with private modes, and an export holds scanned images only.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE_CAMPAIGN, StepClock
from PIL import Image
from sqlalchemy.exc import OperationalError

from models.store import Store
from scanpipe.domain.routing import Decision, Kind, Status
from stations.cli import cli
from stations.private import PrivateFolderError, secure_private, station_secret
from stations.untrusted import terminal_text


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _scanpipe(data: Path, *args: object, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["--data-dir", str(data), *map(str, args)], env=env)


@pytest.fixture
def loose_umask():
    """A umask that lets everyone read and write what is made: secrets must not follow it."""
    previous = os.umask(0)
    yield
    os.umask(previous)


# ------------------------------------------------------------ where secrets live

def test_secret_files_and_folder_modes_from_a_fresh_start(tmp_path, loose_umask):
    data = tmp_path / "data"
    secret = station_secret(data)
    created = _scanpipe(data, "audit", "key", "create")
    assert created.exit_code == 0, created.output
    private = data / "private"
    assert _mode(private) == 0o700
    assert _mode(private / "station-secret") == 0o600
    assert (private / "station-secret").read_text().strip() == secret and len(secret) >= 48
    assert _mode(private / "office-signing.key") == 0o600
    assert _mode(data / "keys" / "office-signing.pub") == 0o644  # for the auditors
    assert not (data / "station-secret").exists() and not (data / "keys" / "office-signing.key").exists()
    assert station_secret(data) == secret  # made once


def _old_layout(data: Path) -> dict[str, bytes]:
    """A data folder as an earlier scanpipe left it: secrets beside the inbox, readable by all."""
    (data / "keys").mkdir(parents=True)
    old = {"station-secret": b"s" * 64 + b"\n", "office-signing.key": b"-----BEGIN PRIVATE KEY-----\n"}
    (data / "station-secret").write_bytes(old["station-secret"])
    (data / "keys" / "office-signing.key").write_bytes(old["office-signing.key"])
    (data / "keys" / "office-signing.pub").write_bytes(b"-----BEGIN PUBLIC KEY-----\n")
    for path in (data / "station-secret", data / "keys" / "office-signing.key",
                 data / "keys" / "office-signing.pub"):
        path.chmod(0o644)
    return old


def test_secret_files_and_folder_modes_after_migrating_an_old_layout(tmp_path):
    data = tmp_path / "data"
    old = _old_layout(data)
    (data / "private").mkdir(mode=0o755)
    (data / "private").chmod(0o755)  # a folder made by hand, too open
    done = _scanpipe(data, "campaign", "load", SAMPLE_CAMPAIGN)
    assert done.exit_code == 0, done.output  # any command that writes moves them in first
    private = data / "private"
    assert _mode(private) == 0o700
    for name, content in old.items():
        assert (private / name).read_bytes() == content
        assert _mode(private / name) == 0o600
    assert not (data / "station-secret").exists()
    assert not (data / "keys" / "office-signing.key").exists()
    assert (data / "keys" / "office-signing.pub").exists()  # the public key stays for the auditors
    assert station_secret(data) == "s" * 64  # the station keeps its secret: nobody signed out


def test_an_interrupted_move_is_finished_and_two_different_secrets_are_refused(tmp_path):
    data = tmp_path / "data"
    old = _old_layout(data)
    private = data / "private"
    private.mkdir(mode=0o700)
    (private / "station-secret").write_bytes(old["station-secret"])  # moved, old one not yet removed
    secure_private(data)
    assert not (data / "station-secret").exists()
    assert (private / "station-secret").read_bytes() == old["station-secret"]
    assert (private / "office-signing.key").read_bytes() == old["office-signing.key"]
    (data / "station-secret").write_bytes(b"another secret")
    with pytest.raises(PrivateFolderError, match="both exist and differ"):
        secure_private(data)
    assert (private / "station-secret").read_bytes() == old["station-secret"]  # nothing lost


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_private_folder_or_secret_of_someone_else_is_refused(tmp_path):
    data = tmp_path / "data"
    secure_private(data)
    os.chown(data / "private", 65534, 65534)
    refused = _scanpipe(data, "campaign", "load", SAMPLE_CAMPAIGN)
    assert refused.exit_code == 3 and "belongs to user 65534" in refused.output
    os.chown(data / "private", 0, 0)
    (data / "private" / "station-secret").write_bytes(b"x" * 64)
    os.chown(data / "private" / "station-secret", 65534, 65534)
    with pytest.raises(PrivateFolderError, match="belongs to user 65534"):
        station_secret(data)


def test_a_link_in_place_of_the_private_folder_is_refused(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (data / "private").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(PrivateFolderError, match="not a link"):
        station_secret(data)


@pytest.mark.parametrize("variable, folder", [
    ("SCANPIPE_INBOX", "private"),               # the inbox is the private folder
    ("SCANPIPE_INBOX", "."),                     # the inbox holds the private folder
    ("SCANPIPE_IMAGE_DIR", "private/images"),    # the image store inside it
    ("SCANPIPE_IMAGE_DIR", "link-to-private"),   # … or reached through a link
], ids=["inbox-is-private", "inbox-around-private", "images-inside-private", "images-link"])
def test_an_image_store_or_inbox_configured_over_the_private_folder_is_refused(tmp_path, variable,
                                                                                 folder):
    data = tmp_path / "data"
    secure_private(data)
    (data / "link-to-private").symlink_to(data / "private")
    refused = _scanpipe(data, "people", "add", "Eve", "--pin", "123456",
                        env={variable: str(data / folder)})
    assert refused.exit_code == 3, refused.output
    assert "overlaps the private folder" in refused.output
    assert not (data / "ledger.sqlite3").exists()  # refused before anything was opened


def test_a_station_served_with_its_inbox_on_the_private_folder_is_refused(tmp_path):
    data = tmp_path / "data"
    secure_private(data)
    # No campaign is loaded: were the check missing, the command would stop at that (exit 4),
    # never start a server.
    refused = _scanpipe(data, "station", "serve", "--inbox", data / "private")
    assert refused.exit_code == 3 and "overlaps the private folder" in refused.output


def test_a_signing_key_configured_inside_the_inbox_is_refused(tmp_path):
    data = tmp_path / "data"
    refused = _scanpipe(data, "audit", "key", "create",
                        env={"SCANPIPE_SIGNING_KEY": str(data / "inbox" / "office.key")})
    assert refused.exit_code == 3 and "inside the inbox" in refused.output
    assert not (data / "inbox" / "office.key").exists()


# ------------------------------------------------------------ exports hold scans only

def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("L", (40, 30), 200).save(out, "JPEG")
    return out.getvalue()


def _take_in(store: Store, name: str, data: bytes) -> str:
    sha = store.images.put(data)
    store.record_file(source_name=name, sha256=sha, media_type="jpeg", size=len(data),
                      pages=[(1, Decision(Kind.LETTER, Status.REVIEW))], station="s1", operator="ana")
    return sha


def test_export_with_images_of_a_store_holding_a_non_image_blob_does_not_contain_it(
        tmp_path, campaign_text, loose_umask):
    data = tmp_path / "data"
    data.mkdir()
    store = Store.open(f"sqlite:///{data / 'ledger.sqlite3'}", data / "images", StepClock())
    store.load_campaign(campaign_text, actor="office", station="office")
    passwd = b"root:x:0:0:root:/root:/bin/bash\nleaked-station-secret-" + os.urandom(16).hex().encode()
    leaked = _take_in(store, "passwd.jpg", passwd)  # read through a link, as the issue found
    scan = _take_in(store, "letter.jpg", _jpeg())
    fifo_sha = _take_in(store, "fifo.jpg", _jpeg()[:-2] + b"\x00\xd9")
    linked = _take_in(store, "linked.jpg", _jpeg()[:-2] + b"\x01\xd9")
    store.close()
    # What an attacker with a foothold could plant in the store: a FIFO, a link to a secret.
    fifo = data / "images" / fifo_sha[:2] / fifo_sha[2:4] / fifo_sha
    fifo.unlink()
    os.mkfifo(fifo)
    link = data / "images" / linked[:2] / linked[2:4] / linked
    link.unlink()
    (tmp_path / "secret.jpg").write_bytes(b"\xff\xd8\xff" + b"office-signing-key")
    link.symlink_to(tmp_path / "secret.jpg")

    out = tmp_path / "export"
    done = _scanpipe(data, "audit", "export", out, "--with-images")
    assert done.exit_code == 0, done.output
    files = [p for p in out.rglob("*") if p.is_file()]
    assert (out / "images" / scan[:2] / scan[2:4] / scan).read_bytes() == _jpeg()
    for path in files:  # neither the text taken in nor the linked secret is anywhere in it
        body = path.read_bytes()
        assert b"root:x:0:0" not in body and b"office-signing-key" not in body, path
    assert not any(p.name in (leaked, fifo_sha, linked) for p in files)
    skipped = (out / "images-skipped.csv").read_text()
    assert f"{leaked},not a scanned image or PDF by its first bytes" in skipped
    assert f"{fifo_sha},not a regular file" in skipped
    assert f"{linked},not opened: a symbolic link" in skipped
    # Not world-readable, whatever the umask: files 0600, folders 0700.
    for path in [out, *out.rglob("*")]:
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path
    verified = CliRunner().invoke(cli, ["audit", "verify-export", str(out)])
    assert verified.exit_code == 0, verified.output
    assert "left out of the export" in verified.output


def test_export_mode_option_is_honoured_and_never_writable_by_others(tmp_path, campaign_text):
    data = tmp_path / "data"
    assert _scanpipe(data, "campaign", "load", ROOT / "samples" / "campaign.toml").exit_code == 0
    out = tmp_path / "export"
    assert _scanpipe(data, "audit", "export", out, "--mode", "640").exit_code == 0
    assert _mode(out) == 0o750 and _mode(out / "events.jsonl") == 0o640
    refused = _scanpipe(data, "audit", "export", tmp_path / "other", "--mode", "666")
    assert refused.exit_code == 2 and not (tmp_path / "other").exists()


# ------------------------------------------------------------ terminal text

DISGUISES = ["\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069",
             "\u200e", "\u200f", "\u061c", "\u200b", "\u200d", "\ufeff", "\u2060", "\U000e0041"]


def test_terminal_text_neutralises_u202e_and_friends():
    for char in DISGUISES:
        shown = terminal_text(f"invoice{char}fdp.exe")
        assert char not in shown and shown.startswith(("invoice\\u", "invoice\\U")), shown
    assert terminal_text("gpj.exe\u202e") == "gpj.exe\\u202e"
    assert terminal_text("Chloé Ørsted — 東京") == "Chloé Ørsted — 東京"  # letters stay letters


def test_terminal_text_neutralises_u202e_in_a_cli_listing(tmp_path, campaign_text):
    data = tmp_path / "data"
    data.mkdir()
    store = Store.open(f"sqlite:///{data / 'ledger.sqlite3'}", data / "images", StepClock())
    store.load_campaign(campaign_text, actor="office", station="office")
    sha = store.images.put(_jpeg())
    [outcome] = store.record_file(source_name="letter\u202egpj.exe", sha256=sha, media_type="jpeg",
                                  size=1, pages=[(1, Decision(Kind.UNKNOWN, Status.REJECTED))],
                                  station="st\u2066ation", operator="op\u200berator")
    store.close()
    trail = _scanpipe(data, "audit", "trail", outcome.item_id)
    summary = _scanpipe(data, "summary")
    as_json = _scanpipe(data, "audit", "trail", outcome.item_id, "--json")
    for shown in (trail, summary, as_json):
        assert shown.exit_code == 0, shown.output
        assert not any(char in shown.output for char in DISGUISES), shown.output
    assert "letter\\u202egpj.exe" in trail.output and "op\\u200berator" in trail.output
    assert "letter\\u202egpj.exe" in summary.output


# ------------------------------------------------------------ a read-only ledger

def _ledger(data: Path) -> None:
    assert _scanpipe(data, "campaign", "load", ROOT / "samples" / "campaign.toml").exit_code == 0
    assert _scanpipe(data, "people", "add", "Admin", "--role", "admin", "--pin", "123456").exit_code == 0


def _read_only_mount_works() -> bool:
    if not shutil.which("unshare") or not shutil.which("mount"):
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind -o ro / / 2>/dev/null"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def _in_read_only_mount(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`scanpipe ARGS` with `folder` bind-mounted read-only over itself, in a mount namespace of
    its own (nothing is mounted outside the command; it leaves no process behind)."""
    command = [sys.executable, "-c", "from stations.cli import main; main()", *args]
    script = f'mount --bind -o ro "{folder}" "{folder}" && exec "$@"'
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", *command],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(
                              [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])})


def test_verify_a_0444_sqlite_ledger_exits_0(tmp_path):
    data = tmp_path / "data"
    _ledger(data)
    ledger = data / "ledger.sqlite3"
    ledger.chmod(0o444)
    before = ledger.read_bytes()
    if _read_only_mount_works():
        # Root ignores file modes, so the file is also put on a read-only mount, where nobody
        # can write it: the real case of an auditor's copy on a read-only medium.
        done = _in_read_only_mount(data, "--data-dir", str(data), "audit", "verify")
        assert done.returncode == 0, done.stderr
        assert "Verified: 2 events" in done.stdout
        refused = _in_read_only_mount(data, "--data-dir", str(data), "people", "add", "Eve",
                                      "--pin", "123456")
        assert refused.returncode == 4
        assert "SQLite ledger file" in refused.stderr and "read-only" in refused.stderr
        assert "database server" not in refused.stderr
    else:
        # No read-only mount here (no unshare, or not allowed): the command is run on the 0444
        # file, and the connection it opens is checked to be read-only below.
        done = _scanpipe(data, "audit", "verify")
        assert done.exit_code == 0, done.output
    store = Store.open_read_only(f"sqlite:///{ledger}", data / "images")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA query_only").scalar() == 1
        with pytest.raises(OperationalError, match=r"attempt to write a readonly database"):
            connection.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
    assert store.audit(check_images=True).ok
    store.close()
    assert ledger.read_bytes() == before


# ------------------------------------------------------------ an unreadable key

def test_an_unreadable_or_invalid_key_file_gives_exit_3_and_one_line(tmp_path):
    data = tmp_path / "data"
    _ledger(data)
    garbage = tmp_path / "garbage.key"
    garbage.write_bytes(b"\x00not a key\n")
    (data / "keys").mkdir()
    (data / "keys" / "office-signing.pub").write_bytes(b"not a key either")
    export = tmp_path / "export"
    for args in (("audit", "checkpoint", "--key", garbage),
                 ("audit", "verify", "--public-key", garbage),
                 ("audit", "export", export),
                 ("audit", "key", "show")):
        done = _scanpipe(data, *args)
        assert done.exit_code == 3, (args, done.output)
        assert done.exception is None or isinstance(done.exception, SystemExit), args
        assert done.output.count("\n") == 1 and "is not a readable" in done.output, done.output
    assert not export.exists()
    (data / "keys" / "office-signing.pub").unlink()
    assert _scanpipe(data, "audit", "export", export).exit_code == 0
    done = CliRunner().invoke(cli, ["audit", "verify-export", str(export), "--public-key", str(garbage)])
    assert done.exit_code == 3 and "is not a readable public key" in done.output
    (data / "private" / "office-signing.key").mkdir()  # a folder where the key should be
    done = _scanpipe(data, "audit", "checkpoint")
    assert done.exit_code == 3 and "cannot read" in done.output, done.output
