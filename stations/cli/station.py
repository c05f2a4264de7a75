"""`scanpipe station`: the station app with its hot folder, or the hot folder alone."""

from __future__ import annotations

from pathlib import Path

import click

from stations.cli.base import Context, need_ocr, pass_context
from stations.untrusted import terminal_text


@click.group()
def station() -> None:
    """The scanning station: the web app with its hot folder."""


@station.command("serve")
@click.option("--host", help="Address to listen on [env SCANPIPE_HOST; default 127.0.0.1, this "
                             "machine only]. Use 0.0.0.0 only on a trusted office network.")
@click.option("--port", type=click.IntRange(1, 65535), help="Port [env SCANPIPE_PORT; default 8800].")
@click.option("--inbox", type=click.Path(file_okay=False, path_type=Path),
              help="Folder the scanner writes into [env SCANPIPE_INBOX; default DATA_DIR/inbox].")
@click.option("--station", "name", help="Station name [default: SCANPIPE_STATION or the host name].")
@pass_context
def station_serve(obj: Context, host: str | None, port: int | None, inbox: Path | None,
                  name: str | None) -> None:
    """Run the station app: sign in at http://HOST:PORT/, scan, sort, review.

    Files the scanner drops into the inbox are taken in once complete, in the
    name of the person signed in; then moved to DATA_DIR/done/ (or
    DATA_DIR/quarantine/ with the reason). Stop with Ctrl+C.
    """
    from stations.private import check_layout
    from stations.serve import serve

    settings = obj.settings.model_copy(update={k: v for k, v in (("inbox", inbox), ("station", name))
                                               if v})
    check_layout(settings)  # --inbox too: never over the private folder
    need_ocr(settings)
    store = obj.store()
    loaded = obj.campaign()
    if not store.people():
        click.echo("Nobody can sign in yet: add someone first, e.g. "
                   "'scanpipe people add \"Your Name\" --role admin'.", err=True)
    host, port = host or settings.host, port or settings.port
    click.echo(f"Station {terminal_text(settings.station)} for campaign {terminal_text(loaded.id)}: "
               f"open http://{host}:{port}/ — scanner "
               f"folder {terminal_text(settings.inbox_dir.resolve())}", err=True)
    serve(settings, store, loaded, host=host, port=port)


@station.command("watch")
@click.option("--inbox", type=click.Path(file_okay=False, path_type=Path),
              help="Folder the scanner writes into [env SCANPIPE_INBOX; default DATA_DIR/inbox].")
@click.option("--station", "name", help="Station name [default: SCANPIPE_STATION or the host name].")
@click.option("--operator", help="Who the pieces are taken in for [default: SCANPIPE_OPERATOR or "
                                 "your login].")
@click.option("--workers", type=click.IntRange(0, 256),
              help="Processes that decide files ahead [env SCANPIPE_WORKERS; default one per "
                   "core; 0: none, one file at a time].")
@click.option("--until-empty", is_flag=True, help="Take in what the inbox holds, then stop.")
@pass_context
def station_watch(obj: Context, inbox: Path | None, name: str | None, operator: str | None,
                  workers: int | None, until_empty: bool) -> None:
    """Run the hot folder without the web app, for one operator (an unattended scanner).

    Each complete file in the inbox is decided and recorded in scanning order, then moved to
    DATA_DIR/done/, or to DATA_DIR/quarantine/ with a .reason.txt beside it. A stop at any
    moment, even kill -9 or a power cut, loses nothing and counts nothing twice: the next start
    takes in what is still in the inbox. Stop with Ctrl+C (or SIGTERM).
    """
    import logging

    from stations.hotfolder import escape
    from stations.private import check_layout
    from stations.serve import watch

    logging.getLogger("stations.hotfolder").setLevel(logging.ERROR)  # each event is said below

    updates = {k: v for k, v in (("inbox", inbox), ("station", name)) if v}
    if workers is not None:
        updates["workers"] = workers
    settings = obj.settings.model_copy(update=updates)
    check_layout(settings)  # --inbox too: never over the private folder
    need_ocr(settings)
    store = obj.store()
    loaded = obj.campaign()
    operator = operator or settings.operator

    def say(event) -> None:
        if event.kind == "taken":
            return
        where = f" → {terminal_text(str(event.target))}" if event.target else ""
        why = f": {escape(event.reason)}" if event.reason else ""
        click.echo(f"{event.kind:<11} {escape(event.name)}{where}{why}",
                   err=event.kind in ("retry", "error", "paused"))

    click.echo(f"Station {terminal_text(settings.station)} for campaign {terminal_text(loaded.id)} "
               "watching "
               f"{terminal_text(str(settings.inbox_dir.resolve()))} for {terminal_text(operator)}"
               f"{'' if until_empty else ' (Ctrl+C to stop)'}", err=True)
    tally = watch(settings, store, loaded, operator=operator, until_empty=until_empty, say=say)
    click.echo(f"{tally['done']} file(s) taken in, {tally['quarantined']} quarantined", err=True)
    if tally["left"]:
        click.echo(f"{tally['left']} file(s) left in the inbox: the station's storage or ledger "
                   "cannot be written (see above); they are taken in at the next start", err=True)
        raise SystemExit(4)
