"""Pages that are not kit documents, as images: typed letters, handwritten letters' paper,
pages carrying someone else's codes, blank sheets.

Supporters also send letters typed on their own computer, without any QR code,
naming the case their own way: the person's full name, only the surname, a
place or word tied to the case, or just the authority and the country. Other
paper turns up in the envelopes too: flyers and invoices with web-address QR
codes, business cards with vCards, Wi-Fi notes, product barcodes. This module
composes and draws such pages deterministically from a numpy `Generator`, in
the typed fonts installed (DejaVu always; Liberation and FreeFont when present).
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, TypedDict, TypeVar

import numpy as np
import segno
import segno.helpers
from PIL import Image, ImageDraw, ImageFont

from scanpipe.domain.campaign import Case
from scanpipe.simulate import scansim

PxBox = tuple[int, int, int, int]
_T = TypeVar("_T")


@dataclass(frozen=True)
class TypedFont:
    """A family of typed fonts: its name and the regular and bold files."""

    name: str
    regular: str
    bold: str


# In the order seeds pick them; only the installed ones are used.
FONT_FAMILIES = (
    ("DejaVu Serif", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    ("DejaVu Sans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("DejaVu Sans Mono", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
    ("DejaVu Serif Condensed", "DejaVuSerifCondensed.ttf", "DejaVuSerifCondensed-Bold.ttf"),
    ("DejaVu Sans Condensed", "DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    ("Liberation Serif", "LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
    ("Liberation Sans", "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    ("Liberation Mono", "LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf"),
    ("FreeSerif", "FreeSerif.ttf", "FreeSerifBold.ttf"),
    ("FreeSans", "FreeSans.ttf", "FreeSansBold.ttf"),
    ("FreeMono", "FreeMono.ttf", "FreeMonoBold.ttf"),
)


@functools.cache
def typed_fonts() -> tuple[TypedFont, ...]:
    """The installed typed font families, in `FONT_FAMILIES` order; raises when none is."""
    found = scansim.font_files({f for _, regular, bold in FONT_FAMILIES for f in (regular, bold)})
    families = tuple(TypedFont(name, found[regular], found[bold])
                     for name, regular, bold in FONT_FAMILIES
                     if regular in found and bold in found)
    if not families:
        raise RuntimeError("no typed font found: install fonts-dejavu-core")
    return families


@functools.lru_cache(maxsize=64)
def _font(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size_px)


# ------------------------------------------------------------------ what a letter says

class Mention(StrEnum):
    """How a letter names its case."""

    FULL_NAME = "full_name"
    SURNAME = "surname"
    KEYWORD = "keyword"
    AUTHORITY_COUNTRY = "authority_country"


class LetterStyle(StrEnum):
    """Where the blocks of a typed letter go."""

    CLASSIC = "classic"          # sender top left, addressee in the right half, date right
    BLOCK = "block"              # everything flush left
    LETTERHEAD = "letterhead"    # sender centred as a header over a rule
    FOOTER = "footer"            # no sender at the top; sender details under the signature


FIRST_NAMES = ("Marie", "Jan", "Sophie", "Claire", "Luc", "Nadia", "Thomas", "Julie", "Pieter",
               "Élise", "Hugo", "Lotte", "Camille", "Bart", "Inès", "Karim", "Sarah", "Wim",
               "Louise", "Mathieu")
SURNAMES = ("Dupont", "Peeters", "Lambert", "Dubois", "Janssens", "Lemaire", "Maes", "Jacobs",
            "Mertens", "Willems", "Claes", "Goossens", "Wouters", "Laurent", "Leroy", "Dumont",
            "Renard", "Vermeulen", "Delvaux", "Hermans")
TOWNS = (("5000", "Namur"), ("4000", "Liège"), ("6000", "Charleroi"), ("7000", "Mons"),
         ("1348", "Louvain-la-Neuve"), ("1000", "Bruxelles"), ("6700", "Arlon"), ("9000", "Gent"),
         ("3000", "Leuven"), ("2000", "Antwerpen"), ("8000", "Brugge"), ("1300", "Wavre"),
         ("7500", "Tournai"), ("3500", "Hasselt"))
STREETS = ("Rue de la Station", "Avenue des Tilleuls", "Rue du Moulin", "Chaussée de Louvain",
           "Kerkstraat", "Stationsstraat", "Rue Haute", "Place du Marché", "Dorpsstraat",
           "Rue des Écoles")
_MONTH = {"fr": "décembre", "en": "December", "nl": "december"}


class _Words(TypedDict):
    """A language's words of a letter: choices (tuples) and fixed phrases ({x}: the case)."""

    named: tuple[str, ...]
    keyword: tuple[str, ...]
    country: tuple[str, ...]
    middle: tuple[str, ...]
    demand_named: str
    demand: str
    thanks: str
    closing: str
    salutation: str
    excellency: str
    president: str
    subject: str
    subject_plain: str
    date: str
    to: str


