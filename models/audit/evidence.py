"""The words read on a piece, kept apart from the ledger so they can be purged.

A state event's candidates hold, for every case term found, the text of the page
that matched it (`found`): words a supporter wrote. The event keeps everything
else, plus `text`: a salted SHA-256 of those words. The words themselves go to
the `evidence_text` table, from which a privacy purge removes them without
touching the chain.
"""

from __future__ import annotations

import copy
import hashlib
import json
import secrets
from typing import Any


def words_json(words: list[str]) -> str:
    return json.dumps(words, ensure_ascii=False)


def words_digest(salt: str, words: list[str]) -> str:
    return hashlib.sha256((salt + words_json(words)).encode("utf-8")).hexdigest()


def split_words(payload: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The payload without the words read on the page, and those words in order."""
    words: list[str] = []
    out = copy.deepcopy(payload)
    for candidate in out.get("candidates") or []:
        for hit in candidate.get("evidence") or []:
            if "found" in hit:
                words.append(str(hit.pop("found")))
    return out, words


def join_words(payload: dict[str, Any], words: list[str] | None) -> dict[str, Any]:
    """The payload with its words back in place (or "" where they were purged)."""
    out = copy.deepcopy(payload)
    queue = list(words or [])
    for candidate in out.get("candidates") or []:
        for hit in candidate.get("evidence") or []:
            if "found" not in hit:
                hit["found"] = queue.pop(0) if queue else ""
    return out


def seal_words(payload: dict[str, Any],
               salt: str | None = None) -> tuple[dict[str, Any], tuple[str, str, str] | None]:
    """Split the words out of a state payload: (payload with `text` digest, (digest, salt, words)).

    Nothing to seal (no words) gives the payload unchanged and None.
    """
    bare, words = split_words(payload)
    if not words:
        return payload, None
    salt = salt or secrets.token_hex(16)
    digest = words_digest(salt, words)
    return {**bare, "text": digest}, (digest, salt, words_json(words))


def check_words(digest: str, salt: str, kept: str) -> bool:
    """Whether kept words are still exactly those the ledger sealed."""
    try:
        words = json.loads(kept)
    except ValueError:
        return False
    return isinstance(words, list) and words_digest(salt, words) == digest
