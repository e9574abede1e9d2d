"""Questions about who said what, answered from the attribution index (:mod:`rag.quotes`).

:func:`speech_question` recognises the three kinds; :func:`answer_speech` answers one, or returns ``None``
when the index knows nothing that fits (no such speaker, no statement holding those words), so the chain
answers from retrieved evidence as for any question. Every quote it gives is a located span of its
document (``text[start:end]``), cited with the statement's speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.quotes import MAX_SHOWN, Quote, QuoteIndex, check_quote
from rag.types import Citation

_QUOTED = r"[\"“”‘’']"
# Not "state" or "claim": as nouns they end a subject ("What did the state swiftly deny?").
_VERB = r"(?:say|said|tell|told|stated|claimed|write|wrote|announce|announced)"
_WHAT = re.compile(rf"\bw\w{{1,3}}t (?:did|does|has|have|had) (?P<who>.+?) {_VERB}\b"
                   r"(?:\s+(?:about|on|regarding|of) (?P<about>[^?]+))?", re.I)
_WHO = re.compile(rf"^\s*who (?:{_VERB}|has said|had said)\s+(?:that\s+)?(?P<words>.+?)\s*\??\s*$", re.I)
_DID = re.compile(rf"^\s*(?P<when>when )?(?:did|has|have|had) (?P<who>.+?) (?:{_VERB})\s+(?:that\s+)?"
                  r"(?P<words>.+?)\s*\??\s*$", re.I)


@dataclass
class SpeechQuestion:
    kind: str  # "what-said" | "who-said" | "did-say" | "when-said" (did-say, answered with the date)
    who: str = ""
    about: str = ""
    words: str = ""


def speech_question(question: str) -> SpeechQuestion | None:
    """'What did the minister say about X?' / 'Who said “…”?' / 'Did X say “…”?', or ``None``."""
    if match := _WHO.match(question):
        return SpeechQuestion("who-said", words=_unquote(match.group("words")))
    if (match := _DID.match(question)) and len(match.group("words").split()) >= 2:
        return SpeechQuestion("when-said" if match.group("when") else "did-say", who=match.group("who").strip(),
                              words=_unquote(match.group("words")))
    if match := _WHAT.search(question):
        return SpeechQuestion("what-said", who=match.group("who").strip(), about=(match.group("about") or "").strip())
    return None


# "What does the editorial / the Dawn report say?" asks about a text, not a speaker: answered from evidence.
_TEXT_NOUNS = re.compile(r"\b(?:editorial|article|report|study|paper|document|story|piece|text|column|op-ed|"
                         r"letter|survey|book|post|headline|statement|source)s?\b", re.I)


def names_a_speaker(who: str) -> bool:
    """'Joe Biden', 'the Defence Minister', 'Reuters': a capitalised name or title, not a text ('the editorial',
    'the Dawn report') nor a lower-case description ('the police'), which the evidence may still answer."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’.-]*", who) if w.lower() != "the"]
    return bool(words) and any(w[0].isupper() for w in words) and not _TEXT_NOUNS.search(who)


def _unquote(text: str) -> str:
    return re.sub(rf"^{_QUOTED}+|{_QUOTED}+$", "", text.strip()).strip()


@dataclass
class SpeechAnswer:
    text: str
    citations: list[Citation]
    refused: bool = False


