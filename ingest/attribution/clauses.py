"""Reporting clauses in one sentence, found by rules: the cue, its source and the words it reports.

A sentence may hold several: "He said A while noting that B" is two statements by one source; "NPR
reported X recommended Y" is NPR's report and, inside it, X's recommendation. A cue that continues the one
before ("…, adding that", "and urged", "while noting that") shares its source and ends its content, and so
does one with a source of its own after a comma ("…, with the military spokesperson saying"). Content that
stands before its cue ("…, she said.", "…, according to police.") is *trailing*. Passive reports with an agent
("His death was announced by his son") are read by :mod:`.passive`, relaying phrases ("as reported by X") by
:mod:`.relays`.

>>> from ingest.attribution.phrases import tokenize
>>> text = "He said A was late while noting that B had left."
>>> tokens = tokenize(text)
>>> [(tokens[c.first].text, " ".join(t.text for t in tokens[c.content_start:c.content_end]))
...  for c in find_cues(tokens, 0, len(tokens), [False] * len(tokens))]
[('said', 'A was late'), ('noting', 'B had left')]
"""

from __future__ import annotations

from ingest.attribution.content import CLAUSE_OPENERS, set_content, trailing_start
from ingest.attribution.cue import Cue, SubjectOf
from ingest.attribution.lexicon import (
    ADDRESSEE_VERBS,
    AFTER_DOCUMENT_ONLY,
    AUXILIARIES,
    DETERMINERS,
    DOCUMENT_ADJECTIVES,
    DOCUMENTS,
    GENERIC_LISTENERS,
    NEEDS_QUOTE,
    NEEDS_THAT,
    NOUN_LIKE_VERBS,
    PHRASAL,
    PHRASAL_ONLY,
    SPEECH_VERBS,
)
from ingest.attribution.passive import passive_at
from ingest.attribution.phrases import (
    Token,
    is_quote_mark,
    skip_back_adverbs,
    verb_like,
)
from ingest.attribution.relays import find_relay
from ingest.attribution.sources import INVERTED_FOLLOWERS, attach_source
from ingest.attribution.verb_use import (
    after_quotation,
    asked_quote,
    called_judgment,
    participle_of_noun,
    placed_estimate,
    quote_ahead,
    went_on,
)

_PASSIVE = {"was", "were", "been", "being", "is", "are", "be", "get", "got"}
_NEGATION = {"not", "never", "n't"}
_TOPIC_ONLY = {"write", "talk", "speak", "post", "tweet", "comment"}  # "wrote about feminism": a topic
_COUNTED = {"two", "three", "four", "five", "six", "both"}


def find_cues(tokens: list[Token], s: int, e: int, quoted: list[bool], parsed_subject: SubjectOf | None = None,
              ) -> list[Cue]:
    """The reporting cues of the sentence ``tokens[s:e]``, with their sources and content ranges. When the rules
    find no source for a cue, ``parsed_subject`` may supply one."""
    cues: list[Cue] = []
    k = s
    while k < e:
        cue = None if quoted[k] else _cue_at(tokens, k, s, e, quoted) or passive_at(tokens, k, s, e, quoted)
        if cue is not None and cues and _present_tense(tokens[k].lower, cue.lemma):
            cue = None  # "… adding that this country announces its strikes": content, not a new report
        if cue is not None:
            if not cue.passive:
                attach_source(tokens, cue, s, e, cues)
            if parsed_subject is not None and cue.source is None and cue.lemma != "according to":
                parsed = parsed_subject(k)  # "Assembly president Richard Ferrand in relaying the news … said"
                if parsed is not None and s <= parsed[0] <= parsed[1] < e and not quoted[parsed[0]]:
                    cue.source, cue.source_after = parsed, parsed[0] > k
            if cue.source is not None:
                cues.append(cue)
                k = cue.last + 1
                continue
        k += 1
    _bound_subordinate(tokens, cues, s, e, quoted)
    cues = [c for c in cues if not (c.participle and c.first == s and c.last + 1 < e and tokens[c.last + 1].lower in
                                    INVERTED_FOLLOWERS and any(later is not c and later.source == c.source
                                                                and not later.participle for later in cues))]
    # "Commenting on the calls, Captain Rochester said …": the opening participle and its place are the main verb's
    # adjunct (but "Calling it a “culture of death”, the archbishop said …" reports twice)
    set_content(tokens, cues, s, e, quoted)
    cues = _relayed_trailing(tokens, cues, s, quoted)
    for cue in cues:
        find_relay(tokens, cue, quoted)
    return [c for c in cues if c.content_start < c.content_end]


