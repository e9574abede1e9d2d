"""HTML pages: the article without the page around it, and who published it, when, in which section.

**Body.** trafilatura's main-content extraction drops navigation, share bars, "related stories", comment
threads and footers; each line it keeps becomes a paragraph, paragraphs joined by a blank line, and a
leading headline is left to the title. Tables whose cells hold paragraphs or headings lay out the page
rather than hold data, so they are unwrapped first (trafilatura would flatten a table-laid page into one
row, menu included). When trafilatura keeps fewer than 250 characters (its own threshold for a trustworthy
extraction, below which it falls back to a raw dump) the page is not an article but a fragment or a
note, and its visible text is kept exactly as ragchat read every HTML file before (:func:`visible_text`).

**Metadata**, most trusted source first; each field comes from the first source that has it:

1. JSON-LD, schema.org ``Article`` and its kinds (``NewsArticle``, ``BlogPosting`` …), also inside an
   ``@graph`` with ``@id`` references resolved: ``headline``, ``datePublished``, ``dateModified``,
   ``author``, ``publisher``, ``articleSection``;
2. OpenGraph and ``<meta>``: ``og:title``, ``article:published_time``, ``article:modified_time``,
   ``article:author`` and ``author`` (names; profile URLs are skipped), ``og:site_name``,
   ``article:section``;
3. ``<time datetime>``: the one marked as the publication (``itemprop="datePublished"``, ``pubdate``, class
   ``published``), else the first one not marked as an update;
4. last: the page's ``<title>`` (a headline that opens the ``<title>`` leaves the rest as the site's name),
   htmldate on the markup and URL for the publication date, and trafilatura's reading of a visible byline
   ("By Tomás Ortega, local democracy reporter") for authors.

Where JSON-LD and ``<meta>`` disagree, JSON-LD wins: it is the one structured record of the article, the
one publishers check against search engines' validators, while meta tags often come from a separate
template or plugin and go stale (a ``published_time`` left at the draft's creation, a shorter social-media
title). ``tests/data/pages/conflicting-dates.html`` is such a page.

Dates are calendar days as the publisher wrote them (:func:`ingest.document.iso_date`). htmldate runs
without its free-text search: on a page with no date at all that search reads "Copyright 2024" as
2024-01-01. Role words are not names: "Staff reporter" and "local democracy reporter" are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ingest.document import Document, iso_date
from rag.errors import IngestError

MIN_ARTICLE_CHARS = 250  # trafilatura's MIN_EXTRACTED_SIZE: below it, its result is a raw dump, not an article

_ARTICLE_TYPES = {"BlogPosting", "LiveBlogPosting", "SocialMediaPosting", "Report"}
_PUBLISHED_META = ("article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
                   "date", "dc.date", "dc.date.issued", "dcterms.issued", "dcterms.created", "parsely-pub-date")
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified")
_AUTHOR_META = ("article:author", "author", "byl", "dc.creator", "dcterms.creator", "parsely-author")
_ROLE_WORDS = re.compile(
    r"\b(reporters?|correspondents?|editors?|staff|writers?|journalists?|contributors?|columnists?|desk|"
    r"photographers?|editorial|newsroom)\b", re.I)
_TITLE_SEPARATOR = re.compile(r"^\s*[|\-–—:·•]\s*(.+?)\s*$")


def load_page(path: Path, source: str, raw: str) -> Document:
    """A news page (or any HTML file): its article text and metadata; see the module docstring."""
    import trafilatura
    from trafilatura.metadata import extract_author

    tree = trafilatura.load_html(raw)
    if tree is None:  # nothing lxml can read as a page (a fragment, or nested past its depth limit)
        return visible_document(path, source, raw)
    meta = _page_metadata(tree)
    if not meta["authors"]:
        meta["authors"] = _clean_names(_split_byline(extract_author(tree) or ""))
    _unwrap_layout_tables(tree)
    extracted = trafilatura.extract(tree, output_format="txt", include_comments=False, include_tables=True,
                                    deduplicate=False)
    text = _paragraphs(extracted or "", drop_leading={meta["title"], _first_heading(tree)})
    if len(text) < MIN_ARTICLE_CHARS:
        fallback = visible_document(path, source, raw)
        text, meta["title"] = fallback.text, meta["title"] or fallback.title
    return Document(source, path, text, format="html", **meta)


# --- metadata ---------------------------------------------------------------------------------------


def _page_metadata(tree) -> dict:
    """Title, dates, authors, publication, section and URL from JSON-LD, then meta, then ``<time>``."""
    article, ids = _jsonld_article(tree)
    meta = _meta_tags(tree)
    times = _times(tree)
    heading = _first_heading(tree)
    page_title = " ".join((tree.findtext(".//title") or "").split())
    site_from_title = ""
    if heading and page_title.startswith(heading) and page_title != heading:
        rest = _TITLE_SEPARATOR.match(page_title[len(heading):])
        site_from_title = rest.group(1) if rest else ""
        page_title = heading
    date = (iso_date(_first(article.get("datePublished"))) or _first_date(meta, _PUBLISHED_META)
            or times["published"] or _htmldate(tree))
    modified = (iso_date(_first(article.get("dateModified"))) or _first_date(meta, _MODIFIED_META)
                or times["modified"])
    authors = _clean_names(_names(article.get("author"), ids))
    if not authors:
        authors = _clean_names(name for key in _AUTHOR_META for value in meta.get(key, [])
                               for name in _split_byline(value) if not _is_url(name))
    publisher = _names(article.get("publisher"), ids)
    section = article.get("articleSection") or ""
    if isinstance(section, list):
        section = ", ".join(str(s) for s in section if s)
    return {
        "title": _text(_first(article.get("headline") or article.get("name"))) or _first(meta.get("og:title"))
        or _first(meta.get("twitter:title")) or page_title or heading,
        "date": date,
        "modified": modified,
        "authors": authors,
        "publication": next(iter(publisher), "") or _first(meta.get("og:site_name")) or site_from_title,
        "section": _text(section) or _first(meta.get("article:section")),
        "url": _page_url(tree, article, meta),
    }


def _page_url(tree, article: dict, meta: dict[str, list[str]]) -> str:
    page = _first(article.get("mainEntityOfPage"))
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    for candidate in (_first(article.get("url")), page.get("@id") if isinstance(page, dict) else page,
                      _first(meta.get("og:url")), _first(canonical)):
        if isinstance(candidate, str) and _is_url(candidate):
            return candidate.strip()
    return ""


def _jsonld_article(tree) -> tuple[dict, dict[str, dict]]:
    """The page's first JSON-LD article object, and every object with an ``@id`` (for references).

    Each ``<script type="application/ld+json">`` is read on its own, so one broken block spoils only itself.
    """
    from extruct.jsonld import JsonLdExtractor

    nodes: list[dict] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            items = JsonLdExtractor().extract_items(script)
        except ValueError:  # not JSON, even leniently read
            continue
        for item in items:
            nodes.extend(_flatten(item))
    ids = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    for node in nodes:
        types = node.get("@type")
        types = types if isinstance(types, list) else [types]
        if any(isinstance(t, str) and (t.endswith("Article") or t in _ARTICLE_TYPES) for t in types):
            return node, ids
    return {}, ids


def _flatten(item) -> Iterator[dict]:
    if isinstance(item, list):
        for element in item:
            yield from _flatten(element)
    elif isinstance(item, dict):
        yield item
        if "@graph" in item:
            yield from _flatten(item["@graph"])


def _names(value, ids: dict[str, dict]) -> list[str]:
    """Names from a JSON-LD ``author``/``publisher``: a string, an object, an ``@id`` reference, or a list."""
    if isinstance(value, list):
        return [name for element in value for name in _names(element, ids)]
    if isinstance(value, str):
        return [] if _is_url(value) else [value]
    if isinstance(value, dict):
        if "name" not in value and isinstance(value.get("@id"), str):
            value = ids.get(value["@id"], {})
        name = _text(_first(value.get("name")))
        return [name] if name else []
    return []


def _meta_tags(tree) -> dict[str, list[str]]:
    """``<meta property|name|itemprop=… content=…>`` values by lower-cased key, in page order."""
    found: dict[str, list[str]] = {}
    for element in tree.xpath("//meta[@content]"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        value = " ".join(element.get("content", "").split())
        if key and value:
            found.setdefault(key.strip().lower(), []).append(value)
    return found


def _first_date(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str:
    return next((day for key in keys for value in meta.get(key, []) if (day := iso_date(value))), "")


def _times(tree) -> dict[str, str]:
    """The published and modified dates of the page's ``<time datetime>`` elements."""
    published = first = modified = ""
    for element in tree.xpath("//time[@datetime]"):
        day = iso_date(element.get("datetime"))
        if not day:
            continue
        marks = " ".join(filter(None, (element.get("itemprop"), element.get("class")))).lower()
        if "modified" in marks or "updated" in marks:
            modified = modified or day
        elif "published" in marks or element.get("pubdate") is not None:
            published = published or day
        else:
            first = first or day
    return {"published": published or first, "modified": modified}


