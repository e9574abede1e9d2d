"""The short answer without an LLM: the phrase of the evidence a small learned ranker takes for the answer.

A question wants a kind of phrase ("When …" a date, "How many …" a number, "Who …" a person or an
organisation, "Which river …" a river) that stands near the question's own words in the best evidence.
The reader lists the phrases of the best evidence items (spaCy's entities, noun phrases, numbers and
prepositional objects), describes each by a few dozen features — the phrase's kind against the question's
kind, how close it stands to the question's words, whether it repeats them, the rank of its evidence item —
and scores it with a linear model. The weights (``rag/span_reader.json``) are trained by
``python -m eval.train_reader`` on the SQuAD public set's training articles (eval/reader/README.md), so
every choice here is measured, not tuned by hand.

Every phrase is a stretch of an evidence item, so the short answer is located in its document exactly like
a quote. Nothing is returned when no phrase scores above the model's threshold: the reader then gets the
extractive quotes alone.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.evidence import terms
from rag.sentence_checks import is_heading
from rag.types import Evidence

WEIGHTS = Path(__file__).with_name("span_reader.json")
EVIDENCE_ITEMS = 3  # the phrases of the best three evidence items compete
MAX_TOKENS = 10  # a longer phrase is a clause, and the quotes show it anyway

_QTYPES = [  # first match wins: (type, pattern on the lower-cased question)
    ("percent", r"\b(?:what|which) (?:percent|percentage|proportion|share)\b|\bhow much of\b"),
    ("year", r"\b(?:what|which) year\b|\bin what year\b"),
    ("when", r"\bwhen\b|\b(?:what|which) (?:date|day|month|time|century|decade|period|era)\b|\bhow long ago\b"),
    ("how_many", r"\bhow many\b|\b(?:what|which) (?:number|amount)\b"),
    ("how_much", r"\bhow much\b|\b(?:what|which) (?:price|cost)\b"),
    ("how_adj", r"\bhow (?:old|long|far|big|large|tall|high|deep|wide|fast|often|heavy)\b"),
    ("who", r"\bwho(?:m|se)?\b|\b(?:what|which) (?:person|people|man|woman|group|organi[sz]ation|company)\b"),
    ("where", r"\bwhere\b|\b(?:what|which) (?:city|country|place|region|state|town|location|area|continent)\b"),
    ("why", r"\bwhy\b"),
    ("how", r"\bhow\b"),
    ("which", r"\bwhich\b"),
    ("what", r"\bwhat\b"),
]
_WH = re.compile(r"\b(?:what|which|whose)\s+((?:[a-z-]+\s+){0,2}?[a-z-]+)\b")
_PREPOSITIONS = {"in", "on", "at", "by", "since", "from", "to", "for", "of", "as", "during", "until", "after",
                 "before", "about", "with", "than"}


def question_type(question: str) -> str:
    q = question.lower()
    for name, pattern in _QTYPES:
        if re.search(pattern, q):
            return name
    return "other"


def focus_word(question: str, nlp) -> str:
    """The noun a "what/which" question asks for ("What river …" -> "river"), lower-cased, or ""."""
    m = _WH.search(question.lower())
    if not m:
        return ""
    for token in nlp(m.group(1)):
        if token.pos_ in ("NOUN", "PROPN"):
            return token.lemma_.lower() if token.lemma_ else token.lower_
    return ""


@dataclass
class Candidate:
    n: int  # evidence item
    start: int  # character offsets into the item's text
    end: int
    text: str
    features: dict[str, float]
    score: float = 0.0


def _bucket(value: int, edges: Sequence[int]) -> str:
    for edge in edges:
        if value <= edge:
            return str(edge)
    return f">{edges[-1]}"


def _spans(doc) -> dict[tuple[int, int], str]:
    """Candidate token spans ``(i, j)`` of a parsed text and their kind: an entity label, NP, NUM or PP."""
    spans: dict[tuple[int, int], str] = {}
    for chunk in doc.noun_chunks:
        spans[(chunk.start, chunk.end)] = "NP"
        first = chunk.start
        while first < chunk.end - 1 and doc[first].pos_ in ("DET", "PRON") and doc[first].dep_ in ("det", "poss"):
            first += 1
        if first != chunk.start:
            spans.setdefault((first, chunk.end), "NP")
    for token in doc:
        if token.dep_ == "pobj" or token.dep_ in ("dobj", "attr", "appos", "npadvmod", "conj"):
            left, right = token.left_edge.i, token.right_edge.i + 1
            if right - left <= MAX_TOKENS:
                spans.setdefault((left, right), "PP" if token.dep_ == "pobj" else "NP")
        if token.like_num or token.pos_ == "NUM":
            right = token.i + 1
            while right < len(doc) and (doc[right].like_num or doc[right].pos_ == "NUM"):
                right += 1
            spans.setdefault((token.i, right), "NUM")
            if right < len(doc) and doc[right].pos_ == "NOUN":
                spans.setdefault((token.i, right + 1), "NUM")
    for ent in doc.ents:  # an entity's own label wins over the shape it also has
        spans[(ent.start, ent.end)] = ent.label_
    return {span: kind for span, kind in spans.items()
            if 0 < span[1] - span[0] <= MAX_TOKENS and not all(doc[k].is_punct for k in range(*span))}


def _wh_role(question_doc) -> tuple[str, str]:
    """The syntactic role the question's wh-phrase plays ("Who built it?": nsubj; "What did she build?":
    dobj; "In what year …": pobj) and the lemma of the verb it depends on ("build"), or ``("none", "")``."""
    for token in question_doc:
        if token.tag_ in ("WDT", "WP", "WP$", "WRB"):
            role = token.head if token.dep_ in ("det", "poss") and token.head.pos_ in ("NOUN", "PROPN") else token
            verb = _governing_verb(role)
            return role.dep_ or "none", verb.lemma_.lower() if verb is not None else ""
    return "none", ""


def _governing_verb(token):
    """The nearest verb at or above ``token`` in the dependency tree, or ``None``."""
    for candidate in (token, *token.ancestors):
        if candidate.pos_ in ("VERB", "AUX"):
            return candidate
    return None


def _near_share(marks: list[str], asked: int, i: int, j: int, width: int, left: bool = True,
                right: bool = True) -> float:
    """Share of the question's words (``marks``: each token's question term or "") within ``width`` tokens
    of the phrase ``[i, j)``, on the sides asked for."""
    if not asked:
        return 0.0
    ks = [*(range(max(0, i - width), i) if left else ()), *(range(j, min(len(marks), j + width)) if right else ())]
    return len({marks[k] for k in ks if marks[k]}) / asked


def _token_terms(doc) -> list[str]:
    out = []
    for token in doc:
        found = terms(token.text)
        out.append(found[0] if found else "")
    return out


def candidates(question: str, evidence: Sequence[Evidence], nlp, parse=None) -> list[Candidate]:
    """Every candidate phrase of the best :data:`EVIDENCE_ITEMS` evidence items, with its features.

    ``parse`` maps a text to its spaCy Doc (a cache, for training); default ``nlp``."""
    parse = parse or nlp
    qtype = question_type(question)
    focus = focus_word(question, nlp) if qtype in ("what", "which", "who", "where", "when", "how_many") else ""
    asked = set(terms(question))
    wh_role, wh_verb = _wh_role(nlp(question))
    out: list[Candidate] = []
    items = [ev for ev in evidence if not is_heading(ev.text, 0, len(ev.text))]  # a title is quoted, not read
    for rank, ev in enumerate(items[:EVIDENCE_ITEMS]):
        doc = parse(ev.text)
        token_terms = _token_terms(doc)
        in_question = [bool(t) and t in asked for t in token_terms]
        hits = [k for k, hit in enumerate(in_question) if hit]
        marks = [t if hit else "" for t, hit in zip(token_terms, in_question, strict=True)]
        sentence_share = len({t for t in token_terms if t in asked}) / len(asked) if asked else 0.0
        for (i, j), kind in _spans(doc).items():
            span = doc[i:j]
            words = [t for t in token_terms[i:j] if t]
            repeated = sum(1 for t in words if t in asked)
            outside = [k for k in hits if k < i or k >= j]
            distance = min((i - k if k < i else k - j + 1) for k in outside) if outside else 99
            root = span.root
            before = doc[i - 1].lower_ if i > 0 else "^"
            head = root.head
            head_terms = {token_terms[head.i], token_terms[head.head.i]} - {""}
            f: dict[str, float] = {
                "bias": 1.0,
                f"kind={kind}": 1.0,
                f"q={qtype}|kind={kind}": 1.0,
                f"q={qtype}|pos={root.pos_}": 1.0,
                f"q={qtype}|dep={root.dep_}": 1.0,
                f"len={_bucket(j - i, (1, 2, 3, 5, 7))}": 1.0,
                f"q={qtype}|len={_bucket(j - i, (1, 2, 3, 5))}": 1.0,
                f"rank={rank}": 1.0,
                "repeat_share": repeated / len(words) if words else 0.0,
                "repeats_all": 1.0 if words and repeated == len(words) else 0.0,
                "no_content": 0.0 if words or any(t.like_num for t in span) else 1.0,
                "log_distance": math.log1p(distance),
                "adjacent": 1.0 if distance <= 1 else 0.0,
                "window_share": _near_share(marks, len(asked), i, j, 6),
                "window3_share": _near_share(marks, len(asked), i, j, 3),
                "window12_share": _near_share(marks, len(asked), i, j, 12),
                "left_share": _near_share(marks, len(asked), i, j, 8, right=False),
                "right_share": _near_share(marks, len(asked), i, j, 8, left=False),
                "sentence_share": sentence_share,
                "head_in_question": 1.0 if head_terms & asked else 0.0,
                f"q={qtype}|before={before if before in _PREPOSITIONS else 'other'}": 1.0,
                "ev_score": float(ev.score),
            }
            verb = _governing_verb(root)
            f[f"wh={wh_role}|dep={root.dep_}"] = 1.0
            if wh_verb and verb is not None and verb.lemma_.lower() == wh_verb:
                f["verb_match"] = 1.0
                f[f"verb_match|wh={wh_role}|dep={root.dep_}"] = 1.0
            if focus:
                f[f"focus={focus}|kind={kind}"] = 1.0
                if any(t.lemma_.lower() == focus for t in span):
                    f["focus_inside"] = 1.0
                if j < len(doc) and doc[j].lemma_.lower() == focus or i > 0 and doc[i - 1].lemma_.lower() == focus:
                    f["focus_beside"] = 1.0
            a, b = span.start_char, span.end_char
            while b > a and ev.text[b - 1] in ".,;:":
                b -= 1
            out.append(Candidate(ev.n, a, b, ev.text[a:b], f))
    return out


@dataclass
class Model:
    weights: dict[str, float]
    threshold: float  # a best score below this gives no short answer

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Model:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["weights"], float(data["threshold"]))

    def score(self, features: dict[str, float]) -> float:
        return sum(self.weights.get(name, 0.0) * value for name, value in features.items())


@lru_cache(maxsize=1)
def _model() -> Model:
    return Model.load()


@lru_cache(maxsize=1)
def _nlp():
    from ingest.attribution.parsed import load_pipeline

    return load_pipeline(ner=True, lemmas=True)


def read(question: str, evidence: Sequence[Evidence], model: Model | None = None, nlp=None):
    """The best phrase as a :class:`rag.short_answer.ShortAnswer` (located in its document), or ``None``."""
    from rag.short_answer import ShortAnswer

    model = model or _model()
    found = candidates(question, evidence, nlp or _nlp())
    if not found:
        return None
    for c in found:
        c.score = model.score(c.features)
    best = max(found, key=lambda c: c.score)
    if best.score < model.threshold:
        return None
    ev = next(e for e in evidence if e.n == best.n)
    return ShortAnswer(best.text, best.n, ev.start + best.start, ev.start + best.end)


def warm_up() -> None:
    """Load the pipeline and the weights now (about a second), so the first answer does not pay for them."""
    _nlp()
    _model()
