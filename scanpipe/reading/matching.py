"""Which case does a page's printed text name? Rank the cases, pick one only when it is clear.

A case is *named* by its person: the full name (given and family name side by
side, in either order, middle names optional), or the family or given name
together with a detail only that case has (a keyword that is neither a name,
nor its country, nor a word of its authority's or embassy's address: a river,
a movement, the town where it happened). Everything else the campaign file
says about a case — its country, its authority's title, the places in its
addresses, a surname or a keyword alone — is supporting evidence: it ranks the
candidates a reviewer sees, and it never routes a page on its own. A press
article citing "Baker (2011)", a letter to a president that names nobody, an
invoice from Minsk name no case.

Terms are found on the page's words after folding (accents, case, punctuation
and the usual OCR confusions of digits for letters), or nearly (Levenshtein
edits per word, so "Caal Xo1" is still Caal Xol); a fuzzy match needs more
evidence than an exact one. Words Tesseract itself doubts (low confidence: it
reads handwriting as garbage that can spell anything) are not evidence, nor are
names in an address block (a sender called Baker, a street). A term found in
what the campaign says about another case (a shared country, "journaliste")
cannot tell the two apart and weighs nothing.

A case's score combines its evidence, ``1 - prod(1 - weight * similarity)``,
each piece of text counted once. `pick_case` routes only a named case that
scores at least `MatchSettings.min_score` and leads every other candidate by
`min_margin`: a page naming a second case — in its subject line, body or
postscript — goes to review with both. A misrouted letter is the worst
outcome; review is cheap.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from scanpipe.domain.campaign import Campaign, Case
from scanpipe.domain.found import Candidate, TermHit
from scanpipe.reading.ocr import OcrText


class Evidence(StrEnum):
    """What a term found on a page says about its case."""

    FULL_NAME = "full_name"      # the person's given and family name together: names the case
    FAMILY_NAME = "family_name"  # names the case with a detail of it
    GIVEN_NAME = "given_name"    # a given name or a nickname: names the case with a detail of it
    OTHER_NAME = "other_name"    # a middle name: names nobody
    DETAIL = "detail"            # a keyword of the case that is no name, place or authority
    AUTHORITY = "authority"      # the authority's title: where the letter goes, not who it is about
    PLACE = "place"              # its country, a place of its addresses, anything in an address block


WEIGHTS = {Evidence.FULL_NAME: 0.9, Evidence.FAMILY_NAME: 0.65, Evidence.GIVEN_NAME: 0.4,
           Evidence.OTHER_NAME: 0.2, Evidence.DETAIL: 0.65, Evidence.AUTHORITY: 0.5,
           Evidence.PLACE: 0.25}
_NAME_PARTS = (Evidence.FAMILY_NAME, Evidence.GIVEN_NAME)

MIN_SIMILARITY = 0.8        # of a whole term; below it the text is another word
MIN_FUZZY_NAME = 0.85       # a full name read with errors still names the case from here
SHORT_TERM = 4              # letters; terms this short must match a whole word exactly
MIN_CONFIDENCE = 40.0       # Tesseract's word confidence (0-100) below which a word is no evidence
MIN_FUZZY_CONFIDENCE = 60.0  # … and for a word read with errors, which could be any word misread

_WORD = re.compile(r"[^\W_]+")
# "Zala-" at the end of a line, "tarou" at the start of the next: one word.
_CUT = re.compile(r"[^\W\d_]-$")
# Digits Tesseract reads for letters in a word of letters: "Xo1" is "Xol", "B4ker" is not ours.
_CONFUSIONS = str.maketrans({"0": "o", "1": "l", "5": "s", "|": "l"})
# Lines of an address: a postcode, a street, a post box, a phone, a mail or web address.
_POSTCODE = re.compile(r"\b\d{4,6}\s+[A-ZÀ-Þ]|\b[A-Za-zÀ-ÿ]{3,}\s+\d{5,6}\b|"  # 1050 Bruxelles
                       r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|@|www\.|https?:")   # WC1X 0DW, mail
_STREET = re.compile(
    r"\b(rue|avenue|av\.|chauss[ée]e|boulevard|bd|place|square|quai|impasse|all[ée]e|chemin|"
    r"route|straat|laan|plein|steenweg|dreef|street|st\.|road|rd\.|lane|avenida|calle|carrera|"
    r"strasse|straße|p\.?\s?o\.?\s?box|b\.p\.|bo[iî]te postale|postbus|c/o|t[ée]l\.|phone|fax)"
    r"(?!\w)", re.IGNORECASE)
_ADDRESS_BLOCK_WORDS = 9    # lines of an address block are short
_NAME_LINES_ABOVE = 2       # the lines above an address line that name who lives there


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """How sure the matcher must be to route a page by its printed text.

    Only a named case routes (see the module). `min_score`: a full name alone
    scores 0.90, a family name with a detail of the case 0.88, a given name with
    one 0.79; a name read with errors less. `min_margin`: how far it must lead
    the next case — another case's family name (0.65), detail (0.65) or
    authority (0.50) sends the page to review, its country (0.25) or a given
    name (0.40) does not.
    """

    min_score: float = 0.75
    min_margin: float = 0.45


# ------------------------------------------------------------------ words

@functools.lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """Accents dropped, case folded, anything not a letter or digit turned into a space, and
    digits inside a word of letters read as the letters they are mistaken for."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    folded = "".join(c if c.isalnum() else " " for c in plain.casefold())
    return " ".join(_unconfused(part) for part in folded.split())


