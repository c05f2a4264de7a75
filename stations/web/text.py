"""Every word of the station app, in French (default) and English; Dutch where translated.

A key missing in a language falls back to English, then French; a key missing
everywhere raises, so a typo in a template fails its test rather than showing
a blank to the operator.
"""

from __future__ import annotations

from scanpipe.domain.errors import CodedError

LANGUAGES = ("fr", "en", "nl")

_T: dict[str, dict[str, str]] = {
    "app.title": {"fr": "Station de tri", "en": "Sorting station", "nl": "Sorteerstation"},
    "nav.live": {"fr": "Tri en direct", "en": "Live sorting", "nl": "Live sorteren"},
    "nav.review": {"fr": "À vérifier", "en": "Review", "nl": "Nakijken"},
    "nav.trays": {"fr": "Plan des bacs", "en": "Tray plan", "nl": "Bakkenplan"},
    "nav.progress": {"fr": "Avancement", "en": "Progress", "nl": "Voortgang"},
    "nav.people": {"fr": "Personnes", "en": "People", "nl": "Personen"},
    "nav.bundles": {"fr": "Liasses et remises", "en": "Bundles and delivery", "nl": "Bundels en afgifte"},
    "nav.signout": {"fr": "Se déconnecter", "en": "Sign out", "nl": "Afmelden"},
    "nav.station": {"fr": "Station {station} — {name} ({role})", "en": "Station {station} — {name} ({role})"},
    "nav.campaign": {"fr": "Campagne {id}", "en": "Campaign {id}", "nl": "Campagne {id}"},
    "role.operator": {"fr": "opérateur·rice", "en": "operator", "nl": "operator"},
    "role.coordinator": {"fr": "coordination", "en": "coordinator", "nl": "coördinator"},
    "role.auditor": {"fr": "audit", "en": "auditor", "nl": "auditor"},
    "role.admin": {"fr": "administration", "en": "admin", "nl": "beheerder"},
    # sign-in
    "signin.title": {"fr": "Connexion", "en": "Sign in", "nl": "Aanmelden"},
    "signin.name": {"fr": "Nom", "en": "Name", "nl": "Naam"},
    "signin.secret": {"fr": "Code PIN ou mot de passe", "en": "PIN or password", "nl": "Pincode of wachtwoord"},
    "signin.submit": {"fr": "Se connecter", "en": "Sign in", "nl": "Aanmelden"},
    "signin.failed": {"fr": "Nom ou code incorrect.", "en": "Wrong name or PIN.", "nl": "Verkeerde naam of pincode."},
    "signin.throttled": {"fr": "Trop d'essais : réessayez dans {seconds} s.",
                         "en": "Too many tries: try again in {seconds} s."},
    "signin.nobody": {"fr": "Personne n'est encore inscrit : créez un compte avec « scanpipe people add NOM --role admin ».",
                      "en": "Nobody is registered yet: create an account with 'scanpipe people add NAME --role admin'."},
    # errors
    "error.title": {"fr": "Impossible", "en": "Not possible"},
    "error.forbidden": {"fr": "Votre rôle ne donne pas accès à cette page.",
                        "en": "Your role does not give access to this page."},
    "error.not_found": {"fr": "Cette page ou cette pièce n'existe pas.", "en": "This page or piece does not exist."},
    "error.csrf": {"fr": "Le formulaire a expiré : rechargez la page et recommencez.",
                   "en": "The form has expired: reload the page and try again."},
    "error.back": {"fr": "Retour", "en": "Back"},
    # live
    "live.scan_here": {"fr": "Scannez l'enveloppe du kit (douchette) ou tapez son code puis Entrée",
                       "en": "Scan the kit envelope (hand scanner) or type its code, then Enter"},
    "live.anonymous": {"fr": "Enveloppe sans code", "en": "Envelope without code"},
    "live.close": {"fr": "Clore le lot", "en": "Close batch"},
    "live.batch_kit": {"fr": "Lot n° {batch} — kit {kit}", "en": "Batch {batch} — kit {kit}"},
    "live.batch_anonymous": {"fr": "Lot n° {batch} — anonyme", "en": "Batch {batch} — anonymous"},
    "live.no_batch": {"fr": "Aucun lot ouvert : scannez une enveloppe de kit.",
                      "en": "No batch open: scan a kit envelope."},
    "live.waiting": {"fr": "En attente des scans…", "en": "Waiting for scans…"},
    "live.tray": {"fr": "Bac", "en": "Tray", "nl": "Bak"},
    "live.no_tray": {"fr": "—", "en": "—"},
    "live.counts_batch": {"fr": "Ce lot", "en": "This batch"},
    "live.counts_today": {"fr": "Aujourd'hui à cette station", "en": "Today at this station"},
    "live.not_kit": {"fr": "« {text} » n'est pas le code d'une enveloppe de kit de cette campagne ({why}).",
                     "en": "'{text}' is not a kit envelope code of this campaign ({why})."},
    "live.opened": {"fr": "Lot ouvert pour le kit {kit}.", "en": "Batch opened for kit {kit}."},
    "live.opened_anonymous": {"fr": "Lot anonyme ouvert.", "en": "Anonymous batch opened."},
    "live.inbox": {"fr": "Dossier surveillé : {inbox}", "en": "Watched folder: {inbox}"},
    "live.alarm_ack": {"fr": "Vu (Échap)", "en": "Seen (Esc)"},
    "live.duplicate": {"fr": "déjà scannée : non recomptée", "en": "already scanned: not counted again"},
    "status.routed": {"fr": "triée", "en": "routed", "nl": "gesorteerd"},
    "status.review": {"fr": "à vérifier", "en": "review", "nl": "nakijken"},
    "status.rejected": {"fr": "écartée", "en": "set aside", "nl": "apart gelegd"},
    "status.duplicate": {"fr": "doublon", "en": "duplicate", "nl": "dubbel"},
    # Rejected pages that are a side of another page of their file (`models.sides`).
    "status.blank_side": {"fr": "verso blanc", "en": "blank side", "nl": "blanco achterkant"},
    "status.picture_side": {"fr": "face illustrée de carte", "en": "postcard picture side",
                            "nl": "afbeeldingszijde van kaart"},
    # Every kind in every language: a letter to the person never reads as a plain "letter".
    "kind.letter": {"fr": "lettre à l'autorité", "en": "letter to the authority",
                    "nl": "brief aan de autoriteit"},
    "kind.solidarity_letter": {"fr": "lettre à la personne", "en": "letter to the person",
                               "nl": "solidariteitsbrief"},
    "kind.postcard": {"fr": "carte", "en": "postcard", "nl": "kaart"},
    "kind.petition": {"fr": "pétition", "en": "petition", "nl": "petitie"},
    "kind.kit_envelope": {"fr": "enveloppe de kit", "en": "kit envelope", "nl": "kitenvelop"},
    "kind.delivery_receipt": {"fr": "reçu de remise", "en": "delivery receipt",
                              "nl": "ontvangstbewijs"},
    "kind.unknown": {"fr": "inconnu", "en": "unknown", "nl": "onbekend"},
    # batch summary
    "batch.title": {"fr": "Lot n° {batch}", "en": "Batch {batch}"},
    "batch.closed": {"fr": "Lot clos.", "en": "Batch closed."},
    "batch.case": {"fr": "Cas", "en": "Case"},
    "batch.kind": {"fr": "Type", "en": "Kind"},
    "batch.pieces": {"fr": "Pièces", "en": "Pieces"},
    "batch.signatures": {"fr": "Signatures", "en": "Signatures"},
    "batch.in_review": {"fr": "À vérifier", "en": "In review"},
    "batch.rejected": {"fr": "Écartées", "en": "Set aside", "nl": "Apart gelegd"},
    "batch.blank_sides": {"fr": "Versos blancs (avec leur feuille)",
                          "en": "Blank sides (kept with their sheet)",
                          "nl": "Blanco achterkanten (bij hun blad)"},
    "batch.picture_sides": {"fr": "Faces illustrées de cartes (avec leur carte)",
                            "en": "Postcard picture sides (kept with their card)",
                            "nl": "Afbeeldingszijden van kaarten (bij hun kaart)"},
    "batch.envelopes": {"fr": "Enveloppes", "en": "Envelopes"},
    "batch.duplicates": {"fr": "Doublons (non comptés)", "en": "Duplicates (not counted)"},
    "batch.total": {"fr": "Total", "en": "Total"},
    "batch.none": {"fr": "Aucune pièce triée dans ce lot.", "en": "No piece routed in this batch."},
    # review
    "review.title": {"fr": "Pièce {ref} à vérifier", "en": "Piece {ref} to review"},
    "review.none": {"fr": "Rien à vérifier. Bravo !", "en": "Nothing to review. Well done!"},
    "review.reasons": {"fr": "Pourquoi", "en": "Why"},
    "review.candidates": {"fr": "Cas possibles", "en": "Possible cases"},
    "review.other_cases": {"fr": "Autres cas", "en": "Other cases"},
    "review.score": {"fr": "score {score}", "en": "score {score}"},
    "review.evidence": {"fr": "lu : {found} ≈ {term}", "en": "read: {found} ≈ {term}"},
    "review.codes": {"fr": "Codes lus", "en": "Codes read"},
    "review.kind": {"fr": "Type de pièce", "en": "Kind of piece"},
    "review.signatures": {"fr": "Signatures", "en": "Signatures"},
    "review.not_campaign": {"fr": "Pas une pièce de la campagne", "en": "Not a campaign piece"},
    "review.unreadable": {"fr": "Illisible — mettre de côté", "en": "Unreadable — set aside"},
    "review.skip": {"fr": "Passer", "en": "Skip"},
    "review.undo": {"fr": "Annuler ma dernière décision", "en": "Undo my last decision"},
    "review.keys": {"fr": "Touches : 1–9 choisir un cas · L lettre à l'autorité · T lettre à la personne · C carte · P pétition (puis le nombre de signatures, Entrée, puis le cas) · 0 pas de la campagne · X illisible · S passer · U annuler · Z zoom",
                    "en": "Keys: 1–9 pick a case · L letter to the authority · T letter to the person · C postcard · P petition (then the number of signatures, Enter, then the case) · 0 not a campaign piece · X unreadable · S skip · U undo · Z zoom",
                    "nl": "Toetsen: 1–9 kies een zaak · L brief aan de autoriteit · T solidariteitsbrief · C kaart · P petitie (dan het aantal handtekeningen, Enter, dan de zaak) · 0 geen campagnestuk · X onleesbaar · S overslaan · U ongedaan maken · Z zoom"},
    "review.decided": {"fr": "Pièce {ref} → {what}. Bac {tray}.", "en": "Piece {ref} → {what}. Tray {tray}."},
    "review.undone": {"fr": "Décision sur la pièce {ref} annulée : elle est de nouveau {status}.",
                      "en": "Decision on piece {ref} undone: it is {status} again."},
    "review.nothing_to_undo": {"fr": "Aucune décision à annuler.", "en": "No decision to undo."},
    "review.zoom": {"fr": "Zoom", "en": "Zoom"},
    "review.file": {"fr": "Fichier {name}, page {page}", "en": "File {name}, page {page}"},
    # trays
    "destination.relatives": {"fr": "Proches de {person}", "en": "Relatives of {person}",
                              "nl": "Naasten van {person}"},
    "trays.title": {"fr": "Plan des bacs", "en": "Tray plan"},
    "trays.print": {"fr": "Imprimer", "en": "Print"},
    "trays.edit": {"fr": "Modifier", "en": "Edit"},
    "trays.save": {"fr": "Enregistrer", "en": "Save"},
    "trays.saved": {"fr": "Plan des bacs enregistré.", "en": "Tray plan saved."},
    "trays.destination": {"fr": "Destination", "en": "Destination"},
    "trays.cases": {"fr": "Cas :", "en": "Cases:"},
    "trays.review": {"fr": "Pièces à vérifier", "en": "Pieces to review"},
    "trays.set_aside": {"fr": "Pièces écartées (illisibles, hors campagne)", "en": "Set aside (unreadable, not the campaign's)"},
    "trays.envelopes": {"fr": "Enveloppes de kit", "en": "Kit envelopes"},
    # progress
    "progress.title": {"fr": "Avancement par cas", "en": "Progress per case"},
    "progress.letters": {"fr": "Lettres à l'autorité", "en": "Letters to the authority",
                         "nl": "Brieven aan de autoriteit"},
    "progress.solidarity_letters": {"fr": "Lettres à la personne", "en": "Letters to the person",
                                    "nl": "Solidariteitsbrieven"},
    "progress.postcards": {"fr": "Cartes", "en": "Postcards", "nl": "Kaarten"},
    "progress.petitions": {"fr": "Pétitions", "en": "Petitions"},
    "progress.signatures": {"fr": "Signatures", "en": "Signatures"},
    "progress.others": {"fr": "Autres pièces", "en": "Other pieces"},
    "progress.delivery": {"fr": "Remise par cas et destination", "en": "Delivery per case and destination"},
    "progress.destination": {"fr": "Destination", "en": "Destination"},
    "progress.routed": {"fr": "Triées", "en": "Routed"},
    "progress.bundled": {"fr": "En liasse", "en": "Bundled", "nl": "In bundel"},
    "progress.dispatched": {"fr": "Parties", "en": "Dispatched"},
    "progress.delivered": {"fr": "Remises", "en": "Delivered"},
    "progress.back": {"fr": "Refusées / revenues", "en": "Refused / returned"},
    # bundles
    "bundles.title": {"fr": "Liasses et remises", "en": "Bundles and delivery", "nl": "Bundels en afgifte"},
    "bundles.pending": {"fr": "Pièces triées en attente d'une liasse", "en": "Routed pieces waiting for a bundle"},
    "bundles.none_pending": {"fr": "Aucune pièce en attente : tout est en liasse.", "en": "Nothing waiting: every routed piece is in a bundle."},
    "bundles.late": {"fr": "Arrivées après la date limite", "en": "Arrived after the deadline"},
    "bundles.close": {"fr": "Fermer la liasse", "en": "Close the bundle", "nl": "Bundel sluiten"},
    "bundles.closed": {"fr": "Liasse {id} fermée : {pieces} pour {who}.", "en": "Bundle {id} closed: {pieces} for {who}."},
    "bundles.list": {"fr": "Liasses", "en": "Bundles", "nl": "Bundels"},
    "bundles.none": {"fr": "Aucune liasse pour l'instant.", "en": "No bundle yet."},
    "bundles.number": {"fr": "Liasse", "en": "Bundle", "nl": "Bundel"},
    "bundles.state": {"fr": "État", "en": "State"},
    "bundles.pieces": {"fr": "Pièces", "en": "Pieces"},
    "bundles.bundle": {"fr": "Liasse n° {id}", "en": "Bundle no. {id}", "nl": "Bundel nr. {id}"},
    "bundles.history": {"fr": "Historique", "en": "History"},
    "bundles.items": {"fr": "Pièces de la liasse", "en": "Pieces in the bundle"},
    "bundles.print_sheet": {"fr": "Imprimer le bordereau", "en": "Print the delivery sheet"},
    "bundles.print_label": {"fr": "Imprimer l'étiquette", "en": "Print the label"},
    "bundles.print_manifest": {"fr": "Imprimer le bordereau de transmission",
                               "en": "Print the forwarding sheet",
                               "nl": "Doorzendborderel afdrukken"},
    "bundles.print_office_copy": {"fr": "Imprimer la copie du bureau", "en": "Print the office copy",
                                  "nl": "Kopie voor het kantoor afdrukken"},
    "bundles.handed_by": {"fr": "Remis par", "en": "Handed over by", "nl": "Overhandigd door"},
    "bundles.dispatch": {"fr": "Envoyer", "en": "Dispatch"},
    "bundles.by_hand": {"fr": "remis en main propre", "en": "by hand"},
    "bundles.by_post": {"fr": "par la poste", "en": "by post"},
    "bundles.tracking": {"fr": "N° de suivi (poste)", "en": "Tracking number (post)"},
    "bundles.deliver": {"fr": "Remise", "en": "Delivered"},
    "bundles.received_by": {"fr": "Reçu par", "en": "Received by"},
    "bundles.received_on": {"fr": "Le", "en": "On"},
    "bundles.outside_season": {"fr": "Remise après la saison", "en": "Delivered after the season",
                               "nl": "Afgegeven na het seizoen"},
    "bundles.refuse": {"fr": "Refusée", "en": "Refused"},
    "bundles.return": {"fr": "Revenue", "en": "Returned"},
    "bundles.void": {"fr": "Annuler la liasse (les pièces redeviennent libres)", "en": "Void the bundle (its pieces are free again)"},
    "bundles.reason": {"fr": "Motif", "en": "Reason"},
    "bundles.receipt": {"fr": "Accusé de réception scanné", "en": "Scanned receipt"},
    "bundles.saved": {"fr": "Liasse {id} : {state}.", "en": "Bundle {id}: {state}."},
    "bundles.scan_back": {"fr": "Quand le bordereau revient signé, scannez-le comme une pièce : la liasse passe à « remise » toute seule.",
                          "en": "When the sheet comes back signed, scan it like any piece: the bundle becomes delivered by itself."},
    "state.prepared": {"fr": "préparée", "en": "prepared", "nl": "klaargemaakt"},
    "state.dispatched": {"fr": "partie", "en": "dispatched", "nl": "verzonden"},
    "state.delivered": {"fr": "remise", "en": "delivered", "nl": "afgegeven"},
    "state.refused": {"fr": "refusée", "en": "refused", "nl": "geweigerd"},
    "state.returned": {"fr": "revenue", "en": "returned", "nl": "teruggekomen"},
    "state.void": {"fr": "annulée", "en": "void", "nl": "geannuleerd"},
    # people
    "people.title": {"fr": "Personnes et rôles", "en": "People and roles"},
    "people.name": {"fr": "Nom", "en": "Name"},
    "people.role": {"fr": "Rôle", "en": "Role"},
    "people.active": {"fr": "Actif", "en": "Active"},
    "people.secret": {"fr": "Code PIN ou mot de passe (4 caractères au moins)", "en": "PIN or password (4 characters at least)"},
    "people.add": {"fr": "Ajouter", "en": "Add"},
    "people.change": {"fr": "Modifier", "en": "Change"},
    "people.end_sessions": {"fr": "Déconnecter partout", "en": "Sign out everywhere",
                            "nl": "Overal afmelden"},
    "people.error.invalid": {"fr": "Demande refusée.", "en": "Request refused.", "nl": "Verzoek geweigerd."},
    "people.error.name_length": {"fr": "Un nom compte de 1 à 60 caractères.",
                                 "en": "A name has 1 to 60 characters.",
                                 "nl": "Een naam heeft 1 tot 60 tekens."},
    "people.error.name_controls": {"fr": "Un nom ne peut pas contenir de caractères de contrôle.",
                                   "en": "A name cannot hold control characters.",
                                   "nl": "Een naam mag geen stuurtekens bevatten."},
    "people.error.secret_short": {"fr": "Un mot de passe ou code PIN compte au moins {least} caractères.",
                                  "en": "A password or PIN has at least {least} characters.",
                                  "nl": "Een wachtwoord of pincode heeft minstens {least} tekens."},
    "people.error.secret_long": {"fr": "Un mot de passe compte au plus 256 caractères.",
                                 "en": "A password has at most 256 characters.",
                                 "nl": "Een wachtwoord heeft hoogstens 256 tekens."},
    "people.error.exists": {"fr": "« {name} » existe déjà : choisissez un autre nom, ou modifiez le rôle ou le mot de passe de cette personne.",
                            "en": "“{name}” already exists: choose another name, or change that person's role or password.",
                            "nl": "„{name}” bestaat al: kies een andere naam, of wijzig de rol of het wachtwoord van die persoon."},
    "people.error.nobody": {"fr": "Personne ne s'appelle « {name} ».", "en": "Nobody is named “{name}”.",
                            "nl": "Niemand heet „{name}”."},
    "people.error.last_admin": {
        "fr": "{name} est la dernière personne admin active : nommez d'abord une autre admin.",
        "en": "{name} is the last active admin: make someone else admin first.",
        "nl": "{name} is de laatste actieve beheerder: maak eerst iemand anders beheerder."},
    "trays.error.invalid": {"fr": "Plan des bacs refusé.", "en": "Tray plan refused.",
                            "nl": "Bakkenplan geweigerd."},
    "trays.error.unknown": {"fr": "« {destination} » n'est pas une destination de cette campagne.",
                            "en": "“{destination}” is not a destination of this campaign.",
                            "nl": "„{destination}” is geen bestemming van deze campagne."},
    "trays.error.label": {"fr": "Bac « {label} » : de 1 à 8 lettres, chiffres ou « - ».",
                          "en": "Tray “{label}”: use 1 to 8 letters, digits or “-”.",
                          "nl": "Bak „{label}”: 1 tot 8 letters, cijfers of „-”."},
    "trays.error.twice": {"fr": "Le bac « {label} » est donné deux fois ({first} et {second}) : un bac reçoit une seule destination, pour que les liasses restent séparées.",
                          "en": "Tray “{label}” is given twice ({first} and {second}): each tray holds one destination, so bundles stay apart.",
                          "nl": "Bak „{label}” is twee keer toegewezen ({first} en {second}): elke bak krijgt één bestemming, zodat de bundels gescheiden blijven."},
    "operator.set": {"fr": "Les pièces scannées ici sont enregistrées au nom de {name}.",
                     "en": "Pieces scanned here are recorded in the name of {name}.",
                     "nl": "Stukken die hier gescand worden, staan op naam van {name}."},
    "error.server": {"fr": "Une erreur inattendue est survenue. Réessayez ; si elle revient, "
                           "prévenez la coordination.",
                     "en": "Something unexpected went wrong. Try again; if it happens again, "
                           "tell the coordinators.",
                     "nl": "Er ging iets onverwachts mis. Probeer opnieuw; gebeurt het weer, "
                           "meld het aan de coördinatie."},
    "people.deactivate": {"fr": "Retirer l'accès", "en": "Remove access"},
    "people.activate": {"fr": "Rendre l'accès", "en": "Give access back"},
    "people.new_secret": {"fr": "Nouveau code (laisser vide : inchangé)", "en": "New PIN (empty: unchanged)"},
    "people.saved": {"fr": "Enregistré : {name}.", "en": "Saved: {name}."},
    "yes": {"fr": "oui", "en": "yes"},
    "no": {"fr": "non", "en": "no"},
    "language": {"fr": "English", "en": "Français"},
}