_Opening = Literal["named", "keyword", "country"]
_Salutation = Literal["salutation", "excellency", "president"]
_WORDS: dict[str, _Words] = {
    "fr": {
        "named": ("Je vous écris pour vous faire part de ma profonde inquiétude au sujet de {x}.",
                  "Par la présente, je souhaite attirer votre attention sur la situation de {x}.",
                  "C'est avec une grande inquiétude que j'ai appris ce qui arrive à {x}."),
        "keyword": ("Je vous écris au sujet de l'affaire liée à {x}, qui me préoccupe profondément.",
                    "Par la présente, je souhaite attirer votre attention sur ce qui se passe "
                    "en lien avec {x}."),
        "country": ("Je vous écris au sujet d'une personne qui défend pacifiquement les droits "
                    "humains ({x}) et qui en paie aujourd'hui le prix.",
                    "Par la présente, je souhaite attirer votre attention sur le sort d'une "
                    "personne privée de ses droits ({x})."),
        "middle": ("Les autorités ont le devoir de protéger celles et ceux qui défendent "
                   "pacifiquement les droits humains.",
                   "Personne ne devrait être inquiété pour avoir exprimé pacifiquement ses opinions.",
                   "Des milliers de personnes suivent cette affaire avec attention.",
                   "Le respect des droits fondamentaux n'est pas une faveur, c'est une obligation.",
                   "Je suis convaincue que vous avez le pouvoir de mettre fin à cette injustice.",
                   "Chaque jour qui passe aggrave une situation déjà insupportable."),
        "demand_named": "Je vous demande instamment de veiller à ce que les droits de {x} soient "
                        "pleinement respectés, sans délai.",
        "demand": "Je vous demande instamment de veiller à ce que les droits de cette personne "
                  "soient pleinement respectés, sans délai.",
        "thanks": "Je vous remercie de l'attention que vous porterez à cette lettre.",
        "closing": "Veuillez agréer, {salutation} l'expression de ma haute considération.",
        "salutation": "Madame, Monsieur,", "excellency": "Excellence,",
        "president": "Monsieur le Président,", "subject": "Objet : {x}",
        "subject_plain": "Objet : demande d'intervention", "date": "{town}, le {day} {month} 2021",
        "to": "À l'attention de",
    },
    "en": {
        "named": ("I am writing to express my deep concern about {x}.",
                  "I wish to draw your attention to the situation of {x}.",
                  "It is with great concern that I learned what is happening to {x}."),
        "keyword": ("I am writing about the case connected with {x}, which worries me deeply.",
                    "I wish to draw your attention to what is happening in connection with {x}."),
        "country": ("I am writing about a person who peacefully defends human rights ({x}) and "
                    "is now paying the price for it.",
                    "I wish to draw your attention to the fate of a person deprived of their "
                    "rights ({x})."),
        "middle": ("The authorities have a duty to protect those who peacefully defend human rights.",
                   "Nobody should be harassed for peacefully expressing their opinions.",
                   "Thousands of people are following this case closely.",
                   "Respect for fundamental rights is not a favour; it is an obligation.",
                   "I am convinced that you have the power to end this injustice.",
                   "Every day that passes makes an unbearable situation worse."),
        "demand_named": "I urge you to ensure that the rights of {x} are fully respected, "
                        "without delay.",
        "demand": "I urge you to ensure that the rights of this person are fully respected, "
                  "without delay.",
        "thanks": "Thank you for your attention to this letter.",
        "closing": "Yours faithfully,",
        "salutation": "Dear Sir or Madam,", "excellency": "Your Excellency,",
        "president": "Dear Mr President,", "subject": "Re: {x}",
        "subject_plain": "Re: request for action", "date": "{town}, {day} {month} 2021",
        "to": "For the attention of",
    },
    "nl": {
        "named": ("Ik schrijf u om mijn grote bezorgdheid te uiten over {x}.",
                  "Met deze brief wil ik uw aandacht vestigen op de situatie van {x}.",
                  "Met grote bezorgdheid heb ik vernomen wat er met {x} gebeurt."),
        "keyword": ("Ik schrijf u over de zaak rond {x}, die mij diep verontrust.",
                    "Met deze brief wil ik uw aandacht vestigen op wat er gebeurt rond {x}."),
        "country": ("Ik schrijf u over iemand die vreedzaam de mensenrechten verdedigt ({x}) en "
                    "daar nu de prijs voor betaalt.",
                    "Met deze brief wil ik uw aandacht vestigen op het lot van iemand die van "
                    "zijn rechten beroofd is ({x})."),
        "middle": ("De overheid heeft de plicht wie vreedzaam de mensenrechten verdedigt te "
                   "beschermen.",
                   "Niemand zou lastiggevallen mogen worden omdat hij vreedzaam zijn mening uit.",
                   "Duizenden mensen volgen deze zaak op de voet.",
                   "Respect voor de grondrechten is geen gunst maar een verplichting.",
                   "Ik ben ervan overtuigd dat u de macht hebt om dit onrecht te beëindigen.",
                   "Elke dag die voorbijgaat, maakt een ondraaglijke toestand erger."),
        "demand_named": "Ik vraag u met aandrang ervoor te zorgen dat de rechten van {x} "
                        "onverwijld volledig gerespecteerd worden.",
        "demand": "Ik vraag u met aandrang ervoor te zorgen dat de rechten van deze persoon "
                  "onverwijld volledig gerespecteerd worden.",
        "thanks": "Ik dank u voor de aandacht die u aan deze brief schenkt.",
        "closing": "Met de meeste hoogachting,",
        "salutation": "Geachte heer, mevrouw,", "excellency": "Excellentie,",
        "president": "Geachte heer President,", "subject": "Betreft: {x}",
        "subject_plain": "Betreft: verzoek om tussenkomst", "date": "{town}, {day} {month} 2021",
        "to": "Ter attentie van",
    },
}
LANGUAGES = tuple(_WORDS)


