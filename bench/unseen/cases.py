"""The cases the unseen pages write about, and which cases a text names.

A campaign file says how a case is routed; this module adds what a supporter
knows about the person (given name, surname, nickname, gender for French
agreement, the case's places and namesakes) so that texts can be written about
them. `named_cases` is the truth of every composed page, read on the text the
page was made from (never on OCR): a case is named by its person — the full
name, the given name with the surname, or either of them (or a nickname)
together with a context word of the case. A context word is a keyword of the
case that is none of its person's names, its country, its authority or a word
of its addresses; a place, a keyword, an authority or a country alone names
nobody.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from scanpipe.domain.campaign import Campaign, Case, parse_campaign

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CAMPAIGN_FILES = (ROOT / "samples" / "campaign.toml", HERE / "campaign-w4r2022.toml",
                  HERE / "campaign-w4r2020.toml")
LANGS = ("fr", "nl", "en")
# Words that join a name rather than name anyone: "Teodora del Carmen Vásquez", "al-Sadah".
PARTICLES = frozenset({"de", "del", "la", "le", "du", "da", "dos", "van", "der", "den", "von",
                       "al", "el", "bin", "ibn"})


@dataclass(frozen=True)
class Person:
    """One person of a case, as people write their name."""

    given: str
    surname: str
    middle: str = ""
    nickname: str = ""
    surname_first: bool = False   # "Zhang Zhan", "Chow Hang-tung"

    @property
    def full(self) -> str:
        parts = (self.surname, self.given) if self.surname_first else \
            (self.given, self.middle, self.surname)
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Facts:
    """What a supporter knows of a case beyond its campaign file."""

    people: tuple[Person, ...]
    gender: str                                   # m, f, mp, fp: French and English agreement
    country: tuple[str, str, str]                 # in fr, nl, en
    context: tuple[tuple[str, str], ...] = ()     # (keyword, kind: place, org, movement, custom)
    places: tuple[str, ...] = ()                  # cities and regions, in several spellings
    namesakes: tuple[str, ...] = ()               # other people sharing a name word: "Baker (2011)"


def _p(given: str, surname: str, **kw) -> Person:
    return Person(given, surname, **kw)


# Keyed by (campaign id, case code). Every context keyword the campaign file implies must have
# a kind here (checked in `case_infos`), so sentences about it read naturally.
FACTS: dict[tuple[str, str], Facts] = {
    ("MDL2021", "CAAL"): Facts(
        (_p("Bernardo", "Caal Xol"),), "m", ("le Guatemala", "Guatemala", "Guatemala"),
        (("Cahabón", "place"), ("q'eqchi'", "custom")),
        ("Cahabón", "Alta Verapaz", "Ciudad de Guatemala", "Cobán")),
    ("MDL2021", "CIHAM"): Facts(
        (_p("Ciham", "Ali Ahmed"),), "f", ("l'Érythrée", "Eritrea", "Eritrea"), (),
        ("Asmara", "Massawa"), ("Ahmed",)),
    ("MDL2021", "JANNA"): Facts(
        (_p("Janna", "Jihad"),), "f", ("les Territoires palestiniens occupés",
                                       "de bezette Palestijnse gebieden",
                                       "the Occupied Palestinian Territories"),
        (("Nabi Saleh", "place"), ("journaliste", "custom")), ("Nabi Saleh", "Tel Aviv", "Ramallah"),
        ("Janna Levin",)),
    ("MDL2021", "IMOLEAYO"): Facts(
        (_p("Imoleayo", "Adeyeun Michael"),), "m", ("le Nigeria", "Nigeria", "Nigeria"),
        (("EndSARS", "movement"),), ("Abuja", "Lagos", "Maitama"), ("Michael",)),
    ("MDL2021", "BAKER"): Facts(
        (_p("Mohamed", "Baker"),), "m", ("l'Égypte", "Egypte", "Egypt"), (("Adalah", "org"),),
        ("Le Caire", "Cairo", "Alexandrie"), ("Baker",)),
    ("MDL2021", "ZHANG"): Facts(
        (_p("Zhan", "Zhang", surname_first=True),), "f", ("la Chine", "China", "China"),
        (("Wuhan", "place"),), ("Wuhan", "Hubei", "Shanghai", "Beijing"), ("Zhang",)),
    ("MDL2021", "MIKITA"): Facts(
        (_p("Mikita", "Zalatarou"),), "m", ("le Bélarus", "Belarus", "Belarus"), (),
        ("Minsk", "Homiel", "Gomel")),
    ("MDL2021", "WENDY"): Facts(
        (_p("Wendy", "Galarza"),), "f", ("le Mexique", "Mexico", "Mexico"), (("Cancún", "place"),),
        ("Cancún", "Cancun", "Quintana Roo", "Chetumal"), ("Wendy Brown", "Galarza")),
    ("MDL2021", "SPHERE"): Facts(
        (_p("Anna", "Charyhina"), _p("Vira", "Tchernyhina")), "fp",
        ("l'Ukraine", "Oekraïne", "Ukraine"),
        (("Sphère", "org"), ("Sphere", "org"), ("Kharkiv", "place")),
        ("Kharkiv", "Charkiv", "Kharkov", "Kyiv"), ("Anna Tsing",)),
    ("MDL2021", "RUNG"): Facts(
        (_p("Panusaya", "Sithijirawattanakul", nickname="Rung"),), "f",
        ("la Thaïlande", "Thailand", "Thailand"), (), ("Bangkok", "Dusit")),
    # Schrijfmarathon 2022 (bench/unseen/campaign-w4r2022.toml)
    ("SVR2022", "CHOW"): Facts(
        (_p("Hang-tung", "Chow", surname_first=True),), "f", ("Hong Kong", "Hongkong", "Hong Kong"),
        (("Tiananmen", "custom"), ("Hong Kong Alliance", "org")), ("Hong Kong", "Kowloon"),
        ("Chow",)),
    ("SVR2022", "NGUESSAN"): Facts(
        (_p("Dorgelesse", "Nguessan"),), "f", ("le Cameroun", "Kameroen", "Cameroon"),
        (("Douala", "place"), ("kapster", "custom")), ("Douala", "Yaoundé", "Yaounde")),
    ("SVR2022", "ZIMTHREE"): Facts(
        (_p("Joanah", "Mamombe"), _p("Cecillia", "Chimbiri"), _p("Netsai", "Marova")), "fp",
        ("le Zimbabwe", "Zimbabwe", "Zimbabwe"), (("MDC Alliance", "org"),), ("Harare", "Bulawayo")),
    ("SVR2022", "OTERO"): Facts(
        (_p("Luis Manuel", "Otero Alcántara"),), "m", ("Cuba", "Cuba", "Cuba"),
        (("San Isidro", "movement"),), ("La Habana", "Havana", "La Havane"), ("Otero",)),
    ("SVR2022", "SASHA"): Facts(
        (_p("Aleksandra", "Skochilenko", nickname="Sasha"),), "f", ("la Russie", "Rusland", "Russia"),
        (("Sint-Petersburg", "place"), ("prijskaartjes", "custom")),
        ("Sint-Petersburg", "Saint-Pétersbourg", "St Petersburg", "Moscou", "Moskou")),
    ("SVR2022", "RITA"): Facts(
        (_p("Rita", "Karasartova"),), "f", ("le Kirghizistan", "Kirgizië", "Kyrgyzstan"),
        (("Kempir-Abad", "place"),), ("Bichkek", "Bishkek", "Bisjkek", "Och")),
    ("SVR2022", "YREN"): Facts(
        (_p("Yren", "Rotela"),), "f", ("le Paraguay", "Paraguay", "Paraguay"),
        (("transactiviste", "custom"),), ("Asunción", "Asuncion")),
    ("SVR2022", "ZINEB"): Facts(
        (_p("Zineb", "Redouane"),), "f", ("la France", "Frankrijk", "France"),
        (("Marseille", "place"), ("traangasgranaat", "custom")), ("Marseille", "Noailles")),
    ("SVR2022", "TEODORA"): Facts(
        (_p("Teodora", "Vásquez", middle="del Carmen"),), "f",
        ("le Salvador", "El Salvador", "El Salvador"), (("miskraam", "custom"),),
        ("San Salvador", "Soyapango"), ("Vásquez",)),
    ("SVR2022", "AFKARI"): Facts(
        (_p("Vahid", "Afkari"),), "m", ("l'Iran", "Iran", "Iran"), (("Shiraz", "place"),),
        ("Shiraz", "Téhéran", "Teheran", "Tehran")),
    # Write for Rights 2020 (bench/unseen/campaign-w4r2020.toml)
    ("W4R2020", "JANI"): Facts(
        (_p("Jani", "Silva"),), "f", ("la Colombie", "Colombia", "Colombia"),
        (("Putumayo", "place"), ("Perla Amazónica", "place")), ("Putumayo", "Bogotá", "Puerto Asís"),
        ("Silva",)),
    ("W4R2020", "DRARENI"): Facts(
        (_p("Khaled", "Drareni"),), "m", ("l'Algérie", "Algerije", "Algeria"),
        (("Casbah Tribune", "org"), ("Hirak", "movement")), ("Alger", "Algiers", "Oran")),
    ("W4R2020", "NASSIMA"): Facts(
        (_p("Nassima", "al-Sadah"),), "f", ("l'Arabie saoudite", "Saudi-Arabië", "Saudi Arabia"),
        (("Qatif", "place"),), ("Qatif", "Riyad", "Riyadh", "Dammam")),
    ("W4R2020", "POPIBONGEKA"): Facts(
        (_p("Popi", "Qwabe"), _p("Bongeka", "Phungula")), "fp",
        ("l'Afrique du Sud", "Zuid-Afrika", "South Africa"), (), ("Soweto", "Pretoria", "Johannesburg")),
    ("W4R2020", "GATICA"): Facts(
        (_p("Gustavo", "Gatica"),), "m", ("le Chili", "Chili", "Chile"), (("Carabineros", "org"),),
        ("Santiago", "Valparaíso"), ("Gatica",)),
    ("W4R2020", "PAING"): Facts(
        (_p("Paing", "Phyo Min"),), "m", ("le Myanmar", "Myanmar", "Myanmar"),
        (("Peacock Generation", "org"), ("thangyat", "custom")), ("Yangon", "Rangoon", "Nay Pyi Taw")),
    ("W4R2020", "METU"): Facts(
        (_p("Melike", "Balkan"), _p("Özgür", "Gür")), "mp", ("la Turquie", "Turkije", "Turkey"),
        (("ODTÜ", "org"), ("METU Pride", "custom")), ("Ankara", "Istanbul"), ("Balkan",)),
    ("W4R2020", "KHATTAK"): Facts(
        (_p("Idris", "Khattak"),), "m", ("le Pakistan", "Pakistan", "Pakistan"), (),
        ("Peshawar", "Islamabad", "Karachi")),
}


@dataclass(frozen=True)
class CaseInfo:
    """A case as the generator writes about it: its campaign, its facts, its context words."""

    campaign_file: str        # relative to the repository root
    campaign: Campaign
    case: Case
    facts: Facts
    context: tuple[str, ...]  # context keywords, from the campaign file

    @property
    def key(self) -> str:
        return f"{self.campaign.id}:{self.case.code}"

    def country(self, lang: str) -> str:
        return self.facts.country[LANGS.index(lang)]

    def context_kind(self, word: str) -> str:
        return dict(self.facts.context)[word]


# ------------------------------------------------------------------ normalised words

def fold(text: str) -> str:
    """Lower case, no accents, apostrophes and dashes unified."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold().replace("’", "'").replace("‐", "-").replace("–", "-")


