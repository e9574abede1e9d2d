"""Metrics and per-question checks on hand-made answers, with values a person can verify by hand."""

from __future__ import annotations

import pytest

from conftest import SEED
from eval.checks import DocumentTexts, check_answer
from eval.metrics import (
    aggregate,
    exact_match,
    gold_rank,
    normalize_answer,
    percentile,
    refusal_scores,
    span_in,
    strip_markers,
    summarize,
    token_f1,
)
from eval.sets import Question
from rag.types import Answer, Citation, Evidence, Passage

DOC = "000_10acc92e9fefab75"
TEXT = SEED.read_text(encoding="utf-8")
SAID = "He said Pakistan had “no good hope from them” while noting that it would be “idiocy” to trust Kabul’s " \
       "current rulers."
NAMED = "Defence Minister Khawaja Asif, who also denied hitting Afghan civilians, was blunt in his criticism of " \
        "the Taliban."


def span(sentence: str) -> tuple[int, int]:
    start = TEXT.index(sentence)
    return start, start + len(sentence)


def citation(n: int, sentence: str, source: str = str(SEED), doc_id: str = DOC) -> Citation:
    start, end = span(sentence)
    return Citation(n, doc_id, source, "title", "2025-11-27", sentence, start, end)


def evidence(n: int, sentence: str, doc_id: str = DOC) -> Evidence:
    start, end = span(sentence)
    return Evidence(n, doc_id, str(SEED), "title", "2025-11-27", "", start, end, sentence, 1.0)


def passage(text: str, doc_id: str = DOC) -> Passage:
    return Passage("c", doc_id, str(SEED), "", "", "", 0, len(text), text, 0.5)


def answer(text: str, citations=(), refused=False, retrieved=(), ev=(), total=100.0) -> Answer:
    return Answer("q", "q", text, refused, list(citations), list(retrieved), list(ev),
                  timings_ms={"total": total, "retrieve": 10.0})


@pytest.fixture
def texts():
    return DocumentTexts({DOC: {"path": str(SEED)}})


# --- SQuAD normalisation, F1, EM -----------------------------------------------------------------


def test_squad_normalisation():
    assert normalize_answer("The Normans!") == "normans"
    assert normalize_answer("  an  Apple,  a pear ") == "apple pear"
    assert normalize_answer("Theatre") == "theatre"  # 'the' only as a whole word
    assert normalize_answer("“idiocy” – Kabul’s") == "idiocy kabuls"  # Unicode punctuation too
    assert strip_markers("Khawaja Asif [1] said so [2].") == "Khawaja Asif said so."


def test_exact_match_and_token_f1():
    assert exact_match("The Normans.", "normans") == 1.0
    assert exact_match("Normans in France", "Normans") == 0.0
    assert token_f1("Normans in France", "the Normans") == pytest.approx(0.5)  # P 1/3, R 1/1
    assert token_f1("Khawaja Asif", "Defence Minister Khawaja Asif") == pytest.approx(2 * 1 * 0.5 / 1.5)
    assert token_f1("", "Normans") == 0.0 and token_f1("", "") == 1.0
    assert token_f1("x b b", "b b c") == pytest.approx(2 / 3)  # repeated tokens counted with multiplicity


def test_span_in_matches_whole_normalised_words():
    assert span_in("It happened in 1066, in England.", "1066")
    assert not span_in("In 10666 it did not.", "1066")
    assert span_in("the Duchy of Normandy", "Duchy of Normandy.")
    assert span_in("The cat", "the")  # nothing left after normalising: plain containment


def test_gold_rank_hit_and_reciprocal_rank():
    passages = [("a", "nothing here"), ("b", "Normandy is a region"), ("a", "Normandy again")]
    assert gold_rank(passages, ["Normandy"]) == 2
    assert gold_rank(passages, ["Normandy"], gold_doc="a") == 3  # a hit must come from the gold article
    assert gold_rank(passages, ["Paris"]) == 0
    rows = [{"hit_rank": 1}, {"hit_rank": 2}, {"hit_rank": 0}, {"hit_rank": None}]
    figures = aggregate(rows)
    assert figures["hit_at_k"] == pytest.approx(2 / 3, abs=1e-4)  # figures keep 4 decimals
    assert figures["mrr"] == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-4)


def test_refusal_precision_and_recall():
    rows = [
        {"answerable": False, "refused": True},  # right refusal
        {"answerable": False, "refused": False},  # missed refusal
        {"answerable": True, "refused": True},  # wrong refusal
        {"answerable": True, "refused": False},
    ]
    assert refusal_scores(rows) == (0.5, 0.5)
    assert refusal_scores([{"answerable": True, "refused": False}]) == (None, None)


