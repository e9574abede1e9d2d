"""Turn a file into a :class:`Document`: its text, and metadata read from that text.

For ``.txt`` and ``.md`` the text is exactly ``open(path, encoding="utf-8").read()`` (universal newlines,
so CRLF becomes LF), which makes every chunk offset a Python index into what a reader of the file sees.
HTML and PDF text is extracted; offsets index that extracted text.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rag.errors import IngestError

MAX_FILE_BYTES = 50 * 1024 * 1024
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")


@dataclass
class Document:
    source: str  # the path as the user gave it
    path: Path  # absolute
    text: str
    title: str
    date: str = ""  # ISO date, "" when unknown
    publication: str = ""
    content_hash: str = ""  # sha256 of the file's bytes
    format: str = "txt"
    #: For PDFs: (offset in text where the page starts, page number), ascending.
    page_starts: list[tuple[int, int]] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding character ``offset``, for PDFs; ``None`` otherwise."""
        page = None
        for start, number in self.page_starts:
            if start > offset:
                break
            page = number
        return page


def load(path: Path, source: str | None = None, data: bytes | None = None) -> Document:
    """Load one file; raise :class:`IngestError` naming the file and the reason when it can't be used.

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
    digest = hashlib.sha256(data).hexdigest()
    if suffix == ".pdf":
        doc = _load_pdf(path, source, data)
    else:
        if b"\x00" in data[:8192]:
            raise IngestError(f"{source}: binary content in a '{suffix}' file (NUL bytes); not a text file.")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise IngestError(
                f"{source}: not valid UTF-8 (byte {exc.start}); re-save it as UTF-8."
            ) from None
        # Decoded as open(path, encoding="utf-8").read() would: universal newlines (CRLF -> LF).
        raw = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()
        if suffix in (".html", ".htm"):
            doc = _html_document(path, source, raw)
        else:
            doc = Document(source, path, raw, title="", format="md" if suffix != ".txt" else "txt")
    if not doc.text.strip():
        raise IngestError(f"{source}: no text in it after extraction.")
    doc.content_hash = digest
    read_metadata(doc)
    return doc


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


# --- HTML -------------------------------------------------------------------------------------------

_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")
_BLOCKS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "header", "footer", "blockquote", "pre", "hr", "dd", "dt", "figcaption",
)


def _html_document(path: Path, source: str, raw: str) -> Document:
    """Visible text only: scripts, styles and the head are dropped, blocks become paragraphs."""
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(raw, "html.parser")
        title_tag = soup.find("title")
        title = title_tag.get_text(" ", strip=True) if title_tag else ""
        for tag in soup.find_all(_INVISIBLE):
            tag.decompose()
        for tag in soup.find_all(_BLOCKS):
            tag.insert_before("\n\n")
            tag.insert_after("\n\n")
        text = soup.get_text()
    except RecursionError:
        raise IngestError(f"{source}: HTML nested too deeply to parse; simplify it.") from None
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    text = "\n\n".join(p for p in paragraphs if p)
    if not title:
        heading = soup.find(["h1", "h2"])
        title = heading.get_text(" ", strip=True) if heading else ""
    return Document(source, path, text, title=title, format="html")


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
