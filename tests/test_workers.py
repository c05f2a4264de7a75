"""Worker processes decide files ahead; results come back in order, and a dying worker does not
stop the station."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from stacks import write_stack

from scanpipe.reading.pipeline import RecognitionSettings
from stations import workers
from stations.workers import Recognizer, WorkerCrashed

SETTINGS = RecognitionSettings(ocr=False)


def dying_task(path: str):
    """A worker's task that dies on files named *poison*, as a decoder's crash would."""
    if "poison" in Path(path).name:
        os._exit(9)
    return workers.prepare_in_worker(path)


def gated_task(path: str):
    """A worker's task that says it started (its pid in gate/started-NAME, `gate` the nearest
    folder above the file that holds one) and waits until gate/go exists: files stay in flight,
    each in a known worker, for as long as a test needs. Files named *poison* then kill their
    worker."""
    gate = next(folder / "gate" for folder in Path(path).parents if (folder / "gate").is_dir())
    started = gate / f"started-{Path(path).name}"
    started.with_suffix(".tmp").write_text(str(os.getpid()))
    started.with_suffix(".tmp").replace(started)
    while not (gate / "go").exists():
        time.sleep(0.01)
    if "poison" in Path(path).name:
        os._exit(9)
    return workers.prepare_in_worker(path)


def wait_for(check, what: str, limit: float = 120.0):
    """Poll `check` until it gives something true; fail after `limit` seconds (a bound for a
    broken run, never a measure)."""
    deadline = time.monotonic() + limit
    while not (found := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.02)
    return found


def started_workers(gate: Path, least: int) -> list[int] | None:
    """The pids of the workers that took a file, once at least `least` did."""
    pids = {int(f.read_text()) for f in gate.glob("started-*") if f.suffix != ".tmp"}
    return sorted(pids) if len(pids) >= least else None


def running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie (reading /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def decisions(prepared) -> list[tuple]:
    return [(p.path.name, p.sha256, [(r.page, r.decision.status, r.decision.case,
                                      r.decision.kind) for r in p.pages]) for p in prepared]


@pytest.fixture(scope="module")
def stack(tmp_path_factory, campaign) -> list[Path]:
    return write_stack(tmp_path_factory.mktemp("stack"), campaign, 24, seed=3)


@pytest.mark.slow
def test_two_workers_give_the_same_results_in_the_same_order_as_none(stack, campaign, tmp_path):
    with Recognizer(campaign, SETTINGS, workers=0) as inline:
        expected = decisions(p for group in inline.in_groups(stack) for p in group)
    with Recognizer(campaign, SETTINGS, workers=2) as pool:
        groups = list(pool.in_groups(stack))
    assert decisions(p for group in groups for p in group) == expected
    assert [p.path for group in groups for p in group] == stack
    assert all(p.peak_rss > 0 for group in groups for p in group)


def test_the_workers_keep_each_file_in_the_image_store(stack, campaign, tmp_path):
    from models.images import ImageStore

    images = ImageStore(tmp_path / "images")
    with Recognizer(campaign, SETTINGS, images, workers=2) as pool:
        done = [p for group in pool.in_groups(stack[:6]) for p in group]
    assert all(images.check(p.sha256) is None for p in done)
    assert {images.get(p.sha256) for p in done} == {path.read_bytes() for path in stack[:6]}


@pytest.mark.slow
def test_workers_killed_mid_work_are_replaced_and_every_file_is_decided(stack, campaign):
    with Recognizer(campaign, SETTINGS, workers=0) as inline:
        expected = decisions(p for group in inline.in_groups(stack) for p in group)
    with Recognizer(campaign, SETTINGS, workers=2) as pool:
        futures = [(path, pool.submit(path)) for path in stack]
        for pid in pool.worker_pids():
            os.kill(pid, signal.SIGKILL)
        got = [pool.result(future, path) for path, future in futures]
    assert decisions(got) == expected


def test_a_worker_killed_from_outside_makes_no_file_guilty(stack, campaign, tmp_path):
    (tmp_path / "gate").mkdir()
    files = []
    for path in stack[:6]:
        files.append(tmp_path / path.name)
        files[-1].write_bytes(path.read_bytes())
    with Recognizer(campaign, SETTINGS, workers=0) as inline:
        expected = [(p.name, rest) for (_, *rest), p in zip(
            decisions(inline.result(inline.submit(f), f) for f in files), files, strict=True)]
    with Recognizer(campaign, SETTINGS, workers=2, task=gated_task) as pool:
        futures = [(path, pool.submit(path)) for path in files]
        busy = wait_for(lambda: started_workers(tmp_path / "gate", 2), "two files in flight")
        os.kill(busy[0], signal.SIGKILL)  # one worker, from outside, with files in flight
        (tmp_path / "gate" / "go").touch()
        got = [pool.result(future, path) for path, future in futures]  # no WorkerCrashed
    assert [(p.path.name, rest) for p, (_, *rest) in zip(got, decisions(got), strict=True)] == expected


@pytest.mark.slow
def test_a_worker_killed_again_while_the_files_are_tried_again_makes_no_file_guilty(
        stack, campaign, tmp_path):
    # The second kill lands on a worker of the fresh pool: every file has now been in two
    # broken pools, and each is decided alone (where nobody kills it), none reported crashed.
    gate = tmp_path / "gate"
    gate.mkdir()
    files = []
    for path in stack[:4]:
        files.append(tmp_path / path.name)
        files[-1].write_bytes(path.read_bytes())
    with Recognizer(campaign, SETTINGS, workers=2, task=gated_task) as pool, \
            ThreadPoolExecutor(1) as asker:
        futures = [(path, pool.submit(path)) for path in files]
        first = wait_for(lambda: started_workers(gate, 2), "two files in flight")
        os.kill(first[0], signal.SIGKILL)
        got = asker.submit(lambda: [pool.result(future, path) for path, future in futures])
        fresh = wait_for(lambda: set(started_workers(gate, 1) or ()) - set(first),
                         "a file in flight in the fresh pool")
        os.kill(fresh.pop(), signal.SIGKILL)
        (gate / "go").touch()
        done = got.result()  # raises WorkerCrashed if a file was judged guilty
    assert [p.path for p in done] == files and all(p.sha256 for p in done)


@pytest.mark.slow
def test_a_killed_forkserver_takes_its_workers_with_it_and_no_file_is_guilty(stack, campaign,
                                                                             tmp_path):
    # The workers' parent is the forkserver: it ends, they end (the parent-death signal, and the
    # station ending what is left of a broken pool); the files in flight are decided again.
    (tmp_path / "gate").mkdir()
    files = []
    for path in stack[:4]:
        files.append(tmp_path / path.name)
        files[-1].write_bytes(path.read_bytes())
    with Recognizer(campaign, SETTINGS, workers=2, task=gated_task) as pool:
        futures = [(path, pool.submit(path)) for path in files]
        busy = wait_for(lambda: started_workers(tmp_path / "gate", 2), "two files in flight")
        forkserver = {workers.parent_of(pid) for pid in busy}
        assert len(forkserver) == 1 and os.getpid() not in forkserver
        os.kill(forkserver.pop(), signal.SIGKILL)
        wait_for(lambda: not any(running(pid) for pid in busy), "the workers ended")
        (tmp_path / "gate" / "go").touch()
        got = [pool.result(future, path) for path, future in futures]
    assert [p.path for p in got] == files and all(p.sha256 for p in got)


SLEEPER = """
import os, sys, time
from stations.workers import die_with_parent
die_with_parent(int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid())
print(os.getpid(), flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("how", ["its parent", "its parent's parent"])
def test_a_worker_ends_when_its_parent_is_killed(how, tmp_path):
    # Only the parent-death signal can end the sleeper: it starts no watch of its own.
    parent_program = ("import subprocess, sys, time\n"
                      "child = subprocess.Popen([sys.executable, '-c', sys.argv[1], *sys.argv[2:]])\n"
                      "time.sleep(600)\n")
    args = [] if how == "its parent" else [str(os.getpid())]
    parent = subprocess.Popen([sys.executable, "-c", parent_program, SLEEPER, *args],
                              stdout=subprocess.PIPE, text=True, start_new_session=True,
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    try:
        child = int(parent.stdout.readline())
        assert running(child)
        parent.kill()
        parent.wait()
        wait_for(lambda: not running(child), "the child ended with its parent")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(parent.pid, signal.SIGKILL)
        parent.wait()


def test_a_worker_whose_parent_is_not_the_stations_ends_at_once():
    # Its parent ended before it asked for the signal: it was handed to another process.
    done = subprocess.run([sys.executable, "-c", SLEEPER, str(2**22 + 1)], capture_output=True,
                          text=True, timeout=120, start_new_session=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert done.returncode == 0 and done.stdout == ""


def test_a_killed_station_left_a_zombie_is_not_alive():
    # kill(pid, 0) succeeds on a zombie: a worker polling that way would wait for ever.
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        wait_for(lambda: not running(child.pid), "the child became a zombie")
        assert Path(f"/proc/{child.pid}").exists()  # not collected yet
        assert not workers.alive(child.pid)
    finally:
        child.wait()
    assert workers.alive(os.getpid())


@pytest.mark.slow
def test_a_file_that_kills_its_worker_twice_is_reported_and_the_rest_go_on(stack, campaign,
                                                                            tmp_path):
    poison = tmp_path / "poison.jpg"
    poison.write_bytes(stack[0].read_bytes())
    files = [*stack[:3], poison, *stack[3:6]]
    with Recognizer(campaign, SETTINGS, workers=2, task=dying_task) as pool:
        future = pool.submit(poison)
        with pytest.raises(WorkerCrashed, match=re.escape("poison.jpg")):
            pool.result(future, poison)
        done = [p for group in pool.in_groups(files) for p in group]
    assert [p.path for p in done] == files
    crashed = done[3]
    assert crashed.sha256 is None and "died twice" in crashed.pages[0].decision.findings[0].detail
    assert "alone" in crashed.pages[0].decision.findings[0].detail
    assert all(p.sha256 is not None for p in done if p is not crashed)


def slow_task(path: str):
    """A worker's task that takes its time: 3 s for files named *slow*, 20 ms for the others."""
    time.sleep(3.0 if "slow" in Path(path).name else 0.02)
    return workers.prepare_in_worker(path)


@pytest.mark.slow
def test_results_a_moment_apart_are_recorded_together(stack, campaign, monkeypatch):
    # Each file takes 20 ms in a worker: one by one, a transaction would hold a file or two. A
    # group waits (here as long as it takes) until it holds `group_least` files.
    monkeypatch.setattr(workers, "GROUP_WAIT", 600.0)
    with Recognizer(campaign, SETTINGS, workers=2, task=slow_task) as pool:
        groups = list(pool.in_groups(stack))
    assert [p.path for group in groups for p in group] == stack
    assert all(len(group) >= workers.group_least(2) for group in groups[:-1])  # the last: the rest
    assert len(groups) <= len(stack) // workers.group_least(2) + 1


@pytest.mark.slow
def test_a_group_does_not_wait_long_for_a_slow_file(stack, campaign, tmp_path):
    slow = tmp_path / "slow.jpg"
    slow.write_bytes(stack[0].read_bytes())
    files = [*stack[1:5], slow, *stack[5:8]]
    with Recognizer(campaign, SETTINGS, workers=2, task=slow_task) as pool:
        groups = [[p.path for p in group] for group in pool.in_groups(files)]
    assert [path for group in groups for path in group] == files
    # The files before the slow one were recorded without it: it took 3 s, a group waits 0.25 s.
    assert not any(stack[4] in group and slow in group for group in groups)


def test_joining_a_group_waits_only_while_it_is_short_and_until_its_deadline(monkeypatch):
    done, late = Future(), Future()
    done.set_result(1)
    assert workers.joins(done, size=10, least=2, deadline=0.0)  # decided: always joins
    waits = []
    real_wait = workers.wait
    monkeypatch.setattr(workers, "wait", lambda fs, timeout: waits.append(timeout)
                        or real_wait(fs, timeout=timeout))
    far = time.monotonic() + 600
    assert not workers.joins(late, size=2, least=2, deadline=far)  # group long enough: no wait
    assert not workers.joins(late, size=1, least=2, deadline=time.monotonic() - 1)  # past
    assert waits == []
    assert not workers.joins(late, size=1, least=2, deadline=time.monotonic() + 0.05)
    assert len(waits) == 1 and 0 < waits[0] <= 0.05   # waited no longer than its deadline
    threading.Timer(0.05, late.set_result, (1,)).start()
    assert workers.joins(late, size=1, least=2, deadline=far)  # decided before the deadline


@pytest.mark.slow
def test_a_worker_keeps_freed_memory_for_the_next_page():
    # Each page decoded takes a block of its size; fresh from the kernel each time, every
    # 4 KiB of it costs a page fault (a fifth of a page's time on a virtual machine, measured).
    program = (
        "import resource, sys, cv2, numpy as np\n"
        "from stations.workers import keep_freed_memory\n"
        "if sys.argv[1] == 'keep' and not keep_freed_memory(): print('unsupported'); sys.exit()\n"
        "scan = np.full((3508, 2480, 3), 235, np.uint8); scan[::40] = 30\n"
        "data = cv2.imencode('.jpg', scan)[1]\n"
        "cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "for _ in range(10): cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) // 10)\n")
    root = Path(__file__).resolve().parent.parent
    faults = {}
    for mode in ("keep", "default"):
        out = subprocess.run([sys.executable, "-c", program, mode], capture_output=True, text=True,
                             cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, check=True)
        faults[mode] = out.stdout.strip()
    if faults["keep"] == "unsupported":
        pytest.skip("this C library has no mallopt (not glibc): workers use its defaults")
    assert int(faults["default"]) > 1000  # an 8.7 MB page: 2,100 pages of 4 KiB
    assert int(faults["keep"]) < 100
