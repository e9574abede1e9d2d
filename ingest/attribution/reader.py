"""Reading one document into statements: quotations, reporting clauses, transcripts and signatures.

The reader walks the paragraphs in order, so that a pronoun or a quotation without its own attribution is
read against what came before it. Reporting clauses are found by rules (:mod:`.clauses`); an optional parser
supplies a subject where the rules find none (:mod:`.parsed`). Everything else is shared.

Decisions, following the labelling rules (``eval/attribution/README.md``):

* A clause whose content is only a quotation ("Biden wrote that “…”") is a direct statement of the quoted
  words; one that also has words of its own ("He said Pakistan had “no good hope from them”") is reported,
  quoted fragments included.
* “A,” she said, “B.” and a quotation that follows its attribution in the same paragraph are one
  statement with one span per part; a quotation running over paragraphs has one span per paragraph.
* A quotation with no attribution of its own is read by its context (:mod:`.unattributed`); transcript lines
  and signatures by :mod:`.transcripts`.
* A statement relayed by another source ("as reported by X", "X, citing Y, reported") is labelled for both.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from ingest.attribution.clauses import Cue, SubjectOf, find_cues
from ingest.attribution.layout import Paragraph, Quote, find_quotes, paragraphs, sentences
from ingest.attribution.lexicon import NOT_NAMES, NOUN_OBJECT_VERBS, PRONOUNS
from ingest.attribution.phrases import Token, tokenize
from ingest.attribution.sources import subject_of
from ingest.attribution.speakers import Cast, Speaker
from ingest.attribution.transcripts import INTERVIEWER, TranscriptLines
from ingest.attribution.types import Span, Statement
from ingest.attribution.unattributed import UnattributedQuotes

#: Builds, for one document and its tokens, a :data:`SubjectOf` from a parse (see :mod:`.parsed`).
SubjectParser = Callable[[str, list[Token]], SubjectOf]

_INTRODUCING = {"in", "on", "at", "via", "during", "after", "of", "about", "with", "through", "following",
                "regarding", "before", "when", "from"}
_FINITE = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "did", "does"}


class Reader(UnattributedQuotes, TranscriptLines):
    """Statements of one document, in order."""

    def __init__(self, text: str, parse_subjects: SubjectParser | None = None):
        self.text = text
        self.paras = paragraphs(text)
        self.quotes = find_quotes(text, self.paras)
        self.tokens = tokenize(text)
        self.starts = [t.start for t in self.tokens]
        self.quoted = [False] * len(self.tokens)
        for quote in self.quotes:
            for start, end in quote.parts:
                for k in range(self._index(start), self._index(end)):
                    self.quoted[k] = True
        self.parsed_subject = parse_subjects(text, self.tokens) if parse_subjects is not None else None
        self.cast = Cast(text, self.tokens, self.quoted)
        self.statements: list[Statement] = []
        self.speakers: list[Speaker] = []
        self.used: set[int] = set()  # ids of quotations already part of a statement
        self.interview = bool(INTERVIEWER.search(text))

    def _index(self, offset: int) -> int:
        """The index of the first token that starts at or after ``offset``."""
        return bisect.bisect_left(self.starts, offset)

    def read(self) -> list[Statement]:
        signatures = {n for n in range(1, len(self.paras)) if self._signature_name(n) is not None}
        for n, para in enumerate(self.paras):
            heading = _is_heading(self.text[para.start:para.end])  # "Brexit: what happens next" is a title
            if n in signatures or INTERVIEWER.match(self.text, para.start) or not heading and \
                    self._transcript_line(para):
                continue
            if n + 1 in signatures and self._signable(para):
                self._signed(n, n + 1)
                continue
            if heading:
                continue
            for start, end in sentences(self.text, para, self.quotes):
                s, e = self._index(start), self._index(end)
                for cue in find_cues(self.tokens, s, e, self.quoted, self.parsed_subject):
                    added = len(self.statements)
                    self._add_clause(cue, s, e)
                    if cue.relay is not None and len(self.statements) > added:
                        self._add_relay(cue.relay, self.statements[-1])
            self._free_quotes(n, para)
        for statement, speaker in zip(self.statements, self.speakers):
            statement.aliases = list(speaker.aliases)
            statement.speaker_type = speaker.kind  # as finally known ("Apple said …. It added …": an organisation)
        return sorted(self.statements, key=lambda st: st.start)

    def _signable(self, para: Paragraph) -> bool:
        """A dash line signs the paragraph above it when that is someone's own text: one quotation, or words in the
        first or second person ("I think …", "our village"), and no clause reporting someone else ("According to
        X, …"). Under narration, a dash line is the caption of a pull quote or an embedded post that the text lost
        ("—Troy Roberts", "—Mike DeWine, Twitter")."""
        inside = [q for q in self.quotes if para.start <= q.open < para.end]
        if len(inside) == 1 and not re.search(r"\w", self._outside(inside, para.start, para.end)):
            return True
        outside = self._outside(inside, para.start, para.end).lower()
        return bool(_OWN_WORDS.search(outside)) and not self._reports(para)

    def _reports(self, para: Paragraph) -> bool:
        """The paragraph reports what someone said in a clause of its own ("According to X, …", "Y stated …")."""
        return any(cue.source is not None for start, end in sentences(self.text, para, self.quotes)
                   for cue in find_cues(self.tokens, self._index(start), self._index(end), self.quoted,
                                        self.parsed_subject))

    # --- statements -------------------------------------------------------------------------------------

    def _span(self, start: int, end: int) -> Span:
        return Span.of(self.text, start, end)

    def _tokens_span(self, a: int, b: int) -> Span:
        return self._span(self.tokens[a].start, self.tokens[b].end)

    def _add(self, kind: str, content: list[Span], cue: Span | None, source: Span | None,
             speaker: Speaker) -> Statement:
        for earlier, by in zip(self.statements, self.speakers):
            if by is speaker and earlier.content == content:  # "Speaking to X, he said, “…”": one statement
                if cue is not None and (earlier.cue is None or earlier.cue.text.endswith("ing")):
                    earlier.cue = cue  # the finite verb rather than the participle
                return earlier
        statement = Statement(kind, content, cue, source, speaker.name, speaker.kind, speaker.named)
        self.statements.append(statement)
        self.speakers.append(speaker)
        self.cast.note_statement(speaker, content[0].start, content[-1].end)
        return statement

    def _add_clause(self, cue: Cue, s: int, e: int) -> None:
        if cue.content_start >= cue.content_end and not cue.passive:
            return  # nothing was said: "shouted at Lam"
        a, b = cue.source
        speaker = self._content_subject(cue) or self.cast.resolve(a, b)
        if speaker is None:
            return
        start, end = self.tokens[cue.content_start].start, self.tokens[cue.content_end - 1].end
        quoted = self._quotes_within(start, end)
        cue_span, source_span = self._tokens_span(cue.first, cue.last), self._tokens_span(a, b)
        if cue.passive:  # "His death was announced by his son": the subject (and an "as …") is the content
            extra = [self._reported_span(self.tokens[cue.extra[0]].start, self.tokens[cue.extra[1] - 1].end)] \
                if cue.extra else []
            self.used.update(id(q) for q in self._quotes_within(start, extra[-1].end if extra else end))
            self._add("reported", [self._reported_span(start, end), *extra], cue_span, source_span, speaker)
            return
        if quoted and not re.search(r"\w", re.sub(r"\b(?:that|and)\b", "", self._outside(quoted, start, end))):
            self._add_direct(quoted, cue, e, cue_span, source_span, speaker)
            return
        for n, quote in enumerate(quoted):
            lead = self.text[start:quote.open].rstrip()
            if not lead.endswith((",", ":")):
                continue
            rest_quoted = not re.search(r"\w", self._outside(quoted[n:], quote.open, end))
            if rest_quoted and self._introduces(lead, cue, trailing_quote=cue.trailing and n == len(quoted) - 1):
                self._add_direct(quoted[n:], cue, e, cue_span, source_span, speaker)  # "said of Chirac, “…”"
                return
            if lead.endswith(":"):
                end, quoted = start + len(lead), quoted[:n]  # "tweeted he was unaware: “Wow!”" is two statements
                break
        if cue.trailing and quoted and quoted[-1].close >= end - 1 and len(re.findall(
                r"\w+", self.text[start:quoted[-1].open])) <= 3:
            self._add_direct(quoted[-1:], cue, e, cue_span, source_span, speaker)  # 'With “Abe, I …,” she said'
            return
        self.used.update(id(q) for q in quoted)
        content = [self._reported_span(start, end)]
        if cue.trailing and cue.extra:  # "The plan, she said, was a failure": the clause goes on after the cue
            rest = self._reported_span(self.tokens[cue.extra[0]].start, self.tokens[cue.extra[1] - 1].end)
            self.used.update(id(q) for q in self._quotes_within(rest.start, rest.end))
            content.append(rest)
        self._add("reported", content, cue_span, source_span, speaker)

    def _content_subject(self, cue: Cue) -> Speaker | None:
        """"The firm will cut 300 jobs, it said": "it" (or "they" after a plural) at a trailing cue is the subject
        of the words it reports, when that subject is a noun phrase of the same number."""
        a, b = cue.source
        pronoun = self.tokens[a].lower
        if not cue.trailing or a != b or pronoun not in ("it", "they") or cue.content_start >= cue.content_end:
            return None
        found = subject_of(self.tokens, cue.content_start, cue.content_end)
        if found is None or self.quoted[found[0]]:
            return None
        head = self.tokens[found[1]]
        if not head.is_word or head.lower in PRONOUNS or head.lower in NOT_NAMES and not head.text.isupper():
            return None
        plural = head.lower.endswith("s") and not head.lower.endswith("ss") or head.lower in ("police", "people")
        described = self.tokens[found[0]].lower in ("the", "a", "an", "its", "their") or head.capitalised
        if plural != (pronoun == "they") or not described:  # "Sales rose 5%, it said": no one
            return None
        return self.cast.resolve(*found)

    def _add_relay(self, relay: tuple[int, tuple[int, int]], statement: Statement) -> None:
        """The same statement as reported by the relaying source ("as reported by Hurriyet Daily News")."""
        verb, (a, b) = relay
        speaker = self.cast.resolve(a, b)
        if speaker is not None:
            self._add(statement.kind, list(statement.content), self._tokens_span(verb, verb), self._tokens_span(a, b),
                      speaker)

    def _introduces(self, lead: str, cue: Cue, trailing_quote: bool) -> bool:
        """The words before a quotation only introduce it: a place or time ("in a statement,", "of Chirac,"),
        or the object of a verb that takes a thing ("praised Mendez on Twitter:")."""
        words = re.findall(r"[\w'’-]+", lead)
        if len(words) < 3 or cue.lemma in NOUN_OBJECT_VERBS or trailing_quote:
            return True
        return words[0].lower() in _INTRODUCING and not any(w.lower() in _FINITE for w in words)

    def _add_direct(self, quoted: list[Quote], cue: Cue, e: int, cue_span: Span, source_span: Span,
                    speaker: Speaker) -> None:
        if cue.trailing:
            quoted = quoted + self._split_quote_tail(quoted[-1], cue, e)
        self.used.update(id(q) for q in quoted)
        content = [self._span(ps, pe) for q in quoted for ps, pe in q.parts]
        self._add("direct", content, cue_span, source_span, speaker)

    def _quotes_within(self, start: int, end: int) -> list[Quote]:
        return [q for q in self.quotes if q.open >= start - 1 and q.open < end and q.start < end]

    def _outside(self, quotes: list[Quote], start: int, end: int) -> str:
        """The text of ``[start, end)`` with the quotations taken out."""
        pieces, cursor = [], start
        for quote in quotes:
            pieces.append(self.text[cursor:max(cursor, quote.open)])
            cursor = max(cursor, quote.close)
        pieces.append(self.text[cursor:end])
        return "".join(pieces)

    def _split_quote_tail(self, last: Quote, cue: Cue, e: int) -> list[Quote]:
        """The second half of “A,” she said, “B.”: a quotation after the attribution, in the same sentence,
        with nothing but the source, a listener or a place between ("he told Scientific American, “…”")."""
        edge = self.tokens[max(cue.last, cue.source[1])].end
        sentence_end = self.tokens[e - 1].end if e > 0 else len(self.text)
        tail = []
        for quote in self.quotes:
            if edge < quote.open < sentence_end and id(quote) not in self.used:
                between = self.text[edge:quote.open].strip()
                if tail and between or not tail and between and (not between.endswith((",", ":"))
                                                                  or len(between.split()) > 8):
                    break
                tail.append(quote)
                edge = quote.close
        return tail

    def _reported_span(self, start: int, end: int) -> Span:
        """Reported content ends before the sentence's full stop, unless the stop is inside a quotation."""
        text = self.text[start:end].rstrip()
        while text and text[-1] in ".,;:—–" and not text.endswith(("...", "…")):
            text = text[:-1].rstrip()
        while text and text[0] in ",;:":  # "remarked that, because …"
            text, start = text[1:], start + 1
        return self._span(start, start + len(text))


_OWN_WORDS = re.compile(r"\b(?:i|me|my|mine|we|us|our|ours|you|your)\b")


def _is_heading(line: str) -> bool:
    """A title, caption or date line: no sentence punctuation at its end."""
    stripped = line.rstrip("\"'”’»)] ")
    return not stripped.endswith((".", "!", "?", "…", ":")) and len(line.split()) <= 20
