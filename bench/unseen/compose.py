"""Letters composed from the phrase banks: to the authority, to the person, naming nobody.

Each composer returns a `Document`: its genre, language and blocks in reading
order (the layout decides where they go). Composers only write; which cases a
document names is decided afterwards by `cases.named_cases` on `Document.text`.
Register, length, order and typos vary with the random generator given; names,
context words and places are never misspelt (a misspelt name would make the
truth of the page a matter of opinion). Texts that are not letters are in
`papers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from bench.unseen import phrases as ph
from bench.unseen.cases import CaseInfo, Person, all_infos, all_name_words, fold, words


class Role(StrEnum):
    LETTERHEAD = "letterhead"
    SENDER = "sender"
    DATE = "date"
    RECIPIENT = "recipient"
    SUBJECT = "subject"
    SALUTATION = "salutation"
    BODY = "body"
    CLOSING = "closing"
    SIGNATURE = "signature"
    PS = "ps"
    HEADLINE = "headline"
    BYLINE = "byline"
    ABSTRACT = "abstract"
    HEADING = "heading"
    FOOTNOTE = "footnote"
    REFERENCE = "reference"
    TABLE = "table"
    FOOTER = "footer"


class Genre(StrEnum):
    AUTHORITY_LETTER = "authority_letter"
    SOLIDARITY_LETTER = "solidarity_letter"
    AUTHORITY_ONLY = "authority_only"
    ARTICLE = "article"
    PAPER = "paper"
    INVOICE = "invoice"
    NEWSLETTER = "newsletter"
    SCHOOL_NOTE = "school_note"
    TRAVEL = "travel"


class Mention(StrEnum):
    """How a letter names its person."""

    FULL = "full"                        # Bernardo Caal Xol
    UPPER = "upper_surname"              # Bernardo CAAL XOL
    REVERSED = "reversed"                # Galarza, Wendy / CAAL XOL Bernardo
    GIVEN_SURNAME = "given_surname"      # Teodora Vásquez, Sasha Skochilenko
    SURNAME_CONTEXT = "surname_context"  # Mme Galarza … Cancún
    GIVEN_CONTEXT = "given_context"      # Wendy … Cancún


@dataclass(frozen=True)
class Block:
    role: Role
    text: str   # lines separated by "\n"


@dataclass(frozen=True)
class Document:
    genre: Genre
    lang: str
    blocks: tuple[Block, ...]
    notes: tuple[tuple[str, str], ...] = ()   # how it was composed, for the label

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    def note(self, key: str) -> str | None:
        return dict(self.notes).get(key)


# ------------------------------------------------------------------ small helpers

def pick(rng: np.random.Generator, items):
    return items[int(rng.integers(len(items)))]


def _protected() -> frozenset[str]:
    """Words never misspelt: every name, context word and place of every case."""
    out = set(all_name_words())
    for info in all_infos():
        for text in (*info.context, *info.facts.places, info.case.country):
            out.update(words(text))
    return frozenset(out)


_PROTECTED: frozenset[str] | None = None


def typo(sentence: str, rng: np.random.Generator) -> str:
    """One everyday slip in one ordinary word: two letters swapped, one dropped or doubled,
    an accent lost."""
    global _PROTECTED
    if _PROTECTED is None:
        _PROTECTED = _protected()
    tokens = sentence.split(" ")
    choices = [i for i, t in enumerate(tokens)
               if len(t) >= 5 and t.isalpha() and t.islower() and fold(t) not in _PROTECTED]
    if not choices:
        return sentence
    i = pick(rng, choices)
    word = tokens[i]
    k = int(rng.integers(1, len(word) - 1))
    how = int(rng.integers(4))
    if how == 0:
        word = word[:k - 1] + word[k] + word[k - 1] + word[k + 1:]
    elif how == 1:
        word = word[:k] + word[k + 1:]
    elif how == 2:
        word = word[:k] + word[k] + word[k:]
    else:
        word = fold(word) if fold(word) != word else word[:k] + word[k + 1:]
    tokens[i] = word
    return " ".join(tokens)


def _maybe_typos(sentences: list[str], rng: np.random.Generator, rate: float) -> list[str]:
    return [typo(s, rng) if rng.random() < rate else s for s in sentences]


_FORMS = {
    "fr": {"il": ("il", "elle", "ils", "elles"), "le": ("le", "la", "les", "les"),
           "lui": ("lui", "elle", "eux", "elles"), "e": ("", "e", "s", "es"),
           "est": ("est", "est", "sont", "sont"), "a": ("a", "a", "ont", "ont"),
           "son": ("son", "son", "leur", "leur"), "soit": ("soit", "soit", "soient", "soient")},
    "nl": {"hij": ("hij", "zij", "zij", "zij"), "hem": ("hem", "haar", "hen", "hen"),
           "zijn": ("zijn", "haar", "hun", "hun"), "is": ("is", "is", "zijn", "zijn"),
           "heeft": ("heeft", "heeft", "hebben", "hebben")},
    "en": {"he": ("he", "she", "they", "they"), "him": ("him", "her", "them", "them"),
           "his": ("his", "her", "their", "their"), "is": ("is", "is", "are", "are"),
           "has": ("has", "has", "have", "have"), "was": ("was", "was", "were", "were")},
}
_GENDERS = ("m", "f", "mp", "fp")


def forms(lang: str, gender: str) -> dict[str, str]:
    """Pronouns and agreements of a person (or group) in `lang`, capitalised variants too."""
    index = _GENDERS.index(gender)
    out = {key: values[index] for key, values in _FORMS[lang].items()}
    out.update({key.capitalize(): value.capitalize() for key, value in out.items()})
    return out


def _and(lang: str) -> str:
    return {"fr": "et", "nl": "en", "en": "and"}[lang]


def _join(items: list[str], lang: str) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {_and(lang)} " + items[-1]


def name_as(person: Person, mention: Mention, rng: np.random.Generator) -> str:
    """One person written the way `mention` says."""
    given = person.nickname if person.nickname and rng.random() < 0.5 else person.given
    match mention:
        case Mention.FULL:
            return person.full
        case Mention.UPPER:
            return (f"{person.surname.upper()} {person.given}" if person.surname_first
                    else " ".join(p for p in (person.given, person.middle, person.surname.upper()) if p))
        case Mention.REVERSED:
            return (f"{person.given} {person.surname}" if person.surname_first
                    else f"{person.surname}, {person.given}" if rng.random() < 0.5
                    else f"{person.surname.upper()} {person.given}")
        case Mention.GIVEN_SURNAME:
            return f"{person.surname} {given}" if person.surname_first else f"{given} {person.surname}"
        case Mention.SURNAME_CONTEXT:
            return person.surname
        case Mention.GIVEN_CONTEXT:
            return given


def mention_text(info: CaseInfo, mention: Mention, lang: str, rng: np.random.Generator) -> str:
    """The person (all the people of a group) as a letter names them."""
    people = [name_as(p, mention, rng) for p in info.facts.people]
    if mention is Mention.SURNAME_CONTEXT and len(people) == 1 and rng.random() < 0.6:
        title = {"fr": {"m": "M.", "f": "Mme"}, "nl": {"m": "de heer", "f": "mevrouw"},
                 "en": {"m": "Mr", "f": "Ms"}}[lang].get(info.facts.gender)
        if title:
            return f"{title} {people[0]}"
    return _join(people, lang)


def possible_mentions(info: CaseInfo, lang: str) -> tuple[Mention, ...]:
    """The mentions a letter in `lang` can use for this case (context ones need a context word
    that a sentence in `lang` can carry)."""
    base = [Mention.FULL, Mention.UPPER, Mention.REVERSED, Mention.GIVEN_SURNAME]
    if context_sentences(info, lang):
        base += [Mention.SURNAME_CONTEXT, Mention.GIVEN_CONTEXT]
    return tuple(base)


def context_sentences(info: CaseInfo, lang: str) -> list[tuple[str, str]]:
    """(context word, sentence template) pairs a letter in `lang` can use."""
    out = []
    for word in info.context:
        kind = info.context_kind(word)
        if kind == "custom":
            template = ph.CUSTOM_CONTEXT.get(word, {}).get(lang)
            if template:
                out.append((word, template))
        else:
            out += [(word, t) for t in ph.CONTEXT[kind][lang]]
    return out


def fill(template: str, values: dict[str, str]) -> str:
    text = template.format_map(values)
    # French elision after "que": "qu'il", "qu'elle(s)", "qu'ils"
    return re.sub(r"\b([Qq])ue (il|elle)", r"\1u'\2", text)


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------------ people who write

def sender(rng: np.random.Generator, lang: str) -> dict[str, str]:
    """A supporter: name, address, town; never sharing a word with any case's names."""
    banned = all_name_words()
    firsts = [f for f in ph.FIRST_NAMES if not set(words(f)) & banned]
    lasts = [s for s in ph.SURNAMES if not set(words(s)) & banned]
    first, last = pick(rng, firsts), pick(rng, lasts)
    postcode, town_fr, town_nl = pick(rng, ph.TOWNS)
    town = town_nl if lang == "nl" else town_fr
    street = pick(rng, ph.STREETS[lang])
    number = int(rng.integers(1, 240))
    line = f"{number}, {street}" if lang == "fr" and rng.random() < 0.4 else f"{street} {number}"
    return {"first": first, "name": f"{first} {last}", "street": line, "town": town,
            "postcode": postcode, "email": f"{fold(first)}.{fold(last).replace(' ', '')}@example.be",
            "age": str(int(rng.integers(9, 86)))}


