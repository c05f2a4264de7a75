"""From the bytes of one scanned file to a decision per page.

Reads like a table of contents: load the pages, read their codes, route them.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanpipe.campaign import Campaign
from scanpipe.codes import Code, read_codes
from scanpipe.pages import Page, UnreadableFile, load_pages
from scanpipe.routing import Decision, route_page, unreadable


@dataclass(frozen=True, slots=True)
class PageResult:
    """One page of a file: its codes and what to do with it."""

    page: int
    codes: tuple[Code, ...]
    decision: Decision


def decode_file(data: bytes) -> list[tuple[Page, list[Code]]]:
    """Every page of the file with the codes found on it; raises `UnreadableFile`."""
    return [(page, read_codes(page.pixels)) for page in load_pages(data)]


def process_file(data: bytes, campaign: Campaign) -> list[PageResult]:
    """Decide every page of a scanned file. An unreadable file is one rejected result."""
    try:
        decoded = decode_file(data)
    except UnreadableFile as exc:
        return [PageResult(1, (), unreadable(str(exc)))]
    return [
        PageResult(page.number, tuple(codes), route_page(codes, campaign))
        for page, codes in decoded
    ]
