"""Fonts of the unseen pages: none of those the samples and the first corpus use.

The samples draw with DejaVu, Liberation and FreeFont, and handwriting with dkg,
femkeklaver, Breip and Dancing Script. These come from other Debian packages
(`setup.sh` installs them): URW base35, TeX Gyre, Carlito, Caladea, Linux
Libertine, EB Garamond, Open Sans, Lato for print; Comic Neue, Humor Sans and
the chancery hands (TeX Gyre Chorus, URW Z003) for hands that write neatly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

_URW = Path("/usr/share/fonts/opentype/urw-base35")
_GYRE = Path("/usr/share/texmf/fonts/opentype/public/tex-gyre")
_CROS = Path("/usr/share/fonts/truetype/crosextra")
_LIB = Path("/usr/share/fonts/opentype/linux-libertine")
_EBG = Path("/usr/share/fonts/opentype/ebgaramond")
_OPEN = Path("/usr/share/fonts/truetype/open-sans")
_LATO = Path("/usr/share/fonts/truetype/lato")
_COMIC = Path("/usr/share/fonts/opentype/comic-neue")
_HUMOR = Path("/usr/share/fonts/truetype/humor-sans")


@dataclass(frozen=True)
class Family:
    """A typeface: its regular, bold and italic files."""

    name: str
    package: str
    regular: Path
    bold: Path
    italic: Path

    def path(self, style: str) -> Path:
        return {"regular": self.regular, "bold": self.bold, "italic": self.italic}[style]


def _f(name: str, package: str, folder: Path, regular: str, bold: str, italic: str) -> Family:
    return Family(name, package, folder / regular, folder / bold, folder / italic)


TYPED = (
    _f("Nimbus Roman", "fonts-urw-base35", _URW, "NimbusRoman-Regular.otf", "NimbusRoman-Bold.otf",
       "NimbusRoman-Italic.otf"),
    _f("Nimbus Sans", "fonts-urw-base35", _URW, "NimbusSans-Regular.otf", "NimbusSans-Bold.otf",
       "NimbusSans-Italic.otf"),
    _f("Nimbus Mono", "fonts-urw-base35", _URW, "NimbusMonoPS-Regular.otf", "NimbusMonoPS-Bold.otf",
       "NimbusMonoPS-Italic.otf"),
    _f("URW Bookman", "fonts-urw-base35", _URW, "URWBookman-Light.otf", "URWBookman-Demi.otf",
       "URWBookman-LightItalic.otf"),
    _f("P052", "fonts-urw-base35", _URW, "P052-Roman.otf", "P052-Bold.otf", "P052-Italic.otf"),
    _f("TeX Gyre Termes", "fonts-texgyre", _GYRE, "texgyretermes-regular.otf",
       "texgyretermes-bold.otf", "texgyretermes-italic.otf"),
    _f("TeX Gyre Heros", "fonts-texgyre", _GYRE, "texgyreheros-regular.otf",
       "texgyreheros-bold.otf", "texgyreheros-italic.otf"),
    _f("TeX Gyre Schola", "fonts-texgyre", _GYRE, "texgyreschola-regular.otf",
       "texgyreschola-bold.otf", "texgyreschola-italic.otf"),
    _f("TeX Gyre Cursor", "fonts-texgyre", _GYRE, "texgyrecursor-regular.otf",
       "texgyrecursor-bold.otf", "texgyrecursor-italic.otf"),
    _f("Carlito", "fonts-crosextra-carlito", _CROS, "Carlito-Regular.ttf", "Carlito-Bold.ttf",
       "Carlito-Italic.ttf"),
    _f("Caladea", "fonts-crosextra-caladea", _CROS, "Caladea-Regular.ttf", "Caladea-Bold.ttf",
       "Caladea-Italic.ttf"),
    _f("Linux Libertine", "fonts-linuxlibertine", _LIB, "LinLibertine_R.otf", "LinLibertine_RB.otf",
       "LinLibertine_RI.otf"),
    _f("Linux Biolinum", "fonts-linuxlibertine", _LIB, "LinBiolinum_R.otf", "LinBiolinum_RB.otf",
       "LinBiolinum_RI.otf"),
    _f("EB Garamond", "fonts-ebgaramond", _EBG, "EBGaramond12-Regular.otf", "EBGaramond12-Bold.otf",
       "EBGaramond12-Italic.otf"),
    _f("Open Sans", "fonts-open-sans", _OPEN, "OpenSans-Regular.ttf", "OpenSans-Bold.ttf",
       "OpenSans-Italic.ttf"),
    _f("Lato", "fonts-lato", _LATO, "Lato-Regular.ttf", "Lato-Bold.ttf", "Lato-Italic.ttf"),
)
# Hands that write neatly: print-like (Comic Neue, Humor Sans) and chancery (Chorus, Z003).
HANDS = (
    _COMIC / "ComicNeue-Regular.otf", _COMIC / "ComicNeue-Light.otf", _COMIC / "ComicNeue-Italic.otf",
    _HUMOR / "Humor-Sans.ttf", _GYRE / "texgyrechorus-mediumitalic.otf", _URW / "Z003-MediumItalic.otf",
)


def typed_families() -> tuple[Family, ...]:
    """The print families installed (all of them after `setup.sh`)."""
    return tuple(f for f in TYPED if f.regular.is_file() and f.bold.is_file() and f.italic.is_file())


def hand_fonts() -> tuple[Path, ...]:
    return tuple(p for p in HANDS if p.is_file())


def missing() -> list[str]:
    """Packages whose fonts are not installed: the unseen corpus refuses to be made without them."""
    out = {f.package for f in TYPED if not f.regular.is_file()}
    if not any(p.is_file() for p in HANDS[:3]):
        out.add("fonts-comic-neue")
    if not HANDS[3].is_file():
        out.add("fonts-humor-sans")
    return sorted(out)


@functools.lru_cache(maxsize=256)
def load(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    """A font at a size in pixels (cached per process)."""
    return ImageFont.truetype(str(path), max(4, int(size_px)))