def date_line(rng: np.random.Generator, lang: str, town: str, year: int) -> str:
    day_of_season = int(rng.integers(0, 52))  # from 20 November to 10 January
    month, day = (11, 20 + day_of_season) if day_of_season <= 10 else \
        (12, day_of_season - 10) if day_of_season <= 41 else (1, day_of_season - 41)
    y = year + 1 if month == 1 else year
    return pick(rng, ph.DATE_FORMS[lang]).format(town=town, d=day, m=month, y=y,
                                                 month=ph.MONTHS[lang][month - 1])


def _title_kind(authority: str) -> str:
    first = words(authority)[:3]
    for kind, keys in ph.TITLE_WORDS:
        if any(w in keys for w in first):
            return kind
    return "other"


def salutation(info: CaseInfo, lang: str, rng: np.random.Generator) -> str:
    return pick(rng, ph.TITLES[_title_kind(info.case.authority)][lang])


def _sender_block(s: dict[str, str], rng: np.random.Generator) -> Block:
    lines = [s["name"], s["street"], f"{s['postcode']} {s['town']}"]
    if rng.random() < 0.3:
        lines.append(s["email"])
    return Block(Role.SENDER, "\n".join(lines))


def _recipient_block(info: CaseInfo, rng: np.random.Generator) -> Block:
    lines = [line.strip() for line in info.case.authority_address.strip().splitlines() if line.strip()]
    if rng.random() < 0.25:
        embassy = info.campaign.embassy(info.case.embassy)
        lines = [info.case.authority, f"c/o {embassy.name}",
                 *[x.strip() for x in embassy.address.strip().splitlines() if x.strip()]]
    return Block(Role.RECIPIENT, "\n".join(lines))


