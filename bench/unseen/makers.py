"""The page of each category of the unseen corpus, with its label.

A maker takes a job (its category, case, language and index), the case, a seeded
random generator and the spec, and returns the pages it made: each a captured
image, what the pipeline must decide (`expected`), what it holds (`content`) and
which way it was fed (`orientation`). A composed page whose text breaks its
category's rule raises `Redraw`; the caller draws it again with the next numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image, ImageFilter

from bench.unseen import capture, compose, fonts, hand, kitpages, layout, papers, real
from bench.unseen.cases import CaseInfo, all_infos, named_cases
from scanpipe.domain.routing import Kind, destination_for

if TYPE_CHECKING:
    from bench.unseen.corpus import Job, UnseenSpec


class Redraw(Exception):
    """The page drawn breaks its category's rule: draw it again with the next numbers."""


# ------------------------------------------------------------------ labels

def _expected(kind, case, status, *, destination=None, signatures=None, reason=None,
              acceptable=None) -> dict:
    return {"kind": kind, "case": case, "status": status, "destination": destination,
            "kit_serial": None, "signatures": signatures, "reason": reason,
            "acceptable": acceptable or [status]}


def _routed(info: CaseInfo, kind: Kind, *, acceptable=None, signatures=None) -> dict:
    return _expected(kind.value, info.case.code, "routed", destination=destination_for(info.case, kind),
                     signatures=signatures, acceptable=acceptable)


def _review() -> dict:
    return _expected(None, None, "review")


@dataclass
class Page:
    """A page made, before its file is written."""

    shot: capture.Shot
    expected: dict
    content: dict
    orientation: int | None


def _capture_for(job: Job, spec: UnseenSpec, rng: np.random.Generator) -> tuple[str, int]:
    """("scan" or "photo", dpi) for a typed page."""
    r = rng.random()
    if r < spec.photo_share:
        return "photo", 0
    if r < spec.photo_share + spec.low_dpi_share:
        return "scan", 150
    return "scan", int(rng.choice((200, 240, 300)))


def _shoot(image: Image.Image, page_dpi: float, rng: np.random.Generator, how: str, dpi: int, *,
           turns: int | None = None, allow_bitonal: bool = True, fmt: str | None = None) -> capture.Shot:
    turns = int(rng.integers(4)) if turns is None else turns
    if how == "photo":
        return capture.photo(image, rng, turns=turns)
    return capture.scan(image, page_dpi, rng, dpi=dpi, turns=turns, allow_bitonal=allow_bitonal, fmt=fmt)


def _typed_page(document: compose.Document, rng: np.random.Generator, job: Job, spec: UnseenSpec,
                expected: dict, extra: dict) -> Page:
    how, dpi = _capture_for(job, spec, rng)
    render_dpi = 300 if how == "scan" else 200
    style = layout.choose_style(document, rng)
    rendered = layout.render(document, style, render_dpi, rng)
    if rendered.overflow:
        raise Redraw("the text runs off the page")
    image = rendered.image
    if rendered.signature_box and rng.random() < 0.8:
        pen = hand.Pen.named(str(rng.choice(("black", "blue"))), rng)
        image = hand.sign(image, rendered.signature_box, pen, rng)
    shot = _shoot(image, render_dpi, rng, how, dpi)
    content = {"lang": document.lang, "genre": document.genre.value, "style": style.to_json(),
               "notes": dict(document.notes), "written": True, **extra}
    return Page(shot, expected, content, shot.turns * 90)


def _names(document_text: str, info: CaseInfo) -> frozenset[str]:
    return named_cases(document_text, _campaign_infos(info))


def _campaign_infos(info: CaseInfo) -> tuple[CaseInfo, ...]:
    return tuple(i for i in all_infos() if i.campaign_file == info.campaign_file)


# ------------------------------------------------------------------ the makers

def _make_plain(job, info, rng, spec) -> list[Page]:
    mention = compose.pick(rng, compose.possible_mentions(info, job.lang))
    doc = compose.authority_letter(info, job.lang, rng, mention)
    if _names(doc.text, info) != {info.case.code}:
        raise Redraw(f"the letter names {_names(doc.text, info)}")
    return [_typed_page(doc, rng, job, spec, _routed(info, Kind.LETTER, acceptable=["routed", "review"]),
                        {"mention": mention.value})]


