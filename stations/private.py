"""The station's private folder: where its secrets live, out of reach of intake and exports.

    DATA_DIR/private/            0700, owned by the user the station runs as
        station-secret           0600  signs the session cookies (`station_secret`)
        office-signing.key       0600  the office's private key (unless SCANPIPE_SIGNING_KEY says)

The public key stays readable for the auditors, in DATA_DIR/keys/office-signing.pub (0644).
No intake reads here: the inbox and the image store may be neither this folder, nor inside it,
nor around it (`check_layout` refuses such settings). `secure_private` makes the folder, moves
the secrets of the old layout in (DATA_DIR/station-secret, DATA_DIR/keys/*.key…), crash-safe, and
tightens the modes of what is there; a file or folder of someone else's is refused, never used.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import tempfile
from pathlib import Path

from models.images import fsync_dir
from stations.errors import BadInput
from stations.settings import Settings

PRIVATE_DIR = "private"
SECRET_NAME = "station-secret"
FOLDER_MODE = 0o700
SECRET_MODE = 0o600
PUBLIC_MODE = 0o644


class PrivateFolderError(BadInput):
    """The private folder or a secret cannot be kept private; the message says what to do."""


def private_dir(data_dir: Path) -> Path:
    return data_dir / PRIVATE_DIR


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def check_layout(settings: Settings) -> None:
    """Refuse settings that put the inbox or the image store over the private folder (the same
    folder, inside it, or around it), or the signing key inside the inbox or the image store:
    whatever intake reads, or an export copies, must never hold a secret. Links are followed
    in the settings' paths, so a link to the private folder is refused too. Changes nothing."""
    private = _real(settings.private_dir)
    readers = (("inbox (SCANPIPE_INBOX)", _real(settings.inbox_dir)),
               ("image store (SCANPIPE_IMAGE_DIR)", _real(settings.image_root)))
    for what, folder in readers:
        if _overlap(folder, private):
            raise PrivateFolderError(
                f"the {what} {folder} overlaps the private folder {private}, where the station's "
                "secrets are kept: choose folders apart (the private folder is DATA_DIR/private)")
    key = _real(settings.signing_key_path)
    for what, folder in readers:
        if key.is_relative_to(folder):
            raise PrivateFolderError(
                f"the signing key {key} (SCANPIPE_SIGNING_KEY) is inside the {what} {folder}: "
                "keep it in the private folder or another folder of its own")


def _refuse_foreign(path: Path, info: os.stat_result) -> None:
    if info.st_uid != os.geteuid():
        raise PrivateFolderError(
            f"{path} belongs to user {info.st_uid}, not to this user ({os.geteuid()}): a secret "
            "must be its owner's alone. Run the station as that user, or give it to this one "
            f"(chown) and check that nobody else could have read it")


def _private_folder(folder: Path) -> None:
    """`folder` exists, is a real folder of ours, mode 0700."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder, FOLDER_MODE)  # never looser, whatever the umask
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise PrivateFolderError(f"{folder} must be a folder of its own, not a link or a file: "
                                 "move it away and start again")
    _refuse_foreign(folder, info)
    if stat.S_IMODE(info.st_mode) != FOLDER_MODE:
        os.chmod(folder, FOLDER_MODE)


def _tighten(path: Path, info: os.stat_result, mode: int) -> None:
    """`path`'s mode no looser than `mode` (a public key may stay readable)."""
    if stat.S_IMODE(info.st_mode) & ~mode:
        os.chmod(path, stat.S_IMODE(info.st_mode) & mode, follow_symlinks=False)


