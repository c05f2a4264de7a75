"""The coordinators' commands: bundles, their papers, their delivery, and progress."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from stations.cli.base import LANGS, Context, echo_json, pass_context
from stations.cli.choices import BUNDLE_STATES, DISPATCH_METHODS
from stations.cli.days import typed_day
from stations.cli.words import counted, plural
from stations.errors import BadInput
from stations.progress import progress_bar
from stations.untrusted import terminal_text

# The store and the pipeline are imported by the commands, so that their --help loads neither.
STATES = click.Choice(BUNDLE_STATES)
DAY = click.DateTime(["%Y-%m-%d"])


def _who(obj: Context, operator: str | None) -> tuple[str, str]:
    return operator or obj.settings.operator, obj.settings.station


def _day(value: date | None) -> date:
    return value or date.today()


def _signatures(count: int | None) -> str:
    return "—" if count is None else str(count)


# A bundle's totals and the kinds they count (`Kind`'s values), in the order the papers show them.
TOTALS = (("letters", "letter"), ("solidarity_letters", "solidarity_letter"),
           ("postcards", "postcard"), ("petitions", "petition"))


# The two letter columns of the tables, and what they mean.
_LETTERS_HEAD = f"{'to authority':>12} {'to person':>9}"
_LETTERS_NOTE = ("  (letters to the authority go to the embassy; letters to the person are "
                 "forwarded with the postcards)")


def _contents(totals: dict, late: int) -> str:
    """'12 pieces: 10 letters to the authority, 2 petition sheets (31 signatures), 3 late'."""
    parts = [counted(totals[key], kind) for key, kind in TOTALS if totals[key]]
    if totals["petitions"]:
        parts[-1] += f" ({_signatures(totals['signatures'])} signatures)"
    if late:
        parts.append(f"{late} arrived after the deadline")
    return f"{plural(totals['pieces'], 'piece')}: " + ", ".join(parts)


def _one_line_name(ctx, param, value: str | None) -> str | None:
    """A name to print: one line, no control characters, not too long."""
    from models.store.bundles import BundleError, clean_text

    try:
        return clean_text(value, "the name of who hands it over", required=False)
    except BundleError as exc:
        raise click.BadParameter(str(exc)) from None


def _papers_options(f):
    """The options of the commands that write a bundle's papers."""
    f = click.option("--handed-by", callback=_one_line_name, help="Who hands the bundle over, printed on the "
                                         "recipient's sheet [default: a line to write on].")(f)
    f = click.option("--lang", type=LANGS, help="Language of the recipient's sheet and the label "
                                                "[default: the embassy's language, else the "
                                                "campaign's]; the office copy is in the station's "
                                                "(SCANPIPE_LANGUAGE).")(f)
    return click.option("--date", "issued", type=DAY,
                        help="Date printed on the papers [default: today]; within the "
                             "campaign's season, not after today.")(f)


def _operator_option(f):
    return click.option("--operator", help="Who does it [default: SCANPIPE_OPERATOR or your "
                                           "login].")(f)


@click.group()
def bundle() -> None:
    """Bundles per destination, their delivery sheets and labels, and their delivery.

    A bundle takes every routed piece of one destination (an embassy, a person,
    relatives or a partner office) not yet in a bundle. Its states: prepared,
    dispatched (by hand, or by post with a tracking number), delivered, refused,
    returned, void. Every step is a ledger event.
    """


@bundle.command("pending")
@pass_context
def bundle_pending(obj: Context) -> None:
    """What can be bundled now: routed pieces per destination not yet in a bundle."""
    from stations.delivery import deadline_passed_at, recipient

    campaign = obj.campaign(read_only=True)
    waiting = obj.store(read_only=True).pending(late_after=deadline_passed_at(campaign))
    if not waiting:
        click.echo("Nothing waiting: every routed piece is in a bundle.")
        return
    click.echo(f"  {'destination':<18} {_LETTERS_HEAD} {'postcards':>9} {'petitions':>9} "
               f"{'late':>5}  recipient")
    for row in waiting:
        click.echo(terminal_text(f"  {row.destination:<18} {row.letters:>12} {row.solidarity_letters:>9} "
                                 f"{row.postcards:>9} {row.petitions:>9} {row.late:>5}  "
                                 f"{recipient(campaign, row.destination).name}"))
    click.echo(_LETTERS_NOTE)


