"""Answering from the attribution index: who said what, across the collection.

The index is built at ingest (``ingest/attribution``, stored beside the chunks by ``ingest/store.py``);
this module only reads it. Three questions are answered from it, never from sentences that merely name
someone:

* **"What did X say (about Y)?"** — X's own statements, newest first (the most relevant to Y first when
  asked about Y), all of them when few, with a count ("Khawaja Asif: 14 statements in 9 documents; 10 shown").
* **"Who said “…”?"** — the statement holding the quoted words, and its speaker.
* **"Did X say “…”?"** — a quote check: said verbatim (where), said with other wording (the difference),
  said by someone else, or not found.

X may be a full name, a surname, a title or description ("the Defence Minister"), an alias, or misspelt:
:meth:`QuoteIndex.find_speaker` resolves it against every speaker's name and aliases.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field

from ingest.attribution import Span, Statement, merge_speakers

#: Statements listed in full before the answer keeps only the most relevant and says how many there are.
#: Measured with ``python -m eval.bench said --half dev,dev2`` (full names asked, statement recall / citation
#: precision): 5 shown gave dev 0.851 / 0.928, dev2 0.764 / 0.852; 10 gives 0.902 / 0.932, 0.822 / 0.853; 20
#: adds 1.5-2.5 recall points more for answers too long to read in a chat (``ragchat quotes`` lists all).
MAX_SHOWN = 10


@dataclass
class Quote:
    """One stored statement, located: ``text == document[start:end]`` (the whole stretch, interruptions
    such as "she said" included, so the citation is verbatim); ``content`` is what was said."""

    id: str
    doc_id: str
    source: str
    title: str
    date: str
    publication: str
    speaker: str
    kind: str
    start: int
    end: int
    text: str
    content: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    speaker_type: str = "person"
    named: bool = True
    aliases: list[str] = field(default_factory=list)
    source_mention: str = ""
    cue: str = ""
    #: Other documents holding the same statement: near-duplicates of this one (see :func:`one_copy`).
    also_in: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"speaker": self.speaker, "doc_id": self.doc_id, "source": self.source, "title": self.title,
                "date": self.date, "quote": self.text, "start": self.start, "end": self.end, "kind": self.kind,
                **({"also_in": len(self.also_in), "also_in_docs": self.also_in} if self.also_in else {})}

    def statement(self) -> Statement:
        spans = [Span(*s) for s in self.spans] or [Span(self.start, self.end, self.text)]
        return Statement(self.kind, spans, None, None, self.speaker, self.speaker_type, self.named, self.aliases)  # type: ignore[arg-type]


def quote_from_record(record_id: str, text: str, meta: dict) -> Quote:
    """A :class:`Quote` from a stored record (see ``ingest.store.statement_records``)."""
    return Quote(id=record_id, doc_id=meta["doc_id"], source=meta.get("source", ""), title=meta.get("title", ""),
                 date=meta.get("date", ""), publication=meta.get("publication", ""), speaker=meta["speaker"],
                 kind=meta.get("kind", "reported"), start=int(meta["start"]), end=int(meta["end"]),
                 text=meta.get("quote", ""), content=text,
                 spans=[tuple(s) for s in json.loads(meta.get("spans", "[]"))],
                 speaker_type=meta.get("speaker_type", "person"), named=bool(meta.get("named", True)),
                 aliases=json.loads(meta.get("aliases", "[]")), source_mention=meta.get("source_mention", ""),
                 cue=meta.get("cue", ""))


def one_copy(quotes: list[Quote], groups: dict[str, str]) -> list[Quote]:
    """Each statement once when near-duplicate documents (``groups``: doc id -> dup group) carry it: the
    same group and the same words (folded) are one statement, kept from the group's canonical copy (else
    the earliest), the other documents listed in its :attr:`Quote.also_in`. So "14 statements in 9
    documents" counts a wire story's quote once, however many outlets ran it."""
    kept: dict[tuple[str, str], Quote] = {}
    keep: set[int] = set()
    canonical_first = sorted(quotes, key=lambda q: (groups.get(q.doc_id, q.doc_id) != q.doc_id, q.date or "9999",
                                                    q.doc_id, q.start))
    for q in canonical_first:
        first = kept.setdefault((groups.get(q.doc_id, q.doc_id), fold(q.content)), q)
        if first.doc_id == q.doc_id:
            keep.add(id(q))  # the first copy, or the same words said again in the same document
        elif q.doc_id not in first.also_in:
            first.also_in.append(q.doc_id)
    return [q for q in quotes if id(q) in keep]