def _regular(path: Path) -> os.stat_result | None:
    """The lstat of `path` when it is a regular file of ours; None when there is nothing."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise PrivateFolderError(f"{path} is not a regular file (a link, a folder…): a secret is "
                                 "a file of its own. Move it away and start again")
    _refuse_foreign(path, info)
    return info


def _same_content(a: Path, b: Path) -> bool:
    return a.read_bytes() == b.read_bytes()


def _move_in(old: Path, new: Path) -> None:
    """Move the secret `old` to `new` in the private folder, crash-safe: tightened first, then
    renamed (atomic); a crash leaves it at one place or the other, and a second run finishes."""
    info = _regular(old)
    if info is None:
        return
    _tighten(old, info, SECRET_MODE)
    if _regular(new) is not None:
        if not _same_content(old, new):
            raise PrivateFolderError(
                f"{old} and {new} both exist and differ: keep the right one in {new.parent} and "
                f"remove the other (an office keeps one key; a new station secret signs everyone out)")
        old.unlink()  # a copy left by a move that was interrupted
    else:
        try:
            os.rename(old, new)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            write_secret(new, old.read_bytes())  # another file system: copy, then remove
            old.unlink()
    fsync_dir(new.parent)
    fsync_dir(old.parent)


def secure_private(data_dir: Path) -> Path:
    """Make DATA_DIR/private (0700) or repair it, move in the secrets of the old layout, tighten
    the modes of what it holds (0600; a public key may stay 0644); returns the folder.

    Idempotent and crash-safe: run at every start. Raises `PrivateFolderError` for a folder or
    file of someone else's, a link, two different copies of one secret, or a file system fault."""
    try:
        return _secure_private(data_dir)
    except OSError as exc:
        raise PrivateFolderError(f"cannot make or repair the private folder "
                                 f"{private_dir(data_dir)}: {exc.strerror or exc} "
                                 f"({exc.filename or data_dir})") from None


def _secure_private(data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    folder = private_dir(data_dir)
    _private_folder(folder)
    _move_in(data_dir / SECRET_NAME, folder / SECRET_NAME)
    keys = data_dir / "keys"
    if keys.is_dir() and not keys.is_symlink():
        for old in sorted(keys.iterdir()):
            if old.suffix != ".pub":
                _move_in(old, folder / old.name)
    for path in sorted(folder.iterdir()):
        info = os.lstat(path)
        if stat.S_ISDIR(info.st_mode):
            _refuse_foreign(path, info)
            _tighten(path, info, FOLDER_MODE)
            continue
        info = _regular(path) or info
        _tighten(path, info, PUBLIC_MODE if path.suffix == ".pub" else SECRET_MODE)
    return folder


def prepare_private(settings: Settings) -> Path:
    """What a start does before anything reads a file: the layout checked, the private folder
    made or repaired (`check_layout`, `secure_private`), and the signing key's mode tightened
    where SCANPIPE_SIGNING_KEY puts it."""
    check_layout(settings)
    folder = secure_private(settings.data_dir)
    key = settings.signing_key_path
    if key.parent != folder:
        info = _regular(key)
        if info is not None:
            _tighten(key, info, SECRET_MODE)
    return folder


def write_secret(path: Path, data: bytes) -> None:
    """Write a new secret file `path`, 0600 whatever the umask, whole or not at all: written
    beside it under a temporary name, then linked into place, which never replaces a file
    (FileExistsError if `path` exists)."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".new-")  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), SECRET_MODE)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.link(temp, path)
    finally:
        os.unlink(temp)
    fsync_dir(path.parent)


def read_secret(path: Path) -> bytes | None:
    """The bytes of the secret file `path` (never through a link); None when there is none."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PrivateFolderError(f"cannot read the secret {path}: {exc.strerror} (a link is "
                                 "never followed here)") from None
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise PrivateFolderError(f"{path} is not a regular file: move it away and start again")
        _refuse_foreign(path, info)
        return stream.read()


def station_secret(data_dir: Path) -> str:
    """The key that signs this station's session cookies: made once, kept in the private
    folder (0600), moved there from DATA_DIR/station-secret by `secure_private`."""
    folder = secure_private(data_dir)
    path = folder / SECRET_NAME
    for _ in range(2):
        found = read_secret(path)
        if found is not None:
            text = found.decode("ascii", errors="replace").strip()
            if len(text) < 32:
                raise PrivateFolderError(f"{path} holds no usable secret: remove it, a new one "
                                         "is made at the next start (everyone signs in again)")
            return text
        try:
            write_secret(path, (secrets.token_urlsafe(48) + "\n").encode("ascii"))
        except FileExistsError:
            continue  # another station process made it at the same moment: read theirs
    raise PrivateFolderError(f"cannot make the station secret {path}")
