"""News pages: the article without its page, metadata by order of trust, and the visible-text fallback.

The hand-written pages in ``tests/data/pages/`` carry their gold in ``expected.json`` (the benchmark
``python -m eval.bench_loaders`` scores the same pages).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from eval.news_pages import build_page, normalise
from eval.wikinews import Article
from ingest.chunking import chunk_text
from ingest.loaders import load

PAGES = Path(__file__).parent / "data" / "pages"
GOLD = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
# A line of links inside the article's own table cell: what trafilatura keeps on this page (see the benchmark).
KNOWN_LEAKS = {"no-metadata.html": {"Footbridge closed for repairs until the end of the month",
                                    "Summer fete raises record sum for the hospice"}}


@pytest.mark.parametrize("name", sorted(GOLD))
def test_hand_written_page_metadata(name):
    doc = load(PAGES / name)
    gold = GOLD[name]
    assert doc.format == "html"
    for field in ("title", "date", "modified", "authors", "publication", "section"):
        if gold[field] is not None:  # null: the page does not say
            assert getattr(doc, field) == gold[field], field


@pytest.mark.parametrize("name", sorted(GOLD))
def test_hand_written_page_body_without_boilerplate(name, counter):
    doc = load(PAGES / name)
    gold = GOLD[name]
    assert doc.text.startswith(gold["body"][0])  # no menu, byline or headline before the article
    positions = [doc.text.index(paragraph) for paragraph in gold["body"]]
    assert positions == sorted(positions)
    text = normalise(doc.text)
    leaked = {b for b in gold["boilerplate"] if normalise(b) in text}
    assert leaked == KNOWN_LEAKS.get(name, set())
    for chunk in chunk_text(doc.text, counter):
        assert doc.text[chunk.start:chunk.end] == chunk.text


def test_json_ld_wins_over_meta_and_time():
    doc = load(PAGES / "conflicting-dates.html")  # meta and <time> say 2021-06-07, JSON-LD 2021-06-08
    assert (doc.date, doc.modified) == ("2021-06-08", "2021-06-09")
    assert doc.title == "Orchard growers count the cost of late frost"  # not og:title
    assert doc.authors == ["Helen Achterberg", "Owen Pryce"]  # not <meta name="author" content="Staff reporter">


def test_extraction_is_deterministic(tmp_path):
    copy = tmp_path / "again.html"
    shutil.copy(PAGES / "wordpress-graph.html", copy)
    first, second = load(PAGES / "wordpress-graph.html"), load(copy)
    assert first.text == second.text and first.content_hash == second.content_hash


def _page(tmp_path, head: str, body: str = "") -> Path:
    paragraphs = "".join(f"<p>Paragraph {i} of the story tells what happened at the harbour on that day, "
                         f"in enough words for an article.</p>" for i in range(5))
    path = tmp_path / "page.html"
    path.write_text(f"<html><head><title>Harbour story</title>{head}</head><body><nav><a>Home</a></nav>"
                    f"<article><h1>Harbour story</h1>{body}{paragraphs}</article></body></html>", encoding="utf-8")
    return path


def test_date_is_the_day_as_written_not_utc(tmp_path):
    path = _page(tmp_path, '<meta property="article:published_time" content="2024-03-05T00:30:00+01:00">')
    assert load(path).date == "2024-03-05"  # 2024-03-04 in UTC


def test_a_broken_json_ld_block_spoils_only_itself(tmp_path):
    broken = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": </script>'
    good = ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2020-05-01",'
            '"author": {"@type": "Person", "name": "Ann Lee"}}</script>')
    doc = load(_page(tmp_path, broken + good))
    assert (doc.date, doc.authors) == ("2020-05-01", ["Ann Lee"])
    doc = load(_page(tmp_path, broken + '<meta name="author" content="By Bo Chan and Cy Dee">'))
    assert doc.authors == ["Bo Chan", "Cy Dee"] and doc.date == ""


def test_profile_urls_and_role_words_are_not_authors(tmp_path):
    head = ('<meta property="article:author" content="https://www.facebook.com/harbournews">'
            '<meta name="author" content="Staff reporter">')
    assert load(_page(tmp_path, head)).authors == []


def test_no_date_is_no_date_even_with_a_copyright_year(tmp_path):
    path = _page(tmp_path, "", body="<footer>Copyright 2024 Harbour News</footer>")
    assert load(path).date == ""  # htmldate's free-text search would say 2024-01-01


def test_a_page_that_is_no_article_keeps_its_visible_text(tmp_path):
    path = tmp_path / "note.html"
    path.write_text("<html><head><title>Note</title></head><body><h1>Opening hours</h1><ul><li>Mon 9-5</li>"
                    "<li>Sun closed</li></ul><p>Call <b>ahead</b>.</p></body></html>", encoding="utf-8")
    doc = load(path)
    assert doc.text == "Opening hours\n\nMon 9-5\n\nSun closed\n\nCall ahead." and doc.title == "Note"


def test_layout_tables_are_unwrapped(tmp_path):
    doc = load(PAGES / "no-metadata.html")
    assert "|" not in doc.text.split("\n\n")[0] and "Front page" not in doc.text


def test_generated_page_gives_back_its_article(tmp_path):
    text = "\n\n".join(f"Paragraph {i}: the committee met on Tuesday and agreed a new budget for the parks, "
                       f"after a long debate about the cost of repairs." for i in range(6))
    article = Article("wn900-parks-budget", "https://en.wikinews.org/wiki/Parks", "2020-02-03", "Parks budget agreed",
                      text)
    other = ["Ferry crossings suspended after engine failure", "Library reopens with longer hours",
             "Lifeboat crew rescues three kayakers off Gull Point", "Drought warning issued for upland farms",
             "Market hall roof to be replaced before Christmas fair"]
    for template in range(3):
        page = build_page(article, template, other)
        assert page == build_page(article, template, other)  # deterministic
        path = tmp_path / f"{template}.html"
        path.write_text(page.html, encoding="utf-8")
        doc = load(path)
        assert (doc.title, doc.date, doc.authors, doc.publication) == (page.title, page.date, page.authors,
                                                                       page.publication)
        assert all(paragraph in doc.text for paragraph in text.split("\n\n"))
        leaked = {b for b in page.boilerplate if normalise(b) in normalise(doc.text)}
        assert leaked <= {page.boilerplate[0]}  # at most the "Read more:" headline inside the text