def _unconfused(word: str) -> str:
    letters = sum(c.isalpha() for c in word)
    return word.translate(_CONFUSIONS) if letters and letters * 2 >= len(word) else word


def fold_words(text: str) -> tuple[str, ...]:
    """The words of `text` as the matcher compares them: ``"Q'eqchi’"`` → ``("q", "eqchi")``."""
    return tuple(_Page.of(text).words)


@dataclass(frozen=True, slots=True)
class _Token:
    word: str                  # folded
    span: tuple[int, int]      # in the page's text
    line: int
    confidence: float


class _Page:
    """A page's folded words with where each is, how sure Tesseract was, and its address lines."""

    def __init__(self, lines: Sequence[Sequence[tuple[str, float]]]) -> None:
        text_lines: list[str] = []
        tokens: list[_Token] = []
        offset = 0
        carry: _Token | None = None  # the first half of a word cut at the end of a line
        for number, words in enumerate(lines):
            line = " ".join(word for word, _ in words)
            position = offset
            for index, (word, confidence) in enumerate(words):
                last = index == len(words) - 1
                for match in _WORD.finditer(word):
                    start, end = position + match.start(), position + match.end()
                    for part in _fold(match.group()).split():
                        token = _Token(part, (start, end), number, confidence)
                        if carry is not None:
                            token = _Token(carry.word + part, (carry.span[0], end), carry.line,
                                           min(carry.confidence, confidence))
                            carry = None
                        tokens.append(token)
                if last and _CUT.search(word) and number + 1 < len(lines) and tokens:
                    carry = tokens.pop()
                position += len(word) + 1
            text_lines.append(line)
            offset += len(line) + 1
        if carry is not None:
            tokens.append(carry)
        self.text = "\n".join(text_lines)
        self.tokens = tokens
        self.words = [t.word for t in tokens]
        self.in_address = _address_lines(text_lines)
        self.at: dict[str, list[int]] = {}
        for i, word in enumerate(self.words):
            self.at.setdefault(word, []).append(i)
        # The words without spaces, to find a term cut into one word more or fewer.
        self.joined = "".join(self.words)
        self.starting: dict[int, int] = {}
        self.ending: dict[int, int] = {}
        at = 0
        for i, word in enumerate(self.words):
            self.starting[at] = i
            at += len(word)
            self.ending[at] = i
        self.near: dict[str, dict[str, int]] = {}

    @classmethod
    def of(cls, text: str | OcrText) -> _Page:
        """The page of a text (every word sure) or of Tesseract's reading (its confidences)."""
        if isinstance(text, OcrText):
            return cls(text.lines_of_words())
        return cls([[(word, 100.0) for word in line.split()] for line in text.splitlines()])

    def look_near(self, vocabulary: dict[int, tuple[str, ...]]) -> _Page:
        """For each campaign word, the page's other words within its allowed edits."""
        seen = list(self.at)
        if not seen:
            return self
        for allowed, wanted in vocabulary.items():
            edits = process.cdist(wanted, seen, scorer=Levenshtein.distance, score_cutoff=allowed,
                                  dtype=np.int32, workers=1)
            for row, col in zip(*np.nonzero((edits > 0) & (edits <= allowed))):
                want, word = wanted[row], seen[col]
                if not (word.startswith(want) or word.endswith(want)
                        or want.startswith(word) or want.endswith(word)):  # Bakery is not Baker
                    self.near.setdefault(want, {})[word] = int(edits[row, col])
        return self

    def found(self, start: int, n: int) -> str:
        return self.text[self.tokens[start].span[0]:self.tokens[start + n - 1].span[1]]

    def confidence(self, start: int, n: int) -> float:
        return min(t.confidence for t in self.tokens[start:start + n])

    def addressed(self, start: int, n: int) -> bool:
        return any(self.in_address[t.line] for t in self.tokens[start:start + n])


