"""Who is a letter written to: the authority (it goes to the embassy) or the person (it goes
where the case's postcards go, never to the authorities)?

Supporters write two letters per case: one to the authority ("Monsieur le Président, je vous
demande de libérer…") and one of solidarity to the person ("Chère Wendy, tu n'es pas
seule…"). What tells them apart, strongest first:

1. the salutation: a greeting with the person's name or a friendly word ("Chère Wendy",
   "Dear Zhang Zhan", "Beste Janna", "Chère amie") is to the person; a title ("Monsieur le
   Président", "Excellence", "Dear Sir or Madam", "Geachte heer") is to the authority;
2. the register: tutoiement (French "tu", Dutch "jij", counted in the page's language);
3. the phrases: solidarity ("tu n'es pas seule", "we are thinking of you", "sterkte") against
   demands ("je vous demande de libérer", "I urge you to release", "ik vraag u").

When the page says neither clearly, the letter is `UNCLEAR` and a person decides: a letter
to the person handed to an embassy is a misroute like any other.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz.distance import Levenshtein


class Addressee(StrEnum):
    AUTHORITY = "authority"
    PERSON = "person"
    UNCLEAR = "unclear"


@dataclass(frozen=True, slots=True)
class AddresseeFinding:
    """Who the letter is written to, and the signs that say so (for the reasons shown)."""

    addressee: Addressee
    signs: tuple[str, ...]

    @property
    def detail(self) -> str:
        return "; ".join(self.signs) or "no salutation, register or phrase tells"


_GREETINGS = {"cher", "chere", "chers", "cheres", "bonjour", "bonsoir", "salut", "coucou",
              "dear", "dearest", "hi", "hello", "hey", "beste", "lieve", "liefste", "hallo",
              "hoi", "dag", "querida", "querido", "hola"}
_TITLES = {"monsieur", "madame", "mademoiselle", "messieurs", "mesdames", "m", "mme", "mr",
           "mrs", "ms", "miss", "sir", "sirs", "madam", "president", "presidente", "ministre",
           "minister", "excellence", "excellency", "procureur", "prosecutor", "attorney",
           "ambassadeur", "ambassadrice", "ambassador", "heer", "heren", "mevrouw", "meneer",
           "premier", "prime", "general", "senor", "senora", "fiscal", "honourable",
           "honorable", "your", "votre", "uwe", "to", "whom", "commissaire", "gouverneur",
           "governor", "chief", "secretary", "secretaire", "directeur", "director"}
_FRIENDS = {"ami", "amie", "amis", "amies", "friend", "friends", "vriend", "vriendin",
            "vrienden", "soeur", "sister", "frere", "brother", "famille", "family", "familie",
            "camarade", "compagne", "compagnon", "maman", "mama"}
# Salutations that address an office, whatever follows.
_FORMAL_OPENINGS = re.compile(
    r"^(madame|monsieur|messieurs|mesdames|excellence|votre excellence|your excellency|"
    r"excellentie|hooggeachte|geachte|zeer geachte|to whom it may concern|"
    r"dear (sir|madam|mr|mrs|ms|president|minister|prime minister|attorney|prosecutor|"
    r"ambassador|excellency|honourable|honorable))\b")

_FORMAL_FIRST = {"monsieur", "madame", "messieurs", "mesdames", "excellence", "excellentie",
                 "geachte", "hooggeachte", "excellency"}

_LANGUAGE_WORDS = {
    "fr": {"le", "la", "les", "des", "est", "je", "nous", "une", "pour", "que", "qui", "pas",
           "dans", "avec", "sur", "au", "aux", "et"},
    "nl": {"het", "een", "en", "van", "ik", "niet", "dat", "voor", "met", "is", "wij", "we",
           "zijn", "naar", "ook", "op"},
    "en": {"the", "and", "of", "to", "is", "for", "that", "we", "are", "with", "this", "in",
           "on", "not", "be"},
}
_INFORMAL = {"fr": {"tu", "toi", "te", "ton", "ta", "tes", "t"},
             "nl": {"jij", "jou", "jouw", "je", "jullie"}}
_FORMAL = {"fr": {"vous", "votre", "vos"}, "nl": {"u", "uw"}}
MIN_INFORMAL = 3  # words of tutoiement that make a register (one "te" may be a typo or Dutch)

_SOLIDARITY = re.compile(
    r"\b(pas seule?s?|(nous|je) pens(ons|e)( tres fort| fort)? a (toi|vous)|courage|"
    r"ma solidarite|notre solidarite|(nous sommes|je suis) (avec|a tes cotes|a vos cotes) (toi|vous)?|"
    r"prends soin de toi|prenez soin de vous|force a (toi|vous)|bisous|je t embrasse|tiens bon|"
    r"tenez bon|on ne t oublie pas|nous ne vous oublions pas|"
    r"not alone|thinking of you|think of you|stay strong|(we|i) stand with you|"
    r"sending (you )?(love|strength|hugs)|with love|keep (your )?(hope|faith|spirits)|"
    r"you are (so )?brave|hugs|we will not forget you|"
    r"niet alleen|(we|ik) denk(en)? aan (je|jou|u)|veel moed|sterkte|hou vol|houd vol|"
    r"(we|ik) steun(en)? (je|jou|u)|liefs|knuffel|we vergeten je niet)\b")
_DEMANDS = re.compile(
    r"\b((je|nous) vous (demande|demandons|prie|prions|exhorte|exhortons|appelle|appelons)|"
    r"liberer|liberez|liberation|abandonner (les|toutes les) (charges|poursuites)|"
    r"mener une enquete|veuillez agreer|haute consideration|salutations respectueuses|"
    r"respectueuses salutations|vos autorites|votre gouvernement|"
    r"i (urge|call on|ask|request) you|release|drop (all )?(the )?charges|investigat\w+|"
    r"yours faithfully|your government|your authorities|"
    r"ik (vraag|verzoek|roep) u|vrij te laten|vrijlating|vrijlaten|aanklachten|"
    r"hoogachting|uw regering|uw autoriteiten)\b")


def _fold(text: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in plain.casefold()).split())


def _like(word: str, wanted: set[str]) -> bool:
    """The word, or a word one OCR error away from it when it is long enough to tell."""
    if word in wanted:
        return True
    return len(word) >= 6 and any(abs(len(w) - len(word)) <= 1
                                  and Levenshtein.distance(w, word, score_cutoff=1) <= 1
                                  for w in wanted if len(w) >= 6)


def _salutation(lines: list[str], names: set[str]) -> tuple[Addressee, str] | None:
    """The first salutation of the letter and whom it greets."""
    for line in lines[: max(12, len(lines) * 2 // 3)]:
        folded = _fold(line)
        words = folded.split()
        if not words or len(words) > 8:
            continue
        said = f"salutation {line.strip()!r}"
        if words[0] in names and len(words) <= 3 and line.strip()[-1:] in (",", "!"):
            return Addressee.PERSON, said                       # "Wendy,"
        formal = _FORMAL_OPENINGS.match(folded) is not None or _like(words[0], _FORMAL_FIRST)
        if not formal and not _like(words[0], _GREETINGS):
            continue
        rest = [w for w in words[1:] if w not in ("ma", "mon", "mes", "my", "mijn", "tres", "very")]
        if any(w in names for w in rest[:3]):
            return Addressee.PERSON, said                       # "Chère Wendy", "Dear Mr Baker"
        if formal or (rest and _like(rest[0], _TITLES)):
            return Addressee.AUTHORITY, said                    # "Monsieur le Président"
        if rest and _like(rest[0], _FRIENDS):
            return Addressee.PERSON, said                       # "Chère amie"
    return None


def _language(words: list[str]) -> str:
    counts = {lang: sum(w in vocabulary for w in words) for lang, vocabulary in _LANGUAGE_WORDS.items()}
    return max(counts, key=lambda lang: (counts[lang], lang == "fr"))


def addressee_of(text: str, names: Iterable[str]) -> AddresseeFinding:
    """Who the letter `text` is written to; `names` are the words of the named case's person
    (given and family names, nicknames) as the campaign file writes them."""
    lines = [line for line in text.splitlines() if line.strip()]
    wanted = {w for name in names for w in _fold(name).split()}
    greeting = _salutation(lines, wanted)
    if greeting is not None and greeting[0] is Addressee.PERSON:
        return AddresseeFinding(Addressee.PERSON, (greeting[1],))
    if greeting is not None:
        return AddresseeFinding(Addressee.AUTHORITY, (greeting[1],))
    folded = _fold(text)
    words = folded.split()
    language = _language(words)
    signs: list[str] = []
    person = authority = 0
    informal = [w for w in words if w in _INFORMAL.get(language, ())]
    formal = [w for w in words if w in _FORMAL.get(language, ())]
    if len(informal) >= MIN_INFORMAL and len(informal) > len(formal):
        person += 2
        signs.append(f"tutoiement ({len(informal)} words: {', '.join(sorted(set(informal)))})")
    kind_words = [m.group(0) for m in _SOLIDARITY.finditer(folded)]
    if kind_words:
        person += len(set(kind_words))
        signs.append("solidarity: " + ", ".join(f"{w!r}" for w in dict.fromkeys(kind_words)))
    demands = [m.group(0) for m in _DEMANDS.finditer(folded)]
    if demands:
        authority += len(set(demands))
        signs.append("demands: " + ", ".join(f"{w!r}" for w in dict.fromkeys(demands)))
    # Mixed signs decide only when one side clearly outweighs the other ("le courage de Wendy"
    # in a letter of demands; "j'espère qu'ils te libèrent" in a letter that says tu).
    if person and person >= 2 * authority + 2:
        return AddresseeFinding(Addressee.PERSON, tuple(signs))
    if authority and authority >= 2 * person + 1:
        return AddresseeFinding(Addressee.AUTHORITY, tuple(signs))
    return AddresseeFinding(Addressee.UNCLEAR, tuple(signs))
