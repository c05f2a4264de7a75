"""Case outcomes: recorded as ledger events with their rows, dates checked, corrected by a new
outcome that names the old one (never edited), listed, shown in the figures; a row changed by
SQL, or an event the store would never write, is named by the audit."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import SAMPLE_CAMPAIGN
from sqlalchemy import text

from models.events import EventType
from models.store import Store
from models.store.figures import campaign_figures
from models.store.ledger import append_event
from models.store.outcomes import RecordRefused, RecordStateRefused
from scanpipe.domain.outcomes import Outcome, earliest_day

# The test stores' clock starts on 2021-12-10 (conftest.StepClock).
DAY = date(2021, 11, 30)


def _record(store: Store, campaign, case: str = "ZHANG", outcome: Outcome = Outcome.FREED,
            on: date = DAY, **more):
    return store.record_outcome(campaign, case, outcome, on, source=more.pop("source", "AI press release"),
                                actor="ana", station="office", **more)


def test_an_outcome_is_one_event_with_its_row(loaded_store, campaign):
    view = _record(loaded_store, campaign, note="after 4 years")
    assert (view.number, view.case, view.outcome, view.on) == (1, "ZHANG", Outcome.FREED, DAY)
    [event] = [e for e in loaded_store.events() if e.type == EventType.CASE_OUTCOME.value]
    assert event.subject == "outcome:1"
    assert json.loads(event.payload) == {"campaign": campaign.id, "case": "ZHANG", "outcome": "freed",
                                         "date": "2021-11-30", "source": "AI press release",
                                         "note": "after 4 years", "corrects": None}
    assert [v.number for v in loaded_store.outcomes(campaign.id)] == [1]
    assert loaded_store.audit(check_images=False).ok


def test_a_correction_supersedes_and_the_figures_show_what_stands(loaded_store, campaign):
    _record(loaded_store, campaign, outcome=Outcome.SENTENCE_REDUCED, on=date(2021, 3, 1))
    _record(loaded_store, campaign, outcome=Outcome.RELEASED_ON_BAIL, on=date(2021, 11, 1))
    fixed = _record(loaded_store, campaign, outcome=Outcome.FREED, on=date(2021, 11, 2), corrects=2)
    assert fixed.corrects == 2
    views = loaded_store.outcomes(campaign.id)
    assert [(v.number, v.corrected_by) for v in views] == [(1, None), (2, 3), (3, None)]
    with pytest.raises(RecordStateRefused, match="corrected already by outcome 3"):
        _record(loaded_store, campaign, corrects=2)
    with pytest.raises(RecordStateRefused, match="is of case ZHANG, not CAAL"):
        _record(loaded_store, campaign, case="CAAL", corrects=3)
    with pytest.raises(RecordStateRefused, match="no outcome 9"):
        _record(loaded_store, campaign, corrects=9)
    found = campaign_figures(campaign, [], [], loaded_store.outcomes(campaign.id))
    zhang = next(row for row in found.cases if row.case == "ZHANG")
    assert [(o.number, o.outcome) for o in zhang.outcomes] == [
        (1, Outcome.SENTENCE_REDUCED), (3, Outcome.FREED)]
    assert loaded_store.audit(check_images=False).ok


@pytest.mark.parametrize("case, on, source, said", [
    ("ZHANG", date(2021, 12, 11), "x", "in the future"),
    ("ZHANG", date(2016, 12, 31), "x", "too early"),
    ("NOBODY", DAY, "x", "no case of campaign"),
    ("ZHANG", DAY, "   ", "the source is empty"),
    ("ZHANG", DAY, "x" * 501, "longer than"),
])
def test_a_bad_outcome_is_refused_and_nothing_recorded(loaded_store, campaign, case, on, source, said):
    before = len(loaded_store.events())
    with pytest.raises(RecordRefused, match=said):
        _record(loaded_store, campaign, case=case, on=on, source=source)
    assert len(loaded_store.events()) == before and loaded_store.outcomes(campaign.id) == []


def test_the_earliest_day_is_the_campaigns_year_minus_five(campaign):
    assert campaign.deadline.year == 2022 and earliest_day(campaign) == date(2017, 1, 1)


# ------------------------------------------------------------------ the command line

@pytest.fixture
def run(run):
    """conftest's `run`, on a ledger with the sample campaign loaded."""
    run("campaign", "load", SAMPLE_CAMPAIGN)
    return run


def test_record_correct_and_list_on_the_command_line(run):
    first = run("outcome", "record", "zhang", "--outcome", "released-on-bail", "--date", "2022-03-01",
                "--source", "Partner\x1b[2J office", "--note", "=1+1")
    assert first.exit_code == 0 and "Outcome 1 recorded: ZHANG released-on-bail" in first.output
    second = run("outcome", "record", "ZHANG", "--outcome", "freed", "--date", "2022-03-01",
                 "--source", "AI", "--corrects", "1")
    assert second.exit_code == 0 and "correcting outcome 1" in second.output
    listed = run("outcome", "list").output
    assert "CORRECTED by 2" in listed and "\x1b" not in listed
    rows = [json.loads(line) for line in run("outcome", "list", "--json").output.splitlines()]
    assert [(r["outcome"], r["kind"], r["corrected_by"]) for r in rows] == [
        (1, "released-on-bail", 2), (2, "freed", None)]
    figures = json.loads(run("figures", "--format", "json").output)
    zhang = next(c for c in figures["cases"] if c["case"] == "ZHANG")
    assert [o["kind"] for o in zhang["outcomes"]] == ["freed"]
    assert "ZHANG      freed" in run("figures").output
    assert run("audit", "verify", "--no-images").exit_code == 0