def name_words(person: str) -> list[str]:
    """The words of a person's name without parenthesised parts, quotes or connectors."""
    plain = re.sub(r"\([^)]*\)|[«»\"]", " ", person)
    return [w for w in plain.split() if w not in ("et", "and", "en")]


def surname(case: Case) -> str:
    """The surname as a letter writer would use it alone.

    A keyword of the case that ends the person's name (``Caal Xol``, ``Baker``)
    when there is one; otherwise the last word of the name.
    """
    words = name_words(case.person)
    tail = " ".join(words)
    ending = [k for k in case.keywords
              if k != case.person and tail.endswith(k) and len(k) < len(tail)]
    return max(ending, key=len) if ending else words[-1]


def case_keywords(case: Case) -> tuple[str, ...]:
    """Keywords of the case that name neither the person nor the country: places, groups.

    Keywords written in lower case (common words) are left out; when nothing
    remains, the country.
    """
    name = case.person.casefold()
    parts = [part.casefold() for part in name_words(case.person)]
    picked = tuple(k for k in case.keywords
                   if k[:1].isupper() and k.casefold() not in name
                   and not any(part in k.casefold() for part in parts)
                   and k.casefold() != case.country.casefold())
    return picked or (case.country,)


def mention_text(case: Case, mention: Mention, rng: np.random.Generator) -> str:
    """The words by which a letter names its case."""
    match mention:
        case Mention.FULL_NAME:
            return case.person
        case Mention.SURNAME:
            return surname(case)
        case Mention.KEYWORD:
            choices = case_keywords(case)
            return choices[int(rng.integers(len(choices)))]
        case Mention.AUTHORITY_COUNTRY:
            return case.country


def _address_lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.strip().splitlines() if line.strip())


@dataclass(frozen=True)
class LetterText:
    """The words of one letter, block by block."""

    lang: str
    mention: Mention
    named_as: str                      # the words naming the case in the body
    sender: tuple[str, ...]            # name, street, town
    date_line: str
    addressee: tuple[str, ...]         # the authority, then its address
    subject: str | None
    salutation: str
    paragraphs: tuple[str, ...]
    closing: str
    signer: str

    def all_text(self) -> str:
        """Every word of the letter (tests look for case words in it)."""
        return "\n".join((*self.sender, self.date_line, *self.addressee, self.subject or "",
                          self.salutation, *self.paragraphs, self.closing, self.signer))


