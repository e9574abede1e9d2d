"""Turn a file into :class:`Document` objects: its text, and metadata read from the file.

For ``.txt`` and ``.md`` the text is exactly ``open(path, encoding="utf-8").read()`` (universal newlines,
so CRLF becomes LF), which makes every chunk offset a Python index into what a reader of the file sees.
Other formats' text is extracted, deterministically; offsets index that extracted text
(:attr:`Document.text`). HTML: :mod:`ingest.news`; ``.docx``: :mod:`ingest.office`; feeds, one document
per item: :mod:`ingest.feeds`; PDF: below.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime
from pathlib import Path

from ingest.document import Document
from ingest.feeds import FEED_SUFFIXES, load_feed
from ingest.news import load_page
from ingest.office import load_docx
from rag.errors import IngestError

MAX_FILE_BYTES = 50 * 1024 * 1024
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", *FEED_SUFFIXES)


def load(path: Path, source: str | None = None, data: bytes | None = None) -> Document:
    """The one document in a file; see :func:`load_documents`. A feed holds several: an :class:`IngestError`."""
    documents = load_documents(path, source, data)
    if len(documents) != 1:
        raise IngestError(f"{source or path}: a feed of {len(documents)} items, not one document; "
                          "read it with load_documents().")
    return documents[0]


def load_item(path: Path, source: str | None = None, item: str = "") -> Document:
    """The document a manifest record names: the file's one document, or the feed item with key ``item``."""
    if not item:
        return load(path, source)
    for doc in load_documents(path, source):
        if doc.item == item:
            return doc
    raise IngestError(f"{source or path}: the feed no longer has the item {item!r}; re-ingest it.")


def load_documents(path: Path, source: str | None = None, data: bytes | None = None) -> list[Document]:
    """Load one file: one document, or one per item for a feed. Raise :class:`IngestError` naming the file
    and the reason when it can't be used.

    ``data``: the file's bytes when the caller has read them already (ingest hashes them first).
    """
    source = source or str(path)
    path = path.absolute()
    suffix = path.suffix.lower()
    if not path.exists():
        raise IngestError(f"{source}: no such file; check the path.")
    if not path.is_file():
        raise IngestError(f"{source}: not a regular file.")
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            f"{source}: unsupported file type '{suffix or '(none)'}'; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}."
        )
    try:
        size = len(data) if data is not None else path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise IngestError(
                f"{source}: too large ({size / 1e6:.1f} MB > {MAX_FILE_BYTES / 1e6:.0f} MB); split it first."
            )
        if data is None:
            data = path.read_bytes()
    except PermissionError:
        raise IngestError(f"{source}: not readable (permission denied); fix its permissions.") from None
    except OSError as exc:
        raise IngestError(f"{source}: could not be read ({exc.strerror or exc}).") from None
    if not data.strip():
        raise IngestError(f"{source}: empty file; nothing to ingest.")
    if suffix == ".pdf":
        documents = [_load_pdf(path, source, data)]
    elif suffix == ".docx":
        documents = [load_docx(path, source, data)]
    elif suffix in FEED_SUFFIXES:  # XML declares its own encoding: feedparser reads the bytes
        documents = load_feed(path, source, data)
    else:
        raw = _decode_text(source, suffix, data)
        if suffix in (".html", ".htm"):
            documents = [load_page(path, source, raw)]
        else:
            documents = [Document(source, path, raw, title="", format="md" if suffix != ".txt" else "txt")]
    digest = hashlib.sha256(data).hexdigest()
    for doc in documents:
        if not doc.text.strip():
            raise IngestError(f"{source}: no text in it after extraction.")
        doc.content_hash = doc.content_hash or digest  # a feed item has its own
        read_metadata(doc)
    return documents


def _decode_text(source: str, suffix: str, data: bytes) -> str:
    """UTF-8 text as ``open(path, encoding="utf-8").read()`` gives it: universal newlines (CRLF -> LF)."""
    if b"\x00" in data[:8192]:
        raise IngestError(f"{source}: binary content in a '{suffix}' file (NUL bytes); not a text file.")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{source}: not valid UTF-8 (byte {exc.start}); re-save it as UTF-8.") from None
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()


# --- metadata ---------------------------------------------------------------------------------------

_DATE_MARKER = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b")
_PUBLISHED = re.compile(
    r"Published in (?P<pub>[^,\n]+?),\s*(?P<date>[A-Z][a-z]+ \d{1,2}(?:st|nd|rd|th)?,? \d{4})\s*\Z"
)
_MD_HEADING = re.compile(r"^#{1,3}\s+(.+?)\s*#*\s*$", re.M)


def _parse_long_date(text: str) -> str:
    """'November 27th, 2025' -> '2025-11-27'; '' when it isn't a date."""
    cleaned = re.sub(r"(\d)(st|nd|rd|th)", r"\1", text).replace(",", "")
    try:
        return datetime.strptime(cleaned, "%B %d %Y").date().isoformat()
    except ValueError:
        return ""


def read_metadata(doc: Document) -> None:
    """Fill ``date``, ``publication`` and ``title`` from the text where the loader left them empty.

    A newspaper export starts with ``date YYYY-MM-DD`` and ends with ``Published in <paper>, <date>``;
    both become metadata, while the text (and so every offset) stays as it is.
    """
    text = doc.text
    body_start = 0
    marker = _DATE_MARKER.match(text)
    if marker:
        doc.date = doc.date or marker.group(1)
        body_start = marker.end()
    published = _PUBLISHED.search(text[-300:])
    if published:
        doc.publication = doc.publication or published.group("pub").strip()
        doc.date = doc.date or _parse_long_date(published.group("date"))
    if not doc.title:
        doc.title = _guess_title(doc, text[body_start:])


def _guess_title(doc: Document, body: str) -> str:
    if doc.format == "md":
        heading = _MD_HEADING.search(body)
        if heading:
            return heading.group(1)
    first_line = body.strip().split("\n", 1)[0].strip()
    if first_line and len(first_line) <= 100 and not first_line.endswith((".", "?", "!")):
        return first_line
    sentence = re.split(r"(?<=[.!?])\s", first_line, maxsplit=1)[0]
    if len(sentence) <= 80:
        return sentence or doc.path.stem
    return sentence[:80].rsplit(" ", 1)[0] + "…"


# --- PDF --------------------------------------------------------------------------------------------


def _load_pdf(path: Path, source: str, data: bytes) -> Document:
    """The PDF's text layer, pages joined by blank lines; page starts are kept for locations."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise IngestError(f"{source}: encrypted PDF; decrypt it first.")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise IngestError(f"{source}: not a readable PDF ({exc}).") from None
    parts: list[str] = []
    page_starts: list[tuple[int, int]] = []
    offset = 0
    for number, page_text in enumerate(pages, start=1):
        page_text = page_text.strip()
        if not page_text:
            continue
        page_starts.append((offset, number))
        parts.append(page_text)
        offset += len(page_text) + 2
    if not parts:
        raise IngestError(f"{source}: PDF has no text layer (a scan?); run OCR on it first.")
    return Document(source, path, "\n\n".join(parts), title=str(title), format="pdf", page_starts=page_starts)
