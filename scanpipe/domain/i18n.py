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
    # ---- bundle papers (helper S): the recipient's sheet, the office's copy, the label ----
    # the recipient's sheet: an embassy's delivery sheet, a forwarder's manifest, a cover list
    "sheet.title": {"fr": "Bordereau de remise", "en": "Delivery sheet", "nl": "Afgifteborderel"},
    "sheet.title_forwarding": {"fr": "Bordereau de transmission", "en": "Forwarding sheet",
                               "nl": "Doorzendborderel"},
    "sheet.title_cover": {"fr": "Cartes et lettres de solidarité",
                          "en": "Postcards and letters of solidarity",
                          "nl": "Kaarten en solidariteitsbrieven"},
    "sheet.bundle_ref": {"fr": "Liasse n° {serial}", "en": "Bundle no. {serial}",
                         "nl": "Bundel nr. {serial}"},
    "sheet.campaign": {"fr": "Campagne : {name}", "en": "Campaign: {name}",
                       "nl": "Campagne: {name}"},
    "sheet.date": {"fr": "Date : {date}", "en": "Date: {date}", "nl": "Datum: {date}"},
    "sheet.recipient": {"fr": "Destinataire", "en": "Recipient", "nl": "Ontvanger"},
    "sheet.intro_embassy": {
        "fr": "Veuillez trouver ci-joint les lettres et les pétitions écrites pendant la "
              "campagne « {name} », adressées aux autorités de votre pays.",
        "en": "Please find enclosed the letters and petitions written during the campaign "
              "“{name}”, addressed to the authorities of your country.",
        "nl": "Hierbij ontvangt u de brieven en petities die tijdens de campagne ‘{name}’ "
              "geschreven werden, gericht aan de autoriteiten van uw land."},
    "sheet.intro_forwarding": {
        "fr": "Veuillez trouver ci-joint les cartes et les lettres de solidarité écrites pendant "
              "la campagne « {name} ». Merci de les transmettre aux personnes nommées ci-dessous.",
        "en": "Please find enclosed the postcards and letters of solidarity written during the "
              "campaign “{name}”. Please forward them to the people named below.",
        "nl": "Hierbij ontvangt u de kaarten en solidariteitsbrieven die tijdens de campagne "
              "‘{name}’ geschreven werden. Wilt u ze doorgeven aan de hieronder genoemde personen?"},
    "sheet.intro_cover": {
        "fr": "Cartes et lettres de solidarité écrites pendant la campagne « {name} ».",
        "en": "Postcards and letters of solidarity written during the campaign “{name}”.",
        "nl": "Kaarten en solidariteitsbrieven geschreven tijdens de campagne ‘{name}’."},
    "sheet.col_person": {"fr": "Personne", "en": "Person", "nl": "Persoon"},
    "sheet.col_country": {"fr": "Pays", "en": "Country", "nl": "Land"},
    "sheet.col_letters": {"fr": "Lettres", "en": "Letters", "nl": "Brieven"},
    "sheet.col_postcards": {"fr": "Cartes", "en": "Postcards", "nl": "Kaarten"},
    "sheet.col_petitions": {"fr": "Feuilles de pétition", "en": "Petition sheets",
                            "nl": "Petitiebladen"},
    "sheet.col_signatures": {"fr": "Signatures", "en": "Signatures", "nl": "Handtekeningen"},
    "sheet.col_solidarity": {"fr": "Lettres de solidarité", "en": "Letters of solidarity",
                             "nl": "Solidariteitsbrieven"},
    "sheet.col_total": {"fr": "Total", "en": "Total", "nl": "Totaal"},
    "sheet.total": {"fr": "TOTAL", "en": "TOTAL", "nl": "TOTAAL"},
    "sheet.in_all": {"fr": "Au total :", "en": "In all:", "nl": "In totaal:"},
    "sheet.signatures_uncounted": {"fr": "signatures non comptées", "en": "signatures not counted",
                                   "nl": "handtekeningen niet geteld"},
    "sheet.handed_by": {"fr": "Remis par (nom) :", "en": "Handed over by (name):",
                        "nl": "Overhandigd door (naam):"},
    "sheet.handed_signature": {"fr": "Signature :", "en": "Signature:", "nl": "Handtekening:"},
    "sheet.receipt": {"fr": "Accusé de réception", "en": "Acknowledgement of receipt",
                      "nl": "Ontvangstbewijs"},
    "sheet.received_by": {"fr": "Reçu par (nom) :", "en": "Received by (name):",
                          "nl": "Ontvangen door (naam):"},
    "sheet.received_on": {"fr": "Date :", "en": "Date:", "nl": "Datum:"},
    "sheet.signature": {"fr": "Signature", "en": "Signature", "nl": "Handtekening"},
    "sheet.stamp": {"fr": "Cachet", "en": "Stamp", "nl": "Stempel"},
    "sheet.page": {"fr": "page {page} / {pages}", "en": "page {page} / {pages}",
                   "nl": "pagina {page} / {pages}"},
    # the office's copy (internal; the office's own words for kinds and states)
    "office.title": {"fr": "Copie du bureau", "en": "Office copy", "nl": "Kopie voor het kantoor"},
    "office.internal": {"fr": "Document interne : ne pas remettre au destinataire.",
                        "en": "Internal document: not to be handed to the recipient.",
                        "nl": "Intern document: niet aan de ontvanger overhandigen."},
    "office.campaign": {"fr": "Campagne : {name} ({id})", "en": "Campaign: {name} ({id})",
                        "nl": "Campagne: {name} ({id})"},
    "office.destination": {"fr": "Destination : {code}", "en": "Destination: {code}",
                           "nl": "Bestemming: {code}"},
    "office.recipient": {"fr": "Destinataire : {name}", "en": "Recipient: {name}",
                         "nl": "Ontvanger: {name}"},
    "office.closed": {"fr": "Fermée le {date} par {name}", "en": "Closed on {date} by {name}",
                      "nl": "Gesloten op {date} door {name}"},
    "office.state": {"fr": "État : {name}", "en": "State: {name}", "nl": "Stand: {name}"},
    "office.state.prepared": {"fr": "préparée", "en": "prepared", "nl": "klaargemaakt"},
    "office.state.dispatched": {"fr": "envoyée", "en": "dispatched", "nl": "verzonden"},
    "office.state.delivered": {"fr": "remise", "en": "delivered", "nl": "afgegeven"},
    "office.state.refused": {"fr": "refusée", "en": "refused", "nl": "geweigerd"},
    "office.state.returned": {"fr": "revenue", "en": "returned", "nl": "teruggekomen"},
    "office.state.void": {"fr": "annulée", "en": "void", "nl": "geannuleerd"},
    "office.not_dispatched": {"fr": "Envoi : pas encore", "en": "Dispatch: not yet",
                              "nl": "Verzending: nog niet"},
    "office.dispatch_hand": {"fr": "Envoi : en main propre", "en": "Dispatch: by hand",
                             "nl": "Verzending: persoonlijk overhandigd"},
    "office.dispatch_post": {"fr": "Envoi : par la poste, suivi {code}",
                             "en": "Dispatch: by post, tracking {code}",
                             "nl": "Verzending: per post, traceernummer {code}"},
    "office.received": {"fr": "Reçue par {name} le {date}", "en": "Received by {name} on {date}",
                        "nl": "Ontvangen door {name} op {date}"},
    "office.received_scan": {"fr": "Reçue le {date} : bordereau signé scanné (pièce {id})",
                             "en": "Received on {date}: signed sheet scanned (item {id})",
                             "nl": "Ontvangen op {date}: ondertekend borderel gescand (stuk {id})"},
    "office.no_late": {"fr": "Aucune pièce arrivée après la date limite du {deadline}.",
                       "en": "No piece arrived after the deadline of {deadline}.",
                       "nl": "Geen stuk aangekomen na de uiterste datum van {deadline}."},
    "office.col_case": {"fr": "Cas", "en": "Case", "nl": "Zaak"},
    "sheet.col_solidarity_letters": {"fr": "Lettres à la personne", "en": "Letters to the person",
                                     "nl": "Solidariteitsbrieven"},
    # bundle label (it travels with the bundle: nothing internal on it)
    "label.delivery": {"fr": "Liasse à remettre", "en": "Bundle to deliver",
                       "nl": "Af te geven bundel"},
    "label.forwarding": {"fr": "Cartes et lettres à transmettre",
                         "en": "Postcards and letters to forward",
                         "nl": "Door te sturen kaarten en brieven"},
    "label.cover": {"fr": "Cartes et lettres de solidarité",
                    "en": "Postcards and letters of solidarity",
                    "nl": "Kaarten en solidariteitsbrieven"},
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
    # audit sample file (helper C): its parameters, columns, places and results
    "sample.title": {"fr": "échantillon d'audit", "en": "audit sample", "nl": "auditsteekproef"},
    "sample.seed": {"fr": "graine", "en": "seed", "nl": "startwaarde"},
    "sample.as_of": {"fr": "état du registre à l'événement", "en": "ledger as of event",
                     "nl": "register tot gebeurtenis"},
    "sample.round": {"fr": "tour", "en": "round", "nl": "ronde"},
    "sample.previous": {"fr": "tirages des tours précédents", "en": "draws of earlier rounds",
                        "nl": "trekkingen van eerdere rondes"},
    "sample.draws": {"fr": "tirages jusqu'à ce tour", "en": "draws up to this round",
                     "nl": "trekkingen tot deze ronde"},
    "sample.population": {"fr": "pièces tirables", "en": "pieces drawn from",
                          "nl": "stukken in de populatie"},
    "sample.risk_limit": {"fr": "limite de risque", "en": "risk limit", "nl": "risicolimiet"},
    "sample.tolerable": {"fr": "taux tolérable", "en": "tolerable rate",
                         "nl": "toelaatbaar percentage"},
    "sample.expected": {"fr": "taux attendu", "en": "expected rate", "nl": "verwacht percentage"},
    "sample.howto": {"fr": "Trouvez chaque pièce et écrivez « conforme », « non conforme » ou "
                           "« manquante » dans la colonne résultat, puis : scanpipe audit "
                           "sample-result FICHIER",
                     "en": "Find each piece and write 'match', 'mismatch' or 'missing' in the "
                           "result column, then: scanpipe audit sample-result FILE",
                     "nl": "Zoek elk stuk op en schrijf 'klopt', 'klopt niet' of 'ontbreekt' in "
                           "de kolom resultaat, dan: scanpipe audit sample-result BESTAND"},
    "sample.col.draw": {"fr": "tirage", "en": "draw", "nl": "trekking"},
    "sample.col.item": {"fr": "pièce", "en": "item", "nl": "stuk"},
    "sample.col.where": {"fr": "lieu", "en": "where", "nl": "plaats"},
    "sample.col.tray": {"fr": "bac", "en": "tray", "nl": "bak"},
    "sample.col.bundle": {"fr": "liasse", "en": "bundle", "nl": "bundel"},
    "sample.col.position": {"fr": "rang dans la liasse", "en": "place in bundle",
                            "nl": "plaats in bundel"},
    "sample.col.bundle_state": {"fr": "état de la liasse", "en": "bundle state",
                                "nl": "stand van de bundel"},
    "sample.col.receipt": {"fr": "reçu scanné (pièce)", "en": "receipt scanned (item)",
                           "nl": "gescand ontvangstbewijs (stuk)"},
    "sample.col.destination": {"fr": "destination", "en": "destination", "nl": "bestemming"},
    "sample.col.case": {"fr": "cas", "en": "case", "nl": "zaak"},
    "sample.col.kind": {"fr": "type", "en": "kind", "nl": "soort"},
    "sample.col.source": {"fr": "fichier scanné", "en": "scanned file", "nl": "gescand bestand"},
    "sample.col.image": {"fr": "image (SHA-256)", "en": "image (SHA-256)",
                         "nl": "afbeelding (SHA-256)"},
    "sample.col.result": {"fr": "résultat", "en": "result", "nl": "resultaat"},
    "sample.col.note": {"fr": "remarque", "en": "note", "nl": "opmerking"},
    "sample.place.tray": {"fr": "dans son bac", "en": "in its tray", "nl": "in de bak"},
    "sample.place.bundle": {"fr": "dans une liasse", "en": "in a bundle", "nl": "in een bundel"},
    "sample.place.delivered": {"fr": "remise à destination", "en": "delivered",
                               "nl": "afgegeven op bestemming"},
    "sample.result.match": {"fr": "conforme", "en": "match", "nl": "klopt"},
    "sample.result.mismatch": {"fr": "non conforme", "en": "mismatch", "nl": "klopt niet"},
    "sample.result.missing": {"fr": "manquante", "en": "missing", "nl": "ontbreekt"},
}