def _address_lines(lines: Sequence[str]) -> list[bool]:
    """Which lines belong to an address block: short lines with a postcode, a street, a post
    box or a phone, and the short lines just above them (who lives there)."""
    short = [0 < len(line.split()) <= _ADDRESS_BLOCK_WORDS for line in lines]
    flags = [s and bool(_POSTCODE.search(line) or _STREET.search(line))
             for s, line in zip(short, lines)]
    marked = list(flags)
    for i, flag in enumerate(flags):
        if flag:
            for j in range(i - 1, max(-1, i - 1 - _NAME_LINES_ABOVE), -1):
                if not short[j]:
                    break
                marked[j] = True
    return marked


def _allowed_edits(word: str) -> int:
    # "du" read "de" is another word; "Xol" read "Xo1" is an OCR error.
    return 0 if len(word) <= 2 else max(1, len(word) // 4)


# ------------------------------------------------------------------ the campaign's terms

@dataclass(frozen=True, slots=True)
class _Term:
    case: str
    text: str
    words: tuple[str, ...]
    evidence: Evidence
    shared: bool = False  # also in what the campaign says of another case: weighs nothing

    @property
    def key(self) -> str:
        return " ".join(self.words)

    @property
    def letters(self) -> int:
        return sum(len(w) for w in self.words)

    @property
    def weight(self) -> float:
        return 0.0 if self.shared else WEIGHTS[self.evidence]


@dataclass(frozen=True, slots=True)
class Person:
    """One person of a case, as a letter may name them (words as printed)."""

    given: str
    family: str
    middle: tuple[str, ...]
    nicknames: tuple[str, ...]
    printed: str = ""  # as the campaign file writes it, a nickname in its place

    @property
    def full(self) -> str:
        return " ".join((self.given, *self.middle, self.family))


_CONNECTORS = re.compile(r"\s+(?:et|and|en|y|und|&)\s+|\s*[,;/]\s*", re.IGNORECASE)
_QUOTED = re.compile(r"[«\"“„]\s*([^»\"”]+?)\s*[»\"”]")
_BRACKETED = re.compile(r"\(([^)]*)\)")


def persons_of(case: Case) -> tuple[tuple[Person, ...], tuple[str, ...]]:
    """The persons a case's `person` field names, and the groups it names in brackets.

    ``"Anna Charyhina et Vira Tchernyhina (Sphère)"`` is two persons and a group;
    ``"Panusaya « Rung » Sithijirawattanakul"`` one person with a nickname. The family
    name is the case's keyword that ends the name (``Caal Xol``) or else its last word.
    """
    groups = tuple(g.strip() for g in _BRACKETED.findall(case.person) if g.strip())
    plain = _BRACKETED.sub(" ", case.person)
    people = []
    for part in _CONNECTORS.split(plain):
        nicknames = tuple(n.strip() for n in _QUOTED.findall(part))
        words = _QUOTED.sub(" ", part).split()
        if not words:
            continue
        if len(words) == 1:
            people.append(Person("", words[0], (), nicknames, part))
            continue
        tail = " ".join(words)
        endings = [k for k in case.keywords if fold_words(k) and len(fold_words(k)) < len(words)
                   and fold_words(tail)[-len(fold_words(k)):] == fold_words(k)]
        family_len = len(max(endings, key=len).split()) if endings else 1
        family_len = min(family_len, len(words) - 1)
        people.append(Person(words[0], " ".join(words[-family_len:]),
                             tuple(words[1:len(words) - family_len]), nicknames, part))
    return tuple(people), groups


def _name_terms(case: Case, people: Sequence[Person]) -> list[tuple[str, Evidence]]:
    drafts: list[tuple[str, Evidence]] = []
    for person in people:
        if person.given:
            drafts += [(person.full, Evidence.FULL_NAME), (person.printed, Evidence.FULL_NAME),
                       (f"{person.given} {person.family}", Evidence.FULL_NAME),
                       (f"{person.family} {person.given}", Evidence.FULL_NAME),
                       (person.given, Evidence.GIVEN_NAME)]
            drafts += [(word, Evidence.OTHER_NAME) for word in person.middle]
        drafts.append((person.family, Evidence.FAMILY_NAME))
        drafts += [(nickname, Evidence.GIVEN_NAME) for nickname in person.nicknames]
    return drafts


def _terms_of(case: Case, campaign: Campaign) -> list[_Term]:
    """The case's terms with what each says; one term per folded text, the strongest."""
    people, groups = persons_of(case)
    embassy = campaign.embassy(case.embassy)
    where = [case.country, case.authority, case.authority_address]
    if embassy is not None:
        where += [embassy.country, embassy.name, embassy.address]
    places = _Page.of("\n".join(where))
    names = _name_terms(case, people)
    name_words = {w for text, _ in names for w in fold_words(text)}
    drafts = list(names)
    drafts += [(case.authority, Evidence.AUTHORITY), (case.country, Evidence.PLACE)]
    if embassy is not None:
        drafts.append((embassy.country, Evidence.PLACE))
    for keyword in (*case.keywords, *groups):
        words = fold_words(keyword)
        if not words or set(words) <= name_words:
            continue  # a name, or a part of one: already a name term
        probe = _Term(case.code, keyword, words, Evidence.DETAIL)
        drafts.append((keyword, Evidence.PLACE if _find(probe, places) else Evidence.DETAIL))
    strongest: dict[tuple[str, ...], _Term] = {}
    for text, evidence in drafts:
        words = fold_words(text)
        if words and (words not in strongest
                      or WEIGHTS[strongest[words].evidence] < WEIGHTS[evidence]):
            strongest[words] = _Term(case.code, text, words, evidence)
    return list(strongest.values())


def _background(case: Case, campaign: Campaign) -> str:
    """Everything the campaign says about a case, to find terms other cases share with it."""
    embassy = campaign.embassy(case.embassy)
    parts = [case.person, *case.keywords, case.authority, case.country, case.authority_address,
             case.summary or "", case.letter or "", case.petition or ""]
    if embassy is not None:
        parts.append(embassy.country)
    return "\n".join(parts)


def _vocabulary(terms: Iterable[_Term]) -> dict[int, tuple[str, ...]]:
    """The words of the terms that may be misread, grouped by the edits they allow."""
    groups: dict[int, set[str]] = {}
    for term in terms:
        if term.letters > SHORT_TERM:
            for word in term.words:
                if _allowed_edits(word):
                    groups.setdefault(_allowed_edits(word), set()).add(word)
    return {allowed: tuple(sorted(words)) for allowed, words in sorted(groups.items())}


# ------------------------------------------------------------------ finding terms

@dataclass(frozen=True, slots=True)
class _Place:
    start: int
    n: int
    similarity: float


def _find(term: _Term, page: _Page) -> list[_Place]:
    """Every place where the term's words are read, exactly or within their allowed edits."""
    n, count = len(term.words), len(page.words)
    fuzzy = term.letters > SHORT_TERM
    first = term.words[0]
    starts = list(page.at.get(first, ()))
    if fuzzy:
        for word in page.near.get(first, ()):
            starts += page.at[word]
    places: list[_Place] = []
    for start in starts:
        if start + n > count:
            continue
        edits = 0
        for want, word in zip(term.words, page.words[start:start + n]):
            if want != word:
                miss = page.near.get(want, {}).get(word) if fuzzy else None
                if miss is None:
                    break
                edits += miss
        else:
            similarity = 1.0 - edits / len(term.key)
            if similarity >= MIN_SIMILARITY:
                places.append(_Place(start, n, similarity))
    if fuzzy:
        # The same letters cut into one word more or fewer: "q'eqchi'" read "qeqchi",
        # "Quintana-Roo" read "QuintanaRoo", "Caal Xol" read "CaalXol".
        compact = term.key.replace(" ", "")
        at = page.joined.find(compact)
        while at >= 0:
            first_word = page.starting.get(at)
            last_word = page.ending.get(at + len(compact))
            if first_word is not None and last_word is not None and last_word - first_word + 1 != n:
                places.append(_Place(first_word, last_word - first_word + 1, 1.0))
            at = page.joined.find(compact, at + 1)
    return sorted(places, key=lambda p: (p.start, p.n))


@dataclass(frozen=True, slots=True)
class _Seen:
    """A term read at one place of the page, as evidence: what kind, how alike, how sure."""

    term: _Term
    place: _Place
    evidence: Evidence
    confidence: float

    @property
    def strength(self) -> float:
        return WEIGHTS[self.evidence] * self.place.similarity * (0.0 if self.term.shared else 1.0)

    @property
    def exact(self) -> bool:
        return self.place.similarity >= 1.0

    @property
    def words(self) -> range:
        return range(self.place.start, self.place.start + self.place.n)


def _evidence(term: _Term, place: _Place, page: _Page) -> _Seen | None:
    """The term at that place as evidence, or None when Tesseract doubts its words."""
    confidence = page.confidence(place.start, place.n)
    least = MIN_CONFIDENCE if place.similarity >= 1.0 else MIN_FUZZY_CONFIDENCE
    if confidence < least:
        return None
    evidence = term.evidence
    if evidence is not Evidence.AUTHORITY and page.addressed(place.start, place.n):
        evidence = Evidence.PLACE  # a sender called Baker, a street, a town: no one is named
    return _Seen(term, place, evidence, confidence)


# ------------------------------------------------------------------ ranking

class CaseMatcher:
    """The terms of one campaign's cases, built once, used for every page."""

    def __init__(self, campaign: Campaign) -> None:
        drafts = [term for case in campaign.cases for term in _terms_of(case, campaign)]
        self._vocabulary = _vocabulary(drafts)
        backgrounds = {case.code: _Page.of(_background(case, campaign)).look_near(self._vocabulary)
                       for case in campaign.cases}
        self.terms: tuple[_Term, ...] = tuple(
            _Term(t.case, t.text, t.words, t.evidence,
                  shared=any(code != t.case and _find(t, page) for code, page in backgrounds.items()))
            for t in drafts)
        self.cases: tuple[str, ...] = tuple(case.code for case in campaign.cases)

    def rank(self, text: str | OcrText) -> tuple[Candidate, ...]:
        """Every case the text gives evidence for (score > 0): named cases first, then by
        score, ties by case code."""
        page = _Page.of(text).look_near(self._vocabulary)
        seen: dict[str, list[_Seen]] = {}
        for term in self.terms:
            for place in _find(term, page):
                found = _evidence(term, place, page)
                if found is not None:
                    seen.setdefault(term.case, []).append(found)
        candidates = [_candidate(case, found, page) for case, found in seen.items()]
        return tuple(sorted((c for c in candidates if c.score > 0),
                            key=lambda c: (not c.named, -c.score, c.case)))


def _candidate(case: str, seen: list[_Seen], page: _Page) -> Candidate:
    """Score a case from its evidence, each term once (at its strongest place), strongest
    first; text already counted counts once ("Galarza" inside "Wendy Galarza" adds nothing;
    elsewhere it adds, once however often it is repeated)."""
    groups: dict[tuple[str, Evidence], list[_Seen]] = {}
    for found in seen:
        groups.setdefault((found.term.text, found.evidence), []).append(found)
    ordered = sorted(groups.values(), key=lambda g: (-max(s.strength for s in g), g[0].term.text,
                                                     g[0].evidence.value))
    counted: set[int] = set()
    kept: list[_Seen] = []
    for group in ordered:
        free = [s for s in group if not counted.issuperset(s.words)]
        if not free:
            continue
        for s in group:
            counted.update(s.words)
        kept.append(max(free, key=lambda s: (s.strength, -s.place.start)))
    doubt = 1.0
    hits = []
    for found in kept:
        doubt *= 1.0 - found.strength
        hits.append(TermHit(found.term.text, page.found(found.place.start, found.place.n),
                            found.place.similarity, found.term.weight, found.evidence.value,
                            round(found.confidence, 1)))
    return Candidate(case, 1.0 - doubt, tuple(hits), _names(kept))


def _names(kept: Sequence[_Seen]) -> bool:
    """Whether the evidence names the case's person (see the module's rules)."""
    usable = [s for s in kept if not s.term.shared]
    if any(s.evidence is Evidence.FULL_NAME and s.place.similarity >= MIN_FUZZY_NAME for s in usable):
        return True
    names = [s for s in usable if s.evidence in _NAME_PARTS]
    details = [s for s in usable if s.evidence is Evidence.DETAIL]
    for name in names:
        for detail in details:
            if set(name.words) & set(detail.words):
                continue
            if name.exact and detail.exact:
                return True
            # A fuzzy read needs one more piece of evidence besides the two.
            others = [s for s in usable if s is not name and s is not detail]
            if (name.exact or detail.exact) and others:
                return True
    return False


@functools.lru_cache(maxsize=16)
def matcher_for(campaign: Campaign) -> CaseMatcher:
    """The matcher of a campaign, built on first use and kept (a campaign is frozen and hashable)."""
    return CaseMatcher(campaign)


def rank_cases(text: str | OcrText, campaign: Campaign) -> tuple[Candidate, ...]:
    """Every case of the campaign that the page text gives evidence for, named ones first.

    Ties are broken by case code so that the same text always gives the same order.
    """
    return matcher_for(campaign).rank(text)


def pick_case(candidates: Sequence[Candidate], settings: MatchSettings) -> Candidate | None:
    """The one named case when it scores enough and clearly leads every other, else None."""
    named = [c for c in candidates if c.named]
    if len(named) != 1:
        return None
    best = named[0]
    runner_up = max((c.score for c in candidates if c is not best), default=0.0)
    if best.score >= settings.min_score and best.score - runner_up >= settings.min_margin:
        return best
    return None
