"""The hot folder's words for the screens, by code, in French, English and Dutch: why a file is
in quarantine (`QuarantinedFile.code`, `FolderEvent.code`) and why the queue is paused
(`Fault.code`). The screens show these from the code; the English detail stays for the log.
Kept here, beside the codes, so that a new code cannot lack its words (tests check it)."""

from __future__ import annotations

REASON_TEXT: dict[str, dict[str, str]] = {
    "not_regular": {
        "fr": "Pas un fichier ordinaire (lien, tube ou périphérique) : il n'a pas été ouvert.",
        "en": "Not an ordinary file (a link, pipe or device): it was not opened.",
        "nl": "Geen gewoon bestand (koppeling, pipe of apparaat): het is niet geopend.",
    },
    "hard_link": {
        "fr": "Fichier à plusieurs noms (lien physique) : il n'a pas été lu.",
        "en": "A file with several names (a hard link): it was not read.",
        "nl": "Bestand met meerdere namen (harde koppeling): het is niet gelezen.",
    },
    "too_large": {
        "fr": "Fichier trop gros : numérisez moins de pages par fichier ou à plus basse résolution.",
        "en": "File too large: scan fewer pages a file or at a lower resolution.",
        "nl": "Bestand te groot: scan minder pagina's per bestand of met een lagere resolutie.",
    },
    "empty": {
        "fr": "Fichier vide : le scanner n'a rien écrit ; numérisez à nouveau.",
        "en": "Empty file: the scanner wrote nothing; scan again.",
        "nl": "Leeg bestand: de scanner schreef niets; scan opnieuw.",
    },
    "not_a_scan": {
        "fr": "Pas une numérisation : ce type de fichier n'est pas lu.",
        "en": "Not a scan: this kind of file is not read.",
        "nl": "Geen scan: dit soort bestand wordt niet gelezen.",
    },
    "unreadable": {
        "fr": "Fichier illisible (enregistré comme pièce rejetée) : numérisez à nouveau.",
        "en": "Unreadable file (recorded as a rejected piece): scan again.",
        "nl": "Onleesbaar bestand (geregistreerd als afgewezen stuk): scan opnieuw.",
    },
    "read_error": {
        "fr": "Le fichier n'a pas pu être lu, après plusieurs essais.",
        "en": "The file could not be read, after several tries.",
        "nl": "Het bestand kon niet worden gelezen, na meerdere pogingen.",
    },
    "worker_died": {
        "fr": "Ce fichier a fait s'arrêter le lecteur : gardez-le et signalez-le.",
        "en": "This file made the reader stop: keep it and report it.",
        "nl": "Dit bestand liet de lezer stoppen: bewaar het en meld het.",
    },
    "internal": {
        "fr": "Erreur interne sur ce fichier : gardez-le et signalez-le.",
        "en": "Internal error on this file: keep it and report it.",
        "nl": "Interne fout bij dit bestand: bewaar het en meld het.",
    },
}

FAULT_TEXT: dict[str, dict[str, str]] = {
    "image_store": {
        "fr": "Les images ne peuvent pas être enregistrées (disque plein ou en lecture seule). "
              "La numérisation attend ; elle reprendra d'elle-même.",
        "en": "Images cannot be saved (disk full or read-only). Intake is waiting; it resumes "
              "by itself.",
        "nl": "Afbeeldingen kunnen niet worden opgeslagen (schijf vol of alleen-lezen). De "
              "invoer wacht; ze gaat vanzelf verder.",
    },
    "ledger": {
        "fr": "Le registre ne peut pas être écrit. La numérisation attend ; elle reprendra "
              "d'elle-même.",
        "en": "The ledger cannot be written. Intake is waiting; it resumes by itself.",
        "nl": "Het register kan niet worden geschreven. De invoer wacht; ze gaat vanzelf verder.",
    },
    "work_folder": {
        "fr": "Le dossier de travail de la station ne peut pas être écrit (disque plein ?). "
              "La numérisation attend ; elle reprendra d'elle-même.",
        "en": "The station's work folder cannot be written (disk full?). Intake is waiting; "
              "it resumes by itself.",
        "nl": "De werkmap van het station kan niet worden geschreven (schijf vol?). De invoer "
              "wacht; ze gaat vanzelf verder.",
    },
    "inbox": {
        "fr": "Le dossier du scanner ne peut pas être lu ou vidé. La numérisation attend ; elle "
              "reprendra d'elle-même.",
        "en": "The scanner's folder cannot be read or emptied. Intake is waiting; it resumes "
              "by itself.",
        "nl": "De map van de scanner kan niet worden gelezen of geleegd. De invoer wacht; ze "
              "gaat vanzelf verder.",
    },
}


def reason_text(code: str, language: str, fallback: str = "") -> str:
    """Why a file is in quarantine, in `language`, from its code; `fallback` (the English detail)
    for a code without words (a note written by hand, an older station)."""
    return REASON_TEXT.get(code, {}).get(language, fallback)


def fault_text(code: str, language: str) -> str:
    """Why the queue is paused, in `language`, from the fault's code."""
    words = FAULT_TEXT.get(code, FAULT_TEXT["work_folder"])
    return words.get(language, words["en"])