# Bundle papers (helper S): words that agree with a number, (one, other) per language.
_PLURALS: dict[str, dict[str, tuple[str, str]]] = {
    "letter": {"fr": ("{count} lettre", "{count} lettres"), "en": ("{count} letter", "{count} letters"),
               "nl": ("{count} brief", "{count} brieven")},
    "postcard": {"fr": ("{count} carte", "{count} cartes"),
                 "en": ("{count} postcard", "{count} postcards"),
                 "nl": ("{count} kaart", "{count} kaarten")},
    "petition_sheet": {"fr": ("{count} feuille de pétition", "{count} feuilles de pétition"),
                       "en": ("{count} petition sheet", "{count} petition sheets"),
                       "nl": ("{count} petitieblad", "{count} petitiebladen")},
    "signature": {"fr": ("{count} signature", "{count} signatures"),
                  "en": ("{count} signature", "{count} signatures"),
                  "nl": ("{count} handtekening", "{count} handtekeningen")},
    "solidarity_letter": {"fr": ("{count} lettre de solidarité", "{count} lettres de solidarité"),
                          "en": ("{count} letter of solidarity", "{count} letters of solidarity"),
                          "nl": ("{count} solidariteitsbrief", "{count} solidariteitsbrieven")},
    "letter_to_person": {"fr": ("{count} lettre à la personne", "{count} lettres à la personne"),
                         "en": ("{count} letter to the person", "{count} letters to the person"),
                         "nl": ("{count} brief aan de persoon", "{count} brieven aan de persoon")},
    "bundle_items": {"fr": ("{count} pièce dans la liasse :", "{count} pièces dans la liasse :"),
                     "en": ("{count} piece in the bundle:", "{count} pieces in the bundle:"),
                     "nl": ("{count} stuk in de bundel:", "{count} stukken in de bundel:")},
    "late": {"fr": ("{count} pièce arrivée après la date limite du {deadline} :",
                    "{count} pièces arrivées après la date limite du {deadline} :"),
             "en": ("{count} piece arrived after the deadline of {deadline}:",
                    "{count} pieces arrived after the deadline of {deadline}:"),
             "nl": ("{count} stuk aangekomen na de uiterste datum van {deadline}:",
                    "{count} stukken aangekomen na de uiterste datum van {deadline}:")},
}


def is_singular(count: int, lang: str) -> bool:
    """Whether `count` takes the singular in `lang`: CLDR's rule "one" — French 0 and 1,
    English and Dutch 1 only (three languages: a rule, not a locale library)."""
    return count in (0, 1) if lang == "fr" else count == 1


def counted(key: str, count: int, lang: str, **fmt: object) -> str:
    """`count` with its words agreeing in `lang`: « 1 lettre », « 2 lettres », « 0 carte »,
    "0 postcards"; KeyError for an unknown word."""
    _check_lang(lang)
    try:
        one, other = _PLURALS[key][lang]
    except KeyError:
        raise KeyError(f"no counted wording {key!r} in the catalogue") from None
    return (one if is_singular(count, lang) else other).format(count=count, **fmt)


def plural_keys() -> tuple[str, ...]:
    """Every counted wording (tests check each has all languages)."""
    return tuple(_PLURALS)


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
