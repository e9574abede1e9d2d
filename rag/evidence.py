"""Evidence: the sentences that answer, chosen from the retrieved passages within a small context budget.

Each retrieved passage is split into sentences (offsets into the document). A sentence scores its cosine
similarity to the question plus the IDF-weighted share of the question's terms it contains. The best
sentences are taken until the budget is spent; a sentence that leans on the one before ("He said …") brings
that one along, and a sentence naming someone brings the statement that follows it. Adjacent sentences
merge into one numbered item, so ``[n]`` always cites one verbatim span.

The same scores decide whether the documents answer the question at all (:func:`answerability`).
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field

from ingest.chunking import sentence_spans
from ingest.keyword import STOPWORDS
from rag.sentence_checks import QUANTITY, is_heading, is_instruction_like, new_names, wants_person, wants_quantity
from rag.types import Evidence, Passage

BUDGET_CHARS = 1500
#: More sentences raise the SQuAD hit rate (10: +0.8 point) but lower the local model's seed-set score
#: (48 -> 43 of 59): a 270M model phrases worse from a longer context.
MAX_SENTENCES = 8
LEXICAL_WEIGHT = 0.2  # measured on SQuAD: 0.2 and 0.5 tie on hit rate, 1.0 is worse
#: When choosing sentences, subtracted per rank of the sentence's passage in hybrid retrieval: the fused
#: rank carries the BM25 and whole-passage evidence that a sentence's own cosine lacks. On 400 SQuAD
#: questions outside the benchmark's sample, evidence hit rate 0.915 without it, 0.927-0.935 with
#: 0.02-0.05. The chosen items are still numbered by their own relevance: ordering them by passage rank
#: cost the local model two seed questions.
RANK_PENALTY = 0.03
#: A sentence is also scored together with the sentence before it (same paragraph): "This document, the
#: Guanabara Confession of Faith, …" matches a question only through what precedes it. Its relevance is
#: the better of the two cosines, the pair's less this. Evidence hit on the 400 held-out SQuAD questions:
#: 0.927 without, 0.943 with (0.0-0.1 all within 0.2 point of that).
CONTEXT_PENALTY = 0.03

#: Added to a sentence's relevance when the question asks for a number or a date ("How many …", "What time …",
#: "In what year …") and the sentence holds one the question does not, or asks who and the sentence names
#: someone the question does not: the answer sentence often shares few words with the question ("The silver
#: medal was won by Rai Benjamin", "His time was 1 hour 59 minutes 40.2 seconds"). Blind Wikinews dev set,
#: extractive: pass 84 -> 88 of 160 (numbers and dates 84 -> 87, names 87 -> 88).
TYPE_WEIGHT = 0.1
#: Subtracted from the relevance of a title or caption (a line without final punctuation or date): it repeats
#: the question's words and wins on overlap, but sometimes holds the fact ("UK Supreme Court rules prorogation
#: of parliament unlawful"). Dropping titles altogether lost three of the 34 Wikinews time questions; 0.05
#: keeps them (33/34) and passes 5 more blind dev questions than no penalty (82 -> 87; 0.1: 87, time set 32).
HEADING_PENALTY = 0.05
_LEANS_BACK = re.compile(
    r"^(?:He|She|They|It|His|Her|Their|Its|This|That|These|Those|Such|But|However|Moreover|Also|And|Yet|"
    r"Still|Instead|Meanwhile|Nevertheless|The (?:minister|spokesperson|official|president|prime minister))\b"
)
_REPORTS = re.compile(r"^(?:He|She|They)\s+(?:also\s+)?(?:said|says|added|noted|told|stated|claimed|warned|"
                      r"argued|insisted|called|described|accused|denied|urged)\b")


def stem(word: str) -> str:
    """A light suffix stripper, enough to match 'attacks'/'attacked'/'attacking'.

    >>> [stem(w) for w in ["attacks", "attacked", "attacking", "bus", "rulers"]]
    ['attack', 'attack', 'attack', 'bus', 'ruler']
    """
    for suffix in ("ingly", "ing", "edly", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            stemmed = word[: -len(suffix)]
            if suffix == "es" and not stemmed.endswith(("sh", "ch", "x", "z", "s")):
                stemmed = word[:-1]
            return stemmed
    return word


# Words that point at the documents themselves rather than at their content.
META_WORDS = frozenset("editorial article document documents text author writer piece story according "
                       "mention mentions mentioned say says said tell paper newspaper".split())


_IRREGULAR = {
    form: base
    for base, forms in {
        "write": "wrote written", "say": "said", "meet": "met", "take": "took taken", "give": "gave given",
        "go": "went gone", "come": "came", "hold": "held", "make": "made", "tell": "told", "begin": "began begun",
        "win": "won", "lose": "lost", "fight": "fought", "think": "thought", "bring": "brought", "buy": "bought",
        "leave": "left", "keep": "kept", "send": "sent", "spend": "spent", "build": "built", "run": "ran",
        "see": "saw seen", "know": "knew known", "grow": "grew grown", "draw": "drew drawn",
        "choose": "chose chosen", "rise": "rose risen", "fall": "fell fallen", "strike": "struck",
        "lead": "led", "pay": "paid", "sell": "sold", "stand": "stood", "speak": "spoke spoken",
        "break": "broke broken", "drive": "drove driven", "fly": "flew flown", "find": "found", "feel": "felt",
        "seek": "sought", "teach": "taught", "catch": "caught", "shoot": "shot", "sit": "sat", "eat": "ate eaten",
        "forget": "forgot forgotten", "hide": "hid hidden", "freeze": "froze frozen", "wear": "wore worn",
        "steal": "stole stolen", "swim": "swam swum", "sing": "sang sung", "ring": "rang rung", "bear": "bore born",
    }.items()
    for form in forms.split()
}
IRREGULAR_BASES = frozenset(_IRREGULAR.values())


def terms(text: str) -> list[str]:
    """Content words of ``text``, stemmed, stopwords dropped, in order, once each."""
    seen: dict[str, None] = {}
    for word in re.findall(r"\w+", text.lower()):
        if word not in STOPWORDS and word not in META_WORDS and len(word) > 1:
            seen.setdefault(_IRREGULAR.get(word) or stem(word), None)
    return list(seen)


@dataclass
class Sentence:
    passage: Passage
    start: int  # offsets into the document
    end: int
    text: str
    rank: int  # the passage's rank in retrieval
    dense: float = 0.0  # cosine of the question and the sentence
    in_context: float = 0.0  # cosine of the question and the previous sentence + this one (0: none)
    lexical: float = 0.0
    typed: float = 0.0  # 1 when the sentence holds the kind of value the question asks for (see TYPE_WEIGHT)
    heading: bool = False  # a title or caption (see HEADING_PENALTY)
    also_in: list[Passage] = field(default_factory=list)  # other passages holding this sentence

    @property
    def relevance(self) -> float:
        """How well the sentence itself matches the question: what its evidence item is numbered by."""
        return max(self.dense, self.in_context - CONTEXT_PENALTY) + LEXICAL_WEIGHT * self.lexical + \
            TYPE_WEIGHT * self.typed - HEADING_PENALTY * self.heading

    @property
    def score(self) -> float:
        """What sentences are chosen by: relevance, less a little per rank of the passage they came from."""
        return self.relevance - RANK_PENALTY * self.rank


@dataclass
class Selection:
    evidence: list[Evidence]
    sentences: list[Sentence]  # every candidate, scored
    best_dense: float
    best_lexical: float
    coverage: float  # IDF-weighted share of the question's terms found anywhere in the evidence
    unknown: list[str] = field(default_factory=list)  # question terms found nowhere in the collection
    #: The same selection made without the bonus for a number or a date the question asks for: whether the
    #: documents answer at all is judged on it (a number about something else must not make a question
    #: answerable: "How many Afghan refugees does Pakistan host?"). None when no sentence had the bonus.
    untyped: Selection | None = None

    @property
    def best_score(self) -> float:
        return max((s.relevance for s in self.sentences), default=0.0)


def candidate_sentences(passages: list[Passage]) -> list[Sentence]:
    """The sentences of the passages, each once (overlapping chunks share sentences, and near-duplicate
    documents the same sentence: it is kept from the best-ranked copy); instruction-like sentences are
    left out."""
    seen: dict[tuple[str, int], Sentence] = {}
    copies: dict[tuple[str, str], str] = {}  # (dup group, sentence's words) -> the document it is kept from
    for rank, p in enumerate(passages):
        for s, e in sentence_spans(p.text):
            key = (p.doc_id, p.start + s)
            if key in seen:
                seen[key].also_in.append(p)
                continue
            if p.dup_group:
                words = (p.dup_group, " ".join(re.findall(r"\w+", p.text[s:e].casefold())))
                if copies.setdefault(words, p.doc_id) != p.doc_id:
                    continue  # the same sentence in another copy of the story
            if not is_instruction_like(p.text[s:e]):
                seen[key] = Sentence(p, p.start + s, p.start + e, p.text[s:e], rank,
                                     heading=is_heading(p.text, s, e))
    return list(seen.values())


def term_weights(question_terms: list[str], keyword_index) -> tuple[dict[str, float], list[str]]:
    """IDF of each question term over the stored chunks (rarer terms matter more), and the terms that
    occur in no chunk at all."""
    if not question_terms:
        return {}, []
    freqs, total = keyword_index.document_frequencies(question_terms)
    weights = {t: math.log(1 + (total - freqs.get(t, 0) + 0.5) / (freqs.get(t, 0) + 0.5)) for t in question_terms}
    return weights, [t for t in question_terms if not freqs.get(t)]


def correct_typos(question_terms: list[str], vocabulary: set[str]) -> list[str]:
    """Replace a term the passages don't contain by a close spelling they do ('ceasfire' -> 'ceasefire').

    >>> correct_typos(["ceasfire", "hold", "kabul"], {"ceasefire", "holding", "kabul"})
    ['ceasefire', 'hold', 'kabul']
    """
    corrected = []
    for term in question_terms:
        if term not in vocabulary and len(term) >= 4:
            close = difflib.get_close_matches(term, vocabulary, n=1, cutoff=0.8)
            term = close[0] if close else term
        corrected.append(term)
    return corrected


def lexical_overlap(sentence_terms: set[str], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in sentence_terms) / total if total else 0.0


def score_sentences(question: str, question_vector: list[float], passages: list[Passage], embedder,
                    keyword_index) -> tuple[list[Sentence], dict[str, float], list[str]]:
    """Score every candidate sentence; also returns the term weights and the question's unknown terms."""
    sentences = candidate_sentences(passages)
    vocabulary = {t for s in sentences for t in terms(s.text)}
    weights, unknown = term_weights(correct_typos(terms(question), vocabulary), keyword_index)
    if sentences:
        by_pos = sorted(sentences, key=lambda s: (s.passage.doc_id, s.start))
        pairs = [(a, b) for a, b in zip(by_pos, by_pos[1:]) if _adjacent(a, b)]
        vectors = embedder.embed_batch([s.text for s in sentences] + [_span_text(a, b) for a, b in pairs])
        cosines = [sum(a * b for a, b in zip(question_vector, v)) for v in vectors]
        wants, who = wants_quantity(question), wants_person(question)
        asked = set(QUANTITY.findall(question.lower()))
        for s, cosine in zip(sentences, cosines):
            s.dense = cosine
            s.lexical = lexical_overlap(set(terms(s.text)), weights)
            s.typed = float(wants and bool(set(QUANTITY.findall(s.text.lower())) - asked)
                            or who and bool(new_names(s.text, question)))
        for (_, s), cosine in zip(pairs, cosines[len(sentences):]):
            s.in_context = cosine
    return sentences, weights, unknown