# The screens of issue 18: the scan field on every sorting screen, decisions listed with undo,
# the pages of a file, the quarantine screen, alarms and faults. A batch ("lot", "partij") is the
# content of one envelope at the station; a bundle ("liasse", "bundel") is what goes to an
# embassy or a person: two words, never mixed.
_T.update({
    "scan.label": {"fr": "Douchette", "en": "Hand scanner", "nl": "Handscanner"},
    "scan.placeholder": {"fr": "code de l'enveloppe du kit puis Entrée",
                         "en": "kit envelope code, then Enter",
                         "nl": "code van de kitenvelop, dan Enter"},
    "scan.submit": {"fr": "Ouvrir le lot", "en": "Open batch", "nl": "Partij openen"},
    "live.not_kit.empty": {"fr": "rien n'a été tapé", "en": "nothing was typed",
                           "nl": "er is niets getypt"},
    "live.not_kit.other_kind": {"fr": "c'est le code d'une pièce ({kind}), pas d'une enveloppe de kit",
                                "en": "it is the code of a piece ({kind}), not of a kit envelope",
                                "nl": "het is de code van een stuk ({kind}), niet van een kitenvelop"},
    "live.opened_from": {"fr": "Douchette : lot n° {batch} ouvert pour le kit {kit}. Les pièces scannées maintenant y vont.",
                         "en": "Hand scanner: batch {batch} opened for kit {kit}. Pieces scanned now go into it.",
                         "nl": "Handscanner: partij {batch} geopend voor kit {kit}. Nu gescande stukken gaan erin."},
    "live.operator": {"fr": "Les scans sont enregistrés au nom de {name}.",
                      "en": "Scans are recorded in the name of {name}.",
                      "nl": "Scans worden geregistreerd op naam van {name}."},
    "live.no_operator": {"fr": "Personne ne scanne à cette station : les fichiers attendent.",
                         "en": "Nobody scans at this station: files wait.",
                         "nl": "Niemand scant aan dit station: bestanden wachten."},
    "live.scan_as_me": {"fr": "Scanner en mon nom", "en": "Scan in my name", "nl": "Op mijn naam scannen"},
    "live.file": {"fr": "Fichier {name}", "en": "File {name}", "nl": "Bestand {name}"},
    "live.page": {"fr": "page {page}", "en": "page {page}", "nl": "pagina {page}"},
    "live.blank_back": {"fr": "verso blanc : reste avec sa feuille", "en": "blank back: stays with its sheet",
                        "nl": "blanco achterkant: blijft bij het blad"},
    "live.picture_side": {"fr": "face illustrée : reste avec sa carte",
                          "en": "picture side: stays with its card",
                          "nl": "afbeeldingszijde: blijft bij de kaart"},
    "live.rejected_file": {"fr": "Pièce {ref} écartée ({name}) : {reasons}",
                           "en": "Piece {ref} set aside ({name}): {reasons}",
                           "nl": "Stuk {ref} apart gelegd ({name}): {reasons}"},
    # review: my decisions, and why a decision could not be made
    "review.mine": {"fr": "Mes dernières décisions", "en": "My latest decisions", "nl": "Mijn laatste beslissingen"},
    "review.mine_none": {"fr": "Aucune décision pour l'instant.", "en": "No decision yet.",
                         "nl": "Nog geen beslissing."},
    "review.undo_this": {"fr": "Annuler", "en": "Undo", "nl": "Ongedaan maken"},
    "review.was_undone": {"fr": "annulée", "en": "undone", "nl": "ongedaan gemaakt"},
    "review.changed_since": {"fr": "changée depuis", "en": "changed since", "nl": "sindsdien gewijzigd"},
    "review.what_not_campaign": {"fr": "pas de la campagne", "en": "not a campaign piece",
                                 "nl": "geen campagnestuk"},
    "review.what_unreadable": {"fr": "illisible, mise de côté", "en": "unreadable, set aside",
                               "nl": "onleesbaar, apart gelegd"},
    "review.signatures_hint": {"fr": "P puis tapez le nombre de signatures, puis le cas (1–9)",
                               "en": "P, then type the number of signatures, then the case (1–9)",
                               "nl": "P, typ dan het aantal handtekeningen, dan de zaak (1–9)"},
    "review.error.invalid": {"fr": "Décision impossible : choix non valable.",
                             "en": "Cannot decide: the choice is not valid.",
                             "nl": "Kan niet beslissen: ongeldige keuze."},
    "review.error.no_case": {"fr": "Le cas « {case} » n'existe pas dans cette campagne.",
                             "en": "There is no case '{case}' in this campaign.",
                             "nl": "Zaak '{case}' bestaat niet in deze campagne."},
    "review.error.wrong_kind": {"fr": "Une pièce triée vers un cas est une lettre, une carte ou une pétition.",
                                "en": "A piece routed to a case is a letter, a postcard or a petition sheet.",
                                "nl": "Een stuk voor een zaak is een brief, een kaart of een petitie."},
    "review.error.signatures_range": {"fr": "Une feuille de pétition a entre 0 et 1000 signatures.",
                                      "en": "A petition sheet has between 0 and 1000 signatures.",
                                      "nl": "Een petitieblad heeft tussen 0 en 1000 handtekeningen."},
    "review.error.no_item": {"fr": "Cette pièce n'existe pas.", "en": "This piece does not exist.",
                             "nl": "Dit stuk bestaat niet."},
    "review.error.not_in_review": {"fr": "La pièce {ref} n'est plus à vérifier (décidée par {by}).",
                                   "en": "Piece {ref} is no longer in review (decided by {by}).",
                                   "nl": "Stuk {ref} hoeft niet meer nagekeken te worden (beslist door {by})."},
    "review.error.changed": {"fr": "La pièce {ref} a changé pendant que vous la regardiez : regardez-la de nouveau.",
                             "en": "Piece {ref} changed while you looked at it: look again.",
                             "nl": "Stuk {ref} is gewijzigd terwijl u keek: kijk opnieuw."},
    "review.error.changed_since": {"fr": "La pièce {ref} a changé depuis cette décision (ou elle est déjà annulée).",
                                   "en": "Piece {ref} changed since that decision (or it was undone already).",
                                   "nl": "Stuk {ref} is sindsdien gewijzigd (of al ongedaan gemaakt)."},
    "review.error.not_yours": {"fr": "Ce n'est pas une de vos décisions à cette station.",
                               "en": "That is not one of your decisions at this station.",
                               "nl": "Dat is niet een van uw beslissingen aan dit station."},
    "review.error.in_bundle": {"fr": "La pièce {ref} est dans la liasse n° {bundle} : une coordinatrice doit d'abord annuler cette liasse.",
                               "en": "Piece {ref} is in bundle {bundle} now: a coordinator must void that bundle first.",
                               "nl": "Stuk {ref} zit in bundel {bundle}: een coördinator moet die bundel eerst annuleren."},
    # quarantine and alarms
    "nav.quarantine": {"fr": "Quarantaine", "en": "Quarantine", "nl": "Quarantaine"},
    "quarantine.title": {"fr": "Fichiers en quarantaine", "en": "Quarantined files",
                         "nl": "Bestanden in quarantaine"},
    "quarantine.none": {"fr": "Aucun fichier en quarantaine.", "en": "No file in quarantine.",
                        "nl": "Geen bestand in quarantaine."},
    "quarantine.explain": {"fr": "Ces fichiers n'ont pas pu être lus comme des scans. Vérifiez-les, puis « Reprendre » remet un fichier dans le dossier surveillé, ou « Vu » arrête l'alarme.",
                           "en": "These files could not be read as scans. Check them, then 'Take again' puts a file back in the watched folder, or 'Seen' stops the alarm.",
                           "nl": "Deze bestanden konden niet als scan gelezen worden. Controleer ze; 'Opnieuw nemen' zet een bestand terug in de bewaakte map, 'Gezien' stopt het alarm."},
    "quarantine.name": {"fr": "Fichier", "en": "File", "nl": "Bestand"},
    "quarantine.reason": {"fr": "Motif", "en": "Reason", "nl": "Reden"},
    "quarantine.when": {"fr": "Quand", "en": "When", "nl": "Wanneer"},
    "quarantine.size": {"fr": "Taille", "en": "Size", "nl": "Grootte"},
    "quarantine.detail": {"fr": "Détail technique", "en": "Technical detail", "nl": "Technisch detail"},
    "quarantine.retake": {"fr": "Reprendre", "en": "Take again", "nl": "Opnieuw nemen"},
    "quarantine.ack": {"fr": "Vu", "en": "Seen", "nl": "Gezien"},
    "quarantine.acked": {"fr": "vu par {who} le {when}", "en": "seen by {who} on {when}",
                         "nl": "gezien door {who} op {when}"},
    "quarantine.retaken": {"fr": "Le fichier {name} est de nouveau dans le dossier surveillé (sous le nom {inbox}).",
                           "en": "The file {name} is back in the watched folder (as {inbox}).",
                           "nl": "Het bestand {name} staat weer in de bewaakte map (als {inbox})."},
    "quarantine.retake_failed": {"fr": "Le fichier {name} n'a pas pu être repris : il n'est plus en quarantaine.",
                                 "en": "The file {name} could not be taken again: it is no longer in quarantine.",
                                 "nl": "Het bestand {name} kon niet opnieuw genomen worden: het is niet meer in quarantaine."},
    "quarantine.acknowledged": {"fr": "Alarme du fichier {name} arrêtée.", "en": "Alarm of the file {name} stopped.",
                                "nl": "Alarm van het bestand {name} gestopt."},
    "quarantine.unknown": {"fr": "Ce fichier n'est pas en quarantaine.", "en": "This file is not in quarantine.",
                           "nl": "Dit bestand is niet in quarantaine."},
    "quarantine.code.not_regular": {"fr": "pas un fichier ordinaire (lien, tube ou périphérique) : jamais ouvert",
                                    "en": "not a regular file (link, pipe or device): never opened",
                                    "nl": "geen gewoon bestand (link, pijp of apparaat): nooit geopend"},
    "quarantine.code.hard_link": {"fr": "lien vers un autre fichier : jamais lu",
                                  "en": "a link to another file: never read",
                                  "nl": "een link naar een ander bestand: nooit gelezen"},
    "quarantine.code.too_large": {"fr": "fichier trop gros", "en": "file too large", "nl": "bestand te groot"},
    "quarantine.code.empty": {"fr": "fichier vide", "en": "empty file", "nl": "leeg bestand"},
    "quarantine.code.not_a_scan": {"fr": "pas une image ni un PDF", "en": "not an image or a PDF",
                                   "nl": "geen afbeelding of pdf"},
    "quarantine.code.unreadable": {"fr": "fichier illisible (abîmé, incomplet ou protégé)",
                                   "en": "unreadable file (damaged, incomplete or protected)",
                                   "nl": "onleesbaar bestand (beschadigd, onvolledig of beveiligd)"},
    "quarantine.code.worker_died": {"fr": "la lecture de ce fichier a fait tomber le lecteur deux fois",
                                    "en": "reading this file made the reader die twice",
                                    "nl": "het lezen van dit bestand liet de lezer twee keer vastlopen"},
    "quarantine.code.name": {"fr": "nom de fichier impossible à garder tel quel",
                             "en": "a file name that cannot be kept as it is",
                             "nl": "een bestandsnaam die niet zo bewaard kan worden"},
    "quarantine.code.read_error": {"fr": "le fichier n'a pas pu être lu, après plusieurs essais",
                                   "en": "the file could not be read, after several tries",
                                   "nl": "het bestand kon na meerdere pogingen niet gelezen worden"},
    "quarantine.code.internal": {"fr": "erreur de la station en lisant ce fichier (gardez-le et signalez-le)",
                                 "en": "the station failed reading this file (keep it and report it)",
                                 "nl": "het station faalde bij het lezen van dit bestand (bewaar het en meld het)"},
    "quarantine.code.other": {"fr": "autre motif", "en": "another reason", "nl": "andere reden"},
    "alarm.new": {"fr": "Fichier mis en quarantaine : {name} — {reason}",
                  "en": "File quarantined: {name} — {reason}",
                  "nl": "Bestand in quarantaine: {name} — {reason}"},
    "alarm.waits": {"fr": "Le fichier {name} reste dans le dossier surveillé : il sera repris.",
                    "en": "The file {name} stays in the watched folder: it will be tried again.",
                    "nl": "Het bestand {name} blijft in de bewaakte map: het wordt opnieuw geprobeerd."},
    "alarm.see": {"fr": "Voir la quarantaine", "en": "See the quarantine", "nl": "Quarantaine bekijken"},
    "fault.banner": {"fr": "Station en pause depuis {since} : {what}. Les fichiers attendent dans le dossier surveillé ; rien n'est perdu, la station reprendra seule.",
                     "en": "Station paused since {since}: {what}. Files wait in the watched folder; nothing is lost, the station resumes by itself.",
                     "nl": "Station gepauzeerd sinds {since}: {what}. Bestanden wachten in de bewaakte map; niets gaat verloren, het station gaat vanzelf verder."},
    "fault.image_store": {"fr": "impossible d'écrire dans le stockage des images (disque plein ou en lecture seule ?)",
                          "en": "the image store cannot be written (disk full or read-only?)",
                          "nl": "de afbeeldingenopslag kan niet beschreven worden (schijf vol of alleen-lezen?)"},
    "fault.ledger": {"fr": "impossible d'écrire dans le registre (base de données injoignable, pleine ou en lecture seule)",
                     "en": "the ledger cannot be written (database unreachable, full or read-only)",
                     "nl": "het register kan niet beschreven worden (database onbereikbaar, vol of alleen-lezen)"},
    "fault.work_folder": {"fr": "impossible d'écrire dans le dossier de travail",
                          "en": "the work folder cannot be written",
                          "nl": "de werkmap kan niet beschreven worden"},
    "fault.inbox": {"fr": "le dossier surveillé ne peut pas être lu", "en": "the watched folder cannot be read",
                    "nl": "de bewaakte map kan niet gelezen worden"},
    "fault.other": {"fr": "une panne de la station", "en": "a fault of the station", "nl": "een storing van het station"},
    "fault.detail": {"fr": "Détail technique : {detail}", "en": "Technical detail: {detail}",
                     "nl": "Technisch detail: {detail}"},
})

