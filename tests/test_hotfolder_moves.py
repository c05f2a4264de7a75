"""The hot folder's file operations: a file keeps its bytes wherever it goes, never lacks its
reason in quarantine/, and never takes the name of another."""

from __future__ import annotations

import errno
import os
from datetime import date
from pathlib import Path

import pytest

from models.images import sha256_of_file
from stations.hotfolder import moves, original_name
from stations.hotfolder.inbox import Stat, stat_of

DATA = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8


def scan(root: Path, name: str, data: bytes = DATA) -> Path:
    path = root / "inbox" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_file_moved_to_quarantine_keeps_its_bytes_and_gets_its_reason(tmp_path):
    original = scan(tmp_path, "batch-3/notes.txt")
    renamed: set[Path] = set()
    target = moves.to_quarantine(tmp_path / "quarantine", "batch-3/notes.txt", original,
                                 "not a scan", renamed)
    assert target == tmp_path / "quarantine" / "notes.txt"
    assert target.read_bytes() == DATA and not original.exists()
    lines = (tmp_path / "quarantine" / "notes.txt.reason.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "file: batch-3/notes.txt" and lines[2] == "reason: not a scan"
    assert lines[1].startswith("quarantined: ") and lines[1].endswith(" UTC")
    assert renamed == {tmp_path / "quarantine", original.parent}


def test_a_name_whose_reason_file_is_left_in_quarantine_is_not_reused(tmp_path):
    quarantine = tmp_path / "quarantine"
    quarantine.mkdir()
    (quarantine / "scan.jpg.reason.txt").write_text("an earlier file's reason", encoding="utf-8")
    target = moves.to_quarantine(quarantine, "scan.jpg", scan(tmp_path, "scan.jpg"), "unreadable", set())
    assert target.name == "scan-2.jpg" and (quarantine / "scan-2.jpg.reason.txt").exists()
    assert (quarantine / "scan.jpg.reason.txt").read_text(encoding="utf-8") == "an earlier file's reason"


def test_a_move_to_quarantine_that_fails_leaves_no_reason_without_its_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        moves.to_quarantine(tmp_path / "quarantine", "gone.jpg", tmp_path / "inbox" / "gone.jpg",
                            "unreadable", set())
    assert list((tmp_path / "quarantine").iterdir()) == []


def test_done_files_go_under_the_day_with_their_inbox_folders_and_a_free_name(tmp_path):
    today = date.today().isoformat()
    (tmp_path / "done" / today / "batch-7").mkdir(parents=True)
    (tmp_path / "done" / today / "batch-7" / "scan.jpg").write_bytes(b"earlier")
    target = moves.to_done(tmp_path / "done", "batch-7/scan.jpg", scan(tmp_path, "batch-7/scan.jpg"), set())
    if date.today().isoformat() == today:  # not across midnight
        assert target == tmp_path / "done" / today / "batch-7" / "scan-2.jpg"
    assert target.read_bytes() == DATA


def test_the_work_copy_is_private_and_named_after_the_original(tmp_path):
    original = scan(tmp_path, "scan-1.jpg")
    copy = moves.copy_to_work(tmp_path / "work", original, stat_of(original))
    assert copy.parent == tmp_path / "work" and original_name(copy) == "scan-1.jpg"
    assert copy.read_bytes() == DATA and original.read_bytes() == DATA


def test_a_file_that_is_not_what_settled_is_not_copied(tmp_path):
    original = scan(tmp_path, "scan-1.jpg")
    settled = stat_of(original)
    with pytest.raises(moves.Changed):
        moves.copy_to_work(tmp_path / "work", original, Stat(settled.size - 1, settled.mtime_ns))
    assert list((tmp_path / "work").iterdir()) == []


def test_copies_left_in_work_are_removed_and_their_digests_kept(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "0123456789ab--scan-1.jpg").write_bytes(DATA)
    (work / "notes.txt").write_bytes(b"not ours")
    assert moves.clear_copies(work) == {sha256_of_file(scan(tmp_path, "scan-1.jpg"))}
    assert [p.name for p in work.iterdir()] == ["notes.txt"]
    assert moves.clear_copies(tmp_path / "no-work-yet") == set()


# ------------------------------------------------------------------ names


@pytest.mark.parametrize("name", [
    "a" * 251 + ".jpg", "é" * 125 + ".jpg", "scan\n1.jpg", "\u202egpj.jpg", "scan\x1b[2J.jpg",
    os.fsdecode(b"scan-\xff.jpg"), "x" * 300, "scan." + "y" * 40, ".x.jpg", "\u200bzero.jpg",
])
def test_safe_names_are_short_printable_utf8_and_keep_the_extension(name):
    for room in (0, 8, 19):
        safe = moves.safe_name(name, room=room)
        assert len(os.fsencode(safe)) <= moves.NAME_MAX - room
        assert safe.isprintable() and not safe.startswith(".") and "/" not in safe
        safe.encode("utf-8")
        if Path(name).suffix == ".jpg":
            assert safe.endswith(".jpg")
    assert moves.safe_name(name) != moves.safe_name(name + "x")  # a hash keeps cut names apart


def test_a_plain_name_is_kept_as_it_is():
    assert moves.safe_name("scan-0001 (2).jpg") == "scan-0001 (2).jpg"
    assert moves.safe_name("Évian lettre.pdf") == "Évian lettre.pdf"


def test_escaped_text_is_one_printable_line_that_names_each_odd_character():
    assert moves.escape("a\nb\\c\u202ed\x1b") == "a\\x0ab\\\\c\\u202ed\\x1b"
    assert moves.escape(os.fsdecode(b"x\xffy")) == "x\\xffy"
    assert moves.escape("Évian <b>") == "Évian <b>"


def test_a_long_name_gets_a_copy_in_work_and_a_place_in_quarantine(tmp_path):
    name = "s" * 251 + ".jpg"
    original = scan(tmp_path, name)
    copy = moves.copy_to_work(tmp_path / "work", original, stat_of(original))
    assert copy.read_bytes() == DATA and len(os.fsencode(copy.name)) <= moves.NAME_MAX
    target = moves.to_quarantine(tmp_path / "quarantine", name, original, "why", set(), code="internal")
    note = target.with_name(target.name + moves.NOTE_SUFFIX)
    assert target.read_bytes() == DATA and note.read_text(encoding="utf-8").startswith(f"file: {name}\n")
    second = moves.to_quarantine(tmp_path / "quarantine", name, scan(tmp_path, name), "why", set())
    assert second != target and len(os.fsencode(second.name + moves.NOTE_SUFFIX)) <= moves.NAME_MAX


def test_a_symlink_is_moved_as_a_link_and_a_dangling_one_counts_as_taken(tmp_path):
    (tmp_path / "inbox").mkdir()
    link = tmp_path / "inbox" / "scan.jpg"
    os.symlink("/etc/passwd", link)
    quarantine = tmp_path / "quarantine"
    quarantine.mkdir()
    os.symlink("/nowhere", quarantine / "scan.jpg")  # dangling: .exists() would say free
    target = moves.to_quarantine(quarantine, "scan.jpg", link, "a link", set(), code="not_regular")
    assert target.name == "scan-2.jpg" and target.is_symlink() and os.readlink(target) == "/etc/passwd"
    assert os.readlink(quarantine / "scan.jpg") == "/nowhere"


def test_the_digest_of_a_link_a_pipe_or_a_too_large_file_is_not_read(tmp_path):
    secret = scan(tmp_path, "secret.jpg")
    os.symlink(secret, tmp_path / "link.jpg")
    os.mkfifo(tmp_path / "pipe.jpg")
    os.link(secret, tmp_path / "hard.jpg")
    assert moves.safe_digest(tmp_path / "link.jpg", 10**6) == (None, None)
    assert moves.safe_digest(tmp_path / "pipe.jpg", 10**6) == (None, None)
    assert moves.safe_digest(tmp_path / "hard.jpg", 10**6) == (None, None)
    alone = scan(tmp_path, "alone.jpg")
    assert moves.safe_digest(alone, 10) == (None, len(DATA))
    assert moves.safe_digest(alone, 10**6) == (sha256_of_file(alone), len(DATA))


def test_across_filesystems_a_link_is_made_again_never_followed(tmp_path, monkeypatch):
    real_replace = os.replace

    def replace(source, target):
        if Path(source).parent.name == "inbox":
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(source, target)

    monkeypatch.setattr(moves.os, "replace", replace)
    secret = scan(tmp_path, "secret.key", b"SECRET")
    os.symlink(secret, tmp_path / "inbox" / "link.jpg")
    os.mkfifo(tmp_path / "inbox" / "pipe.jpg")
    quarantine = tmp_path / "quarantine"
    link = moves.to_quarantine(quarantine, "link.jpg", tmp_path / "inbox" / "link.jpg", "a link", set())
    pipe = moves.to_quarantine(quarantine, "pipe.jpg", tmp_path / "inbox" / "pipe.jpg", "a pipe", set())
    assert link.is_symlink() and os.readlink(link) == str(secret) and pipe.is_fifo()
    assert not os.path.lexists(tmp_path / "inbox" / "link.jpg") and secret.read_bytes() == b"SECRET"
    assert not any(p.name.startswith(".moving") for p in quarantine.iterdir())