def _adjacent(first: Sentence, second: Sentence) -> bool:
    """Is ``second`` the very next sentence after ``first``, in the same paragraph of one retrieved passage?"""
    if first.passage.doc_id != second.passage.doc_id or second.start < first.end:
        return False
    p = _covering(first, second)
    return p is not None and not p.text[first.end - p.start:second.start - p.start].strip()


def select(sentences: list[Sentence], weights: dict[str, float], budget: int = BUDGET_CHARS,
           max_sentences: int = MAX_SENTENCES, require: set[int] | None = None,
           unknown: list[str] | None = None) -> Selection:
    """Pick sentences best first within ``budget`` characters, widen them, number the merged spans; with
    :attr:`Selection.untyped`, the same without the typed bonus (see :data:`TYPE_WEIGHT`)."""
    selection = _select(sentences, weights, budget, max_sentences, require, unknown)
    typed = {id(s): s.typed for s in sentences if s.typed}
    if typed:
        for s in sentences:
            s.typed = 0.0
        try:
            selection.untyped = _select(sentences, weights, budget, max_sentences, require, unknown)
        finally:
            for s in sentences:
                s.typed = typed.get(id(s), 0.0)
    return selection


def _select(sentences: list[Sentence], weights: dict[str, float], budget: int, max_sentences: int,
            require: set[int] | None, unknown: list[str] | None) -> Selection:
    by_pos = sorted(sentences, key=lambda s: (s.passage.doc_id, s.start))
    index = {id(s): i for i, s in enumerate(by_pos)}
    chosen: dict[int, Sentence] = {}  # id -> sentence
    used = 0

    def neighbour(s: Sentence, step: int) -> Sentence | None:
        i = index[id(s)] + step
        if 0 <= i < len(by_pos):
            first, last = (s, by_pos[i]) if step > 0 else (by_pos[i], s)
            if _adjacent(first, last):
                return by_pos[i]  # the very next sentence, in the same paragraph (one chunk holds both)
        return None

    groups: list[list[Sentence]] = []

    def take(group: list[Sentence]) -> bool:
        nonlocal used
        new = [s for s in group if id(s) not in chosen]
        cost = sum(len(s.text) + 1 for s in new)
        if not new or used + cost > budget or len(chosen) + len(new) > max_sentences:
            return False
        for s in new:
            chosen[id(s)] = s
        used += cost
        groups.append(group)
        return True

    ranked = sorted(sentences, key=lambda s: -s.score)
    if require:
        ranked = [s for s in sentences if id(s) in require] + [s for s in ranked if id(s) not in require]
    for s in ranked:
        group = [s]
        prev = neighbour(s, -1)
        if prev is not None and _LEANS_BACK.match(s.text):
            group.insert(0, prev)
        nxt = neighbour(s, +1)
        if nxt is not None and _REPORTS.match(nxt.text):
            group.append(nxt)
        if not take(group) and len(group) > 1:
            take([s])
    evidence = _number(_merge_overlapping(groups))
    found = set().union(*(terms(e.text) for e in evidence)) if evidence else set()
    total = sum(weights.values())
    coverage = sum(w for t, w in weights.items() if t in found) / total if total else 0.0
    return Selection(
        evidence=evidence,
        sentences=sentences,
        best_dense=max((s.dense for s in sentences), default=0.0),
        best_lexical=max((s.lexical for s in sentences), default=0.0),
        coverage=coverage,
        unknown=list(unknown or []),
    )


