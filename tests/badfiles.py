"""A factory of malformed scans: what a station must survive, made by code at test time.

`make_bad_files(folder)` writes well over a hundred small files into `folder` and says of
each what the pipeline must make of it (`BadFile.expected`):

* a `FileFault`: the file is unreadable; `process_file` gives one rejected result whose
  reason names that fault, and `load_pages` raises `UnreadableFile` with it;
* a `Reason`: a good page carrying a forged or foreign code; every page goes to review
  with that reason among its reasons (never routed);
* `READABLE`: odd but valid, or damaged in a way the decoders repair safely; a piece to
  decide on what it shows, never rejected as unreadable.

Everything is deterministic and quick (a few seconds): pages are tiny where their size
does not matter, headers claim sizes their data never fills, long runs of zeros are
written sparse. File names carry the extension a scanner would give, whatever the
content: the pipeline goes by the bytes.
"""

from __future__ import annotations

import functools
import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import segno
from conftest import SAMPLE_CAMPAIGN, page_with_codes
from PIL import Image, ImageDraw
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

from scanpipe.domain.campaign import Campaign, parse_campaign
from scanpipe.domain.payload import Payload, PayloadKind, encode_payload
from scanpipe.domain.routing import Reason
from scanpipe.reading.pages import MAX_PAGES, MAX_PIXELS, PDF_DPI, FileFault

READABLE: Final = "readable"
Expected = FileFault | Reason | str  # str: READABLE only


@dataclass(frozen=True)
class BadFile:
    """One made file, its kind of badness, and what the pipeline must say of it."""

    path: Path
    category: str
    expected: Expected


@dataclass(frozen=True)
class Sparse:
    """A file of `size` bytes that starts with `head` and is zeros after it, written sparse."""

    head: bytes
    size: int


@dataclass(frozen=True)
class _Variant:
    name: str
    category: str
    expected: Expected
    content: Callable[[], bytes | Sparse]
    slow: bool = False  # a page that takes the pipeline seconds to decide


def make_bad_files(folder: Path) -> list[BadFile]:
    """Write every variant into `folder` (made if missing); the files, in a fixed order."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for variant in VARIANTS:
        path = folder / variant.name
        content = variant.content()
        if isinstance(content, Sparse):
            with path.open("wb") as out:
                out.write(content.head)
                out.truncate(content.size)
        else:
            path.write_bytes(content)
        made.append(BadFile(path, variant.category, variant.expected))
    return made


def made(name: str) -> bytes:
    """The bytes of the variant named `name` (written sparse or not, the same bytes)."""
    content = next(variant for variant in VARIANTS if variant.name == name).content()
    if isinstance(content, Sparse):
        return content.head + bytes(content.size - len(content.head))
    return content


# ------------------------------------------------------------------ good pieces to break

@functools.cache
def _picture(mode: str = "RGB", size: tuple[int, int] = (240, 160)) -> Image.Image:
    """A small page: paper, a dark bar and a few lines, so every byte of it matters."""
    image = Image.new("RGB", size, (246, 244, 238))
    if min(size) >= 40:
        draw = ImageDraw.Draw(image)
        draw.rectangle((10, 10, size[0] // 2, 30), fill=(20, 20, 60))
        for y in range(45, size[1] - 10, 14):
            draw.line((12, y, size[0] - 12, y), fill=(80, 80, 80), width=2)
    return image.convert(mode) if mode != "RGB" else image


@functools.cache
def _encoded(fmt: str, mode: str = "RGB", size: tuple[int, int] = (240, 160), **options) -> bytes:
    out = io.BytesIO()
    _picture(mode, size).save(out, fmt, **options)
    return out.getvalue()


def _jpeg(**options) -> bytes:
    return _encoded("JPEG", quality=85, dpi=(200, 200), **options)


def _png() -> bytes:
    return _encoded("PNG", dpi=(200, 200))


def _tiff() -> bytes:
    return _encoded("TIFF", dpi=(200, 200))  # uncompressed: the pixels follow the header


def _webp() -> bytes:
    return _encoded("WEBP", quality=80)


def _bmp() -> bytes:
    return _encoded("BMP")


@functools.cache
def _pdf(pages: int = 2, encrypt: StandardEncryption | str | None = None) -> bytes:
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=(300, 200), invariant=1, encrypt=encrypt)
    for n in range(pages):
        pdf.drawString(20, 150, f"page {n + 1}")
        pdf.rect(20, 20, 120, 40, fill=1)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _pdf_of(objects: list[bytes]) -> bytes:
    """A PDF made of `objects` (numbered from 1; object 1 the catalog), with a right xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    return bytes(out)


