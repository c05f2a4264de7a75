"""How long the command line takes to start, beside a bare Python.

Each command runs in a new interpreter (as `scanpipe …` does: `from stations.cli import main`),
ROUNDS times, one after the other in turn; it prints the median seconds of each and the ratio
to `python -c pass`, against the 0.3 s target of `--help` (the root's and each group's). The
light commands (summary, progress, bundle list, db status) read the sample campaign and a
small ledger (made once, in a temporary folder, by `campaign load` and a few recorded pieces).
It prints figures; it does not fail.

Run: python bench/startup.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = ROOT / "samples" / "campaign.toml"
SCANPIPE = "from stations.cli import main; main()"
TARGET = 0.3  # seconds, `scanpipe --help` (issue 20)
GROUPS = ("audit", "bundle", "db", "orders", "people", "signatures")  # the groups that read the ledger


def commands(data: Path) -> list[tuple[str, list[str]]]:
    scanpipe = [sys.executable, "-c", SCANPIPE]
    return [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("scanpipe --help", [*scanpipe, "--help"]),
        ("scanpipe --version", [*scanpipe, "--version"]),
        ("scanpipe campaign --help", [*scanpipe, "campaign", "--help"]),
        ("scanpipe campaign check samples/campaign.toml", [*scanpipe, "campaign", "check", str(CAMPAIGN)]),
        *((f"scanpipe {group} --help", [*scanpipe, group, "--help"]) for group in GROUPS),
        ("scanpipe summary (small ledger)", [*scanpipe, "--data-dir", str(data), "summary"]),
        ("scanpipe progress (small ledger)", [*scanpipe, "--data-dir", str(data), "progress"]),
        ("scanpipe bundle list (small ledger)", [*scanpipe, "--data-dir", str(data), "bundle", "list"]),
        ("scanpipe db status (small ledger)", [*scanpipe, "--data-dir", str(data), "db", "status"]),
    ]


def small_ledger(data: Path, env: dict[str, str]) -> None:
    """A ledger with the sample campaign and a few routed pieces."""
    subprocess.run([sys.executable, "-c", SCANPIPE, "--data-dir", str(data), "campaign", "load",
                    str(CAMPAIGN), "--operator", "bench"], check=True, env=env, cwd=ROOT,
                   capture_output=True, timeout=300)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import record_piece  # the tests' way to record a decided piece

    from models.store import Store
    store = Store.open(f"sqlite:///{data / 'ledger.sqlite3'}", data / "images")
    try:
        for n in range(20):
            record_piece(store, n)
    finally:
        store.close()


def run_once(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, timeout=120)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    with tempfile.TemporaryDirectory(prefix="scanpipe-bench-startup-") as folder:
        data = Path(folder) / "data"
        small_ledger(data, env)
        table = commands(data)
        times: dict[str, list[float]] = {name: [] for name, _ in table}
        for _ in range(args.rounds):  # in turn, so a busy moment falls on every command alike
            for name, command in table:
                times[name].append(run_once(command, env))
    bare = statistics.median(times["python -c pass"])
    print(f"Start-up, median of {args.rounds} runs each (a new interpreter every run):")
    print(f"  {'command':<48} {'seconds':>8} {'× bare':>7}")
    for name, _ in table:
        median = statistics.median(times[name])
        print(f"  {name:<48} {median:8.3f} {median / bare:7.1f}")
    help_median = statistics.median(times["scanpipe --help"])
    verdict = "PASS" if help_median <= TARGET else "FAIL"
    print(f"scanpipe --help: {help_median:.3f} s against the {TARGET} s target: {verdict}")


if __name__ == "__main__":
    main()
