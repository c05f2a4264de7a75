"""A bundle's papers from the ledger: the embassy's sheet holds nothing internal (what is
forbidden is derived from the bundle itself), in the embassy's own language; 5,000 letters
make at most two pages; the office copy lists every piece; postcard manifests address who
forwards the cards, never the imprisoned person, and never ask her to sign; the command line
and the station app write the three papers."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from conftest import record_piece
from station_app import csrf, sign_in

from models.store import Store, item_ref
from scanpipe.domain import i18n
from scanpipe.domain.campaign import (
    CampaignError,
    campaign_changes,
    case_text,
    parse_campaign,
    postcard_destination,
)
from scanpipe.domain.routing import Decision, Finding, Kind, Method, Reason, Status
from scanpipe.paper.sheets import Paper
from stations.cli import cli
from stations.delivery import (
    delivery_sheet,
    office_copy,
    paper_of,
    papers_language,
    recipient,
    render_copy,
    render_label,
    render_sheet,
)

LANGS = ("fr", "en", "nl")
ISSUED = date(2022, 1, 20)
CONTACT = ('\n[cases.postcards.contact]\nname = "Centro Prodh, équipe de soutien"\n'
           'address = """\nSerapio Rendón 57-B\n06470 Ciudad de México"""\n')


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in document)
    finally:
        document.close()


def pages_of(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def with_changes(text: str, *, embassy_language: str | None = None, contact: bool = False) -> str:
    """The sample campaign with the Guatemalan embassy's language and a contact who forwards
    Wendy Galarza's cards."""
    if embassy_language:
        text = text.replace('name = "Ambassade de la République du Guatemala"\n',
                            'name = "Ambassade de la République du Guatemala"\n'
                            f'language = "{embassy_language}"\n')
    if contact:
        start = text.index('name = "Wendy Galarza"')
        end = text.index('"""', text.index('address = """', start) + 13) + 3
        text = text[:end] + CONTACT + text[end:]
    return text


def routed(case: str, kind: Kind, destination: str, signatures: int | None = None) -> Decision:
    return Decision(kind, Status.ROUTED, case, destination, Method.QR, 1.0,
                    (Finding(Reason.ROUTED_BY_QR, "made"),), signatures=signatures)


def record_many(store: Store, decisions: list[Decision], name: str) -> list[int]:
    """Record `decisions` as the pages of one file (fast: one transaction)."""
    outcomes = store.record_file(source_name=name, sha256=hashlib.sha256(name.encode()).hexdigest(),
                                 media_type="pdf",
                                 size=1, pages=list(enumerate(decisions, start=1)), station="s1",
                                 operator="ana")
    return [o.item_id for o in outcomes]


# ------------------------------------------------------------------ the campaign file

def test_an_embassy_may_choose_the_language_of_its_papers(campaign_text):
    campaign = parse_campaign(with_changes(campaign_text, embassy_language="nl"))
    assert campaign.embassy_language("GT") == "nl"
    assert campaign.embassy_language("ER") == campaign.language == "fr"
    assert papers_language(campaign, "embassy:GT") == "nl"
    assert papers_language(campaign, "partner:AIIS") == "fr"
    with pytest.raises(CampaignError, match=r"embassies\[0\]\.language"):
        parse_campaign(with_changes(campaign_text, embassy_language="de"))
    before = parse_campaign(campaign_text)
    assert [c.subject for c in campaign_changes(before, campaign)
            if "language" in c.what] == ["embassy GT"]


def test_a_contact_forwards_a_persons_cards_and_only_hers(campaign_text):
    campaign = parse_campaign(with_changes(campaign_text, contact=True))
    wendy = campaign.case("WENDY")
    assert wendy.postcards.contact.name == "Centro Prodh, équipe de soutien"
    assert recipient(campaign, "person:WENDY").name == "Centro Prodh, équipe de soutien"
    assert paper_of(campaign, "person:WENDY") is Paper.FORWARDING
    assert paper_of(parse_campaign(campaign_text), "person:WENDY") is Paper.COVER
    changes = campaign_changes(parse_campaign(campaign_text), campaign)
    assert any(c.subject == "case WENDY" and "contact" in c.what for c in changes)
    relatives = campaign_text.replace('[cases.postcards]\nto = "relatives"',
                                      '[cases.postcards]\nto = "relatives"\n'
                                      'contact = { name = "X", address = "Y" }')
    assert relatives != campaign_text
    with pytest.raises(CampaignError, match='contact is for to = "person" only'):
        parse_campaign(relatives)


