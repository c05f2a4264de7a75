"""Text in every script a name may use: font per run of characters, bidi order, HarfBuzz shaping.

ReportLab draws a string with one font, glyph by character, left to right: Arabic comes out
reversed and unjoined, Chinese as empty boxes. Here a line is cut into runs of one font and one
bidi level (python-bidi resolves the levels), each run is shaped by HarfBuzz (uharfbuzz, the
engine ReportLab's own shaping uses) and the runs are drawn in visual order. Latin, Greek and
Cyrillic stay in DejaVu Sans; other scripts take Debian's Noto fonts (fonts-noto-core, and
fonts-noto-cjk for Chinese, Japanese and Korean). A script whose font is missing is an error
naming the package, never a box.

Text that needs none of this (every character in the primary font, nothing right-to-left, no
combining mark) is drawn exactly as before, so the pages of Latin campaigns do not change.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uharfbuzz as hb
from bidi import algorithm as bidi_algorithm
from fontTools import unicodedata as font_unicodedata
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont as ToolsFont
from fontTools.ttLib import newTable
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr, TTFont

NOTO_DIR = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")
NOTO_PACKAGE = "fonts-noto-core"
CJK_PACKAGE = "fonts-noto-cjk"
# Scripts drawn with Noto Sans CJK (its Simplified Chinese face carries all of them).
CJK_SCRIPTS = frozenset({"Hani", "Hira", "Kana", "Hang", "Bopo"})
# Scripts the primary font (DejaVu Sans) draws itself when it has the glyph.
PRIMARY_SCRIPTS = frozenset({"Latn", "Grek", "Cyrl", "Zyyy", "Zinh", "Zzzz"})
_RTL_CLASSES = frozenset({"R", "AL", "AN", "RLE", "RLO", "RLI"})
_FEATURES = {"kern": True, "liga": True}


class FontMissing(RuntimeError):
    """No installed font draws some of the text; the message names the Debian package."""


@dataclass(frozen=True)
class _Run:
    """Characters `start`..`end` of a line: one font, one bidi level."""

    start: int
    end: int
    font: str
    level: int


@dataclass(frozen=True)
class Piece:
    """Glyphs drawn together at `x` (points from the line's start): a shaped string of one font
    and, when its glyphs do not spell the text in order (a conjunct, a reordered vowel), the
    text it stands for (written as the PDF's ActualText)."""

    font: str
    glyphs: Any            # reportlab ShapedStr
    x: float
    width: float
    actual_text: str | None


# ------------------------------------------------------------------ fonts


@functools.cache
def _ttfont(name: str) -> Any:
    return pdfmetrics.getFont(name)


@functools.cache
def _has_glyph(font: str, char: str) -> bool:
    return ord(char) in _ttfont(font).face.charToGlyph


def _register(name: str, source: Path | io.BytesIO) -> str:
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, source if isinstance(source, io.BytesIO)
                                       else os.fspath(source)))
    return name


@functools.cache
def script_font(script: str, bold: bool) -> str | None:
    """The registered Noto font for `script` (ISO 15924, e.g. "Arab"), None when Noto has no
    family of that name; raises FontMissing when the family is known but not installed."""
    name = font_unicodedata.script_name(script, default="").replace(" ", "").replace("_", "")
    if not name:
        return None
    weight = "Bold" if bold else "Regular"
    path = NOTO_DIR / f"NotoSans{name}-{weight}.ttf"
    if not path.is_file():
        if name in _NOTO_CORE_FAMILIES:
            raise FontMissing(f"no font for {font_unicodedata.script_name(script)} text: "
                              f"install the Debian package {NOTO_PACKAGE} ({path} is missing)")
        return None
    return _register(f"ScanpipeNoto{name}-{weight}", path)


