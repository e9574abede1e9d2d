"""Attribution benchmark: ``python -m eval.bench_attribution [--half NAME] [--json] [--errors]``.

``--half`` is one of :data:`HALVES` (``dev``, ``dev2``, ``dev3``, ``dev4``, combinations, ``test``).

Scores the extractors of :mod:`ingest.attribution` and a simple baseline against the gold statements of
``eval/attribution/labels/`` (see the README there for the labelling rules). Per document, predicted and
gold statements are paired one-to-one: all pairs that share a content word, largest overlap first
(greedy). Words are ``\\w+`` runs, identified by their offset, so the same word elsewhere does not count.

* **content overlap P/R/F1** (proportional): P is the mean over predicted statements of the share of the
  statement's words that its paired gold statement has (0 when unpaired); R the same over gold statements.
* **content exact P/R/F1**: a pair whose word sets are equal counts 1; P and R divide by the predicted and the
  gold statements.
* **source P/R/F1**: a pair whose source spans overlap by a character counts 1; P divides by the predicted
  statements that have a source, R by the gold statements that have one.
* **speaker accuracy**: over paired statements, the share whose predicted speaker equals the gold
  ``speaker`` after normalising (case folded, white space collapsed, a leading "the" dropped). A one-word
  name also matches a longer one ending in that word ("Asif" for "Khawaja Asif") when no other gold speaker
  of the document ends in it.
* **cost**: extraction time per document and per 1,000 characters (model loading reported apart).

The baseline pairs every quotation mark with the nearest capitalised name before or after it in the same
paragraph: what a regex gets without any attribution rules.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ingest.attribution import EXTRACTORS, make_extractor
from ingest.attribution.types import Span, Statement

LABELS = Path(__file__).resolve().parent / "attribution" / "labels"
#: A second labeller's independent labels of some development articles (``agreement/relabel-*.jsonl``),
#: scored against the first labels by ``--agreement``: how far two people following the same rules agree.
AGREEMENT = LABELS.parent / "agreement"
_WORD = re.compile(r"\w+")
TARGETS = {"content_overlap_f1": 0.88, "speaker_accuracy": 0.90}
#: ``--half`` → the label sets it reads (``labels/<set>-*.jsonl``, ids in ``ids-<set>.txt``): the first
#: development half, the 32 development articles labelled later (``dev2``), the 32 of the fifth round
#: (``dev3``), the last 32 that pass the filter (``dev4``, sixth round), combinations, and the frozen test half.
HALVES = {"dev": ("dev",), "dev2": ("dev2",), "dev3": ("dev3",), "dev4": ("dev4",), "dev+dev2": ("dev", "dev2"),
          "dev+dev2+dev3": ("dev", "dev2", "dev3"), "dev+dev2+dev3+dev4": ("dev", "dev2", "dev3", "dev4"),
          "test": ("test",)}


@dataclass
class Gold:
    doc_id: str
    kind: str
    content: list[Span]
    source: Span | None
    speaker: str


def load_gold(half: str) -> tuple[dict[str, str], dict[str, list[Gold]]]:
    """The documents of one ``--half`` (a key of :data:`HALVES`) and their gold statements; every span is
    checked."""
    from eval.wikinews import load_articles

    gold = read_labels([path for name in HALVES[half] for path in sorted(LABELS.glob(f"{name}-*.jsonl"))])
    texts = {a.doc_id: a.file_text for a in load_articles() if a.doc_id in gold}
    ids = [i for name in HALVES[half] for i in (LABELS.parent / f"ids-{name}.txt").read_text().split()]
    for doc_id, statements in gold.items():
        for statement in statements:
            for span in statement.content + ([statement.source] if statement.source else []):
                assert texts[doc_id][span.start:span.end] == span.text, (doc_id, span)
    return {i: texts[i] for i in ids}, gold


def read_labels(paths: list[Path]) -> dict[str, list[Gold]]:
    """Labelled statements by document, from JSON-lines files in the format of the labels' README."""
    labels: dict[str, list[Gold]] = defaultdict(list)
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            labels[row["doc_id"]].append(Gold(row["doc_id"], row["kind"], [Span(**c) for c in row["content"]],
                                              Span(**row["source"]) if row["source"] else None, row["speaker"]))
    return labels


def load_agreement() -> tuple[dict[str, str], dict[str, list[Gold]], dict[str, list[Gold]]]:
    """The relabelled development articles, their first labels (gold) and the second labeller's, every span
    checked against the text."""
    second = read_labels(sorted(AGREEMENT.glob("relabel-*.jsonl")))
    texts, gold = load_gold("dev+dev2+dev3")
    missing = set(second) - set(texts)
    assert not missing, f"relabelled articles that are not development articles: {sorted(missing)}"
    for doc_id, statements in second.items():
        for statement in statements:
            for span in statement.content + ([statement.source] if statement.source else []):
                assert texts[doc_id][span.start:span.end] == span.text, (doc_id, span)
    return {i: texts[i] for i in sorted(second)}, {i: gold[i] for i in second}, second


