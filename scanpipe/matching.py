"""Which case does a page's printed text name? Rank the cases, pick one only when it is clear.

Each case is described by terms taken from the campaign file: the person (strong
evidence), the keywords (a surname, a place: medium), the authority and the
country (weak). A term is found in the page when a window of the page's words
with as many words as the term reads the same after folding (accents, case and
punctuation dropped) or nearly the same (OCR errors, measured with Levenshtein
edits per word). Terms of four letters or fewer must match a whole word exactly,
and a word that only adds or drops letters at an end (``Bakery`` for ``Baker``)
is another word. A term also found in the text of another case (a shared
country, "journaliste") cannot tell the two apart, so it weighs nothing.

A case's score combines its distinct terms found as independent evidence,
``1 - prod(1 - weight * similarity)``: it grows with their number and strength
and saturates at 1. `pick_case` routes only a strong score clearly ahead of the
runner-up; a misrouted letter is the worst outcome, review is cheap.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from scanpipe.campaign import Campaign, Case

# Evidence of each kind of term, before sharing is taken into account. A keyword
# that is part of the case's country, authority or its address (``Guatemala``,
# ``Minsk``, ``Afwerki``) says where the letter goes, not who it is about, so it
# weighs as a country. Chosen with the thresholds below (see `MatchSettings`).
PERSON_WEIGHT = 0.9
KEYWORD_WEIGHT = 0.65
AUTHORITY_WEIGHT = 0.5
COUNTRY_WEIGHT = 0.25

MIN_SIMILARITY = 0.8  # of a whole term; below it the text is another word
SHORT_TERM = 4        # letters; terms this short must match a whole word exactly

_WORD = re.compile(r"[^\W_]+")
# "Zala-\ntarou": a word cut at the end of a line is one word (starts at "-" to stay fast).
_CUT_WORD = re.compile(r"-(?<=[^\W\d_]-)[ \t]*\r?\n[ \t]*(?=[^\W\d_])")


@dataclass(frozen=True, slots=True)
class TermHit:
    """One term of a case found in the page: what was looked for, what was read, how alike."""

    term: str          # as written in the campaign file
    found: str         # the text of the page that matched it
    similarity: float  # 0..1; 1 is the same after folding
    weight: float      # evidence the term carries for this case; 0 when other cases share it


@dataclass(frozen=True, slots=True)
class Candidate:
    """A case the page may be about, its score (0..1) and the evidence, strongest first."""

    case: str
    score: float
    hits: tuple[TermHit, ...]


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """How sure the matcher must be to route a page by its printed text.

    Chosen by measurement on the sample campaign: 184 typed letters (300 and
    200 dpi, DejaVu faces 9-12 pt, noise, blur, JPEG; French, English, Dutch)
    read by `scanpipe.ocr.read_text`, plus the same texts with 2/5/10 % of
    OCR-like character errors. Scores of the right case: person 0.90, surname
    or place keyword 0.65, authority with country 0.62-0.76, model letter >= 0.96.
    Pages that must not route: one country 0.25, one country in two spellings
    0.44, an authority's title alone 0.50, no case / scribbles 0; letters naming
    two cases have a runner-up >= 0.52 (a keyword read with errors).
    `min_score` 0.55 sits between 0.50 and 0.62; `min_margin` 0.5 sends every
    letter naming a second case by a keyword or more to review, while a case
    named by its person still routes past another case's country (0.90 vs 0.25).
    Result: no page routed to a case it does not name; 100 % of clean typed
    letters routed, 97 % / 90 % / 77 % with 2 / 5 / 10 % character errors.
    """

    min_score: float = 0.55
    min_margin: float = 0.5


@dataclass(frozen=True, slots=True)
class _Term:
    case: str
    text: str
    words: tuple[str, ...]
    weight: float

    @property
    def key(self) -> str:
        return " ".join(self.words)

    @property
    def letters(self) -> int:
        return sum(len(w) for w in self.words)


@functools.lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """Accents dropped, case folded, anything not a letter or digit turned into a space."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return "".join(c if c.isalnum() else " " for c in plain.casefold())


def fold_words(text: str) -> tuple[str, ...]:
    """The words of `text` as the matcher compares them: ``"Q'eqchi’"`` → ``("q", "eqchi")``."""
    return tuple(_page(text)[1])