def _pick(rng: np.random.Generator, items: Sequence[_T]) -> _T:
    return items[int(rng.integers(len(items)))]


def compose_letter(case: Case, mention: Mention, lang: str,
                   rng: np.random.Generator) -> LetterText:
    """A letter about `case` in `lang` (fr, en, nl) naming it the `mention` way."""
    if lang not in _WORDS:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(_WORDS)}")
    w = _WORDS[lang]
    named = mention_text(case, mention, rng)
    signer = f"{_pick(rng, FIRST_NAMES)} {_pick(rng, SURNAMES)}"
    postcode, town = _pick(rng, TOWNS)
    sender = (signer, f"{_pick(rng, STREETS)} {int(rng.integers(1, 180))}", f"{postcode} {town}")
    day = int(rng.integers(1, 32))
    date_line = w["date"].format(town=town, day=day, month=_MONTH[lang])
    by_name = mention in (Mention.FULL_NAME, Mention.SURNAME)
    openings: dict[Mention, _Opening] = {Mention.FULL_NAME: "named", Mention.SURNAME: "named",
                                         Mention.KEYWORD: "keyword",
                                         Mention.AUTHORITY_COUNTRY: "country"}
    opening = _pick(rng, w[openings[mention]]).format(x=named)
    middle = list(w["middle"])
    rng.shuffle(middle)
    body = [opening + " " + " ".join(middle[:int(rng.integers(1, 3))])]
    if rng.random() < 0.6:
        body.append(" ".join(middle[3:3 + int(rng.integers(1, 3))]))
    body.append(w["demand_named"].format(x=named) if by_name else w["demand"])
    if rng.random() < 0.5:
        body.append(w["thanks"])
    salutations: tuple[_Salutation, ...] = (("salutation", "excellency", "president")
                                            if case.authority.startswith("Président") else
                                            ("salutation", "excellency"))
    salutation = w[_pick(rng, salutations)]
    closing = w["closing"].format(salutation=salutation.rstrip(",") + ",")
    subject = None
    if rng.random() < 0.5:
        subject = w["subject"].format(x=named) if mention is not Mention.AUTHORITY_COUNTRY \
            else w["subject_plain"]
    return LetterText(lang, mention, named, sender, date_line,
                      (case.authority, *_address_lines(case.authority_address)), subject,
                      salutation, tuple(body), closing, signer)


def handwritten_paragraphs(letter: LetterText, with_addressee: bool) -> tuple[str, ...]:
    """The same letter as someone copies it out by hand: one paragraph per line group."""
    head: tuple[str, ...] = (letter.date_line,)
    if with_addressee:
        colon = " :" if letter.lang == "fr" else ":"
        head += (f"{_WORDS[letter.lang]['to']}{colon} {letter.addressee[0]}",)
    return (*head, letter.salutation, *letter.paragraphs, letter.closing, letter.signer)


# ------------------------------------------------------------------ drawing typed pages

@dataclass(frozen=True)
class TypedPage:
    """A drawn page and where a hand would sign on it (pixels; None: nowhere)."""

    image: Image.Image
    signature_box_px: PxBox | None
    font: str
    size_pt: float


def _px(mm_value: float, dpi: float) -> int:
    return round(mm_value * dpi / 25.4)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


class _Pen:
    """Writes lines of text top-down on a page image, in one font family and size."""

    def __init__(self, image: Image.Image, family: TypedFont, size_px: int, leading: float):
        self.draw = ImageDraw.Draw(image)
        self.regular = _font(family.regular, size_px)
        self.bold = _font(family.bold, size_px)
        self.step = round(size_px * leading)

    def lines(self, lines: Sequence[str], x: float, y: float, *, bold: bool = False, align: str = "left",
              right: float | None = None) -> float:
        font = self.bold if bold else self.regular
        for line in lines:
            if align == "right" and right is not None:
                self.draw.text((right - font.getlength(line), y), line, font=font, fill=(20, 20, 20))
            elif align == "centre" and right is not None:
                self.draw.text(((x + right - font.getlength(line)) / 2, y), line, font=font,
                               fill=(20, 20, 20))
            else:
                self.draw.text((x, y), line, font=font, fill=(20, 20, 20))
            y += self.step
        return y

    def paragraph(self, text: str, x: float, y: float, width: float) -> float:
        return self.lines(_wrap(text, self.regular, width), x, y)