def fold(text: str) -> str:
    """Case, accents, quote marks and spacing folded, for matching names and quoted words."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(re.findall(r"[\w']+", text.casefold()))


_TITLE_WORDS = {"the", "mr", "mrs", "ms", "dr", "prof", "sir", "dame", "lord", "lady"}


def _same_words(asked: str, name: str) -> bool:
    """A close spelling of a name of several words misspells each word, not a different first name that shares the
    surname: every word asked is close to the word in the same place."""
    a, b = asked.split(), name.split()
    return len(a) != len(b) or all(difflib.SequenceMatcher(None, x, y).ratio() >= 0.75 or x[0] == y[0] and
                                   min(len(x), len(y)) == 1 for x, y in zip(a, b))  # "U. S." for "United States"


def _title_fit(wanted: str, alias: str, name: str) -> int:
    """How well an alias (folded) fits a title asked for: 2 when it is the title alone or the title and the
    speaker's name ("president donald trump", "the president"), 1 when it opens with the title followed by
    other words ("president elect joe biden"), 0 when the title is not its head ("vice president mike pence",
    "former president …") or the alias only contains the words asked for (a surname)."""
    words, asked = alias.split(), wanted.split()
    if words[:1] == ["the"]:
        words = words[1:]
    if words[:len(asked)] != asked:
        return 0
    return 2 if set(words[len(asked):]) <= set(name.split()) else 1


@dataclass(eq=False)
class Speaker:
    """A speaker of the collection with every statement the index holds for them."""

    name: str
    speaker_type: str
    named: bool
    aliases: list[str]
    quotes: list[Quote]

    @property
    def documents(self) -> list[str]:
        return sorted({q.doc_id for q in self.quotes})

    def to_dict(self) -> dict:
        return {"speaker": self.name, "type": self.speaker_type, "aliases": self.aliases,
                "statements": len(self.quotes), "documents": self.documents}


class QuoteIndex:
    """The collection's statements and speakers, read from the store once."""

    @classmethod
    def from_store(cls, store) -> QuoteIndex:
        """Every statement the store's attribution index holds, once per near-duplicate group."""
        quotes = [quote_from_record(*record) for record in store.statements()]
        return cls(one_copy(quotes, store.dup_groups()) if hasattr(store, "dup_groups") else quotes)

    def __init__(self, quotes: list[Quote]):
        self.quotes = quotes
        by_doc: dict[str, list[Statement]] = {}
        owner: dict[int, Quote] = {}
        for q in quotes:
            st = q.statement()
            by_doc.setdefault(q.doc_id, []).append(st)
            owner[id(st)] = q
        self.speakers = [Speaker(r.name, r.speaker_type, r.named,
                                 [a for a in r.aliases if a.casefold() not in _PRONOUNS],
                                 newest_first([owner[id(st)] for _, st in r.statements]))
                         for r in merge_speakers(by_doc)]

    # --- finding a speaker --------------------------------------------------------------------------

    def find_speaker(self, name: str) -> list[Speaker]:
        """The speakers ``name`` means, best first: an exact name or alias, a surname, a title or
        description contained in an alias ("the Defence Minister" in "Defence Minister Khawaja Asif"),
        then a close spelling. Several when the name is ambiguous. A name asked for is matched in names, not
        in descriptions ("Trump" is not "Trump adviser Sebastian Gorka"); a title keeps only the speakers who
        bear it themselves (see :func:`_title_fit`): "the President" is not "Vice President Mike Pence" when
        "President Donald Trump" is also a speaker."""
        wanted = " ".join(w for w in fold(name).split() if w not in _TITLE_WORDS)
        if not wanted:  # "the", "Mr": nobody in particular
            return []
        exact, partial = [], []
        for sp in self.speakers:
            names = [fold(n) for n in [sp.name, *sp.aliases]]
            if wanted in names:
                exact.append(sp)
            elif any(re.search(rf"\b{re.escape(wanted)}\b", n) for n in names):
                partial.append(sp)
        if exact or partial:
            in_name = [sp for sp in partial if re.search(rf"\b{re.escape(wanted)}\b", fold(sp.name))]
            if exact:  # "NASA" is NASA, not "NASA Administrator Jim Bridenstine" nor "NASA Ames Research Center"
                partial = [sp for sp in in_name if sp.speaker_type == "person" or " and " in sp.name]
            elif in_name:  # a name asked ("Trump"): not "Trump adviser Sebastian Gorka", only described by it
                partial = in_name
            else:  # a title ("the President"): who bears it, see _title_fit
                fits = {id(sp): max(_title_fit(wanted, fold(n), fold(sp.name)) for n in [sp.name, *sp.aliases])
                        for sp in partial}
                best = max(fits.values(), default=0)
                partial = [sp for sp in partial if fits[id(sp)] == best]
            named = [sp for sp in exact + partial if sp.named]
            return named or exact + partial
        spellings = {fold(n): sp for sp in self.speakers for n in [sp.name, *sp.aliases] if sp.named}
        close = [c for c in difflib.get_close_matches(wanted, list(spellings), n=3, cutoff=0.8)
                 if _same_words(wanted, c)]  # "Pranab Mukherjee" is not "Abhijit Mukherjee"
        if close:
            return list(dict.fromkeys(spellings[c] for c in close))
        within = self._within(wanted)
        if within:
            return within
        words = {w: sp for key, sp in spellings.items() for w in key.split() if len(w) > 3}  # a misspelt surname
        close_words = difflib.get_close_matches(wanted, list(words), n=3, cutoff=0.8)
        return list(dict.fromkeys(words[w] for w in close_words))

    def _within(self, wanted: str) -> list[Speaker]:
        """Named speakers whose name the asked name holds, when nothing matched it whole: a name asked with more
        words than the text gave it ("the United States Supreme Court" for "Supreme Court", "the US Embassy in
        London" for "US Embassy", "Robert Gabriel Mugabe" for "Robert Mugabe"). A name of one word is never
        enough ("police" is not "Northamptonshire police"); the speakers with the longest such name first."""
        asked = wanted.split()
        if "and" in asked:
            return []  # several speakers asked together: not each of them alone
        best: dict[int, list[Speaker]] = {}
        for sp in self.speakers:
            if not sp.named:
                continue
            sizes = [len(n.split()) for n in map(fold, [sp.name, *sp.aliases]) if _held_in(n.split(), asked)]
            if sizes:
                best.setdefault(max(sizes), []).append(sp)
        return best[max(best)] if best else []

    # --- statements ---------------------------------------------------------------------------------

    def statements(self, speakers: list[Speaker] | None = None, about: str = "", since: str = "",
                   until: str = "") -> list[Quote]:
        """Statements (of ``speakers``, or all), newest first, within ``since``/``until`` (ISO dates,
        inclusive); with ``about``, those sharing most words with it first."""
        pool = [q for sp in speakers for q in sp.quotes] if speakers is not None else newest_first(self.quotes)
        pool = [q for q in pool if (not since or (q.date and q.date >= since))
                and (not until or (q.date and q.date <= until))]
        if about:
            wanted = _words(about) - _STOP
            pool = sorted(pool, key=lambda q: -len(wanted & _words(q.content)))
            pool = [q for q in pool if wanted & _words(q.content)]
        return pool

    def who_said(self, words: str) -> list[Quote]:
        """Statements whose content holds ``words`` (folded), best match first."""
        wanted = fold(words)
        if not wanted:
            return []
        found = [q for q in self.quotes if wanted in fold(q.content)]
        if found:
            return newest_first(found)
        scored = [(_similarity(wanted, fold(q.content)), q) for q in self.quotes]
        return [q for score, q in sorted(scored, key=lambda x: -x[0]) if score >= 0.75][:3]


