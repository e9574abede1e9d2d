"""Offline metrics: SQuAD answer normalisation, token F1 / exact match, retrieval hit@k and MRR, refusal
precision / recall, latency percentiles, and the aggregates of a run (overall and per tag).

Aggregates are computed from per-question *rows* (plain dicts, the ``questions`` of results.json), so a
baseline that stores its rows can be re-aggregated over exactly the questions a later run shares with it.

>>> normalize_answer("The  Normans' Duchy!")
'normans duchy'
>>> round(token_f1("in the 10th century", "10th and 11th centuries"), 3)  # 1 of 3 tokens; 1 of 4
0.286
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable

#: The row keys :func:`aggregate` reads (results.json questions and baseline rows both carry them).
SCORE_FIELDS = ("passed", "critical", "answerable", "refused", "tags", "f1", "em", "hit_rank", "evidence_hit",
                "context_chars", "latency_ms", "first_token_ms", "retrieve_ms")

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCT = set(string.punctuation)
_MARKER = re.compile(r"\s*\[\d+\]")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "“": '"', "”": '"',
                         "„": '"', "‟": '"', "″": '"', "–": "-", "—": "-", "\u00a0": " "})


# --- text -------------------------------------------------------------------------------------------


def normalize_answer(text: str) -> str:
    """SQuAD's official normalisation (lower case, no punctuation, no articles, single spaces), with one
    addition: Unicode punctuation goes too, so the seed's “idiocy” scores like "idiocy"."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCT and not unicodedata.category(ch).startswith("P"))
    return " ".join(_ARTICLES.sub(" ", text).split())


def strip_markers(answer: str) -> str:
    """The answer without its ``[n]`` citation markers (they are not part of what is scored)."""
    return _MARKER.sub("", answer)


def fold(text: str) -> str:
    """Case-, quote- and whitespace-insensitive form for ``must_include`` and ``evidence`` checks:
    ``Kabul's`` matches ``Kabul’s``; line breaks inside a quote don't matter."""
    return " ".join(text.translate(_QUOTES).casefold().split())


def contains(haystack: str, needle: str) -> bool:
    return fold(needle) in fold(haystack)


def exact_match(prediction: str, gold: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(gold))


def token_f1(prediction: str, gold: str) -> float:
    """Harmonic mean of token precision and recall after normalisation (the SQuAD script's F1)."""
    pred, ref = normalize_answer(prediction).split(), normalize_answer(gold).split()
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def best_over(score: Callable[[str, str], float], prediction: str, golds: Iterable[str]) -> float | None:
    """The best score against any gold answer (SQuAD has several); ``None`` with no gold answer."""
    scores = [score(prediction, g) for g in golds]
    return max(scores) if scores else None


def span_in(text: str, gold: str) -> bool:
    """Whether a gold answer occurs in ``text``, as whole normalised words ("1066" is not in "10666")."""
    norm = normalize_answer(gold)
    if not norm:  # e.g. gold "the": normalisation leaves nothing to look for
        return contains(text, gold)
    return f" {norm} " in f" {normalize_answer(text)} "


def gold_rank(passages: Iterable[tuple[str, str]], golds: list[str], gold_doc: str | None = None) -> int:
    """1-based rank of the first ``(doc_id, text)`` holding a gold span (from ``gold_doc`` when given);
    0 when none does. hit@k is ``rank > 0`` over the top k; reciprocal rank is ``1 / rank``."""
    for rank, (doc_id, text) in enumerate(passages, start=1):
        if (gold_doc is None or doc_id == gold_doc) and any(span_in(text, g) for g in golds):
            return rank
    return 0


# --- numbers ----------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (``q`` in 0..100), as ``numpy.percentile``; ``None`` when empty."""
    data = sorted(v for v in values if v is not None)
    if not data:
        return None
    pos = (len(data) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return data[low] + (data[high] - data[low]) * (pos - low)


def mean(values: Iterable[float | None]) -> float | None:
    data = [v for v in values if v is not None]
    return sum(data) / len(data) if data else None


def refusal_scores(rows: list[dict]) -> tuple[float | None, float | None]:
    """Refusal as the positive class: precision = right refusals / all refusals, recall = right refusals /
    unanswerable questions. ``None`` where the denominator is zero."""
    refused = [r for r in rows if r.get("refused")]
    unanswerable = [r for r in rows if not r.get("answerable", True)]
    right = sum(1 for r in refused if not r.get("answerable", True))
    return (right / len(refused) if refused else None, right / len(unanswerable) if unanswerable else None)


def aggregate(rows: list[dict]) -> dict:
    """The figures of a group of questions; a figure with nothing to measure is ``None``."""
    passed = sum(1 for r in rows if r.get("passed"))
    critical = [r for r in rows if r.get("critical")]
    gold = [r for r in rows if r.get("hit_rank") is not None]
    precision, recall = refusal_scores(rows)
    figures = {
        "passed": passed,
        "total": len(rows),
        "pass_rate": passed / len(rows) if rows else None,
        "critical_passed": sum(1 for r in critical if r.get("passed")),
        "critical_total": len(critical),
        "exact_match": mean(r.get("em") for r in rows),
        "token_f1": mean(r.get("f1") for r in rows),
        "hit_at_k": mean(float(r["hit_rank"] > 0) for r in gold) if gold else None,
        "mrr": mean(1 / r["hit_rank"] if r["hit_rank"] else 0.0 for r in gold) if gold else None,
        "evidence_hit": mean(r.get("evidence_hit") for r in gold) if gold else None,
        "context_chars": mean(r.get("context_chars") for r in rows),
        "refusal_precision": precision,
        "refusal_recall": recall,
        "latency_p50_ms": percentile([r.get("latency_ms") for r in rows], 50),
        "latency_p95_ms": percentile([r.get("latency_ms") for r in rows], 95),
        "first_token_p50_ms": percentile([r.get("first_token_ms") for r in rows], 50),
        "retrieve_p50_ms": percentile([r.get("retrieve_ms") for r in rows], 50),
    }
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in figures.items()}


def summarize(rows: list[dict]) -> dict:
    """``{**overall figures, "tags": {tag: figures}}``: the ``summary`` of results.json."""
    tags = sorted({t for r in rows for t in r.get("tags") or []})
    return {**aggregate(rows), "tags": {t: aggregate([r for r in rows if t in (r.get("tags") or [])])
                                        for t in tags}}
