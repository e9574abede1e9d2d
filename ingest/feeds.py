"""RSS and Atom feeds (``.rss``, ``.atom``, and ``.xml`` when it is a feed) through feedparser: one document
per item.

* **Key**: the item's guid (``id``), else its link, else a hash of its title and date. It stays the same
  while the item is in the feed, so the pipeline re-embeds only items that changed and removes those
  that left. An item listed twice keeps its first occurrence.
* **Text**: the item's content (the longest ``content``, else ``summary``/``description``); HTML is made
  visible text as any HTML fragment is (:func:`ingest.news.visible_text`: feed content is the article
  already, with no page around it to strip). An item with no content is its title, so a feed of
  headlines is still searchable.
* **Date**: ``published``, else ``updated``, as written: feedparser's own parsed dates are UTC, which would
  put an item published at 00:30 +01:00 on the day before. ``modified`` is ``updated``.
* **Authors** from the item (an RSS ``news@example.com (Ann Lee)`` is Ann Lee), **section** from its
  categories, **url** its link, **publication** the feed's title.

Its ``content_hash`` covers every field that is stored, so a changed item is re-embedded and only it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from email.utils import parsedate_to_datetime
from pathlib import Path

from ingest.document import Document, iso_date
from ingest.news import visible_text
from rag.errors import IngestError

FEED_SUFFIXES = (".rss", ".atom", ".xml")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def load_feed(path: Path, source: str, data: bytes) -> list[Document]:
    """One :class:`Document` per item, in feed order; one :class:`IngestError` for a file that is no feed."""
    import feedparser

    parsed = feedparser.parse(io.BytesIO(data))  # bytes, never a URL: nothing is fetched
    if not parsed.version:
        reason = f" ({parsed.bozo_exception})" if parsed.get("bozo_exception") else ""
        if path.suffix.lower() == ".xml":
            raise IngestError(f"{source}: an .xml file that is not an RSS or Atom feed{reason}; ragchat reads .xml "
                              "files only when they are feeds (save other XML as .txt to ingest it).")
        raise IngestError(f"{source}: not an RSS or Atom feed{reason}; check that it is the feed itself "
                          "(the XML), not a web page about it.")
    publication = " ".join(parsed.feed.get("title", "").split())
    if not parsed.entries:
        raise IngestError(f"{source}: the feed{f' {publication!r}' if publication else ''} has no items; "
                          "nothing to ingest.")
    documents: dict[str, Document] = {}
    for entry in parsed.entries:
        doc = _item(entry, path, source, publication, atom=parsed.version.startswith("atom"))
        if doc.text and doc.item not in documents:
            documents[doc.item] = doc
    if not documents:
        raise IngestError(f"{source}: none of the feed's {len(parsed.entries)} items has a title or any text.")
    return list(documents.values())


def _item(entry, path: Path, source: str, publication: str, atom: bool) -> Document:
    title = _as_text(entry.get("title_detail") or {"value": entry.get("title", "")}, source)
    text = _content(entry, source) or title
    date = _written_date(entry, "published") or _written_date(entry, "updated")
    modified = _written_date(entry, "updated")
    link = entry.get("link", "")
    key = entry.get("id") or link or "sha1:" + hashlib.sha1(f"{title}\n{date}".encode()).hexdigest()[:16]
    section = ", ".join(tag.get("term", "") for tag in entry.get("tags") or [] if tag.get("term"))
    authors = _authors(entry, atom)
    fields = [key, title, text, date, modified, authors, section, link, publication]
    digest = hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()
    return Document(source, path, text, title=title, date=date, publication=publication, content_hash=digest,
                    format="feed", modified=modified, authors=authors, section=section, url=link, item=key)


def _content(entry, source: str) -> str:
    """The item's longest content, else its summary, as text."""
    contents = [c for c in entry.get("content") or [] if c.get("value", "").strip()]
    if contents:
        return _as_text(max(contents, key=lambda c: len(c["value"])), source)
    if entry.get("summary", "").strip():
        return _as_text(entry.get("summary_detail") or {"value": entry["summary"], "type": "text/html"}, source)
    return ""


def _as_text(detail, source: str) -> str:
    """A feedparser text construct (``{"value", "type"}``) as plain paragraphs joined by blank lines."""
    value = detail.get("value", "")
    if detail.get("type") in _HTML_TYPES:
        return visible_text(value, source)[0]
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", value))
    return "\n\n".join(p for p in paragraphs if p)


def _written_date(entry, field: str) -> str:
    """The day an item's date was written with (RFC 822 or ISO 8601), else feedparser's (UTC) reading.

    ``in`` first: feedparser's ``get("updated")`` answers ``published`` when there is no ``updated``.
    """
    written = entry[field] if field in entry else ""
    day = iso_date(written)
    if not day and written:
        try:
            day = iso_date(parsedate_to_datetime(written))
        except (TypeError, ValueError):
            day = ""
    parsed = entry[f"{field}_parsed"] if f"{field}_parsed" in entry else None
    if not day and parsed:
        day = f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"
    return day


def _authors(entry, atom: bool) -> list[str]:
    """Atom's author names; RSS's ``<author>``/``dc:creator`` read here (feedparser garbles ``mail (Name)``)."""
    if atom:
        names = [a.get("name", "") for a in entry.get("authors") or []]
    else:
        written = entry.get("author", "")
        in_brackets = re.fullmatch(r"\s*\S+@\S+\s*\((.+)\)\s*", written)
        names = [in_brackets.group(1)] if in_brackets else [] if "@" in written else [written]
    return [" ".join(name.split()) for name in names if name.strip()]