def _draw_letter(letter: LetterText, style: LetterStyle, family: TypedFont, size_pt: float,
                 dpi: float, margin_mm: float, leading: float) -> tuple[Image.Image, PxBox, float]:
    w, h = _px(210, dpi), _px(297, dpi)
    image = Image.new("RGB", (w, h), (255, 255, 255))
    pen = _Pen(image, family, max(6, round(size_pt * dpi / 72)), leading)
    left, right = _px(margin_mm, dpi), w - _px(margin_mm, dpi)
    y = float(_px(margin_mm * 0.8, dpi))
    gap = pen.step
    if style is LetterStyle.LETTERHEAD:
        y = pen.lines([letter.sender[0]], left, y, bold=True, align="centre", right=right)
        y = pen.lines([", ".join(letter.sender[1:])], left, y, align="centre", right=right)
        ImageDraw.Draw(image).line((left, y + gap / 3, right, y + gap / 3), fill=(60, 60, 60),
                                   width=max(1, round(dpi / 150)))
        y += gap * 1.5
    elif style in (LetterStyle.CLASSIC, LetterStyle.BLOCK):
        y = pen.lines(letter.sender, left, y) + gap
    if style is LetterStyle.CLASSIC:
        y = max(y, _px(45, dpi))
        # The window-envelope position, moved left as far as the longest line needs.
        widest = max([pen.bold.getlength(letter.addressee[0])]
                     + [pen.regular.getlength(line) for line in letter.addressee[1:]])
        x = max(left, min(_px(110, dpi), right - widest))
        y = pen.lines(letter.addressee[:1], x, y, bold=True)
        y = pen.lines(letter.addressee[1:], x, y) + gap
        y = pen.lines([letter.date_line], left, y, align="right", right=right) + gap
    elif style is LetterStyle.BLOCK:
        y = pen.lines([letter.date_line], left, y) + gap
        y = pen.lines(letter.addressee[:1], left, y, bold=True)
        y = pen.lines(letter.addressee[1:], left, y) + gap
    else:
        if style is LetterStyle.FOOTER:
            y = pen.lines([letter.date_line], left, y, align="right", right=right) + gap
        y = pen.lines(letter.addressee[:1], left, y, bold=True)
        y = pen.lines(letter.addressee[1:], left, y) + gap
        if style is LetterStyle.LETTERHEAD:
            y = pen.lines([letter.date_line], left, y, align="right", right=right) + gap
    if letter.subject:
        y = pen.lines([letter.subject], left, y, bold=True) + gap
    y = pen.lines([letter.salutation], left, y) + gap / 2
    for paragraph in letter.paragraphs:
        y = pen.paragraph(paragraph, left, y, right - left) + gap / 2
    y = pen.paragraph(letter.closing, left, y + gap / 2, right - left)
    signature = (left, round(y), left + _px(60, dpi), round(y + _px(16, dpi)))
    y = pen.lines([letter.signer], left, y + _px(18, dpi))
    if style is LetterStyle.FOOTER:
        y = pen.lines(letter.sender[1:], left, y)
    return image, signature, y


def render_letter(letter: LetterText, *, style: LetterStyle, family: TypedFont,
                  size_pt: float, dpi: float, margin_mm: float = 22.0,
                  leading: float = 1.3) -> TypedPage:
    """An A4 typed letter at `dpi`, white paper, no code; smaller type when it would overflow."""
    while True:
        image, signature, bottom = _draw_letter(letter, style, family, size_pt, dpi, margin_mm,
                                                leading)
        if bottom <= image.height - _px(12, dpi) or size_pt <= 7:
            return TypedPage(image, signature, family.name, size_pt)
        size_pt = round(size_pt * 0.9, 2)


# ------------------------------------------------------------------ paper to write on

class Paper(StrEnum):
    PLAIN = "plain"
    RULED = "ruled"        # lined writing paper with a margin line
    SQUARED = "squared"    # 5 mm squares, as school notebooks