# ------------------------------------------------------------------ nothing internal

@pytest.fixture
def late_bundle(loaded_store, campaign):
    """A bundle for the Guatemalan embassy: letters and petition sheets of three cases, the
    last four pieces scanned after the deadline."""
    store = loaded_store
    for n, (case, kind, signed) in enumerate([("CAAL", Kind.LETTER, None)] * 12
                                             + [("CAAL", Kind.PETITION, 7), ("CIHAM", Kind.LETTER, None),
                                                ("BAKER", Kind.PETITION, None)] * 3):
        record_piece(store, n, case=case, kind=kind, signatures=signed)
    late_after = store.clock()  # the deadline passes (the test clock steps a second a reading)
    ids = [record_piece(store, 100 + n) for n in range(4)]
    view = store.close_bundle("embassy:GT", actor="cora-closer", station="office-desk",
                              late_after=late_after)
    return store, view, ids


def forbidden(view, campaign, lang: str) -> list[str]:
    """What the office knows of a bundle and an embassy must not read, from the bundle."""
    copy = office_copy(view, campaign, ISSUED)
    sheet = delivery_sheet(view, campaign, ISSUED)
    words = [view.bundle.destination, *(item_ref(i) for i in view.item_ids),
             sheet.bundle_code, sheet.appendix_code, *(c.rsplit(":", 1)[1] for c in
                                                        (sheet.bundle_code, sheet.appendix_code)),
             i18n.counted("late", len(view.late_ids), lang,
                          deadline=i18n.format_date(campaign.deadline, lang)),
             i18n.format_date(campaign.deadline, lang), view.bundle.created_by, "office-desk",
             campaign.id]
    assert copy.late and all(w for w in words)
    return words


@pytest.mark.parametrize("lang", LANGS)
def test_the_embassy_sheet_holds_nothing_internal(late_bundle, campaign, lang):
    _, view, late_ids = late_bundle
    assert sorted(view.late_ids) == sorted(late_ids)
    text = pdf_text(render_sheet(view, campaign, ISSUED, lang))
    for word in forbidden(view, campaign, lang):
        assert word not in text, word
    for case in view.lines:  # the case codes are the office's words
        assert not re.search(rf"\b{re.escape(case.case)}\b", text)
    assert not re.search(r"\bana\b|\bs1\b", text)  # who scanned, and where
    assert not re.search(r"\b\d{7}\b", text)  # no item id of any form
    # What it must say: the people, their countries and the counts, as the ledger has them.
    assert "Bernardo Caal Xol Guatemala 16 0 3 21" in text  # 12 + 4 late letters, 3 × 7 signed
    assert f"{i18n.text('sheet.total', lang)} 19 0 6 —" in text  # Baker's sheets not counted


@pytest.mark.parametrize("lang", LANGS)
def test_the_sheet_names_each_country_in_its_language(late_bundle, campaign, lang):
    """A Dutch sheet says "Egypte", an English one "Egypt": the country as the campaign file
    gives it in the sheet's language, not in the campaign's own."""
    _, view, _ = late_bundle
    baker = campaign.case("BAKER")
    assert baker is not None and len({case_text(campaign, baker, "country", x) for x in LANGS}) == 3
    text = pdf_text(render_sheet(view, campaign, ISSUED, lang))
    assert f"Mohamed Baker {case_text(campaign, baker, 'country', lang)} " in text
    others = {case_text(campaign, baker, "country", x) for x in LANGS} - {
        case_text(campaign, baker, "country", lang)}
    assert not any(f"Mohamed Baker {other} " in text for other in others)


@pytest.mark.parametrize("lang", LANGS)
def test_the_label_holds_nothing_internal(late_bundle, campaign, lang):
    _, view, _ = late_bundle
    text = pdf_text(render_label(view, campaign, ISSUED, lang))
    for word in forbidden(view, campaign, lang):
        assert word not in text, word