# Refused bundle steps, and the ledger's event names (a bundle's history shows them).
_T.update({
    "bundles.error.needed": {"fr": "Il manque : {what}.", "en": "Missing: {what}.", "nl": "Ontbreekt: {what}."},
    "bundles.error.too_long": {"fr": "Trop long : {what}.", "en": "Too long: {what}.", "nl": "Te lang: {what}."},
    "bundles.error.control": {"fr": "Caractères invisibles interdits : {what}.",
                              "en": "Invisible characters are not allowed: {what}.",
                              "nl": "Onzichtbare tekens niet toegestaan: {what}."},
    "bundles.error.no_bundle": {"fr": "Cette liasse n'existe pas.", "en": "There is no such bundle.",
                                "nl": "Deze bundel bestaat niet."},
    "bundles.error.other_campaign": {"fr": "La liasse n° {id} appartient à la campagne {campaign}.",
                                     "en": "Bundle {id} belongs to campaign {campaign}.",
                                     "nl": "Bundel {id} hoort bij campagne {campaign}."},
    "bundles.error.race": {"fr": "Quelqu'un d'autre vient de mettre certaines de ces pièces en liasse : rechargez la page.",
                           "en": "Someone else just bundled some of these pieces: reload the page.",
                           "nl": "Iemand anders heeft net enkele van deze stukken gebundeld: laad de pagina opnieuw."},
    "bundles.error.state": {"fr": "La liasse n° {id} est {state} : elle ne peut pas devenir {to} maintenant.",
                            "en": "Bundle {id} is {state}: it cannot become {to} now.",
                            "nl": "Bundel {id} is {state}: hij kan nu niet {to} worden."},
    "bundles.error.no_receipt": {"fr": "Cette pièce n'existe pas : elle ne peut pas servir d'accusé de réception.",
                                 "en": "There is no such piece to keep as the receipt.",
                                 "nl": "Dit stuk bestaat niet en kan geen ontvangstbewijs zijn."},
    "bundles.error.day_future": {"fr": "La date {day} est dans le futur (nous sommes le {today}).",
                                 "en": "The date {day} is in the future (today is {today}).",
                                 "nl": "De datum {day} ligt in de toekomst (vandaag is het {today})."},
    "bundles.error.day_before_season": {
        "fr": "La date {day} est hors de la saison de la campagne {campaign} (du {start} au {end}) : "
              "vérifiez l'année.",
        "en": "The date {day} is outside the season of campaign {campaign} ({start} to {end}): "
              "check the year.",
        "nl": "De datum {day} valt buiten het seizoen van campagne {campaign} ({start} tot {end}): "
              "controleer het jaar."},
    "bundles.error.day_after_season": {
        "fr": "La date {day} est hors de la saison de la campagne {campaign} (du {start} au {end}) : "
              "vérifiez l'année ; une remise tardive s'enregistre en cochant « Remise après la saison ».",
        "en": "The date {day} is outside the season of campaign {campaign} ({start} to {end}): "
              "check the year; a late delivery is recorded by ticking 'Delivered after the season'.",
        "nl": "De datum {day} valt buiten het seizoen van campagne {campaign} ({start} tot {end}): "
              "controleer het jaar; een late afgifte wordt geregistreerd met 'Afgegeven na het seizoen'."},
    "bundles.error.invalid": {"fr": "Impossible : vérifiez ce qui a été saisi.",
                              "en": "Not possible: check what was typed.",
                              "nl": "Niet mogelijk: controleer wat er getypt is."},
    "event.campaign.loaded": {"fr": "campagne chargée", "en": "campaign loaded", "nl": "campagne geladen"},
    "event.batch.opened": {"fr": "lot ouvert", "en": "batch opened", "nl": "partij geopend"},
    "event.batch.closed": {"fr": "lot clos", "en": "batch closed", "nl": "partij gesloten"},
    "event.item.scanned": {"fr": "pièce scannée", "en": "piece scanned", "nl": "stuk gescand"},
    "event.item.routed": {"fr": "pièce triée", "en": "piece routed", "nl": "stuk gesorteerd"},
    "event.item.review": {"fr": "pièce à vérifier", "en": "piece to review", "nl": "stuk na te kijken"},
    "event.item.rejected": {"fr": "pièce écartée", "en": "piece set aside", "nl": "stuk apart gelegd"},
    "event.item.duplicate": {"fr": "doublon", "en": "duplicate", "nl": "dubbel"},
    "event.sheet.issued": {"fr": "bordereau imprimé", "en": "sheet printed", "nl": "afgifteblad afgedrukt"},
    "event.item.decided": {"fr": "décision", "en": "decision", "nl": "beslissing"},
    "event.item.undone": {"fr": "décision annulée", "en": "decision undone", "nl": "beslissing ongedaan"},
    "event.item.moved": {"fr": "déplacée (campagne modifiée)", "en": "moved (campaign changed)",
                         "nl": "verplaatst (campagne gewijzigd)"},
    "event.person.added": {"fr": "personne ajoutée", "en": "person added", "nl": "persoon toegevoegd"},
    "event.person.changed": {"fr": "personne modifiée", "en": "person changed", "nl": "persoon gewijzigd"},
    "event.trays.set": {"fr": "plan des bacs modifié", "en": "tray plan set", "nl": "bakkenplan gewijzigd"},
    "event.bundle.closed": {"fr": "liasse fermée", "en": "bundle closed", "nl": "bundel gesloten"},
    "event.bundle.dispatched": {"fr": "liasse partie", "en": "bundle dispatched", "nl": "bundel verzonden"},
    "event.bundle.delivered": {"fr": "liasse remise", "en": "bundle delivered", "nl": "bundel afgegeven"},
    "event.bundle.refused": {"fr": "liasse refusée", "en": "bundle refused", "nl": "bundel geweigerd"},
    "event.bundle.returned": {"fr": "liasse revenue", "en": "bundle returned", "nl": "bundel teruggekomen"},
    "event.bundle.voided": {"fr": "liasse annulée", "en": "bundle voided", "nl": "bundel geannuleerd"},
    "event.kits.printed": {"fr": "kits imprimés", "en": "kits printed", "nl": "kits afgedrukt"},
    "event.images.purged": {"fr": "images effacées (vie privée)", "en": "images purged (privacy)",
                            "nl": "afbeeldingen gewist (privacy)"},
    "event.file.quarantined": {"fr": "fichier mis en quarantaine", "en": "file quarantined",
                               "nl": "bestand in quarantaine"},
    "event.signatures.imported": {"fr": "signatures en ligne importées", "en": "online signatures imported",
                                  "nl": "online handtekeningen geïmporteerd"},
    "event.signatures.voided": {"fr": "import de signatures annulé", "en": "signatures import voided",
                                "nl": "import van handtekeningen geannuleerd"},
    "event.case.outcome": {"fr": "issue d'un cas", "en": "case outcome", "nl": "afloop van een zaak"},
    "event.orders.imported": {"fr": "commandes de kits importées", "en": "kit orders imported",
                              "nl": "kitbestellingen geïmporteerd"},
})