def _relayed_trailing(tokens: list[Token], cues: list[Cue], s: int, quoted: list[bool]) -> list[Cue]:
    """"…, CNN Philippines reported the governor said.": the words before the comma are the governor's, relayed
    by CNN Philippines; the outer cue's content is nothing but the inner source and verb."""
    kept = list(cues)
    for outer, inner in zip(cues, cues[1:]):
        if inner.source is None or outer.source is None or outer.source_after or inner.content_start < \
                inner.content_end or (outer.content_start, outer.content_end) != (inner.source[0], inner.last + 1):
            continue
        left = outer.source[0]
        while left > s and tokens[left - 1].text in ",—–":
            left -= 1
        if left == outer.source[0] or left <= s:
            continue
        inner.trailing, inner.content_start, inner.content_end = True, trailing_start(tokens, [], s, left, quoted), left
        inner.relay = (outer.first, outer.source)
        kept.remove(outer)
    return kept


_SUBORDINATORS = {"although", "though", "even", "while", "when", "whereas", "because", "since", "after", "before",
                  "if", "as", "once", "until"}


def _bound_subordinate(tokens: list[Token], cues: list[Cue], s: int, e: int, quoted: list[bool]) -> None:
    """A cue in an opening subordinate clause ("Even though Waseem confessed to acting alone, …") reports no
    further than that clause's comma."""
    if tokens[s].lower not in _SUBORDINATORS:
        return
    comma = next((t for t in range(s, e) if tokens[t].text == "," and not quoted[t]), None)
    for cue in cues:
        if comma is not None and cue.first < comma and not cue.source_after:
            cue.bounded = True


def _joins_a_report(tokens: list[Token], k: int, s: int) -> bool:
    """``tokens[k]``, a past tense after "and", continues a report made earlier in the sentence ("said no other
    cars were involved and suggested the driver lost control"): it reports too, with or without "that"."""
    return k - 1 > s and tokens[k - 1].lower == "and" and tokens[k].lower.endswith("ed") and any(
        t.lower in SPEECH_VERBS and (t.lower.endswith("ed") or t.lower in ("said", "told")) for t in tokens[s:k - 1])


def _present_tense(word: str, lemma: str) -> bool:
    return word != "says" and (word == lemma or word in NOUN_LIKE_VERBS or word in (lemma + "s", lemma + "es"))


