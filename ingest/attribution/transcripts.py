"""Transcript lines ("Name: words") and signatures ("― Name" under a text) (a part of :class:`~.reader.Reader`)."""

from __future__ import annotations

import re

from ingest.attribution.layout import Paragraph
from ingest.attribution.phrases import name_runs
from ingest.attribution.state import ReaderState

_LABELS_NOT_SPEAKERS = {"image", "images", "photo", "picture", "source", "sources", "credit", "caption", "note",
                        "update", "updated", "video", "audio", "map", "file", "date", "published", "by", "tags",
                        "category", "contact", "email", "e-mail", "tel", "phone", "website", "url", "see also",
                        "related", "warning", "editor's note", "correction", "q", "question", "interviewer",
                        "references", "links", "external links", "time", "location", "where", "when", "venue",
                        "price", "score", "result", "results", "total", "first", "second"}
# An interviewer's line: "((Publication)) …" or "Q: …". Questions put by an interviewer are not statements.
INTERVIEWER = re.compile(r"\(\([^()\n]{1,40}\)\)|(?:Q|Question|Interviewer)\s*:", re.I)
_SIGNATURE = re.compile(r"[―—–]|-{1,2}(?=\s*[A-Z])")


class TranscriptLines(ReaderState):
    """Reader methods for transcript lines and signed texts."""

    def _transcript_line(self, para: Paragraph) -> bool:
        """``Name: words`` (or, in an interview, a speaker's name or initials before the answer): the
        words are a direct statement by that speaker."""
        a = self._index(para.start)
        runs = name_runs(self.tokens, a, min(a + 6, len(self.tokens) - 1))
        if not runs or runs[0][0] != a:
            return False
        i, j = runs[0]
        label = self.text[self.tokens[i].start:self.tokens[j].end]
        if label.lower() in _LABELS_NOT_SPEAKERS or j + 1 >= len(self.tokens):
            return False
        colon = self.tokens[j + 1].text == ":"
        known = label in self.cast.speakers or any(label == "".join(w[0] for w in s.split()) for s in
                                                   self.cast.speakers)
        if not colon and not (self.interview and known and self.tokens[j + 1].capitalised):
            return False
        start = self.tokens[j + 2].start if colon else self.tokens[j + 1].start
        if start >= para.end or len(self.text[start:para.end].split()) < 3:
            return False
        speaker = self.cast.resolve(i, j)
        if speaker is None:
            return False
        cue = self._tokens_span(j + 1, j + 1) if colon else None
        self._add("direct", [self._span(start, para.end)], cue, self._tokens_span(i, j), speaker)
        for quote in self.quotes:
            if para.start <= quote.open < para.end:
                self.used.add(id(quote))
        return True

    def _signature_name(self, n: int) -> tuple[int, int] | None:
        """The name (token range) of a signature line "― Name" or "— Name, Title" at paragraph ``n``."""
        para = self.paras[n]
        line = self.text[para.start:para.end]
        mark = _SIGNATURE.match(line)
        if not mark or len(line.split()) > 8:
            return None
        a, b = self._index(para.start + mark.end()), self._index(para.end) - 1
        runs = name_runs(self.tokens, a, b)
        return (a, b) if runs and runs[0][0] == a else None

    def _signed(self, n: int, signature: int) -> None:
        """Paragraph ``n`` is signed by the line under it: the signed words are a direct statement (the quoted
        words, when the paragraph is one quotation), the dash its cue, the name its source."""
        para, line = self.paras[n], self.paras[signature]
        a, b = self._signature_name(signature)
        speaker = self.cast.resolve(a, b)
        if speaker is None:
            return
        inside = [q for q in self.quotes if para.start <= q.open < para.end]
        if len(inside) == 1 and not re.search(r"\w", self._outside(inside, para.start, para.end)):
            content = [self._span(s, e) for s, e in inside[0].parts]
            self.used.add(id(inside[0]))
        else:
            content = [self._span(para.start, para.end)]
            self.used.update(id(q) for q in inside)
        mark = _SIGNATURE.match(self.text, line.start)
        self._add("direct", content, self._span(line.start, mark.end()), self._tokens_span(a, b), speaker)
