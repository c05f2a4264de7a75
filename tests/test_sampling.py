"""Risk-limiting samples: the statistics against values computed another way, the population's
strata and rounds, the sample file in every language, and a round trip through LibreOffice Calc
in French."""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import random
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import StepClock
from season import build_season

from models.audit.population import reached, seeded_order
from models.audit.sampling import (
    RiskLimits,
    SamplingError,
    log_evidence,
    measure,
    sample_size,
    upper_rate,
)
from models.store import Store
from stations.cli import cli
from stations.errors import BadInput
from stations.sample_sheet import parse_item, parse_result, read_sample
from stations.spreadsheets import read_csv

# ------------------------------------------------------------------ statistics


def _zero_error_risk(population: int, bad: int, drawn: int) -> float:
    """The chance that `drawn` pieces without replacement hold none of `bad` wrong ones."""
    return math.comb(population - bad, drawn) / math.comb(population, drawn)


@pytest.mark.parametrize("population", [20, 100, 1000, 5000, 40_000])
@pytest.mark.parametrize("tolerable", [0.01, 0.05])
def test_with_nothing_expected_the_size_is_the_hypergeometric_one(population, tolerable):
    limits = RiskLimits(0.05, tolerable, 0.0)
    bad = math.ceil(round(tolerable * population, 9))
    want = next(n for n in range(population + 1) if _zero_error_risk(population, bad, n) <= 0.05)
    assert sample_size(population, limits) == want
    # ...and the risk measured on that many right pieces is exactly that chance.
    found = measure([False] * want, population, limits)
    assert found.met and found.risk == pytest.approx(_zero_error_risk(population, bad, want), rel=1e-9)


def test_a_large_population_needs_the_binomial_size():
    # (1 - t)^n <= alpha: 299 pieces for 1 %, 59 for 5 %, whatever the size of the season.
    assert sample_size(10**9, RiskLimits(0.05, 0.01, 0.0)) == math.ceil(math.log(0.05) / math.log(0.99))
    assert sample_size(10**9, RiskLimits(0.05, 0.05, 0.0)) == 59
    assert sample_size(10**9, RiskLimits(0.10, 0.05, 0.0)) == 45


def test_the_evidence_is_the_likelihood_ratio_of_the_two_rates():
    limits = RiskLimits(0.05, 0.01, 0.002)
    right, wrong = 700, 2
    closed = right * math.log(0.998 / 0.99) + wrong * math.log(0.002 / 0.01)
    assert log_evidence([True] * wrong + [False] * right, 10**9, limits) == pytest.approx(closed, rel=1e-6)


def test_sizes_planned_for_expected_errors_meet_the_limit_with_them():
    limits = RiskLimits(0.05, 0.01, 0.002)
    n = sample_size(100_000, limits)
    planned = math.ceil(0.002 * n)
    assert planned == 2 and 600 < n < 1000
    assert measure([True] * planned + [False] * (n - planned), 100_000, limits).met
    assert not measure([True] * (planned + 1) + [False] * (n - planned - 1), 100_000, limits).met
    assert not measure([True] * planned + [False] * (n - planned - 5), 100_000, limits).met


def test_escalation_asks_for_more_and_its_plan_meets_the_limit():
    limits = RiskLimits(0.05, 0.01, 0.002)
    first = sample_size(100_000, limits)
    done = [True] * 4 + [False] * (first - 4)
    assert not measure(done, 100_000, limits).met
    wider = sample_size(100_000, limits, done)
    assert wider > first
    rate = 4 / first  # the rate found so far, higher than the expected one: planned for
    more = math.ceil(rate * wider) - 4
    assert measure([*done, *[True] * more, *[False] * (wider - first - more)], 100_000, limits).met


def test_no_errors_expected_and_one_found_means_a_full_count():
    limits = RiskLimits(0.05, 0.01, 0.0)
    found = measure([True] + [False] * 400, 100_000, limits)
    assert found.risk == 1.0 and not found.met
    assert sample_size(100_000, limits, [True] + [False] * 400) == 100_000


