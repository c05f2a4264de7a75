"""The file formats scanpipe reads, by name alone: light enough for the hot folder and the command
line to sort files without loading the image libraries, and the format of a file's first bytes."""

from __future__ import annotations

# Pillow's names of the images read; MPO (a JPEG holding more pictures) counts as JPEG.
RASTER_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "BMP")
# The file names a station takes as scans: the formats above and PDF.
SCAN_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".pdf"})


def sniff(head: bytes) -> str:
    """A short name for a file's type from its first bytes (32 are enough): "PDF", "JPEG",
    "PNG", "TIFF", "BMP", "WEBP", or "UNKNOWN"."""
    if head.startswith(b"%PDF-"):
        return "PDF"
    signatures = {
        b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG", b"II*\x00": "TIFF",
        b"MM\x00*": "TIFF", b"BM": "BMP",
    }
    for magic, name in signatures.items():
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return "UNKNOWN"