@bundle.command("close")
@click.argument("destinations", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="A bundle for every destination with "
                                                        "pieces waiting.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write each bundle's papers here: the recipient's sheet (or manifest), "
                   "the office copy and the label.")
@_papers_options
@_operator_option
@pass_context
def bundle_close(obj: Context, destinations: tuple[str, ...], everything: bool, out: Path | None,
                 issued, lang: str | None, handed_by: str | None, operator: str | None) -> None:
    """Close a bundle for each DESTINATION (e.g. embassy:GT, partner:AIIS, relatives:BAKER).

    Pieces that arrived after the campaign's deadline are bundled too, and
    listed on the office copy (never on the recipient's sheet).
    """
    from models.store.bundles import BundleError, NothingToBundle
    from scanpipe.domain.season import DayUse
    from stations.delivery import deadline_passed_at, recipient, write_documents

    campaign = obj.campaign()
    store = obj.store()
    issued_on = _day(typed_day(store, campaign, "--date", issued, DayUse.DELIVERY))
    actor, station = _who(obj, operator)
    late_after = deadline_passed_at(campaign)
    if everything == bool(destinations):
        raise BadInput("name the destinations to bundle, or give --all (not both): "
                       "'scanpipe bundle pending' lists them")
    if everything:
        destinations = tuple(row.destination for row in store.pending())
        if not destinations:
            click.echo("Nothing to bundle: every routed piece is in a bundle already.")
            return
    with progress_bar("Bundles", unit="bundles") as tick:
        for done, destination in enumerate(destinations, 1):
            try:
                view = store.close_bundle(destination, actor=actor, station=station,
                                          late_after=late_after)
            except NothingToBundle as exc:
                known = ", ".join(row.destination for row in store.pending()) or "none"
                raise BundleError(f"{exc} (destinations with pieces waiting: {known})") from None
            tick.echo(terminal_text(f"Bundle {view.id} for {destination} "
                                    f"({recipient(campaign, destination).name}), campaign "
                                    f"{campaign.id}: {_contents(view.totals, len(view.late_ids))}"))
            if out is not None:
                for path in write_documents(store, view, campaign, out, issued_on=issued_on,
                                            lang=lang, office_lang=obj.settings.language,
                                            actor=actor, station=station, handed_by=handed_by):
                    tick.echo(f"  wrote {terminal_text(path)}")
            tick(done, len(destinations))


@bundle.command("print")
@click.argument("bundle_id", type=int)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@_papers_options
@_operator_option
@pass_context
def bundle_print(obj: Context, bundle_id: int, out: Path, issued, lang: str | None,
                 handed_by: str | None, operator: str | None) -> None:
    """Write BUNDLE_ID's papers again: the recipient's sheet (or manifest), the office copy
    (with the bundle's state now: dispatch, tracking, receipt) and the label."""
    from models.events import BundleState
    from models.store.bundles import BundleError
    from scanpipe.domain.season import DayUse
    from stations.delivery import write_documents

    campaign = obj.campaign()
    store = obj.store()
    issued_on = _day(typed_day(store, campaign, "--date", issued, DayUse.DELIVERY))
    actor, station = _who(obj, operator)
    view = store.bundle(bundle_id)
    if view.state is BundleState.VOID:
        raise BundleError(f"bundle {bundle_id} is void: its pieces may be in another bundle now")
    for path in write_documents(store, view, campaign, out, issued_on=issued_on, lang=lang,
                                office_lang=obj.settings.language, actor=actor, station=station,
                                handed_by=handed_by):
        click.echo(f"wrote {terminal_text(path)}")