def test_a_population_smaller_than_the_sample_is_counted_whole():
    limits = RiskLimits()
    assert sample_size(50, limits) == 50  # 1 % of 50: one wrong piece is too many to sample for
    assert measure([False] * 50, 50, limits).risk == 0.0  # all checked, none wrong: proven
    everything = measure([False] * 49 + [True], 50, limits)
    assert everything.risk == 1.0 and everything.proven_bad
    assert sample_size(0, limits) == 0


def test_the_risk_is_valid_over_rounds():
    """A season exactly as bad as the null passes at most `risk_limit` of the time, even when
    the audit looks after each of three rounds (Ville's inequality)."""
    population, limits = 2000, RiskLimits(0.10, 0.05, 0.01)
    bad = limits.null_errors(population)
    season = [True] * bad + [False] * (population - bad)
    first = sample_size(population, limits)
    rng = random.Random(20)
    passed, trials = 0, 1500
    for _ in range(trials):
        rng.shuffle(season)
        if any(measure(season[:n], population, limits).met for n in (first, 2 * first, 4 * first)):
            passed += 1
    assert passed / trials <= 0.10 + 3 * math.sqrt(0.1 * 0.9 / trials)


def test_risk_limits_are_checked():
    with pytest.raises(SamplingError, match="below the tolerable"):
        RiskLimits(0.05, 0.01, 0.01)
    with pytest.raises(SamplingError, match="risk limit"):
        RiskLimits(1.5, 0.01, 0.0)
    assert RiskLimits(0.05, 0.01).null_errors(300) == 3  # not 4 by a rounding of 0.01 x 300


def test_the_upper_rate_is_clopper_pearson_for_a_large_population():
    assert upper_rate(0, 299, 10**7) == pytest.approx(1 - 0.05 ** (1 / 299), rel=1e-3)
    from models.audit.checks import upper_bound

    assert upper_rate(3, 200, 10**7) == pytest.approx(upper_bound(3, 200), rel=1e-3)
    assert upper_rate(0, 100, 100) == 0.0  # everything checked: exactly none


# ------------------------------------------------------------------- population

def test_rounds_extend_one_order_and_visit_every_stratum():
    ids = list(range(1, 1001))
    strata = {i: "tray" if i <= 5 else "bundle" if i <= 100 else "delivered" for i in ids}
    order = seeded_order("dice 1234", ids)
    assert order == seeded_order("dice 1234", ids) and order != seeded_order("dice 1235", ids)
    head, extras = reached(order, strata, 30)
    assert {strata[i] for i in [*head, *extras]} == {"tray", "bundle", "delivered"}
    assert all(i not in head for i in extras) and head == order[:30]
    wider_head, wider_extras = reached(order, strata, 120)
    assert {*head, *extras} <= {*wider_head, *wider_extras}  # round 2 contains round 1


# ------------------------------------------------------------------ sample files

@pytest.mark.parametrize("written", ["42", "0000042", "#0000042", "# 0000042", "n° 0000042", " 42 "])
def test_item_ids_as_spreadsheets_leave_them(written):
    assert parse_item(written) == 42


def test_results_in_any_language():
    for word, meaning in (("conforme", "match"), ("Non-conforme", "mismatch"),
                          ("MANQUANTE", "missing"), ("manquante ", "missing"), ("Klopt", "match"),
                          ("klopt niet", "mismatch"), ("ontbreekt", "missing"), ("Match", "match"),
                          ("« non conforme »", "mismatch"), ("", None)):
        assert parse_result(word) == meaning, word
    with pytest.raises(ValueError):
        parse_result("peut-être")


@pytest.fixture(scope="module")
def season_dir(tmp_path_factory, campaign_text):
    data = tmp_path_factory.mktemp("sampling") / "data"
    data.mkdir()
    store = Store.open(f"sqlite:///{data / 'ledger.sqlite3'}", data / "images", StepClock())
    build_season(store, campaign_text, envelopes=12, seed=5)
    store.close()
    return data


def _run(data: Path, *args):
    return CliRunner().invoke(cli, ["--data-dir", str(data), *map(str, args)])


def _draw(data: Path, out: Path, *more: str) -> None:
    drawn = _run(data, "audit", "sample", "--seed", "01234567890123456789", "--tolerable", "20%",
                 "--expected", "2%", "--out", out, *more)
    assert drawn.exit_code == 0, drawn.output