def stationery(paper: Paper, dpi: float, pitch_mm: float = 9.0,
               size_mm: tuple[float, float] = (210.0, 297.0)) -> Image.Image:
    """A blank sheet of `paper`; ruled lines are `pitch_mm` apart, starting one pitch down."""
    w, h = _px(size_mm[0], dpi), _px(size_mm[1], dpi)
    image = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(image)
    width = max(1, round(dpi / 200))
    if paper is Paper.RULED:
        y = _px(20 + pitch_mm, dpi)
        while y < h - _px(10, dpi):
            d.line((0, y, w, y), fill=(170, 195, 225), width=width)
            y += _px(pitch_mm, dpi)
        d.line((_px(18, dpi), 0, _px(18, dpi), h), fill=(230, 150, 150), width=width)
    elif paper is Paper.SQUARED:
        step = 5.0
        k = 1
        while k * step < max(size_mm):
            x, y = _px(k * step, dpi), _px(k * step, dpi)
            d.line((x, 0, x, h), fill=(200, 215, 235), width=width)
            d.line((0, y, w, y), fill=(200, 215, 235), width=width)
            k += 1
    return image


# ------------------------------------------------------------------ someone else's codes

class ForeignKind(StrEnum):
    """Paper with codes that are not scanpipe's."""

    URL_FLYER = "url_flyer"
    VCARD = "vcard"
    WIFI = "wifi"
    EAN13 = "ean13"
    CODE128 = "code128"
    INVOICE = "invoice"      # a web-address QR and a Code 128 on one page


@dataclass(frozen=True)
class ForeignPage:
    """A page carrying someone else's codes: the image and the codes printed on it."""

    image: Image.Image
    kind: ForeignKind
    codes: tuple[tuple[str, str], ...]   # (format, text), zxing-cpp's format names
    lines: tuple[str, ...]               # the typed words on the page


def qr_image(text: str, module_px: int, error: str = "m") -> Image.Image:
    """`text` as a black-on-white QR code with its 4-module quiet zone (grey image)."""
    out = io.BytesIO()
    segno.make_qr(text, error=error).save(out, kind="png", scale=module_px, border=4)
    return Image.open(io.BytesIO(out.getvalue())).convert("L")


def barcode_image(kind: str, value: str, dpi: float, bar_mm: float = 0.33,
                  height_mm: float = 18.0) -> Image.Image:
    """A linear barcode (``EAN13`` or ``Code128``) with its digits, drawn at `dpi` (grey)."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode import createBarcodeDrawing
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    drawing = createBarcodeDrawing(kind, value=value, barWidth=bar_mm * mm,
                                   barHeight=height_mm * mm, humanReadable=True)
    pad = 4 * mm
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(drawing.width + 2 * pad, drawing.height + 2 * pad), invariant=1)
    renderPDF.draw(drawing, canvas, pad, pad)
    canvas.showPage()
    canvas.save()
    return scansim.rasterise_pdf(out.getvalue(), dpi)[0].convert("L")


def ean13_check(digits12: str) -> str:
    """The 13-digit EAN with its check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits12))
    return digits12 + str((10 - total % 10) % 10)


_FLYERS = (
    ("Concert de solidarité", "Salle des fêtes, samedi à 20 h", "Entrée libre, bar et petite "
     "restauration. Réservez votre place en ligne."),
    ("Marché de Noël de l'école", "Dimanche de 10 h à 17 h", "Artisanat, crêpes et vin chaud. "
     "Le programme complet est sur notre site."),
    ("Bibliothèque communale", "Nouveaux horaires d'ouverture", "Consultez le catalogue et "
     "réservez vos livres depuis chez vous."),
    ("Repair Café", "Chaque premier samedi du mois", "Apportez vos objets cassés : nos bénévoles "
     "vous aident à les réparer."),
)
_SHOPS = ("Librairie du Parc", "Boekhandel De Zandloper", "Papeterie Centrale", "Fnac Namur")


def _compose(size_mm: tuple[float, float], dpi: float, family: TypedFont,
             texts: list[tuple[str, bool]],
             codes: list[tuple[Image.Image, tuple[float, float]]]) -> Image.Image:
    w, h = _px(size_mm[0], dpi), _px(size_mm[1], dpi)
    image = Image.new("RGB", (w, h), (255, 255, 255))
    pen = _Pen(image, family, round(11 * dpi / 72), 1.35)
    big = _Pen(image, family, round(20 * dpi / 72), 1.25)
    left, right = _px(18, dpi), w - _px(18, dpi)
    y = float(_px(20, dpi))
    for line, title in texts:
        y = (big.lines([line], left, y, bold=True) if title
             else pen.paragraph(line, left, y, right - left)) + pen.step / 3
    for code, (fx, fy) in codes:
        x = round(fx * max(1, w - code.width))
        yy = round(max(y, fy * max(1, h - code.height)))
        image.paste(code.convert("RGB"), (x, min(yy, h - code.height)))
    return image