def _page(text: str) -> tuple[str, list[str], list[tuple[int, int]]]:
    """The text (NFC, cut words joined), its folded words and each word's span in it."""
    text = _CUT_WORD.sub("", unicodedata.normalize("NFC", text))
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in _WORD.finditer(text):
        folded = _fold(match.group())
        for part in folded.split() if " " in folded else (folded,):
            words.append(part)
            spans.append(match.span())
    return text, words, spans


def _allowed_edits(word: str) -> int:
    # "du" read "de" is another word; "Xol" read "Xo1" is an OCR error.
    return 0 if len(word) <= 2 else max(1, len(word) // 4)


class _Page:
    """A page's words, where each occurs, and which of them are near the campaign's words."""

    def __init__(self, text: str, vocabulary: dict[int, tuple[str, ...]]) -> None:
        self.text, self.words, self.spans = _page(text)
        self.at: dict[str, list[int]] = {}
        for i, word in enumerate(self.words):
            self.at.setdefault(word, []).append(i)
        # The words without spaces, to find a term cut into one word more or fewer.
        self.joined = "".join(self.words)
        self.starting: dict[int, int] = {}
        self.ending: dict[int, int] = {}
        offset = 0
        for i, word in enumerate(self.words):
            self.starting[offset] = i
            offset += len(word)
            self.ending[offset] = i
        self.near = self._near(vocabulary)

    def _near(self, vocabulary: dict[int, tuple[str, ...]]) -> dict[str, dict[str, int]]:
        """For each campaign word, the page's other words within its allowed edits."""
        near: dict[str, dict[str, int]] = {}
        seen = list(self.at)
        if not seen:
            return near
        for allowed, wanted in vocabulary.items():
            edits = process.cdist(wanted, seen, scorer=Levenshtein.distance, score_cutoff=allowed,
                                  dtype=np.int32, workers=1)
            for row, col in zip(*np.nonzero((edits > 0) & (edits <= allowed))):
                want, word = wanted[row], seen[col]
                if not (word.startswith(want) or word.endswith(want)
                        or want.startswith(word) or want.endswith(word)):  # Bakery is not Baker
                    near.setdefault(want, {})[word] = int(edits[row, col])
        return near

    def found(self, start: int, n: int) -> str:
        return self.text[self.spans[start][0]:self.spans[start + n - 1][1]]


@dataclass(frozen=True, slots=True)
class _Seen:
    """A term found in a page: how alike at best, and every place (first word, number of words)."""

    term: _Term
    similarity: float
    places: tuple[tuple[int, int], ...]


def _vocabulary(terms: Iterable[_Term]) -> dict[int, tuple[str, ...]]:
    """The words of the terms that may be misread, grouped by the edits they allow."""
    groups: dict[int, set[str]] = {}
    for term in terms:
        if term.letters > SHORT_TERM:
            for word in term.words:
                if _allowed_edits(word):
                    groups.setdefault(_allowed_edits(word), set()).add(word)
    return {allowed: tuple(sorted(words)) for allowed, words in sorted(groups.items())}


def _find(term: _Term, page: _Page) -> _Seen | None:
    """Every place where the term's words are read, exactly or within their allowed edits."""
    n, count = len(term.words), len(page.words)
    fuzzy = term.letters > SHORT_TERM
    first = term.words[0]
    starts = list(page.at.get(first, ()))
    if fuzzy:
        for word in page.near.get(first, ()):
            starts += page.at[word]
    best = 0.0
    places: list[tuple[int, int]] = []
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
                places.append((start, n))
                best = max(best, similarity)
    if fuzzy:
        # The same letters cut into one word more or fewer: "q'eqchi'" read "qeqchi",
        # "Quintana-Roo" read "QuintanaRoo", "Caal Xol" read "CaalXol".
        compact = term.key.replace(" ", "")
        at = page.joined.find(compact)
        while at >= 0:
            first_word = page.starting.get(at)
            last_word = page.ending.get(at + len(compact))
            if first_word is not None and last_word is not None and last_word - first_word + 1 != n:
                places.append((first_word, last_word - first_word + 1))
                best = 1.0
            at = page.joined.find(compact, at + 1)
    return _Seen(term, best, tuple(sorted(places))) if places else None


class CaseMatcher:
    """The terms of one campaign's cases with their weights, built once, used for every page."""

    def __init__(self, campaign: Campaign) -> None:
        drafts = [term for case in campaign.cases for term in _terms_of(case, campaign)]
        self._vocabulary = _vocabulary(drafts)
        backgrounds = {case.code: _Page(_background(case, campaign), self._vocabulary)
                       for case in campaign.cases}
        terms = []
        for term in drafts:
            shared = any(code != term.case and _find(term, page) is not None
                         for code, page in backgrounds.items())
            terms.append(_Term(term.case, term.text, term.words, 0.0 if shared else term.weight))
        self.terms: tuple[_Term, ...] = tuple(terms)
        self.cases: tuple[str, ...] = tuple(case.code for case in campaign.cases)

    def rank(self, text: str) -> tuple[Candidate, ...]:
        """Every case the text names (score > 0), best first, ties by case code."""
        page = _Page(text, self._vocabulary)
        seen: dict[str, list[_Seen]] = {}
        for term in self.terms:
            found = _find(term, page)
            if found is not None:
                seen.setdefault(term.case, []).append(found)
        candidates = [_candidate(case, found, page) for case, found in seen.items()]
        return tuple(sorted((c for c in candidates if c.score > 0), key=lambda c: (-c.score, c.case)))


def _candidate(case: str, seen: list[_Seen], page: _Page) -> Candidate:
    """Score a case from its terms found, strongest first; text already counted counts once.

    "Galarza" inside "Wendy Galarza", or "Guatemala" inside the authority's title,
    is the same evidence as the longer term and adds nothing; elsewhere it adds.
    """
    seen.sort(key=lambda s: (-s.term.weight * s.similarity, s.term.text))
    counted: set[int] = set()
    hits = []
    doubt = 1.0
    for found in seen:
        free = [(start, n) for start, n in found.places if not counted.issuperset(range(start, start + n))]
        if not free:
            continue
        for start, n in found.places:
            counted.update(range(start, start + n))
        hits.append(TermHit(found.term.text, page.found(*free[0]), found.similarity, found.term.weight))
        doubt *= 1.0 - found.term.weight * found.similarity
    return Candidate(case, 1.0 - doubt, tuple(hits))


def _terms_of(case: Case, campaign: Campaign) -> list[_Term]:
    """The case's terms with their weight by kind; one term per folded text, the strongest."""
    embassy = campaign.embassy(case.embassy)
    where = [case.country, case.authority, case.authority_address]
    if embassy is not None:
        where += [embassy.country, embassy.name]
    keywords = [_Term(case.code, k, fold_words(k), KEYWORD_WEIGHT) for k in case.keywords]
    places = _Page("\n".join(where), {})
    drafts = [(case.person, PERSON_WEIGHT), (case.authority, AUTHORITY_WEIGHT),
              (case.country, COUNTRY_WEIGHT)]
    if embassy is not None:
        drafts.append((embassy.country, COUNTRY_WEIGHT))
    for term in keywords:
        drafts.append((term.text, COUNTRY_WEIGHT if _find(term, places) else KEYWORD_WEIGHT))
    strongest: dict[tuple[str, ...], _Term] = {}
    for text, weight in drafts:
        words = fold_words(text)
        if words and (words not in strongest or strongest[words].weight < weight):
            strongest[words] = _Term(case.code, text, words, weight)
    return list(strongest.values())


def _background(case: Case, campaign: Campaign) -> str:
    """Everything the campaign says about a case, to find terms other cases share with it."""
    embassy = campaign.embassy(case.embassy)
    parts = [case.person, *case.keywords, case.authority, case.country, case.authority_address,
             case.summary or "", case.letter or "", case.petition or ""]
    if embassy is not None:
        parts.append(embassy.country)
    return "\n".join(parts)


@functools.lru_cache(maxsize=16)
def matcher_for(campaign: Campaign) -> CaseMatcher:
    """The matcher of a campaign, built on first use and kept (a campaign is frozen and hashable)."""
    return CaseMatcher(campaign)


def rank_cases(text: str, campaign: Campaign) -> tuple[Candidate, ...]:
    """Every case of the campaign that the page text names (score > 0), best first.

    Ties are broken by case code so that the same text always gives the same order.
    """
    return matcher_for(campaign).rank(text)


def pick_case(candidates: Sequence[Candidate], settings: MatchSettings) -> Candidate | None:
    """The best candidate when it is strong and clearly ahead of the runner-up, else None."""
    if not candidates:
        return None
    best = candidates[0]
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    if best.score >= settings.min_score and best.score - runner_up >= settings.min_margin:
        return best
    return None
