"""Loaders: text and metadata from each format, and one clear error for each kind of bad file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import SEED
from ingest.loaders import MAX_FILE_BYTES, load
from rag.errors import IngestError


def test_seed_metadata_comes_from_its_markers():
    doc = load(SEED)
    assert doc.date == "2025-11-27"
    assert doc.publication == "Dawn"
    assert doc.title.startswith("WITH the Pakistani state hardening")
    with open(SEED, encoding="utf-8") as fh:
        assert doc.text == fh.read()  # markers stay in the text: offsets index the file itself
    assert len(doc.content_hash) == 64


def test_markdown_title_is_its_first_heading(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("# Budget notes\n\nThe budget rose by 4%.\n", encoding="utf-8")
    doc = load(path)
    assert doc.title == "Budget notes" and doc.format == "md"


def test_html_keeps_visible_text_only(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Page title</title><style>p{color:red}</style></head><body>"
        "<script>alert('x')</script><h1>Heading</h1><p>First <b>para</b>.</p><div>Second para.</div>"
        "<noscript>hidden</noscript></body></html>",
        encoding="utf-8",
    )
    doc = load(path)
    assert doc.title == "Page title"
    assert doc.text == "Heading\n\nFirst para.\n\nSecond para."


def test_pdf_text_layer_with_page_numbers(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "report.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, "Page one says the river flooded.")
    pdf.showPage()
    pdf.drawString(72, 720, "Page two says the bridge held.")
    pdf.save()
    doc = load(path)
    assert doc.format == "pdf"
    second = doc.text.index("Page two")
    assert doc.page_at(0) == 1 and doc.page_at(second) == 2


def _blank_pdf(path):
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 50, 50)
    pdf.save()


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"", "empty file"),
        ("spaces.txt", b"  \n\n ", "empty file"),
        ("binary.txt", b"\x00\x01\x02binary\x00", "binary content"),
        ("latin1.txt", "café crème".encode("latin-1"), "not valid UTF-8"),
        ("table.xlsx", b"PK\x03\x04", "unsupported file type '.xlsx'"),
        ("noext", b"hello", "unsupported file type '(none)'"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "not a readable PDF"),
        ("scan.pdf", None, "no text layer"),
        ("empty.html", b"<html><script>x()</script></html>", "no text in it"),
    ],
)
def test_bad_files_get_one_clear_error(tmp_path, name, content, reason):
    path = tmp_path / name
    if content is None:
        _blank_pdf(path)
    else:
        path.write_bytes(content)
    with pytest.raises(IngestError) as err:
        load(path)
    message = str(err.value)
    assert message.startswith(str(path)) and reason in message
    assert "\n" not in message


def test_missing_and_unreadable_and_oversized(tmp_path, monkeypatch):
    with pytest.raises(IngestError, match="no such file"):
        load(tmp_path / "missing.txt")
    with pytest.raises(IngestError, match="not a regular file"):
        load(tmp_path)
    locked = tmp_path / "locked.txt"
    locked.write_text("secret", encoding="utf-8")
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads anything (CI runs as root): make the read fail as it would for a user
        real_read = Path.read_bytes

        def deny(self):
            if self.name == "locked.txt":
                raise PermissionError(13, "Permission denied")
            return real_read(self)

        monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(IngestError, match="permission denied"):
        load(locked)
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(IngestError, match="too large"):
        load(big)
