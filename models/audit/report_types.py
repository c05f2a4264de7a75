"""The reconciliation report as plain values: headline figures and named tables.

Made from the ledger's events alone (`models.audit.reconcile`), rendered as terminal
tables, CSV files, a workbook and a season summary PDF (`stations.audit_report`). The
keys of figures, tables and columns are fixed: renderers translate them, tests and
spreadsheets rely on them.
"""

from __future__ import annotations

from dataclasses import dataclass

# Headline figures, in the order reports show them.
FIGURES = (
    "kits_sent",          # distinct kit serials printed (kits.printed events)
    "kits_returned",      # distinct kit serials seen on a returned envelope
    "return_rate",        # kits_returned / kits_sent (None when no kit was recorded as printed)
    "anonymous_batches",  # envelopes without a kit code
    "items",              # every page taken in (each counted once)
    "pieces",             # letters (to the authority, to the person), postcards and petition
                          # sheets routed to a case
    "solidarity_letters",  # of those pieces, letters to the person (they go with the postcards)
    "signatures",         # signed rows counted on those petition sheets
    "delivered",          # pieces in a delivered bundle
    "pending",            # pieces routed but not (yet) delivered
    "waiting",            # of those, pieces not yet in a bundle
    "late",               # pieces taken in after the deadline (bundled all the same)
    "in_review",          # items waiting for a person's decision
    "set_aside",          # items a person set aside (not a campaign piece, unreadable)
    "unreadable_files",   # pages whose file could not be read
    "blank_sides",        # blank backs of scanned sheets: part of their file, not pieces
    "picture_sides",      # picture sides of kit postcards: part of their file, not pieces
    "quarantined_files",  # files set aside unread (not a scan, empty, too big, crashed the reader)
    "duplicates",         # times an image already taken in came again (not counted)
    "bundles",            # bundles closed (void ones included)
    "bundles_delivered",
    "sheet_mismatches",   # bundles whose printed sheet totals differ from the ledger's
    "exceptions",         # rows of the exceptions table: what needs a person
)

# The totals of a bundle, one column each (ledger's, then the printed sheet's with "sheet_").
TOTALS = ("letters", "solidarity_letters", "postcards", "petitions", "signatures", "pieces")

# Every table: its key (also its CSV file name) and its columns.
TABLES: dict[str, tuple[str, ...]] = {
    # letters: to the authority; solidarity_letters: to the person
    "by_case": ("case", "person", "letters", "solidarity_letters", "postcards", "petitions",
                "signatures", "pieces"),
    "by_destination": ("destination", "letters", "solidarity_letters", "postcards", "petitions",
                       "pieces"),
    "by_kind": ("kind", "items"),
    "by_station": ("station", "items"),
    "by_operator": ("operator", "items"),
    "by_day": ("day", "items", "pieces"),
    "by_week": ("week", "items", "pieces"),  # ISO weeks, e.g. 2024-W48
    "outcomes": ("outcome", "items"),
    "delivery": ("case", "destination", "routed", "bundled", "dispatched", "delivered", "back"),
    "bundles": ("bundle", "destination", "state", "late", *TOTALS,
                *(f"sheet_{t}" for t in TOTALS), "sheets", "agrees"),
    "late": ("item", "bundle", "day"),
    "duplicates": ("item", "source"),  # one row per copy that came again
    "exceptions": ("exception", "item", "bundle", "source", "page", "detail"),
}

# A value of a table's cell, and of a headline figure.
Cell = str | int | float | bool | None
Row = tuple[Cell, ...]

# The outcomes of an item at the end of the ledger (rows of the "outcomes" table).
# blank_side and picture_side: rejected pages that belong to their file (`models.sides`).
OUTCOMES = ("delivered", "dispatched", "bundled", "waiting", "back", "review", "set_aside",
            "unreadable", "blank_side", "picture_side", "not_a_piece")

# The exceptions (first column of the "exceptions" table): only what needs a person. Pieces
# waiting for a bundle or taken in late are figures (and the "late" table), not exceptions; a
# blank back or a postcard's picture side is part of its file; a duplicate is not counted twice
# and needs nobody.
EXCEPTIONS = (
    "review",          # still waiting for a decision
    "set_aside",       # set aside by a person: keep with the reason
    "unreadable",      # the file could not be read: rescan
    "quarantined",     # a file set aside unread: look at it, rescan
    "back",            # its bundle was refused or came back
    "sheet_mismatch",  # the bundle's printed sheet says other totals than the ledger
)


@dataclass(frozen=True)
class Table:
    key: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    def column(self, name: str) -> list[Cell]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class Reconciliation:
    campaign_id: str
    campaign_name: str
    made_at: str    # ISO 8601 UTC: when the report was made
    head_seq: int   # the ledger's newest event, which the report covers
    head_hash: str
    figures: dict[str, int | float | None]  # FIGURES → value
    tables: tuple[Table, ...]

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)