def _make_solidarity(job, info, rng, spec) -> list[Page]:
    naming = "context" if compose.context_sentences(info, job.lang) and rng.random() < 0.35 else "full"
    doc = compose.solidarity_letter(info, job.lang, rng, naming=naming)
    if _names(doc.text, info) != {info.case.code}:
        raise Redraw(f"the letter names {_names(doc.text, info)}")
    expected = _routed(info, Kind.SOLIDARITY_LETTER, acceptable=["routed", "review"])
    return [_typed_page(doc, rng, job, spec, expected, {"naming": naming})]


def _make_first_name(job, info, rng, spec) -> list[Page]:
    doc = compose.solidarity_letter(info, job.lang, rng, naming="first")
    if _names(doc.text, info):
        raise Redraw(f"the letter names {_names(doc.text, info)}")
    return [_typed_page(doc, rng, job, spec, _review(), {"naming": "first"})]


def _make_two_cases(job, info, rng, spec) -> list[Page]:
    others = [i for i in _campaign_infos(info) if i.case.code != info.case.code]
    other = compose.pick(rng, others)
    at = "body" if rng.random() < 0.5 else "ps"
    mention = compose.pick(rng, (compose.Mention.FULL, compose.Mention.GIVEN_SURNAME, compose.Mention.UPPER))
    doc = compose.authority_letter(info, job.lang, rng, mention, other=other, other_at=at)
    named = _names(doc.text, info)
    if not {info.case.code, other.case.code} <= named:
        raise Redraw(f"the letter names {named}")
    return [_typed_page(doc, rng, job, spec, _review(),
                        {"cases": sorted(named), "second_case_in": at})]


def _make_authority_only(job, info, rng, spec) -> list[Page]:
    doc = compose.authority_only(info, job.lang, rng)
    if _names(doc.text, info):
        raise Redraw(f"the letter names {_names(doc.text, info)}")
    return [_typed_page(doc, rng, job, spec, _review(), {"authority_of": info.case.code})]


def _make_press(job, info, rng, spec) -> list[Page]:
    doc = papers.press_text(info, job.lang, rng, paper=rng.random() < 0.5)
    if _names(doc.text, info):
        raise Redraw(f"the text names {_names(doc.text, info)}")
    return [_typed_page(doc, rng, job, spec, _review(), {"namesake_of": info.case.code})]


def _make_address(job, info, rng, spec) -> list[Page]:
    doc = papers.other_matter(info, job.lang, rng)
    if _names(doc.text, info):
        raise Redraw(f"the page names {_names(doc.text, info)}")
    return [_typed_page(doc, rng, job, spec, _review(), {"place_of": info.case.code})]


def _make_handwritten(job, info, rng, spec) -> list[Page]:
    """A letter by hand on writing paper: wholly in a neat hand, or its address, subject and
    greeting neat and its body in real strokes. It names its case (checked on what fits)."""
    dpi = 300
    mm = dpi / 25.4
    paper = str(rng.choice(("plain", "ruled", "squared", "seyes")))
    size = (round(210 * mm), round(297 * mm))
    sheet = hand.stationery(paper, size, dpi, rng)
    pitch = hand.ruling_pitch(paper, dpi, rng)
    to_person = rng.random() < 0.35
    if to_person:
        doc = compose.solidarity_letter(info, job.lang, rng, naming="full")
        kind = Kind.SOLIDARITY_LETTER
    else:
        doc = compose.authority_letter(info, job.lang, rng, compose.Mention.FULL)
        kind = Kind.LETTER
    pen = hand.Pen.named(str(rng.choice(("black", "blue", "royal"))), rng)
    left = round(float(rng.uniform(22, 34)) * mm)
    box = (left, round(18 * mm), size[0] - round(15 * mm), size[1] - round(30 * mm))
    mixed = rng.random() < 0.4 and not to_person
    if mixed:
        head = [b.text for b in doc.blocks if b.role in (compose.Role.RECIPIENT, compose.Role.SUBJECT,
                                                         compose.Role.SALUTATION)]
        sheet, written = hand.write_neat(sheet, (box[0], box[1], box[2], box[1] + int(pitch * 9)),
                                         head, pitch, pen, rng)
        sheet, strokes = hand.write_real(sheet, (box[0], box[1] + int(pitch * 9.5), box[2], box[3]),
                                         pitch, pen, rng, max_lines=int(rng.integers(6, 16)))
        text = "\n".join(written + strokes)
    else:
        lines = [b.text for b in doc.blocks if b.role not in (compose.Role.SENDER, compose.Role.SIGNATURE)]
        sheet, written = hand.write_neat(sheet, box, lines, pitch, pen, rng)
        text = "\n".join(written)
    if _names(text, info) != {info.case.code}:
        raise Redraw(f"what fits on the page names {_names(text, info)}")
    sheet = hand.sign(sheet, (size[0] - round(80 * mm), size[1] - round(28 * mm),
                              size[0] - round(25 * mm), size[1] - round(12 * mm)), pen, rng)
    how = "photo" if rng.random() < 0.2 else "scan"
    shot = _shoot(sheet, dpi, rng, how, int(rng.choice((200, 240, 300))), allow_bitonal=False)
    content = {"lang": job.lang, "paper": paper, "hand": "neat+real" if mixed else "neat",
               "to": kind.value, "text": text, "written": True}
    return [Page(shot, _routed(info, kind, acceptable=["routed", "review"]), content, shot.turns * 90)]