def _merge_overlapping(groups: list[list[Sentence]]) -> list[list[Sentence]]:
    """Groups chosen together stay one item; groups that share a sentence become one span when one
    passage holds it all, otherwise the later group keeps only its own sentences."""
    merged: list[list[Sentence]] = []
    for group in groups:
        ids = {id(s) for s in group}
        for other in merged:
            other_ids = {id(s) for s in other}
            if ids & other_ids:
                union = sorted(other + [s for s in group if id(s) not in other_ids], key=lambda s: s.start)
                if _covering(union[0], union[-1]) is not None:
                    other[:] = union
                else:
                    rest = [s for s in group if id(s) not in other_ids]
                    if rest:
                        merged.append(rest)
                break
        else:
            merged.append(sorted(group, key=lambda s: s.start))
    return merged


def _number(groups: list[list[Sentence]]) -> list[Evidence]:
    """One numbered, verbatim span per group, most relevant first."""
    groups = sorted(groups, key=lambda g: -max(s.relevance for s in g))
    evidence = []
    for n, group in enumerate(groups, start=1):
        first, last = group[0], group[-1]
        text = _span_text(first, last)
        p = first.passage
        evidence.append(Evidence(n, p.doc_id, p.source, p.title, p.date, p.publication, first.start, last.end,
                                 text, max(s.relevance for s in group), p.page, also_in=list(p.also_in)))
    return evidence


def _covering(first: Sentence, last: Sentence) -> Passage | None:
    """A retrieved passage that holds both sentences and what lies between them."""
    for p in [first.passage, *first.also_in, last.passage, *last.also_in]:
        if p.doc_id == first.passage.doc_id and p.start <= first.start and last.end <= p.end:
            if "\n\n" not in p.text[first.end - p.start:last.start - p.start]:
                return p
    return None


def _span_text(first: Sentence, last: Sentence) -> str:
    p = _covering(first, last)
    assert p is not None, "merged sentences always lie in one passage"
    return p.text[first.start - p.start:last.end - p.start]
