"""Worker processes decide files ahead; results come back in order, and a dying worker does not
stop the station."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from scanpipe.pipeline import RecognitionSettings
from stations import workers
from stations.workers import Recognizer, WorkerCrashed
from stacks import write_stack

SETTINGS = RecognitionSettings(ocr=False)


def dying_task(path: str):
    """A worker's task that dies on files named *poison*, as a decoder's crash would."""
    if "poison" in Path(path).name:
        os._exit(9)
    return workers._prepare_in_worker(path)


def decisions(prepared) -> list[tuple]:
    return [(p.path.name, p.sha256, [(r.page, r.decision.status, r.decision.case,
                                      r.decision.kind) for r in p.pages]) for p in prepared]


@pytest.fixture(scope="module")
def stack(tmp_path_factory, campaign) -> list[Path]:
    return write_stack(tmp_path_factory.mktemp("stack"), campaign, 24, seed=3)


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


def test_workers_killed_mid_work_are_replaced_and_every_file_is_decided(stack, campaign):
    with Recognizer(campaign, SETTINGS, workers=0) as inline:
        expected = decisions(p for group in inline.in_groups(stack) for p in group)
    with Recognizer(campaign, SETTINGS, workers=2) as pool:
        futures = [(path, pool.submit(path)) for path in stack]
        for pid in list(pool._pool._processes):
            os.kill(pid, signal.SIGKILL)
        got = [pool.result(future, path) for path, future in futures]
    assert decisions(got) == expected


def test_a_file_that_kills_its_worker_twice_is_reported_and_the_rest_go_on(stack, campaign,
                                                                            tmp_path):
    poison = tmp_path / "poison.jpg"
    poison.write_bytes(stack[0].read_bytes())
    files = [*stack[:3], poison, *stack[3:6]]
    with Recognizer(campaign, SETTINGS, workers=2, task=dying_task) as pool:
        future = pool.submit(poison)
        with pytest.raises(WorkerCrashed, match="poison.jpg"):
            pool.result(future, poison)
        done = [p for group in pool.in_groups(files) for p in group]
    assert [p.path for p in done] == files
    crashed = done[3]
    assert crashed.sha256 is None and "died twice" in crashed.pages[0].decision.findings[0].detail
    assert all(p.sha256 is not None for p in done if p is not crashed)
