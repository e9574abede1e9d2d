"""The shared Wikinews corpus (``../shared/corpora/wikinews/``, CC BY 2.5, Wikinews contributors) as one
``.txt`` file per article, for ingest, labelled sets and archive tests.

Each file is a newspaper export the loaders already understand::

    date 2019-01-04
    <title>

    <the article text, unchanged>

    Published in Wikinews, January 4, 2019

so ``ragchat ingest`` reads its date, title and publication, and labels give offsets into the file's text
(``open(path, encoding="utf-8").read()``). Articles are numbered in (date, title, url) order; the id is
``wn###-<slug>`` and never changes for the same corpus. The empty test page is dropped.

    python -m eval.wikinews OUT_DIR        # write every article; prints how many
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path

from rag.errors import EvalError

DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "wikinews"
CREDIT = ("Wikinews contributors, https://en.wikinews.org, CC BY 2.5 "
          "(https://creativecommons.org/licenses/by/2.5/); converted to one text file per article.")


@dataclass(frozen=True)
class Article:
    doc_id: str
    url: str
    date: str  # ISO
    title: str
    text: str  # the CSV's text field, unchanged

    @property
    def file_text(self) -> str:
        day = Date.fromisoformat(self.date)
        long_date = f"{day:%B} {day.day}, {day.year}"
        return f"date {self.date}\n{self.title}\n\n{self.text.strip()}\n\nPublished in Wikinews, {long_date}\n"

    @property
    def body_offset(self) -> int:
        """Where the article's own text starts in :attr:`file_text`."""
        return len(f"date {self.date}\n{self.title}\n\n")


def _slug(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 40:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "untitled"


def load_articles(folder: Path = DEFAULT_DIR) -> list[Article]:
    """Every article of the corpus, numbered in (date, title, url) order."""
    files = sorted(folder.glob("wikinews_*.csv"))
    if not files:
        raise EvalError(f"{folder}: no wikinews_*.csv; put ../shared beside the project or pass the folder.")
    csv.field_size_limit(10_000_000)
    rows = []
    for file in files:
        with file.open(encoding="utf-8", newline="") as handle:
            rows.extend(r for r in csv.DictReader(handle) if r["text"].strip() and "TEST_PAGE" not in r["url"])
    rows.sort(key=lambda r: (r["date"][:10], r["title"], r["url"]))
    return [Article(f"wn{i:03d}-{_slug(r['title'])}", r["url"], r["date"][:10], r["title"].strip(), r["text"])
            for i, r in enumerate(rows)]


def write_articles(out: Path, folder: Path = DEFAULT_DIR, ids: set[str] | None = None) -> list[Path]:
    """Write the articles (those in ``ids``, or all) as ``out/<doc_id>.txt``; unchanged files are left alone."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for article in load_articles(folder):
        if ids is not None and article.doc_id not in ids:
            continue
        path = out / f"{article.doc_id}.txt"
        if not path.exists() or path.read_text(encoding="utf-8") != article.file_text:
            path.write_text(article.file_text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m eval.wikinews OUT_DIR")
    written = write_articles(Path(sys.argv[1]))
    print(f"{len(written)} articles in {sys.argv[1]}")