def year_of(info: CaseInfo) -> int:
    return info.campaign.deadline.year - (1 if info.campaign.deadline.month <= 6 else 0)


# ------------------------------------------------------------------ letters to the authority

def authority_letter(info: CaseInfo, lang: str, rng: np.random.Generator, mention: Mention, *,
                     other: CaseInfo | None = None, other_at: str = "ps",
                     typo_rate: float = 0.08) -> Document:
    """A supporter's letter to the case's authority naming its person as `mention` says.

    With `other`, a second case is named too: in a P.S. (`other_at="ps"`), or the subject line
    names this case while the body is the other case's letter (`other_at="body"`).
    """
    s = sender(rng, lang)
    body_info = other if other is not None and other_at == "body" else info
    g = forms(lang, body_info.facts.gender)
    named = mention_text(body_info, mention, lang, rng)
    values = {**g, "N": named, "sender_first": s["first"], "age": s["age"], "town": s["town"]}
    greeting = salutation(body_info, lang, rng)
    values["title_bare"] = greeting.rstrip(",")

    about = [fill(t, values) for t in rng.choice(ph.ABOUT[lang], size=int(rng.integers(1, 3)),
                                                   replace=False)]
    about[0] = sentence_case(about[0])
    situation = [fill(t, values) for t in rng.choice(ph.SITUATION[lang],
                                                       size=int(rng.integers(0, 3)), replace=False)]
    context: list[str] = []
    pairs = context_sentences(body_info, lang)
    if mention in (Mention.SURNAME_CONTEXT, Mention.GIVEN_CONTEXT) or (pairs and rng.random() < 0.3):
        word, template = pick(rng, pairs)
        context.append(fill(template, {**values, "C": word}))
    demands = [fill(t, values) for t in rng.choice(ph.DEMANDS[lang], size=int(rng.integers(1, 3)),
                                                     replace=False)]
    middle = situation + context
    order = rng.permutation(len(middle))
    middle = [middle[i] for i in order]
    body = _maybe_typos(about + middle, rng, typo_rate)
    paragraphs = [*_paragraphs(body, rng), " ".join(_maybe_typos(demands, rng, typo_rate))]
    if rng.random() < 0.6:
        paragraphs.insert(0, fill(pick(rng, ph.INTROS[lang]), values))

    blocks = [_sender_block(s, rng), Block(Role.DATE, date_line(rng, lang, s["town"], year_of(info))),
              _recipient_block(info, rng)]
    subject_named = mention_text(info, Mention.FULL if other_at == "body" and other else mention,
                                 lang, rng)
    if rng.random() < 0.55 or (other is not None and other_at == "body"):
        blocks.append(Block(Role.SUBJECT, fill(pick(rng, ph.SUBJECTS[lang]), {"N": subject_named})))
    blocks.append(Block(Role.SALUTATION, greeting))
    blocks += [Block(Role.BODY, p) for p in paragraphs]
    blocks.append(Block(Role.CLOSING, fill(pick(rng, ph.CLOSINGS[lang]), values)))
    blocks.append(Block(Role.SIGNATURE, s["name"] if rng.random() < 0.7 else s["first"]))
    if other is not None and other_at == "ps":
        other_named = mention_text(other, Mention.FULL, lang, rng)
        blocks.append(Block(Role.PS, fill(pick(rng, ph.PS_OTHER[lang]), {"other": other_named})))
    elif rng.random() < 0.2:
        blocks.append(Block(Role.PS, pick(rng, ph.PS[lang])))
    notes = (("mention", mention.value), ("sender", s["name"]))
    if other is not None:
        notes += (("other", other.case.code), ("other_at", other_at))
    return Document(Genre.AUTHORITY_LETTER, lang, tuple(blocks), notes)