def event_name(event_type: str, lang: str) -> str:
    """A ledger event's name as people read it (an unknown type is shown as it is)."""
    key = f"event.{event_type}"
    return text(key, lang) if key in _T else event_type


# Words that change with a number: (one, other) per language; French uses the singular for 0 and 1.
_PLURALS: dict[str, dict[str, tuple[str, str]]] = {
    "file": {"fr": ("{count} fichier", "{count} fichiers"), "en": ("{count} file", "{count} files"),
             "nl": ("{count} bestand", "{count} bestanden")},
    "piece": {"fr": ("{count} pièce", "{count} pièces"), "en": ("{count} piece", "{count} pieces"),
              "nl": ("{count} stuk", "{count} stukken")},
    "file_waiting": {"fr": ("{count} fichier en attente", "{count} fichiers en attente"),
                     "en": ("{count} file waiting", "{count} files waiting"),
                     "nl": ("{count} bestand wacht", "{count} bestanden wachten")},
    "piece_to_review": {"fr": ("{count} pièce à vérifier", "{count} pièces à vérifier"),
                        "en": ("{count} piece to review", "{count} pieces to review"),
                        "nl": ("{count} stuk na te kijken", "{count} stukken na te kijken")},
    "unseen_quarantined": {"fr": ("{count} fichier en quarantaine non vu", "{count} fichiers en quarantaine non vus"),
                           "en": ("{count} quarantined file not seen", "{count} quarantined files not seen"),
                           "nl": ("{count} bestand in quarantaine niet gezien",
                                  "{count} bestanden in quarantaine niet gezien")},
    # the live screen's running counts, by status
    "routed": {"fr": ("{count} triée", "{count} triées"), "en": ("{count} routed", "{count} routed"),
               "nl": ("{count} gesorteerd", "{count} gesorteerd")},
    "review": {"fr": ("{count} à vérifier", "{count} à vérifier"),
               "en": ("{count} to review", "{count} to review"),
               "nl": ("{count} na te kijken", "{count} na te kijken")},
    "rejected": {"fr": ("{count} écartée", "{count} écartées"), "en": ("{count} set aside", "{count} set aside"),
                 "nl": ("{count} apart gelegd", "{count} apart gelegd")},
    "blank_side": {"fr": ("{count} verso blanc", "{count} versos blancs"),
                   "en": ("{count} blank side", "{count} blank sides"),
                   "nl": ("{count} blanco achterkant", "{count} blanco achterkanten")},
    "picture_side": {"fr": ("{count} face illustrée", "{count} faces illustrées"),
                     "en": ("{count} picture side", "{count} picture sides"),
                     "nl": ("{count} afbeeldingszijde", "{count} afbeeldingszijden")},
    "signature": {"fr": ("{count} signature", "{count} signatures"),
                  "en": ("{count} signature", "{count} signatures"),
                  "nl": ("{count} handtekening", "{count} handtekeningen")},
}


