"""Starting a station: the folders, the session secret, the app, the web server."""

from __future__ import annotations

import signal
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from models.store import Store
from scanpipe.domain.campaign import Campaign
from stations.hotfolder import FolderEvent
from stations.private import station_secret
from stations.settings import Settings
from stations.station import Station


def build_station(settings: Settings, store: Store, campaign: Campaign,
                  on_event: Callable[[FolderEvent], None] = lambda event: None) -> Station:
    """The station of these settings, its folders made (inbox, done, quarantine, work)."""
    inbox = settings.inbox_dir
    folders = {name: settings.data_dir / name for name in ("done", "quarantine", "work")}
    for folder in (inbox, *folders.values()):
        folder.mkdir(parents=True, exist_ok=True)
    return Station(store, campaign, name=settings.station, inbox=inbox, done=folders["done"],
                   quarantine=folders["quarantine"], work=folders["work"],
                   recognition=settings.recognition, polling=settings.polling,
                   max_bytes=settings.max_file_mb * 1024 * 1024, workers=settings.workers,
                   on_event=on_event)


def serve(settings: Settings, store: Store, campaign: Campaign, *, host: str, port: int) -> None:
    """Run the station until interrupted (Ctrl+C)."""
    import uvicorn

    from stations.web.app import create_app

    station = build_station(settings, store, campaign)
    app = create_app(station, secret=station_secret(settings.data_dir), language=settings.language)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False,
                proxy_headers=False, server_header=False)


def watch(settings: Settings, store: Store, campaign: Campaign, *, operator: str, until_empty: bool,
          say: Callable[[FolderEvent], None], fault_patience: float = 60.0) -> Counter:
    """Run the hot folder alone, for `operator`, until Ctrl+C or SIGTERM (or, with
    `until_empty`, until the inbox is empty); returns how many files went where ("done",
    "quarantined"). With `until_empty`, a fault of ours (the image store or the ledger cannot be
    written) that lasts `fault_patience` seconds stops it too, the files left in the inbox
    counted as "left": it always returns. Without, it waits for the fault to clear."""
    tally: Counter = Counter()

    def on_event(event: FolderEvent) -> None:
        if event.kind in ("done", "quarantined"):
            tally[event.kind] += 1
        say(event)

    station = build_station(settings, store, campaign, on_event)
    station.sign_in(operator)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        if until_empty:
            while not stop.is_set():
                station.folder.run_once()
                if not station.folder.busy():
                    break
                fault = station.fault
                if fault is not None and (datetime.now(UTC) - datetime.fromisoformat(fault.since)
                                          ).total_seconds() > fault_patience:
                    tally["left"] = len(station.waiting())
                    break
                stop.wait(0.1)
        else:
            station.start()
            while not stop.is_set():
                stop.wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        station.stop()
        signal.signal(signal.SIGTERM, previous)
    return tally
