"""A sample set of scans: three envelopes opened at a station, with the expected outcome.

The truth of every page comes from how the page was made (which document,
which case, whether a code is printed on it), never from running a recogniser.
The files are returned as bytes; writing them out is the caller's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict, Unpack

from PIL import Image

from scanpipe.domain.campaign import Campaign, Case
from scanpipe.paper import kits
from scanpipe.simulate import degrade, scansim

DPI = 200
KINDS = ("letter", "postcard", "petition", "kit_envelope", "unknown")
STATUSES = ("routed", "review", "rejected")
_WRITERS = ("Marie Dupont", "Jan Peeters", "Sophie Lambert", "Ahmed El Idrissi",
            "Claire Dubois", "Luc Janssens", "Nadia Benali", "Thomas Lemaire")
_TOWNS = ("Namur", "Liège", "Charleroi", "Mons", "Louvain-la-Neuve", "Bruxelles", "Arlon")
_WORDS = {
    "fr": {"regards": "Veuillez agréer mes salutations respectueuses.",
           "postcard": "Chère {first}, nous pensons à toi et nous ne t'oublions pas. "
                       "Des milliers de personnes en Belgique sont à tes côtés. Courage !",
           "letter": "Monsieur l'Ambassadeur, je vous écris au sujet de {person}. "
                     "Je vous prie de transmettre ma demande à vos autorités : "
                     "que justice soit rendue sans attendre.",
           "place": "{town}, le 10 décembre"},
    "en": {"regards": "Yours faithfully,",
           "postcard": "Dear {first}, we think of you and we do not forget you. "
                       "Thousands of people in Belgium stand with you. Stay strong!",
           "letter": "Dear Ambassador, I am writing to you about {person}. "
                     "Please pass my request on to your authorities: "
                     "let justice be done without delay.",
           "place": "{town}, 10 December"},
    "nl": {"regards": "Met respectvolle groeten,",
           "postcard": "Beste {first}, we denken aan je en vergeten je niet. "
                       "Duizenden mensen in België staan achter je. Hou vol!",
           "letter": "Geachte ambassadeur, ik schrijf u over {person}. "
                     "Geef mijn verzoek door aan uw autoriteiten: "
                     "laat recht geschieden, zonder uitstel.",
           "place": "{town}, 10 december"},
}


@dataclass(frozen=True)
class ExpectedPage:
    """What the pipeline should conclude about one page of a sample file."""

    page: int            # 1-based
    kind: str            # one of KINDS
    case: str | None
    status: str          # one of STATUSES
    note: str
    kit: int | None = None         # the kit serial a kit envelope's label carries
    signatures: int | None = None  # signed rows of a petition sheet
    by_text: bool = False          # routed by its printed text: it carries no code


class _Facts(TypedDict, total=False):
    """The facts of an `ExpectedPage` beyond its outcome."""

    kit: int
    signatures: int
    by_text: bool


@dataclass(frozen=True)
class SampleFile:
    """One file of the sample set and the expected outcome of each of its pages."""

    relative_path: str
    data: bytes
    pages: tuple[ExpectedPage, ...]


def _words(lang: str) -> dict[str, str]:
    if lang not in _WORDS:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(_WORDS)}")
    return _WORDS[lang]


class _Maker:
    """Renders and scans the documents of one sample set (one seed, one language)."""

    def __init__(self, campaign: Campaign, seed: int, lang: str):
        self.campaign, self.seed, self.lang = campaign, seed, lang
        self.words = _words(lang)
        self.count = 0

    def next_seed(self) -> int:
        self.count += 1
        return self.seed * 1000 + self.count

    def case(self, index: int) -> Case:
        cases = self.campaign.cases
        return cases[index % len(cases)]

    def writer(self) -> str:
        return _WRITERS[(self.seed + self.count) % len(_WRITERS)]

    def letter_image(self, case: Case, *, quarter_turns: int = 0,
                     grayscale: bool = False) -> Image.Image:
        page = scansim.rasterise_pdf(kits.render_letter_sheet(self.campaign, case, self.lang),
                                     DPI)[0]
        box, pitch = kits.LETTER_LAYOUT.ruled_space()
        lines = [case.letter or self.words["letter"].format(person=case.person),
                 self.words["regards"], self.writer()]
        return scansim.scan_image(page, seed=self.next_seed(), dpi=DPI,
                                  writing_box_px=box.px(DPI),
                                  handwriting_lines=lines,
                                  line_pitch_px=pitch * DPI / 25.4,
                                  quarter_turns=quarter_turns, grayscale=grayscale)

    def postcard_image(self, case: Case, side: int) -> Image.Image:
        pages = scansim.rasterise_pdf(kits.render_postcard(self.campaign, case, self.lang), DPI)
        if side == 0:
            return scansim.scan_image(pages[0], seed=self.next_seed(), dpi=DPI)
        box, pitch = kits.POSTCARD_MESSAGE_LAYOUT.ruled_space()
        first = case.person.split()[0]
        return scansim.scan_image(pages[1], seed=self.next_seed(), dpi=DPI,
                                  writing_box_px=box.px(DPI),
                                  handwriting_lines=[self.words["postcard"].format(first=first),
                                                     self.writer()],
                                  line_pitch_px=pitch * DPI / 25.4)

    def petition_image(self, case: Case, signed: int) -> Image.Image:
        page = scansim.rasterise_pdf(kits.render_petition(self.campaign, case, self.lang),
                                     DPI)[0]
        rows = kits.petition_rows()[:signed]
        fields = []
        for i, row in enumerate(rows):
            fields.append((row.name.px(DPI), _WRITERS[(self.seed + i) % len(_WRITERS)]))
            fields.append((row.contact.px(DPI), _TOWNS[(self.seed + i) % len(_TOWNS)]))
        return scansim.scan_image(page, seed=self.next_seed(), dpi=DPI, fields=fields,
                                  signature_boxes_px=[row.signature.px(DPI) for row in rows])

    def plain_letter_image(self, case: Case) -> Image.Image:
        width, height = round(210 * DPI / 25.4), round(297 * DPI / 25.4)
        blank = Image.new("RGB", (width, height), (255, 255, 255))
        margin = round(20 * DPI / 25.4)
        town = _TOWNS[self.seed % len(_TOWNS)]
        lines = [self.words["place"].format(town=town), "",
                 self.words["letter"].format(person=case.person), self.words["regards"],
                 self.writer()]
        return scansim.scan_image(blank, seed=self.next_seed(), dpi=DPI,
                                  writing_box_px=(margin, margin, width - margin, height * 3 // 4),
                                  handwriting_lines=[x for x in lines if x],
                                  line_pitch_px=11 * DPI / 25.4)

    def blank_back(self) -> Image.Image:
        width, height = round(210 * DPI / 25.4), round(297 * DPI / 25.4)
        blank = Image.new("RGB", (width, height), (255, 255, 255))
        return scansim.scan_image(blank, seed=self.next_seed(), dpi=DPI, grayscale=True)


def _jpeg(image: Image.Image) -> bytes:
    # Quality between 60 and 80, varied by content but fixed for the same image size.
    return degrade.encode_jpeg(image, 60 + (image.width * 7 + image.height) % 21, DPI)


def _one(path: str, data: bytes, kind: str, case: Case | None, status: str,
         note: str, **facts: Unpack[_Facts]) -> SampleFile:
    return SampleFile(path, data, (ExpectedPage(1, kind, case.code if case else None, status,
                                                note, **facts),))


def make_sample_set(campaign: Campaign, *, seed: int = 2021, lang: str = "fr") -> list[SampleFile]:
    """Three opened envelopes of scans with their expected outcome (see the module doc).

    Every case of `campaign` (up to ten) appears at least once as a letter,
    postcard or petition; the same seed gives the same bytes.
    """
    m = _Maker(campaign, seed, lang)
    c = [m.case(i) for i in range(10)]
    labels = kits.render_envelope_labels(campaign, 1, 2, lang)
    files: list[SampleFile] = []
    routed = "routed"

    def add(path: str, data: bytes, kind: str, case: Case | None, status: str, note: str,
            **facts: Unpack[_Facts]) -> None:
        files.append(_one(path, data, kind, case, status, note, **facts))

    # Envelope 1: a kit envelope and what a family put in it.
    add("envelope-1/01-kit-envelope-serial-1.jpg",
        scansim.simulate_envelope(labels, 0, seed=m.next_seed(), dpi=DPI),
        "kit_envelope", None, routed, "kit label, serial 1: opens the batch", kit=1)
    add(f"envelope-1/02-letter-{c[0].code}.jpg", _jpeg(m.letter_image(c[0])), "letter", c[0],
        routed, "kit letter sheet, handwritten copy of the model letter")
    add(f"envelope-1/03-letter-{c[1].code}.jpg", _jpeg(m.letter_image(c[1])), "letter", c[1],
        routed, "kit letter sheet, handwritten")
    add(f"envelope-1/04-postcard-{c[2].code}-message-side.jpg", _jpeg(m.postcard_image(c[2], 1)),
        "postcard", c[2], routed, "postcard message side with its case QR")
    add(f"envelope-1/05-petition-{c[3].code}-4-signatures.jpg",
        _jpeg(m.petition_image(c[3], 4)), "petition", c[3], routed,
        "petition sheet, 4 signed rows", signatures=4)

    # Envelope 2: pages fed every which way, and pieces without our codes.
    add("envelope-2/01-kit-envelope-serial-2.jpg",
        scansim.simulate_envelope(labels, 1, seed=m.next_seed(), dpi=DPI),
        "kit_envelope", None, routed, "kit label, serial 2: opens the batch", kit=2)
    add(f"envelope-2/02-letter-{c[4].code}.jpg", _jpeg(m.letter_image(c[4])), "letter", c[4],
        routed, "kit letter sheet")
    add(f"envelope-2/03-letter-{c[5].code}-rotated-90.jpg",
        _jpeg(m.letter_image(c[5], quarter_turns=1)), "letter", c[5], routed,
        "kit letter sheet fed sideways (turned 90° clockwise)")
    add(f"envelope-2/04-letter-{c[6].code}-upside-down.jpg",
        _jpeg(m.letter_image(c[6], quarter_turns=2)), "letter", c[6], routed,
        "kit letter sheet fed upside down (180°)")
    add(f"envelope-2/05-postcard-{c[7].code}-picture-side-foreign-qr.jpg",
        _jpeg(m.postcard_image(c[7], 0)), "postcard", None, "rejected",
        f"postcard picture side only (A6): its QR is our web address ({kits.FOREIGN_URL}) and "
        "the page is our card's picture side: the back of a card, not a piece (the card is "
        "counted by its message side); kept on record with the reason POSTCARD_PICTURE_SIDE")
    add("envelope-2/06-letter-handwritten-no-qr.jpg", _jpeg(m.plain_letter_image(c[5])),
        "letter", c[5], routed,
        f"handwritten letter on plain paper about {c[5].person}; no code: this handwriting "
        "font is clear enough for OCR to read the name, so it routes by its text", by_text=True)
    # A scanner's "document" mode: paper whitened and 16 grey levels keep the PNG small.
    add(f"envelope-2/07-letter-{c[7].code}.png",
        degrade.encode_png(m.letter_image(c[7], grayscale=True), DPI, white=190),
        "letter", c[7], routed, "kit letter sheet saved as 16-grey PNG")
    front = m.letter_image(c[8], grayscale=True)
    files.append(SampleFile(
        f"envelope-2/08-letter-{c[8].code}-with-blank-back.tif",
        degrade.encode_tiff([front, m.blank_back()], DPI),
        (ExpectedPage(1, "letter", c[8].code, routed, "kit letter sheet, black-and-white TIFF"),
         ExpectedPage(2, "unknown", None, "rejected",
                      "blank back of the letter sheet: dropped with the reason BLANK_PAGE"))))

    # Envelope 3: no kit label, and a scanner that writes one PDF per batch.
    add("envelope-3/01-envelope-anonymous-no-label.jpg",
        scansim.simulate_envelope(labels, 0, seed=m.next_seed(), dpi=DPI, with_label=False,
                                  address_lines=campaign.return_address.strip().splitlines()),
        "kit_envelope", None, routed,
        "envelope with a handwritten address, no kit code: envelope-sized, opens an anonymous batch")
    batch = [c[9], c[3], c[2]]
    files.append(SampleFile(
        "envelope-3/scan-batch.pdf",
        degrade.pdf_of_jpegs([_jpeg(m.letter_image(case)) for case in batch], DPI,
                             "scanpipe sample scanner"),
        tuple(ExpectedPage(i + 1, "letter", case.code, routed,
                           "kit letter sheet inside a multi-page scanner PDF")
              for i, case in enumerate(batch))))
    return files
