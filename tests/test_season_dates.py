"""Dates typed by people checked against the campaign's season: the `season` of the campaign
file (or its default from the deadline), the rule of each use, every command that takes a day
(refusing 1999 and 2030 with the day, the season and the option, recording nothing, and taking a
day in the season), a late delivery confirmed with --outside-season, and the station's form."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from conftest import record_piece
from station_app import csrf, sign_in

from models.events import EventType
from models.store import Store
from scanpipe.domain.campaign import CampaignError, campaign_changes, parse_campaign
from scanpipe.domain.season import DayProblem, DayRefused, DayUse, check_day, day_problem
from stations.cli import cli

SEASON = "season = { start = 2021-11-01, end = 2022-06-30 }"
TODAY = date(2022, 2, 1)  # the pure checks' today: inside the season above


def with_season(campaign_text: str, season: str | None = SEASON) -> str:
    """The sample campaign (deadline 2022-01-11) with `season` written after its deadline."""
    line = "deadline = 2022-01-11\n"
    assert line in campaign_text
    return campaign_text.replace(line, line + (season + "\n" if season else ""))


@pytest.fixture(scope="module")
def seasoned(campaign_text):
    return parse_campaign(with_season(campaign_text))


# ------------------------------------------------------------------ the campaign file

def test_a_campaign_without_a_season_takes_one_from_its_deadline(campaign):
    assert campaign.deadline == date(2022, 1, 11)
    assert (campaign.season.start, campaign.season.end) == (date(2021, 7, 11), date(2023, 1, 11))
    assert campaign.season.derived
    assert "derived from its deadline" in campaign.season.describe()


def test_the_season_of_the_file_is_kept(seasoned):
    assert (seasoned.season.start, seasoned.season.end) == (date(2021, 11, 1), date(2022, 6, 30))
    assert not seasoned.season.derived
    assert seasoned.season.describe() == "2021-11-01 to 2022-06-30"


def test_a_deadline_on_a_months_last_day_gives_months_last_days(campaign_text):
    found = parse_campaign(campaign_text.replace("deadline = 2022-01-11", "deadline = 2022-08-31"))
    assert (found.season.start, found.season.end) == (date(2022, 2, 28), date(2023, 8, 31))


@pytest.mark.parametrize("season, said", [
    ("season = { start = 2022-02-01, end = 2022-06-30 }",
     "season.start: 2022-02-01 is after the deadline 2022-01-11"),
    ("season = { start = 2021-11-01, end = 2022-01-10 }",
     "season.end: 2022-01-10 is before the deadline 2022-01-11"),
    ("season = { start = 1999-01-01, end = 2022-06-30 }",
     "season.start: 1999-01-01 is more than 12 months before the deadline 2022-01-11: start on "
     "2021-01-11 or later"),
    ("season = { start = 2021-11-01, end = 2030-06-30 }",
     "season.end: 2030-06-30 is more than 24 months after the deadline 2022-01-11: end on "
     "2024-01-11 or before"),
    ("season = { start = 2021-11-01 }", "season.end: is missing"),
    ("season = { start = 2021-11-01, end = 2022-06-30, lenght = 3 }",
     "season.lenght: is not a known field"),
    ('season = { start = "1 novembre", end = 2022-06-30 }', "season.start:"),
])
def test_a_bad_season_is_named_with_what_to_write(campaign_text, season, said):
    with pytest.raises(CampaignError) as refused:
        parse_campaign(with_season(campaign_text, season))
    assert said in str(refused.value)


def test_campaign_check_shows_the_season(run, campaign_text, tmp_path):
    path = tmp_path / "campaign.toml"
    path.write_text(with_season(campaign_text), encoding="utf-8")
    assert "season (the days typed dates may bear): 2021-11-01 to 2022-06-30\n" in run(
        "campaign", "check", path).output
    path.write_text(campaign_text, encoding="utf-8")
    assert "2021-07-11 to 2023-01-11, derived from its deadline" in run("campaign", "check", path).output


def test_a_new_season_is_a_change_of_the_campaign(campaign, seasoned):
    assert ("campaign", "the season (the days typed dates may bear) changed") in [
        (c.subject, c.what) for c in campaign_changes(campaign, seasoned)]
    assert campaign_changes(seasoned, seasoned) == []


# ------------------------------------------------------------------ the rule of each use

@pytest.mark.parametrize("use, day, outside, problem", [
    (DayUse.DELIVERY, date(2022, 1, 20), False, None),
    (DayUse.DELIVERY, date(1999, 1, 25), False, DayProblem.BEFORE_SEASON),
    (DayUse.DELIVERY, date(2030, 1, 25), False, DayProblem.FUTURE),
    (DayUse.DELIVERY, date(2022, 2, 2), False, DayProblem.FUTURE),  # tomorrow
    (DayUse.DELIVERY, date(2021, 10, 31), True, DayProblem.BEFORE_SEASON),  # never before it
    (DayUse.RECORD, date(2021, 11, 1), False, None),
    (DayUse.RECORD, date(2021, 10, 31), False, DayProblem.BEFORE_SEASON),
    (DayUse.RECORD, date(2022, 2, 2), False, DayProblem.FUTURE),
    (DayUse.PLANNING, date(2022, 6, 30), False, None),  # ahead of today, in the season
    (DayUse.PLANNING, date(2022, 7, 1), False, DayProblem.AFTER_SEASON),
    (DayUse.OUTCOME, date(2017, 1, 1), False, None),  # the deadline's year minus 5
    (DayUse.OUTCOME, date(2016, 12, 31), False, DayProblem.TOO_EARLY),
    (DayUse.OUTCOME, date(2022, 2, 2), False, DayProblem.FUTURE),
    (DayUse.PURGE, date(2022, 2, 2), False, None),  # delivered before tomorrow: all so far
    (DayUse.PURGE, date(2022, 2, 3), False, DayProblem.FUTURE),
    (DayUse.PURGE, date(2021, 10, 31), False, DayProblem.BEFORE_SEASON),
])
def test_each_use_has_its_days(seasoned, use, day, outside, problem):
    assert day_problem(day, seasoned, TODAY, use, outside_season=outside) is problem


def test_days_after_the_season_end(seasoned):
    late, today = date(2022, 9, 1), date(2023, 3, 1)
    assert day_problem(late, seasoned, today, DayUse.DELIVERY) is DayProblem.AFTER_SEASON
    assert day_problem(late, seasoned, today, DayUse.DELIVERY, outside_season=True) is None
    assert day_problem(late, seasoned, today, DayUse.RECORD, outside_season=True) is \
        DayProblem.AFTER_SEASON  # the flag is for deliveries only
    assert day_problem(late, seasoned, today, DayUse.OUTCOME) is None  # freed a year later
    assert day_problem(late, seasoned, today, DayUse.PURGE) is None
    # The clock's day is never a typing error: a delivery recorded today, after the season.
    assert day_problem(today, seasoned, today, DayUse.DELIVERY) is None


def test_a_refused_day_says_the_day_and_the_season(seasoned):
    with pytest.raises(DayRefused) as refused:
        check_day(date(1999, 1, 25), seasoned, TODAY, DayUse.DELIVERY)
    assert str(refused.value) == ("1999-01-25 is outside the season of campaign MDL2021 "
                                  "(2021-11-01 to 2022-06-30)")
    assert isinstance(refused.value, ValueError)
    assert check_day(date(2022, 1, 20), seasoned, TODAY, DayUse.DELIVERY) == date(2022, 1, 20)


# ------------------------------------------------------------------ the command line

@pytest.fixture
def ledger(tmp_path, campaign_text):
    """`scanpipe …` on a data folder whose ledger holds the sample campaign with SEASON and
    routed pieces for embassy:GT; returns the runner and a reader of the ledger's events."""
    path = tmp_path / "campaign.toml"
    path.write_text(with_season(campaign_text), encoding="utf-8")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), *map(str, args)])

    assert run("campaign", "load", path).exit_code == 0
    store = Store.open(f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite3'}", tmp_path / "data" / "images")
    for n in range(3):
        record_piece(store, n)
    store.close()

    def events():
        with_store = Store.open(f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite3'}",
                                tmp_path / "data" / "images")
        try:
            return [(e.type, json.loads(e.payload)) for e in with_store.events()]
        finally:
            with_store.close()
    run.events = events
    return run


def _closed(run) -> None:
    closed = run("bundle", "close", "--all")
    assert closed.exit_code == 0, closed.output


def _command(name: str, day: str, out) -> tuple[str, ...]:
    return {
        "bundle deliver --on": ("bundle", "deliver", "1", "--received-by", "Consul", "--on", day),
        "bundle close --date": ("bundle", "close", "--all", "--out", out, "--date", day),
        "bundle print --date": ("bundle", "print", "1", "--out", out, "--date", day),
        "outcome record --date": ("outcome", "record", "ZHANG", "--outcome", "freed", "--date", day,
                                  "--source", "AI"),
        "orders reminders --today": ("orders", "reminders", "--today", day),
        "purge --delivered-before": ("purge", "--delivered-before", day, "--yes"),
    }[name]


COMMANDS = ("bundle deliver --on", "bundle close --date", "bundle print --date",
            "outcome record --date", "orders reminders --today", "purge --delivered-before")
NEEDS_A_BUNDLE = ("bundle deliver --on", "bundle print --date")


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("day, said", [
    ("1999-01-25", "outside the season of campaign MDL2021 (2021-11-01 to 2022-06-30)"),
    ("2030-01-25", "2030-01-25 is "),
])
def test_every_typed_day_is_checked_and_a_refused_one_records_nothing(ledger, tmp_path, name, day,
                                                                      said):
    if name in NEEDS_A_BUNDLE:
        _closed(ledger)
    if name == "outcome record --date" and day == "1999-01-25":
        said = "is before 2017-01-01, too early for campaign MDL2021"
    before = ledger.events()
    result = ledger(*_command(name, day, tmp_path / "papers"))
    assert result.exit_code == 2, result.output
    option = name.split()[-1]
    assert f"Error: {option} {day}" in result.output and said in result.output
    if day == "2030-01-25":  # after today, or (a day to list reminders for) after the season
        assert any(why in result.output for why in ("is in the future", "is after", "outside the season"))
    assert ledger.events() == before  # nothing recorded: no bundle closed, no paper issued
    assert not (tmp_path / "papers").exists()


@pytest.mark.parametrize("name", COMMANDS)
def test_a_day_in_the_season_is_taken(ledger, tmp_path, name):
    if name in NEEDS_A_BUNDLE:
        _closed(ledger)
    result = ledger(*_command(name, "2022-01-20", tmp_path / "papers"))
    assert result.exit_code == 0, result.output
    if name == "bundle deliver --on":
        [(_, payload)] = [(t, p) for t, p in ledger.events() if t == EventType.BUNDLE_DELIVERED]
        assert payload["received_on"] == "2022-01-20" and "outside_season" not in payload
    if name == "bundle close --date":
        issued = [p for t, p in ledger.events() if t == EventType.SHEET_ISSUED]
        assert issued and {p["issued_on"] for p in issued} == {"2022-01-20"}


def test_a_delivery_after_the_season_needs_outside_season_and_the_event_says_so(ledger, tmp_path):
    _closed(ledger)
    refused = ledger("bundle", "deliver", "1", "--received-by", "Consul", "--on", "2022-09-15")
    assert refused.exit_code == 2
    assert "recorded with --outside-season" in refused.output and "check the year" in refused.output
    done = ledger("bundle", "deliver", "1", "--received-by", "Consul", "--on", "2022-09-15",
                  "--outside-season")
    assert done.exit_code == 0, done.output
    [payload] = [p for t, p in ledger.events() if t == EventType.BUNDLE_DELIVERED]
    assert payload["received_on"] == "2022-09-15" and payload["outside_season"] is True


def test_outside_season_never_takes_a_day_before_the_season_nor_in_the_future(ledger, tmp_path):
    _closed(ledger)
    for day in ("2021-10-31", (date.today() + timedelta(days=1)).isoformat()):
        result = ledger("bundle", "deliver", "1", "--received-by", "Consul", "--on", day,
                        "--outside-season")
        assert result.exit_code == 2 and f"--on {day}" in result.output


def test_a_delivery_on_the_day_it_is_recorded_is_taken_after_the_season(ledger, tmp_path):
    """Today is after the season's end (2022-06-30): the clock's day is no typing error."""
    _closed(ledger)
    today = date.today().isoformat()
    result = ledger("bundle", "deliver", "1", "--received-by", "Consul", "--on", today)
    assert result.exit_code == 0, result.output
    [payload] = [p for t, p in ledger.events() if t == EventType.BUNDLE_DELIVERED]
    assert payload["received_on"] == today and "outside_season" not in payload


def test_a_purge_up_to_today_is_given_tomorrow(ledger):
    too_far = ledger("purge", "--delivered-before", "2100-01-01", "--dry-run")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert too_far.exit_code == 2 and f"--delivered-before {tomorrow}" in too_far.output
    assert ledger("purge", "--delivered-before", tomorrow, "--dry-run").exit_code == 0


@pytest.mark.parametrize("day, said", [
    ("1999-01-25", "1999-01-25 is outside the season of campaign MDL2021 (2021-11-01 to 2022-06-30)"),
    ("2022-09-15", "2022-09-15 is outside the season"),
    ("2030-01-25", "2030-01-25 is in the future"),
])
def test_a_signature_file_with_a_day_outside_the_season_is_refused_whole(ledger, tmp_path, day,
                                                                         said):
    export = tmp_path / "signatures.csv"
    export.write_text(f"case;count;source;date\nCAAL;12;web;2021-12-01\nZHANG;3;web;{day}\n",
                      encoding="utf-8")
    before = ledger.events()
    result = ledger("signatures", "import", export)
    assert result.exit_code == 3 and "line 3" in result.output and said in result.output
    assert ledger.events() == before
    export.write_text("case;count;source;date\nCAAL;12;web;2021-12-01\n", encoding="utf-8")
    assert ledger("signatures", "import", export).exit_code == 0


def test_a_campaign_without_a_season_checks_against_its_default(run, campaign_text, tmp_path):
    path = tmp_path / "campaign.toml"
    path.write_text(campaign_text, encoding="utf-8")
    assert run("campaign", "load", path).exit_code == 0
    refused = run("orders", "reminders", "--today", "2023-01-12")
    assert refused.exit_code == 2
    assert ("--today 2023-01-12 is outside the season of campaign MDL2021 (2021-07-11 to 2023-01-11, "
            "derived from its deadline)") in refused.output
    assert "season = { start = YYYY-MM-DD, end = YYYY-MM-DD }" in refused.output
    assert run("orders", "reminders", "--today", "2023-01-11").exit_code == 0


# ------------------------------------------------------------------ the station's form

@pytest.mark.parametrize("lang, day, said", [
    ("fr", "1999-01-25", "La date 1999-01-25 est hors de la saison de la campagne MDL2021 "
                         "(du 2021-07-11 au 2023-01-11)"),
    ("en", "2030-01-25", "The date 2030-01-25 is in the future"),
    ("nl", "2023-03-01", "De datum 2023-03-01 valt buiten het seizoen van campagne MDL2021 "
                         "(2021-07-11 tot 2023-01-11)"),
])
def test_the_delivery_form_refuses_a_day_in_the_stations_language(setup, lang, day, said):
    store, _, _, client = setup
    record_piece(store, 1)
    store.close_bundle("embassy:GT", actor="c", station="office")
    sign_in(client, "Chloé")
    client.post("/lang", data={"csrf": csrf(client, "/bundles"), "lang": lang, "next": "/bundles"})
    token = csrf(client, "/bundles/1")
    shown = client.post("/bundles/1/step", data={"csrf": token, "action": "deliver",
                                                 "received_by": "Consul", "received_on": day})
    assert said in shown.text
    assert store.bundle(1).state.value == "prepared"


def test_the_delivery_form_takes_a_late_delivery_when_ticked(setup):
    store, _, _, client = setup
    record_piece(store, 1)
    store.close_bundle("embassy:GT", actor="c", station="office")
    sign_in(client, "Chloé")
    token = csrf(client, "/bundles/1")
    form = {"csrf": token, "action": "deliver", "received_by": "Consul", "received_on": "2023-03-01"}
    assert "Remise après la saison" in client.get("/bundles/1").text
    client.post("/bundles/1/step", data=form)
    assert store.bundle(1).state.value == "prepared"
    client.post("/bundles/1/step", data={**form, "outside_season": "1"})
    view = store.bundle(1)
    assert view.state.value == "delivered" and view.bundle.received_on == date(2023, 3, 1)
    [event] = [e for e in store.events() if e.type == EventType.BUNDLE_DELIVERED]
    assert json.loads(event.payload)["outside_season"] is True