def _htmldate(tree) -> str:
    from htmldate import find_date

    return iso_date(find_date(tree, extensive_search=False, original_date=True) or "")


def _first_heading(tree) -> str:
    heading = tree.find(".//h1")
    return " ".join(heading.text_content().split()) if heading is not None else ""


def _split_byline(value: str) -> list[str]:
    """'By Ann Lee, Bo Chan and Cy Dee; staff' -> ['Ann Lee', 'Bo Chan', 'Cy Dee', 'staff']."""
    value = re.sub(r"^\s*by\s+", "", value, flags=re.I)
    return [part for part in re.split(r"\s*;\s*|\s+and\s+|\s*&\s*|\s*,\s*", value) if part.strip()]


def _clean_names(names) -> list[str]:
    """Distinct names, in order, without role words ("Staff reporter") or URLs."""
    kept: list[str] = []
    for name in names:
        name = " ".join(str(name).split())
        if name and not _ROLE_WORDS.search(name) and not _is_url(name) and name.lower() not in map(str.lower, kept):
            kept.append(name)
    return kept


def _is_url(value: str) -> bool:
    return bool(re.match(r"\s*(https?:)?//", value))


def _first(value):
    if isinstance(value, list):
        return value[0] if value else ""
    return value if value is not None else ""


def _text(value) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