def words(text: str) -> tuple[str, ...]:
    """The words of a text, folded; a hyphen or apostrophe inside a word keeps it whole."""
    return tuple(re.findall(r"[0-9a-zøæß]+(?:['-][0-9a-zøæß]+)*", fold(text)))


def _joined(text: str) -> str:
    return " " + " ".join(words(text)) + " "


def _has(joined: str, phrase: str) -> bool:
    needle = " ".join(words(phrase))
    return bool(needle) and f" {needle} " in joined


def _given_forms(person: Person) -> tuple[str, ...]:
    forms = [person.given, *words(person.given)]
    if person.nickname:
        forms.append(person.nickname)
    return tuple(dict.fromkeys(forms))


def _surname_forms(person: Person) -> tuple[str, ...]:
    # Each word of a compound surname counts: "Bernardo Caal" names Bernardo Caal Xol.
    tokens = [t for t in words(f"{person.middle} {person.surname}")
              if t not in PARTICLES and len(t) >= 3]
    return tuple(dict.fromkeys([person.surname, *tokens]))


def name_words(info: CaseInfo) -> frozenset[str]:
    """Every folded word of the case's people's names."""
    out: set[str] = set()
    for person in info.facts.people:
        out.update(words(f"{person.given} {person.middle} {person.surname} {person.nickname}"))
    return frozenset(out - PARTICLES)


