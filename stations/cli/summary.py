"""`scanpipe summary`: the routing summary and the pages that are not pieces."""

from __future__ import annotations

from collections import Counter

import click

from stations.cli.base import Context, pass_context
from stations.cli.words import REJECTED_ORDER, counted, counted_rejected, kind_word
from stations.untrusted import terminal_text


@click.command()
@pass_context
def summary(obj: Context) -> None:
    """Print the routing summary: pieces per case and destination, pieces in review, and the
    pages that are not pieces (blank sides, postcard picture sides, unreadable, set aside)."""
    from models.events import PIECE_KINDS
    from models.sides import Side

    store = obj.store(read_only=True)
    rows = store.routing_summary()
    routed = [r for r in rows if r.status == "routed" and r.case]
    click.echo("Routed pieces per case and destination:")
    click.echo(f"  {'case':<10} {'destination':<18} {'kind':<24} {'pieces':>6} {'signatures':>10}")
    for row in routed:
        signed = "" if row.kind != "petition" else "—" if row.signatures is None else str(row.signatures)
        click.echo(f"  {terminal_text(row.case):<10} {terminal_text(row.destination):<18} "
                   f"{kind_word(row.kind):<24} "
                   f"{row.count:>6} {signed:>10}")
    by_status = Counter()
    for row in rows:
        if not (row.status == "routed" and row.case) and row.status != "rejected":
            by_status[(row.status, row.kind)] += row.count
    if by_status:
        click.echo("Other pieces:")
        for (status, kind), count in sorted(by_status.items()):
            click.echo(f"  {status:<10} {kind_word(kind):<24} {count:>6}")
    rejected = store.rejected_pages()
    if rejected:
        click.echo("Pages that are not pieces (kept on record, not counted):")
        for counted_as in REJECTED_ORDER:
            pages = [p for p in rejected if p.counted_as == counted_as]
            if pages:
                click.echo(f"  {counted_rejected(len(pages), counted_as)}:")
                for line in _rejected_lines(pages, counted_as):
                    click.echo(f"    {line}")
    total = sum(r.count for r in rows)
    review = sum(r.count for r in rows if r.status == "review")
    signatures = sum(r.signatures or 0 for r in routed if r.kind == "petition")
    per_kind = Counter()
    for row in routed:
        per_kind[row.kind] += row.count
    kinds = ", ".join(counted(per_kind[k], k) for k in PIECE_KINDS)
    sides = Counter(p.counted_as for p in rejected)
    kept = " and ".join(counted_rejected(sides[s.value], s.value) for s in Side)
    click.echo(f"Total: {total} pages, {sum(per_kind.values())} routed to a case ({kinds}), "
               f"{review} in review, {signatures} petition signatures counted; {kept} kept with "
               "their files.")


_SIDES_SHOWN = 10  # files listed per kind of side; a season has thousands of blank backs


def _rejected_lines(pages: list, counted_as: str) -> list[str]:
    """The pages, by file: sides as 'file p2, p4'; unreadable and set-aside pages, which
    someone must act on, each with its reasons."""
    from models.sides import Side
    from models.store import item_ref

    if counted_as not in {s.value for s in Side}:
        return [terminal_text(f"{p.source} p{p.page} ({item_ref(p.item_id)}): {', '.join(p.reasons)}")
                for p in pages]
    by_file: dict[str, list[int]] = {}
    for page in pages:
        by_file.setdefault(page.source, []).append(page.page)
    lines = [f"{terminal_text(source)} " + ", ".join(f"p{n}" for n in numbers)
             for source, numbers in list(by_file.items())[:_SIDES_SHOWN]]
    if len(by_file) > _SIDES_SHOWN:
        lines.append(f"… and {len(by_file) - _SIDES_SHOWN} more files")
    return lines
