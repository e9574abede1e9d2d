"""The short direct answer: a phrase the LLM picks from the evidence, kept only if it stands there verbatim.

The LLM adds and cannot subtract (issue 13). The answer a reader gets is the extractive one — the best
evidence, verbatim and cited — with, in front of it, a short answer to the question ("fifteen", "Joachim
Brudziński", "in 2017"). The LLM's only job is to find that phrase. It is accepted when

- it is a contiguous stretch of one evidence item (case, quotes and white space folded), preferably the one
  it cites: then it is located in its document like every quote;
- it comes from the best-ranked source, or from one that shares at least half of the question's content
  words: a number or a name from a source about something else is another fact, not the answer;
- it says something the question does not: an echo of the question's words ("a border between the two
  countries") or a phrase with no content word is not an answer;
- it is short (at most :data:`MAX_WORDS` words): a whole sentence is what the quotes already show.

Anything else is dropped with its reason and the reader gets the extractive answer alone, so a model that
fails costs nothing but its time.

>>> from rag.types import Evidence
>>> ev = [Evidence(1, "d", "d.txt", "", "", "", 100, 140, "The fire killed five girls, all aged 15.", 1.0)]
>>> found, why = verify_short("all aged 15 [1]", ev, "How old were the girls?")
>>> (found.text, found.n, found.start, found.end)
('all aged 15', 1, 128, 139)
>>> verify_short("sixteen [1]", ev, "How old were the girls?")[1]
"'sixteen' is not in the sources"
>>> verify_short("the girls [1]", ev, "How old were the girls?")[1]
"'the girls' only repeats the question"
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from rag.evidence import terms
from rag.prompting import SHORT_PROMPT, format_request
from rag.types import Evidence

MAX_WORDS = 16
#: A phrase from a source other than the best-ranked one must stand in a source holding this share of the
#: question's content words. Chosen on the dev half of eval/verifier/labels.jsonl, where a verbatim phrase
#: from a lower-ranked source was often another number or person: accepted short answers went from
#: precision 0.57 to 0.72 (recall 0.59 -> 0.53). Test half: 0.51 -> 0.76 (recall 0.72 -> 0.64).
MIN_QUESTION_SHARE = 0.5
MAX_CHARS = 160  # reading stops here: a model that runs on has not given a short answer

#: Stop strings for the short answer: its line ends it; a model continuing into source markup is cut.
STOP = ["\n", "</source>", "Question:"]

_MARKER = re.compile(r"\[\s*(\d+)\s*\]")
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})
_EDGE = " \t\"'“”‘’.,;:!?()[]"
_NONE = re.compile(r"^(?:none|n/?a|no answer|not (?:stated|given|mentioned|in the sources)|unknown)\W*$", re.I)


@dataclass
class ShortAnswer:
    """A verified short answer: ``document_text[start:end] == text``; ``n`` is its evidence item."""

    text: str
    n: int
    start: int
    end: int

    def to_dict(self) -> dict:
        return asdict(self)


def build_short_messages(question: str, evidence: Sequence[Evidence]) -> list[BaseMessage]:
    """The messages asking for a short answer: the same numbered, neutralised sources as any answer."""
    return [SystemMessage(SHORT_PROMPT), HumanMessage(format_request(question, evidence))]


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` lower-cased with quotes and white space runs folded, and where each folded character came
    from (so a match in the folded text maps back to exact offsets)."""
    out: list[str] = []
    where: list[int] = []
    previous_space = True
    for i, ch in enumerate(text.translate(_FOLD)):
        if ch.isspace():
            if previous_space:
                continue
            ch, previous_space = " ", True
        else:
            previous_space = False
        out.append(ch.lower())
        where.append(i)
    while out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def _locate(phrase: str, ev: Evidence) -> tuple[int, int] | None:
    """Offsets of ``phrase`` in ``ev.text`` at word boundaries, folded; ``None`` if it isn't there."""
    needle, _ = _folded(phrase)
    hay, where = _folded(ev.text)
    if not needle:
        return None
    for match in re.finditer(re.escape(needle), hay):
        a, b = match.start(), match.end()
        if (a == 0 or not hay[a - 1].isalnum()) and (b == len(hay) or not hay[b].isalnum()):
            return where[a], where[b - 1] + 1
    return None


def clean_phrase(raw: str) -> tuple[str, list[int]]:
    """The model's line without its ``[n]`` markers and edge punctuation, and the numbers it cited."""
    cited = [int(n) for n in _MARKER.findall(raw)]
    text = _MARKER.sub(" ", raw.split("\n", 1)[0])
    text = re.sub(r"<[^<>]{0,20}>?", " ", text)  # a started "</source" tag
    text = re.sub(r"^\s*(?:short answer|answer)\s*:\s*", "", text, flags=re.I)
    return " ".join(text.split()).strip(_EDGE), cited


def verify_short(raw: str, evidence: Sequence[Evidence], question: str) -> tuple[ShortAnswer | None, str]:
    """The model's short answer, verified against the evidence, or ``None`` and the reason it was dropped."""
    if len(raw) > MAX_CHARS:
        return None, f"{len(raw)} characters is not a short answer"
    phrase, cited = clean_phrase(raw)
    if not phrase or _NONE.match(phrase):
        return None, "the model gave no short answer"
    if len(phrase.split()) > MAX_WORDS:
        return None, f"{len(phrase.split())} words is not a short answer"
    content = set(terms(phrase))
    if not content and not re.search(r"\d", phrase):
        return None, f"{phrase!r} has no content word"
    if content and content <= set(terms(question)):
        return None, f"{phrase!r} only repeats the question"
    ordered = sorted(evidence, key=lambda e: (e.n not in cited, e.n))  # the cited source first
    found_in = []
    for ev in ordered:
        span = _locate(phrase, ev)
        if span is None:
            continue
        found_in.append(ev.n)
        if ev is evidence[0] or _shares_question(ev.text, phrase, question):
            start, end = span
            return ShortAnswer(ev.text[start:end], ev.n, ev.start + start, ev.start + end), ""
    if found_in:
        return None, (f"{phrase!r} is in {', '.join(f'[{n}]' for n in found_in)}, which shares too few of the "
                      "question's words to be its answer")
    return None, f"{phrase!r} is not in the sources"


def _shares_question(source: str, phrase: str, question: str) -> bool:
    """Does the source around the phrase say what the question asks about? At least
    :data:`MIN_QUESTION_SHARE` of the question's content words, the phrase's own words not counted."""
    asked = set(terms(question)) - set(terms(phrase))
    return not asked or len(asked & set(terms(source))) / len(asked) >= MIN_QUESTION_SHARE


def compose(short: ShortAnswer | None, quotes: str) -> str:
    """The reader's answer: the short answer first, cited, then the verbatim quotes the extractive answer
    gives. A short answer the quotes already start with adds nothing and is left out."""
    if short is None:
        return quotes
    if quotes.lower().startswith(short.text.lower()):
        return quotes
    return f"{short.text} [{short.n}].\n\n{quotes}" if quotes else f"{short.text} [{short.n}]."