# --- body -------------------------------------------------------------------------------------------


def _unwrap_layout_tables(tree) -> None:
    """Turn tables that lay out the page (a cell with a heading or two paragraphs) into plain blocks."""
    for table in tree.xpath("//table[.//td[.//h1 or .//h2 or .//h3 or count(.//p) >= 2]]"):
        for element in table.iter("table", "tbody", "thead", "tfoot", "tr", "td", "th"):
            element.tag = "div"


def _paragraphs(extracted: str, drop_leading: set[str]) -> str:
    """trafilatura's lines as paragraphs joined by blank lines, without a leading headline or table rules."""
    paragraphs = []
    for line in extracted.splitlines():
        line = " ".join(line.split())
        if re.fullmatch(r"[|:\-\s]*", line):  # empty, or a markdown table's |---|---| rule
            continue
        if line.startswith("|") and line.endswith("|"):
            line = line.strip("| ")
        paragraphs.append(line)
    if paragraphs and paragraphs[0] in drop_leading:
        paragraphs.pop(0)
    return "\n\n".join(paragraphs)


_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")
_BLOCKS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "header", "footer", "blockquote", "pre", "hr", "dd", "dt", "figcaption",
)


def visible_text(raw: str, source: str) -> tuple[str, str]:
    """Every visible word of an HTML page or fragment as ``(text, title)``: scripts, styles and the head
    dropped, each block a paragraph. ragchat's HTML loader before news pages; now the fallback for
    pages that are no article, and the reader of feed items' HTML."""
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
        if not title:
            heading = soup.find(["h1", "h2"])
            title = heading.get_text(" ", strip=True) if heading else ""
    except RecursionError:
        raise IngestError(f"{source}: HTML nested too deeply to parse; simplify it.") from None
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p), title


def visible_document(path: Path, source: str, raw: str) -> Document:
    text, title = visible_text(raw, source)
    return Document(source, path, text, title=title, format="html")