def _cue_at(tokens: list[Token], k: int, s: int, e: int, quoted: list[bool]) -> Cue | None:
    """A cue at ``tokens[k]``, or None when the word is used otherwise ("the reported deaths", "was
    announced by", "declined to comment", "a process called “exfiltration”")."""
    token = tokens[k]
    if token.lower == "according" and k + 1 < e and tokens[k + 1].lower == "to":
        return Cue(k, k + 1, "according to")
    lemma = SPEECH_VERBS.get(token.lower)
    if lemma is None or (token.capitalised and k > s):
        return None
    prev = tokens[k - 1] if k > s else None
    nxt = tokens[k + 1] if k + 1 < e else None
    standalone = token.lower == lemma and prev is not None and prev.lower in ("some", "many", "most", "others") or \
        prev is not None and prev.lower in _COUNTED and k - 2 >= s and tokens[k - 2].lower in ("the", "of")
    # "some say"; "the two said", "a mother of two said": a number standing for people, not "two reported deaths"
    after_went_on = went_on(tokens, k, s)  # "went on to say"
    if prev is not None and (prev.lower in DETERMINERS and not standalone or prev.lower == "to" and not after_went_on
                             or prev.lower.endswith(("'s", "’s"))
                             or prev.lower in SPEECH_VERBS and prev.lower not in NOUN_LIKE_VERBS
                             and verb_like(tokens, k - 1)):
        return None  # "the reported deaths", "declined to comment", "wrote denying …" (but "some say", "reports said")
    if lemma in _TOPIC_ONLY and nxt is not None and nxt.lower == "about" or lemma in ("speak", "talk") and \
            nxt is not None and nxt.lower == "with":
        return None  # "wrote about feminism": a topic; "spoke with her by email": a conversation
    if token.lower in ("written", "spoken") and not (prev is not None and prev.lower in ("has", "have", "had")):
        return None  # "a script written by …": a participle describing a noun
    if token.lower.endswith("ing") and prev is not None and prev.lower in ("least", "most", "more", "less", "very"):
        return None  # "the least demanding microbes"
    before = skip_back_adverbs(tokens, k, s)
    if lemma in AFTER_DOCUMENT_ONLY and not (before > s and tokens[before - 1].lower in DOCUMENTS):
        return None
    skipped = {t.lower for t in tokens[before:k]} | ({tokens[before - 1].lower} if before > s else set())
    if before > s and tokens[before - 1].text == ",":  # "had not, as of yesterday, announced"
        opening = next((t for t in range(before - 2, max(s, before - 10) - 1, -1) if tokens[t].text == ","), None)
        if opening is not None and opening > s:
            skipped.add(tokens[opening - 1].lower)
    if skipped & (_PASSIVE | _NEGATION) or (nxt is not None and nxt.lower == "by"):
        return None
    if not after_went_on and (token.lower in NOUN_LIKE_VERBS or token.lower == lemma and lemma not in ("say", "tell",
                                                                                                  "read")):
        if nxt is None or not (quoted[k + 1] or nxt.lower in CLAUSE_OPENERS or nxt.capitalised or nxt.text == ":"
                               or prev is not None and prev.is_word and _clause_follows(tokens, k, e, quoted)):
            return None  # but "Activists claim safety standards are ignored": a clause follows
        if prev is not None and (prev.lower in DETERMINERS | _NUMBER_WORDS | DOCUMENT_ADJECTIVES
                                 or prev.text[0].isdigit()):
            return None  # "one of six states that …", "the claims that …": a noun
        if token.lower == lemma and not (prev is not None and (prev.lower in ("they", "we", "i", "you", "some", "many")
                                                               or prev.lower.endswith("s"))):
            return None  # "the official demand that": a noun; "officials demand that": a verb
    last = k
    if lemma in PHRASAL and nxt is not None and nxt.lower in PHRASAL[lemma]:
        last = k + 1
    elif lemma in PHRASAL_ONLY:
        return None  # "pointed to the figures"
    elif lemma in NEEDS_QUOTE:
        ahead = asked_quote(tokens, k, e, quoted) if lemma == "ask" else quote_ahead(tokens, k, e, quoted)
        judgment = lemma == "call" and token.lower == "called" and called_judgment(tokens, k, e, quoted) or \
            lemma == "place" and placed_estimate(tokens, k, e, quoted)
        if not (ahead or judgment or lemma != "call" and after_quotation(tokens, k, s, quoted)) or (
                nxt is not None and (quoted[k + 1] or is_quote_mark(nxt)) and lemma == "call"):
            return None  # "a process called “exfiltration”" names; "called the notion a “waste of time”" speaks
    if token.lower.endswith("ed") and k > s and participle_of_noun(tokens, k, s, e):
        return None  # "The black hole described in the study is …", "had new features added to it"
    if lemma == "admit" and nxt is not None and nxt.lower == "to" and k + 2 < e and not (
            tokens[k + 2].lower.endswith("ing") or tokens[k + 2].lower in ("having", "being")):
        return None  # "admitted to the Academy": membership; "admitted to killing": a confession
    if lemma in NEEDS_THAT and not (nxt is not None and (nxt.lower == "that" or quoted[k + 1] or nxt.text in ":,")
                                    or after_quotation(tokens, k, s, quoted) or _joins_a_report(tokens, k, s)
                                    or not token.lower.endswith("ing") and _clause_follows(tokens, k, e, quoted)):
        return None  # but "“…,” Tipton observed during a session.", "said A and suggested B"
    if lemma in ADDRESSEE_VERBS:  # "told reporters", "informed the press"
        for listener in GENERIC_LISTENERS:
            words = listener.split()
            if [t.lower for t in tokens[k + 1:k + 1 + len(words)]] == words:
                last = k + len(words)
    return Cue(k, last, lemma, participle=token.lower.endswith("ing"))


_NUMBER_WORDS = {"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "dozen", "dozens", "hundreds",
                 "thousands", "several", "many", "multiple", "numerous", "various", "conflicting", "earlier", "recent"}
_NOT_IN_SUBJECT = {"that", "which", "who", "whose", "where", "when", "to", "of", "for", "with", "by", "and", "or"}


def _clause_follows(tokens: list[Token], k: int, e: int, quoted: list[bool]) -> bool:
    """A clause follows the verb at ``tokens[k]`` without "that": a short subject, then a finite verb ("estimated
    this would take 24 hours", "suggested the elephant may have tried …", "estimated around 200 people attended"),
    not a noun phrase object ("proposed new rules for parking", "proposed a bill that would …")."""
    for t in range(k + 1, min(e, k + 9)):
        token = tokens[t]
        if quoted[t] or not token.is_word or token.lower in _NOT_IN_SUBJECT:
            return False
        if t > k + 1 and (token.lower in AUXILIARIES or token.lower.endswith("ed") and verb_like(tokens, t)):
            return True
    return False