# The families of fonts-noto-core a campaign is likely to need: their absence is an error.
_NOTO_CORE_FAMILIES = frozenset({"Arabic", "Hebrew", "Devanagari", "Thai", "Ethiopic", "Armenian",
                                 "Georgian", "Bengali", "Tamil", "Gurmukhi", "Gujarati", "Khmer",
                                 "Myanmar", "Sinhala", "Telugu", "Kannada", "Malayalam", "Lao"})


@functools.cache
def _noto_sans(bold: bool) -> str | None:
    path = NOTO_DIR / f"NotoSans-{'Bold' if bold else 'Regular'}.ttf"
    return _register(f"ScanpipeNotoSans-{'Bold' if bold else 'Regular'}", path) if path.is_file() else None


@functools.cache
def _cjk_face(bold: bool) -> tuple[hb.Face, int]:
    """Noto Sans CJK's Simplified Chinese face (HarfBuzz) and its index in the collection."""
    path = NOTO_CJK / f"NotoSansCJK-{'Bold' if bold else 'Regular'}.ttc"
    if not path.is_file():
        raise FontMissing(f"no font for Chinese, Japanese or Korean text: install the Debian "
                          f"package {CJK_PACKAGE} ({path} is missing)")
    blob = hb.Blob.from_file_path(os.fspath(path))
    for index in range(16):
        face = hb.Face(blob, index)
        if face.glyph_count == 0:
            break
        family = face.get_name(hb.OTNameIdPredefined.FONT_FAMILY) or ""
        if family.endswith("CJK SC"):
            return face, index
    return hb.Face(blob, 0), 0


@functools.cache
def cjk_font(chars: frozenset[str], bold: bool) -> str:
    """A registered font holding Noto Sans CJK's glyphs of `chars`.

    Noto CJK draws with PostScript (CFF) outlines, which ReportLab cannot embed; the few glyphs
    a text needs are cut out with HarfBuzz's subsetter and their curves made quadratic (TrueType)
    with fontTools, in a few milliseconds."""
    face, _ = _cjk_face(bold)
    subset_input = hb.SubsetInput()
    subset_input.sets(hb.SubsetInputSets.UNICODE).update(ord(c) for c in chars | {" "})
    subset = hb.subset(face, subset_input)
    if subset is None:
        raise FontMissing(f"Noto Sans CJK could not be cut for {''.join(sorted(chars))!r}: "
                          f"reinstall the Debian package {CJK_PACKAGE}")
    digest = hashlib.sha256("".join(sorted(chars)).encode("utf-8")).hexdigest()[:12]
    name = f"ScanpipeNotoCJK{'-Bold' if bold else ''}-{digest}"
    return _register(name, io.BytesIO(_truetype_outlines(bytes(subset.blob.data), name)))


def _truetype_outlines(otf: bytes, name: str) -> bytes:
    """The font `otf` (CFF outlines) with the same glyphs drawn as TrueType quadratic curves,
    named `name` (reportlab tells embedded fonts apart by their PostScript name)."""
    font = ToolsFont(io.BytesIO(otf))
    font["name"].setName(name, 6, 3, 1, 0x409)
    font["name"].setName(name, 6, 1, 0, 0)
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                  "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                  "maxComponentElements", "maxPoints", "maxContours", "maxCompositePoints",
                  "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    post = font["post"]
    post.formatType = 3.0
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)  # recalculates the bounding boxes, maxp and the glyphs' left side bearings
    return out.getvalue()


def forget_fonts() -> None:
    """Look for the fonts again at the next text (after installing one, or in tests)."""
    for cached in (script_font, _noto_sans, _cjk_face, cjk_font, shape_line, _has_glyph):
        cached.cache_clear()


# ------------------------------------------------------------------ runs


def needs_shaping(text: str, font: str) -> bool:
    """Whether `text` needs more than ReportLab's plain drawing in `font`."""
    return any(not _has_glyph(font, ch) or unicodedata.bidirectional(ch) in _RTL_CLASSES
               or unicodedata.category(ch).startswith("M") for ch in text)


