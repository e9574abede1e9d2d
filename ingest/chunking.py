"""Structure-aware chunking with exact character offsets.

A document is cut into paragraphs (blank lines), paragraphs into sentences, and sentences are packed into
chunks of at most ``max_tokens`` word pieces of the embedding model's tokenizer (all-MiniLM-L6-v2 truncates
at 256 including its two special tokens). A chunk that ends inside a paragraph hands its last sentence on
to the next chunk as overlap. Every span is an index into the document text, so
``text[chunk.start:chunk.end] == chunk.text`` always holds.

>>> counter = WhitespaceTokens()
>>> [c.text for c in chunk_text("One two. Three four.\\n\\nFive.", counter, target_tokens=3, max_tokens=4)]
['One two.', 'Three four.', 'Five.']
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

#: all-MiniLM-L6-v2 keeps 256 word pieces, two of which are [CLS] and [SEP].
MODEL_MAX_TOKENS = 254


class TokenCounter(Protocol):
    """Counts word pieces: ``token_ends(text)`` gives the end offset of each token, ascending."""

    def token_ends(self, text: str) -> list[int]: ...


class WhitespaceTokens:
    """A stand-in counter for tests and doctests: every run of non-space characters is one token."""

    def token_ends(self, text: str) -> list[int]:
        return [m.end() for m in re.finditer(r"\S+", text)]


class TokenizerCounter:
    """Counts with a Hugging Face ``tokenizers.Tokenizer`` (the embedding model's own)."""

    def __init__(self, tokenizer):  # tokenizers.Tokenizer, with padding and truncation off
        self._tokenizer = tokenizer

    def token_ends(self, text: str) -> list[int]:
        return [end for _, end in self._tokenizer.encode(text, add_special_tokens=False).offsets]


@dataclass(frozen=True)
class Chunk:
    index: int
    start: int
    end: int
    text: str
    tokens: int


# --- sentences --------------------------------------------------------------------------------------

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "u.s", "u.k",
    "gen", "col", "lt", "sgt", "capt", "rep", "sen", "gov", "inc", "ltd", "co", "corp", "mt", "fig",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "ca",
}
# A sentence ends at . ! ? or … (plus closing quotes/brackets) followed by white space, or at a newline.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the sentences in ``text[start:end]``, trimmed of surrounding white space.

    >>> t = "Dr. Smith met Mr. Khan. He said “no.” Then left."
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['Dr. Smith met Mr. Khan.', 'He said “no.”', 'Then left.']
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _BOUNDARY.finditer(text, start, end):
        cut = match.end()
        if match.group() == "." and _is_abbreviation(text, begin, match.start()):
            continue
        following = text[cut:end].lstrip()
        if match.group() != "\n" and following[:1].islower():
            continue  # "e.g. this" or an ellipsis inside a sentence
        spans.append((begin, cut))
        begin = cut
    spans.append((begin, end))
    return [trimmed for s, e in spans if (trimmed := _trim(text, s, e))]


def _is_abbreviation(text: str, begin: int, dot: int) -> bool:
    word = re.search(r"[\w.]+$", text[begin:dot])
    if not word:
        return False
    token = word.group().lower()
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the blank-line separated paragraphs of ``text``, trimmed."""
    spans, begin = [], 0
    for match in re.finditer(r"\n[ \t\r\f\v]*\n\s*", text):
        spans.append((begin, match.start()))
        begin = match.end()
    spans.append((begin, len(text)))
    return [trimmed for s, e in spans if (trimmed := _trim(text, s, e))]


# --- packing ----------------------------------------------------------------------------------------


@dataclass
class _Unit:
    start: int
    end: int
    tokens: int
    opens_paragraph: bool


def _units(text: str, counter: TokenCounter, max_tokens: int) -> Iterator[_Unit]:
    """Sentences with their token counts; a sentence longer than ``max_tokens`` is cut between words."""
    for p_start, p_end in paragraph_spans(text):
        ends = [p_start + e for e in counter.token_ends(text[p_start:p_end])]
        first = True
        for s_start, s_end in sentence_spans(text, p_start, p_end):
            lo, hi = bisect.bisect_right(ends, s_start), bisect.bisect_right(ends, s_end)
            if hi - lo <= max_tokens:
                yield _Unit(s_start, s_end, hi - lo, first)
                first = False
                continue
            for w_start, w_end, n in _word_windows(text, s_start, s_end, ends, max_tokens):
                yield _Unit(w_start, w_end, n, first)
                first = False


def _word_windows(text: str, start: int, end: int, ends: list[int], max_tokens: int):
    """Cut ``text[start:end]`` at white space into pieces of at most ``max_tokens`` tokens."""
    words = [(start + m.start(), start + m.end()) for m in re.finditer(r"\S+", text[start:end])]
    piece_start, piece_end, count = None, None, 0
    for w_start, w_end in words:
        n = bisect.bisect_right(ends, w_end) - bisect.bisect_right(ends, w_start)
        if piece_start is not None and count + n > max_tokens:
            yield piece_start, piece_end, count
            piece_start, count = None, 0
        while n > max_tokens:  # one "word" longer than a chunk (a URL, base64): cut by characters
            cut = ends[bisect.bisect_right(ends, w_start) + max_tokens - 1]
            yield w_start, cut, max_tokens
            w_start = cut
            n = bisect.bisect_right(ends, w_end) - bisect.bisect_right(ends, w_start)
        if piece_start is None:
            piece_start = w_start
        piece_end, count = w_end, count + n
    if piece_start is not None:
        yield piece_start, piece_end, count


def chunk_text(
    text: str,
    counter: TokenCounter,
    target_tokens: int = 128,
    max_tokens: int = MODEL_MAX_TOKENS,
    overlap: bool = True,
) -> list[Chunk]:
    """Pack sentences into chunks of about ``target_tokens`` (never more than ``max_tokens``).

    A new paragraph starts a new chunk once the current one is half full; a chunk cut inside a
    paragraph gives its last sentence to the next one as overlap (when that sentence is short enough).
    """
    target_tokens = min(target_tokens, max_tokens)
    chunks: list[Chunk] = []
    current: list[_Unit] = []

    def flush() -> None:
        start, end = current[0].start, current[-1].end
        chunks.append(Chunk(len(chunks), start, end, text[start:end], sum(u.tokens for u in current)))

    for unit in _units(text, counter, target_tokens):
        size = sum(u.tokens for u in current)
        paragraph_break = unit.opens_paragraph and size >= target_tokens // 2
        if current and (size + unit.tokens > target_tokens or paragraph_break):
            flush()
            carry = current[-1]
            keep = overlap and not unit.opens_paragraph and carry.tokens + unit.tokens <= target_tokens
            current = [carry] if keep and len(current) > 1 else []
        current.append(unit)
    if current:
        flush()
    return chunks
