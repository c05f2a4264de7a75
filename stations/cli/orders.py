"""`scanpipe orders`: the kit orders of schools, groups and persons — import them, print their
kits with a parcel label each, count what came back, and list whom to remind."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanpipe.domain.orders import OrdersFileError, parse_orders
from stations.cli.base import Context, pass_context
from stations.cli.days import typed_day
from stations.cli.words import plural
from stations.errors import BadInput
from stations.progress import progress_bar
from stations.untrusted import spreadsheet_text, terminal_text

# The store and the kits are imported when a command runs, so that --help loads none of them.
if TYPE_CHECKING:
    from models.store.orders import KindTotals, OrderFigures

_FORMATS = click.Choice(["text", "csv"])


@click.group()
def orders() -> None:
    """Kit orders: who ordered kits, their kits and parcel labels, what came back, reminders.

    Orders belong to the campaign in force: load it first ('scanpipe campaign load').
    """


@orders.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--operator", help="Who imports them [default: SCANPIPE_OPERATOR or your login].")
@pass_context
def import_(obj: Context, file: Path, operator: str | None) -> None:
    """Import the orders of a CSV FILE (one row per order; see the README for the columns).

    Every bad row is reported by line and column, and then nothing is imported. The same
    file again, or rows of orders imported before, import nothing new.
    """
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {file}: {exc.strerror or exc}") from None
    store = obj.store()
    campaign = store.campaign()
    try:
        lines = parse_orders(data, campaign.language)
    except OrdersFileError as exc:
        raise BadInput(f"{file}: nothing imported, {len(exc.problems)} "
                       f"problem{'' if len(exc.problems) == 1 else 's'} to correct:\n{exc}") from None
    outcome = store.import_orders(lines, campaign, sha256=hashlib.sha256(data).hexdigest(),
                                  source=file.name, actor=operator or obj.settings.operator,
                                  station=obj.settings.station)
    if outcome.same_file:
        click.echo(f"{terminal_text(file)} was imported before: nothing new "
                   f"({outcome.unchanged} orders, campaign {campaign.id}).")
    elif not outcome.imported:
        click.echo(f"Nothing new: the {outcome.unchanged} orders of {terminal_text(file)} were "
                   f"imported before (campaign {campaign.id}).")
    else:
        kept = f"; {outcome.unchanged} imported before" if outcome.unchanged else ""
        click.echo(f"Imported {outcome.imported} orders into campaign {campaign.id}{kept} "
                   f"(event {outcome.event_seq}).")


@orders.command("print")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the kits (a folder per order) and the parcel labels into.")
@click.option("--order", "references", multiple=True, metavar="REF",
              help="Only this order (repeat for several) [default: every order not printed yet].")
@click.option("--operator", help="Who prints them [default: SCANPIPE_OPERATOR or your login].")
@pass_context
def print_(obj: Context, out: Path, references: tuple[str, ...], operator: str | None) -> None:
    """Print the kits of the orders not printed yet, each in its order's language, with the
    next free kit serials, and a sheet of parcel labels (parcel-labels.pdf).

    The serials are recorded as sent for their order (kits.printed names it), one order at
    a time, before its files are written.
    """
    from scanpipe.paper.kits import render_kit
    from scanpipe.paper.parcels import ParcelLabel, render_parcel_labels

    store = obj.store()
    campaign = store.campaign()
    printed = store.order_kits(campaign)
    known = {order.reference: order for order in store.kit_orders(campaign)}
    unknown = [ref for ref in references if ref not in known]
    if unknown:
        raise BadInput(f"no order {', '.join(terminal_text(r) for r in unknown)} in campaign "
                       f"{campaign.id}: 'scanpipe orders report' lists the orders")
    again = [ref for ref in references if ref in printed]
    if again:
        spans = "; ".join(f"{terminal_text(r)}: {', '.join(str(s) for s in printed[r])}" for r in again)
        raise BadInput(f"the kits of these orders were printed already ({spans}); print given "
                       "kits again with 'scanpipe kits --reprint FIRST-LAST'")
    todo = [known[ref] for ref in dict.fromkeys(references)] if references else [
        order for order in known.values() if order.reference not in printed]
    if not todo:
        click.echo(f"Nothing to print: every order of campaign {campaign.id} has its kits.")
        return
    actor = operator or obj.settings.operator
    labels: list[ParcelLabel] = []
    with progress_bar("Orders", unit="orders") as tick:
        try:
            for done, order in enumerate(todo, 1):
                first = store.next_kit_serial()
                documents = render_kit(campaign, order.language, first_serial=first, kits=order.kits)
                # Recorded before the files are written: two printers at once never send one serial.
                store.record_kits_printed(first, order.kits, actor=actor, station=obj.settings.station,
                                          order=order.reference)
                last = first + order.kits - 1
                serials = f"{first:06d}" if first == last else f"{first:06d}–{last:06d}"
                labels.append(ParcelLabel(order.reference, order.name, order.contact, order.address,
                                          order.kits, serials, order.language))
                _write(out / order.reference, documents, serials, order.reference)
                tick.echo(f"Order {order.reference}: {plural(order.kits, 'kit')} ({serials}, "
                          f"{order.language}) in {terminal_text(out / order.reference)}")
                tick(done, len(todo))
        finally:  # the labels of the orders recorded, even when a later one fails
            if labels:
                target = out / "parcel-labels.pdf"
                _write(out, {target.name: render_parcel_labels(campaign, labels)}, "", "")
                tick.echo(f"Wrote {len(labels)} parcel labels to {terminal_text(target)}.")


def _write(folder: Path, documents: dict[str, bytes], serials: str, reference: str) -> None:
    try:
        for name, pdf in documents.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(pdf)
    except OSError as exc:
        recorded = (f" Kits {serials} are recorded as printed for order {reference}: print them "
                    f"with 'scanpipe kits --reprint {serials.replace('–', '-')}'.") if serials else ""
        raise BadInput(f"cannot write {folder}: {exc.strerror or exc}.{recorded}") from None


@orders.command()
@click.option("--format", "fmt", type=_FORMATS, default="text", show_default=True)
@pass_context
def report(obj: Context, fmt: str) -> None:
    """Per order: kits sent, kits back, pieces and signatures; then totals per kind of orderer
    (school, group, person, and the kits printed for no order) with the return rate."""
    from models.store.orders import NO_ORDER, kind_totals

    store = obj.store(read_only=True)
    campaign = store.campaign()
    figures = store.order_figures(campaign)
    totals = kind_totals(figures)
    if fmt == "csv":
        click.echo(_report_csv(figures, totals), nl=False)
        return
    click.echo(f"Kit orders of campaign {campaign.id}:")
    click.echo(f"  {'order':<14} {'kind':<8} {'name':<28} {'sent':>5} {'back':>5} {'rate':>6} "
               f"{'letters':>7} {'to pers.':>8} {'cards':>6} {'petit.':>6} {'sign.':>6}")
    for one in figures:
        if one.reference is None:
            continue
        click.echo(f"  {terminal_text(one.reference):<14} {one.kind:<8} "
                   f"{terminal_text(_cut(one.name, 28)):<28} {_counts(one)}")
    click.echo("Per kind of orderer:")
    for total in totals:
        orders_part = f"{total.orders} orders" if total.kind != NO_ORDER else ""
        click.echo(f"  {total.kind:<10} {orders_part:<12} {_counts(total)}")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _counts(one: OrderFigures | KindTotals) -> str:
    from models.events import PIECE_KINDS

    pieces = " ".join(f"{one.pieces[k]:>{w}}" for k, w in zip(PIECE_KINDS, (7, 8, 6, 6)))
    return (f"{one.kits_sent:>5} {one.kits_back:>5} {_rate(one.return_rate):>6} {pieces} "
            f"{one.signatures:>6}")


def _report_csv(figures: list[OrderFigures], totals: list[KindTotals]) -> str:
    from models.events import PIECE_KINDS
    from models.store.orders import NO_ORDER

    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["reference", "kind", "name", "orders", "kits_sent", "kits_back", "return_rate",
                     *PIECE_KINDS, "signatures"])

    def rate(value: float | None) -> str:
        return "" if value is None else f"{value:.4f}"

    for one in figures:
        if one.reference is not None:
            writer.writerow([spreadsheet_text(one.reference), one.kind, spreadsheet_text(one.name),
                             1, one.kits_sent, one.kits_back, rate(one.return_rate),
                             *(one.pieces[k] for k in PIECE_KINDS), one.signatures])
    for total in totals:
        writer.writerow(["", total.kind, "(total)" if total.kind != NO_ORDER else "",
                         total.orders, total.kits_sent, total.kits_back, rate(total.return_rate),
                         *(total.pieces[k] for k in PIECE_KINDS), total.signatures])
    return stream.getvalue()


@orders.command()
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]),
              help="The day to list them for, YYYY-MM-DD [default: today]; within the "
                   "campaign's season.")
@click.option("--format", "fmt", type=_FORMATS, default="text", show_default=True)
@pass_context
def reminders(obj: Context, today: datetime | None, fmt: str) -> None:
    """The orders sent kits of which nothing came back, with their contact, e-mail and address,
    to write to from a week before the campaign's deadline."""
    from scanpipe.domain.season import DayUse

    store = obj.store(read_only=True)
    campaign = store.campaign()
    day = typed_day(store, campaign, "--today", today, DayUse.PLANNING) or date.today()
    found = store.reminders(campaign, day)
    if not found.due:
        click.echo(f"The reminder list applies from {found.applies_from.isoformat()}, a week before "
                   f"the deadline of {campaign.deadline.isoformat()}; today "
                   f"{plural(len(found.orders), 'order')} sent kits have nothing back.")
        return
    if fmt == "csv":
        stream = io.StringIO()
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["reference", "kind", "name", "contact", "email", "address", "language", "kits"])
        for order in found.orders:
            writer.writerow([spreadsheet_text(str(v)) for v in (
                order.reference, order.kind, order.name, order.contact, order.email or "",
                order.address, order.language, order.kits)])
        click.echo(stream.getvalue(), nl=False)
        return
    passed = " (the deadline has passed)" if day > campaign.deadline else ""
    click.echo(f"{plural(len(found.orders), 'order')} with nothing back on {day.isoformat()}, deadline "
               f"{campaign.deadline.isoformat()}{passed}:")
    for order in found.orders:
        click.echo(f"  {terminal_text(order.reference)} ({order.kind}, {plural(order.kits, 'kit')}, "
                   f"{order.language}): {terminal_text(order.name)}")
        click.echo(f"    {terminal_text(order.contact)}"
                   + (f" <{terminal_text(order.email)}>" if order.email else ""))
        for line in order.address.splitlines():
            click.echo(f"    {terminal_text(line)}")
    if found.not_printed:
        click.echo(f"Not listed: {plural(found.not_printed, 'order')} whose kits are not printed yet "
                   "('scanpipe orders print').")