def _font_for(char: str, primary: str, bold: bool) -> str | None:
    """The font that draws `char`, or None for a character that takes its neighbours' font."""
    script = font_unicodedata.script(char)
    if script in ("Zyyy", "Zinh") or char.isspace():
        return None
    if script in CJK_SCRIPTS:
        return "cjk"
    if script not in PRIMARY_SCRIPTS:
        noto = script_font(script, bold)
        if noto and _has_glyph(noto, char):
            return noto
    if _has_glyph(primary, char):
        return primary
    noto_sans = _noto_sans(bold)
    if noto_sans and _has_glyph(noto_sans, char):
        return noto_sans
    package = CJK_PACKAGE if script in CJK_SCRIPTS else NOTO_PACKAGE
    raise FontMissing(f"no installed font draws {char!r} (U+{ord(char):04X}, "
                      f"{font_unicodedata.script_name(script, default=script)}): "
                      f"install the Debian package {package}")


def _fonts(text: str, primary: str, bold: bool) -> list[str]:
    """The font of each character: its script's, or its neighbours' for spaces, punctuation
    and combining marks (the one before when it has the glyph, else the one after)."""
    chosen = [_font_for(ch, primary, bold) for ch in text]
    fonts: list[str] = []
    for i, ch in enumerate(text):
        font = chosen[i]
        if font is None:
            before = fonts[-1] if fonts else None
            after = next((f for f in chosen[i + 1:] if f is not None), None)
            font = next((f for f in (before, after) if f and (f == "cjk" or _has_glyph(f, ch))),
                        primary)
        fonts.append(font)
    if "cjk" in fonts:
        cjk = cjk_font(frozenset(ch for ch, f in zip(text, fonts) if f == "cjk"), bold)
        fonts = [cjk if f == "cjk" else f for f in fonts]
    return fonts


def bidi_levels(text: str) -> list[int]:
    """The embedding level of each character (even: left to right), by the Unicode bidi
    algorithm as python-bidi implements it; the paragraph's direction from its first strong
    character."""
    if not any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in text):
        return [0] * len(text)
    storage = bidi_algorithm.get_empty_storage()
    base = bidi_algorithm.get_base_level(text)
    storage["base_level"], storage["base_dir"] = base, ("L", "R")[base]
    bidi_algorithm.get_embedding_levels(text, storage)
    for index, char in enumerate(storage["chars"]):
        char["index"] = index  # explicit formatting characters are dropped by the next step
    bidi_algorithm.explicit_embed_and_overrides(storage)
    bidi_algorithm.resolve_weak_types(storage)
    bidi_algorithm.resolve_neutral_types(storage, False)
    bidi_algorithm.resolve_implicit_levels(storage, False)
    levels = [base] * len(text)
    for char in storage["chars"]:
        levels[char["index"]] = char["level"]
    # Rule L1: spaces at the end of the line take the paragraph's level.
    end = len(text)
    while end and text[end - 1].isspace():
        end -= 1
        levels[end] = base
    return levels


def _runs(text: str, fonts: Sequence[str], levels: Sequence[int]) -> list[_Run]:
    runs: list[_Run] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or fonts[i] != fonts[start] or levels[i] != levels[start]:
            runs.append(_Run(start, i, fonts[start], levels[start]))
            start = i
    return runs


