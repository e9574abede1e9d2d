"""The HTML loader benchmark: ``python -m eval.bench_loaders [--pages N] [--json]``.

Today's loader as it was before news pages (every visible word: :func:`ingest.news.visible_document`, then
the text markers of :func:`ingest.loaders.read_metadata`) against the news-page loader
(:func:`ingest.loaders.load`), on

* **generated** pages: Wikinews articles inside realistic page chrome (:mod:`eval.news_pages`);
* **hand-written** pages of other shapes (``tests/data/pages/``, gold in ``expected.json``): a blog post with
  OpenGraph only, a page with only ``<time>``, JSON-LD and meta that disagree, a page with no metadata,
  a WordPress ``@graph``.

Figures, each the mean over pages: body token precision, recall and F1 (bags of lower-cased word tokens
of the loaded text against the article's own text), date accuracy (the publication date, "" when the page
has none), author accuracy (the same set of names, case aside), boilerplate sentences leaked (gold
sentences around the article found in the loaded text; also the share of pages leaking any), and
milliseconds per page. With ``--json`` the last line printed is one JSON object of all figures.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from eval.news_pages import Page, build_pages, normalise

HAND_PAGES = Path(__file__).resolve().parent.parent / "tests" / "data" / "pages"


def hand_pages(folder: Path = HAND_PAGES) -> list[Page]:
    gold = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return [Page(name, (folder / name).read_text(encoding="utf-8"), g["title"], g["date"], g["authors"],
                 g["publication"] or "", "\n\n".join(g["body"]), g["boilerplate"])
            for name, g in sorted(gold.items())]


def old_loader(path: Path):
    """The HTML loader before news pages: visible text, ``<title>``, and the text markers."""
    from ingest.loaders import read_metadata
    from ingest.news import visible_document

    doc = visible_document(path.absolute(), str(path), path.read_text(encoding="utf-8"))
    read_metadata(doc)
    return doc


def new_loader(path: Path):
    from ingest.loaders import load

    return load(path)


def token_scores(predicted: str, reference: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the bag of word tokens of ``predicted`` against ``reference``."""
    pred, ref = Counter(re.findall(r"\w+", predicted.lower())), Counter(re.findall(r"\w+", reference.lower()))
    overlap = sum((pred & ref).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(pred.values()), overlap / sum(ref.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def score_page(page: Page, doc) -> dict:
    precision, recall, f1 = token_scores(doc.text, page.text)
    text = normalise(doc.text)
    leaked = [b for b in page.boilerplate if normalise(b) in text]
    return {
        "page": page.name, "precision": precision, "recall": recall, "f1": f1,
        "date_ok": doc.date == page.date, "date": doc.date,
        "authors_ok": {a.lower() for a in getattr(doc, "authors", [])} == {a.lower() for a in page.authors},
        "authors": list(getattr(doc, "authors", [])), "leaked": leaked,
    }


def run(loader: Callable, pages: list[Page], folder: Path) -> dict:
    rows, seconds = [], 0.0
    for page in pages:
        path = folder / page.name
        started = time.perf_counter()
        doc = loader(path)
        seconds += time.perf_counter() - started
        rows.append(score_page(page, doc))
    n = len(rows)
    return {
        "pages": n,
        "body_precision": sum(r["precision"] for r in rows) / n,
        "body_recall": sum(r["recall"] for r in rows) / n,
        "body_f1": sum(r["f1"] for r in rows) / n,
        "date_accuracy": sum(r["date_ok"] for r in rows) / n,
        "author_accuracy": sum(r["authors_ok"] for r in rows) / n,
        "boilerplate_leaked": sum(len(r["leaked"]) for r in rows),
        "boilerplate_sentences": sum(len(p.boilerplate) for p in pages),
        "pages_leaking": sum(bool(r["leaked"]) for r in rows) / n,
        "ms_per_page": 1000 * seconds / n,
        "rows": rows,
    }


def bench_loaders(pages: int = 50) -> dict:
    work = Path(tempfile.mkdtemp(prefix="ragchat-bench-loaders-"))
    try:
        results = {}
        for name, page_set in (("generated", build_pages(pages)), ("hand", hand_pages())):
            folder = work / name
            folder.mkdir()
            for page in page_set:
                (folder / page.name).write_text(page.html, encoding="utf-8")
            for loader in (old_loader, new_loader):  # warm-up: imports, outside the timings
                loader(folder / page_set[0].name)
            results[name] = {"before": run(old_loader, page_set, folder), "after": run(new_loader, page_set, folder)}
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


FIGURES = [("body token precision", "body_precision", "{:.3f}"), ("body token recall", "body_recall", "{:.3f}"),
           ("body token F1", "body_f1", "{:.3f}"), ("date accuracy", "date_accuracy", "{:.2f}"),
           ("author accuracy", "author_accuracy", "{:.2f}"), ("pages leaking boilerplate", "pages_leaking", "{:.2f}"),
           ("ms per page", "ms_per_page", "{:.1f}")]


def table(results: dict) -> str:
    generated, hand = results["generated"], results["hand"]
    header = ("| figure | generated: before | generated: after | hand-written: before | hand-written: after |\n"
              "| --- | --- | --- | --- | --- |")
    lines = [header]
    for label, key, fmt in FIGURES:
        cells = [fmt.format(s[key]) for s in (generated["before"], generated["after"], hand["before"], hand["after"])]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    leaks = [f"{s['boilerplate_leaked']} of {s['boilerplate_sentences']}"
             for s in (generated["before"], generated["after"], hand["before"], hand["after"])]
    lines.append("| boilerplate sentences leaked | " + " | ".join(leaks) + " |")
    lines.append("")
    lines.append(f"Generated: {generated['after']['pages']} pages; hand-written, page by page (after):")
    for row in hand["after"]["rows"]:
        marks = [f"F1 {row['f1']:.3f}", f"date {row['date'] or '-'} {'ok' if row['date_ok'] else 'WRONG'}",
                 f"authors {', '.join(row['authors']) or '-'} {'ok' if row['authors_ok'] else 'WRONG'}"]
        if row["leaked"]:
            marks.append("leaked: " + "; ".join(row["leaked"]))
        lines.append(f"  {row['page']}: " + " · ".join(marks))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_loaders", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=50, help="generated pages (default 50)")
    parser.add_argument("--json", action="store_true", help="end with one JSON object of the figures")
    args = parser.parse_args(argv)
    results = bench_loaders(args.pages)
    print(table(results))
    if args.json:
        figures = {name: {side: {k: v for k, v in s.items() if k != "rows"} for side, s in sets.items()}
                   for name, sets in results.items()}
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
