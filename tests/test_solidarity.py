"""Letters to the person are a kind of their own, from the ledger to the papers: decided by the
machine or by hand they go where the case's postcards go and into that tray and bundle, never to
an embassy; every count shows them apart; and blank backs and postcard picture sides are counted
as sides of their file, never as unreadable files nor as pieces."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import date

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_CAMPAIGN, StepClock

from models.audit.report_types import TOTALS
from models.sides import Side, side_of
from models.store import Store
from models.store.review import CASE_KINDS, Choice, Verdict, decided_state
from scanpipe.domain import i18n
from scanpipe.domain.campaign import postcard_destination
from scanpipe.domain.found import Candidate
from scanpipe.domain.routing import Decision, Finding, Kind, Method, Reason, Status, destination_for
from scanpipe.domain.trays import tray_key
from scanpipe.paper.sheets import Paper
from stations import audit_words
from stations.audit_pdf import report_pdf
from stations.audit_report import report_text, write_report_csv
from stations.cli import cli
from stations.cli import words as cli_words
from stations.delivery import bundle_label, delivery_sheet, write_documents
from stations.web import text as web_text

LETTER_TO_PERSON = Kind.SOLIDARITY_LETTER


def routed(campaign, n_case: str, kind: Kind) -> Decision:
    """A piece of `kind` the machine routed by its code, where `destination_for` sends it."""
    case = campaign.case(n_case)
    return Decision(kind, Status.ROUTED, case.code, destination_for(case, kind), Method.QR, 1.0,
                    (Finding(Reason.ROUTED_BY_QR, f"{kind.value} of case {case.code}"),))


def side(reason: Reason) -> Decision:
    return Decision(Kind.UNKNOWN, Status.REJECTED, findings=(Finding(reason, "made"),))


def take(store: Store, n: int, decision: Decision, *, source: str | None = None,
         page: int = 1) -> int:
    sha = hashlib.sha256(f"file-{source or n}".encode()).hexdigest()
    [outcome] = store.record_file(source_name=source or f"{n:04d}.jpg", sha256=sha,
                                  media_type="jpeg", size=1, pages=[(page, decision)],
                                  station="s1", operator="ana")
    return outcome.item_id


@pytest.fixture
def season(loaded_store):
    """For WENDY (postcards to the person) and CAAL (postcards to the partner office): letters
    to the authority, letters to the person by the machine, a postcard, a petition sheet, a
    blank back and a picture side, and one letter in review."""
    store = loaded_store
    campaign = store.campaign()
    ids = {
        "wendy_letter": take(store, 1, routed(campaign, "WENDY", Kind.LETTER)),
        "wendy_to_person": [take(store, n, routed(campaign, "WENDY", LETTER_TO_PERSON))
                            for n in (2, 3)],
        "wendy_postcard": take(store, 4, routed(campaign, "WENDY", Kind.POSTCARD)),
        "caal_to_person": take(store, 5, routed(campaign, "CAAL", LETTER_TO_PERSON)),
        "caal_petition": take(store, 6, Decision(Kind.PETITION, Status.ROUTED, "CAAL",
                                                 "embassy:GT", Method.QR, 1.0,
                                                 (Finding(Reason.ROUTED_BY_QR, "made"),),
                                                 signatures=7)),
        "blank": take(store, 7, side(Reason.BLANK_PAGE), source="duplex.pdf", page=2),
        "picture": take(store, 8, side(Reason.POSTCARD_PICTURE_SIDE), source="card.pdf", page=2),
        "unreadable": take(store, 9, side(Reason.UNREADABLE_FILE), source="broken.jpg"),
        "review": take(store, 10, Decision(Kind.LETTER, Status.REVIEW,
                                           findings=(Finding(Reason.ADDRESSEE_UNCLEAR, "who?"),),
                                           candidates=(Candidate("WENDY", 0.9, ()),))),
    }
    return store, campaign, ids


# ---------------------------------------------------------------- routing and bundles

def test_a_letter_to_the_person_goes_where_the_postcards_go_and_into_their_bundle(season):
    store, _, ids = season
    pending = {p.destination: p for p in store.pending()}
    assert (pending["person:WENDY"].solidarity_letters, pending["person:WENDY"].postcards,
            pending["person:WENDY"].letters) == (2, 1, 0)
    assert pending["partner:AIIS"].solidarity_letters == 1
    assert all(pending[d].solidarity_letters == 0 for d in pending if d.startswith("embassy:"))

    embassy = store.close_bundle("embassy:MX", actor="cora", station="office")
    assert embassy.item_ids == (ids["wendy_letter"],)
    assert embassy.totals["solidarity_letters"] == 0
    forwarded = store.close_bundle("person:WENDY", actor="cora", station="office")
    assert forwarded.item_ids == (*ids["wendy_to_person"], ids["wendy_postcard"])
    [line] = forwarded.lines
    assert (line.case, line.letters, line.solidarity_letters, line.postcards) == ("WENDY", 0, 2, 1)
    assert forwarded.totals == {"letters": 0, "solidarity_letters": 2, "postcards": 1,
                                "petitions": 0, "signatures": 0, "pieces": 3}
    # The event says what the papers will say, and the audit replays it to the same totals.
    closed = [json.loads(e.payload) for e in store.events() if e.type == "bundle.closed"]
    assert closed[-1]["totals"] == forwarded.totals
    assert closed[-1]["lines"][0]["solidarity_letters"] == 2
    assert store.audit(check_images=False).ok


def test_a_letter_to_the_person_decided_by_hand_goes_to_the_postcard_tray(season):
    store, campaign, ids = season
    item = store.decide(ids["review"], Choice(Verdict.CASE, "WENDY", LETTER_TO_PERSON), campaign,
                        actor="ana", station="s1")
    assert (item.kind, item.destination, item.status, item.method) == \
        ("solidarity_letter", "person:WENDY", "routed", "manual")
    plan = store.tray_plan(campaign)
    key = tray_key(item.kind, item.status, item.destination, json.loads(item.reasons))
    assert key == postcard_destination(campaign.case("WENDY"))
    assert plan[key] == plan["person:WENDY"] != plan["embassy:MX"]
    view = store.close_bundle("person:WENDY", actor="cora", station="office")
    assert ids["review"] in view.item_ids and view.totals["solidarity_letters"] == 3
    assert store.audit(check_images=False).ok


def test_every_kind_a_person_may_choose_goes_where_destination_for_says(season):
    store, campaign, ids = season
    assert LETTER_TO_PERSON in CASE_KINDS
    for kind in CASE_KINDS:
        state = store.review_piece(ids["review"])
        decided = decided_state(state.item, Choice(Verdict.CASE, "CAAL", kind), campaign, 1)
        expected = "partner:AIIS" if kind in (Kind.POSTCARD, LETTER_TO_PERSON) else "embassy:GT"
        assert (decided["kind"], decided["destination"]) == (kind.value, expected)


def test_a_letter_to_the_person_routed_to_an_embassy_is_held_for_review(loaded_store):
    """Should the recogniser ever route one to an embassy, the ledger records review instead:
    the audit would refuse the ledger for good otherwise."""
    store = loaded_store
    wrong = Decision(LETTER_TO_PERSON, Status.ROUTED, "CAAL", "embassy:GT", Method.OCR, 0.9,
                     (Finding(Reason.ROUTED_BY_OCR, "made"),))
    item = store.item(take(store, 1, wrong))
    assert (item.status, item.destination, item.case_code) == ("review", None, None)
    piece = store.review_piece(item.id)
    assert piece.state["reasons"][0] == "ADDRESSEE_UNCLEAR"
    assert [c["case"] for c in piece.state["candidates"]] == ["CAAL"]
    assert store.pending() == []
    assert store.audit(check_images=False).ok


# ----------------------------------------------------------------------- papers

def _text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in document)
    finally:
        document.close()


def test_the_forwarding_manifest_and_label_count_letters_to_the_person(season, tmp_path):
    store, campaign, _ = season
    view = store.close_bundle("person:WENDY", actor="cora", station="office")
    sheet = delivery_sheet(view, campaign, date(2022, 1, 20))
    assert sheet.paper is Paper.COVER and sheet.totals[4] == 2  # no contact forwards her cards
    label = bundle_label(view, campaign, date(2022, 1, 20))
    assert (label.postcards, label.solidarity_letters) == (1, 2)
    paths = write_documents(store, view, campaign, tmp_path, issued_on=date(2022, 1, 20),
                            lang="fr", office_lang="fr", actor="cora", station="office")
    manifest, office, sticker = (_text(p.read_bytes()) for p in paths)
    assert "Cartes Lettres de solidarité Total" in manifest
    assert re.search(r"Wendy \S.* Mexique 1 2 3", manifest)
    assert re.search(r"TOTAL 1 2 3", manifest)
    assert "Au total : 1 carte, 2 lettres de solidarité." in manifest
    assert "Lettres à la personne" in office and re.search(r"WENDY Wendy \S.* 0 2 1 0 0", office)
    assert "Cartes 1" in sticker and "Lettres de solidarité 2" in sticker
    # Each printed paper is recorded with the bundle's totals, and the audit agrees.
    issued = [json.loads(e.payload) for e in store.events() if e.type == "sheet.issued"]
    assert [p["document"] for p in issued] == ["manifest", "office_copy", "label"]
    assert all(p["totals"]["solidarity_letters"] == 2 for p in issued)
    assert store.audit(check_images=False).ok


def test_an_embassy_delivery_sheet_never_shows_the_kind(season, tmp_path):
    store, campaign, _ = season
    view = store.close_bundle("embassy:GT", actor="cora", station="office")
    paths = write_documents(store, view, campaign, tmp_path, issued_on=date(2022, 1, 20),
                            lang="en", office_lang="en", actor="cora", station="office")
    sheet, _, label = paths  # the office copy counts every kind, the letters to the person too
    for path in (sheet, label):
        assert "to the person" not in _text(path.read_bytes())


# ------------------------------------------------------------------------- reports

def test_the_reconciliation_counts_letters_to_the_person_apart(season):
    store, _, _ = season
    store.close_bundle("person:WENDY", actor="cora", station="office")
    report = store.reconciliation()
    by_case = report.table("by_case")
    wendy = dict(zip(by_case.columns, by_case.rows[by_case.column("case").index("WENDY")]))
    assert (wendy["letters"], wendy["solidarity_letters"], wendy["postcards"], wendy["pieces"]) \
        == (1, 2, 1, 4)
    by_destination = report.table("by_destination")
    rows = {r[0]: dict(zip(by_destination.columns, r)) for r in by_destination.rows}
    assert rows["person:WENDY"]["solidarity_letters"] == 2
    assert rows["partner:AIIS"]["solidarity_letters"] == 1
    assert rows["embassy:MX"]["solidarity_letters"] == 0
    assert dict(report.table("by_kind").rows)["solidarity_letter"] == 3
    assert report.figures["solidarity_letters"] == 3 and report.figures["pieces"] == 6
    bundles = report.table("bundles")
    row = dict(zip(bundles.columns, bundles.rows[0]))
    assert [row[t] for t in TOTALS] == [0, 2, 1, 0, 0, 3]  # one column per total


def test_blank_and_picture_sides_are_sides_of_their_file(season):
    store, _, ids = season
    report = store.reconciliation()
    outcomes = dict(report.table("outcomes").rows)
    assert (outcomes["blank_side"], outcomes["picture_side"], outcomes["unreadable"]) == (1, 1, 1)
    figures = report.figures
    assert (figures["blank_sides"], figures["picture_sides"], figures["unreadable_files"]) == \
        (1, 1, 1)
    pulled = {row[1] for row in report.table("exceptions").rows}
    assert f"{ids['unreadable']:07d}" in pulled  # a file to scan again
    assert f"{ids['blank']:07d}" not in pulled and f"{ids['picture']:07d}" not in pulled
    # At the station: the batch summary and the running counts say the same.
    summary = store.batch_summary(store.item(ids["blank"]).batch_id)
    assert (summary.by_status["blank_side"], summary.by_status["picture_side"],
            summary.by_status["rejected"]) == (1, 1, 1)
    assert summary.sides == 2 and summary.total == 10
    # The paper stays with its sheet or card: no tray of its own, no alarm.
    for item_id in (ids["blank"], ids["picture"]):
        item = store.item(item_id)
        assert tray_key(item.kind, item.status, item.destination, json.loads(item.reasons)) is None
    assert [p.counted_as for p in store.rejected_pages()] == ["blank_side", "picture_side",
                                                               "unreadable"]
    assert store.rejected_counts() == {"blank_side": 1, "picture_side": 1, "unreadable": 1}


def test_a_page_is_a_side_only_when_rejected_for_it():
    assert side_of("rejected", ["BLANK_PAGE"]) is Side.BLANK
    assert side_of("rejected", ["FOREIGN_CODE", "POSTCARD_PICTURE_SIDE"]) is Side.PICTURE
    assert side_of("rejected", ["POSTCARD_PICTURE_SIDE", "BLANK_PAGE"]) is Side.BLANK
    assert side_of("review", ["BLANK_PAGE"]) is None  # writing to read: a person looks at it
    assert side_of("rejected", ["UNREADABLE_FILE"]) is None


@pytest.mark.parametrize("lang, letters_to_person, blank", [
    ("fr", "Lettres à la personne", "Versos blancs"),
    ("en", "Letters to the person", "Blank sides"),
    ("nl", "Solidariteitsbrieven", "Blanco achterkanten"),
])
def test_every_rendering_of_the_report_names_them(season, tmp_path, lang, letters_to_person,
                                                  blank):
    store, _, _ = season
    report = store.reconciliation()
    pdf = _text(report_pdf(report, lang))
    assert letters_to_person in pdf and blank in pdf
    text = report_text(report)
    assert "solidarity_letters" in text and "Blank sides (kept with their file)" in text
    write_report_csv(report, tmp_path / "csv", "en")
    with open(tmp_path / "csv" / "by_case.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert {r["Case"]: r["Letters to the person"] for r in rows} == {"CAAL": "1", "WENDY": "2"}


# ------------------------------------------------------------------- command line

@pytest.fixture
def cli_ledger(tmp_path):
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), *map(str, args)])

    assert run("campaign", "load", SAMPLE_CAMPAIGN).exit_code == 0
    store = Store.open(f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite3'}", tmp_path / "images",
                       StepClock())
    campaign = store.campaign()
    take(store, 1, routed(campaign, "WENDY", Kind.LETTER))
    for n in (2, 3):
        take(store, n, routed(campaign, "WENDY", LETTER_TO_PERSON))
    take(store, 4, routed(campaign, "WENDY", Kind.POSTCARD))
    for n, page in ((5, 2), (6, 4)):
        take(store, n, side(Reason.BLANK_PAGE), source=f"duplex-{n}.pdf", page=page)
    take(store, 7, side(Reason.POSTCARD_PICTURE_SIDE), source="card.pdf", page=2)
    take(store, 8, side(Reason.UNREADABLE_FILE), source="broken.jpg")
    store.close()
    return run


def test_summary_counts_letters_to_the_person_and_lists_every_rejected_page(cli_ledger):
    out = cli_ledger("summary").output
    assert re.search(r"WENDY\s+person:WENDY\s+letter to the person\s+2\s*$", out, re.MULTILINE), out
    assert re.search(r"WENDY\s+person:WENDY\s+postcard\s+1\s*$", out, re.MULTILINE)
    assert re.search(r"WENDY\s+embassy:MX\s+letter to the authority\s+1\s*$", out, re.MULTILINE)
    assert "2 blank sides:\n    duplex-5.pdf p2\n    duplex-6.pdf p4\n" in out
    assert "1 postcard picture side:\n    card.pdf p2\n" in out
    assert re.search(r"1 unreadable page:\n\s+broken\.jpg p1 \(\d{7}\): UNREADABLE_FILE", out)
    assert ("4 routed to a case (1 letter to the authority, 2 letters to the person, "
            "1 postcard, 0 petition sheets)") in out
    assert "2 blank sides and 1 postcard picture side kept with their files" in out


def test_bundle_pending_show_and_progress_count_letters_to_the_person(cli_ledger, tmp_path):
    pending = cli_ledger("bundle", "pending").output
    assert "to authority to person postcards" in pending
    assert re.search(r"person:WENDY\s+0\s+2\s+1\s+0\s+0", pending), pending
    assert re.search(r"embassy:MX\s+1\s+0\s+0\s+0\s+0", pending)
    closed = cli_ledger("bundle", "close", "person:WENDY", "--out", tmp_path / "papers").output
    assert "3 pieces: 2 letters to the person, 1 postcard" in closed, closed
    shown = cli_ledger("bundle", "show", "1").output
    assert re.search(r"WENDY\s+0\s+2\s+1\s+0\s+0\n", shown), shown
    progress = cli_ledger("progress").output
    assert re.search(r"WENDY\s+person:WENDY\s+3\s+3\s+0\s+0\s+0\s+2 letters to the person, "
                     r"1 postcard", progress), progress
    [row] = [json.loads(line) for line in cli_ledger("progress", "--json").output.splitlines()
             if json.loads(line)["destination"] == "person:WENDY"]
    assert (row["solidarity_letters"], row["postcards"], row["letters"]) == (2, 1, 0)
    report = json.loads(cli_ledger("audit", "report", "--format", "json").output)
    assert report["figures"]["solidarity_letters"] == 2
    assert report["figures"]["blank_sides"] == 2 and report["figures"]["unreadable_files"] == 1
    [wendy] = report["tables"]["by_case"]
    assert wendy["solidarity_letters"] == 2 and wendy["letters"] == 1


# -------------------------------------------------------------------------- words

@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_has_a_word_in_each_language_of_each_vocabulary(kind):
    for lang in web_text.LANGUAGES:  # the station's screens, without falling back
        assert web_text._T[f"kind.{kind.value}"].get(lang), (kind, lang)
    for lang in audit_words.LANGUAGES:  # the auditors' report
        assert audit_words.words(lang).get(f"kind.{kind.value}", "")
    assert kind.value in cli_words.kinds()  # the command line (English)
    words = {web_text.text(f"kind.{kind.value}", "en"), cli_words.kind_word(kind.value)}
    if kind is LETTER_TO_PERSON:
        assert words == {"letter to the person"}
    if kind is Kind.LETTER:  # never just "letter": it would read as both kinds
        assert all("authority" in w for w in words)


def test_the_words_for_letters_to_the_person_on_paper_and_in_the_report():
    assert [i18n.text("sheet.col_solidarity_letters", lang) for lang in i18n.LANGUAGES] == \
        ["Lettres à la personne", "Letters to the person", "Solidariteitsbrieven"]
    for key in ("column.solidarity_letters", "figure.blank_sides",
                "figure.picture_sides", "outcome.blank_side", "outcome.picture_side"):
        assert all(audit_words.words(lang)(key) for lang in audit_words.LANGUAGES)
    assert [audit_words.words(lang)("column.solidarity_letters") for lang in ("fr", "en", "nl")] \
        == ["Lettres à la personne", "Letters to the person", "Solidariteitsbrieven"]


def test_every_reason_is_explained_at_the_station():
    """The operator reads why a page is where it is, the new reasons included (a picture side,
    an addressee to tell)."""
    for reason in Reason:
        assert reason.value in web_text.reason_codes(), reason
        for lang in ("fr", "en"):
            assert web_text.reason_text(reason.value, lang) != reason.value