def names_case(text: str, info: CaseInfo) -> bool:
    """Whether `text` names the case's person by the issue's rule (see the module docstring)."""
    joined = _joined(text)
    context = any(_has(joined, word) for word in info.context)
    for person in info.facts.people:
        if _has(joined, person.full) or _has(joined, f"{person.given} {person.surname}"):
            return True
        given = any(_has(joined, g) for g in _given_forms(person))
        surname = any(_has(joined, s) for s in _surname_forms(person))
        if (given and surname) or ((given or surname) and context):
            return True
    return False


def named_cases(text: str, infos: tuple[CaseInfo, ...]) -> frozenset[str]:
    """The codes of the cases `text` names (the cases of one campaign)."""
    return frozenset(info.case.code for info in infos if names_case(text, info))


def mentions_any_name(text: str, info: CaseInfo) -> bool:
    """Whether any single word of the case's people's names is in `text`."""
    return bool(set(words(text)) & name_words(info))


# ------------------------------------------------------------------ loading

def _context_words(campaign: Campaign, case: Case, facts: Facts) -> tuple[str, ...]:
    """Keywords that are none of the person's names, the country, the authority or an address."""
    names = set()
    for person in facts.people:
        names.update(words(f"{person.given} {person.middle} {person.surname} {person.nickname}"))
    names -= PARTICLES
    embassy = campaign.embassy(case.embassy)
    reserved_text = " ".join([case.country, case.authority, case.authority_address,
                              embassy.country if embassy else "", embassy.address if embassy else "",
                              case.postcards.address or "", case.postcards.name or ""])
    reserved = set(words(reserved_text))
    out = []
    for keyword in case.keywords:
        tokens = words(keyword)
        if not tokens or set(tokens) & names or set(tokens) <= reserved:
            continue
        out.append(keyword)
    return tuple(out)