def test_the_office_copy_has_what_the_sheet_leaves_out(late_bundle, campaign):
    _, view, late_ids = late_bundle
    text = pdf_text(render_copy(view, campaign, ISSUED, "fr"))
    listed = []
    for first, last in re.findall(r"\b(\d{7})(?:–(\d{7}))?\b", text):
        listed += range(int(first), int(last or first) + 1)
    assert sorted(listed) == sorted([*view.item_ids, *late_ids])  # every id; the late ones again
    assert "4 pièces arrivées après la date limite du 11 janvier 2022" in text
    assert "Destination : embassy:GT" in text and "par cora-closer" in text
    assert f"{len(view.item_ids)} pièces dans la liasse" in text


def test_five_thousand_letters_over_ten_cases_make_at_most_two_pages(loaded_store, campaign):
    cases = [c.code for c in campaign.cases]
    assert len(cases) == 10
    decisions = [routed(cases[n % 10], Kind.PETITION if n % 50 == 0 else Kind.LETTER,
                        "embassy:GT", signatures=5 if n % 50 == 0 else None) for n in range(5000)]
    record_many(loaded_store, decisions, "season")
    view = loaded_store.close_bundle("embassy:GT", actor="cora", station="office")
    assert len(view.item_ids) == 5000
    for lang in LANGS:
        pdf = render_sheet(view, campaign, ISSUED, lang)
        assert pages_of(pdf) <= 2
        text = pdf_text(pdf)
        assert f"{i18n.text('sheet.total', lang)} 4900 0 100 500" in text
        assert i18n.counted("letter", 4900, lang) in text
    # The office copy lists all 5,000 ids, consecutive ones as ranges.
    office = pdf_text(render_copy(view, campaign, ISSUED, "fr"))
    assert f"{item_ref(view.item_ids[0])}–{item_ref(view.item_ids[-1])}" in office


# ------------------------------------------------------------------ postcard manifests

def addressee_block(text: str, lang: str, campaign_name: str, paper: Paper) -> str:
    """The words between the "Recipient" heading and the first words of the introduction."""
    intro = i18n.text({Paper.FORWARDING: "sheet.intro_forwarding",
                       Paper.COVER: "sheet.intro_cover"}[paper], lang, name=campaign_name)
    end = text.index(intro)
    start = text.find(i18n.text("sheet.recipient", lang) + " ")
    return "" if start < 0 or start > end else text[start:end]


@pytest.mark.parametrize("contact", [False, True], ids=["no-contact", "contact"])
def test_postcard_papers_never_address_the_person_nor_ask_her_to_sign(loaded_store, campaign_text,
                                                                      contact):
    campaign = parse_campaign(with_changes(campaign_text, contact=contact))
    for n, case in enumerate(campaign.cases):
        record_piece(loaded_store, 1000 + n, case=case.code, kind=Kind.POSTCARD,
                     destination=postcard_destination(case))
    destinations = sorted({postcard_destination(c) for c in campaign.cases})
    assert {d.split(":")[0] for d in destinations} == {"partner", "relatives", "person"}
    for destination in destinations:
        view = loaded_store.close_bundle(destination, actor="cora", station="office")
        persons = [line.person for line in view.lines]
        paper = paper_of(campaign, destination)
        for lang in LANGS:
            text = pdf_text(render_sheet(view, campaign, ISSUED, lang))
            block = addressee_block(text, lang, campaign.name, paper)
            for person in persons:
                assert person in text  # the cards are for her: she is listed …
                if not destination.startswith("relatives:"):  # ("La famille de Mohamed Baker")
                    assert person.split()[-1] not in block, (destination, lang)  # … not addressed
                if paper is not Paper.COVER:  # the label of a cover list's bundle names her
                    assert recipient(campaign, destination).name != person
            asks = [i18n.text(k, lang) for k in ("sheet.receipt", "sheet.received_by",
                                                 "sheet.stamp")]
            if paper is Paper.COVER:
                assert destination == "person:WENDY" and not contact
                assert block == "" and not any(word in text for word in asks)
            else:
                assert recipient(campaign, destination).name in block
                assert all(word in text for word in asks)  # the forwarder signs
        label = pdf_text(render_label(view, campaign, ISSUED, "fr"))
        assert destination not in label


# ------------------------------------------------------------------ the command line