@pytest.mark.parametrize("lang,sep", [("fr", ";"), ("nl", ";"), ("en", ",")])
def test_the_file_is_written_in_the_language_and_read_back(season_dir, tmp_path, lang, sep):
    out = tmp_path / "sample.csv"
    _draw(season_dir, out, "--lang", lang)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfscanpipe" + sep.encode())
    words = {"fr": "résultat", "nl": "resultaat", "en": "result"}[lang]
    assert any(words in row for row in read_csv(out))
    read = read_sample(out)
    assert read.header.seed == "01234567890123456789" and read.header.round == 1
    assert read.header.limits == RiskLimits(0.05, 0.2, 0.02)
    assert len(read.pieces) == 24 and all(p.result is None for p in read.pieces)


def test_a_sample_file_without_its_parameters_is_refused(season_dir, tmp_path):
    out = tmp_path / "sample.csv"
    _draw(season_dir, out)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    out.write_text("\n".join(line for line in lines if not line.startswith("graine")), encoding="utf-8")
    with pytest.raises(BadInput, match="no seed"):
        read_sample(out)
    out.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(BadInput, match="no row of column names"):
        read_sample(out)


def test_an_unknown_result_is_refused_with_the_words_to_use(season_dir, tmp_path):
    out = tmp_path / "sample.csv"
    _draw(season_dir, out)
    rows = read_csv(out)
    top = next(n for n, row in enumerate(rows) if "résultat" in row)
    rows[top + 1][rows[top].index("résultat")] = "bof"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    out.write_text(buffer.getvalue(), encoding="utf-8")
    result = _run(season_dir, "audit", "sample-result", out)
    assert result.exit_code == 3 and "'bof'" in result.output and "klopt niet" in result.output


# ------------------------------------------------------------- LibreOffice Calc

