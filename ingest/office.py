"""Word ``.docx`` files (press releases, transcripts) through python-docx.

The text is the body in reading order: each non-empty paragraph, and each table row (its cells joined by
" | ", a merged cell once), one paragraph each, joined by blank lines. The title is the core properties'
title, else the first heading; the date is the core properties' ``created`` and ``modified``, except the
stamp python-docx's own template carries (2013-12-23 23:15 UTC), which says nothing about the document.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from ingest.document import Document, iso_date
from rag.errors import IngestError

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a .docx is a zip: refuse one that would unpack to more than this
_TEMPLATE_STAMP = datetime(2013, 12, 23, 23, 15, tzinfo=UTC)


def load_docx(path: Path, source: str, data: bytes) -> Document:
    """Text, title and dates of a ``.docx``; one :class:`IngestError` when it is not a readable one."""
    import docx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise IngestError(_not_a_zip(source, data)) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise IngestError(f"{source}: unpacks to {unpacked / 1e6:.0f} MB (> {MAX_UNPACKED_BYTES / 1e6:.0f} MB); "
                          "split the document first.")
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = [_block_text(block) for block in document.iter_inner_content()]
        properties = document.core_properties
        title, created, modified = properties.title, properties.created, properties.modified
    except Exception as exc:  # python-docx raises whatever its XML or zip reader meets in a damaged package
        raise IngestError(f"{source}: not a readable .docx (Word parts missing or damaged: {type(exc).__name__}); "
                          "open it in Word or LibreOffice and save it again.") from None
    text = "\n\n".join(block for block, _ in blocks if block)
    heading = next((block for block, is_heading in blocks if block and is_heading), "")
    return Document(source, path, text, title=" ".join((title or "").split()) or heading, format="docx",
                    date=_stamp(created), modified=_stamp(modified))


def _not_a_zip(source: str, data: bytes) -> str:
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE2 container: Word 97-2003, or a password-protected .docx
        return (f"{source}: an old Word .doc or a password-protected .docx, not a plain .docx; "
                "remove the password or save it as .docx from Word or LibreOffice.")
    if data.startswith(b"PK"):
        return f"{source}: a damaged .docx (its zip archive is cut short or corrupt); get a fresh copy of it."
    return f"{source}: not a .docx (not a zip archive); check the file, or save it as .docx from Word."


def _block_text(block) -> tuple[str, bool]:
    """``(text, is_heading)`` of a body paragraph or table."""
    from docx.table import Table

    if isinstance(block, Table):
        rows = []
        for row in block.rows:
            cells, previous = [], None
            for cell in row.cells:  # a merged cell comes once per grid column it spans
                if cell._tc is not previous:
                    cells.append(" ".join(cell.text.split()))
                previous = cell._tc
            if any(cells):
                rows.append(" | ".join(cells))
        return "\n\n".join(rows), False
    style = block.style.name if block.style is not None else ""
    return " ".join(block.text.split()), style.startswith(("Heading", "Title"))


def _stamp(value: datetime | None) -> str:
    return "" if value is None or value == _TEMPLATE_STAMP else iso_date(value)