def _pdf_pages(sizes: list[tuple[float, float]]) -> bytes:
    """A PDF of empty pages of the given sizes in points (all sharing one empty content)."""
    first = 4
    kids = b" ".join(b"%d 0 R" % (first + n) for n in range(len(sizes)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(sizes)),
               b"<< /Length 0 >>\nstream\n\nendstream"]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] /Contents 3 0 R >>" % size
                for size in sizes]
    return _pdf_of(objects)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_of(width: int, height: int, *, rows: int = 0, fill: int = 0) -> bytes:
    """A black-and-white PNG whose header says `width`×`height`, with `rows` rows of `fill`
    bytes compressed in it: a whole image (a decompression bomb when it is large), or
    (rows=0) a header whose data never comes."""
    packer = zlib.compressobj(9)
    row = b"\0" + bytes([fill]) * ((width + 7) // 8)  # filter byte, then the row
    data = b"".join(packer.compress(row * min(1000, rows - done)) for done in range(0, rows, 1000))
    data += packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def _png_chunks(data: bytes) -> list[tuple[int, bytes]]:
    """(offset, kind) of each chunk of a PNG."""
    chunks, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        chunks.append((at, kind))
        at += 12 + length
    return chunks


def _png_edit(data: bytes, kind: bytes, edit: Callable[[bytes], bytes], fix_crc: bool = True) -> bytes:
    """The PNG with the body of its first `kind` chunk edited (its CRC made right again or not)."""
    at = next(offset for offset, k in _png_chunks(data) if k == kind)
    (length,) = struct.unpack(">I", data[at:at + 4])
    body = edit(data[at + 8:at + 8 + length])
    crc = zlib.crc32(kind + body) if fix_crc else zlib.crc32(kind + body) ^ 0xFFFF
    chunk = struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)
    return data[:at] + chunk + data[at + 12 + length:]


def _jpeg_marker(data: bytes, marker: bytes) -> int:
    """Offset of the first segment with `marker` (b"\\xc0" for SOF0...)."""
    return data.index(b"\xff" + marker, 2)


def _jpeg_size(data: bytes, width: int, height: int) -> bytes:
    """The JPEG with its frame header claiming `width`×`height`."""
    at = _jpeg_marker(data, b"\xc0") + 5  # marker, length, precision
    return data[:at] + struct.pack(">HH", height, width) + data[at + 4:]


def _tiff_ifd(data: bytes) -> int:
    return struct.unpack("<I", data[4:8])[0]


def _tiff_entry(data: bytes, tag: int) -> int:
    """Offset of the value field of `tag` in the first IFD of a little-endian TIFF."""
    ifd = _tiff_ifd(data)
    (count,) = struct.unpack("<H", data[ifd:ifd + 2])
    for n in range(count):
        at = ifd + 2 + 12 * n
        if struct.unpack("<H", data[at:at + 2])[0] == tag:
            return at + 8
    raise KeyError(tag)


def _tiff_set(data: bytes, tag: int, value: int, width: int = 4) -> bytes:
    at = _tiff_entry(data, tag)
    return data[:at] + value.to_bytes(width, "little") + data[at + width:]


def _tiff_next_ifd(data: bytes, value: int) -> bytes:
    """The TIFF with the first IFD's link to the next one set to `value`."""
    ifd = _tiff_ifd(data)
    (count,) = struct.unpack("<H", data[ifd:ifd + 2])
    at = ifd + 2 + 12 * count
    return data[:at] + struct.pack("<I", value) + data[at + 4:]


