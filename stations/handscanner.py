"""What a hand barcode scanner typed, read back as the code it scanned.

A hand scanner in keyboard mode sends key presses, not characters: set for a US
(QWERTY) keyboard and plugged into a French (AZERTY) computer, `SP1:K:MDL2021:7:…`
arrives as `SP&MKM?DLé`àé&M…`. The readings below undo the usual mix-ups (that
layout swap, Caps Lock, stray spaces); the caller keeps only a reading whose
check verifies, so a reinterpretation can never invent a valid code.
"""

from __future__ import annotations

# A key pressed on a US layout (shifted for letters and ':') as an AZERTY (French) layout types it.
_US_TO_AZERTY = {
    **{c: c for c in "BCDEFGHIJKLNOPRSTUVXY"},
    "A": "Q", "Q": "A", "Z": "W", "W": "Z", "M": "?", ":": "M", "-": ")",
    "1": "&", "2": "é", "3": '"', "4": "'", "5": "(", "6": "-", "7": "è", "8": "_", "9": "ç",
    "0": "à",
}
_AZERTY_TO_US = {typed: meant for meant, typed in _US_TO_AZERTY.items()}


def as_azerty(text: str) -> str:
    """What `text` becomes when a US-layout scanner types it into an AZERTY computer (for tests)."""
    return "".join(_US_TO_AZERTY.get(c, c) for c in text)


def readings(typed: str) -> list[str]:
    """The texts the scanner may have meant, most likely first, without repeats."""
    plain = "".join(typed.split())
    found: list[str] = []
    for text in (plain, plain.upper(), "".join(_AZERTY_TO_US.get(c, c) for c in plain),
                 "".join(_AZERTY_TO_US.get(c, c) for c in plain.swapcase())):
        if text and text not in found:
            found.append(text)
    return found