def plural(key: str, count: int, lang: str) -> str:
    """`count` with its word in `lang`: « 1 fichier », « 2 fichiers » (French: 0 and 1 are
    singular; English and Dutch: only 1)."""
    forms = _PLURALS[key]
    one, other = forms.get(lang) or forms.get("en") or forms["fr"]
    singular = count in (0, 1) if lang == "fr" else count == 1
    return (one if singular else other).format(count=count)


def plural_keys() -> set[str]:
    return set(_PLURALS)


def plural_forms(key: str, lang: str) -> dict[str, object]:
    """A plural's two forms and its rule, for the screen's script (`{count}` to fill in)."""
    forms = _PLURALS[key]
    one, other = forms.get(lang) or forms.get("en") or forms["fr"]
    return {"one": one, "other": other, "zero_is_one": lang == "fr"}


# Reasons, as the operator reads them (the codes stay visible beside them).
_REASONS: dict[str, dict[str, str]] = {
    "ROUTED_BY_QR": {"fr": "triée par son code QR", "en": "routed by its QR code"},
    "ROUTED_BY_OCR": {"fr": "triée par son texte imprimé", "en": "routed by its printed text"},
    "KIT_ENVELOPE": {"fr": "enveloppe de kit", "en": "kit envelope"},
    "ENVELOPE_BY_SIZE": {"fr": "enveloppe sans code (lot anonyme)", "en": "envelope without a code (anonymous batch)"},
    "DELIVERY_RECEIPT": {"fr": "feuille de remise signée", "en": "signed delivery sheet"},
    "NO_CODE": {"fr": "aucun code sur la page", "en": "no code on the page"},
    "FOREIGN_CODE": {"fr": "code étranger à la campagne", "en": "someone else's code"},
    "MALFORMED_PAYLOAD": {"fr": "code abîmé", "en": "damaged code"},
    "UNSUPPORTED_VERSION": {"fr": "code d'une autre version", "en": "code of another version"},
    "WRONG_CAMPAIGN": {"fr": "code d'une autre campagne", "en": "code of another campaign"},
    "BAD_CHECK": {"fr": "code mal lu ou falsifié", "en": "code misread or forged"},
    "UNKNOWN_CASE": {"fr": "code d'un cas inconnu", "en": "code of an unknown case"},
    "CONFLICTING_CODES": {"fr": "codes contradictoires", "en": "conflicting codes"},
    "TEXT_NAMES_OTHER_CASE": {"fr": "le texte nomme un autre cas que le code", "en": "the text names another case than the code"},
    "OCR_NO_TEXT": {"fr": "pas de texte imprimé (écriture manuscrite ?)", "en": "no printed text (handwriting?)"},
    "OCR_NO_MATCH": {"fr": "le texte ne nomme aucun cas", "en": "the text names no case"},
    "OCR_WEAK": {"fr": "un cas nommé, mais peu d'indices", "en": "a case named, but little evidence"},
    "OCR_AMBIGUOUS": {"fr": "deux cas nommés presque autant", "en": "two cases named about equally"},
    "OCR_FAILED": {"fr": "la lecture du texte a échoué", "en": "reading the text failed"},
    "SIGNATURES_NOT_COUNTED": {"fr": "signatures non comptées", "en": "signatures not counted"},
    "BLANK_PAGE": {"fr": "page blanche (verso)", "en": "blank page (back)"},
    "POSTCARD_PICTURE_SIDE": {"fr": "face illustrée d'une carte du kit (reste avec sa carte)",
                              "en": "picture side of a kit postcard (stays with its card)"},
    "ADDRESSEE_UNCLEAR": {"fr": "à l'autorité ou à la personne ?",
                          "en": "to the authority or to the person?"},
    "SIGNATURES_UNSURE": {"fr": "nombre de signatures incertain", "en": "signature count unsure"},
    "RECOGNITION_FAILED": {"fr": "erreur de reconnaissance", "en": "recognition fault"},
    "UNREADABLE_FILE": {"fr": "fichier illisible", "en": "unreadable file"},
    "RECEIPT_APPENDIX": {"fr": "page suivante d'un bordereau", "en": "further page of a delivery sheet"},
    "RECEIPT_NOT_SIGNED": {"fr": "bordereau sans signature ni cachet", "en": "delivery sheet without signature or stamp"},
    "UNKNOWN_BUNDLE": {"fr": "code d'un lot inconnu", "en": "code of an unknown bundle"},
    "BUNDLE_NOT_DELIVERABLE": {"fr": "lot annulé, refusé ou revenu", "en": "bundle voided, refused or returned"},
    "DECIDED_BY_HAND": {"fr": "cas choisi par une personne", "en": "case chosen by a person"},
    "NOT_A_CAMPAIGN_PIECE": {"fr": "pas une pièce de la campagne", "en": "not a campaign piece"},
    "SET_ASIDE_UNREADABLE": {"fr": "illisible, mise de côté", "en": "unreadable, set aside"},
}


