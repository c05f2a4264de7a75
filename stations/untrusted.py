"""Text somebody typed or named (stations, operators, file names, QR payloads), made safe
for where it is shown: a terminal, a spreadsheet."""

from __future__ import annotations

# C0 controls, DEL, and C1 controls (0x9b alone starts an escape sequence on some terminals).
_CONTROLS = dict.fromkeys([*range(32), 127, *range(0x80, 0xA0)], "?")
# What a spreadsheet may take for the start of a formula (OWASP's list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def terminal_text(value: object) -> str:
    """`value` as text with every control character replaced by "?" (no escape sequences)."""
    return str(value).translate(_CONTROLS)


def spreadsheet_text(text: str) -> str:
    """Text for a CSV cell that a spreadsheet never reads as a formula."""
    # A leading quote makes a spreadsheet read the cell as text.
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