def _paragraphs(sentences: list[str], rng: np.random.Generator) -> list[str]:
    """Sentences grouped in one to three paragraphs, as people do."""
    if len(sentences) <= 2 or rng.random() < 0.3:
        return [" ".join(sentences)]
    cut = int(rng.integers(1, len(sentences)))
    return [" ".join(sentences[:cut]), " ".join(sentences[cut:])]


# ------------------------------------------------------------------ letters to the person

def solidarity_letter(info: CaseInfo, lang: str, rng: np.random.Generator, *, naming: str,
                      typo_rate: float = 0.1) -> Document:
    """A letter (or card text) to the person. `naming`: "first" (the greeting's given name
    only), "full" (the full name said somewhere too) or "context" (the given name and a
    context word of the case)."""
    s = sender(rng, lang)
    group = len(info.facts.people) > 1
    tu = not group and rng.random() < 0.65
    g = forms(lang, info.facts.gender)
    person = info.facts.people[0]
    given_names = _join([p.nickname if p.nickname and rng.random() < 0.5 else p.given
                         for p in info.facts.people], lang)
    values = {**g, "G": given_names, "S": person.surname, "age": s["age"],
              "N": mention_text(info, Mention.FULL, lang, rng)}
    if group:
        greeting = pick(rng, ph.GREETINGS_GROUP[lang])
        support_bank = ph.SUPPORT_GROUP[lang]
    elif tu:
        greeting = pick(rng, ph.GREETINGS_TU[lang])
        support_bank = ph.SUPPORT_TU[lang]
    else:
        greeting = pick(rng, [x for x in ph.GREETINGS_VOUS[lang] if "{G}" in x])
        support_bank = ph.SUPPORT_VOUS[lang]
    if lang == "fr" and ("Cher " in greeting or "Chère " in greeting):
        # agreement with the person, as a French writer would
        greeting = greeting.replace("Chère ", "Cher ") if info.facts.gender == "m" else \
            greeting.replace("Cher ", "Chère ")
    sentences = [fill(t, values) for t in rng.choice(support_bank,
                                                       size=min(len(support_bank), int(rng.integers(2, 5))),
                                                       replace=False)]
    if not group and rng.random() < 0.4:
        sentences.append(fill(pick(rng, ph.PERSONAL[lang]), values))
    if naming == "full":
        sentences.insert(int(rng.integers(0, len(sentences) + 1)),
                         fill(pick(rng, ph.NAMING_TO_PERSON[lang]), values))
    elif naming == "context":
        word, template = pick(rng, context_sentences(info, lang))
        sentences.insert(int(rng.integers(0, len(sentences) + 1)), fill(template, {**values, "C": word}))
    order = rng.permutation(len(sentences))
    sentences = _maybe_typos([sentences[i] for i in order], rng, typo_rate)
    blocks = []
    if rng.random() < 0.5:
        blocks.append(Block(Role.DATE, date_line(rng, lang, s["town"], year_of(info))))
    blocks.append(Block(Role.SALUTATION, fill(greeting, values)))
    blocks += [Block(Role.BODY, p) for p in _paragraphs(sentences, rng)]
    blocks.append(Block(Role.CLOSING, pick(rng, ph.CLOSE_TO_PERSON[lang])))
    signer = s["first"] if rng.random() < 0.7 else f"{s['first']}, {s['town']}"
    blocks.append(Block(Role.SIGNATURE, signer))
    notes = (("naming", naming), ("form", "group" if group else "tu" if tu else "vous"),
             ("sender", s["name"]))
    return Document(Genre.SOLIDARITY_LETTER, lang, tuple(blocks), notes)