# --- metrics ----------------------------------------------------------------------------------------------


def words(text: str, spans: list[Span]) -> set[int]:
    """The offsets of the words inside ``spans``."""
    return {m.start() for s in spans for m in _WORD.finditer(text, s.start, s.end)}


def pair(text: str, predicted: list, gold: list) -> list[tuple[int, int, int]]:
    """One-to-one pairs ``(predicted index, gold index, shared words)``, largest overlap first."""
    pw = [words(text, p.content) for p in predicted]
    gw = [words(text, g.content) for g in gold]
    candidates = sorted(((len(p & g), i, j) for i, p in enumerate(pw) for j, g in enumerate(gw) if p & g),
                        reverse=True)
    used_p, used_g, pairs = set(), set(), []
    for shared, i, j in candidates:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j, shared))
    return pairs


def normalise_name(name: str) -> str:
    name = " ".join(name.casefold().split())
    return name[4:] if name.startswith("the ") else name


def same_speaker(predicted: str, gold: str, doc_speakers: list[str]) -> bool:
    """Equal after :func:`normalise_name`, or a one-word name that is the other's last word and the last word of
    no other gold speaker of the document."""
    p, g = normalise_name(predicted), normalise_name(gold)
    if p == g:
        return True
    short, full = (p, g) if len(p.split()) < len(g.split()) else (g, p)
    if len(short.split()) != 1 or full.split()[-1] != short:
        return False
    others = {normalise_name(s) for s in doc_speakers} - {g}
    return not any(o.split()[-1] == short for o in others if o)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(texts: dict[str, str], predicted: dict[str, list], gold: dict[str, list[Gold]]) -> dict:
    """All quality figures over the documents of ``texts``."""
    n_pred = n_gold = 0
    overlap_p = overlap_r = exact = 0.0
    src_hit = src_pred = src_gold = 0
    speaker_ok = paired = 0
    recall_by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for doc_id, text in texts.items():
        preds, golds = predicted.get(doc_id, []), gold.get(doc_id, [])
        n_pred, n_gold = n_pred + len(preds), n_gold + len(golds)
        src_pred += sum(p.source is not None for p in preds)
        src_gold += sum(g.source is not None for g in golds)
        doc_speakers = [g.speaker for g in golds]
        matched_gold = set()
        for i, j, shared in pair(text, preds, golds):
            p, g = preds[i], golds[j]
            pw, gw = words(text, p.content), words(text, g.content)
            overlap_p += shared / len(pw)
            overlap_r += shared / len(gw)
            exact += pw == gw
            paired += 1
            matched_gold.add(j)
            speaker_ok += same_speaker(p.speaker, g.speaker, doc_speakers)
            if p.source and g.source and p.source.start < g.source.end and g.source.start < p.source.end:
                src_hit += 1
        for j, g in enumerate(golds):
            recall_by_kind[g.kind][0] += j in matched_gold
            recall_by_kind[g.kind][1] += 1
    op, orr = overlap_p / max(n_pred, 1), overlap_r / max(n_gold, 1)
    ep, er = exact / max(n_pred, 1), exact / max(n_gold, 1)
    sp, sr = src_hit / max(src_pred, 1), src_hit / max(src_gold, 1)
    figures = {
        "statements_predicted": n_pred, "statements_gold": n_gold, "paired": paired,
        "content_overlap_p": op, "content_overlap_r": orr, "content_overlap_f1": _f1(op, orr),
        "content_exact_p": ep, "content_exact_r": er, "content_exact_f1": _f1(ep, er),
        "source_p": sp, "source_r": sr, "source_f1": _f1(sp, sr),
        "speaker_accuracy": speaker_ok / max(paired, 1),
    }
    for kind, (hit, total) in sorted(recall_by_kind.items()):
        figures[f"paired_share_{kind}"] = hit / max(total, 1)
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}


# --- the baseline ---------------------------------------------------------------------------------------

_QUOTE = re.compile(r"“([^”\n]+)”|\"([^\"\n]+)\"")
_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*")
_NOT_NAME = {"The", "A", "An", "He", "She", "They", "It", "We", "I", "In", "On", "At", "But", "And", "This"}


