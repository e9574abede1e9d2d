"""A loaded document, whatever its format: its text (chunk offsets index it) and what is known about it.

Most files are one document. A feed is one document per item: those share the file's path and are told
apart by :attr:`Document.item`, the item's stable key (its guid, or its link).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass
class Document:
    source: str  # the path as the user gave it
    path: Path  # absolute
    text: str
    title: str
    date: str = ""  # ISO date of publication, "" when unknown
    publication: str = ""
    content_hash: str = ""  # sha256 of the file's bytes; of the item's fields for a feed item
    format: str = "txt"
    #: For PDFs: (offset in text where the page starts, page number), ascending.
    page_starts: list[tuple[int, int]] = field(default_factory=list)
    modified: str = ""  # ISO date of the last change, "" when unknown
    authors: list[str] = field(default_factory=list)
    section: str = ""
    url: str = ""
    item: str = ""  # a feed item's key within its file; "" for a whole-file document

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding character ``offset``, for PDFs; ``None`` otherwise."""
        page = None
        for start, number in self.page_starts:
            if start > offset:
                break
            page = number
        return page


_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")


def iso_date(value: object) -> str:
    """The calendar date a timestamp was written with, as ``YYYY-MM-DD``; ``""`` when it is not one.

    The time zone is not applied: ``"2024-03-05T00:30:00+01:00"`` is 2024-03-05, the day the publisher
    printed, not the UTC day before it.

    >>> iso_date("2024-03-05T00:30:00+01:00"), iso_date("yesterday")
    ('2024-03-05', '')
    """
    if isinstance(value, date):  # a datetime too: its own date, in its own time zone
        return value.isoformat()[:10]
    match = _ISO_DAY.match(str(value or ""))
    if not match:
        return ""
    try:
        return date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:  # 2024-02-30
        return ""
