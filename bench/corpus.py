"""The labelled corpus of the recognition benchmark: its spec, its generation, its cache.

Every page is made from a fixed seed, and its truth comes from how it was made
(which document, which case, which rows were signed, which way it was fed),
never from running a recogniser. The corpus is written once to
`bench/output/corpus-<seed>-<spec hash>/` (files per category and
`labels.jsonl`, one JSON object per page) and reused while the spec, the
campaign file and the installed fonts stay the same.

    .venv/bin/python bench/corpus.py [--seed N] [--workers 2] [--force]

prints the folder (generating it first when needed); `bench/recognition.py`
calls `ensure_corpus` itself. Bump `CORPUS_VERSION` when a change to the
generator (or to the kits it draws) must invalidate corpora already made.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import io
import json
import multiprocessing
import os
import shutil
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np
from PIL import Image

from scanpipe.domain.campaign import Campaign, letter_destination, parse_campaign, postcard_destination
from scanpipe.domain.payload import PayloadKind
from scanpipe.paper import kits, render
from scanpipe.simulate import degrade, scansim, typed

CORPUS_VERSION = 4
CAMPAIGN_FILE = ROOT / "samples" / "campaign.toml"
OUTPUT = ROOT / "bench" / "output"
QR_CATEGORIES = ("qr_letter", "qr_postcard", "qr_petition")
CATEGORIES = (*QR_CATEGORIES, "typed_letter", "handwritten_letter", "blank", "foreign_qr",
              "kit_envelope")


@dataclass(frozen=True)
class CorpusSpec:
    """What the corpus holds; its digest names the cache folder."""

    seed: int = 2021
    counts: tuple[tuple[str, int], ...] = (
        ("qr_letter", 370), ("qr_postcard", 370), ("qr_petition", 220), ("typed_letter", 420),
        ("handwritten_letter", 200), ("blank", 100), ("foreign_qr", 160), ("kit_envelope", 160))
    duplex_backs: int = 15          # blank pages that are the back of a qr_letter (2-page file)
    dpis: tuple[int, ...] = (150, 200, 240, 300)
    dpi_weights: tuple[float, ...] = (0.25, 0.35, 0.15, 0.25)
    typed_dpis: tuple[int, ...] = (200, 240, 300)
    photo_share: float = 0.12       # QR pages photographed on a desk instead of scanned
    stain_share: float = 0.2
    stain_max: float = 0.18         # of the QR code's area
    skew_max_deg: float = 10.0
    languages: tuple[tuple[str, float], ...] = (("fr", 0.6), ("nl", 0.25), ("en", 0.15))
    version: int = CORPUS_VERSION

    def count(self, category: str) -> int:
        return dict(self.counts)[category]

    def digest(self, campaign_text: str) -> str:
        """Hash of the spec, the campaign file and the fonts the pages are drawn with."""
        fonts = [f.name for f in typed.typed_fonts()] + \
                [Path(p).name for p in scansim.handwriting_fonts()]
        blob = json.dumps({"spec": dataclasses.asdict(self), "campaign": campaign_text,
                           "fonts": fonts}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Job:
    """One file to make: a page (or a page and its blank back) of one category."""

    id: str
    category: str
    index: int
    seed: int
    case: str | None
    lang: str
    dpi: int
    photo: bool
    duplex: bool = False

    @property
    def order(self) -> tuple:
        """Sort key grouping jobs that render the same kit page (so caches hit)."""
        return (self.category, self.case or "", self.lang, self.dpi, self.index)


def corpus_dir(spec: CorpusSpec, campaign_text: str) -> Path:
    return OUTPUT / f"corpus-{spec.seed}-{spec.digest(campaign_text)}"


# ------------------------------------------------------------------ the plan

def _choice(rng: np.random.Generator, items, weights=None):
    if weights is None:
        return items[int(rng.integers(len(items)))]
    p = np.asarray(weights, dtype=float)
    return items[int(rng.choice(len(items), p=p / p.sum()))]


def plan(spec: CorpusSpec, campaign: Campaign) -> list[Job]:
    """Every job of the corpus, deterministic in `spec.seed`; cases spread evenly."""
    jobs: list[Job] = []
    codes = [c.code for c in campaign.cases]
    langs, lang_w = zip(*spec.languages)
    for cat_index, category in enumerate(CATEGORIES):
        rng = np.random.default_rng([spec.seed, 17, cat_index])
        n = spec.count(category)
        if category == "blank":
            n -= spec.duplex_backs
        offset = int(rng.integers(len(codes)))
        for i in range(n):
            case = codes[(i + offset) % len(codes)] if category in (
                *QR_CATEGORIES, "typed_letter", "handwritten_letter") else None
            photo = category in QR_CATEGORIES and rng.random() < spec.photo_share
            if category == "foreign_qr":
                photo = rng.random() < 0.08
            if category in ("typed_letter", "handwritten_letter"):
                dpi = int(_choice(rng, spec.typed_dpis, (0.45, 0.2, 0.35)))
            elif category in ("blank", "kit_envelope", "foreign_qr"):
                dpi = int(_choice(rng, (150, 200, 300), (0.2, 0.5, 0.3)))
            else:
                dpi = int(_choice(rng, spec.dpis, spec.dpi_weights))
            lang = "fr" if category in ("blank", "foreign_qr") else str(_choice(rng, langs, lang_w))
            duplex = category == "qr_letter" and not photo and \
                sum(j.duplex for j in jobs) < spec.duplex_backs and i % 7 == 3
            jobs.append(Job(f"{category}-{i + 1:04d}", category, i,
                            spec.seed * 1_000_000 + cat_index * 10_000 + i, case, lang, dpi,
                            photo, duplex))
    missing = spec.duplex_backs - sum(j.duplex for j in jobs)
    if missing:
        raise ValueError(f"the plan holds {missing} duplex backs too few: raise qr_letter")
    return jobs


# ------------------------------------------------------------------ rendering, per worker

_CAMPAIGN: Campaign | None = None


def _init_worker(campaign_text: str) -> None:
    global _CAMPAIGN
    import cv2

    cv2.setNumThreads(1)  # one thread per process: two processes share two cores without fighting
    _CAMPAIGN = parse_campaign(campaign_text)


def _campaign() -> Campaign:
    assert _CAMPAIGN is not None, "call _init_worker first"
    return _CAMPAIGN


@functools.cache
def _kit_pdf(doc: str, case: str, lang: str) -> bytes:
    campaign = _campaign()
    c = campaign.case(case)
    render = {"letter": kits.render_letter_sheet, "postcard": kits.render_postcard,
              "petition": kits.render_petition}[doc]
    return render(campaign, c, lang)


@functools.lru_cache(maxsize=8)
def _kit_pages(doc: str, case: str, lang: str, dpi: int) -> tuple[Image.Image, ...]:
    return tuple(scansim.rasterise_pdf(_kit_pdf(doc, case, lang), dpi))


def _kit_page(doc: str, case: str, lang: str, dpi: int, page: int = 0) -> Image.Image:
    return _kit_pages(doc, case, lang, dpi)[page].copy()


def _qr_box(doc: str, case: str, dpi: int) -> tuple[int, int, int, int]:
    """The case QR symbol on the page in pixels (its quiet zone left out)."""
    campaign = _campaign()
    kind = {"letter": PayloadKind.LETTER, "postcard": PayloadKind.POSTCARD,
            "petition": PayloadKind.PETITION}[doc]
    text = kits.case_qr_text(campaign, campaign.case(case), kind)
    layout = {"letter": kits.LETTER_LAYOUT, "postcard": kits.POSTCARD_MESSAGE_LAYOUT,
              "petition": kits.petition_layout()}[doc]
    quiet = render.QUIET_ZONE_MODULES * layout.qr_module_mm
    return layout.qr_box(text).inset(quiet).px(dpi)


def _hand_font(rng: np.random.Generator) -> str | None:
    fonts = scansim.handwriting_fonts()
    return fonts[int(rng.integers(len(fonts)))] if fonts else None


def _font_name(path: str | None) -> str:
    return Path(path).name if path else "procedural"


_SCAN_PROFILES = {
    # turns, |skew| buckets, jpeg range, P(noise), P(blur), P(contrast), P(grey), P(png/tiff/pdf)
    "qr": dict(jpeg=(30, 95), noise=0.25, blur=0.2, contrast=0.2, grey=0.3, fmt=0.04),
    "mild": dict(jpeg=(50, 92), noise=0.15, blur=0.1, contrast=0.1, grey=0.4, fmt=0.05),
}


def _skew_for(rng: np.random.Generator, profile: str, max_deg: float) -> float:
    sign = -1.0 if rng.random() < 0.5 else 1.0
    if profile == "mild":
        return float(rng.uniform(-2.5, 2.5))
    r = rng.random()
    if r < 0.4:
        return float(rng.uniform(-2.0, 2.0))
    if r < 0.75:
        return sign * float(rng.uniform(2.0, 5.0))
    return sign * float(rng.uniform(5.0, max_deg))


@dataclass
class Made:
    """A finished page before encoding and the degradations it went through."""

    image: Image.Image
    dpi: int | None
    turns: int
    degradations: list[dict]
    fmt: str = "jpeg"
    quality: int = 80


def _scan(page: Image.Image, rng: np.random.Generator, job: Job, profile: str,
          spec: CorpusSpec, *, stain_target=None, turns: int | None = None,
          render_dpi: int | None = None) -> Made:
    """Scanner (or phone) effects on a written page, as drawn for `profile`.

    `page` is drawn at `job.dpi`, or at `render_dpi` for a photographed page.
    """
    p = _SCAN_PROFILES[profile]
    turns = int(rng.integers(4)) if turns is None else turns
    log: list[dict] = [degrade.applied("quarter_turn", turns=turns).to_json()]
    if stain_target is not None and rng.random() < spec.stain_share:
        fraction = float(rng.uniform(0.03, spec.stain_max))
        page, st = degrade.stain(page, rng, stain_target, fraction)
        log.append(degrade.applied("stain", fraction=st.fraction, target="qr_symbol",
                                   alpha=st.alpha).to_json())
    if job.photo:
        turned = degrade.quarter_turn(page, turns)
        long_side = int(rng.integers(2400, 3201))
        image, photo = degrade.phone_photo(turned, rng, long_side=long_side)
        log.append(photo.to_applied().to_json())
        log[-1]["render_dpi"] = render_dpi or job.dpi
        quality = int(rng.integers(70, 93))
        log.append(degrade.applied("jpeg", quality=quality).to_json())
        return Made(image, None, turns, log, "jpeg", quality)

    log.append(degrade.applied("dpi", dpi=job.dpi).to_json())
    image = scansim.scan_image(page, seed=job.seed, dpi=job.dpi, max_rotation_deg=0.0,
                               quarter_turns=turns)
    if rng.random() < p["contrast"]:
        contrast = float(rng.uniform(0.35, 0.7) if profile == "qr" else rng.uniform(0.6, 0.85))
        level = float(rng.uniform(150, 215))
        image = degrade.low_contrast(image, contrast, level)
        log.append(degrade.applied("low_contrast", contrast=contrast, level=level).to_json())
    angle = _skew_for(rng, profile, spec.skew_max_deg)
    image = degrade.skew(image, angle)
    log.append(degrade.applied("skew", degrees=angle).to_json())
    if rng.random() < p["blur"]:
        sigma_mm = float(rng.uniform(0.06, 0.16) if profile == "qr" else rng.uniform(0.04, 0.08))
        sigma = sigma_mm * job.dpi / 25.4
        image = degrade.blur(image, sigma)
        log.append(degrade.applied("blur", sigma_px=sigma, sigma_mm=sigma_mm).to_json())
    if rng.random() < p["noise"]:
        sigma = float(rng.uniform(4, 12) if profile == "qr" else rng.uniform(3, 6))
        image = degrade.gaussian_noise(image, rng, sigma)
        log.append(degrade.applied("noise", sigma=sigma).to_json())
    if rng.random() < p["grey"]:
        image = image.convert("L")
        log.append(degrade.applied("grayscale").to_json())
    r = rng.random()
    fmt = "png" if r < p["fmt"] else "tiff" if r < 2 * p["fmt"] else "pdf" if r < 3 * p["fmt"] \
        else "jpeg"
    if job.duplex:
        fmt = "tiff" if rng.random() < 0.5 else "pdf"
    quality = int(rng.integers(*p["jpeg"])) if fmt in ("jpeg", "pdf") else 0
    if fmt == "jpeg":
        log.append(degrade.applied("jpeg", quality=quality).to_json())
    else:
        log.append(degrade.applied("format", format=fmt, quality=quality).to_json())
    return Made(image, job.dpi, turns, log, fmt, quality)


def _encode(pages: list[Made]) -> tuple[bytes, str]:
    first = pages[0]
    match first.fmt:
        case "jpeg":
            return degrade.encode_jpeg(first.image, first.quality, first.dpi), "jpg"
        case "png":
            return degrade.encode_png(first.image, first.dpi), "png"
        case "tiff":
            return degrade.encode_tiff([m.image for m in pages], first.dpi), "tif"
        case "pdf":
            return degrade.encode_pdf([m.image for m in pages], first.dpi, first.quality), "pdf"
    raise ValueError(first.fmt)


def _expected(kind, case, status, *, destination=None, kit=None, signatures=None,
              reason=None, acceptable=None) -> dict:
    return {"kind": kind, "case": case, "status": status, "destination": destination,
            "kit_serial": kit, "signatures": signatures, "reason": reason,
            "acceptable": acceptable or [status]}


_POSTCARD_WORDS = {
    "fr": "{first}, nous pensons à vous depuis la Belgique. Gardez courage, vous n'êtes pas "
          "seul·e. Des milliers de personnes vous soutiennent.",
    "en": "{first}, we are thinking of you from Belgium. Stay strong, you are not alone. "
          "Thousands of people stand with you.",
    "nl": "{first}, we denken aan je vanuit België. Hou moed, je staat er niet alleen voor. "
          "Duizenden mensen steunen je.",
}


def _writer(rng: np.random.Generator) -> str:
    return f"{_choice(rng, typed.FIRST_NAMES)} {_choice(rng, typed.SURNAMES)}"


def _make_qr(job: Job, rng: np.random.Generator, spec: CorpusSpec) -> tuple[list[Made], dict, dict]:
    campaign = _campaign()
    case = campaign.case(job.case)
    doc = {"qr_letter": "letter", "qr_postcard": "postcard", "qr_petition": "petition"}[
        job.category]
    dpi = 300 if job.photo and doc == "postcard" else 240 if job.photo else job.dpi
    page = _kit_page(doc, job.case, job.lang, dpi, 1 if doc == "postcard" else 0)
    font = _hand_font(rng)
    content: dict = {"doc": doc, "lang": job.lang, "handwriting_font": _font_name(font)}
    signatures = None
    if doc == "letter":
        layout = kits.LETTER_LAYOUT
        if case.letter and rng.random() < 0.6:
            lines = [case.letter, _writer(rng)]
        else:
            letter = typed.compose_letter(case, typed.Mention.FULL_NAME, job.lang, rng)
            lines = [letter.salutation, *letter.paragraphs, letter.closing, letter.signer]
        page = scansim.write_by_hand(page, seed=job.seed, dpi=dpi,
                                     writing_box_px=layout.writing_box.px(dpi),
                                     handwriting_lines=lines,
                                     line_pitch_px=layout.line_pitch_mm * dpi / 25.4,
                                     handwriting_font=font)
    elif doc == "postcard":
        layout = kits.POSTCARD_MESSAGE_LAYOUT
        first = typed.name_words(case.person)[0]
        page = scansim.write_by_hand(page, seed=job.seed, dpi=dpi,
                                     writing_box_px=layout.writing_box.px(dpi),
                                     handwriting_lines=[_POSTCARD_WORDS[job.lang].format(first=first),
                                                        _writer(rng)],
                                     line_pitch_px=layout.line_pitch_mm * dpi / 25.4,
                                     handwriting_font=font)
    else:
        rows = kits.petition_rows()
        signed = int(rng.integers(0, len(rows) + 1))
        chosen = sorted(int(i) for i in rng.choice(len(rows), size=signed, replace=False))
        fields, boxes = [], []
        for i in chosen:
            row = rows[i]
            name = _writer(rng)
            contact = (_choice(rng, typed.TOWNS)[1] if rng.random() < 0.6 else
                       f"{name.split()[0].lower()}@example.be")
            fields += [(row.name.px(dpi), name), (row.contact.px(dpi), contact)]
            boxes.append(row.signature.px(dpi))
        if fields:
            page = scansim.write_by_hand(page, seed=job.seed, dpi=dpi, fields=fields,
                                         signature_boxes_px=boxes, handwriting_font=font)
        signatures = signed
        content["signed_rows"] = [i + 1 for i in chosen]
    made = _scan(page, rng, job, "qr", spec, stain_target=_qr_box(doc, job.case, dpi),
                 render_dpi=dpi)
    kind = {"letter": "letter", "postcard": "postcard", "petition": "petition"}[doc]
    destination = postcard_destination(case) if kind == "postcard" else letter_destination(case)
    expected = _expected(kind, case.code, "routed", destination=destination,
                         signatures=signatures)
    return [made], expected, content


def _blank_page(rng: np.random.Generator, dpi: int, a4_only: bool) -> tuple[Image.Image, dict]:
    """A blank sheet: white, grey recycled paper, or showing the other side through."""
    kind = _choice(rng, ("white", "grey_paper", "show_through"), (0.3, 0.3, 0.4))
    size = (210.0, 297.0) if a4_only or rng.random() < 0.8 else \
        _choice(rng, ((148.0, 210.0), (148.0, 105.0)))
    w, h = round(size[0] * dpi / 25.4), round(size[1] * dpi / 25.4)
    page = Image.new("RGB", (w, h), (255, 255, 255))
    content = {"blank": kind, "size_mm": list(size)}
    if kind == "grey_paper":
        grey = float(rng.uniform(0.8, 0.93))
        page = degrade.paper_tone(page, rng, grey, fibre=float(rng.uniform(2, 6)))
        content["grey"] = round(grey, 3)
    elif kind == "show_through":
        # The other side: a typed letter (its words are not read through the paper).
        case = _choice(rng, _campaign().cases)
        letter = typed.compose_letter(case, typed.Mention.FULL_NAME, "fr", rng)
        front = typed.render_letter(letter, style=_choice(rng, tuple(typed.LetterStyle)),
                                    family=_choice(rng, typed.typed_fonts()), size_pt=11,
                                    dpi=dpi).image
        strength = float(rng.uniform(0.06, 0.16))
        page = degrade.show_through(page, front.resize((w, h)), strength,
                                    sigma_px=0.8 * dpi / 200)
        content["show_through"] = round(strength, 3)
    return page, content


def _make_typed(job: Job, rng: np.random.Generator, spec: CorpusSpec):
    case = _campaign().case(job.case)
    mention = list(typed.Mention)[job.index % len(typed.Mention)]
    letter = typed.compose_letter(case, mention, job.lang, rng)
    family = _choice(rng, typed.typed_fonts())
    style = _choice(rng, tuple(typed.LetterStyle))
    size = float(_choice(rng, (10.0, 10.5, 11.0, 11.5, 12.0)))
    page = typed.render_letter(letter, style=style, family=family, size_pt=size, dpi=job.dpi,
                               margin_mm=float(rng.uniform(18, 28)),
                               leading=float(rng.uniform(1.2, 1.5)))
    font = _hand_font(rng)
    image = scansim.write_by_hand(page.image, seed=job.seed, dpi=job.dpi,
                                  signature_boxes_px=[page.signature_box_px],
                                  handwriting_font=font)
    made = _scan(image, rng, job, "mild", spec)
    content = {"lang": job.lang, "mention": mention.value, "named_as": letter.named_as,
               "style": style.value, "font": family.name, "size_pt": page.size_pt,
               "subject": letter.subject is not None}
    return [made], _named_or_review(case, mention), content


def _named_or_review(case, mention: typed.Mention) -> dict:
    """A letter names its case only by the person's full name here (the other mentions — a
    surname, a keyword, the authority and country — are support, not a name: review)."""
    # A group's "surname" may be one of its persons in full ("Vira Tchernyhina"): that names it.
    persons = {" ".join(typed.name_words(part)).casefold()
               for part in case.person.replace(" and ", " et ").split(" et ")}
    named = typed.mention_text(case, mention, np.random.default_rng(0)).casefold()
    if mention is typed.Mention.FULL_NAME or (mention is typed.Mention.SURNAME and named in persons):
        return _expected("letter", case.code, "routed", destination=letter_destination(case),
                         acceptable=["routed", "review"])
    return _expected("letter", None, "review")


def use_campaign(campaign_text: str) -> None:
    """Draw pages in this process, for the campaign given (`generate` does it in its workers)."""
    _init_worker(campaign_text)


def typed_letter(job: Job, spec: CorpusSpec) -> tuple[Made, dict]:
    """A `typed_letter` job drawn as the corpus draws it, not yet encoded: (page, expected)."""
    rng = np.random.default_rng([spec.seed, job.seed])
    [made], expected, _ = _make_typed(job, rng, spec)
    return made, expected


def _make_handwritten(job: Job, rng: np.random.Generator, spec: CorpusSpec):
    case = _campaign().case(job.case)
    mention = list(typed.Mention)[job.index % len(typed.Mention)]
    letter = typed.compose_letter(case, mention, job.lang, rng)
    paper = _choice(rng, tuple(typed.Paper))
    pitch = float(rng.uniform(8.0, 11.0))
    sheet = typed.stationery(paper, job.dpi, pitch)
    mm = job.dpi / 25.4
    box = (round(22 * mm), round(20 * mm), sheet.width - round(15 * mm),
           sheet.height - round(15 * mm))
    font = _hand_font(rng)
    with_addressee = rng.random() < 0.5
    page = scansim.write_by_hand(sheet, seed=job.seed, dpi=job.dpi, writing_box_px=box,
                                 handwriting_lines=typed.handwritten_paragraphs(letter,
                                                                                with_addressee),
                                 line_pitch_px=pitch * mm, handwriting_font=font)
    made = _scan(page, rng, job, "mild", spec)
    content = {"lang": job.lang, "mention": mention.value, "named_as": letter.named_as,
               "paper": paper.value, "handwriting_font": _font_name(font),
               "addressee_line": with_addressee}
    return [made], _named_or_review(case, mention), content


def _make_blank(job: Job, rng: np.random.Generator, spec: CorpusSpec):
    page, content = _blank_page(rng, job.dpi, a4_only=False)
    made = _scan(page, rng, job, "mild", spec)
    return [made], _expected(None, None, "rejected", reason="BLANK_PAGE"), content


_FOREIGN_KINDS = ("postcard_picture", *[k.value for k in typed.ForeignKind])


def _make_foreign(job: Job, rng: np.random.Generator, spec: CorpusSpec):
    kind = _FOREIGN_KINDS[job.index % len(_FOREIGN_KINDS)]
    dpi = 240 if job.photo else job.dpi
    if kind == "postcard_picture":
        code = _choice(rng, _campaign().cases).code
        page = _kit_page("postcard", code, "fr", dpi, 0)
        content = {"foreign": kind, "codes": [["QRCode", kits.FOREIGN_URL]], "postcard_of": code}
        made = _scan(page, rng, job, "mild", spec, render_dpi=dpi)
        # Our own card's picture side: the back of a card, not a piece (nor a review item).
        return [made], _expected("postcard", None, "rejected", reason="POSTCARD_PICTURE_SIDE"), content
    else:
        plain = rng.random() < 0.3
        fp = typed.foreign_page(typed.ForeignKind(kind), rng, dpi, plain=plain)
        page = fp.image
        content = {"foreign": kind, "plain": plain, "codes": [list(c) for c in fp.codes]}
    made = _scan(page, rng, job, "mild", spec, render_dpi=dpi)
    return [made], _expected(None, None, "review"), content


def _make_envelope(job: Job, rng: np.random.Generator, spec: CorpusSpec):
    serial = int(rng.integers(1, 3001))
    labels = kits.render_envelope_labels(_campaign(), serial, 1)
    data = scansim.simulate_envelope(labels, 0, seed=job.seed, dpi=job.dpi)
    envelope = Image.open(io.BytesIO(data)).convert("RGB")
    turns = int(rng.integers(4))
    log = [degrade.applied("quarter_turn", turns=turns).to_json(),
           degrade.applied("dpi", dpi=job.dpi).to_json()]
    image = degrade.quarter_turn(envelope, turns)
    angle = float(rng.uniform(-4, 4))
    image = degrade.skew(image, angle)
    log.append(degrade.applied("skew", degrees=angle).to_json())
    quality = int(rng.integers(50, 93))
    log.append(degrade.applied("jpeg", quality=quality).to_json())
    made = Made(image, job.dpi, turns, log, "jpeg", quality)
    expected = _expected("kit_envelope", None, "routed", kit=serial)
    return [made], expected, {"serial": serial}


_MAKERS = {"qr_letter": _make_qr, "qr_postcard": _make_qr, "qr_petition": _make_qr,
           "typed_letter": _make_typed, "handwritten_letter": _make_handwritten,
           "blank": _make_blank, "foreign_qr": _make_foreign, "kit_envelope": _make_envelope}


def make_job(job: Job, spec: CorpusSpec) -> tuple[str, bytes, list[dict]]:
    """Render one job: (relative file path, file bytes, one label per page)."""
    rng = np.random.default_rng([spec.seed, job.seed])
    pages, expected, content = _MAKERS[job.category](job, rng, spec)
    labels = [(job.id, job.category, expected, content, pages[0])]
    if job.duplex:
        back_rng = np.random.default_rng([spec.seed, job.seed, 2])
        written = pages[0]
        back, back_content = _blank_page(back_rng, job.dpi, a4_only=True)
        back_job = dataclasses.replace(job, duplex=False)
        back_made = _scan(back, back_rng, back_job, "mild", spec, turns=0)
        back_made.fmt, back_made.quality = written.fmt, written.quality
        back_made.degradations[-1] = dict(written.degradations[-1])
        pages.append(back_made)
        labels.append((f"blank-back-{job.id}", "blank",
                       _expected(None, None, "rejected", reason="BLANK_PAGE"),
                       {**back_content, "back_of": job.id}, back_made))
    data, ext = _encode(pages)
    tag = job.case or content.get("foreign") or content.get("blank") or \
        (f"kit{content['serial']}" if "serial" in content else "page")
    suffix = "-photo" if job.photo else "" if job.category == "blank" else \
        f"-r{pages[0].turns * 90}"
    rel = f"{job.category}/{job.id}-{tag}{suffix}{'-duplex' if job.duplex else ''}.{ext}"
    out = []
    for number, (pid, category, exp, cont, made) in enumerate(labels, start=1):
        orientation = None if category == "blank" else made.turns * 90
        out.append({"id": pid, "category": category, "file": rel, "page": number,
                    "expected": exp, "orientation": orientation, "dpi": made.dpi,
                    "content": cont, "degradations": made.degradations})
    return rel, data, out


def _work(args: tuple[Job, CorpusSpec]) -> tuple[str, bytes, list[dict], float]:
    job, spec = args
    start = time.perf_counter()
    rel, data, labels = make_job(job, spec)
    return rel, data, labels, time.perf_counter() - start


# ------------------------------------------------------------------ the cache folder

def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _progress(done: int, total: int, start: float) -> None:
    elapsed = time.monotonic() - start
    left = elapsed / done * (total - done) if done else 0
    print(f"\rcorpus: {done}/{total} files ({done * 100 // total}%), "
          f"{elapsed:.0f} s elapsed, ~{left:.0f} s left  ", end="", file=sys.stderr, flush=True)


def fill_folder(folder: Path, made: Iterable[tuple[str, bytes, list[dict], float]], total: int,
                categories: Sequence[str]) -> tuple[list[dict], float]:
    """Write each (file, bytes, labels, cpu seconds) made into `folder`, showing progress; the labels in
    category then id order, and the CPU seconds spent making them."""
    labels: list[dict] = []
    cpu = 0.0
    start = time.monotonic()
    for done, (rel, data, page_labels, seconds) in enumerate(made, start=1):
        write_atomic(folder / rel, data)
        labels.extend(page_labels)
        cpu += seconds
        if done % 10 == 0 or done == total:
            _progress(done, total, start)
    print(file=sys.stderr)
    labels.sort(key=lambda r: (categories.index(r["category"]), r["id"]))
    return labels, cpu


def write_index(folder: Path, manifest: dict, labels: list[dict]) -> None:
    """`manifest.json`, then `labels.jsonl`: the file whose presence says the folder is complete."""
    write_atomic(folder / "manifest.json", json.dumps(manifest, indent=2).encode())
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in labels)
    write_atomic(folder / "labels.jsonl", body.encode())


def generate(spec: CorpusSpec, campaign_text: str, folder: Path, workers: int = 2) -> dict:
    """Make every file of the corpus into `folder` and write `labels.jsonl` last."""
    campaign = parse_campaign(campaign_text)
    jobs = sorted(plan(spec, campaign), key=lambda j: j.order)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    start = time.monotonic()
    with multiprocessing.get_context("fork").Pool(workers, _init_worker, (campaign_text,)) as pool:
        made = pool.imap_unordered(_work, [(j, spec) for j in jobs], chunksize=4)
        labels, cpu = fill_folder(folder, made, len(jobs), CATEGORIES)
    elapsed = time.monotonic() - start
    manifest = {"spec": dataclasses.asdict(spec), "files": len(jobs), "pages": len(labels),
                "per_category": {c: sum(r["category"] == c for r in labels) for c in CATEGORIES},
                "generation_seconds": round(elapsed, 1), "cpu_seconds": round(cpu, 1),
                "workers": workers}
    write_index(folder, manifest, labels)
    return manifest


def ensure_corpus(spec: CorpusSpec | None = None, *, workers: int = 2,
                  force: bool = False) -> Path:
    """The corpus folder for `spec`, generated first unless a complete one is there."""
    spec = spec or CorpusSpec()
    campaign_text = CAMPAIGN_FILE.read_text(encoding="utf-8")
    folder = corpus_dir(spec, campaign_text)
    if force or not (folder / "labels.jsonl").is_file():
        print(f"generating the corpus into {folder.relative_to(ROOT)} ({workers} processes)",
              file=sys.stderr)
        manifest = generate(spec, campaign_text, folder, workers)
        print(f"corpus: {manifest['pages']} pages in {manifest['files']} files, "
              f"{manifest['generation_seconds']} s", file=sys.stderr)
    return folder


def load_labels(folder: Path) -> list[dict]:
    with open(folder / "labels.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=CorpusSpec.seed)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--force", action="store_true", help="regenerate even when cached")
    args = parser.parse_args()
    folder = ensure_corpus(CorpusSpec(seed=args.seed), workers=args.workers, force=args.force)
    print(folder)


if __name__ == "__main__":
    main()