def baseline_extract(text: str) -> list[Statement]:
    """Every quotation is a direct statement by the nearest capitalised name in its paragraph."""
    statements = []
    for para in re.finditer(r"[^\n]+", text):
        names = [m for m in _NAME.finditer(text, para.start(), para.end()) if m.group() not in _NOT_NAME]
        for quote in _QUOTE.finditer(text, para.start(), para.end()):
            group = 1 if quote.group(1) is not None else 2
            content = Span.of(text, quote.start(group), quote.end(group))
            outside = [m for m in names if m.end() <= quote.start() or m.start() >= quote.end()]
            if not content.text or not outside:
                continue
            near = min(outside, key=lambda m: min(abs(m.end() - quote.start()), abs(m.start() - quote.end())))
            source = Span(near.start(), near.end(), near.group())
            statements.append(Statement("direct", [content], None, source, near.group()))
    return statements


# --- running ----------------------------------------------------------------------------------------------


def run(name: str, texts: dict[str, str]) -> tuple[dict[str, list[Statement]], dict]:
    """Predictions of one extractor (or ``baseline``) and its costs."""
    started = time.perf_counter()
    extract = baseline_extract if name == "baseline" else make_extractor(name).extract
    if name != "baseline":
        extract("Warm-up. “Ready,” he said.")
    load_s = time.perf_counter() - started
    predicted, seconds = {}, 0.0
    for doc_id, text in texts.items():
        started = time.perf_counter()
        predicted[doc_id] = extract(text)
        seconds += time.perf_counter() - started
    characters = sum(len(t) for t in texts.values())
    cost = {"load_s": round(load_s, 3), "ms_per_document": round(1000 * seconds / len(texts), 2),
            "ms_per_1000_characters": round(1e6 * seconds / characters, 3)}
    return predicted, cost


def show_errors(texts: dict[str, str], predicted: dict[str, list], gold: dict[str, list[Gold]]) -> None:
    """Every unpaired or imperfect statement, for tuning on the development articles."""
    for doc_id, text in texts.items():
        preds, golds = predicted.get(doc_id, []), gold.get(doc_id, [])
        pairs = pair(text, preds, golds)
        doc_speakers = [g.speaker for g in golds]
        for i, j, _ in pairs:
            p, g = preds[i], golds[j]
            problems = []
            if words(text, p.content) != words(text, g.content):
                problems.append(f"content {[c.text for c in p.content]!r}\n      gold {[c.text for c in g.content]!r}")
            if not same_speaker(p.speaker, g.speaker, doc_speakers):
                problems.append(f"speaker {p.speaker!r} (source {p.source and p.source.text!r}) gold {g.speaker!r} "
                                f"(source {g.source and g.source.text!r})")
            if problems:
                print(f"{doc_id[:6]} DIFF " + "\n      ".join(problems))
        for j in set(range(len(golds))) - {j for _, j, _ in pairs}:
            g = golds[j]
            print(f"{doc_id[:6]} MISS {g.kind} {g.speaker!r} {[c.text[:90] for c in g.content]!r}")
        for i in set(range(len(preds))) - {i for i, _, _ in pairs}:
            p = preds[i]
            print(f"{doc_id[:6]} EXTRA {p.kind} {p.speaker!r} {[c.text[:90] for c in p.content]!r}")


def table(results: dict[str, dict]) -> str:
    names = list(results)
    keys = list(dict.fromkeys(k for figures in results.values() for k in figures))
    rows = [["figure", *names]] + [[k, *(str(results[n].get(k, "")) for n in names)] for k in keys]
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_attribution", description=__doc__.split("\n")[0])
    parser.add_argument("--half", choices=list(HALVES), default="dev")
    parser.add_argument("--method", action="append", choices=[*EXTRACTORS, "baseline"],
                        help="extractor(s) to score (default: the baseline and every extractor)")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON figures")
    parser.add_argument("--errors", action="store_true", help="list each statement that differs from gold")
    parser.add_argument("--agreement", action="store_true",
                        help="score a second labeller (agreement/relabel-*.jsonl) against the first labels of the "
                             "same development articles, beside the extractors on those articles")
    args = parser.parse_args(argv)
    results = {}
    if args.agreement:
        texts, gold, second = load_agreement()
        what = f"a second labeller on {len(texts)} development articles"
        results["second labeller"] = score(texts, second, gold)
        if args.errors:
            print("--- second labeller ---")
            show_errors(texts, second, gold)
    else:
        texts, gold = load_gold(args.half)
        what = f"{args.half} half"
    for name in args.method or ["baseline", *EXTRACTORS]:
        predicted, cost = run(name, texts)
        results[name] = {**score(texts, predicted, gold), **cost}
        if args.errors:
            print(f"--- {name} ---")
            show_errors(texts, predicted, gold)
    print(f"Attribution, {what}: {len(texts)} documents, {sum(map(len, gold.values()))} gold statements")
    print(table(results))
    figures = {"half": "agreement" if args.agreement else args.half, "documents": len(texts), "results": results,
               "targets": TARGETS}
    if args.json:
        print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