def _make_real_handwriting(job, info, rng, spec) -> list[Page] | tuple[bytes, str, list[Page]]:
    pages = real.manuscript_pages()
    n = len(pages)
    if job.index < n:   # the page as given: its own bytes, upright
        page = pages[job.index]
        data = page.path.read_bytes()
        expected = _review()
        content = {"real": page.path.name, "as_given": True, "written": True}
        label_shot = capture.Shot(Image.new("L", (1, 1)), None, 0, "as_given", ({"name": "as_given"},))
        return data, page.path.suffix.lstrip(".").replace("jpeg", "jpg"), [
            Page(label_shot, expected, content, 0)]
    if job.index < 2 * n:   # re-captured by our scanner or phone, any way round
        page = pages[job.index - n]
        image = Image.open(page.path).convert("RGB")
        page_dpi = float((image.info.get("dpi") or (300, 300))[0])
        how = "photo" if rng.random() < 0.4 else "scan"
        shot = _shoot(image, page_dpi, rng, how, int(rng.choice((200, 300))), allow_bitonal=False)
        return [Page(shot, _review(), {"real": page.path.name, "recaptured": how, "written": True},
                     shot.turns * 90)]
    # real strokes on plain writing paper: a real hand, naming nobody
    dpi = 300
    mm = dpi / 25.4
    paper = str(rng.choice(("plain", "ruled", "seyes")))
    size = (round(210 * mm), round(297 * mm))
    sheet = hand.stationery(paper, size, dpi, rng)
    pitch = hand.ruling_pitch(paper, dpi, rng)
    pen = hand.Pen.named(str(rng.choice(("black", "blue"))), rng)
    sheet, texts = hand.write_real(sheet, (round(25 * mm), round(25 * mm), size[0] - round(15 * mm),
                                           size[1] - round(25 * mm)), pitch, pen, rng)
    if _names("\n".join(texts), info):
        raise Redraw("the strokes name a case")
    shot = _shoot(sheet, dpi, rng, "photo" if rng.random() < 0.3 else "scan",
                  int(rng.choice((200, 300))), allow_bitonal=False)
    return [Page(shot, _review(), {"real_strokes": len(texts), "paper": paper, "written": True},
                 shot.turns * 90)]


