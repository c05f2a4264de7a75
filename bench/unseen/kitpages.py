"""The printed kit pages supporters receive, written in by the unseen hands.

The pages themselves are the real kit PDFs (`scanpipe.paper.kits.render_*`, the
only code shared with the kits, because these are what supporters hold),
rasterised here with PDFium. Everything put on them is this package's: real
manuscript strokes or a neat hand in the writing boxes, names, towns and
signatures in petition rows, and for the mix-ups another case's QR pasted
over the code (a sticker with its white border, or seamlessly, as a
photocopy of a pasted-up original comes out).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter

from bench.unseen import compose, hand
from bench.unseen.cases import CaseInfo
from scanpipe.domain.payload import PayloadKind
from scanpipe.paper import kits

DOCS = ("letter", "postcard", "petition")
_KINDS = {"letter": PayloadKind.LETTER, "postcard": PayloadKind.POSTCARD,
          "petition": PayloadKind.PETITION}


def layout(doc: str) -> kits.DocumentLayout:
    return {"letter": kits.LETTER_LAYOUT, "postcard": kits.POSTCARD_MESSAGE_LAYOUT,
            "petition": kits.petition_layout()}[doc]


@functools.lru_cache(maxsize=12)
def _rendered(info: CaseInfo, doc: str, dpi: int) -> tuple[Image.Image, ...]:
    render = {"letter": kits.render_letter_sheet, "postcard": kits.render_postcard,
              "petition": kits.render_petition}[doc]
    # An office prints its kits in its campaign's language; supporters write in theirs.
    pdf = pdfium.PdfDocument(render(info.campaign, info.case, info.campaign.language))
    try:
        return tuple(page.render(scale=dpi / 72).to_pil().convert("RGB") for page in pdf)
    finally:
        pdf.close()


def kit_page(info: CaseInfo, doc: str, dpi: int, side: int | None = None) -> Image.Image:
    """A kit page as printed (in the campaign's language): the letter sheet, the postcard's
    message side (or `side` 0, its picture side), the petition sheet."""
    pages = _rendered(info, doc, dpi)
    index = side if side is not None else (1 if doc == "postcard" else 0)
    return pages[index].copy()


def qr_text(info: CaseInfo, doc: str) -> str:
    return kits.case_qr_text(info.campaign, info.case, _KINDS[doc])


def qr_box_px(info: CaseInfo, doc: str, dpi: int) -> tuple[int, int, int, int]:
    """The case QR with its quiet zone, in pixels."""
    return layout(doc).qr_box(qr_text(info, doc)).px(dpi)


@dataclass(frozen=True)
class Written:
    """A kit page written in, and what was written on it."""

    image: Image.Image
    content: dict
    signatures: int | None = None


def write_in(info: CaseInfo, doc: str, lang: str, dpi: int, rng: np.random.Generator) -> Written:
    """The kit page filled in as a supporter writing in `lang` does: a letter, a card's
    message, signed rows."""
    page = kit_page(info, doc, dpi)
    pen = hand.Pen.named(str(rng.choice(("black", "blue", "royal", "blue"))), rng)
    lay = layout(doc)
    content: dict = {"doc": doc, "lang": lang}
    if doc == "petition":
        return _sign_rows(page, info, lang, dpi, rng, pen, content)
    box = lay.writing_box.px(dpi)
    pitch = lay.line_pitch_mm * dpi / 25.4
    box = (box[0] + int(pitch * 0.2), box[1] + int(pitch * 0.1), box[2], box[3] - int(pitch * 0.3))
    if rng.random() < 0.5:
        page, texts = hand.write_real(page, box, pitch, pen, rng,
                                      max_lines=int(rng.integers(3, 20 if doc == "letter" else 9)))
        content.update(hand="real_strokes", lines=len(texts))
    else:
        if doc == "letter":
            letter = compose.authority_letter(info, lang, rng, compose.Mention.FULL)
            lines = [b.text for b in letter.blocks if b.role in (compose.Role.SALUTATION,
                                                                 compose.Role.BODY, compose.Role.CLOSING)]
        else:
            card = compose.solidarity_letter(info, lang, rng, naming="first")
            lines = [b.text for b in card.blocks if b.role in (compose.Role.SALUTATION,
                                                               compose.Role.BODY, compose.Role.CLOSING)]
        page, written = hand.write_neat(page, box, lines, pitch, pen, rng)
        content.update(hand="neat", text="\n".join(written))
    last = box[3] - int(pitch * 2.2)
    page = hand.sign(page, (box[2] - int(pitch * 7), last, box[2] - int(pitch * 1.5),
                            last + int(pitch * 1.8)), pen, rng)
    return Written(page, content)


def _sign_rows(page: Image.Image, info: CaseInfo, lang: str, dpi: int, rng: np.random.Generator,
               pen: hand.Pen, content: dict) -> Written:
    rows = kits.petition_rows()
    signed = int(rng.integers(0, len(rows) + 1))
    chosen = sorted(int(i) for i in rng.choice(len(rows), size=signed, replace=False))
    for i in chosen:
        row = rows[i]
        writer_pen = hand.Pen.named(str(rng.choice(("black", "blue", "royal"))), rng)
        who = compose.sender(rng, lang)
        name_box = row.name.px(dpi)
        contact_box = row.contact.px(dpi)
        pitch = (name_box[3] - name_box[1]) * 0.95
        page, _ = hand.write_neat(page, name_box, [who["name"]], pitch, writer_pen, rng)
        contact = who["town"] if rng.random() < 0.6 else who["email"]
        page, _ = hand.write_neat(page, contact_box, [contact], pitch, writer_pen, rng)
        page = hand.sign(page, row.signature.px(dpi), writer_pen, rng)
    content.update(signed_rows=[i + 1 for i in chosen])
    return Written(page, content, signatures=signed)


def paste_code(page: Image.Image, info_a: CaseInfo, info_b: CaseInfo, doc: str, dpi: int,
               rng: np.random.Generator, *, sticker: bool) -> tuple[Image.Image, dict]:
    """Case B's QR (with its caption) pasted over case A's on A's page: a white sticker with a
    border and a shadow, a little off and askew, or (`sticker` False) seamlessly, as on a
    photocopy of a pasted-up sheet."""
    mm = dpi / 25.4
    a_box, b_box = qr_box_px(info_a, doc, dpi), qr_box_px(info_b, doc, dpi)
    caption = int(4.5 * mm)
    cover = (min(a_box[0], b_box[0]), min(a_box[1], b_box[1]), max(a_box[2], b_box[2]),
             max(a_box[3], b_box[3]) + caption)
    source = kit_page(info_b, doc, dpi)
    patch_box = (cover[0], cover[1], cover[2], cover[3])
    patch = source.crop(patch_box)
    border = int(rng.uniform(1.0, 2.5) * mm) if sticker else 0
    label = Image.new("RGB", (patch.width + 2 * border, patch.height + 2 * border), (252, 252, 250))
    label.paste(patch, (border, border))
    if sticker:
        ImageDraw.Draw(label).rectangle([0, 0, label.width - 1, label.height - 1], outline=(200, 200, 200))
        angle = float(rng.uniform(-4, 4))
        label = label.convert("RGBA").rotate(angle, resample=Image.BICUBIC, expand=True)
        dx, dy = (int(v) for v in rng.uniform(-1.5, 1.5, 2) * mm)
        shadow = Image.new("RGBA", label.size, (0, 0, 0, 0))
        shadow.paste((0, 0, 0, 70), (0, 0), label.split()[3])
        shadow = shadow.filter(ImageFilter.GaussianBlur(0.6 * mm))
        x, y = cover[0] - border + dx, cover[1] - border + dy
        page = page.convert("RGBA")
        page.alpha_composite(shadow, (max(0, x + int(0.4 * mm)), max(0, y + int(0.5 * mm))))
        page.alpha_composite(label, (max(0, x), max(0, y)))
        page = page.convert("RGB")
        how = {"mixup": "sticker", "angle": round(angle, 2)}
    else:
        page = page.copy()
        page.paste(label, (cover[0], cover[1]))
        how = {"mixup": "photocopy"}
    return page, {**how, "printed_for": info_a.case.code, "code_of": info_b.case.code}

