"""Where the paragraphs, quotations and sentences of a document are, as character offsets.

Quotations are found first, per paragraph, so that sentences never split inside one: “It worked. So far,”
he said. is one sentence to the attribution rules. A quotation opened in one paragraph and not closed there
continues when the next paragraph opens with a quote mark (the newspaper convention for a quote running over
several paragraphs): it is one :class:`Quote` with one part per paragraph.

>>> doc = 'He said: "One. Two.\\n\\n"Three."\\n\\nEnd.'
>>> [[doc[s:e] for s, e in q.parts] for q in find_quotes(doc)]
[['One. Two.', 'Three.']]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.chunking import sentence_spans

# Opening mark → the closing marks it accepts. Straight marks open and close themselves; the straight single
# mark (British news: 'We will,' she said) only where it closes in its paragraph, see _straight_close.
_PAIRS = {"“": "”", "„": "“”", "«": "»", '"': '"', "‘": "’"}
_SPACE = " \t\u00a0\u2009\u202f"
# Abbreviations the generic sentence splitter ends sentences at: "at 9:54 a.m. ET", "No. 10".
_ABBREVIATION_END = re.compile(r"(?:\b[ap]\.m\.|\bNo\.|\bNos\.|\bvs\.|\b[A-Z]\.)$")


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int


@dataclass
class Quote:
    """A quotation: ``open`` is the index of its first opening mark, ``close`` the index just after its last
    closing mark (the paragraph end when it runs on); ``parts`` are the quoted words, one per paragraph,
    without the marks or surrounding white space."""

    open: int
    close: int
    parts: list[tuple[int, int]] = field(default_factory=list)
    closed: bool = True

    @property
    def start(self) -> int:
        return self.parts[0][0]

    @property
    def end(self) -> int:
        return self.parts[-1][1]

    def words(self, text: str) -> int:
        return sum(len(text[s:e].split()) for s, e in self.parts)


def paragraphs(text: str) -> list[Paragraph]:
    """Non-empty lines; a line that starts in lower case continues the one before (a hard-wrapped paragraph)."""
    found: list[Paragraph] = []
    for match in re.finditer(r"[^\n]+", text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            continue
        if found and text[start].islower() and not _ends_sentence(text[found[-1].start:found[-1].end]):
            found[-1] = Paragraph(found[-1].start, end)
        else:
            found.append(Paragraph(start, end))
    return found


def _ends_sentence(line: str) -> bool:
    return line.rstrip("\"'”’»)]").endswith((".", "!", "?", ":", "…"))


def _opens(text: str, i: int, start: int, end: int) -> bool:
    """A mark at ``i`` can open a quotation: at the paragraph start or after space/brackets/dashes, and
    followed by a character that is not space."""
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < end else " "
    return (before in _SPACE or before in "([{—–-/:" or before == "\n") and after not in _SPACE


def _closes(text: str, i: int, start: int, end: int) -> bool:
    """A mark at ``i`` can close a quotation: after a character that is not space, or after a thin or
    no-break space that typesetting puts before a closing mark followed by punctuation (“… drummer' ”, he)."""
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < end else " "
    if before in "\u00a0\u2009\u202f" and (after in ",.;:!?" or i + 1 >= end):
        return True
    return before not in _SPACE and not (after.isalnum() and before.isalnum())


def _paragraph_quotes(text: str, para: Paragraph) -> tuple[list[Quote], Quote | None]:
    """Closed quotations of one paragraph, and the quotation left open at its end (if any)."""
    quotes: list[Quote] = []
    i, start, end = para.start, para.start, para.end
    while i < end:
        mark = text[i]
        if mark == "'":  # the straight single mark is also an apostrophe: a quotation only when it closes
            j = _straight_close(text, i, start, end) if _opens(text, i, start, end) else None
            if j is not None:
                quotes.append(Quote(i, j + 1, [_trim(text, i + 1, j)]))
                i = j + 1
                continue
        elif mark in _PAIRS and (mark != "‘" and mark != '"' or _opens(text, i, start, end)):
            closers = _PAIRS[mark]
            j = i + 1
            while j < end and not (text[j] in closers and _closes(text, j, start, end)):
                nested = _nested_straight(text, j, start, end) if mark == '"' else None
                j = nested + 1 if nested is not None else j + 1
            if j < end:
                quotes.append(Quote(i, j + 1, [_trim(text, i + 1, j)]))
                i = j + 1
                continue
            return quotes, Quote(i, end, [_trim(text, i + 1, end)], closed=False)
        i += 1
    return quotes, None


def _nested_straight(text: str, j: int, start: int, end: int) -> int | None:
    """Inside a straight-quoted quotation, a straight mark at ``j`` that opens a quotation of its own ("… The
    "United States" is not …") is nested: where it closes, when another mark closes the outer one after it."""
    if text[j] != '"' or not _opens(text, j, start, end) or _closes(text, j, start, end):
        return None
    marks = [k for k in range(j + 1, end) if text[k] == '"']
    inner = next((k for k in marks if _closes(text, k, start, end)), None)
    if inner is None or not any(k > inner and _closes(text, k, start, end) and not _opens(text, k, start, end)
                                for k in marks):
        return None
    return inner


def _straight_close(text: str, i: int, start: int, end: int) -> int | None:
    """Where a straight single quotation mark opened at ``i`` closes in its paragraph ('We will,' she said), or
    ``None``: the mark is then an apostrophe ('90s, rock 'n' roll) and opens nothing. Apostrophes inside
    words (don't) never close; a plural possessive (the students' union) does not close when the next mark
    closes without opening a quotation of its own."""
    marks = [j for j in range(i + 1, end) if text[j] == "'"]
    for n, j in enumerate(marks):
        if not _closes(text, j, start, end):
            continue
        possessive = text[j - 1] == "s" and re.match(r" [a-z]", text[j + 1:j + 3])
        later = marks[n + 1] if n + 1 < len(marks) else None
        if possessive and later is not None and _closes(text, later, start, end) \
                and not _opens(text, later, start, end):
            continue
        return j
    return None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in "\u200b\u200e\u200f"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "\u200b\u200e\u200f"):
        end -= 1
    return start, end


def find_quotes(text: str, paras: list[Paragraph] | None = None) -> list[Quote]:
    """Every quotation in ``text``, in order. One left open at the end of its paragraph runs on when the next
    paragraph opens with a quote mark, and ends at its paragraph's end otherwise (a missing closing mark)."""
    paras = paragraphs(text) if paras is None else paras
    found: list[Quote] = []
    running: Quote | None = None
    for para in paras:
        closed, left_open = _paragraph_quotes(text, para)
        first = (closed or [left_open])[0] if (closed or left_open) else None
        if running is not None:
            if first is not None and first.open == para.start:
                running.parts.extend(first.parts)
                running.close = first.close
                if first is left_open:
                    continue
                closed = closed[1:]
                running.closed = True
            found.append(running)
            running = None
        found.extend(closed)
        running = left_open
    if running is not None:
        found.append(running)
    return [q for q in found if all(s < e for s, e in q.parts)]


def sentences(text: str, para: Paragraph, quotes: list[Quote]) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph; a boundary inside a quotation is not a boundary."""
    spans = sentence_spans(text, para.start, para.end)
    inside = [(q.open, q.close) for q in quotes if q.open < para.end and q.close > para.start]
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and (any(o < merged[-1][1] < c - 1 for o, c in inside)
                       or _ABBREVIATION_END.search(text, merged[-1][0], merged[-1][1])):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
