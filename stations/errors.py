"""Errors the command line reports, each with its exit code and a message saying what to do.

Exit codes (also in the README):
  0  success
  1  the audit found a problem (the first broken place is printed)
  2  wrong usage (unknown option, missing argument)
  3  bad input: the campaign file is invalid, a file or folder does not exist
  4  the ledger cannot do it: no campaign loaded, a different campaign, database unreachable,
     a ledger upgraded by a newer scanpipe
  5  a program scanpipe needs is missing (tesseract or one of its language packs)
"""

from __future__ import annotations


class ScanpipeError(Exception):
    exit_code = 1


class AuditFailed(ScanpipeError):
    exit_code = 1


class BadInput(ScanpipeError):
    exit_code = 3


class LedgerError(ScanpipeError):
    exit_code = 4


class MissingProgram(ScanpipeError):
    exit_code = 5
