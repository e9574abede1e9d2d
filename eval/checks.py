"""Score one answer against its question: pass/fail with every reason, and the per-question figures.

A question passes when every check holds; the reasons list says which did not, in words an evaluator can
act on ("answer lacks 'idiocy'", "quote [2] is not verbatim at seeds/a.txt:10-52"). Checks:

* refusal: an answerable question is answered, an unanswerable one is refused;
* ``must_include`` (one alternative of each item) / ``must_not_include`` in the answer, case- and
  quote-insensitive (:func:`eval.metrics.fold`);
* ``evidence``: each string inside at least one cited quote;
* ``expected_sources``: every citation comes from one of them;
* citation numbers: every ``[n]`` in the answer names a citation; an answer (not a refusal) cites something;
* quotes verbatim: ``document_text[start:end] == quote`` for every citation;
* ``expected_period``: the answer used that period; and whatever period it used, every citation is dated
  within it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from eval.metrics import best_over, contains, exact_match, gold_rank, strip_markers, token_f1
from eval.sets import Question
from rag.types import Answer, Citation

_CITE = re.compile(r"\[(\d+)\]")


@dataclass
class Verdict:
    passed: bool
    reasons: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)


class DocumentTexts:
    """The indexed text of each stored document, loaded once, for the "quotes verbatim" check.

    ``documents`` is the store's manifest (``Store.documents()``); its ``path`` is where the file was
    ingested from and ``doc_hash`` the content it had then, so a file edited since is reported as such
    rather than as a wrong quote.
    """

    def __init__(self, documents: dict[str, dict]):
        self.documents = documents
        self._texts: dict[str, str | None] = {}
        self._problems: dict[str, str] = {}

    def text(self, citation: Citation) -> tuple[str | None, str]:
        """``(text, "")``, or ``(None, why it can't be checked)``."""
        key = citation.doc_id
        if key not in self._texts:
            self._texts[key] = self._load(citation)
        return self._texts[key], self._problems.get(key, "")

    def _load(self, citation: Citation) -> str | None:
        from ingest.loaders import load_item
        from rag.errors import IngestError

        meta = self.documents.get(citation.doc_id) or {}
        path = Path(meta.get("path") or citation.source)
        try:
            doc = load_item(path, citation.source, meta.get("item", ""))
        except IngestError as exc:
            self._problems[citation.doc_id] = f"source unreadable ({exc})"
            return None
        if meta.get("doc_hash") and doc.content_hash != meta["doc_hash"]:
            self._problems[citation.doc_id] = f"{citation.source} changed since it was ingested; re-ingest it"
            return None
        return doc.text


def check_answer(question: Question, answer: Answer, texts: DocumentTexts) -> Verdict:
    """Every check of the module docstring, plus the figures of this question."""
    reasons: list[str] = []
    text = answer.answer or ""
    if question.answerable and answer.refused:
        reasons.append("refused, but the question is answerable")
    if not question.answerable and not answer.refused:
        reasons.append("answered, but the documents don't answer this (expected a refusal)")
    for alternatives in question.must_include:
        alternatives = [alternatives] if isinstance(alternatives, str) else alternatives
        if not any(contains(text, alt) for alt in alternatives):
            reasons.append("answer lacks " + " / ".join(repr(a) for a in alternatives))
    for forbidden in question.must_not_include:
        if contains(text, forbidden):
            reasons.append(f"answer contains forbidden {forbidden!r}")
    for needle in question.evidence:
        if not any(contains(c.quote, needle) for c in answer.citations):
            reasons.append(f"no cited quote contains {needle!r}")
    if question.expected_sources:
        expected = set(question.expected_sources)
        for c in answer.citations:
            if c.doc_id not in expected and c.source not in expected:
                reasons.append(f"[{c.n}] cites {c.doc_id} ({c.source}), not one of expected_sources")
    reasons += _period_problems(question, answer)
    reasons += _citation_problems(answer)
    reasons += _quote_problems(answer, texts)
    return Verdict(not reasons, reasons, figures(question, answer))


def _citation_problems(answer: Answer) -> list[str]:
    problems = []
    numbers = [c.n for c in answer.citations]
    for n in sorted({n for n in numbers if numbers.count(n) > 1}):
        problems.append(f"citation number [{n}] is used twice")
    for n in sorted({int(m) for m in _CITE.findall(answer.answer or "")} - set(numbers)):
        problems.append(f"answer cites [{n}], which is not among its citations")
    if not answer.refused and not answer.citations:
        problems.append("answer cites nothing")
    return problems


def _period_problems(question: Question, answer: Answer) -> list[str]:
    problems = []
    used = answer.period or {}
    since, until = used.get("since"), used.get("until")
    if question.expected_period is not None:
        wanted = (question.expected_period.get("since"), question.expected_period.get("until"))
        if wanted != (since, until):
            problems.append(f"period {_span(since, until) if since or until else 'none'}, expected "
                            f"{_span(*wanted) if any(wanted) else 'none'}")
    if since or until:
        for c in answer.citations:
            if not c.date or (since and c.date < since) or (until and c.date > until):
                problems.append(f"citation [{c.n}] dated {c.date or '(undated)'} is outside {_span(since, until)}")
    return problems


def _span(since: str | None, until: str | None) -> str:
    return f"{since or '…'}..{until or '…'}"


def _quote_problems(answer: Answer, texts: DocumentTexts) -> list[str]:
    problems = []
    for c in answer.citations:
        doc, why = texts.text(c)
        if doc is None:
            problems.append(f"quote [{c.n}] cannot be checked: {why}")
        elif doc[c.start:c.end] != c.quote:
            problems.append(f"quote [{c.n}] is not verbatim at {c.source}:{c.start}-{c.end}")
    return problems


def figures(question: Question, answer: Answer) -> dict:
    """F1 / EM against the references; retrieval rank and evidence hit against the gold spans; latency.

    The prediction is the answer's verified short answer when it has one (the phrase a reader would take as
    the answer), else the whole answer without its markers: SQuAD's short-answer F1 / EM."""
    short = (answer.short_answer or {}).get("text")
    prediction = short or strip_markers(answer.answer or "")
    scored = question.answerable and question.references
    gold = question.gold_spans
    evidence = [(e.doc_id, e.text) for e in answer.evidence]
    timings = answer.timings_ms or {}
    return {
        # SQuAD scores a refusal as the empty answer: F1 0 on an answerable question
        "f1": best_over(token_f1, "" if answer.refused else prediction, question.references) if scored else None,
        "em": best_over(exact_match, "" if answer.refused else prediction, question.references) if scored
        else None,
        "hit_rank": gold_rank([(p.doc_id, p.text) for p in answer.retrieved], gold, question.gold_doc)
        if gold else None,
        "evidence_hit": float(gold_rank(evidence, gold, question.gold_doc) > 0) if gold else None,
        "context_chars": sum(len(e.text) for e in answer.evidence),
        "latency_ms": timings.get("total"),
        "first_token_ms": timings.get("first_token"),
        "retrieve_ms": timings.get("retrieve"),
    }
