"""The answering chain: question (+ history) -> standalone question -> hybrid retrieval -> numbered
evidence -> refusal check -> LLM (or extractive) -> verification -> :class:`~rag.types.Answer`.

Public API (the UI, the CLI and the evaluation harness use only this)::

    answerer = Answerer(settings)                    # builds store, embedder, retriever, backend lazily
    answer = answerer.answer("What did the Defence Minister say?", history=None, k=None, doc_ids=None)
    for item in answerer.stream(question, history):  # AnswerDelta(text) pieces, then the final Answer
        ...
    answerer.backend_label                           # e.g. "local:gemma-3-270m-q4_k_m" or "extractive"
    answerer.store                                   # ingest.store.Store of the collection
    answerer.close()

Tests pass fakes: ``Answerer(settings, embedder=HashEmbedder(), chat_model=FakeListChatModel(...))``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from rag.condense import standalone_question
from rag.errors import BackendError, RagchatError
from rag.evidence import IRREGULAR_BASES, Selection, correct_typos, score_sentences, select, terms
from rag.settings import Settings
from rag.short_answer import compose
from rag.timeframe import coverage_refusal, latest_evidence, resolve
from rag.types import Answer, AnswerDelta, Evidence, Passage
from rag.verify import citations_for, cited_numbers, verify_text

MAX_QUESTION_CHARS = 4000
MAX_ANSWER_SENTENCES = 5

# Refusal from evidence, calibrated with `python -m eval.calibrate` on the SQuAD public set and checked
# on the seed set (README, "Refusal"): below these the documents are taken not to answer.
MIN_DENSE = 0.25  # cosine of the best sentence to the question
MIN_COVERAGE = 0.4  # IDF-weighted share of the question's content words found in the evidence
# A question word in no stored chunk (after typo correction) refuses unless a sentence is this close.
# On SQuAD: refusal precision 0.64, and 6.7 % of answerable questions refused (without the cosine
# condition: 24 %, since crowd-written questions paraphrase).
UNKNOWN_TERM_MAX_DENSE = 0.55
# Words questions use that texts rarely do; their absence says nothing about the answer (stemmed).
GENERIC_QUESTION_WORDS = frozenset(
    "happen occur mean describe explain reason cause role purpose kind type name call situation issue thing "
    "way result main example example respond response react reaction view position stance opinion "
    "believe think feel consider argue suggest recommend propose want hope expect".split()
)

_SPEAKER = re.compile(
    r"\bw\w{1,3}t (?:did|does|has|have|had) (?P<who>.+?) (?:say|said|tell|told|state|stated|claim|claimed)\b",
    re.I
)
# A sentence is complete once its end punctuation and any [n] markers are followed by more text.
_SENTENCE_DONE = re.compile(r"[.!?…]+[\"”’)]*(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])*\s+(?=[^\s\[])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_question(question: str) -> str:
    """The question without control characters; empty or over-long questions are errors."""
    text = " ".join(_CONTROL.sub(" ", question or "").split())
    if not text:
        raise RagchatError("the question is empty; ask something about the documents.")
    if len(text) > MAX_QUESTION_CHARS:
        raise RagchatError(
            f"the question is too long ({len(text)} characters, at most {MAX_QUESTION_CHARS}); shorten it."
        )
    return text


def speaker_of(question: str) -> str | None:
    """'What did the Defence Minister say?' -> 'the Defence Minister'."""
    match = _SPEAKER.search(question)
    return match.group("who").strip() if match else None


_COUNT_QUESTION = re.compile(r"^\s*how (?:many|much)\b", re.IGNORECASE)
_WHEN_QUESTION = re.compile(r"^\s*(?:when\b|(?:in |on |at )?(?:what|which) (?:year|date|day|month|time)\b)",
                            re.IGNORECASE)
_NUMBER_WORD = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                          r"forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|half)\b", re.IGNORECASE)


def _has_count(text: str) -> bool:
    """A number that can answer 'how many': not a year, not an ordinal date like '27th'."""
    text = re.sub(r"\b\d{4}-\d{2}-\d{2}\b", " ", text)  # ISO dates
    for token in re.findall(r"\b\d[\d,.]*(?:st|nd|rd|th)?\b", text):
        if not re.fullmatch(r"(?:19|20)\d\d|\d+(?:st|nd|rd|th)", token):
            return True
    return bool(_NUMBER_WORD.search(text))


_TIME = re.compile(r"\d{4}|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|"
                   r"march|april|may|june|july|august|september|october|november|december|yesterday|today|"
                   r"tomorrow|week|month|year|decade|century|ago|since|after|before|during)\b", re.IGNORECASE)


# Questions whose answer has a form, and the form: an age, an amount of money, a share. Measured on the
# blind Wikinews dev set (eval/sets/wikinews-blind-dev.jsonl) with the count check: looking in the best
# three evidence items instead of all of them refuses 6 of 13 unanswerable "how many / how much"
# questions instead of 3, and no answerable one.
TYPED_CHECK_ITEMS = 3
_TYPED = (
    (re.compile(r"^\s*how old\b|\bwhat age\b|\bat what age\b", re.I),
     re.compile(r"\bage[ds]?\b|\byears? old\b|\b\d{1,3}\b|"
                r"\b(?:\w*teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b", re.I)),
    (re.compile(r"^\s*how much (?:\w+ ){0,4}money\b|^\s*how much did \S+(?: \S+)? (?:cost|pay|raise|spend|earn)\b|"
                r"\bwhat (?:was|is|were|are) the (?:cost|price|amount|fine|budget|salary)\b", re.I),
     re.compile(r"[$€£¥₹]|\b(?:dollars?|euros?|pounds?|rupees?|yuan|yen|francs?|krone[rn]?|pesos?|rubles?|"
                r"percent|per cent|million|billion|trillion)\b|%", re.I)),
    (re.compile(r"\bwhat (?:percentage|percent|proportion|share of the)\b|\bhow many percent\b", re.I),
     re.compile(r"%|\bper ?cent\b|\bpercentage\b|\bhalf\b|\bthirds?\b|\bquarters?\b", re.I)),
)


def is_answerable(selection: Selection, question: str = "") -> bool:
    """Do the selected sentences answer the question? Decided from the evidence, before any LLM.

    Besides the similarity and coverage thresholds, a question asking for a count needs a number in the
    evidence, one asking when needs a time, and a content word found nowhere in the collection
    ("population", "killed") means the documents don't cover it.
    """
    selection = selection.untyped or selection  # judged without the bonus a number or a date gave sentences
    if not selection.evidence:
        return False
    if selection.best_dense < MIN_DENSE or selection.coverage < MIN_COVERAGE:
        return False
    # The answer to a typed question stands in the best few items, not anywhere in the evidence.
    text = " ".join(e.text for e in selection.evidence[:TYPED_CHECK_ITEMS])
    if _COUNT_QUESTION.match(question) and not _has_count(text):
        return False
    if _WHEN_QUESTION.match(question) and not _TIME.search(text):
        return False
    if any(asks.search(question) and not needs.search(text) for asks, needs in _TYPED):
        return False
    # Irregular verbs ("write" / "wrote") are stemmed apart by the keyword index: not evidence of absence.
    unknown = [t for t in selection.unknown if t not in GENERIC_QUESTION_WORDS and t not in IRREGULAR_BASES]
    return not (unknown and selection.best_dense < UNKNOWN_TERM_MAX_DENSE)


def refusal_text(question: str) -> str:
    """A plain refusal; it does not echo the question, which may carry someone's injected text."""
    return "The documents don't say. Nothing in them answers this question."