@functools.cache
def case_infos(campaign_file: Path) -> tuple[CaseInfo, ...]:
    """The cases of one campaign file with their facts; fails loudly when the facts are wrong."""
    campaign = parse_campaign(campaign_file.read_text(encoding="utf-8"))
    rel = str(campaign_file.resolve().relative_to(ROOT))
    out = []
    for case in campaign.cases:
        facts = FACTS.get((campaign.id, case.code))
        if facts is None:
            raise KeyError(f"no facts for case {case.code} of {campaign.id}: add them to FACTS")
        person_words = set(words(case.person))
        for person in facts.people:
            missing = set(words(f"{person.given} {person.surname}")) - person_words
            if missing:
                raise ValueError(f"{case.code}: {sorted(missing)} not in the person {case.person!r}")
        context = _context_words(campaign, case, facts)
        kinds = dict(facts.context)
        if set(context) != set(kinds):
            raise ValueError(f"{case.code}: context keywords {sorted(context)} but facts give "
                             f"{sorted(kinds)}")
        out.append(CaseInfo(rel, campaign, case, facts, context))
    return tuple(out)


def all_infos() -> tuple[CaseInfo, ...]:
    """Every case of every campaign the unseen pages write about, campaign by campaign."""
    return tuple(info for path in CAMPAIGN_FILES for info in case_infos(path))


@functools.cache
def all_name_words() -> frozenset[str]:
    """Every name word of every case: the sender and author banks must avoid them."""
    out: set[str] = set()
    for info in all_infos():
        out |= name_words(info)
    return frozenset(out)
