"""The words of the auditors' reconciliation report, in French (default), English and Dutch.

Keys are namespaced after what they name: `figure.*`, `table.*` and `column.*`
(the fixed keys of `models.audit.report_types`), `outcome.*`, `exception.*`,
`state.*` (bundle states), `kind.*` (item kinds), `series.*` (chart legends)
and `phrase.*`; `published.*` and `case_outcome.*` for the campaign's published figures.
Numbers are written here too, because "12 345", "12,345" and "12.345" are the same number
in three languages.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("fr", "en", "nl")

# key → (fr, en, nl)
_CATALOGUE: dict[str, tuple[str, str, str]] = {
    # phrases
    "phrase.title": ("Rapport de rapprochement", "Reconciliation report", "Afstemmingsrapport"),
    "phrase.campaign": ("Campagne : {id}", "Campaign: {id}", "Campagne: {id}"),
    "phrase.covers": ("Couvre le registre jusqu'à l'événement {seq}",
                      "Covers the ledger up to event {seq}",
                      "Omvat het register tot en met gebeurtenis {seq}"),
    "phrase.hash": ("Empreinte de cet événement : {hash}", "Hash of that event: {hash}",
                    "Hash van die gebeurtenis: {hash}"),
    "phrase.made_at": ("Établi le {when}", "Made at {when}", "Opgesteld op {when}"),
    "phrase.figures": ("Chiffres clés", "Headline figures", "Kerncijfers"),
    "phrase.charts": ("Graphiques", "Charts", "Grafieken"),
    "phrase.tables": ("Tableaux", "Tables", "Tabellen"),
    "phrase.none": ("aucune ligne", "none", "geen"),
    "phrase.no_data": ("pas de données", "no data", "geen gegevens"),
    "phrase.more_rows": ("… et {count} lignes de plus (voir le CSV)",
                         "… and {count} more rows (see the CSV)",
                         "… en nog {count} rijen (zie de CSV)"),
    "phrase.more_row": ("… et 1 ligne de plus (voir le CSV)", "… and 1 more row (see the CSV)",
                        "… en nog 1 rij (zie de CSV)"),
    "phrase.footer": ("registre jusqu'à l'événement {seq}", "ledger up to event {seq}",
                      "register tot gebeurtenis {seq}"),
    "phrase.page": ("page {page} / {pages}", "page {page} / {pages}", "pagina {page} / {pages}"),
    "phrase.more_in": ("… et {count} lignes de plus : voir {file}",
                       "… and {count} more rows: see {file}",
                       "… en nog {count} rijen: zie {file}"),
    "phrase.full_lists": ("Les listes complètes sont dans les tableurs : scanpipe audit report "
                          "--format csv (un fichier par tableau) ou --format xlsx (une feuille "
                          "par tableau).",
                          "The full lists are in the spreadsheets: scanpipe audit report "
                          "--format csv (one file per table) or --format xlsx (one sheet per "
                          "table).",
                          "De volledige lijsten staan in de rekenbladen: scanpipe audit report "
                          "--format csv (een bestand per tabel) of --format xlsx (een blad per "
                          "tabel)."),
    "phrase.exceptions": ("Ce qui demande une personne", "What needs a person",
                          "Wat iemand moet nakijken"),
    "phrase.exceptions_note": ("Les pièces qui attendent une liasse et celles arrivées après "
                               "l'échéance sont des chiffres, pas des exceptions ; les versos "
                               "blancs restent avec leur feuille.",
                               "Pieces waiting for a bundle and pieces that came in after the "
                               "deadline are figures, not exceptions; blank backs stay with "
                               "their sheet.",
                               "Stukken die op een bundel wachten en stukken die na de deadline "
                               "binnenkwamen zijn cijfers, geen uitzonderingen; blanco "
                               "achterkanten blijven bij hun blad."),
    "phrase.nothing_needed": ("Rien n'attend une personne.", "Nothing needs a person.",
                              "Niets hoeft nagekeken te worden."),
    "phrase.full_list": ("Liste complète : {file}", "Full list: {file}",
                         "Volledige lijst: {file}"),
    "phrase.others": ("autres ({count})", "others ({count})", "andere ({count})"),
    "phrase.yes": ("oui", "yes", "ja"),
    "phrase.no": ("non", "no", "nee"),
    "phrase.chart_by_day": ("Pièces par jour", "Pieces per day", "Stukken per dag"),
    "phrase.chart_by_week": ("Pièces par semaine", "Pieces per week", "Stukken per week"),
    "phrase.chart_by_destination": ("Pièces par destinataire", "Pieces per destination",
                                    "Stukken per bestemming"),
    "phrase.chart_delivery": ("Avancement de la remise par cas", "Delivery progress per case",
                              "Voortgang van de levering per zaak"),
    # chart legends (delivery progress: each piece in exactly one segment)
    "series.delivered": ("remises", "delivered", "afgeleverd"),
    "series.dispatched": ("expédiées, pas encore remises", "dispatched, not yet delivered",
                          "verzonden, nog niet afgeleverd"),
    "series.bundled": ("en liasse, pas expédiées", "bundled, not dispatched",
                       "gebundeld, niet verzonden"),
    "series.routed": ("triées, pas en liasse", "routed, not bundled",
                      "gesorteerd, niet gebundeld"),
    "series.back": ("revenues", "back", "teruggekomen"),
    # headline figures
    "figure.kits_sent": ("Kits envoyés", "Kits sent", "Verstuurde kits"),
    "figure.kits_returned": ("Kits revenus", "Kits returned", "Teruggekomen kits"),
    "figure.return_rate": ("Taux de retour des kits", "Kit return rate", "Retourpercentage kits"),
    "figure.anonymous_batches": ("Enveloppes sans kit", "Envelopes without a kit",
                                 "Enveloppen zonder kit"),
    "figure.items": ("Pages reçues", "Items taken in", "Ontvangen pagina's"),
    "figure.pieces": ("Pièces de campagne triées", "Campaign pieces routed",
                      "Gesorteerde campagnestukken"),
    "figure.solidarity_letters": ("dont lettres à la personne", "of which letters to the person",
                                  "waarvan solidariteitsbrieven"),
    "figure.signatures": ("Signatures sur les pétitions", "Signatures on petitions",
                          "Handtekeningen op petities"),
    "figure.delivered": ("Pièces remises", "Pieces delivered", "Afgeleverde stukken"),
    "figure.pending": ("Pièces pas encore remises", "Pieces not yet delivered",
                       "Nog niet afgeleverde stukken"),
    "figure.waiting": ("dont en attente d'une liasse", "of which waiting for a bundle",
                       "waarvan wachtend op een bundel"),
    "figure.late": ("Pièces arrivées après l'échéance", "Pieces in after the deadline",
                    "Stukken binnen na de deadline"),
    "figure.in_review": ("En attente de décision", "Waiting for review", "Wachten op beoordeling"),
    "figure.set_aside": ("Mises de côté", "Set aside", "Apart gelegd"),
    "figure.unreadable_files": ("Fichiers illisibles", "Unreadable files", "Onleesbare bestanden"),
    "figure.blank_sides": ("Versos blancs (avec leur fichier)", "Blank sides (kept with their file)",
                           "Blanco achterkanten (bij hun bestand)"),
    "figure.picture_sides": ("Faces illustrées des cartes (avec leur fichier)",
                             "Postcard picture sides (kept with their file)",
                             "Afbeeldingszijden van kaarten (bij hun bestand)"),
    "figure.quarantined_files": ("Fichiers mis en quarantaine sans lecture", "Files quarantined unread",
                                 "Ongelezen in quarantaine gezette bestanden"),
    "figure.duplicates": ("Doublons (non comptés)", "Duplicates (not counted)",
                          "Dubbele scans (niet geteld)"),
    "figure.bundles": ("Liasses fermées", "Bundles closed", "Gesloten bundels"),
    "figure.bundles_delivered": ("Liasses remises", "Bundles delivered", "Afgeleverde bundels"),
    "figure.sheet_mismatches": ("Bordereaux discordants", "Sheet mismatches",
                                "Afwijkende leveringsbonnen"),
    "figure.exceptions": ("Exceptions (à voir par une personne)", "Exceptions (for a person)",
                          "Uitzonderingen (voor een persoon)"),
    # table titles
    "table.by_case": ("Pièces par cas", "Pieces per case", "Stukken per zaak"),
    "table.by_destination": ("Pièces par destinataire", "Pieces per destination",
                             "Stukken per bestemming"),
    "table.by_kind": ("Pages par type", "Items per kind", "Pagina's per soort"),
    "table.by_station": ("Pages par poste", "Items per station", "Pagina's per station"),
    "table.by_operator": ("Pages par opérateur", "Items per operator", "Pagina's per medewerker"),
    "table.by_day": ("Par jour", "Per day", "Per dag"),
    "table.by_week": ("Par semaine", "Per week", "Per week"),
    "table.late": ("Arrivées après l'échéance", "In after the deadline", "Na de deadline"),
    "table.bundle_states": ("Liasses par état", "Bundles per state", "Bundels per status"),
    "table.exception_summary": ("Exceptions", "Exceptions", "Uitzonderingen"),
    "table.figures": ("Chiffres", "Figures", "Cijfers"),
    "table.outcomes": ("Devenir des pages", "Where every item ended", "Eindstatus van de pagina's"),
    "table.delivery": ("Remise par cas et destinataire", "Delivery per case and destination",
                       "Levering per zaak en bestemming"),
    "table.bundles": ("Liasses", "Bundles", "Bundels"),
    "table.duplicates": ("Doublons", "Duplicates", "Dubbele scans"),
    "table.exceptions": ("Exceptions à examiner", "Exceptions to look at",
                         "Uitzonderingen om na te kijken"),
    # column headers
    "column.case": ("Cas", "Case", "Zaak"),
    "column.person": ("Personne", "Person", "Persoon"),
    "column.letters": ("Lettres à l'autorité", "Letters to the authority",
                       "Brieven aan de autoriteit"),
    "column.solidarity_letters": ("Lettres à la personne", "Letters to the person",
                                  "Solidariteitsbrieven"),
    "column.postcards": ("Cartes", "Postcards", "Kaarten"),
    "column.petitions": ("Pétitions", "Petitions", "Petities"),
    "column.signatures": ("Signatures", "Signatures", "Handtekeningen"),
    "column.pieces": ("Pièces", "Pieces", "Stukken"),
    "column.destination": ("Destinataire", "Destination", "Bestemming"),
    "column.kind": ("Type", "Kind", "Soort"),
    "column.items": ("Pages", "Items", "Pagina's"),
    "column.station": ("Poste", "Station", "Station"),
    "column.operator": ("Opérateur", "Operator", "Medewerker"),
    "column.day": ("Jour", "Day", "Dag"),
    "column.week": ("Semaine", "Week", "Week"),
    "column.figure": ("Chiffre", "Figure", "Cijfer"),
    "column.value": ("Valeur", "Value", "Waarde"),
    "column.count": ("Nombre", "Count", "Aantal"),
    "column.first": ("Les premiers", "The first ones", "De eerste"),
    "column.bundles": ("Liasses", "Bundles", "Bundels"),
    "column.outcome": ("Devenir", "Outcome", "Eindstatus"),
    "column.routed": ("Triées", "Routed", "Gesorteerd"),
    "column.bundled": ("En liasse", "Bundled", "Gebundeld"),
    "column.dispatched": ("Expédiées", "Dispatched", "Verzonden"),
    "column.delivered": ("Remises", "Delivered", "Afgeleverd"),
    "column.back": ("Revenues", "Back", "Terug"),
    "column.bundle": ("Liasse", "Bundle", "Bundel"),
    "column.state": ("État", "State", "Status"),
    "column.late": ("En retard", "Late", "Te laat"),
    "column.sheet_letters": ("Bordereau : lettres à l'autorité", "Sheet: letters to the authority",
                             "Bon: brieven aan de autoriteit"),
    "column.sheet_solidarity_letters": ("Bordereau : lettres à la personne",
                                        "Sheet: letters to the person",
                                        "Bon: solidariteitsbrieven"),
    "column.sheet_postcards": ("Bordereau : cartes", "Sheet: postcards", "Bon: kaarten"),
    "column.sheet_petitions": ("Bordereau : pétitions", "Sheet: petitions", "Bon: petities"),
    "column.sheet_signatures": ("Bordereau : signatures", "Sheet: signatures",
                                "Bon: handtekeningen"),
    "column.sheet_pieces": ("Bordereau : pièces", "Sheet: pieces", "Bon: stukken"),
    "column.sheets": ("Bordereaux", "Sheets", "Bonnen"),
    "column.agrees": ("Concorde", "Agrees", "Klopt"),
    "column.item": ("Page n°", "Item", "Item nr."),
    "column.source": ("Fichier", "File", "Bestand"),
    "column.page": ("Page du fichier", "Page of the file", "Pagina van het bestand"),
    "column.exception": ("Exception", "Exception", "Uitzondering"),
    "column.detail": ("Détail", "Detail", "Details"),
    # the campaign's published figures (`scanpipe figures --format csv`)
    "published.letters_to_authority": ("Lettres à l'autorité", "Letters to the authority",
                                       "Brieven aan de autoriteit"),
    "published.letters_to_person": ("Lettres à la personne", "Letters to the person",
                                    "Solidariteitsbrieven"),
    "published.postcards": ("Cartes", "Postcards", "Kaarten"),
    "published.petition_sheets": ("Feuilles de pétition", "Petition sheets", "Petitiebladen"),
    "published.paper_signatures": ("Signatures sur papier", "Paper signatures",
                                   "Handtekeningen op papier"),
    "published.uncounted_sheets": ("Feuilles non comptées", "Sheets not counted",
                                   "Niet getelde bladen"),
    "published.online_signatures": ("Signatures en ligne", "Online signatures",
                                    "Online handtekeningen"),
    "published.letters_and_signatures": ("Lettres et signatures", "Letters and signatures",
                                         "Brieven en handtekeningen"),
    "published.complete": ("Compté en entier", "Fully counted", "Volledig geteld"),
    "published.online": ("En ligne : {source}", "Online: {source}", "Online: {source}"),
    "published.outcome": ("Issue", "Outcome", "Afloop"),
    "published.outcome_date": ("Date de l'issue", "Outcome date", "Datum van de afloop"),
    "published.total": ("Total", "Total", "Totaal"),
    # what became of a case (`scanpipe.domain.outcomes.Outcome`)
    "case_outcome.freed": ("libéré·e", "freed", "vrijgelaten"),
    "case_outcome.acquitted": ("acquitté·e", "acquitted", "vrijgesproken"),
    "case_outcome.charges-dropped": ("poursuites abandonnées", "charges dropped",
                                     "aanklacht ingetrokken"),
    "case_outcome.released-on-bail": ("libéré·e sous caution", "released on bail",
                                      "vrij op borgtocht"),
    "case_outcome.sentence-reduced": ("peine réduite", "sentence reduced", "straf verminderd"),
    "case_outcome.other": ("autre", "other", "andere"),
    # outcomes of an item
    "outcome.delivered": ("remise", "delivered", "afgeleverd"),
    "outcome.dispatched": ("expédiée", "dispatched", "verzonden"),
    "outcome.bundled": ("en liasse", "bundled", "gebundeld"),
    "outcome.waiting": ("attend une liasse", "waiting for a bundle", "wacht op een bundel"),
    "outcome.back": ("revenue", "back", "teruggekomen"),
    "outcome.review": ("à examiner", "in review", "ter beoordeling"),
    "outcome.set_aside": ("mise de côté", "set aside", "apart gelegd"),
    "outcome.unreadable": ("illisible", "unreadable", "onleesbaar"),
    "outcome.blank_side": ("verso blanc", "blank side", "blanco achterkant"),
    "outcome.picture_side": ("face illustrée d'une carte", "postcard picture side",
                             "afbeeldingszijde van een kaart"),
    "outcome.not_a_piece": ("pas une pièce de campagne", "not a campaign piece",
                            "geen campagnestuk"),
    # exceptions
    "exception.review": ("attend une décision", "waiting for a decision",
                         "wacht op een beslissing"),
    "exception.set_aside": ("mise de côté : garder avec la raison",
                            "set aside: keep with the reason",
                            "apart gelegd: bewaren met de reden"),
    "exception.unreadable": ("illisible : à rescanner", "unreadable: rescan",
                             "onleesbaar: opnieuw scannen"),
    "exception.quarantined": ("fichier en quarantaine : à regarder, à rescanner",
                              "file quarantined: look at it, rescan",
                              "bestand in quarantaine: bekijken, opnieuw scannen"),
    "exception.back": ("liasse refusée ou revenue", "bundle refused or returned",
                       "bundel geweigerd of teruggekomen"),
    "exception.sheet_mismatch": ("bordereau discordant", "sheet disagrees with the ledger",
                                 "leveringsbon wijkt af van het register"),
    # bundle states
    "state.prepared": ("préparée", "prepared", "voorbereid"),
    "state.dispatched": ("expédiée", "dispatched", "verzonden"),
    "state.delivered": ("remise", "delivered", "afgeleverd"),
    "state.refused": ("refusée", "refused", "geweigerd"),
    "state.returned": ("revenue", "returned", "teruggekomen"),
    "state.void": ("annulée", "void", "vervallen"),
    # item kinds
    "kind.letter": ("lettre à l'autorité", "letter to the authority", "brief aan de autoriteit"),
    "kind.solidarity_letter": ("lettre à la personne", "letter to the person",
                               "solidariteitsbrief"),
    "kind.postcard": ("carte", "postcard", "kaart"),
    "kind.petition": ("pétition", "petition", "petitie"),
    "kind.kit_envelope": ("enveloppe de kit", "kit envelope", "kitenvelop"),
    "kind.delivery_receipt": ("bordereau signé", "signed delivery sheet",
                              "getekende leveringsbon"),
    "kind.unknown": ("inconnu", "unknown", "onbekend"),
}

# Thousands separator and decimal mark; French groups with a narrow no-break space.
_NUMBER_MARKS = {"fr": ("\u202f", ","), "en": (",", "."), "nl": (".", ",")}
_PERCENT = {"fr": "{}\u202f%", "en": "{}%", "nl": "{}%"}


@dataclass(frozen=True)
class Words:
    """The report's wording and number formats in one language."""

    lang: str

    def __call__(self, key: str, **fields) -> str:
        return _CATALOGUE[key][LANGUAGES.index(self.lang)].format(**fields)

    def get(self, key: str, default: str) -> str:
        """The words for `key`, or `default` for a value the catalogue does not know yet."""
        entry = _CATALOGUE.get(key)
        return entry[LANGUAGES.index(self.lang)] if entry else default

    def number(self, value: int | float, decimals: int = 0) -> str:
        group, point = _NUMBER_MARKS[self.lang]
        text = f"{value:,.{decimals}f}"
        return text.translate({ord(","): group, ord("."): point})

    def percent(self, fraction: float) -> str:
        return _PERCENT[self.lang].format(self.number(100 * fraction, 1))


def words(lang: str) -> Words:
    """The wording of `lang`; ValueError for a language the report is not written in."""
    if lang not in LANGUAGES:
        raise ValueError(f"no report wording in {lang!r}: choose one of {', '.join(LANGUAGES)}")
    return Words(lang)


def catalogue_keys() -> frozenset[str]:
    """Every key the catalogue holds (tests check that none is missing)."""
    return frozenset(_CATALOGUE)