_FRENCH_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">
<value>fr-FR</value></prop></item>
<item oor:path="/org.openoffice.Office.Linguistic/General"><prop oor:name="DefaultLocale" oor:op="fuse">
<value>fr-FR</value></prop></item>
</oor:items>
"""
# CSV filter options: separator ; (59), quote " (34), charset (76 UTF-8, 1 Windows-1252), from
# line 1, standard column types, language French (1036), quoted fields not forced to text,
# then whether to detect special numbers.
_READ_FRENCH_CSV = "CSV:59,34,76,1,,1036,false,{special}"
_SAVE_FRENCH_CSV = "csv:Text - txt - csv (StarCalc):59,34,1,1"  # ; and Windows-1252


def _soffice(profile: Path, source: Path, target: str, outdir: Path, infilter: str | None = None) -> Path:
    """Convert `source` with headless LibreOffice in its own French profile; its whole process
    group killed afterwards."""
    if not (profile / "user").exists():
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_FRENCH_PROFILE, encoding="utf-8")
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               *([f"--infilter={infilter}"] if infilter else []), "--convert-to", target,
               "--outdir", str(outdir), str(source)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True, env={**os.environ, "LC_ALL": "C.UTF-8"})
    try:
        out, err = process.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    converted = outdir / (source.stem + "." + target.split(":")[0])
    assert converted.exists(), (out + err).decode(errors="replace")
    return converted


needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="LibreOffice (soffice) is not installed: the Calc round "
                                          "trip of a sample file is not tested")


@needs_soffice
@pytest.mark.slow
def test_a_sample_saved_by_french_libreoffice_is_read_back(season_dir, tmp_path):
    from openpyxl import load_workbook

    sample = tmp_path / "echantillon.csv"
    _draw(season_dir, sample, "--lang", "fr")
    profile = tmp_path / "lo-profile"
    # Opened in Calc (French), saved as a workbook, filled in there, saved back as CSV.
    book_path = _soffice(profile, sample, "xlsx", tmp_path / "xlsx",
                         _READ_FRENCH_CSV.format(special="false"))
    book = load_workbook(book_path)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows())
    top = next(n for n, row in enumerate(rows) if any(c.value == "résultat" for c in row))
    column = [c.value for c in rows[top]].index("résultat")
    for row in rows[top + 1:]:
        row[column].value = "conforme"
    book.save(book_path)
    saved = _soffice(profile, book_path, _SAVE_FRENCH_CSV, tmp_path / "csv")
    assert saved.read_bytes().decode("cp1252").count(";") > 100  # Calc saved it French-style
    result = _run(season_dir, "audit", "sample-result", saved)
    assert result.exit_code == 0 and "RISK LIMIT MET" in result.output, result.output


@needs_soffice
@pytest.mark.slow
def test_calc_guessing_numbers_strips_plain_ids_and_the_reader_copes(season_dir, tmp_path):
    sample = tmp_path / "echantillon.csv"
    _draw(season_dir, sample, "--lang", "fr")
    rows = read_csv(sample)
    top = next(n for n, row in enumerate(rows) if "résultat" in row)
    item, column = rows[top].index("pièce"), rows[top].index("résultat")
    for row in rows[top + 1:]:
        row[column] = "conforme"
    filled = io.StringIO()
    csv.writer(filled, delimiter=";").writerows(rows)
    sample.write_text(filled.getvalue(), encoding="utf-8-sig")
    plain = tmp_path / "plain" / "echantillon.csv"  # ids as 0000042, as a hand-made file has them
    plain.parent.mkdir()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows(rows[:top + 1])
    writer.writerows([[c.lstrip("#") if n == item else c for n, c in enumerate(row)]
                      for row in rows[top + 1:]])
    plain.write_text(buffer.getvalue(), encoding="utf-8-sig")
    profile = tmp_path / "lo-profile"
    for source, kept in ((sample, True), (plain, False)):
        saved = _soffice(profile, source, _SAVE_FRENCH_CSV, tmp_path / f"out-{kept}",
                         _READ_FRENCH_CSV.format(special="true"))
        again = read_csv(saved)
        first_id = again[top + 1][item]
        assert first_id.startswith("#0") if kept else not first_id.startswith("0"), first_id
        result = _run(season_dir, "audit", "sample-result", saved)
        assert result.exit_code == 0 and "RISK LIMIT MET" in result.output, result.output


# ------------------------------------------------------------ on each database

def test_the_draw_on_each_database_tells_where_each_piece_is_now(loaded_store):
    """Drawn as of an event, each piece is shown where it is now (on SQLite and PostgreSQL)."""
    from conftest import record_piece

    items = [record_piece(loaded_store, n) for n in range(12)]
    as_of = loaded_store.replay_ledger().head_seq
    before = loaded_store.draw_sample("dice", 12, as_of)
    assert before.population == 12 and {p.place.stratum for p in before.pieces} == {"tray"}
    bundle = loaded_store.close_bundle("embassy:GT", actor="coordinator", station="office")
    after = loaded_store.draw_sample("dice", 12, as_of)
    assert after.order == before.order  # the same draw: the ledger as of the same event
    assert {p.place.stratum for p in after.pieces} == {"bundle"}
    assert {p.place.bundle for p in after.pieces} == {bundle.id}
    assert sorted(p.place.position for p in after.pieces) == list(range(1, len(items) + 1))


def test_drawing_tells_its_progress_through_the_ledger_and_draws_the_same(loaded_store):
    """`audit sample` reads the whole ledger (seconds at a season's size): the draw reports the
    events read, up to the head (or to `as_of`, then again to the head for where pieces are now),
    and a progress callback changes nothing in what is drawn."""
    from conftest import record_piece

    for n in range(6):
        record_piece(loaded_store, n)
    head = loaded_store.replay_ledger().head_seq
    seen: list[tuple[int, int]] = []
    sample = loaded_store.draw_sample("dice", 4, progress=lambda done, total: seen.append((done, total)))
    assert sample.order == loaded_store.draw_sample("dice", 4).order
    assert seen and seen[-1] == (head, head)
    assert all(done <= total for done, total in seen)
    as_of = head - 2
    seen.clear()
    loaded_store.draw_sample("dice", 4, as_of, progress=lambda done, total: seen.append((done, total)))
    assert (as_of, as_of) in seen and seen[-1] == (head, head)