@bundle.command("list")
@click.option("--state", type=STATES, help="Only bundles in this state.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per bundle.")
@pass_context
def bundle_list(obj: Context, state: str | None, as_json: bool) -> None:
    """Every bundle, its destination, state and pieces."""
    from models.events import BundleState
    from models.store import item_ref

    rows = obj.store(read_only=True).bundles(state=BundleState(state) if state else None)
    if not rows and not as_json:
        click.echo("No bundle yet: 'scanpipe bundle pending' shows what can be bundled.")
    for row in rows:
        if as_json:
            echo_json({"bundle": row.id, "destination": row.destination, "state": row.state,
                       "pieces": row.pieces, "late": row.late,
                       "created_at": row.created_at.isoformat(), "method": row.method,
                       "tracking": row.tracking, "received_by": row.received_by,
                       "received_on": row.received_on.isoformat() if row.received_on else None,
                       "receipt_item": item_ref(row.receipt_item_id) if row.receipt_item_id else None})
        else:
            click.echo(f"  {row.id:>5}  {terminal_text(row.destination):<18} {row.state:<10} "
                       f"{plural(row.pieces, 'piece'):>12}{f' ({row.late} late)' if row.late else ''}")


@bundle.command("show")
@click.argument("bundle_id", type=int)
@pass_context
def bundle_show(obj: Context, bundle_id: int) -> None:
    """One bundle: its counts per case, its history, its pieces."""
    from models.store import item_ref
    from stations.delivery import recipient

    campaign = obj.campaign(read_only=True)
    store = obj.store(read_only=True)
    view = store.bundle(bundle_id)
    b = view.bundle
    click.echo(terminal_text(f"Bundle {b.id} → {b.destination} "
                             f"({recipient(campaign, b.destination).name}): {b.state}"))
    click.echo(f"  {'case':<10} {_LETTERS_HEAD} {'postcards':>9} {'petitions':>9} "
               f"{'signatures':>10}")
    for line in view.lines:
        click.echo(f"  {terminal_text(line.case):<10} {line.letters:>12} {line.solidarity_letters:>9} "
                   f"{line.postcards:>9} {line.petitions:>9} {_signatures(line.signatures):>10}")
    totals = view.totals
    click.echo(f"  {'total':<10} {totals['letters']:>12} {totals['solidarity_letters']:>9} "
               f"{totals['postcards']:>9} {totals['petitions']:>9} "
               f"{_signatures(totals['signatures']):>10}")
    click.echo(f"  {_contents(totals, len(view.late_ids))}")
    click.echo("History:")
    for event in store.bundle_events(bundle_id):
        click.echo(terminal_text(f"  {event.at[:19]}  {event.type:<18} by {event.actor} at "
                                 f"{event.station}  "
                                 f"{event.payload if event.type != 'bundle.closed' else ''}"))
    click.echo(f"Pieces ({len(view.item_ids)}): " + " ".join(item_ref(i) for i in view.item_ids))
    if view.late_ids:
        click.echo(f"Late ({len(view.late_ids)}): " + " ".join(item_ref(i) for i in view.late_ids))


@bundle.command("dispatch")
@click.argument("bundle_id", type=int)
@click.option("--by", "method", required=True, type=click.Choice(DISPATCH_METHODS),
              help="Handed over by hand, or sent by post.")
@click.option("--tracking", help="The post's tracking number (needed with --by post).")
@_operator_option
@pass_context
def bundle_dispatch(obj: Context, bundle_id: int, method: str, tracking: str | None,
                    operator: str | None) -> None:
    """Record that BUNDLE_ID left the office."""
    from models.store.bundles import DispatchMethod

    actor, station = _who(obj, operator)
    row = obj.store().dispatch_bundle(bundle_id, method=DispatchMethod(method), tracking=tracking,
                                      actor=actor, station=station)
    click.echo(terminal_text(f"Bundle {row.id}: dispatched by {row.method}"
                             f"{f', tracking {row.tracking}' if row.tracking else ''}."))


