"""The auditors' command line, driven with click's runner on a season in a data folder."""

from __future__ import annotations

import csv
import io
import json
import shlex
import sys
from pathlib import Path

import openpyxl
import pypdfium2
import pytest
from click.testing import CliRunner
from conftest import StepClock
from cryptography.hazmat.primitives import serialization
from season import build_season, take_in

from models.audit.report_types import TABLES
from models.store import Store
from scanpipe.domain.routing import Decision, Kind, Status
from scanpipe.simulate.scansim import rasterise_pdf
from stations.cli import cli
from stations.spreadsheets import read_csv


@pytest.fixture(scope="module")
def season_dir(tmp_path_factory, campaign_text):
    data = tmp_path_factory.mktemp("cli-audit") / "data"
    data.mkdir()
    store = Store.open(f"sqlite:///{data / 'ledger.sqlite3'}", data / "images", StepClock())
    season = build_season(store, campaign_text, envelopes=12, seed=5)
    take_in(store, season, "evil\x1b[31mname.jpg", b"odd file", Decision(Kind.LETTER, Status.REVIEW),
            "station\x07", "op\x1b]0;x")
    store.close()
    keys = data / "keys"  # the office's key, which signed the season's checkpoints
    keys.mkdir()
    (keys / "office-signing.key").write_bytes(season.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (keys / "office-signing.key").chmod(0o600)
    (keys / "office-signing.pub").write_bytes(season.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return data, season


@pytest.fixture
def run(season_dir, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(season_dir[0], data)
    runner = CliRunner()

    def invoke(*args, **kwargs):
        return runner.invoke(cli, ["--data-dir", str(data), *map(str, args)], **kwargs)
    invoke.data = data
    return invoke


def test_key_create(tmp_path):
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    created = runner.invoke(cli, [*base, "audit", "key", "create"])
    assert created.exit_code == 0, created.output
    assert (tmp_path / "data" / "private" / "office-signing.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "data" / "private").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "data" / "keys" / "office-signing.pub").stat().st_mode & 0o777 == 0o644
    assert not (tmp_path / "data" / "keys" / "office-signing.key").exists()
    again = runner.invoke(cli, [*base, "audit", "key", "create"])
    assert again.exit_code == 3 and "exists already" in again.output  # never replaced


def test_checkpoint_and_verify(run, tmp_path):
    fingerprint = run("audit", "key", "show").output.strip()
    assert len(fingerprint) == 64
    signed = run("audit", "checkpoint")
    assert signed.exit_code == 0, signed.output
    kept = tmp_path / "kept.jsonl"
    kept.write_text(signed.stdout)
    line = json.loads(signed.stdout)
    assert line["key_id"] == fingerprint
    verified = run("audit", "verify", "--checkpoints", kept)
    assert verified.exit_code == 0, verified.output
    assert "checkpoints verified" in verified.output
    # A foreign key given by the auditor: the office's checkpoints do not verify with it.
    other = tmp_path / "other"
    other.mkdir()
    CliRunner().invoke(cli, ["--data-dir", str(other), "audit", "key", "create"])
    refused = run("audit", "verify", "--public-key", other / "keys" / "office-signing.pub")
    assert refused.exit_code == 1 and "AUDIT FAILED at checkpoint of event" in refused.output


def test_verify_fails_with_exit_1_and_the_place(run):
    import sqlite3

    with sqlite3.connect(run.data / "ledger.sqlite3") as db:
        db.execute("UPDATE event SET station = 'elsewhere' WHERE seq = 12")
    result = run("audit", "verify", "--no-images")
    assert result.exit_code == 1 and "AUDIT FAILED at event 12" in result.output


def test_report_in_every_format(run, tmp_path):
    text = run("audit", "report", "--rows", "5")
    assert text.exit_code == 0, text.output
    assert "Headline figures" in text.output
    assert "\x1b" not in text.output and "\x07" not in text.output  # escaped, not passed on
    data = json.loads(run("audit", "report", "--format", "json").stdout)
    assert data["figures"]["kits_sent"] == 32 and data["figures"]["kits_returned"] == 12
    assert sum(r["items"] for r in data["tables"]["by_station"]) == data["figures"]["items"]
    assert {r["agrees"] for r in data["tables"]["bundles"]} <= {True, False, None}
    folder = tmp_path / "csv"
    assert run("audit", "report", "--format", "csv", "--out", folder, "--lang", "en").exit_code == 0
    figures = dict(read_csv(folder / "figures.csv")[1:])
    assert int(figures["Items taken in"]) == data["figures"]["items"]
    workbook = tmp_path / "report.xlsx"
    made = run("audit", "report", "--format", "xlsx", "--out", workbook, "--lang", "fr")
    assert made.exit_code == 0, made.output
    book = openpyxl.load_workbook(workbook, read_only=True)
    assert book.sheetnames[0] == "Chiffres" and len(book.sheetnames) == 1 + len(TABLES)
    book.close()
    pdf = tmp_path / "report.pdf"
    made = run("audit", "report", "--format", "pdf", "--out", pdf, "--lang", "en")
    assert made.exit_code == 0, made.output
    pages = rasterise_pdf(pdf.read_bytes(), 40)
    assert 3 <= len(pages) <= 20
    document = pypdfium2.PdfDocument(pdf.read_bytes())
    words = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "Reconciliation report" in words
    assert f"{data['figures']['pieces']}" in words
    assert not list(tmp_path.glob("*.part"))


def test_report_csv_in_french_opens_in_french_excel(run, tmp_path):
    """The issue: CSVs stayed English with --lang fr, comma-separated without a BOM."""
    folder = tmp_path / "fr"
    made = run("audit", "report", "--format", "csv", "--out", folder, "--lang", "fr")
    assert made.exit_code == 0, made.output
    raw = (folder / "bundles.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *rows = read_csv(folder / "bundles.csv")
    assert raw[3:].decode("utf-8").split("\r\n", 1)[0] == ";".join(header)
    assert header[0] == "Liasse" and header[-1] == "Concorde" and len(header) == len(TABLES["bundles"])
    assert {row[-1] for row in rows} <= {"oui", "non", ""} and "oui" in {row[-1] for row in rows}
    assert {row[2] for row in rows} <= {"préparée", "expédiée", "remise", "refusée", "revenue",
                                        "annulée"}
    comma = tmp_path / "comma"
    assert run("audit", "report", "--format", "csv", "--out", comma, "--lang", "fr",
               "--sep", "comma").exit_code == 0
    assert read_csv(comma / "bundles.csv") == [header, *rows]
    assert (comma / "bundles.csv").read_bytes()[3:].decode().startswith("Liasse,")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_report_text_and_json_honour_out(run, tmp_path, fmt):
    """The issue: --out was ignored by --format json and text."""
    out = tmp_path / f"report.{fmt}"
    made = run("audit", "report", "--format", fmt, "--out", out)
    assert made.exit_code == 0, made.output
    assert made.stdout == "" and out.exists() and not list(tmp_path.glob("*.part"))
    written = out.read_text(encoding="utf-8")
    shown = run("audit", "report", "--format", fmt).stdout
    if fmt == "json":
        assert json.loads(written)["figures"] == json.loads(shown)["figures"]
    else:
        assert written.splitlines()[3:] == shown.splitlines()[3:]  # after the time it was made


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "xlsx", "pdf"])
def test_report_refuses_an_out_whose_folder_does_not_exist(run, tmp_path, fmt):
    out = tmp_path / "no-such-folder" / "report"
    made = run("audit", "report", "--format", fmt, "--out", out)
    assert made.exit_code == 3, made.output
    assert "no-such-folder" in made.output and "does not exist" in made.output
    assert "Traceback" not in made.output and not (tmp_path / "no-such-folder").exists()


def test_figures_csv_opens_in_a_spreadsheet_of_its_language(run, tmp_path):
    """`figures --format csv` had the report's faults: English, commas, no byte-order mark."""
    shown = run("figures", "--format", "csv", "--lang", "nl")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("\ufeffZaak;Persoon;Brieven aan de autoriteit;")
    out = tmp_path / "figures.csv"
    assert run("figures", "--format", "csv", "--lang", "nl", "--out", out).exit_code == 0
    assert out.read_text(encoding="utf-8") == shown.stdout
    header, *rows = read_csv(out)
    assert header[-2:] == ["Afloop", "Datum van de afloop"]
    assert rows[-1][0] == "Totaal" and all(len(row) == len(header) for row in rows)
    complete = header.index("Volledig geteld")
    assert {row[complete] for row in rows} <= {"ja", "nee"}
    figures = json.loads(run("figures", "--format", "json").stdout)
    letters = header.index("Brieven aan de autoriteit")
    assert int(rows[-1][letters]) == figures["total"]["letters_to_authority"]
    tab = run("figures", "--format", "csv", "--lang", "en", "--sep", "tab").stdout
    assert tab.startswith("\ufeffCase\tPerson\t")
    missing = run("figures", "--format", "csv", "--out", tmp_path / "none" / "f.csv")
    assert missing.exit_code == 3 and "does not exist" in missing.output


def test_trail_shows_a_piece_whole_history_escaped(run):
    result = run("audit", "trail", "7")
    assert result.exit_code == 0, result.output
    assert "item.scanned" in result.output and "image " in result.output
    as_json = json.loads(run("audit", "trail", "7", "--json").stdout)
    assert as_json["item"] == "0000007" and as_json["events"][0]["type"] == "item.scanned"
    odd = run("audit", "trail", str(json.loads(run("audit", "report", "--format", "json").stdout)
                                     ["figures"]["items"]))
    assert odd.exit_code == 0 and "\x1b" not in odd.output and "\x07" not in odd.output
    assert "evil?[31mname.jpg" in odd.output
    assert run("audit", "trail", "999999").exit_code == 3


def test_export_and_the_standalone_verifier(run, tmp_path):
    assert run("audit", "checkpoint").exit_code == 0
    out = tmp_path / "export"
    made = run("audit", "export", out, "--with-images")
    assert made.exit_code == 0, made.output
    assert run("audit", "export", out).exit_code == 3  # never over an earlier export
    public = run.data / "keys" / "office-signing.pub"
    from models.audit import verify

    for args, code in (([str(out), "--public-key", str(public)], 0),):
        old = sys.argv
        sys.argv = ["scanpipe-verify", *args]
        try:
            with pytest.raises(SystemExit) as exited:
                verify.main()
        finally:
            sys.argv = old
        assert exited.value.code == code
    lines = (out / "events.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[20] = lines[20].replace('"station": "', '"station": "x', 1)
    (out / "events.jsonl").write_text("".join(lines), encoding="utf-8")
    broken = run("audit", "verify-export", out, "--public-key", public)
    assert broken.exit_code == 1 and "AUDIT FAILED at event 21" in broken.output


def _fill(path: Path, results: dict[int, str], default: str = "conforme", *, sep: str = ";",
          encoding: str = "utf-8-sig", ids=lambda text: text) -> list[int]:
    """Fill the result column of a French sample CSV as a checker would (then save it with
    `sep`, `encoding` and ids as `ids` leaves them); the item ids of the file, in its order."""
    rows = read_csv(path)
    top = next(n for n, row in enumerate(rows) if "résultat" in row)
    item, result = rows[top].index("pièce"), rows[top].index("résultat")
    items = []
    for row in rows[top + 1:]:
        items.append(int(row[item].lstrip("#")))
        row[result] = results.get(items[-1], default)
        row[item] = ids(row[item])
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return items


def _draw(run, out: Path, *more: str):
    drawn = run("audit", "sample", "--seed", "auditor 2022", "--tolerable", "20%", "--expected",
                "2%", "--lang", "fr", "--out", out, *more)
    assert drawn.exit_code == 0, drawn.output
    return drawn


def test_sample_size_is_explained_and_the_draw_reproducible(run, tmp_path):
    drawn = _draw(run, tmp_path / "sample.csv")
    assert "Sample size 24 to show that fewer than 20 % of the 88 pieces" in drawn.output
    assert "in their trays: 13 pieces" in drawn.output and "delivered: 64 pieces" in drawn.output
    _draw(run, tmp_path / "again.csv")
    assert (tmp_path / "sample.csv").read_bytes() == (tmp_path / "again.csv").read_bytes()
    raw = (tmp_path / "sample.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfscanpipe;") and b"#00000" in raw  # BOM, ';', ids as text
    whole = run("audit", "sample", "--seed", "auditor 2022", "--out", tmp_path / "all.csv")
    assert whole.exit_code == 0 and "a full count" in whole.output  # 1 % of 88: every piece


def test_a_clean_sample_meets_the_risk_limit(run, tmp_path):
    sheet = tmp_path / "sample.csv"
    _draw(run, sheet)
    _fill(sheet, {})
    result = run("audit", "sample-result", sheet)
    assert result.exit_code == 0, result.output
    assert "RISK LIMIT MET" in result.output and "25 checked, 0 not yet" in result.output


def test_errors_escalate_to_a_second_round_that_contains_the_first(run, tmp_path):
    sheet = tmp_path / "sample.csv"
    _draw(run, sheet)
    items = _fill(sheet, {})
    _fill(sheet, {items[3]: "non conforme", items[5]: "manquante"})
    result = run("audit", "sample-result", sheet)
    assert result.exit_code == 1, result.output
    assert "RISK LIMIT NOT MET: escalate" in result.output and f"item {items[3]:07d}" in result.output
    command = shlex.split(result.output.split("Draw it with:")[1].strip())
    assert command[:3] == ["scanpipe", "audit", "sample"] and "--round" in command
    second = run(*command[1:])
    assert second.exit_code == 0, second.output
    round_two = Path(command[command.index("--out") + 1])
    assert round_two.name == "sample-round2.csv"
    new = _fill(round_two, {})
    assert not set(new) & set(items)  # only the pieces round 1 did not have
    # Round 2 alone is not the sample: every round's file is needed.
    assert run("audit", "sample-result", round_two).exit_code == 3
    both = run("audit", "sample-result", sheet, round_two)
    assert "2 rounds" in both.output and "misrouted (mismatch): 1" in both.output, both.output
    assert both.exit_code in (0, 1)


def test_a_file_with_other_pieces_is_refused(run, tmp_path):
    sheet = tmp_path / "sample.csv"
    _draw(run, sheet)
    items = _fill(sheet, {})
    text = sheet.read_text(encoding="utf-8-sig").replace(f"#{items[0]:07d}", "#0000001", 1)
    sheet.write_text(text, encoding="utf-8-sig")
    refused = run("audit", "sample-result", sheet)
    assert refused.exit_code == 1 and "not round 1 of the sample" in refused.output


def test_a_sample_survives_what_excel_does_to_it(run, tmp_path):
    """Excel strips the zeros of ids, saves in Windows-1252 and a checker writes in Dutch."""
    sheet = tmp_path / "sample.csv"
    _draw(run, sheet)
    _fill(sheet, {}, "Klopt", sep=",", encoding="cp1252", ids=lambda text: str(int(text.lstrip("#"))))
    result = run("audit", "sample-result", sheet)
    assert result.exit_code == 0 and "RISK LIMIT MET" in result.output, result.output


def test_an_xlsx_sample(run, tmp_path):
    from openpyxl import load_workbook

    book_path = tmp_path / "sample.xlsx"
    _draw(run, book_path, "--lang", "en")
    book = load_workbook(book_path)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows())
    top = next(n for n, row in enumerate(rows) if any(c.value == "result" for c in row))
    names = [c.value for c in rows[top]]
    assert all(isinstance(row[names.index("item")].value, str) for row in rows[top + 1:])  # text: zeros kept
    for row in rows[top + 1:]:
        row[names.index("result")].value = "match"
    rows[top + 1][names.index("result")].value = "MISSING"
    book.save(book_path)
    result = run("audit", "sample-result", book_path)
    # The sample was planned for one wrong piece in 24 (2 %): one missing still meets the limit.
    assert "missing: 1" in result.output and "RISK LIMIT MET" in result.output, result.output
    assert result.exit_code == 0


def test_sample_refuses_bad_parameters(run, tmp_path):
    out = tmp_path / "s.csv"
    assert run("audit", "sample", "--seed", "x", "--expected", "2%", "--tolerable", "1%",
               "--out", out).exit_code == 3
    assert run("audit", "sample", "--seed", "x", "--round", "2", "--out", out).exit_code == 3
    assert run("audit", "sample", "--seed", " x", "--out", out).exit_code == 3
    assert not out.exists()


def test_purge_asks_then_removes(run):
    dry = run("purge", "--delivered-before", "2022-02-01", "--dry-run")
    assert dry.exit_code == 0 and "images and their words to remove" in dry.output
    assert run("purge", "--delivered-before", "2022-02-01").exit_code == 3  # not confirmed
    done = run("purge", "--delivered-before", "2022-02-01", "--yes")
    assert done.exit_code == 0 and "Purged" in done.output, done.output
    verified = run("audit", "verify")
    assert verified.exit_code == 0 and "purged (their hashes kept)" in verified.output


def test_kits_are_recorded_as_sent(tmp_path, campaign_text):
    campaign = tmp_path / "campaign.toml"
    campaign.write_text(campaign_text, encoding="utf-8")
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    assert runner.invoke(cli, [*base, "campaign", "load", str(campaign)]).exit_code == 0
    made = runner.invoke(cli, [*base, "kits", "--campaign", str(campaign), "--out",
                               str(tmp_path / "kits"), "--kits", "3", "--first", "40"])
    assert made.exit_code == 0 and "Recorded kits 000040–000042" in made.output, made.output
    proof = runner.invoke(cli, [*base, "kits", "--campaign", str(campaign), "--out",
                                str(tmp_path / "proof"), "--kits", "5", "--no-record"])
    assert proof.exit_code == 0 and "Recorded" not in proof.output
    report = json.loads(runner.invoke(cli, [*base, "audit", "report", "--format", "json"]).stdout)
    assert report["figures"]["kits_sent"] == 3


def test_kit_serials_are_never_reused_and_a_reprint_is_asked_for(tmp_path, campaign_text):
    """The issue's reprint: `kits --kits 3` twice printed serials 1–3 twice and recorded them
    as sent twice. A new print continues the numbering; printing given serials again is
    `--reprint FIRST-LAST`, recorded as a reprint; serials printed already or never printed are
    refused (exit 4) before a PDF is written."""
    campaign = tmp_path / "campaign.toml"
    campaign.write_text(campaign_text, encoding="utf-8")
    runner = CliRunner()

    def kits(out: str, *args: str):
        return runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), "kits", "--campaign",
                                   str(campaign), "--out", str(tmp_path / out), *args])

    assert runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), "campaign", "load",
                               str(campaign)]).exit_code == 0
    first = kits("a", "--kits", "3")
    assert first.exit_code == 0 and "Recorded kits 000001–000003 as sent" in first.output, first.output
    second = kits("b", "--kits", "3")
    assert second.exit_code == 0 and "Recorded kits 000004–000006 as sent" in second.output
    assert (tmp_path / "b" / "labels" / "kit-labels-000004-000006.pdf").exists()
    clash = kits("c", "--kits", "4", "--first", "5")
    assert clash.exit_code == 4 and "000005–000006 were printed already" in clash.output
    assert "continues at 000007" in clash.output and "--reprint" in clash.output
    assert not (tmp_path / "c").exists()  # refused before anything was written
    never = kits("d", "--reprint", "6-9")
    assert never.exit_code == 4 and "000007–000009 were never printed" in never.output
    again = kits("e", "--reprint", "2-3")
    assert again.exit_code == 0 and "Recorded kits 000002–000003 as reprinted" in again.output
    assert (tmp_path / "e" / "labels" / "kit-labels-000002-000003.pdf").exists()
    assert kits("f", "--reprint", "3-2").exit_code == 2
    assert kits("g", "--reprint", "2-3", "--kits", "2").exit_code == 2
    ledger = Store.open(f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite3'}", tmp_path / "images")
    printed = [json.loads(e.payload) for e in ledger.events() if e.type == "kits.printed"]
    ledger.close()
    assert printed == [{"first": 1, "count": 3, "campaign": "MDL2021"},
                       {"first": 4, "count": 3, "campaign": "MDL2021"},
                       {"first": 2, "count": 2, "campaign": "MDL2021", "reprint": True}]
    report = json.loads(runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), "audit", "report",
                                            "--format", "json"]).stdout)
    assert report["figures"]["kits_sent"] == 6  # a reprint sends no new kit


def test_a_kit_serial_is_recorded_as_sent_once_on_each_database(loaded_store):
    """The store refuses a second print of a serial, and a reprint of one never printed, on
    SQLite and PostgreSQL (checked and recorded under the ledger's lock); the audit accepts
    the reprint events."""
    from models.store import KitSerialsError

    loaded_store.record_kits_printed(1, 10, actor="a", station="office")
    assert loaded_store.next_kit_serial() == 11
    with pytest.raises(KitSerialsError, match="000010 were printed already"):
        loaded_store.record_kits_printed(10, 5, actor="b", station="office")
    with pytest.raises(KitSerialsError, match="000011–000012 were never printed"):
        loaded_store.record_kits_printed(9, 4, actor="b", station="office", reprint=True)
    loaded_store.record_kits_printed(3, 2, actor="b", station="office", reprint=True)
    assert loaded_store.next_kit_serial() == 11
    assert loaded_store.audit(check_images=False).ok