# ------------------------------------------------------------------ naming nobody

def authority_only(info: CaseInfo, lang: str, rng: np.random.Generator) -> Document:
    """A letter to the case's authority (title, address, country) that names no person."""
    s = sender(rng, lang)
    values = {"country": info.country(lang), "Country": sentence_case(info.country(lang))}
    greeting = salutation(info, lang, rng)
    general = [fill(t, values) for t in rng.choice(ph.GENERAL[lang], size=int(rng.integers(3, 6)),
                                                     replace=False)]
    general[0] = sentence_case(general[0])
    subject = {"fr": "Objet : droits humains — {country}", "nl": "Betreft: mensenrechten in {country}",
               "en": "Re: human rights in {country}"}[lang]
    blocks = [_sender_block(s, rng), Block(Role.DATE, date_line(rng, lang, s["town"], year_of(info))),
              Block(Role.RECIPIENT, "\n".join([info.case.authority, *[
                  x.strip() for x in info.case.authority_address.strip().splitlines() if x.strip()]])),
              Block(Role.SUBJECT, sentence_case(fill(subject, values))),
              Block(Role.SALUTATION, greeting)]
    blocks += [Block(Role.BODY, p) for p in _paragraphs(_maybe_typos(general, rng, 0.08), rng)]
    blocks.append(Block(Role.CLOSING, fill(pick(rng, ph.CLOSINGS[lang]),
                                            {"title_bare": greeting.rstrip(",")})))
    blocks.append(Block(Role.SIGNATURE, s["name"]))
    return Document(Genre.AUTHORITY_ONLY, lang, tuple(blocks), (("sender", s["name"]),))
