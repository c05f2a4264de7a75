"""Recorded Tesseract: the program's answers replayed by the hash of the page it was given.

Most tests that read text are about routing, petitions or the ledger, not about OCR; the
program's ~1 s a page was most of their time. Every tesseract run of such a test goes through
`Recorder`: the key is the hash of the tesseract version, the arguments and the bytes of the
page file, and a recorded answer (exit code, stdout, stderr) is given back as the program
would give it. A page not recorded yet is read by the real program and its answer kept, so a
changed image can never replay a stale answer: it simply costs a real run.

The answers live in `tests/data/tesseract-answers.jsonl.gz` (committed), written only by
`make test-record` (`SCANPIPE_TESSERACT_ANSWERS=record` over the whole suite: the file then holds
exactly the answers the suite used). By default answers are replayed and pages not recorded are
read by the program, nothing written; `off` runs the program everywhere. Tests about OCR itself
are marked `real_tesseract` and always run the program. The session's summary names the tests
whose pages were not recorded (new tests, or pages that are not the same from run to run).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

ANSWERS = Path(__file__).resolve().parent / "data" / "tesseract-answers.jsonl.gz"
MODE = os.environ.get("SCANPIPE_TESSERACT_ANSWERS", "replay")  # replay | record | off

Run = Callable[[list[str], float], "subprocess.CompletedProcess[bytes]"]


def _text(data: bytes) -> dict[str, str]:
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"b64": base64.b64encode(data).decode("ascii")}


def _bytes(field: dict[str, str]) -> bytes:
    return field["text"].encode("utf-8") if "text" in field else base64.b64decode(field["b64"])


class Recorder:
    """Stands in for `scanpipe.reading.ocr.run_tesseract`; counts its hits and misses."""

    def __init__(self, real: Run, path: Path = ANSWERS):
        self.real, self.path = real, path
        self.answers: dict[str, dict] = self._load(path) if path.exists() else {}
        self.used: set[str] = set()
        self.hits = 0
        self.missed_by: dict[str, int] = {}  # test -> pages read by the program
        self._version: str | None = None

    @staticmethod
    def _load(path: Path) -> dict[str, dict]:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            return {entry["key"]: entry for entry in map(json.loads, lines)}

    def version(self, program: str) -> str:
        if self._version is None:
            done = self.real([program, "--version"], 10.0)
            self._version = done.stdout.decode("utf-8", "replace").splitlines()[0] if done.stdout else "?"
        return self._version

    def key(self, args: list[str]) -> str:
        digest = hashlib.sha256(self.version(args[0]).encode())
        digest.update("\0".join(args[2:]).encode())
        digest.update(Path(args[1]).read_bytes())
        return digest.hexdigest()

    def __call__(self, args: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
        if len(args) < 3 or args[2] != "stdout":  # --version, --list-langs: asked of the program
            return self.real(args, timeout)
        key = self.key(args)
        self.used.add(key)
        entry = self.answers.get(key)
        if entry is not None:
            self.hits += 1
            return subprocess.CompletedProcess(args, entry["rc"], _bytes(entry["out"]), _bytes(entry["err"]))
        done = self.real(args, timeout)
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" (", 1)[0]
        self.missed_by[test] = self.missed_by.get(test, 0) + 1
        self.answers[key] = {"key": key, "rc": done.returncode, "out": _text(done.stdout),
                             "err": _text(done.stderr)}
        return done

    @property
    def added(self) -> int:
        """Pages read by the program this session (their answers kept)."""
        return sum(self.missed_by.values())

    def save(self) -> None:
        """Write the answers this session used, and no other."""
        keep = [e for k, e in sorted(self.answers.items()) if k in self.used]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        part = self.path.with_name(self.path.name + ".part")
        # mtime=0: the same answers make the same bytes, so git sees no change without one.
        with open(part, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            for entry in keep:
                out.write((json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode())
        os.replace(part, self.path)
