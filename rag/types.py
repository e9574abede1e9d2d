"""What the answering stage hands to the UI, the CLI and the evaluation harness.

``Answer.to_dict()`` is the ``ragchat ask --json`` object of CONTRACTS.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Passage:
    """A retrieved chunk (and the sentences widened around it), located in its document."""

    chunk_id: str
    doc_id: str
    source: str
    title: str
    date: str
    publication: str
    start: int
    end: int
    text: str
    score: float
    page: int | None = None
    #: The near-duplicate group of its document (the canonical copy's id) when the group has other members.
    dup_group: str = ""
    #: The other documents of that group: the same story, retrieved once (``ingest/dedup.py``).
    also_in: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "source": self.source, "start": self.start, "end": self.end,
                "score": round(self.score, 4), **({"also_in": len(self.also_in)} if self.also_in else {})}


@dataclass
class Evidence:
    """A numbered sentence span handed to the LLM as ``[n]``; ``text`` is verbatim document text."""

    n: int
    doc_id: str
    source: str
    title: str
    date: str
    publication: str
    start: int
    end: int
    text: str
    score: float
    page: int | None = None
    also_in: list[str] = field(default_factory=list)  # other documents carrying the same story


@dataclass
class Citation:
    """A verified quote: ``document_text[start:end] == quote``."""

    n: int
    doc_id: str
    source: str
    title: str
    date: str
    quote: str
    start: int
    end: int
    publication: str = ""
    page: int | None = None
    #: Who said it, when the quote is an attributed statement from the attribution index.
    speaker: str = ""
    #: In how many other documents the same story (a near-duplicate) stands, and their ids: the quote is
    #: cited once, from one copy. In JSON only when > 0.
    also_in: int = 0
    also_in_docs: list[str] = field(default_factory=list)

    @classmethod
    def from_evidence(cls, ev: Evidence, n: int | None = None) -> Citation:
        return cls(n if n is not None else ev.n, ev.doc_id, ev.source, ev.title, ev.date, ev.text, ev.start,
                   ev.end, ev.publication, ev.page, also_in=len(ev.also_in), also_in_docs=list(ev.also_in))

    def to_dict(self) -> dict:
        data = asdict(self)
        if self.page is None:
            data.pop("page")
        if not self.speaker:
            data.pop("speaker")
        if not self.also_in:
            data.pop("also_in")
            data.pop("also_in_docs")
        return data


@dataclass
class Answer:
    question: str
    standalone_question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[Passage] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    backend: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    #: Sentences the LLM wrote that verification dropped, with the reason (for evaluators and debugging).
    dropped: list[dict] = field(default_factory=list)
    #: Why the LLM gave no answer (its process died or stalled), when the chain fell back to the evidence.
    model_error: str = ""
    #: The dates and order the answer used (``rag.timeframe.Period.to_dict()``), when any applied.
    period: dict | None = None
    #: The verified short answer in front of the quotes (``rag.short_answer.ShortAnswer.to_dict()``).
    short_answer: dict | None = None

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
            "retrieved": [p.to_dict() for p in self.retrieved],
            "backend": self.backend,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "dropped": self.dropped,
            **({"model_error": self.model_error} if self.model_error else {}),
            **({"period": self.period} if self.period else {}),
            **({"short_answer": self.short_answer} if self.short_answer else {}),
        }


@dataclass
class AnswerDelta:
    """A verified piece of the answer, streamed before the final :class:`Answer`."""

    text: str
