"""Text somebody typed or named (stations, operators, file names, QR payloads), made safe
for where it is shown: a terminal, a spreadsheet."""

from __future__ import annotations

import json
import unicodedata

# C0 controls, DEL, and C1 controls (0x9b alone starts an escape sequence on some terminals).
_CONTROLS = dict.fromkeys([*range(32), 127, *range(0x80, 0xA0)], "?")
# What a spreadsheet may take for the start of a formula (OWASP's list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _disguising(char: str) -> bool:
    """A character that changes how the text around it looks without showing itself: the
    bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C), zero-width
    characters and every other format character (Unicode category Cf), and the line and
    paragraph separators (U+2028/9), which some terminals and viewers break lines at."""
    return unicodedata.category(char) in ("Cf", "Zl", "Zp")


def terminal_text(value: object) -> str:
    """`value` as text safe to print on a terminal: every control character replaced by "?"
    (no escape sequences), and every character that could disguise the text (right-to-left
    overrides, zero-width characters: Unicode category Cf) shown escaped as `\\u202e`."""
    text = str(value).translate(_CONTROLS)
    if text.isascii():
        return text
    return "".join(_escaped(c) if _disguising(c) else c for c in text)


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def spreadsheet_text(text: str) -> str:
    """Text for a CSV cell that a spreadsheet never reads as a formula."""
    # A leading quote makes a spreadsheet read the cell as text.
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def json_text(value: object) -> str:
    """`value` as one line of JSON that a terminal shows as it is: the same JSON as
    `json.dumps(value, ensure_ascii=False)`, but with the C1 controls and the characters that
    could disguise text (see `terminal_text`) written as \\u escapes, which read back the same."""
    text = json.dumps(value, ensure_ascii=False)
    if text.isascii():
        return text
    # json.dumps escapes a lone character as \uXXXX (a surrogate pair outside the basic plane).
    return "".join(json.dumps(c)[1:-1] if _disguising(c) or 0x80 <= ord(c) < 0xA0 else c
                   for c in text)
