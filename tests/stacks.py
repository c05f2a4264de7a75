"""Stacks of small scanned pages for the station tests: envelopes with their kit code, then
letters and postcards with the QR of their case, each page different from every other."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import segno
from PIL import Image, ImageDraw

from scanpipe.domain.campaign import Campaign
from scanpipe.domain.payload import Payload, PayloadKind, encode_payload, kit_payload


def _code(text: str, scale: int = 4) -> Image.Image:
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=scale, border=4)
    return Image.open(io.BytesIO(buf.getvalue())).convert("L")


def small_page(code_text: str, mark: int, seed: int) -> bytes:
    """A 600 × 800 page with one QR code and a pattern of dots that makes it unique."""
    rng = random.Random(seed)
    page = Image.new("L", (600, 800), 240)
    page.paste(_code(code_text), (rng.randrange(40, 300), rng.randrange(40, 400)))
    draw = ImageDraw.Draw(page)
    for bit in range(24):  # the mark, written in dots along the bottom edge
        if mark >> bit & 1:
            draw.rectangle((20 + bit * 22, 760, 32 + bit * 22, 772), fill=30)
    out = io.BytesIO()
    page.save(out, format="JPEG", quality=80)
    return out.getvalue()


def write_stack(folder: Path, campaign: Campaign, pages: int, *, seed: int = 0,
                first_kit: int = 1, per_envelope: int = 8, prefix: str = "scan") -> list[Path]:
    """`pages` files in `folder`, in scanning order (their mtimes rise): every `per_envelope`
    pages an envelope with a new kit code, then letters and postcards of random cases."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    cases = [c.code for c in campaign.cases]
    kit = first_kit
    files: list[Path] = []
    base = 1_600_000_000_000_000_000
    for index in range(pages):
        if index % per_envelope == 0:
            text = encode_payload(kit_payload(campaign.id, kit), campaign.check_key)
            kit += 1
        else:
            kind = rng.choice((PayloadKind.LETTER, PayloadKind.LETTER, PayloadKind.POSTCARD))
            text = encode_payload(Payload(kind, campaign.id, rng.choice(cases)), campaign.check_key)
        path = folder / f"{prefix}-{index + 1:04d}.jpg"
        path.write_bytes(small_page(text, (seed << 16) + index, seed * 100_003 + index))
        os.utime(path, ns=(base + index * 1_000_000, base + index * 1_000_000))
        files.append(path)
    return files