def _in(entry: dict[str, str], lang: str) -> str:
    """An entry's words in `lang`, else in English, else in French."""
    return entry.get(lang) or entry.get("en") or entry["fr"]


def text(key: str, lang: str, **values: object) -> str:
    """The words for `key` in `lang`, with `values` filled in."""
    words = _in(_T[key], lang)
    return words.format(**values) if values else words


def text_or(key: str, fallback: str, lang: str, **values: object) -> str:
    """The words for `key`, or for `fallback` when there is no such key (a code from
    elsewhere that this version does not know yet)."""
    return text(key if key in _T else fallback, lang, **values)


def refusal_text(area: str, exc: CodedError, lang: str, **shown: object) -> str:
    """A refusal of the store (`CodedError`) in `lang`: the words of "`area`.error.`code`" with
    the error's values (and `shown`, the values as the screen shows them), else the area's
    general "`area`.error.invalid" (a code or a value these words do not know)."""
    values = {**exc.values, **shown}
    try:
        return text_or(f"{area}.error.{exc.code}", f"{area}.error.invalid", lang, **values)
    except (KeyError, IndexError):  # words that need a value this error did not give
        return text(f"{area}.error.invalid", lang)


def reason_text(code: str, lang: str) -> str:
    """A reason code as people read it; an unknown code is shown as it is."""
    entry = _REASONS.get(code)
    return code if entry is None else _in(entry, lang)


def catalogue_keys() -> set[str]:
    return set(_T)


def reason_codes() -> set[str]:
    return set(_REASONS)
