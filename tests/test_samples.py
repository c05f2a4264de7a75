"""Every bundled sample scan is decided as expected.json (how each page was made) says."""

import json

import pytest
from conftest import ROOT

from scanpipe.reading.pipeline import process_file

SCANS = ROOT / "samples" / "scans"
EXPECTED = SCANS / "expected.json"


def expected_pages():
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


def test_the_sample_set_is_small_and_complete(campaign):
    files = [p for p in SCANS.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) <= 5_000_000
    pages = expected_pages()
    kinds = {p["kind"] for p in pages}
    assert {"letter", "postcard", "petition", "kit_envelope"} <= kinds
    assert {p["case"] for p in pages if p["case"]} == {c.code for c in campaign.cases}
    assert {p["file"] for p in pages} == {str(p.relative_to(SCANS)) for p in files
                                          if p.name != "expected.json"}


@pytest.mark.parametrize("name", sorted({p["file"] for p in expected_pages()}))
def test_sample_decisions_match_the_golden_file(campaign, name):
    pages = {r.page: r for r in process_file((SCANS / name).read_bytes(), campaign)}
    results = {number: r.decision for number, r in pages.items()}
    for page in (p for p in expected_pages() if p["file"] == name):
        decision = results[page["page"]]
        got = {"kind": decision.kind.value, "case": decision.case, "status": decision.status.value}
        want = {k: page[k] for k in ("kind", "case", "status")}
        assert got == want, f"{name} page {page['page']} ({page['note']})"
        if decision.status.value == "routed" and decision.case:
            # A page with a code routes by it; one without, by its printed text.
            assert decision.method.value == ("ocr" if page.get("by_text") else "qr")
            assert decision.destination
        if page.get("kit") is not None:
            assert decision.kit_serial == page["kit"]
        if page.get("signatures") is not None:
            assert decision.signatures == page["signatures"]