def answer_speech(index: QuoteIndex, q: SpeechQuestion, since: str = "", until: str = "") -> SpeechAnswer | None:
    if q.kind != "what-said" and (since or until):  # "who said … last week?": that period's statements only
        index = QuoteIndex([x for x in index.quotes if x.date and since <= x.date and (not until or x.date <= until)])
    if q.kind == "who-said":
        return _who_said(index, q)
    speakers = index.find_speaker(q.who)
    if not speakers:
        if q.kind == "what-said" and names_a_speaker(q.who):  # not sentences that only mention X
            return SpeechAnswer(f"The documents hold no statement attributed to {q.who}.", [], refused=True)
        return None
    if q.kind in ("did-say", "when-said"):
        return _did_say(index, speakers, q)
    others = ""
    if len(speakers) > 1:  # "the President", "Smith": the most quoted of them, and the others named
        counts = {sp.name: len(index.statements([sp], since=since, until=until)) for sp in speakers}
        speakers = sorted(speakers, key=lambda sp: -counts[sp.name])
        others = (f"\nAlso “{q.who}” in these documents: "
                  + ", ".join(f"{sp.name} ({counts[sp.name]} statement{'s' * (counts[sp.name] != 1)})"
                              for sp in speakers[1:]) + "; ask by full name for theirs.")
        speakers = speakers[:1]
    quotes = index.statements(speakers, about=q.about, since=since, until=until)
    name = speakers[0].name
    note = ""
    if not quotes and q.about:  # "them" may be what was asked about: the speaker's words, said so
        quotes = index.statements(speakers, since=since, until=until)
        note = f" None names “{q.about}” in so many words."
    if not quotes:
        period = " in that period" if since or until else ""
        return SpeechAnswer(f"The documents hold no statement by {name}{period}.", [], refused=True)
    docs = len({x.doc_id for x in quotes})
    shown = quotes[:MAX_SHOWN]
    order = "most relevant first" if q.about and not note else "newest first"
    count = (f"{len(quotes)} statement{'s' * (len(quotes) != 1)} in {docs} document{'s' * (docs != 1)}"
             + (f"; {len(shown)} shown, {order}" if len(shown) < len(quotes) else f", {order}"))
    lines = [f"{name}: {count}.{note}{others}"]
    citations = []
    for n, quote in enumerate(shown, start=1):
        lines.append(quote_line(n, quote))
        citations.append(cite(quote, n))
    return SpeechAnswer("\n".join(lines), citations)


def _who_said(index: QuoteIndex, q: SpeechQuestion) -> SpeechAnswer | None:
    found = index.who_said(q.words)
    if not found:
        return None
    shown = found[:MAX_SHOWN]
    names = list(dict.fromkeys(x.speaker for x in shown))
    lines = [f"{' and '.join(names)} said it." if len(names) <= 2 else f"{', '.join(names)} said it."]
    lines.extend(quote_line(n, quote) for n, quote in enumerate(shown, start=1))
    return SpeechAnswer("\n".join(lines), [cite(x, n) for n, x in enumerate(shown, start=1)])


def _did_say(index: QuoteIndex, speakers: list, q: SpeechQuestion) -> SpeechAnswer:
    name = speakers[0].name
    check = check_quote(index, speakers, q.words)
    if check.verdict == "verbatim" and q.kind == "when-said":  # the date is the answer
        text = f"On {check.quote.date or 'an unknown date'}, {name} said it [1]: “{check.quote.text}”"
    elif check.verdict == "verbatim":
        text = f"Yes: {name} said it, in these words [1]: “{check.quote.text}”"
    elif check.verdict == "different wording":
        text = (f"Not in those words. {name} said [1]: “{check.quote.text}”\n"
                f"Difference (yours [-…-], theirs {{+…+}}): {check.difference}")
    elif check.verdict == "someone else":
        text = f"No: {check.quote.speaker} said that, not {name} [1]: “{check.quote.text}”"
    else:
        return SpeechAnswer(f"No statement by {name} with these words is in the documents.", [])
    return SpeechAnswer(f"{text} ({_when(check.quote)})", [cite(check.quote, 1)])


def cite(quote: Quote, n: int) -> Citation:
    return Citation(n, quote.doc_id, quote.source, quote.title, quote.date, quote.text, quote.start, quote.end,
                    quote.publication, speaker=quote.speaker, also_in=len(quote.also_in),
                    also_in_docs=list(quote.also_in))


def _when(quote: Quote) -> str:
    return ", ".join(x for x in (quote.date, quote.publication or quote.title) if x) or quote.source


def quote_line(n: int, quote: Quote) -> str:
    """'[1] Khawaja Asif (2025-11-27, Dawn), denied: “hitting Afghan civilians”': the cue keeps what a
    reported statement's content means ("denied X" is not "X")."""
    cue = quote.cue.strip(" :—―-") if quote.kind == "reported" and quote.cue not in quote.text else ""
    return f"[{n}] {quote.speaker} ({_when(quote)}){f', {cue}' if cue else ''}: “{quote.text}”"
