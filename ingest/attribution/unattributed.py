"""Quotations without a reporting verb of their own, attributed by their context (a part of :class:`~.reader.Reader`).

Following the labelling rules (``eval/attribution/README.md``): a whole-sentence quotation, or a long one,
is by the speaker of the sentence it stands in ("she looked at the role as a “…”"), else by the last speaker,
when there is one in this paragraph or the one before; a quotation after a colon that ends its sentence is by
the subject of the clause before the colon ("Trump took a parting shot on Twitter: “…”"); short quoted phrases
with no cue are scare quotes, and title-case ones are titles of works, not statements.
"""

from __future__ import annotations

import bisect
import re

from ingest.attribution.layout import Paragraph, Quote, sentences
from ingest.attribution.lexicon import PRONOUNS
from ingest.attribution.phrases import is_name_word
from ingest.attribution.sources import subject_of
from ingest.attribution.state import ReaderState

_MIN_FREE_QUOTE_WORDS = 5


class UnattributedQuotes(ReaderState):
    """Reader methods for quotations that no reporting clause claimed."""


    def _free_quotes(self, n: int, para: Paragraph) -> None:
        """The quotations of paragraph ``n`` that no clause claimed, as statements by their context's speaker."""
        for quote in self.quotes:
            if not para.start <= quote.open < para.end or id(quote) in self.used:
                continue
            if self._colon_quote(quote, para):
                continue
            whole = self._whole_sentence(quote, para)
            if not whole and quote.words(self.text) < _MIN_FREE_QUOTE_WORDS or self._title(quote):
                continue
            previous = max((st for st in self.statements if st.start < quote.open), key=lambda st: st.start,
                           default=None)  # the nearest before it (statements are added clause by clause)
            if previous is None or self._paragraph_of(previous.start) < n - 1:
                continue
            self.used.add(id(quote))
            parts = [self._span(s, e) for s, e in quote.parts]
            same_paragraph = self._paragraph_of(previous.start) == n
            if whole and same_paragraph and previous.kind == "direct":
                previous.content.extend(parts)
                continue
            source = None if whole else self._sentence_subject(quote, para)
            speaker = self.cast.resolve(*source) if source else None
            if speaker is None:
                source, speaker = None, self.cast.recent(quote.open, introduced=True) or \
                    self.speakers[self.statements.index(previous)]
            self._add("direct", parts, None, self._tokens_span(*source) if source else None, speaker)

    def _sentence_subject(self, quote: Quote, para: Paragraph) -> tuple[int, int] | None:
        """The subject of the sentence a quotation stands in, when it is a pronoun or a name before the quotation
        ("she looked at the role as a “chance to face my demons”")."""
        start = next((a for a, b in sentences(self.text, para, self.quotes) if a <= quote.open < b), None)
        if start is None:
            return None
        subject = subject_of(self.tokens, self._index(start), self._index(quote.open))
        if subject is None or self.quoted[subject[0]]:
            return None
        words, last = self.tokens[subject[0]:subject[1] + 1], self.tokens[subject[1]]
        if len(words) == 1 and last.lower in PRONOUNS:
            return subject
        return subject if is_name_word(last) and not last.lower.endswith("ing") else None

    def _colon_quote(self, quote: Quote, para: Paragraph) -> bool:
        """A quotation that ends its sentence after a colon, with no reporting verb ("Trump took a parting shot on
        Twitter: “…”"), is a direct statement by the subject of the clause before the colon."""
        for start, end in sentences(self.text, para, self.quotes):
            if not start <= quote.open < end:
                continue
            lead, rest = self.text[start:quote.open].rstrip(), self.text[quote.close:end]
            if not lead.endswith(":") or re.search(r"\w", rest) or quote.words(self.text) < 3:
                return False
            same = [(st, sp) for st, sp in zip(self.statements, self.speakers) if start <= st.start < quote.open]
            if same:  # "X told Discover Magazine the pattern suggested …: “…”": X's again
                self.used.add(id(quote))
                self._add("direct", [self._span(ps, pe) for ps, pe in quote.parts], None, None, same[-1][1])
                return True
            s, colon = self._index(start), self._index(start + len(lead) - 1)
            subject = subject_of(self.tokens, s, colon)
            if subject is None or self.quoted[subject[0]] or not any(
                    t.capitalised or t.lower in PRONOUNS for t in self.tokens[subject[0]:subject[1] + 1]):
                return False
            speaker = self.cast.resolve(*subject)
            self.used.add(id(quote))
            if speaker is None:
                return True  # "The study itself outlined …: “…”": a document's words, not a statement
            self._add("direct", [self._span(ps, pe) for ps, pe in quote.parts], None, self._tokens_span(*subject),
                      speaker)
            return True
        return False

    def _title(self, quote: Quote) -> bool:
        """Every word capitalised and no sentence punctuation: the title of a work or a document ("Hurricane
        Humberto Intermediate Advisory Number 25A"), not speech."""
        words = re.findall(r"[^\W\d_][\w'’-]*", " ".join(self.text[s:e] for s, e in quote.parts))
        return all(w[0].isupper() for w in words if len(w) > 3) and not re.search(r"[.!?,;:]", self.text[
            quote.start:quote.end])

    def _whole_sentence(self, quote: Quote, para: Paragraph) -> bool:
        for start, end in sentences(self.text, para, self.quotes):
            if start <= quote.open < end:
                rest = self.text[start:quote.open] + self.text[quote.close:end]
                return not re.search(r"\w", rest)
        return False

    def _paragraph_of(self, offset: int) -> int:
        return bisect.bisect_right([p.start for p in self.paras], offset) - 1
