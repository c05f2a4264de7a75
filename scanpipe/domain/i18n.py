"""Every word printed on paper, in French (default), English and Dutch.

Kits and delivery sheets take a `lang` parameter and fetch their wording here,
so a translation is one place to edit and a missing one fails loudly.
"""

from __future__ import annotations

from datetime import date

LANGUAGES = ("fr", "en", "nl")

_MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
}

_CATALOGUE: dict[str, dict[str, str]] = {
    # letter sheet
    "letter.to": {"fr": "À l'attention de :", "en": "To:", "nl": "Aan:"},
    "letter.case": {"fr": "Le cas : {person} ({country})", "en": "The case: {person} ({country})",
                    "nl": "De zaak: {person} ({country})"},
    "letter.model": {"fr": "Modèle de lettre — recopiez-le ou écrivez avec vos propres mots :",
                     "en": "Model letter — copy it or write in your own words:",
                     "nl": "Voorbeeldbrief — schrijf hem over of gebruik je eigen woorden:"},
    "letter.no_model": {"fr": "Écrivez avec vos propres mots, poliment et sans insulte.",
                        "en": "Write in your own words, politely and without insults.",
                        "nl": "Schrijf in je eigen woorden, beleefd en zonder beledigingen."},
    "letter.write_here": {"fr": "Votre lettre", "en": "Your letter", "nl": "Jouw brief"},
    "letter.return": {"fr": "Renvoyez cette feuille avant le {deadline} à : {address}",
                      "en": "Send this sheet back before {deadline} to: {address}",
                      "nl": "Stuur dit blad terug vóór {deadline} naar: {address}"},
    "qr.case_caption": {"fr": "cas {code}", "en": "case {code}", "nl": "zaak {code}"},
    # postcard
    "postcard.motto": {"fr": "Écrire, ça libère", "en": "Write for rights",
                       "nl": "Schrijf voor rechten"},
    "postcard.solidarity": {"fr": "Solidarité avec", "en": "In solidarity with",
                            "nl": "Solidair met"},
    "postcard.more": {"fr": "En savoir plus", "en": "Learn more", "nl": "Meer weten"},
    "postcard.message_for": {"fr": "Votre message pour {person}", "en": "Your message for {person}",
                             "nl": "Jouw bericht voor {person}"},
    "postcard.forwarded_by": {"fr": "Transmis par", "en": "Forwarded by",
                              "nl": "Doorgestuurd door"},
    "postcard.for": {"fr": "Pour : {name}", "en": "For: {name}", "nl": "Voor: {name}"},
    "postcard.no_stamp": {"fr": "Ne pas affranchir : renvoyez la carte avec votre kit.",
                          "en": "No stamp needed: send the card back with your kit.",
                          "nl": "Geen postzegel nodig: stuur de kaart terug met je kit."},
    # petition
    "petition.title": {"fr": "Pétition", "en": "Petition", "nl": "Petitie"},
    "petition.for": {"fr": "Pour {person} ({country})", "en": "For {person} ({country})",
                     "nl": "Voor {person} ({country})"},
    "petition.to": {"fr": "Adressée à : {authority}", "en": "Addressed to: {authority}",
                    "nl": "Gericht aan: {authority}"},
    "petition.no_demand": {"fr": "Nous demandons justice pour {person}.",
                           "en": "We ask for justice for {person}.",
                           "nl": "Wij vragen gerechtigheid voor {person}."},
    "petition.col_no": {"fr": "N°", "en": "No", "nl": "Nr"},
    "petition.col_name": {"fr": "Nom et prénom", "en": "Name", "nl": "Naam"},
    "petition.col_contact": {"fr": "Localité / e-mail", "en": "Town / e-mail",
                             "nl": "Gemeente / e-mail"},
    "petition.col_signature": {"fr": "Signature", "en": "Signature", "nl": "Handtekening"},
    "petition.privacy": {
        "fr": "Vos données servent uniquement à compter et remettre cette pétition.",
        "en": "Your details are used only to count and deliver this petition.",
        "nl": "Je gegevens dienen enkel om deze petitie te tellen en te overhandigen."},
    # envelope labels
    "label.kit": {"fr": "kit n° {serial}", "en": "kit no {serial}", "nl": "kit nr {serial}"},
    # delivery sheet
    "sheet.title": {"fr": "Bordereau de remise", "en": "Delivery sheet", "nl": "Afgifteborderel"},
    "sheet.title_forwarding": {"fr": "Bordereau d'envoi de cartes et lettres",
                               "en": "Forwarding manifest: postcards and letters",
                               "nl": "Verzendborderel kaarten en brieven"},
    "sheet.bundle_ref": {"fr": "Liasse n° {serial}", "en": "Bundle no. {serial}",
                         "nl": "Bundel nr. {serial}"},
    "sheet.campaign": {"fr": "Campagne : {name} ({id})", "en": "Campaign: {name} ({id})",
                       "nl": "Campagne: {name} ({id})"},
    "sheet.date": {"fr": "Date : {date}", "en": "Date: {date}", "nl": "Datum: {date}"},
    "sheet.recipient": {"fr": "Destinataire", "en": "Recipient", "nl": "Ontvanger"},
    "sheet.col_case": {"fr": "Cas", "en": "Case", "nl": "Zaak"},
    "sheet.col_person": {"fr": "Personne", "en": "Person", "nl": "Persoon"},
    "sheet.col_letters": {"fr": "Lettres", "en": "Letters", "nl": "Brieven"},
    "sheet.col_postcards": {"fr": "Cartes", "en": "Postcards", "nl": "Kaarten"},
    "sheet.col_solidarity_letters": {"fr": "Lettres à la personne", "en": "Letters to the person",
                                     "nl": "Solidariteitsbrieven"},
    "sheet.col_total": {"fr": "Total", "en": "Total", "nl": "Totaal"},
    "sheet.col_petitions": {"fr": "Pétitions", "en": "Petitions", "nl": "Petities"},
    "sheet.col_signatures": {"fr": "Signatures", "en": "Signatures", "nl": "Handtekeningen"},
    "sheet.total": {"fr": "TOTAL", "en": "TOTAL", "nl": "TOTAAL"},
    "sheet.petitions_note": {"fr": "Pétitions : nombre de feuilles de pétition.",
                             "en": "Petitions: number of petition sheets.",
                             "nl": "Petities: aantal petitiebladen."},
    "sheet.late_one": {
        "fr": "Dont 1 pièce arrivée après la date limite du {deadline} (marquée * en annexe).",
        "en": "Of which 1 piece arrived after the deadline of {deadline} "
              "(marked * in the appendix).",
        "nl": "Waarvan 1 stuk aangekomen na de uiterste datum van {deadline} "
              "(gemarkeerd met * in de bijlage)."},
    "sheet.late_many": {
        "fr": "Dont {count} pièces arrivées après la date limite du {deadline} "
              "(marquées * en annexe).",
        "en": "Of which {count} pieces arrived after the deadline of {deadline} "
              "(marked * in the appendix).",
        "nl": "Waarvan {count} stukken aangekomen na de uiterste datum van {deadline} "
              "(gemarkeerd met * in de bijlage)."},
    "sheet.receipt": {"fr": "Accusé de réception", "en": "Acknowledgement of receipt",
                      "nl": "Ontvangstbewijs"},
    "sheet.received_by": {"fr": "Reçu par (nom) :", "en": "Received by (name):",
                          "nl": "Ontvangen door (naam):"},
    "sheet.received_on": {"fr": "Date :", "en": "Date:", "nl": "Datum:"},
    "sheet.signature": {"fr": "Signature", "en": "Signature", "nl": "Handtekening"},
    "sheet.stamp": {"fr": "Cachet", "en": "Stamp", "nl": "Stempel"},
    "sheet.items": {"fr": "Annexe — liste des {count} pièces remises",
                    "en": "Appendix — the {count} pieces delivered",
                    "nl": "Bijlage — de {count} afgegeven stukken"},
    "sheet.page": {"fr": "page {page} / {pages}", "en": "page {page} / {pages}",
                   "nl": "pagina {page} / {pages}"},
    # bundle label
    "label.delivery": {"fr": "Liasse à remettre", "en": "Bundle to deliver",
                       "nl": "Af te geven bundel"},
    "label.forwarding": {"fr": "Cartes et lettres à transmettre",
                         "en": "Postcards and letters to forward",
                         "nl": "Door te sturen kaarten en brieven"},
    "label.late": {"fr": "Hors délai : {count}", "en": "Late: {count}", "nl": "Te laat: {count}"},
    # parcel label of a kit order
    "parcel.sender": {"fr": "Expéditeur : {name}", "en": "From: {name}",
                      "nl": "Afzender: {name}"},
    "parcel.attention": {"fr": "À l'attention de {person}", "en": "For the attention of {person}",
                         "nl": "Ter attentie van {person}"},
    "parcel.order_one": {"fr": "Commande {id} — 1 kit (n° {serial})",
                         "en": "Order {id} — 1 kit (no. {serial})",
                         "nl": "Bestelling {id} — 1 kit (nr. {serial})"},
    "parcel.order_many": {"fr": "Commande {id} — {count} kits (n° {serial})",
                          "en": "Order {id} — {count} kits (nos. {serial})",
                          "nl": "Bestelling {id} — {count} kits (nrs. {serial})"},
}


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")


def text(key: str, lang: str, **fmt: object) -> str:
    """The wording of `key` in `lang`, with ``{placeholders}`` filled from `fmt`.

    Raises ValueError for an unknown language (naming the known ones) and
    KeyError for a key missing from the catalogue.
    """
    _check_lang(lang)
    try:
        template = _CATALOGUE[key][lang]
    except KeyError:
        raise KeyError(f"no wording {key!r} in the catalogue") from None
    return template.format(**fmt) if fmt else template


def format_date(day: date, lang: str) -> str:
    """A date as people write it on paper: ``11 janvier 2022``, ``11 January 2022``."""
    _check_lang(lang)
    return f"{day.day} {_MONTHS[lang][day.month - 1]} {day.year}"


def keys() -> tuple[str, ...]:
    """Every key of the catalogue (tests check each has all languages)."""
    return tuple(_CATALOGUE)
