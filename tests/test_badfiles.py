"""The bad-input suite (tests/badfiles.py): no file stops the pipeline, and each gets its due.

An unreadable file is one rejected result naming its fault; a forged or foreign code sends
its page to review with the reason, never routed; an odd but valid file is a piece to
decide, never rejected as unreadable. Pages are decided by their codes only: OCR reads
pixels already decoded, so it would add a second a page and nothing about the file.
"""

from collections import Counter

import pytest
from badfiles import READABLE, VARIANTS, BadFile, make_bad_files

from scanpipe.domain.routing import Reason, Status
from scanpipe.reading.pages import FileFault, UnreadableFile, load_pages
from scanpipe.reading.pipeline import PageResult, RecognitionSettings, process_file

CODES_ONLY = RecognitionSettings(ocr=False)


def _params(variants):
    return [pytest.param(v.name, marks=[pytest.mark.slow] if v.slow else [], id=v.name) for v in variants]


ALL = _params(VARIANTS)
PIECES = _params(v for v in VARIANTS if v.expected == READABLE)


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict[str, BadFile]:
    return {bad.path.name: bad for bad in make_bad_files(tmp_path_factory.mktemp("bad-files"))}


@pytest.fixture(scope="module")
def decide(bad_files, campaign):
    """process_file on a made file, once per file for the whole module."""
    decided: dict[str, list[PageResult]] = {}

    def decide(name: str) -> list[PageResult]:
        if name not in decided:
            decided[name] = process_file(bad_files[name].path.read_bytes(), campaign, CODES_ONLY)
        return decided[name]
    return decide


def test_the_suite_is_large_deterministic_and_covers_every_category(bad_files, tmp_path):
    assert len(bad_files) >= 100
    categories = Counter(bad.category for bad in bad_files.values())
    assert set(categories) == {"empty", "truncated", "corrupt", "repairable", "wrong-type", "encrypted",
                               "oversized", "many-pages", "odd-valid", "forged-code"}
    assert min(categories.values()) >= 3, categories
    faults = {bad.expected for bad in bad_files.values() if isinstance(bad.expected, FileFault)}
    assert faults == set(FileFault)
    again = {bad.path.name: bad.path.read_bytes() for bad in make_bad_files(tmp_path)}
    assert again == {name: bad.path.read_bytes() for name, bad in bad_files.items()}


@pytest.mark.parametrize("name", ALL)
def test_process_file_gives_each_bad_file_its_due(bad_files, decide, name):
    bad = bad_files[name]
    decisions = [result.decision for result in decide(name)]
    assert decisions
    if isinstance(bad.expected, FileFault):
        [decision] = decisions
        assert decision.status is Status.REJECTED and decision.reasons == [Reason.UNREADABLE_FILE.value]
        assert decision.findings[0].detail.startswith(f"{bad.expected.value}: ")
    elif isinstance(bad.expected, Reason):
        for decision in decisions:
            assert decision.status is Status.REVIEW, decision
            assert bad.expected.value in decision.reasons, decision
    else:
        assert bad.expected == READABLE
        assert all(Reason.UNREADABLE_FILE.value not in decision.reasons for decision in decisions)


@pytest.mark.parametrize("name", PIECES)
def test_pieces_to_decide_meet_no_recogniser_fault(decide, name):
    for result in decide(name):
        assert Reason.RECOGNITION_FAILED.value not in result.decision.reasons, result.decision


@pytest.mark.parametrize("name", ALL)
def test_load_pages_raises_only_unreadable_file(bad_files, name):
    bad = bad_files[name]
    data = bad.path.read_bytes()
    if isinstance(bad.expected, FileFault):
        with pytest.raises(UnreadableFile) as error:
            load_pages(data)
        assert error.value.fault is bad.expected
    else:
        assert load_pages(data)