def foreign_page(kind: ForeignKind, rng: np.random.Generator, dpi: float,
                 plain: bool = False) -> ForeignPage:
    """A flyer, card, note or slip with someone else's codes (see `ForeignKind`).

    With `plain`, the codes alone on a blank sheet (a label or a print-out).
    """
    family = _pick(rng, typed_fonts())
    module_px = max(3, round(float(rng.uniform(0.45, 0.8)) * dpi / 25.4))
    where = (float(rng.uniform(0.05, 0.95)), float(rng.uniform(0.3, 0.9)))
    name = f"{_pick(rng, FIRST_NAMES)} {_pick(rng, SURNAMES)}"
    size = (210.0, 297.0) if rng.random() < 0.6 else (148.0, 210.0)
    texts: list[tuple[str, bool]]
    codes: list[tuple[str, str]]
    match kind:
        case ForeignKind.URL_FLYER:
            title, when, more = _pick(rng, _FLYERS)
            url = f"https://www.example.be/{_pick(rng, ('agenda', 'info', 'evenement', 'inscription'))}" \
                  f"/{int(rng.integers(100, 99999))}"
            texts, codes = [(title, True), (when, False), (more, False), (url, False)], \
                [("QRCode", url)]
        case ForeignKind.VCARD:
            email = f"{name.split()[0].lower()}@example.be"
            phone = f"+32 {int(rng.integers(470, 499))} {int(rng.integers(10, 99))} " \
                    f"{int(rng.integers(10, 99))} {int(rng.integers(10, 99))}"
            data = segno.helpers.make_vcard_data(name=";".join(reversed(name.split())),
                                                 displayname=name, email=email, phone=phone)
            texts, codes = [(name, True), (email, False), (phone, False)], [("QRCode", data)]
            size = (148.0, 105.0)
        case ForeignKind.WIFI:
            ssid = f"Invites-{_pick(rng, ('Salle', 'Bureau', 'Maison', 'Gite'))}"
            password = f"{_pick(rng, SURNAMES).lower()}{int(rng.integers(1000, 9999))}"
            data = segno.helpers.make_wifi_data(ssid=ssid, password=password, security="WPA")
            texts = [("Wi-Fi", True), (f"Réseau : {ssid}", False), (f"Mot de passe : {password}", False)]
            codes = [("QRCode", data)]
        case ForeignKind.EAN13:
            digits = ean13_check("54" + "".join(str(int(d)) for d in rng.integers(0, 10, 10)))
            shop = _pick(rng, _SHOPS)
            texts = [(shop, True), (f"Bon d'achat n° {int(rng.integers(1000, 9999))}", False),
                     ("Valable un an dans tous nos magasins.", False)]
            codes = [("EAN13", digits)]
        case ForeignKind.CODE128 | ForeignKind.INVOICE:
            ref = f"INV-2021-{int(rng.integers(1, 999999)):06d}"
            shop = _pick(rng, _SHOPS)
            texts = [(shop, True), (f"Facture {ref}", False), (f"Client : {name}", False),
                     (f"Total : {int(rng.integers(5, 120))},{int(rng.integers(0, 99)):02d} EUR",
                      False)]
            codes = [("Code128", ref)]
            if kind is ForeignKind.INVOICE:
                codes.append(("QRCode", f"https://pay.example.be/{ref}"))
    drawn = []
    for i, (fmt, text) in enumerate(codes):
        if fmt == "QRCode":
            picture = qr_image(text, module_px)
        else:
            picture = barcode_image("EAN13" if fmt == "EAN13" else "Code128",
                                    text[:12] if fmt == "EAN13" else text, dpi,
                                    bar_mm=float(rng.uniform(0.3, 0.45)))
        spot = where if i == 0 else (1.0 - where[0], min(0.95, where[1] + 0.2))
        drawn.append((picture, spot))
    if plain:
        texts = []
    image = _compose(size, dpi, family, texts, drawn)
    return ForeignPage(image, kind, tuple(codes), tuple(t for t, _ in texts))