@pytest.fixture
def cli_ledger(tmp_path, campaign_text):
    """A data folder whose ledger holds the sample campaign (the Guatemalan embassy reads
    Dutch) and routed pieces for embassy:GT and relatives:BAKER."""
    path = tmp_path / "campaign.toml"
    path.write_text(with_changes(campaign_text, embassy_language="nl"), encoding="utf-8")
    runner = CliRunner()

    def run(*args, env=None):
        return runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), *map(str, args)],
                             env={"SCANPIPE_LANGUAGE": "en", **(env or {})})
    assert run("campaign", "load", path).exit_code == 0
    store = Store.open(f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite3'}",
                       tmp_path / "data" / "images")
    for n in range(3):
        record_piece(store, n)
    record_piece(store, 3, case="BAKER", kind=Kind.POSTCARD, destination="relatives:BAKER")
    store.close()
    return run


def test_close_writes_three_papers_each_in_its_language(cli_ledger, tmp_path):
    out = tmp_path / "papers"
    result = cli_ledger("bundle", "close", "--all", "--out", out, "--date", "2022-01-20",
                        "--handed-by", "Alice Martin")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "bundle-0001-embassy-GT-delivery-sheet.pdf", "bundle-0001-embassy-GT-label.pdf",
        "bundle-0001-embassy-GT-office-copy.pdf", "bundle-0002-relatives-BAKER-label.pdf",
        "bundle-0002-relatives-BAKER-manifest.pdf", "bundle-0002-relatives-BAKER-office-copy.pdf"]
    sheet = pdf_text((out / "bundle-0001-embassy-GT-delivery-sheet.pdf").read_bytes())
    assert "Afgifteborderel" in sheet and "3 brieven" in sheet  # the embassy reads Dutch
    assert "Overhandigd door (naam): Alice Martin" in sheet
    label = pdf_text((out / "bundle-0001-embassy-GT-label.pdf").read_bytes())
    assert "Af te geven bundel" in label
    office = pdf_text((out / "bundle-0001-embassy-GT-office-copy.pdf").read_bytes())
    assert "Office copy" in office and "3 pieces in the bundle" in office  # SCANPIPE_LANGUAGE
    manifest = pdf_text((out / "bundle-0002-relatives-BAKER-manifest.pdf").read_bytes())
    assert "Bordereau de transmission" in manifest  # the campaign's language
    assert "La famille de Mohamed Baker" in manifest


def test_print_may_choose_the_language_and_refuses_a_bad_name(cli_ledger, tmp_path):
    assert cli_ledger("bundle", "close", "embassy:GT").exit_code == 0
    out = tmp_path / "again"
    result = cli_ledger("bundle", "print", "1", "--out", out, "--lang", "fr")
    assert result.exit_code == 0, result.output
    sheet = pdf_text((out / "bundle-0001-embassy-GT-delivery-sheet.pdf").read_bytes())
    assert "Bordereau de remise" in sheet and "Remis par (nom) : Signature :" in sheet
    bad = cli_ledger("bundle", "print", "1", "--out", out, "--handed-by", "Alice\x1b[31m")
    assert bad.exit_code == 2 and "control characters" in bad.output


# ------------------------------------------------------------------ the station app

def test_the_station_prints_the_three_papers(setup):
    store, _, _, client = setup
    for n in range(3):
        record_piece(store, n)
    sign_in(client, "Chloé")
    token = csrf(client, "/bundles")
    client.post("/bundles/close", data={"csrf": token, "destination": "embassy:GT"})
    page = client.get("/bundles/1").text
    assert "Imprimer la copie du bureau" in page and 'name="handed_by"' in page

    def paper(document: str, **form) -> str:
        answer = client.post("/bundles/1/papers", data={"csrf": token, "document": document,
                                                         **form})
        assert answer.headers["content-type"] == "application/pdf"
        return pdf_text(answer.content)

    sheet = paper("sheet", handed_by="Chloé Dupont")
    assert "Bordereau de remise" in sheet and "Remis par (nom) : Chloé Dupont" in sheet
    assert "embassy:GT" not in sheet
    office = paper("office_copy", lang="nl")
    assert "Kopie voor het kantoor" in office and "embassy:GT" in office
    assert "Liasse à remettre" in paper("label")
    assert client.post("/bundles/1/papers", data={"csrf": token, "document": "x"}).status_code == 400
    issued = [e.payload for e in store.events() if e.type == "sheet.issued"]
    assert ['"delivery_sheet"' in p for p in issued] == [True, False, False]
    assert '"office_copy"' in issued[1] and '"nl"' in issued[1]
    assert store.audit(check_images=False).ok