def _held_in(name: list[str], asked: list[str]) -> bool:
    """``name`` (two words or more) stands in ``asked`` as a run of words, or with the same first and last
    words and the rest in order (a middle name the text left out)."""
    if len(name) < 2 or len(name) >= len(asked):
        return False
    if any(asked[k:k + len(name)] == name for k in range(len(asked) - len(name) + 1)):
        return True
    if name[0] != asked[0] or name[-1] != asked[-1]:
        return False
    rest = iter(asked[1:-1])
    return all(word in rest for word in name[1:-1])


@dataclass
class QuoteCheck:
    """The answer to "did X say “…”?"."""

    verdict: str  # "verbatim" | "different wording" | "someone else" | "not found"
    quote: Quote | None = None
    difference: str = ""


def check_quote(index: QuoteIndex, speakers: list[Speaker], words: str) -> QuoteCheck:
    own = [q for sp in speakers for q in sp.quotes]
    wanted = fold(words)
    for q in own:
        if wanted and wanted in fold(q.content):
            return QuoteCheck("verbatim", q)
    best = max(own, key=lambda q: _similarity(wanted, fold(q.content)), default=None)
    if best is not None and _similarity(wanted, fold(best.content)) >= 0.6:
        return QuoteCheck("different wording", best, word_difference(words, best.content))
    others = [q for q in index.who_said(words) if q not in own]
    if others:
        return QuoteCheck("someone else", others[0])
    return QuoteCheck("not found")


def _words(text: str) -> set[str]:
    return {w.removesuffix("'s") for w in fold(text).split()}


def _similarity(wanted: str, content: str) -> float:
    """How much of ``wanted`` the best-matching stretch of ``content`` covers (0–1), word by word."""
    a, b = wanted.split(), content.split()
    if not a or not b:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(a)


def word_difference(asked: str, said: str) -> str:
    """'[-asked words-] {+said words+}' for the stretch of ``said`` closest to ``asked``."""
    a, b = asked.split(), said.split()
    matcher = difflib.SequenceMatcher(None, [fold(w) for w in a], [fold(w) for w in b], autojunk=False)
    blocks = [m for m in matcher.get_matching_blocks() if m.size]
    if not blocks:
        return ""
    lo, hi = blocks[0].b, blocks[-1].b + blocks[-1].size
    matcher.set_seq2([fold(w) for w in b[lo:hi]])
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(a[i1:i2])
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[lo + j1:lo + j2]) + "+}")
    return " ".join(out)


def newest_first(quotes: list[Quote]) -> list[Quote]:
    """By date, newest first; undated last; within a document in reading order."""
    return sorted(quotes, key=lambda q: (q.date == "", _neg_date(q.date), q.doc_id, q.start))


def _neg_date(date: str) -> tuple[int, ...]:
    return tuple(-int(p) for p in date.split("-")) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date or "") else (0,)


_PRONOUNS = {"he", "she", "they", "it", "him", "her", "them", "we", "i"}
_STOP = {"the", "a", "an", "of", "to", "in", "on", "about", "and", "or", "is", "was", "for", "with", "that"}
