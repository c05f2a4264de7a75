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
  station writes it in the ledger) before it goes to quarantine/ (`inbox`). Only regular files
  with one name are ever opened: a symlink, FIFO, socket, device or hard link is refused from
  its `lstat` and moved itself (never its target); a file is opened with O_NOFOLLOW and
  O_NONBLOCK and its descriptor checked (`fstat`: the same regular file, not too large) before a
  byte is read, so a too-large file is never read nor hashed and never holds the queue.
- A file that cannot be decoded while it changed moments ago may still be being written: the
  client raises `Incomplete` and it is held (and later files behind it) until it has stayed the
  same for `complete_seconds`; only then is it judged.
- Our faults are not the file's: when our storage (the image store, work/, done/, quarantine/)
  or the ledger cannot be written, the client raises `OurFault` (or a move fails with ENOSPC,
  EROFS, EACCES...): the whole queue pauses with a `Fault` ("paused" event), nothing goes to
  quarantine/, files stay in the inbox, and it is tried again every few seconds until it works
  ("resumed").
- Any name is taken: names in work/, done/ and quarantine/ are made safe and short enough
  (`moves.safe_name`), and the reason note writes the name escaped (`moves.escape`).
- One worker takes the files one at a time, oldest first, because the kit envelope scanned first
  opens the batch for the pages after it. For the same reason a `RetryLater` (the ledger is
  away) pauses the whole queue instead of letting later pages overtake the file that waits.

The station is the hot folder's one `FolderClient` (`client`).
"""

from stations.hotfolder.client import (
    FAULT_CODES,
    REASON_CODES,
    Fault,
    FolderClient,
    FolderEvent,
    FolderOptions,
    Folders,
    Handled,
    Incomplete,
    OurFault,
    RetryLater,
)
from stations.hotfolder.loop import HotFolder
from stations.hotfolder.moves import escape, original_name, safe_digest
from stations.hotfolder.quarantine import QuarantinedFile

__all__ = ["FAULT_CODES", "REASON_CODES", "Fault", "FolderClient", "FolderEvent", "FolderOptions",
           "Folders", "Handled", "HotFolder", "Incomplete", "OurFault", "QuarantinedFile",
           "RetryLater", "escape", "original_name", "safe_digest"]
