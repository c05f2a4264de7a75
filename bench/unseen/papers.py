"""Texts that are not letters: press articles, academic papers, invoices, newsletters, notes.

They cite a namesake of a case ("Baker (2011)", "Zhang et al. 2019", "Wendy Brown (2015)")
or carry one of its places in an address or a sentence, and must never name the case.
Like `compose`, they only write; `cases.named_cases` decides what a text names.
"""

from __future__ import annotations

import numpy as np

from bench.unseen import phrases as ph
from bench.unseen.cases import CaseInfo
from bench.unseen.compose import (
    Block,
    Document,
    Genre,
    Role,
    date_line,
    fill,
    pick,
    sender,
    sentence_case,
    year_of,
)

UNIVERSITIES = ("Université de Liège", "KU Leuven", "Universiteit Gent", "UCLouvain", "University of Kent")


def citation(namesake: str, rng: np.random.Generator, lang: str) -> tuple[str, str]:
    """(in-text citation, bibliography entry) of a namesake of the case."""
    year = int(rng.integers(1998, 2023))
    title, journal = pick(rng, ph.PAPER_TITLES), pick(rng, ph.JOURNALS)
    pages = f"{int(rng.integers(10, 300))}–{int(rng.integers(301, 400))}"
    parts = namesake.split()
    if len(parts) > 1:  # a namesake by given name: "Wendy Brown (2015)"
        surname = parts[-1]
        text = f"{namesake} ({year})"
        entry = f"{surname}, {parts[0]} ({year}). {title}. {journal}, {int(rng.integers(1, 40))}, {pages}."
        return text, entry
    et_al = {"fr": "et al.", "nl": "e.a.", "en": "et al."}[lang]
    form = int(rng.integers(4))
    co = pick(rng, [a for a in ph.AUTHORS if a != namesake])
    text = (f"{namesake} ({year})", f"{namesake} {et_al} {year}", f"{namesake} {et_al} ({year})",
            f"{namesake} & {co} ({year})")[form]
    initial = pick(rng, "ABCDEHJKLMPRST")
    volume = f"{int(rng.integers(1, 40))}({int(rng.integers(1, 5))})"
    entry = f"{namesake}, {initial}. ({year}). {title}. {journal}, {volume}, {pages}."
    return text, entry


def _other_citation(rng: np.random.Generator) -> tuple[str, str]:
    return citation(pick(rng, ph.AUTHORS), rng, "en")