_TIFF_PIXELS = 512  # bytes of white shared by every frame: a 64×64 black-and-white page


def _tiff_of(sizes: list[tuple[int, int]]) -> bytes:
    """A black-and-white TIFF of one frame per size: every frame's header claims its size,
    all share 512 bytes of white (enough up to 64×64; larger frames are refused before
    they are decoded). Written here: Pillow takes seconds for thousands of frames."""
    out = bytearray(b"II*\x00" + struct.pack("<I", 8 + _TIFF_PIXELS) + b"\xff" * _TIFF_PIXELS)
    for n, (width, height) in enumerate(sizes):
        used = min((width + 7) // 8 * height, _TIFF_PIXELS)
        entries = [(256, 4, width), (257, 4, height), (258, 3, 1), (259, 3, 1), (262, 3, 1),
                   (273, 4, 8), (277, 3, 1), (278, 4, height), (279, 4, used)]
        following = len(out) + 2 + 12 * len(entries) + 4 if n + 1 < len(sizes) else 0
        out += struct.pack("<H", len(entries))
        out += b"".join(struct.pack("<HHII", tag, kind, 1, value) for tag, kind, value in entries)
        out += struct.pack("<I", following)
    return bytes(out)


def _bmp_set(data: bytes, offset: int, value: int, fmt: str = "<i") -> bytes:
    return data[:offset] + struct.pack(fmt, value) + data[offset + struct.calcsize(fmt):]


def _flip(data: bytes, start: float, count: int = 16) -> bytes:
    """`count` bytes inverted from `start` (a fraction of the length)."""
    at = int(len(data) * start)
    return data[:at] + bytes(b ^ 0xFF for b in data[at:at + count]) + data[at + count:]


def _zeroed(data: bytes, start: int, count: int) -> bytes:
    return data[:start] + bytes(count) + data[start + count:]


# ------------------------------------------------------------------ the variants

def _empty() -> list[_Variant]:
    return [
        _Variant("empty-zero-bytes.jpg", "empty", FileFault.EMPTY, lambda: b""),
        _Variant("empty-zero-bytes.pdf", "empty", FileFault.EMPTY, lambda: b""),
        _Variant("empty-spaces.png", "empty", FileFault.EMPTY, lambda: b"   "),
        _Variant("empty-newlines.tif", "empty", FileFault.EMPTY, lambda: b"\r\n\n\n"),
        _Variant("empty-whitespace-mix.pdf", "empty", FileFault.EMPTY, lambda: b" \t\r\n\x0b\x0c " * 50),
        # PDFium refuses to open a PDF without pages: it cannot tell it from a damaged one.
        _Variant("empty-pdf-no-pages.pdf", "empty", FileFault.CORRUPT, lambda: _pdf_pages([])),
        _Variant("empty-zeros-sparse.jpg", "empty", FileFault.EMPTY,
                 lambda: Sparse(b"", 4_000_000)),  # allocated, never written
    ]


_CUTS: dict[str, Callable[[bytes], int]] = {
    "signature-only": lambda data: 12,
    "header-only": lambda data: 40,
    "mid-data": lambda data: len(data) // 2,
    "one-byte-short": lambda data: len(data) - 1,
}


def _truncated() -> list[_Variant]:
    made = []
    for ext, encode in (("jpg", _jpeg), ("png", _png), ("tif", _tiff), ("webp", _webp),
                        ("bmp", _bmp), ("pdf", _pdf)):
        for cut, where in _CUTS.items():
            if (ext, cut) == ("pdf", "one-byte-short"):
                continue  # a PDF without its last newline is complete: see _repairable
            made.append(_Variant(f"truncated-{ext}-{cut}.{ext}", "truncated", FileFault.CORRUPT,
                                 lambda encode=encode, where=where: encode()[:where(encode())]))
    pdf_cuts = {
        "in-eof-marker": lambda data: data[:data.rindex(b"%%EOF") + 3],
        "before-xref": lambda data: data[:data.rindex(b"xref")],
    }
    made += [_Variant(f"truncated-pdf-{name}.pdf", "truncated", FileFault.CORRUPT,
                      lambda cut=cut: cut(_pdf(3))) for name, cut in pdf_cuts.items()]
    made += [
        _Variant("truncated-jpeg-progressive-mid-scan.jpg", "truncated", FileFault.CORRUPT,
                 lambda: (lambda d: d[:len(d) * 2 // 3])(_jpeg(progressive=True))),
        _Variant("truncated-jpeg-then-zeros-sparse.jpg", "truncated", FileFault.CORRUPT,
                 lambda: Sparse(_jpeg()[:len(_jpeg()) // 2], 8_000_000)),
        _Variant("truncated-tiff-multipage-last-frame.tif", "truncated", FileFault.CORRUPT,
                 lambda: _multi_tiff()[:-200]),
        _Variant("truncated-png-no-iend.png", "truncated", FileFault.CORRUPT, lambda: _png()[:-12]),
    ]
    return made


@functools.cache
def _multi_tiff() -> bytes:
    """Three grey frames, uncompressed, the IFDs first and the pixels of the last frame last."""
    out = io.BytesIO()
    frames = [_picture("L")] * 3
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:], dpi=(200, 200))
    return out.getvalue()


def _corrupt() -> list[_Variant]:
    def dht_bogus(data: bytes) -> bytes:
        at = _jpeg_marker(data, b"\xc4") + 5  # marker, length, table class and id
        return data[:at] + b"\xff" * 16 + data[at + 16:]  # 16 code counts far over 256 codes

    def png_idat_garbled(data: bytes) -> bytes:
        return _png_edit(data, b"IDAT", lambda body: body[:2] + bytes(b ^ 0x5A for b in body[2:]))

    c = FileFault.CORRUPT
    variants = [
        # JPEG
        ("jpeg-sof-zero-size.jpg", lambda: _jpeg_size(_jpeg(), 0, 0)),
        ("jpeg-bogus-huffman-table.jpg", lambda: dht_bogus(_jpeg())),
        ("jpeg-no-frame-header.jpg",
         lambda: _jpeg().replace(b"\xff\xc0", b"\xff\xfe", 1)),  # SOF turned into a comment
        ("jpeg-zeroed-header.jpg", lambda: _zeroed(_jpeg(), 3, 300)),
        ("jpeg-scan-header-garbled.jpg",
         lambda: (lambda d, at: d[:at + 4] + b"\x09" + d[at + 5:])(_jpeg(), _jpeg_marker(_jpeg(), b"\xda"))),
        # PNG
        ("png-bad-header-crc.png", lambda: _png_edit(_png(), b"IHDR", lambda b: b, fix_crc=False)),
        ("png-bad-data-crc.png", lambda: _png_edit(_png(), b"IDAT", lambda b: b, fix_crc=False)),
        ("png-garbled-data-right-crc.png", lambda: png_idat_garbled(_png())),
        ("png-zero-width.png", lambda: _png_edit(_png(), b"IHDR", lambda b: bytes(4) + b[4:])),
        ("png-bit-depth-7.png", lambda: _png_edit(_png(), b"IHDR", lambda b: b[:8] + b"\x07" + b[9:])),
        ("png-no-data-chunk.png", lambda: _png_edit(_png(), b"IDAT", lambda b: b"")),
        ("png-flipped-data.png", lambda: _flip(_png(), 0.5)),
        # TIFF
        ("tiff-ifd-outside-file.tif", lambda: _tiff()[:4] + struct.pack("<I", 10 ** 8) + _tiff()[8:]),
        ("tiff-strips-outside-file.tif", lambda: _tiff_set(_tiff(), 273, 10 ** 8)),
        ("tiff-unknown-compression.tif", lambda: _tiff_set(_tiff(), 259, 999, width=2)),
        ("tiff-zero-width.tif", lambda: _tiff_set(_tiff(), 256, 0, width=2)),
        ("tiff-zeroed-header.tif", lambda: _zeroed(_tiff(), 4, 200)),
        ("tiff-second-ifd-outside.tif", lambda: _tiff_next_ifd(_multi_tiff(), 10 ** 8)),
        # WebP
        ("webp-flipped-data.webp", lambda: _flip(_webp(), 0.5, 64)),
        ("webp-zeroed-bitstream-header.webp", lambda: _zeroed(_webp(), 20, 16)),
        # BMP
        ("bmp-bits-per-pixel-7.bmp", lambda: _bmp_set(_bmp(), 28, 7, "<H")),
        ("bmp-data-outside-file.bmp", lambda: _bmp_set(_bmp(), 10, 10 ** 8, "<I")),
        ("bmp-zeroed-header.bmp", lambda: _zeroed(_bmp(), 2, 40)),
        ("bmp-text-starting-bm.bmp", lambda: b"BMW annual report 2024\n" * 20),
        # PDF
        ("pdf-garbage-objects.pdf",
         lambda: b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"),
        ("pdf-root-missing.pdf", lambda: _pdf_pages([(300, 200)]).replace(b"/Root 1 0 R", b"/Root 9 0 R")),
        ("pdf-pages-not-a-tree.pdf",
         lambda: _pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>", b"(not a page tree)"])),
        ("pdf-header-only-and-eof.pdf", lambda: b"%PDF-1.4\n%%EOF\n"),
    ]
    return [_Variant(f"corrupt-{name}", "corrupt", c, make) for name, make in variants]


def _repairable() -> list[_Variant]:
    """Damage the decoders repair or step over safely: the page is there to decide."""
    def xref_offsets_wrong(data: bytes) -> bytes:
        at = data.rindex(b"xref")
        moved = re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m[1]) + 7), data[at:])
        return data[:at] + moved

    return [
        _Variant("repairable-pdf-broken-xref.pdf", "repairable", READABLE,
                 lambda: xref_offsets_wrong(_pdf(2))),
        _Variant("repairable-pdf-no-final-newline.pdf", "repairable", READABLE, lambda: _pdf(2)[:-1]),
        _Variant("repairable-pdf-page-of-no-size.pdf", "repairable", READABLE,  # PDFium: US Letter
                 lambda: _pdf_pages([(0, 0)])),
        _Variant("repairable-tiff-ifd-loop-to-itself.tif", "repairable", READABLE,
                 lambda: _tiff_next_ifd(_tiff(), _tiff_ifd(_tiff()))),
        _Variant("repairable-tiff-ifd-loop-to-first.tif", "repairable", READABLE,
                 lambda: _tiff_loop_back(_multi_tiff())),
        _Variant("repairable-jpeg-flipped-scan-bytes.jpg", "repairable", READABLE,  # libjpeg resyncs
                 lambda: _flip(_jpeg(), 0.6, 4)),
    ]


def _tiff_loop_back(data: bytes) -> bytes:
    """The last IFD of a multi-frame TIFF linked back to the first."""
    first = ifd = _tiff_ifd(data)
    while True:
        (count,) = struct.unpack("<H", data[ifd:ifd + 2])
        link = ifd + 2 + 12 * count
        (following,) = struct.unpack("<I", data[link:link + 4])
        if following == 0:
            return data[:link] + struct.pack("<I", first) + data[link + 4:]
        ifd = following


def _wrong_type() -> list[_Variant]:
    def zipped() -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr(zipfile.ZipInfo("scan.jpg", (2024, 12, 10, 9, 0, 0)), _jpeg())
        return out.getvalue()

    u = FileFault.UNKNOWN_TYPE
    variants = [
        ("text.jpg", u, lambda: b"Lettre pour Amnesty, merci de la transmettre.\n"),
        ("text-utf16.png", u, lambda: "Lettre écrite à la main".encode("utf-16")),
        ("html.pdf", u, lambda: b"<!DOCTYPE html><html><body><h1>Scan</h1></body></html>"),
        ("svg.png", u, lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'),
        ("xml-declared-svg.tif", u, lambda: b'<?xml version="1.0"?><svg/>'),
        ("zip.tif", u, zipped),
        ("gif.jpg", u, lambda: _encoded("GIF", "P")),
        ("ico.bmp", u, lambda: _encoded("ICO", size=(32, 32))),
        ("elf.bmp", u, lambda: b"\x7fELF\x02\x01\x01" + bytes(57)),
        ("windows-exe.jpg", u, lambda: b"MZ\x90\x00" + bytes(60)),
        ("json.jpg", u, lambda: json.dumps({"scan": "page-1", "dpi": 300}).encode()),
        ("heic-like.jpg", u, lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)),
        ("avif-like.png", u, lambda: b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(64)),
        ("jpeg2000-like.jpg", u, lambda: b"\x00\x00\x00\x0cjP  \r\n\x87\n" + bytes(64)),
        ("postscript.pdf", u, lambda: b"%!PS-Adobe-3.0\n%%Pages: 1\nshowpage\n%%EOF\n"),
        ("rtf.pdf", u, lambda: b"{\\rtf1\\ansi Lettre}"),
        ("psd.tif", u, lambda: b"8BPS\x00\x01" + bytes(64)),
        ("jpeg-named-pdf.pdf", READABLE, _jpeg),
        ("pdf-named-jpeg.jpg", READABLE, lambda: _pdf(1)),
        ("png-named-tiff.tif", READABLE, _png),
    ]
    return [_Variant(f"wrong-type-{name}", "wrong-type", expected, make) for name, expected, make in variants]


def _encrypted() -> list[_Variant]:
    e = FileFault.ENCRYPTED
    return [
        _Variant("encrypted-pdf-user-password.pdf", "encrypted", e, lambda: _pdf(1, encrypt="secret")),
        _Variant("encrypted-pdf-40-bit.pdf", "encrypted", e,
                 lambda: _pdf(1, encrypt=StandardEncryption("secret", "owner", strength=40))),
        _Variant("encrypted-pdf-128-bit.pdf", "encrypted", e,
                 lambda: _pdf(1, encrypt=StandardEncryption("secret", "owner", strength=128))),
        _Variant("encrypted-pdf-owner-password-only.pdf", "encrypted", READABLE,  # opens without one
                 lambda: _pdf(1, encrypt=StandardEncryption("", "owner", canPrint=0))),
    ]


def _over(limit: int) -> tuple[int, int]:
    """The smallest A4-shaped width×height over `limit` pixels."""
    width = int((limit / 2 ** 0.5) ** 0.5)
    return width, limit // width + 1


def _oversized() -> list[_Variant]:
    big = (50_000, 50_000)
    over = _over(MAX_PIXELS)
    under_width = int((MAX_PIXELS / 2 ** 0.5) ** 0.5)
    under = (under_width, MAX_PIXELS // under_width)  # the largest A4 shape accepted
    points_over = [v * 72 / PDF_DPI for v in over]
    t = FileFault.TOO_LARGE
    variants = [
        ("png-50000x50000-header.png", t, lambda: _png_of(*big)),
        ("png-20000x20000-bomb.png", t, lambda: _png_of(20_000, 20_000, rows=20_000)),
        ("png-just-over-limit.png", t, lambda: _png_of(*over)),
        ("png-wide-strip-over-limit.png", t, lambda: _png_of(MAX_PIXELS + 1, 1)),
        ("jpeg-50000x50000-header.jpg", t, lambda: _jpeg_size(_jpeg(), *big)),
        ("jpeg-just-over-limit.jpg", t, lambda: _jpeg_size(_jpeg(), *over)),
        ("tiff-50000x50000-header.tif", t, lambda: _tiff_of([big])),
        ("tiff-just-over-limit.tif", t, lambda: _tiff_of([over])),
        ("tiff-third-frame-too-large.tif", t, lambda: _tiff_of([(1, 1), (1, 1), over])),
        ("bmp-50000x50000-header.bmp", t, lambda: _bmp_set(_bmp_set(_bmp(), 18, big[0]), 22, big[1])),
        ("bmp-just-over-limit.bmp", t, lambda: _bmp_set(_bmp_set(_bmp(), 18, over[0]), 22, over[1])),
        ("pdf-page-5x5-metres.pdf", t, lambda: _pdf_pages([(5000 / 25.4 * 72,) * 2])),
        ("pdf-second-page-5x5-metres.pdf", t,
         lambda: _pdf_pages([(595, 842), (5000 / 25.4 * 72,) * 2])),
        ("pdf-page-just-over-limit.pdf", t, lambda: _pdf_pages([tuple(points_over)])),
    ]
    made = [_Variant(f"oversized-{name}", "oversized", expected, make) for name, expected, make in variants]
    return [*made, _Variant("oversized-png-just-under-limit.png", "oversized", READABLE,
                            lambda: _png_of(*under, rows=under[1], fill=255), slow=True)]


def _many_pages() -> list[_Variant]:
    m = FileFault.TOO_MANY_PAGES
    return [
        _Variant("many-pages-pdf-3000.pdf", "many-pages", m, lambda: _pdf_pages([(72, 72)] * 3000)),
        _Variant("many-pages-pdf-one-over-limit.pdf", "many-pages", m,
                 lambda: _pdf_pages([(72, 72)] * (MAX_PAGES + 1))),
        _Variant("many-pages-tiff-one-over-limit.tif", "many-pages", m,
                 lambda: _tiff_of([(1, 1)] * (MAX_PAGES + 1))),
        _Variant("many-pages-tiff-2000.tif", "many-pages", m, lambda: _tiff_of([(1, 1)] * 2000)),
    ]


def _odd_valid() -> list[_Variant]:
    def exif_turned(orientation: int) -> bytes:
        exif = Image.Exif()
        exif[0x0112] = orientation
        return _jpeg(exif=exif.tobytes())

    def sixteen_bit(fmt: str) -> bytes:
        image = Image.new("I;16", (200, 120), 30000)
        ImageDraw.Draw(image).rectangle((20, 20, 100, 40), fill=2000)
        out = io.BytesIO()
        image.save(out, fmt)
        return out.getvalue()

    def palette_transparent() -> bytes:
        out = io.BytesIO()
        image = _picture("P")
        image.save(out, "PNG", transparency=0)
        return out.getvalue()

    def grey_alpha() -> bytes:
        image = _picture("LA").copy()
        image.putalpha(Image.linear_gradient("L").resize(image.size))
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()

    r = READABLE
    variants = [
        ("1x1-pixel.png", lambda: _encoded("PNG", "L", (1, 1))),
        ("1x1-pixel.jpg", lambda: _encoded("JPEG", "L", (1, 1))),
        ("1x1-pixel.pdf", lambda: _pdf_pages([(72 / PDF_DPI,) * 2])),
        ("thin-strip-4000x2.png", lambda: _encoded("PNG", "L", (4000, 2))),
        ("16-bit-grey.png", lambda: sixteen_bit("PNG")),
        ("16-bit-grey.tif", lambda: sixteen_bit("TIFF")),
        ("cmyk.jpg", lambda: _encoded("JPEG", "CMYK")),
        ("cmyk.tif", lambda: _encoded("TIFF", "CMYK")),
        ("palette-transparent.png", palette_transparent),
        ("grey-alpha.png", grey_alpha),
        ("rgba.webp", lambda: _encoded("WEBP", "RGBA", lossless=True)),
        ("bilevel-g4.tif", lambda: _encoded("TIFF", "1", compression="group4")),
        ("lzw.tif", lambda: _encoded("TIFF", compression="tiff_lzw")),
        ("jpeg-in-tiff.tif", lambda: _encoded("TIFF", compression="jpeg")),
        ("float.tif", lambda: _encoded("TIFF", "F")),
        ("bilevel.bmp", lambda: _encoded("BMP", "1")),
        ("progressive.jpg", lambda: _jpeg(progressive=True)),
        ("exif-turned-6.jpg", lambda: exif_turned(6)),
        ("exif-mirrored-5.jpg", lambda: exif_turned(5)),
        ("no-dpi-grey.jpg", lambda: _encoded("JPEG", "L")),
        ("absurd-dpi.png", lambda: _encoded("PNG", dpi=(1, 1))),
        ("mpo-two-pictures.jpg", lambda: _mpo()),
        ("tiff-at-page-limit.tif", lambda: _tiff_of([(64, 64)] * MAX_PAGES)),
    ]
    return [_Variant(f"odd-valid-{name}", "odd-valid", r, make) for name, make in variants]


def _mpo() -> bytes:
    out = io.BytesIO()
    _picture().save(out, "MPO", save_all=True, append_images=[_picture("RGB", (160, 240))])
    return out.getvalue()


@functools.cache
def _campaign() -> Campaign:
    return parse_campaign(SAMPLE_CAMPAIGN.read_text(encoding="utf-8"))


def _forged() -> list[_Variant]:
    campaign = _campaign()
    case = campaign.cases[0].code
    good = encode_payload(Payload(PayloadKind.LETTER, campaign.id, case), campaign.check_key)
    wrong_check = good[:-1] + ("A" if good[-1] != "A" else "B")
    other_key = encode_payload(Payload(PayloadKind.LETTER, campaign.id, case), b"not the campaign's key")
    other_campaign = encode_payload(Payload(PayloadKind.LETTER, "OTHER-2019", case), b"their key")
    unknown_case = encode_payload(Payload(PayloadKind.LETTER, campaign.id, "NOBODY"), campaign.check_key)
    codes = [
        ("wrong-check", Reason.BAD_CHECK, [wrong_check]),
        ("check-made-without-key", Reason.BAD_CHECK, [other_key]),
        ("other-campaign", Reason.WRONG_CAMPAIGN, [other_campaign]),
        ("unknown-case", Reason.UNKNOWN_CASE, [unknown_case]),
        ("future-version", Reason.UNSUPPORTED_VERSION, ["SP2" + good[3:]]),
        ("ours-truncated", Reason.MALFORMED_PAYLOAD, [good[:-5]]),
        ("ours-lower-case", Reason.MALFORMED_PAYLOAD, [good.lower()]),
        ("ours-with-script", Reason.MALFORMED_PAYLOAD,
         [f"SP1:L:{campaign.id}:<script>alert(1)</script>:AAAAAAAA"]),
        ("ours-with-rtl-override", Reason.MALFORMED_PAYLOAD, [good[:7] + "\u202e" + good[7:]]),
        ("url", Reason.FOREIGN_CODE, ["https://example.org/donate?campaign=" + campaign.id]),
        ("2-kb-text", Reason.FOREIGN_CODE, ["Lettre de soutien. " * 108]),
        ("control-characters", Reason.FOREIGN_CODE, ["\x00\x01\x07\x08\x1b[31mred\x1b[0m\r\x7f"]),
        ("right-to-left-marks", Reason.FOREIGN_CODE, ["\u200f\u202eSP1 reversed \u202c\u200e"]),
        ("script-tag", Reason.FOREIGN_CODE, ["<script>alert('scan')</script>"]),
        ("valid-beside-forged", Reason.CONFLICTING_CODES, [good, wrong_check]),
        ("valid-beside-other-case", Reason.CONFLICTING_CODES,
         [good, encode_payload(Payload(PayloadKind.LETTER, campaign.id, campaign.cases[1].code),
                               campaign.check_key)]),
    ]
    return [_Variant(f"forged-{name}.png", "forged-code", reason, lambda texts=texts: _coded_page(texts))
            for name, reason, texts in codes]


def _coded_page(texts: list[str]) -> bytes:
    """A small clean page with each code side by side (two at most), as PNG."""
    side = max(segno.make(text, error="m").symbol_size(scale=3)[0] for text in texts)
    placed = [(text, 20 + n * (side + 20), 20) for n, text in enumerate(texts)]
    return page_with_codes(*placed, size=(40 + len(texts) * (side + 20), side + 60), scale=3, fmt="PNG")


VARIANTS: tuple[_Variant, ...] = tuple(
    _empty() + _truncated() + _corrupt() + _repairable() + _wrong_type() + _encrypted()
    + _oversized() + _many_pages() + _odd_valid() + _forged())