def _make_real_orientation(job, info, rng, spec):
    files = real.orientation_pages()
    if job.index < len(files):
        path, degrees = files[job.index]
        label_shot = capture.Shot(Image.new("L", (1, 1)), None, degrees // 90, "as_given",
                                  ({"name": "as_given"},))
        return path.read_bytes(), path.suffix.lstrip("."), [
            Page(label_shot, _review(), {"real": path.name, "as_given": True, "written": True}, degrees)]
    path, degrees = files[(job.index - len(files)) % len(files)]
    image = Image.open(path).convert("RGB")
    page_dpi = float((image.info.get("dpi") or (200, 200))[0])
    upright = Image.fromarray(capture.turn(np.asarray(image), -(degrees // 90)))
    how = "photo" if rng.random() < 0.3 else "scan"
    shot = _shoot(upright, page_dpi, rng, how, int(rng.choice((200, 300))), allow_bitonal=False)
    return [Page(shot, _review(), {"real": path.name, "recaptured": how, "written": True}, shot.turns * 90)]


_DOC_KIND = {"letter": Kind.LETTER, "postcard": Kind.POSTCARD, "petition": Kind.PETITION}


def _kit_doc(rng: np.random.Generator) -> str:
    return str(rng.choice(("letter", "postcard", "petition"), p=(0.38, 0.34, 0.28)))


def _make_qr(job, info, rng, spec, photo: bool) -> list[Page]:
    doc = _kit_doc(rng)
    dpi = 300
    written = kitpages.write_in(info, doc, job.lang, dpi, rng)
    scan_dpi = int(rng.choice(capture.SCAN_DPIS, p=(0.2, 0.35, 0.15, 0.3)))
    shot = _shoot(written.image, dpi, rng, "photo" if photo else "scan", scan_dpi)
    expected = _routed(info, _DOC_KIND[doc], signatures=written.signatures)
    return [Page(shot, expected, {**written.content, "written": True}, shot.turns * 90)]


def _make_two_sided(job, info, rng, spec):
    dpi = 300
    picture = kitpages.kit_page(info, "postcard", dpi, side=0)
    message = kitpages.write_in(info, "postcard", job.lang, dpi, rng)
    photo = rng.random() < 0.25
    turns = int(rng.integers(4))
    back_turns = (turns + (2 if rng.random() < 0.5 else 0)) % 4  # duplex: the back flipped or not
    if photo:   # a phone scanning app's two-page PDF
        shots = [capture.photo(picture, rng, turns=turns),
                 capture.photo(message.image, rng, turns=back_turns)]
        fmt = "pdf"
    else:
        scan_dpi = int(rng.choice(capture.SCAN_DPIS))
        fmt = str(rng.choice(("pdf", "tiff")))
        shots = [capture.scan(picture, dpi, rng, dpi=scan_dpi, turns=turns, fmt=fmt),
                 capture.scan(message.image, dpi, rng, dpi=scan_dpi, turns=back_turns, fmt=fmt)]
    front = Page(shots[0], _expected("postcard", None, "rejected", reason="POSTCARD_PICTURE_SIDE"),
                 {"side": "picture", "postcard_of": info.case.code, "written": True}, shots[0].turns * 90)
    back = Page(shots[1], _routed(info, Kind.POSTCARD),
                {**message.content, "side": "message", "written": True}, shots[1].turns * 90)
    return shots, fmt, [front, back]


def _make_mixup(job, info, rng, spec) -> list[Page]:
    others = [i for i in _campaign_infos(info) if i.case.code != info.case.code]
    other = compose.pick(rng, others)
    doc = str(rng.choice(("postcard", "petition", "letter"), p=(0.45, 0.35, 0.2)))
    dpi = 300
    written = kitpages.write_in(info, doc, job.lang, dpi, rng)
    image, how = kitpages.paste_code(written.image, info, other, doc, dpi, rng,
                                     sticker=rng.random() < 0.6)
    photo = rng.random() < 0.35
    shot = _shoot(image, dpi, rng, "photo" if photo else "scan", int(rng.choice(capture.SCAN_DPIS)))
    content = {**written.content, **how, "written": True}
    return [Page(shot, _review(), content, shot.turns * 90)]


def _make_blank(job, info, rng, spec) -> list[Page]:
    """Truly blank sheets: white, grey, showing the other side through, dust, punched holes, a fold."""
    dpi = 300
    mm = dpi / 25.4
    size = (round(210 * mm), round(297 * mm))
    kind = str(rng.choice(("white", "grey", "show_through", "dust", "holes", "fold")))
    arr = np.full((size[1], size[0], 3), 255.0, np.float32)
    if kind == "grey":
        arr *= float(rng.uniform(0.82, 0.92))
    elif kind == "show_through":
        other = compose.authority_letter(info, job.lang, rng, compose.Mention.FULL)
        front = layout.render(other, layout.choose_style(other, rng), dpi, rng).image.convert("L")
        mirror = np.asarray(front, np.float32)[:, ::-1]
        mirror = np.asarray(Image.fromarray(mirror.astype(np.uint8)).resize(size), np.float32)
        strength = float(rng.uniform(0.04, 0.1))
        blurred = np.asarray(Image.fromarray(mirror.astype(np.uint8)).filter(ImageFilter.GaussianBlur(2)),
                             np.float32)
        arr = arr * (1 - strength * (1 - blurred / 255.0))[..., None]
    elif kind == "dust":
        for _ in range(int(rng.integers(5, 40))):
            x, y = int(rng.integers(size[0])), int(rng.integers(size[1]))
            r = int(rng.integers(1, 3))
            arr[max(0, y - r):y + r, max(0, x - r):x + r] *= float(rng.uniform(0.3, 0.7))
    elif kind == "holes":
        level = float(rng.uniform(60, 200))
        count = int(rng.choice((2, 4)))
        ys = [size[1] / 2 + d * mm for d in ((-40, 40) if count == 2 else (-120, -40, 40, 120))]
        for y in ys:
            cv2.circle(arr, (round(12 * mm), round(y)), round(3 * mm), (level, level, level), -1)
    elif kind == "fold":
        y = round(size[1] * float(rng.uniform(0.3, 0.7)))
        arr[y:y + max(1, round(0.3 * mm))] *= 0.9
    image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    how = "photo" if rng.random() < 0.1 else "scan"
    shot = _shoot(image, dpi, rng, how, int(rng.choice((150, 200, 300))), allow_bitonal=False)
    return [Page(shot, _expected(None, None, "rejected", reason="BLANK_PAGE"),
                 {"blank": kind, "written": False}, None)]


def _make_faint(job, info, rng, spec) -> list[Page]:
    """Written pages that are hard to see: never blank, never routed (they name nobody)."""
    dpi = 300
    mm = dpi / 25.4
    size = (round(210 * mm), round(297 * mm))
    kind = str(rng.choice(("pencil", "thin_pen", "short_line", "signature", "black_band", "few_words")))
    sheet = Image.new("RGB", size, (255, 255, 255))
    pitch = 9 * mm
    box = (round(25 * mm), round(40 * mm), size[0] - round(20 * mm), size[1] - round(40 * mm))
    if kind == "pencil":
        sheet, _ = hand.write_real(sheet, box, pitch, hand.Pen.named("pencil", rng), rng,
                                   max_lines=int(rng.integers(2, 12)))
    elif kind == "thin_pen":
        light = next((p for p in fonts.hand_fonts() if "Light" in p.name), None)
        lines = [papers.short_line(job.lang, rng).text for _ in range(int(rng.integers(1, 4)))]
        sheet, _ = hand.write_neat(sheet, box, lines, pitch, hand.Pen.named("thin_grey", rng), rng,
                                   font_path=light)
    elif kind == "short_line":
        doc = papers.short_line(job.lang, rng)
        style = layout.choose_style(doc, rng)
        pen = layout.Pen(sheet, dpi, style)
        pen.text(doc.text, box[0], round(float(rng.uniform(30, 200)) * mm), box[2] - box[0],
                 float(rng.uniform(9, 12)))
    elif kind == "signature":
        sheet = hand.sign(sheet, (size[0] - round(90 * mm), size[1] - round(60 * mm),
                                  size[0] - round(30 * mm), size[1] - round(40 * mm)),
                          hand.Pen.named(str(rng.choice(("black", "blue"))), rng), rng)
    elif kind == "few_words":
        sheet, _ = hand.write_neat(sheet, box, [papers.short_line(job.lang, rng).text], pitch,
                                   hand.Pen.named("blue", rng), rng)
    else:   # a tenth of the page black (a copier's or scanner's band) and a few written lines
        arr = np.asarray(sheet, np.float32).copy()
        band = round(size[1] * float(rng.uniform(0.08, 0.12)))
        arr[:band] = float(rng.uniform(5, 30))
        sheet = Image.fromarray(arr.astype(np.uint8), "RGB")
        sheet, _ = hand.write_real(sheet, box, pitch, hand.Pen.named("black", rng), rng,
                                   max_lines=int(rng.integers(2, 6)))
    shot = _shoot(sheet, dpi, rng, "photo" if rng.random() < 0.15 else "scan",
                  int(rng.choice((150, 200, 300))), allow_bitonal=False)
    return [Page(shot, _review(), {"faint": kind, "written": True}, shot.turns * 90)]


MAKERS = {
    "plain_letter": _make_plain, "solidarity_letter": _make_solidarity,
    "solidarity_first_name": _make_first_name, "two_cases": _make_two_cases,
    "authority_only": _make_authority_only, "press_surname": _make_press,
    "address_place": _make_address, "handwritten_plain": _make_handwritten,
    "real_handwriting": _make_real_handwriting, "real_orientation": _make_real_orientation,
    "qr_kit_scan": lambda j, i, r, s: _make_qr(j, i, r, s, photo=False),
    "qr_kit_photo": lambda j, i, r, s: _make_qr(j, i, r, s, photo=True),
    "postcard_two_sided": _make_two_sided, "kit_mixup": _make_mixup, "blank_paper": _make_blank,
    "faint_writing": _make_faint,
}


