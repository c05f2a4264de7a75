"""The hot folder: take each file the scanner writes, exactly once, only when it is complete.

Built after paperless-ngx's document consumer, because a piece of paper must never be lost
nor counted twice:

- A scanner writes a file over time (over a network share, in bursts), so a file is taken only
  once its size and mtime have stayed the same for `settle_seconds` (`settling`). watchdog's
  events tell us early that something changed; a rescan every `rescan_seconds` catches what
  events miss (network shares, a full inotify queue) (`loop`).
- The client reads a copy in work/, so a scanner rewriting the file cannot change what is
  read. The original moves to done/ only after the client returned (the ledger committed), or
  to quarantine/ with a reason file (`moves`). A crash at any point leaves the original in the
  inbox (or, at worst, in both places): it is taken again, and the ledger behind the client is
  idempotent.
- The copy is removed only after its original has moved, so a copy left in work/ at start marks
  a file that was being taken when the station stopped: its digest goes into `interrupted`,
  and the client can tell a file taken in again after a crash from a file scanned twice.
- With `lookahead`, the next settled files are copied early and offered to `decide_ahead`
  (the station starts deciding them in its worker processes); they are still taken one at a
  time, in order, or several in one `take_files`.
- A file refused before it is read (not a scan, empty, too big) is told to `refused` (the
  station writes it in the ledger) before it goes to quarantine/ (`inbox`).
- One worker takes the files one at a time, oldest first, because the kit envelope scanned first
  opens the batch for the pages after it. For the same reason a `RetryLater` (the ledger is
  away) pauses the whole queue instead of letting later pages overtake the file that waits.

The station is the hot folder's one `FolderClient` (`client`).
"""

from stations.hotfolder.client import FolderClient, FolderEvent, FolderOptions, Folders, Handled, RetryLater
from stations.hotfolder.loop import HotFolder
from stations.hotfolder.moves import original_name

__all__ = ["FolderClient", "FolderEvent", "FolderOptions", "Folders", "Handled", "HotFolder",
           "RetryLater", "original_name"]
