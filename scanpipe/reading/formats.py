"""The file formats scanpipe reads, by name alone: light enough for the hot folder and the command
line to sort files without loading the image libraries."""

# Pillow's names of the images read; MPO (a JPEG holding more pictures) counts as JPEG.
RASTER_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "BMP")
# The file names a station takes as scans: the formats above and PDF.
SCAN_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".pdf"})
