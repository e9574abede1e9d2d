"""Word .docx files: paragraphs and tables in reading order, title and dates, one clear error when broken."""

from __future__ import annotations

import zipfile
from datetime import datetime

import pytest

from ingest import office
from ingest.loaders import load
from rag.errors import IngestError


def press_release(path, title="", created=None, modified=None):
    import docx

    document = docx.Document()
    document.add_heading("Harbour ferry timetable changes", level=1)
    document.add_paragraph("From 1 March the night crossing leaves at 22:15.")
    document.add_paragraph("   ")  # an empty paragraph is no paragraph
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Route", "Departure"
    table.cell(1, 0).text, table.cell(1, 1).text = "Port A to Isle B", "06:30"
    table.cell(2, 0).merge(table.cell(2, 1)).text = "Fares are unchanged."
    document.add_paragraph("Contact the press office for interviews.")
    properties = document.core_properties
    properties.title = title
    if created:
        properties.created = created
    if modified:
        properties.modified = modified
    document.save(path)
    return path


def test_text_is_paragraphs_and_table_rows_in_order(tmp_path):
    doc = load(press_release(tmp_path / "release.docx"))
    assert doc.format == "docx"
    assert doc.text == ("Harbour ferry timetable changes\n\nFrom 1 March the night crossing leaves at 22:15.\n\n"
                        "Route | Departure\n\nPort A to Isle B | 06:30\n\nFares are unchanged.\n\n"
                        "Contact the press office for interviews.")


def test_title_and_dates_come_from_core_properties(tmp_path):
    path = press_release(tmp_path / "release.docx", title="Ferry timetable, spring 2024",
                         created=datetime(2024, 2, 12, 9, 0), modified=datetime(2024, 2, 14, 16, 30))
    doc = load(path)
    assert (doc.title, doc.date, doc.modified) == ("Ferry timetable, spring 2024", "2024-02-12", "2024-02-14")


def test_without_properties_the_first_heading_is_the_title_and_there_is_no_date(tmp_path):
    doc = load(press_release(tmp_path / "release.docx"))
    # python-docx's template says 2013-12-23 23:15 UTC for every new file: that is no date of the document
    assert (doc.title, doc.date, doc.modified) == ("Harbour ferry timetable changes", "", "")


def test_same_file_same_text(tmp_path):
    path = press_release(tmp_path / "release.docx", created=datetime(2024, 2, 12))
    assert load(path).text == load(path).text


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("name, build, reason", [
    ("notzip.docx", lambda p: p.write_bytes(b"this is a plain text file"), "not a .docx (not a zip archive)"),
    ("old-word.docx", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),
     "an old Word .doc or a password-protected .docx"),
    ("other.docx", lambda p: _zip(p, {"[Content_Types].xml": b"<Types/>", "x.txt": b"hi"}), "not a readable .docx"),
    ("truncated.docx", None, "a damaged .docx (its zip archive is cut short or corrupt)"),
])
def test_broken_docx_is_one_clear_error(tmp_path, name, build, reason):
    path = tmp_path / name
    if build is None:  # a real .docx cut off half way, as an interrupted download leaves it
        data = press_release(tmp_path / "whole.docx").read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:
        build(path)
    with pytest.raises(IngestError) as err:
        load(path)
    message = str(err.value)
    assert message.startswith(str(path)) and reason in message and "\n" not in message


def test_a_docx_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(office, "MAX_UNPACKED_BYTES", 1_000)
    path = _zip(tmp_path / "bomb.docx", {"word/document.xml": b" " * 5_000})
    with pytest.raises(IngestError, match="unpacks to .* split the document"):
        load(path)


def test_a_docx_with_no_text(tmp_path):
    import docx

    path = tmp_path / "blank.docx"
    docx.Document().save(path)
    with pytest.raises(IngestError, match="no text in it"):
        load(path)
