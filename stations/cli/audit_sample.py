"""The auditors' sample: `audit sample` draws the pieces to check by hand, `audit sample-result`
measures the risk left from the files the checkers filled in and says whether the audit is
done or how far the next round must reach. Both only read the ledger."""

from __future__ import annotations

import re
import shlex
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stations.cli.base import LANGS, Context, pass_context
from stations.errors import AuditFailed, BadInput, LedgerError
from stations.progress import progress_bar
from stations.spreadsheets import CHOICES, separator
from stations.untrusted import terminal_text

if TYPE_CHECKING:  # imported where used, so that `scanpipe audit --help` loads none of them
    from models.audit.population import Sample
    from models.audit.sampling import RiskLimits
    from stations.sample_sheet import SampleFile, SampleHeader

_FILE = click.Path(exists=True, dir_okay=False, readable=False, path_type=Path)
_PLACES = {"tray": "in their trays", "bundle": "in bundles", "delivered": "delivered"}


def _share(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    """A share given as 0.05 or 5%."""
    if value is None:
        return None
    cleaned = value.replace(" ", "").replace(",", ".")
    try:
        number = Decimal(cleaned.rstrip("%"))
    except InvalidOperation:
        raise click.BadParameter(f"a share such as 0.05 or 5%, not {value!r}") from None
    return float(number / 100 if cleaned.endswith("%") else number)


def _percent(share: float) -> str:
    return format((Decimal(str(share)) * 100).normalize(), "f") + " %"


def _limits(risk_limit: float, tolerable: float, expected: float) -> RiskLimits:
    from models.audit.sampling import RiskLimits, SamplingError

    try:
        return RiskLimits(risk_limit, tolerable, expected)
    except SamplingError as exc:
        raise BadInput(str(exc)) from None


def _option_share(share: float) -> str:
    return format(Decimal(str(share)).normalize(), "f")


@click.command("sample")
@click.option("--seed", required=True, help="Any text; the same seed (and --as-of) draws the "
                                            "same pieces. Let someone outside the office choose it "
                                            "(e.g. twenty digits from ten-sided dice).")
@click.option("--risk-limit", default="0.05", show_default=True, callback=_share,
              help="The largest chance the audit may pass a season as bad as --tolerable (0.05 or 5%).")
@click.option("--tolerable", default="0.01", show_default=True, callback=_share,
              help="The claim to show: fewer than this share of pieces are misrouted or missing.")
@click.option("--expected", default="0.002", show_default=True, callback=_share,
              help="The share of wrong pieces to plan the sample size for (below --tolerable).")
@click.option("--n", "count", type=click.IntRange(1, 10**7),
              help="Draw this many instead of the computed size (for round 2 and later: how far "
                   "the rounds reach in all, as 'sample-result' says).")
@click.option("--as-of", type=click.IntRange(1, 10**12),
              help="Draw as the ledger stood at this event [default: its newest; later rounds: "
                   "the first round's].")
@click.option("--round", "round_", default=1, show_default=True, type=click.IntRange(1, 1000),
              help="The round: 2 and later widen the sample (as 'sample-result' says).")
@click.option("--previous-draws", type=click.IntRange(1, 10**7),
              help="How far the earlier rounds reached (round 2 and later).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to fill in: one row per piece, with a result column.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]),
              help="csv or xlsx [default: by the name of --out, else csv].")
@click.option("--lang", type=LANGS, help="Language of the file [default: SCANPIPE_LANGUAGE].")
@click.option("--sep", type=click.Choice(sorted(CHOICES)),
              help="CSV separator [default: semicolon for fr and nl, comma for en].")
@pass_context
def audit_sample(obj: Context, seed: str, risk_limit: float, tolerable: float, expected: float,
                 count: int | None, as_of: int | None, round_: int, previous_draws: int | None,
                 out: Path, fmt: str | None, lang: str | None, sep: str | None) -> None:
    """Draw a risk-limiting sample of the pieces the office holds or has delivered.

    The sample size is what it takes to show, with a risk of at most
    --risk-limit, that fewer than --tolerable of the pieces are misrouted or
    missing, if about --expected of them are. Each piece comes with where to
    find it: its tray, its bundle and place in the bundle's list, or its
    destination and the receipt scanned back. Write the result of each (match,
    mismatch, missing) in the file, then run 'scanpipe audit sample-result FILE'.
    """
    from models.audit.sampling import sample_size
    from stations.sample_sheet import SampleHeader, write_sample

    if not seed.strip() or seed != seed.strip() or any(ord(c) < 32 for c in seed):
        raise BadInput("the seed is text without line breaks or spaces at either end")
    limits = _limits(risk_limit or 0.0, tolerable or 0.0, expected or 0.0)
    if round_ > 1 and (previous_draws is None or count is None or as_of is None):
        raise BadInput(f"round {round_} widens an earlier sample: give --as-of, --previous-draws "
                       "and --n as 'scanpipe audit sample-result' printed them")
    if round_ == 1 and previous_draws:
        raise BadInput("--previous-draws is for round 2 and later")
    if previous_draws and count is not None and count <= previous_draws:
        raise BadInput(f"--n ({count}) must reach further than --previous-draws ({previous_draws})")
    store = obj.store(read_only=True)
    trays = store.tray_plan(store.campaign())
    planned = {"size": 0}

    def size(population: int) -> int:
        planned["size"] = sample_size(population, limits)
        return count if count is not None else planned["size"]

    with progress_bar("Reading the ledger", unit="events") as tick:
        sample = store.draw_sample(seed, size, as_of, previous=previous_draws or 0, trays=trays,
                                   progress=tick)
    if not sample.population:
        raise LedgerError("no piece is in a tray, a bundle or delivered yet: there is nothing to sample")
    if previous_draws and previous_draws >= sample.population:
        raise BadInput(f"the earlier rounds reached every one of the {sample.population} pieces "
                       "already: there is nothing left to draw")
    header = SampleHeader(seed, sample.as_of, round_, previous_draws or 0, sample.draws,
                          sample.population, limits)
    language = lang or obj.settings.language
    xlsx = (fmt or ("xlsx" if out.suffix.lower() == ".xlsx" else "csv")) == "xlsx"
    write_sample(out, sample, header, lang=language, sep=separator(language, sep), xlsx=xlsx)
    _explain_size(sample, limits, count, planned["size"], round_)
    click.echo(f"Wrote {len(sample.pieces)} pieces to {terminal_text(out)} (seed "
               f"{terminal_text(repr(seed))}, as of event {sample.as_of}, round {round_}).")


def _explain_size(sample: Sample, limits: RiskLimits, forced: int | None, planned: int,
                  round_: int) -> None:
    from models.audit.population import STRATA

    n, population = sample.draws, sample.population
    claim = (f"that fewer than {_percent(limits.tolerable)} of the {population:,} pieces are "
             f"misrouted or missing, with a risk of at most {_percent(limits.risk_limit)}")
    if round_ > 1:
        click.echo(f"Round {round_} widens the sample from {sample.previous:,} to {n:,} pieces of "
                   f"the seeded order, to show {claim}.")
    elif forced is not None:
        click.echo(f"Sample size {n:,} (forced by --n; the risk limit asks for {planned:,}) to "
                   f"show {claim}.")
    elif n >= population:
        click.echo(f"Sample size {n:,}: every piece — a full count, since a sample cannot show "
                   f"{claim} here (too few pieces, or the expected rate too close to the "
                   "tolerable one).")
    else:
        click.echo(f"Sample size {n:,} to show {claim}, if about {_percent(limits.expected)} of "
                   "them are (the expected rate): each right piece adds evidence, each wrong one "
                   "takes some away.")
    head, extras = sample.reach(n)
    drawn = {s: 0 for s in STRATA}
    for item_id in head:
        drawn[sample.stratum_of[item_id]] += 1
    for stratum in STRATA:
        if sample.strata.get(stratum):
            count = sample.strata[stratum]
            click.echo(f"  {_PLACES[stratum]}: {count:,} piece{'' if count == 1 else 's'}, "
                       f"{drawn[stratum]:,} drawn")
    if extras:
        click.echo(f"  + {len(extras)} more so that every place is visited (a wrong one counts "
                   "against the audit; a right one proves nothing).")


# ------------------------------------------------------------------------ result

def _rounds(files: list[SampleFile]) -> list[SampleFile]:
    """The files in round order, checked to be rounds 1… of one sample."""
    ordered = sorted(files, key=lambda f: f.header.round)
    first = ordered[0].header
    for number, file in enumerate(ordered, 1):
        h = file.header
        if (h.seed, h.as_of, h.population, h.limits) != (first.seed, first.as_of, first.population,
                                                         first.limits):
            raise BadInput(f"{file.path} is not of the same sample as {ordered[0].path} (another "
                           "seed, event or risk limits)")
        if h.round != number:
            raise BadInput(f"the files hold rounds {', '.join(str(f.header.round) for f in ordered)}: "
                           f"give every round's file, from round 1 (round {number} is missing)")
        before = ordered[number - 2].header.draws if number > 1 else 0
        if h.previous != before or h.draws <= before:
            raise BadInput(f"{file.path}: round {number} starts after {h.previous} draws, but the "
                           f"rounds before it reached {before}")
    return ordered


@click.command("sample-result")
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option("--confidence", default=0.95, show_default=True, type=click.FloatRange(0.5, 0.999),
              help="For the upper bound of the share of wrong pieces.")
@pass_context
def audit_sample_result(obj: Context, files: tuple[Path, ...], confidence: float) -> None:
    """Measure the risk left from filled-in sample FILES (every round's, from round 1).

    The sample is drawn again from the ledger with its seed, so a file whose
    pieces were changed or cherry-picked is refused. Exits 0 when the risk
    limit is met; 1 when it is not, saying how many more pieces the next round
    needs and the command that draws them.
    """
    from models.audit.sampling import measure
    from stations.sample_sheet import read_sample

    rounds = _rounds([read_sample(path) for path in files])
    last = rounds[-1].header
    store = obj.store(read_only=True)
    with progress_bar("Reading the ledger", unit="events") as tick:
        sample = store.draw_sample(last.seed, last.draws, last.as_of,
                                   trays=store.tray_plan(store.campaign()), progress=tick)
    if sample.population != last.population:
        raise AuditFailed(f"{last.population} pieces were drawn from, but this seed draws from "
                          f"{sample.population} as of event {last.as_of} — the file belongs to "
                          "another ledger or campaign")
    results: dict[int, tuple[str | None, str]] = {}
    for file in rounds:
        h = file.header
        want = sample.round_items(h.draws) - sample.round_items(h.previous)
        have = {p.item_id for p in file.pieces}
        if have != want:
            odd = sorted(have ^ want)
            raise AuditFailed(f"{file.path}: its pieces are not round {h.round} of the sample this "
                              f"seed draws from the ledger ({len(odd)} differ, e.g. item "
                              f"{odd[0]:07d}) — the file was edited or belongs to another ledger")
        results.update({p.item_id: (p.result, p.note) for p in file.pieces})
    head, extras = sample.reach(last.draws)
    outcomes = [results[i][0] != "match" for i in head]
    extra_wrong = sum(results[i][0] != "match" for i in extras)
    measured = measure(outcomes, sample.population, last.limits, extra_wrong)
    _report(sample, last, results, head, extras, measured.risk, confidence)
    if measured.met and all(r is not None for r, _ in results.values()):
        click.echo(f"RISK LIMIT MET: fewer than {_percent(last.limits.tolerable)} of the "
                   f"{sample.population:,} pieces are misrouted or missing; the chance that a "
                   f"season where they are not would pass this audit is at most "
                   f"{_percent(last.limits.risk_limit)}.")
        return
    _next_round(rounds, sample, head, outcomes, extra_wrong)
    click.get_current_context().exit(1)


def _report(sample: Sample, header: SampleHeader, results: dict[int, tuple[str | None, str]],
            head: list[int], extras: list[int], risk: float, confidence: float) -> None:
    from models.audit.sampling import upper_rate

    blank = sorted(i for i, (r, _) in results.items() if r is None)
    wrong = {name: sorted(i for i, (r, _) in results.items() if r == name)
             for name in ("mismatch", "missing")}
    checked = sum(r is not None for i, (r, _) in results.items() if i in set(head))
    click.echo(f"Sample of {len(head):,} pieces" + (f" (+{len(extras)} to visit every place)"
                                                     if extras else "")
               + f" from {sample.population:,} (seed {terminal_text(repr(header.seed))}, as of event "
                 f"{header.as_of}, {header.round} round{'s' if header.round > 1 else ''}): "
                 f"{len(results) - len(blank):,} checked, {len(blank):,} not yet"
               + (" (counted as wrong until they are)." if blank else "."))
    places = {p.item_id: p for p in sample.pieces}
    for name, label in (("mismatch", "misrouted (mismatch)"), ("missing", "missing")):
        click.echo(f"  {label}: {len(wrong[name])}")
        for item_id in wrong[name][:50]:
            p = places[item_id].place
            where = (f"tray {p.tray}" if p.stratum == "tray" else f"bundle {p.bundle} #{p.position}")
            click.echo(terminal_text(f"    item {item_id:07d} ({where}): {results[item_id][1]}"))
    bad = len(wrong["mismatch"]) + len(wrong["missing"])
    wrong_in_head = sum(1 for i in head if results[i][0] in ("mismatch", "missing"))
    if checked:
        bound = upper_rate(wrong_in_head, checked, sample.population, confidence)
        click.echo(f"  {bad} wrong in all; at most {bound:.2%} of the pieces (about "
                   f"{round(bound * sample.population):,}) are wrong, with {confidence:.0%} "
                   "confidence.")
    click.echo(f"Measured risk: {_percent(round(risk, 4))} (limit {_percent(header.limits.risk_limit)}).")


def _next_round(rounds: list[SampleFile], sample: Sample, head: list[int], outcomes: list[bool],
                extra_wrong: int) -> None:
    from models.audit.sampling import sample_size

    last = rounds[-1]
    h = last.header
    blank = [p.item_id for f in rounds for p in f.pieces if p.result is None]
    if blank:
        click.echo(f"Not done: {len(blank)} pieces have no result yet (e.g. item {blank[0]:07d}). "
                   "Find them (a piece not found is 'missing') and run this again.")
        return
    needed = sample_size(sample.population, h.limits, [*outcomes, *([True] * extra_wrong)])
    needed = min(sample.population, max(needed - extra_wrong, h.draws + 1))
    if needed >= sample.population:
        click.echo(f"RISK LIMIT NOT MET, and no sample can meet it now: too many wrong pieces for "
                   f"a rate below {_percent(h.limits.tolerable)}. Check every piece (a full count "
                   f"of {sample.population:,}), or correct the errors and audit again.")
    else:
        click.echo(f"RISK LIMIT NOT MET: escalate. Round {h.round + 1} widens the sample to "
                   f"{needed:,} pieces ({needed - h.draws:,} more), planned for the wrong pieces "
                   "found so far.")
    stem = re.sub(r"-round\d+$", "", last.path.stem)
    command = ["scanpipe", "audit", "sample", "--seed", h.seed, "--as-of", str(h.as_of),
               "--round", str(h.round + 1), "--previous-draws", str(h.draws), "--n", str(needed),
               "--risk-limit", _option_share(h.limits.risk_limit),
               "--tolerable", _option_share(h.limits.tolerable),
               "--expected", _option_share(h.limits.expected),
               "--out", str(last.path.with_name(f"{stem}-round{h.round + 1}{last.path.suffix}"))]
    click.echo("Draw it with:\n  " + terminal_text(shlex.join(command)))