# The extractive answer quotes the best evidence item and up to two more scoring within 0.1 of it. On the
# blind Wikinews dev set: 71/160 passed with (0.03, 2), 78 with the best two always, 81 with (0.1, 3), 75
# with the best three always (more documents cited than asked about); the seed set 58/63 either way.
QUOTE_MARGIN = 0.1
MAX_QUOTES = 3


def extractive_text(evidence: list[Evidence], speaker_terms: set[str] | None = None) -> str:
    """The best evidence, verbatim and cited: one item, or for 'what did X say?' every item naming X."""
    if not evidence:
        return ""
    if speaker_terms:
        items = [e for e in evidence if speaker_terms <= set(terms(e.text))] or evidence[:1]
    else:
        items = [e for e in evidence if e.score >= evidence[0].score - QUOTE_MARGIN][:MAX_QUOTES]
    return " ".join(f"{e.text} [{e.n}]" for e in items)


class Answerer:
    """Question (+ history) in, verified :class:`Answer` out; see the module docstring."""

    def __init__(self, settings: Settings, *, llm: str | None = None, embedder=None, chat_model=None,
                 collection: str | None = None, attributions: bool = True):
        self.settings = settings.with_overrides(llm=llm, collection=collection)
        self._embedder = embedder
        self._chat_model = chat_model
        self._chat_model_loaded = chat_model is not None
        self._injected = chat_model is not None
        self._store = None
        self._retriever = None
        self._quotes = None  # (read at, QuoteIndex)
        #: Answer who-said-what questions from the attribution index (False: always from the evidence,
        #: as for a speaker the index does not know).
        self.attributions = attributions

    # --- parts, built on first use -------------------------------------------------------------------

    @property
    def embedder(self):
        if self._embedder is None:
            from ingest.embedder import make_embedder

            self._embedder = make_embedder(self.settings.embedder)
        return self._embedder

    @property
    def store(self):
        if self._store is None:
            from ingest.store import Store

            self._store = Store(self.settings, self.embedder.name, self.embedder.dimension, create=False)
        return self._store

    @property
    def retriever(self):
        if self._retriever is None:
            from rag.retrieval import HybridRetriever

            self._retriever = HybridRetriever(store=self.store, embedder=self.embedder, k=self.settings.k)
        return self._retriever

    @property
    def chat_model(self):
        if not self._chat_model_loaded:
            from rag.backends import make_chat_model

            self._chat_model = make_chat_model(self.settings.llm)
            self._chat_model_loaded = True
        return self._chat_model

    @property
    def backend_label(self) -> str:
        if self._injected:
            return f"custom:{type(self._chat_model).__name__}"
        from rag.backends import backend_label

        return backend_label(self.settings.llm)

    def warm_up(self, wait: bool = True) -> None:
        """Load the store, the embedder and the model now, so answer timings measure answering only.

        ``wait=False`` starts a local model's process without waiting for it: it loads while retrieval
        runs, and generation waits for it if it has to."""
        model = self.chat_model
        if model is not None and not wait and hasattr(model, "start"):
            model.start()
        self.retriever.ensure_keyword_index()
        if model is not None and wait and hasattr(model, "load"):
            model.load()
        if "span" in self.settings.short_readers and wait:
            from rag.span_reader import warm_up

            warm_up()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
            self._retriever = None

    # --- answering -----------------------------------------------------------------------------------

    def answer(self, question: str, history: list[dict] | None = None, k: int | None = None,
               doc_ids: list[str] | None = None, date_from: str | None = None,
               date_to: str | None = None, as_of: str | None = None) -> Answer:
        final = None
        for item in self.stream(question, history, k=k, doc_ids=doc_ids, date_from=date_from, date_to=date_to,
                                as_of=as_of):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(self, question: str, history: list[dict] | None = None, k: int | None = None,
               doc_ids: list[str] | None = None, date_from: str | None = None,
               date_to: str | None = None, as_of: str | None = None) -> Iterator[AnswerDelta | Answer]:
        """Verified pieces of the answer as :class:`AnswerDelta`, then the whole :class:`Answer`.

        ``date_from``/``date_to`` (ISO, inclusive) limit the documents; without them a time phrase of the
        question does ("last week", "in November 2025"), read against ``as_of`` (ISO; default today)."""
        question = clean_question(question)
        self.warm_up(wait=False)  # a no-op once loaded; a model process starts loading now
        started = time.perf_counter()
        timings: dict[str, float] = {}
        standalone = standalone_question(question, history)
        # Time in the question (rag/timeframe.py): its period filters, its phrase is not searched for.
        period = resolve(standalone, as_of, date_from, date_to)
        if period is not None:
            date_from, date_to = period.since, period.until
        searched = period.question_without_phrase if period else standalone
        if period is not None and (empty := coverage_refusal(period, self.store.documents(), doc_ids)):
            yield AnswerDelta(empty)
            yield Answer(question, standalone, empty, refused=True, backend="refusal (no documents in the period)",
                         timings_ms={"total": _ms(started)}, period=period.to_dict())
            return
        spoken = (self._answer_from_attributions(question, standalone, date_from, date_to, started, searched)
                  if self.attributions else None)
        if spoken is not None:
            spoken.period = period.to_dict() if period else None
            yield AnswerDelta(spoken.answer)
            yield spoken
            return
        speaker = speaker_of(searched)
        query = f"{speaker} said" if speaker else searched
        k = k or self.settings.k
        passages, vector = self.retriever.retrieve(query, k=max(k, 8) if speaker else k, doc_ids=doc_ids,
                                                   date_from=date_from, date_to=date_to)
        if speaker:  # score sentences against the whole question, not just "X said"
            vector = self.embedder.embed_batch([searched])[0]
        timings["retrieve"] = _ms(started)
        sentences, weights, unknown = score_sentences(searched, vector, passages, self.embedder,
                                                      self.store.keyword)
        require, who = None, None
        if speaker:  # typos in a name ("kwaja asif") are corrected against the passages' words
            who = set(correct_typos(terms(speaker), {t for s in sentences for t in terms(s.text)}))
            require = {id(s) for s in sentences if who and who <= set(terms(s.text))}
        selection = select(sentences, weights, budget=2000 if speaker else 1500, require=require,
                           unknown=unknown)
        if period is not None and period.order:  # "the latest": the newest document's evidence
            selection.evidence = latest_evidence(selection.evidence, period.order)
        timings["evidence"] = _ms(started) - timings["retrieve"]
        answer = Answer(question, standalone, "", refused=False, retrieved=passages, evidence=selection.evidence,
                        backend="", period=period.to_dict() if period else None)
        answerable = bool(require) or is_answerable(selection, searched)
        if not answerable:
            answer.refused = True
            answer.answer = refusal_text(standalone)
            answer.backend = "refusal (from evidence, no LLM call)"
            yield AnswerDelta(answer.answer)
        else:
            answer.backend = self.backend_label
            quotes = extractive_text(selection.evidence, who)
            if self.chat_model is None:
                text = compose(self._short(searched, selection.evidence, answer, timings), quotes)
                yield AnswerDelta(text)
            else:
                text = yield from self._with_model(searched, selection.evidence, quotes, answer, timings, who)
            answer.answer = text
            answer.citations = citations_for(text, selection.evidence)
        timings["total"] = _ms(started)
        answer.timings_ms = timings
        yield answer

    def _with_model(self, question: str, evidence: list[Evidence], quotes: str, answer: Answer,
                    timings: dict[str, float], who: set[str] | None) -> Iterator[AnswerDelta]:
        """The extractive answer ``quotes`` with what the LLM adds to it; returns the whole text.

        ``answer_style`` "short" (default): a short answer the LLM picks, verified as a verbatim stretch of
        the evidence (rag/short_answer.py), in front of the quotes. "sentences": the LLM's verified
        sentences, then the quotes they don't cite. Either way the reader gets at least the extractive
        answer; a model that dies or stalls costs one line."""
        generated_at = time.perf_counter()
        said = ""
        try:
            if self.settings.answer_style == "sentences":
                said = yield from self._generate(question, evidence, answer, timings, who)
                if not said:
                    answer.backend += " (all sentences unsupported: extractive fallback)"
                text = _with_quotes(said, quotes)
                if text != said:
                    yield AnswerDelta(text[len(said):] if said else text)
            else:
                text = compose(self._short(question, evidence, answer, timings), quotes)
                yield AnswerDelta(text)
        except BackendError as exc:  # the model died or stalled mid-answer: say so, answer anyway
            notice = f"({_sentence(str(exc))}.)"
            text = f"{said}\n\n{notice} {quotes}" if said else f"{notice} {quotes}"
            answer.backend += " (model failed: extractive answer)"
            answer.model_error = str(exc)
            yield AnswerDelta(text[len(said):] if said else text)
        timings["generate"] = _ms(generated_at)
        return text

    def _short(self, question: str, evidence: list[Evidence], answer: Answer, timings: dict[str, float]):
        """The short answer of the first reader in ``short_readers`` that gives a verified one, or ``None``.

        "model": the LLM's pick, verified (skipped without an LLM); "span": the span reader's phrase
        (rag/span_reader.py), a stretch of the evidence by construction."""
        for reader in self.settings.short_readers.split(","):
            reader = reader.strip()
            if reader == "model" and self.chat_model is not None:
                short = self._short_answer(question, evidence, answer, timings)
            elif reader == "span":
                from rag.span_reader import read

                started = time.perf_counter()
                short = read(question, evidence)
                timings["span_reader"] = _ms(started)
            else:
                continue
            if short is not None:
                answer.short_answer = {**short.to_dict(), "reader": reader}
                return short
        return None

    def _short_answer(self, question: str, evidence: list[Evidence], answer: Answer,
                      timings: dict[str, float]):
        """The LLM's short answer, verified against the evidence, or ``None`` (the reason in ``dropped``)."""
        from rag.backends import backend_errors
        from rag.short_answer import MAX_CHARS, STOP, build_short_messages, verify_short

        started = time.perf_counter()
        raw = ""
        with backend_errors(self.chat_model):
            for chunk in self.chat_model.stream(build_short_messages(question, evidence), stop=STOP):
                if "first_token" not in timings:
                    timings["first_token"] = _ms(started)
                raw += chunk.content if isinstance(chunk.content, str) else ""
                if "\n" in raw.strip() or len(raw) > MAX_CHARS:  # one line is all; a longer one is no short answer
                    break
        short, why = verify_short(raw, evidence, question)
        if short is None:
            answer.dropped.append({"sentence": raw.strip(), "reason": why})
        answer.short_answer = short.to_dict() if short else None
        return short

    def quote_index(self):
        """The attribution index of the collection, re-read at most every 30 s (other writers may ingest)."""
        from rag.quotes import QuoteIndex

        if self._quotes is None or time.monotonic() - self._quotes[0] > 30:
            self._quotes = (time.monotonic(), QuoteIndex.from_store(self.store))
        return self._quotes[1]

    def _answer_from_attributions(self, question: str, standalone: str, date_from: str | None,
                                  date_to: str | None, started: float, searched: str | None = None
                                  ) -> Answer | None:
        """Who-said-what questions answered from the attribution index, or ``None`` (then from evidence).
        ``searched``: the question without its time phrase, which the dates already stand for."""
        from rag.speech import answer_speech, speech_question

        searched = searched or standalone
        asked = speech_question(searched)
        found = answer_speech(self.quote_index(), asked, date_from or "", date_to or "") if asked else None
        if found is None:
            return None
        # The passages retrieval finds for the question, as for any answer (for the sources panel and eval).
        passages, _ = self.retriever.retrieve(searched, k=self.settings.k, date_from=date_from, date_to=date_to)
        return Answer(question, standalone, found.text, refused=found.refused, citations=found.citations,
                      retrieved=passages, backend="attribution index", timings_ms={"total": _ms(started)})

    def _generate(self, question: str, evidence: list[Evidence], answer: Answer,
                  timings: dict[str, float], speaker_terms: set[str] | None = None) -> Iterator[AnswerDelta]:
        """Stream the LLM, verifying each sentence as it completes; returns the kept text.

        For "what did X say?" (``speaker_terms``: X's words) a sentence must also cite an item naming X:
        true statements about someone else do not answer the question."""
        speaker_items = ({e.n for e in evidence if speaker_terms <= set(terms(e.text))}
                         if speaker_terms else None)
        from rag.backends import backend_errors
        from rag.prompting import build_messages

        messages = build_messages(question, evidence)
        started = time.perf_counter()
        buffer, position, kept = "", 0, []
        with backend_errors(self.chat_model):
            for chunk in self.chat_model.stream(messages):
                if "first_token" not in timings:
                    timings["first_token"] = _ms(started)
                buffer += chunk.content if isinstance(chunk.content, str) else ""
                for match in _SENTENCE_DONE.finditer(buffer, position):
                    piece = buffer[position:match.end()]
                    position = match.end()
                    yield from self._keep(piece, evidence, answer, kept, speaker_items)
                if len(kept) >= MAX_ANSWER_SENTENCES:
                    break
        if position < len(buffer) and len(kept) < MAX_ANSWER_SENTENCES:
            yield from self._keep(buffer[position:], evidence, answer, kept, speaker_items)
        return " ".join(kept)

    def _keep(self, piece: str, evidence: list[Evidence], answer: Answer, kept: list[str],
              speaker_items: set[int] | None = None):
        good, dropped = verify_text(piece, evidence)
        answer.dropped.extend(dropped)
        for sentence in good:
            if speaker_items is not None and not speaker_items & set(cited_numbers(sentence)):
                answer.dropped.append({"sentence": sentence, "reason": "cites no source naming the speaker"})
                continue
            if len(kept) < MAX_ANSWER_SENTENCES and sentence not in kept:
                yield AnswerDelta((" " if kept else "") + sentence)
                kept.append(sentence)


def _with_quotes(said: str, quotes: str) -> str:
    """The LLM's verified sentences, then the extractive quotes none of them cites (so nothing is lost).

    >>> _with_quotes("Asif spoke [2].", "He said X. [1] He added Y. [2]")
    'Asif spoke [2].\\n\\nHe said X. [1]'
    """
    if not said:
        return quotes
    cited = set(cited_numbers(said))
    rest = [m.group(0).strip() for m in re.finditer(r".+?\[(\d+)\](?=\s|$)", quotes) if int(m.group(1)) not in cited]
    return f"{said}\n\n{' '.join(rest)}" if rest else said


def _sentence(message: str) -> str:
    message = message.rstrip(". ")
    return message[:1].upper() + message[1:]


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0


__all__ = ["Answerer", "Answer", "AnswerDelta", "Passage", "clean_question"]