def test_percentiles_and_aggregates_per_tag():
    assert percentile([1, 2, 3, 4], 50) == 2.5 and percentile([10], 95) == 10
    assert percentile([], 50) is None and percentile([0, 100], 95) == pytest.approx(95)
    rows = [{"passed": True, "tags": ["who"], "f1": 1.0, "latency_ms": 10.0, "critical": True},
            {"passed": False, "tags": ["who", "said"], "f1": 0.0, "latency_ms": 30.0},
            {"passed": True, "tags": [], "f1": None, "latency_ms": 20.0}]
    summary = summarize(rows)
    assert (summary["passed"], summary["total"], summary["critical_passed"]) == (2, 3, 1)
    assert summary["pass_rate"] == pytest.approx(0.6667) and summary["token_f1"] == 0.5
    assert summary["latency_p50_ms"] == 20.0 and summary["hit_at_k"] is None
    assert summary["tags"]["who"]["total"] == 2 and summary["tags"]["said"]["passed"] == 0


# --- per-question checks ---------------------------------------------------------------------------


def test_a_right_answer_passes_with_its_figures(texts):
    q = Question("q", "What did the Defence Minister say?", must_include=[["idiocy", "no good hope"]],
                 must_not_include=["million"], evidence=["no good hope from them"], expected_sources=[DOC],
                 references=["no good hope from them"])
    a = answer(f"{SAID} [1]", [citation(1, SAID)], retrieved=[passage(NAMED), passage(SAID)],
               ev=[evidence(1, SAID), evidence(2, NAMED)])
    verdict = check_answer(q, a, texts)
    assert verdict.passed, verdict.reasons
    assert verdict.figures["hit_rank"] == 2 and verdict.figures["evidence_hit"] == 1.0
    assert verdict.figures["context_chars"] == len(SAID) + len(NAMED)
    assert 0 < verdict.figures["f1"] < 1 and verdict.figures["em"] == 0.0
    assert verdict.figures["latency_ms"] == 100.0 and verdict.figures["retrieve_ms"] == 10.0


def test_must_include_is_case_and_quote_insensitive(texts):
    q = Question("q", "?", must_include=["KABUL'S CURRENT RULERS", '"idiocy"'])
    assert check_answer(q, answer(f"{SAID} [1]", [citation(1, SAID)]), texts).passed


def test_every_failure_has_its_reason(texts):
    q = Question("q", "?", must_include=["Khawaja Asif", ["hailed", "2021"]], must_not_include=["idiocy"],
                 evidence=["ceasefire"], expected_sources=["other-doc"])
    bad = Citation(2, DOC, str(SEED), "", "", "not the text there", 0, 18)
    reasons = check_answer(q, answer(f"{SAID} [1] [3]", [citation(1, SAID), bad]), texts).reasons
    assert reasons == [
        "answer lacks 'Khawaja Asif'",
        "answer lacks 'hailed' / '2021'",
        "answer contains forbidden 'idiocy'",
        "no cited quote contains 'ceasefire'",
        f"[1] cites {DOC} ({SEED}), not one of expected_sources",
        f"[2] cites {DOC} ({SEED}), not one of expected_sources",
        "answer cites [3], which is not among its citations",
        f"quote [2] is not verbatim at {SEED}:0-18",
    ]


def test_refusals(texts):
    unanswerable = Question("u", "What is the population of Kabul?", answerable=False, must_not_include=["million"])
    assert check_answer(unanswerable, answer("The documents don't say.", refused=True), texts).passed
    wrong = check_answer(unanswerable, answer("About 4.6 million [1].", [citation(1, SAID)]), texts)
    assert wrong.reasons[:2] == ["answered, but the documents don't answer this (expected a refusal)",
                                 "answer contains forbidden 'million'"]
    answerable = Question("a", "Who?", references=["Khawaja Asif"])
    refused = check_answer(answerable, answer("The documents don't say.", refused=True), texts)
    assert refused.reasons == ["refused, but the question is answerable"] and refused.figures["f1"] == 0.0
    assert check_answer(answerable, answer("Khawaja Asif."), texts).reasons == ["answer cites nothing"]


def test_quotes_are_checked_against_the_file_as_ingested(tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("Alpha is first. Beta is second.", encoding="utf-8")
    import hashlib

    meta = {"d": {"path": str(doc), "doc_hash": hashlib.sha256(doc.read_bytes()).hexdigest()}}
    good = Citation(1, "d", "doc.txt", "", "", "Beta is second.", 16, 31)
    q = Question("q", "?")
    assert check_answer(q, answer("Beta is second. [1]", [good]), DocumentTexts(meta)).passed
    doc.write_text("Alpha changed. Beta is second.", encoding="utf-8")
    reasons = check_answer(q, answer("Beta is second. [1]", [good]), DocumentTexts(meta)).reasons
    assert reasons == ["quote [1] cannot be checked: doc.txt changed since it was ingested; re-ingest it"]
    gone = Citation(1, "x", "missing.txt", "", "", "x", 0, 1)
    reasons = check_answer(q, answer("x [1]", [gone]), DocumentTexts({})).reasons
    assert reasons[0].startswith("quote [1] cannot be checked: source unreadable (missing.txt: no such file")