@pytest.mark.parametrize("args, code, said", [
    (("--outcome", "freed", "--date", "2999-01-01", "--source", "x"), 2, "in the future"),
    (("--outcome", "escaped", "--date", "2022-01-01", "--source", "x"), 2, "Invalid value"),
    (("--outcome", "freed", "--date", "01/02/2022", "--source", "x"), 2, "Invalid value"),
    (("--outcome", "freed", "--date", "2022-01-01", "--source", "x", "--corrects", "4"), 4, "no outcome 4"),
])
def test_bad_outcomes_on_the_command_line_exit_with_their_code(run, args, code, said):
    result = run("outcome", "record", "ZHANG", *args)
    assert result.exit_code == code and said in result.output


# ------------------------------------------------------------------ the audit

def _sql(store: Store, statement: str) -> None:
    with store.writer.begin() as connection:
        connection.execute(text(statement))


@pytest.mark.parametrize("statement, said", [
    ("UPDATE case_outcome SET outcome = 'acquitted'", "its outcome is 'acquitted'"),
    ("UPDATE case_outcome SET outcome_date = '2021-01-01'", "its outcome_date is"),
    ("UPDATE case_outcome SET case_code = 'CAAL'", "its case_code is 'CAAL'"),
    ("DELETE FROM case_outcome", "case_outcome has no row for it"),
    ("INSERT INTO case_outcome (id, campaign_id, case_code, outcome, outcome_date, source, "
     "recorded_at, recorded_by) VALUES (2, 'MDL2021', 'CAAL', 'freed', '2021-01-01', 'x', "
     "'2021-12-10', 'x')", "no case.outcome event"),
])
def test_an_outcome_row_changed_by_sql_is_named_by_the_audit(loaded_store, campaign, statement, said):
    _record(loaded_store, campaign)
    _sql(loaded_store, statement)
    result = loaded_store.audit(check_images=False)
    assert result.problem is not None and said in result.problem.message
    assert result.problem.where.startswith(("case_outcome row", "outcome 1"))


@pytest.mark.parametrize("type_, subject, payload, said", [
    (EventType.CASE_OUTCOME, "outcome:1", {"campaign": "MDL2021", "case": "NOBODY", "outcome": "freed",
                                           "date": "2021-11-30", "source": "x", "corrects": None},
     "no case of campaign"),
    (EventType.CASE_OUTCOME, "outcome:1", {"campaign": "MDL2021", "case": "CAAL", "outcome": "freed",
                                           "date": "2021-11-30", "source": "x", "corrects": 1},
     "corrects outcome 1"),
    (EventType.CASE_OUTCOME, "outcome:1", {"campaign": "MDL2021", "case": "CAAL", "outcome": "freed",
                                           "date": "2030-01-01", "source": "x", "corrects": None},
     "after it was recorded"),
    (EventType.CASE_OUTCOME, "outcome:1", {"campaign": "MDL2021", "case": "CAAL", "outcome": "vanished",
                                           "date": "2021-11-30", "source": "x", "corrects": None},
     "'vanished' is not a valid Outcome"),
    (EventType.CASE_OUTCOME, "outcome:5", {"campaign": "MDL2021", "case": "CAAL", "outcome": "freed",
                                           "date": "2021-11-30", "source": "x", "corrects": None},
     "where outcome 1 comes next"),
    (EventType.SIGNATURES_VOIDED, "signatures:1", {"campaign": "MDL2021", "reason": "x"},
     "never recorded"),
    (EventType.SIGNATURES_IMPORTED, "signatures:1",
     {"campaign": "MDL2021", "file_sha256": "a", "total": 5, "counts": [
         {"case": "NOBODY", "source": "w", "count": 5, "first_date": "2021-12-01",
          "last_date": "2021-12-01"}]}, "no case of campaign"),
    (EventType.SIGNATURES_IMPORTED, "signatures:1",
     {"campaign": "MDL2021", "file_sha256": "a", "total": 9, "counts": [
         {"case": "CAAL", "source": "w", "count": 5, "first_date": "2021-12-01",
          "last_date": "2021-12-01"}]}, "another sum"),
    (EventType.SIGNATURES_IMPORTED, "signatures:1",
     {"campaign": "MDL2021", "file_sha256": "a", "total": -5, "counts": [
         {"case": "CAAL", "source": "w", "count": -5, "first_date": "2021-12-01",
          "last_date": "2021-12-01"}]}, "not a whole number"),
])
def test_an_event_the_store_never_writes_is_named_by_the_audit(loaded_store, type_, subject, payload, said):
    with loaded_store.transaction() as session:
        event = append_event(session, at="2021-12-10T09:00:30.000000+00:00", actor="mallory",
                             station="x", type_=type_, subject=subject, payload=payload)
        seq = event.seq
    result = loaded_store.audit(check_images=False)
    assert result.problem is not None and result.problem.where == f"event {seq}"
    assert said in result.problem.message
