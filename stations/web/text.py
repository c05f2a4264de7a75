"""Every word of the station app, in French (default) and English; Dutch where translated.

A key missing in a language falls back to English, then French; a key missing
everywhere raises, so a typo in a template fails its test rather than showing
a blank to the operator.
"""

from __future__ import annotations

LANGUAGES = ("fr", "en", "nl")

_T: dict[str, dict[str, str]] = {
    "app.title": {"fr": "Station de tri", "en": "Sorting station", "nl": "Sorteerstation"},
    "nav.live": {"fr": "Tri en direct", "en": "Live sorting", "nl": "Live sorteren"},
    "nav.review": {"fr": "À vérifier", "en": "Review", "nl": "Nakijken"},
    "nav.trays": {"fr": "Plan des bacs", "en": "Tray plan", "nl": "Bakkenplan"},
    "nav.progress": {"fr": "Avancement", "en": "Progress", "nl": "Voortgang"},
    "nav.people": {"fr": "Personnes", "en": "People", "nl": "Personen"},
    "nav.signout": {"fr": "Se déconnecter", "en": "Sign out", "nl": "Afmelden"},
    "nav.station": {"fr": "Station {station} — {name} ({role})", "en": "Station {station} — {name} ({role})"},
    "role.operator": {"fr": "opérateur·rice", "en": "operator"},
    "role.coordinator": {"fr": "coordination", "en": "coordinator"},
    "role.auditor": {"fr": "audit", "en": "auditor"},
    "role.admin": {"fr": "administration", "en": "admin"},
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
    "live.open": {"fr": "Ouvrir le lot", "en": "Open batch"},
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
    "live.files_waiting": {"fr": "{count} fichier(s) en attente", "en": "{count} file(s) waiting"},
    "live.alarm_ack": {"fr": "Vu (Échap)", "en": "Seen (Esc)"},
    "live.quarantined": {"fr": "Fichier mis en quarantaine : {name} — {reason}",
                         "en": "File quarantined: {name} — {reason}"},
    "live.file_waits": {"fr": "Le fichier {name} reste dans le dossier : {reason}",
                        "en": "The file {name} stays in the folder: {reason}"},
    "live.rejected": {"fr": "Pièce rejetée", "en": "Piece rejected"},
    "live.duplicate": {"fr": "déjà scannée : non recomptée", "en": "already scanned: not counted again"},
    "live.review_pending": {"fr": "{count} pièce(s) à vérifier", "en": "{count} piece(s) to review"},
    "status.routed": {"fr": "triée", "en": "routed"},
    "status.review": {"fr": "à vérifier", "en": "review"},
    "status.rejected": {"fr": "écartée", "en": "set aside"},
    "status.duplicate": {"fr": "doublon", "en": "duplicate"},
    "kind.letter": {"fr": "lettre", "en": "letter"},
    "kind.postcard": {"fr": "carte", "en": "postcard"},
    "kind.petition": {"fr": "pétition", "en": "petition"},
    "kind.kit_envelope": {"fr": "enveloppe de kit", "en": "kit envelope"},
    "kind.delivery_receipt": {"fr": "reçu de remise", "en": "delivery receipt"},
    "kind.unknown": {"fr": "inconnu", "en": "unknown"},
    # batch summary
    "batch.title": {"fr": "Lot n° {batch}", "en": "Batch {batch}"},
    "batch.closed": {"fr": "Lot clos.", "en": "Batch closed."},
    "batch.case": {"fr": "Cas", "en": "Case"},
    "batch.kind": {"fr": "Type", "en": "Kind"},
    "batch.pieces": {"fr": "Pièces", "en": "Pieces"},
    "batch.signatures": {"fr": "Signatures", "en": "Signatures"},
    "batch.in_review": {"fr": "À vérifier", "en": "In review"},
    "batch.rejected": {"fr": "Écartées", "en": "Set aside"},
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
    "review.keys": {"fr": "Touches : 1–9 choisir un cas · L/C/P type · 0 pas de la campagne · X illisible · S passer · U annuler · Z zoom",
                    "en": "Keys: 1–9 pick a case · L/C/P kind · 0 not a campaign piece · X unreadable · S skip · U undo · Z zoom"},
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
    "progress.letters": {"fr": "Lettres", "en": "Letters"},
    "progress.postcards": {"fr": "Cartes", "en": "Postcards"},
    "progress.petitions": {"fr": "Pétitions", "en": "Petitions"},
    "progress.signatures": {"fr": "Signatures", "en": "Signatures"},
    "progress.others": {"fr": "Autres pièces", "en": "Other pieces"},
    # people
    "people.title": {"fr": "Personnes et rôles", "en": "People and roles"},
    "people.name": {"fr": "Nom", "en": "Name"},
    "people.role": {"fr": "Rôle", "en": "Role"},
    "people.active": {"fr": "Actif", "en": "Active"},
    "people.secret": {"fr": "Code PIN ou mot de passe (4 caractères au moins)", "en": "PIN or password (4 characters at least)"},
    "people.add": {"fr": "Ajouter", "en": "Add"},
    "people.change": {"fr": "Modifier", "en": "Change"},
    "people.deactivate": {"fr": "Retirer l'accès", "en": "Remove access"},
    "people.activate": {"fr": "Rendre l'accès", "en": "Give access back"},
    "people.new_secret": {"fr": "Nouveau code (laisser vide : inchangé)", "en": "New PIN (empty: unchanged)"},
    "people.saved": {"fr": "Enregistré : {name}.", "en": "Saved: {name}."},
    "yes": {"fr": "oui", "en": "yes"},
    "no": {"fr": "non", "en": "no"},
    "language": {"fr": "English", "en": "Français"},
}

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
    "RECOGNITION_FAILED": {"fr": "erreur de reconnaissance", "en": "recognition fault"},
    "UNREADABLE_FILE": {"fr": "fichier illisible", "en": "unreadable file"},
    "DECIDED_BY_HAND": {"fr": "cas choisi par une personne", "en": "case chosen by a person"},
    "NOT_A_CAMPAIGN_PIECE": {"fr": "pas une pièce de la campagne", "en": "not a campaign piece"},
    "SET_ASIDE_UNREADABLE": {"fr": "illisible, mise de côté", "en": "unreadable, set aside"},
}


def text(key: str, lang: str, **values) -> str:
    """The words for `key` in `lang`, with `values` filled in."""
    entry = _T[key]
    words = entry.get(lang) or entry.get("en") or entry["fr"]
    return words.format(**values) if values else words


def reason_text(code: str, lang: str) -> str:
    """A reason code as people read it; an unknown code is shown as it is."""
    entry = _REASONS.get(code)
    if entry is None:
        return code
    return entry.get(lang) or entry.get("en") or entry["fr"]


def catalogue_keys() -> set[str]:
    return set(_T)


def reason_codes() -> set[str]:
    return set(_REASONS)