def visual_order(levels: Sequence[int]) -> list[int]:
    """Indices of items of the given levels in display order (rule L2: from the highest level
    down to the lowest odd one, reverse every sequence at that level or above)."""
    order = list(range(len(levels)))
    if not levels:
        return order
    lowest_odd = min((lv for lv in levels if lv % 2), default=max(levels) + 1)
    for level in range(max(levels), lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order


# ------------------------------------------------------------------ shaping


def _shape(text: str, run: _Run, size: float) -> list[Piece]:
    """Shape one run; its glyphs in display order, cut into pieces (see Piece) at x from 0."""
    font = _ttfont(run.font)
    hb_font = font.hbFont(size)
    buf = hb.Buffer()
    buf.add_str(text, run.start, run.end - run.start)  # the rest of the line is context
    buf.guess_segment_properties()
    buf.direction = "rtl" if run.level % 2 else "ltr"
    hb.shape(hb_font, buf, _FEATURES)
    face = font.face
    clusters: list[list[tuple[Any, Any]]] = []
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions):
        if clusters and clusters[-1][0][0].cluster == info.cluster:
            clusters[-1].append((info, pos))
        else:
            clusters.append([(info, pos)])
    bounds = sorted({c[0][0].cluster for c in clusters} | {run.end})
    pieces: list[Piece] = []
    chars, x, start_x = "", 0.0, 0.0
    data: list[Any] = []
    for cluster in clusters:
        first = cluster[0][0].cluster
        logical = text[first:bounds[bounds.index(first) + 1]]
        glyph_chars, glyph_data = "", []
        for info, pos in cluster:
            advance = font.pdfScale(pos.x_advance)
            known = face.glyphToChar.get(info.codepoint)
            code = known[0] if known else font.hbAddPrivate(
                hb_font.glyph_to_string(info.codepoint), info.codepoint, advance)
            glyph_chars += chr(code)
            glyph_data.append(ShapeData(info.cluster, advance, font.pdfScale(pos.y_advance),
                                        font.pdfScale(pos.x_offset), font.pdfScale(pos.y_offset),
                                        face.charWidths[code]))
        width = sum(d.x_advance for d in glyph_data) * size / 1000
        # Right to left, the glyphs come last character first; a ligature (lam-alef) spells
        # its characters in order all the same.
        in_order = glyph_chars[::-1] if run.level % 2 else glyph_chars
        spelled = "".join(unicodedata.normalize("NFKC", ch) for ch in in_order)
        plain = spelled == unicodedata.normalize("NFKC", logical)
        if not plain:
            if chars:
                pieces.append(Piece(run.font, ShapedStr(chars, shapeData=data), start_x,
                                    x - start_x, None))
            pieces.append(Piece(run.font, ShapedStr(glyph_chars, shapeData=glyph_data), x, width,
                                logical))
            chars, data, start_x = "", [], x + width
        else:
            if not chars:
                start_x = x
            chars += glyph_chars
            data += glyph_data
        x += width
    if chars:
        pieces.append(Piece(run.font, ShapedStr(chars, shapeData=data), start_x, x - start_x, None))
    return pieces


@dataclass(frozen=True)
class Line:
    """A shaped line: its pieces in display order, x from the line's start, and its width."""

    pieces: tuple[Piece, ...]
    width: float


@functools.lru_cache(maxsize=4096)
def shape_line(text: str, primary: str, bold: bool, size: float) -> Line:
    """Lay out one line of `text` at `size` points, `primary` being the font asked for."""
    if not text:
        return Line((), 0.0)
    fonts = _fonts(text, primary, bold)
    levels = bidi_levels(text)
    runs = _runs(text, fonts, levels)
    pieces: list[Piece] = []
    x = 0.0
    for index in visual_order([r.level for r in runs]):
        shaped = _shape(text, runs[index], size)
        width = sum(p.width for p in shaped)
        pieces += [Piece(p.font, p.glyphs, x + p.x, p.width, p.actual_text) for p in shaped]
        x += width
    return Line(tuple(pieces), x)


def draw_line(canvas: Any, x: float, y: float, line: Line, size: float) -> None:
    """Draw a shaped line with its start at (`x`, `y`) in points (reportlab's coordinates)."""
    for piece in line.pieces:
        if piece.actual_text is not None:
            hex_text = piece.actual_text.encode("utf-16-be").hex().upper()
            canvas.addLiteral(f"/Span <</ActualText <FEFF{hex_text}>>> BDC")
        text = canvas.beginText(x + piece.x, y)
        text.setFont(piece.font, size)
        text.textOut(piece.glyphs)
        canvas.drawText(text)
        if piece.actual_text is not None:
            canvas.addLiteral("EMC")