@bundle.command("deliver")
@click.argument("bundle_id", type=int)
@click.option("--received-by", required=True, help="Who received it (name, function).")
@click.option("--on", "received_on", type=DAY, help="When [default: today]; within the "
                                                    "campaign's season, not after today.")
@click.option("--outside-season", is_flag=True,
              help="Accept an --on day after the season's end (a late delivery); the event "
                   "says so.")
@click.option("--receipt-item", type=int, help="The item id of the signed sheet, if it was "
                                               "scanned and did not mark the bundle by itself.")
@_operator_option
@pass_context
def bundle_deliver(obj: Context, bundle_id: int, received_by: str, received_on,
                   outside_season: bool, receipt_item: int | None, operator: str | None) -> None:
    """Record that BUNDLE_ID was received (a scanned signed sheet does this by itself)."""
    from scanpipe.domain.season import DayUse

    actor, station = _who(obj, operator)
    store = obj.store()
    campaign = obj.campaign()
    typed = typed_day(store, campaign, "--on", received_on, DayUse.DELIVERY,
                      outside_season=outside_season)
    late = outside_season and typed is not None and typed > campaign.season.end
    row = store.deliver_bundle(bundle_id, received_by=received_by, received_on=_day(typed),
                               receipt_item=receipt_item, actor=actor, station=station,
                               outside_season=late)
    click.echo(f"Bundle {row.id}: delivered to {terminal_text(row.received_by)} on "
               f"{row.received_on.isoformat()}.")


def _reason_step(verb: str, method: str, doc: str):
    @bundle.command(verb, help=doc)
    @click.argument("bundle_id", type=int)
    @click.option("--reason", required=True, help="Why (recorded in the ledger).")
    @_operator_option
    @pass_context
    def command(obj: Context, bundle_id: int, reason: str, operator: str | None) -> None:
        actor, station = _who(obj, operator)
        row = getattr(obj.store(), method)(bundle_id, reason=reason, actor=actor, station=station)
        click.echo(f"Bundle {row.id}: {row.state} ({terminal_text(row.note)}).")
    return command


_reason_step("refuse", "refuse_bundle", "Record that the receiver refused BUNDLE_ID.")
_reason_step("return", "return_bundle", "Record that BUNDLE_ID came back (e.g. by post).")
_reason_step("void", "void_bundle", "Void BUNDLE_ID before delivery: its pieces may be "
                                    "bundled again.")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per case and destination.")
@pass_context
def progress(obj: Context, as_json: bool) -> None:
    """Per case and destination: pieces routed (and of which kind), bundled, dispatched,
    delivered."""
    rows = obj.store(read_only=True).delivery_progress()
    if not as_json:
        click.echo(f"  {'case':<10} {'destination':<18} {'routed':>7} {'bundled':>8} "
                   f"{'dispatched':>10} {'delivered':>9} {'back':>5}  routed pieces")
    for row in rows:
        if as_json:
            echo_json({"case": row.case, "destination": row.destination, "routed": row.routed,
                       "bundled": row.bundled, "dispatched": row.dispatched,
                       "delivered": row.delivered, "refused_or_returned": row.refused_or_returned,
                       **{key: getattr(row, key) for key, _ in TOTALS}})
        else:
            kinds = ", ".join(counted(getattr(row, key), kind) for key, kind in TOTALS
                              if getattr(row, key))
            click.echo(f"  {terminal_text(row.case):<10} {terminal_text(row.destination):<18} "
                       f"{row.routed:>7} {row.bundled:>8} "
                       f"{row.dispatched:>10} {row.delivered:>9} {row.refused_or_returned:>5}  "
                       f"{kinds}")
    if not as_json:
        total = [sum(getattr(r, k) for r in rows) for k in ("routed", "bundled", "dispatched",
                                                             "delivered")]
        click.echo(f"  {'total':<29} {total[0]:>7} {total[1]:>8} {total[2]:>10} {total[3]:>9}")
        kinds = ", ".join(counted(sum(getattr(r, key) for r in rows), kind)
                          for key, kind in TOTALS)
        click.echo(f"  routed: {kinds}")