def press_text(info: CaseInfo, lang: str, rng: np.random.Generator, *, paper: bool) -> Document:
    """A newspaper article (or, with `paper`, an academic paper) citing a namesake of the case
    ("Baker (2011)", "Zhang et al. 2019", "Wendy Brown (2015)"), maybe its country; never the
    case itself."""
    namesake = pick(rng, info.facts.namesakes)
    cites = [citation(namesake, rng, lang)] + [_other_citation(rng) for _ in range(int(rng.integers(1, 4)))]
    values = {"country": info.country(lang), "Country": sentence_case(info.country(lang))}
    bank = ph.ACADEMIC[lang] if paper else ph.PRESS[lang]
    with_cite = [t for t in bank if "{cite}" in t]
    without = [t for t in bank if "{cite}" not in t and (rng.random() < 0.6 or "{country}" not in t)]
    templates = rng.permutation(len(with_cite))
    sentences = [fill(with_cite[templates[i % len(templates)]], {**values, "cite": text})
                 for i, (text, _) in enumerate(cites)]
    size = min(len(without), int(rng.integers(8, 16)))
    sentences += [fill(t, values) for t in rng.choice(without, size=size, replace=False)]
    order = rng.permutation(len(sentences))
    sentences = [sentence_case(sentences[i]) for i in order]
    blocks: list[Block] = []
    if paper:
        authors = ", ".join(f"{pick(rng, 'ACDEJKLMNPST')}. {pick(rng, ph.AUTHORS)}" for _ in range(2))
        heads = ph.SECTION_HEADS[lang]
        blocks += [Block(Role.HEADLINE, pick(rng, ph.PAPER_TITLES)),
                   Block(Role.BYLINE, f"{authors}\n{pick(rng, UNIVERSITIES)}"),
                   Block(Role.ABSTRACT, " ".join(sentences[:2])),
                   Block(Role.HEADING, heads[0])]
        rest = sentences[2:]
        half = max(1, len(rest) // 2)
        blocks += [Block(Role.BODY, " ".join(rest[:half])), Block(Role.HEADING, heads[1]),
                   Block(Role.BODY, " ".join(rest[half:]) or sentences[0])]
        note = fill(pick(rng, with_cite), {**values, "cite": cites[-1][0]})
        blocks.append(Block(Role.FOOTNOTE, f"¹ {sentence_case(note)}"))
        blocks.append(Block(Role.HEADING, heads[3]))
        blocks += [Block(Role.REFERENCE, entry) for _, entry in sorted(cites, key=lambda c: c[1])]
    else:
        journalist = sender(rng, lang)["name"]
        blocks += [Block(Role.LETTERHEAD, pick(rng, ph.OUTLETS[lang])),
                   Block(Role.HEADLINE, pick(rng, ph.HEADLINES[lang])),
                   Block(Role.BYLINE,
                         f"{journalist} · {date_line(rng, lang, '', year_of(info)).strip(', ')}")]
        cut = max(1, len(sentences) // 2)
        blocks += [Block(Role.BODY, " ".join(sentences[:cut])), Block(Role.BODY, " ".join(sentences[cut:]))]
        for i in rng.permutation(len(ph.BRIEFS[lang]))[:int(rng.integers(2, 5))]:
            head, text = ph.BRIEFS[lang][i]
            blocks.append(Block(Role.BODY, f"{head.upper()} — {text}"))
        if rng.random() < 0.5:
            blocks.append(Block(Role.FOOTNOTE, f"* {cites[0][1]}"))
    genre = Genre.PAPER if paper else Genre.ARTICLE
    return Document(genre, lang, tuple(blocks), (("namesake", namesake),))


def other_matter(info: CaseInfo, lang: str, rng: np.random.Generator) -> Document:
    """Paper about something else (an invoice, a parish newsletter, a school note, a travel
    offer) whose address or text holds one of the case's places."""
    place = pick(rng, info.facts.places)
    genre = pick(rng, (Genre.INVOICE, Genre.NEWSLETTER, Genre.SCHOOL_NOTE, Genre.TRAVEL))
    s = sender(rng, lang)
    values = {"P": place, "teacher": s["name"].split()[-1], "price": str(int(rng.integers(9, 30)) * 100),
              "num": f"{int(rng.integers(2020, 2024))}-{int(rng.integers(100, 9999)):04d}",
              "date": date_line(rng, lang, "", year_of(info)).strip(", ")}
    blocks: list[Block]
    if genre is Genre.INVOICE:
        w = ph.INVOICE[lang]
        company = pick(rng, ph.COMPANY_FORMS).format(P=place)
        street = pick(rng, ("No. 18 Guanggu Avenue", "Industrial Zone 4", "Main Road 112", "Avenue 5, km 3"))
        header = "\n".join([company, street, f"{place}, {info.country('en')}", "VAT 0812.345.678"])
        items, total = [], 0.0
        for item in rng.choice(ph.INVOICE_ITEMS[lang], size=int(rng.integers(2, 6)), replace=False):
            qty, price = int(rng.integers(1, 40)), float(rng.integers(150, 9000)) / 100
            total += qty * price
            items.append(f"{item}\t{qty}\t{price:.2f}\t{qty * price:.2f}")
        table = "\n".join([f"{w[3]}\t{w[4]}\t{w[5]}\tTotal", *items,
                           f"{w[6]}\t\t\t{total:.2f}", f"{w[7]}\t\t\t{total * 0.21:.2f}",
                           f"{w[8]}\t\t\t{total * 1.21:.2f}"])
        customer = "\n".join([s["name"], s["street"], f"{s['postcode']} {s['town']}"])
        blocks = [Block(Role.LETTERHEAD, header), Block(Role.RECIPIENT, customer),
                  Block(Role.HEADLINE, w[0]),
                  Block(Role.SUBJECT, fill(w[1], values) + "\n" + fill(w[2], values)),
                  Block(Role.TABLE, table), Block(Role.FOOTER, w[9])]
    elif genre is Genre.NEWSLETTER:
        w = ph.NEWSLETTER[lang]
        blocks = [Block(Role.LETTERHEAD, w[0]), Block(Role.HEADING, w[1]),
                  Block(Role.BODY, " ".join(fill(t, values) for t in (w[2], w[3]))),
                  Block(Role.HEADING, w[5]), Block(Role.BODY, " ".join((w[4], w[6], w[7])))]
    elif genre is Genre.SCHOOL_NOTE:
        w = ph.SCHOOL[lang]
        school = pick(rng, ("École communale des Tilleuls", "Basisschool De Regenboog",
                            "Athénée royal", "Sint-Jozefscollege"))
        blocks = [Block(Role.LETTERHEAD, f"{school}\n{s['street']}\n{s['postcode']} {s['town']}"),
                  Block(Role.DATE, values["date"]), Block(Role.SALUTATION, w[0]),
                  Block(Role.BODY, " ".join(fill(t, values) for t in (w[1], w[2], w[3]))),
                  Block(Role.BODY, w[4]), Block(Role.SIGNATURE, fill(w[5], values)),
                  Block(Role.FOOTER, w[6] + " ........................................")]
    else:
        w = ph.TRAVEL[lang]
        agency = pick(rng, ("Voyages Horizon", "Reisbureau Noorderlicht", "Globe Travel"))
        blocks = [Block(Role.LETTERHEAD, f"{agency}\n{s['street']}\n{s['postcode']} {s['town']}"),
                  Block(Role.HEADLINE, w[0]), Block(Role.BODY, " ".join(fill(t, values) for t in w[1:]))]
    return Document(genre, lang, tuple(blocks), (("place", place),))


def short_line(lang: str, rng: np.random.Generator) -> Document:
    """One short printed line on an otherwise empty page."""
    return Document(Genre.SCHOOL_NOTE, lang, (Block(Role.BODY, pick(rng, ph.SHORT_LINES[lang])),))

