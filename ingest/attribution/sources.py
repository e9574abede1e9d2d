"""Who speaks in a reporting clause: the source a cue attaches to (the subject before the verb, the phrase after
"according to" or after an inverted verb, or the source of the clause it continues), and the subject of a clause.

Split from :mod:`.clauses`, which finds the cues; :func:`attach_source` is called once per cue found.
"""

from __future__ import annotations

from ingest.attribution.content import CLAUSE_OPENERS, COORDINATORS
from ingest.attribution.cue import Cue
from ingest.attribution.lexicon import (
    DETERMINERS,
    DOCUMENTS,
    NOT_IN_NOUN_PHRASE,
    NOT_NAMES,
    PRONOUNS,
    TIME_WORDS,
)
from ingest.attribution.phrases import (
    Token,
    is_name_word,
    is_quote_mark,
    noun_phrase_after,
    noun_phrase_before,
    skip_apposition,
    skip_back_adverbs,
    verb_like,
)
from ingest.attribution.verb_use import (
    went_on,
)

# Collective nouns that are sources without an article ("police said", "staff said").
_COLLECTIVE = {"police", "staff", "military", "government", "media", "management", "security", "intelligence",
               "prosecution", "defence", "defense", "leadership", "some", "many", "others", "most", "several"}
# Reporting verbs that take a noun-phrase object and are never inverted ("“…,” said X", but not "shared X").
_NOT_INVERTED = {"share", "praise", "blame", "thank", "credit", "endorse", "criticize", "criticise", "condemn",
                 "voice", "advise", "describe", "characterize", "characterise", "denounce", "accuse", "urge",
                 "encourage", "demand", "recommend", "request", "deny", "call"}
_DISCOURSE_OPENERS = {"first", "second", "third", "finally", "lastly", "next", "then", "later", "meanwhile",
                      "separately", "still", "nevertheless", "nonetheless", "overall", "afterwards", "again"}
_TIME_SPANS = {"years", "months", "weeks", "days", "hours", "thereafter", "later", "ago", "earlier", "afterwards"}
INVERTED_FOLLOWERS = {"in", "on", "at", "via", "after", "during", "to", "from", "for", "with", "before", "when",
                       "while", "as", "through", "of"}


def attach_source(tokens: list[Token], cue: Cue, s: int, e: int, earlier: list[Cue]) -> None:
    """Set the cue's source: the phrase after "according to", else the subject before the verb, else the phrase
    after it ("…,” said Lam"); a participle or a verb after "and" shares the subject of its clause."""
    if cue.lemma == "according to":
        cue.source, cue.source_after = noun_phrase_after(tokens, cue.last + 1, e), True
        return
    verb = cue.first - 3 if went_on(tokens, cue.first, s) else cue.first  # "Dittmar went on to add": "went"
    before = skip_back_adverbs(tokens, verb, s)
    joiner = tokens[before - 1].lower if before > s else ""
    if before - 2 >= s and is_quote_mark(tokens[before - 1]) and tokens[before - 2].text == ",":
        joiner = ","  # "“A,” further remarking, “B”": the comma closed inside the quotation
    if cue.participle and joiner == "as" and _quoted_as(tokens, cue, before - 1, s):
        return  # "Politico quoted Tim Manning as saying …": Manning speaks, Politico relays
    if cue.participle:
        own = noun_phrase_before(tokens, cue.first, s) if joiner not in COORDINATORS | {","} else None
        if own is not None and own[0] > s and tokens[own[0] - 1].lower in ("with", "and"):
            cue.source, cue.bounded = own, True  # "…, with the military spokesperson saying …"
        elif own is not None and own[0] == s and _plausible_source(tokens, *own) and _opens_clause(tokens, cue, e):
            cue.source = own  # "Several conservative groups claiming the election was stolen …"
        elif joiner in COORDINATORS | {",", ";", "—", "–"} or before == s or joiner in DOCUMENTS or \
                _after_document(tokens, before, s):
            _inherit(tokens, cue, s, e, earlier)  # "…, saying", "issued a statement saying", "posted a message
            # on Twitter blaming …"
        return  # "the country requesting it": a participle describing a noun
    if joiner in ("and", "but"):  # "… did not mention casualties, but said exports were continuing"
        _inherit(tokens, cue, s, e, earlier)
        return
    subject = noun_phrase_before(tokens, verb, s)
    if subject is not None:
        subject = _before_participial_adjunct(tokens, subject, s)
        if _plausible_source(tokens, *subject):
            # "X, who denied A, said B" ends A at the comma; "… according to CNN who reported that A" does not
            cue.source, cue.bounded = subject, joiner in ("who", "which") and tokens[before - 2].text == ","
        return
    if cue.lemma in _NOT_INVERTED:
        return  # "His opponents, X and Y, shared this view": "this view" is the object, not an inverted subject
    if before == s or joiner in (",", ";", ":", '"', "'", "”", "’", "—", "–", "(", "but"):
        after = noun_phrase_after(tokens, cue.last + 1, e)
        if after is not None:
            end = skip_apposition(tokens, after[1] + 1, e)
            follower = tokens[end] if end < e else None
            if follower is None or not follower.is_word or follower.lower in INVERTED_FOLLOWERS:
                cue.source, cue.source_after = after, True


_ADJUNCT_PREPOSITIONS = {"to", "with", "at", "before", "on", "in"}


def _before_participial_adjunct(tokens: list[Token], subject: tuple[int, int], s: int) -> tuple[int, int]:
    """"Greek prime minister X *speaking to the Atlantic Council* called …": the phrase before the verb is the
    object of a participle's preposition; the subject is the noun phrase before that participle."""
    a = subject[0]
    if a - 2 < s or tokens[a - 1].lower not in _ADJUNCT_PREPOSITIONS:
        return subject
    participle = tokens[a - 2]
    if participle.capitalised or not participle.lower.endswith("ing") or len(participle.lower) < 6 or \
            participle.lower == "according":
        return subject
    inner = noun_phrase_before(tokens, a - 2, s)
    return inner if inner is not None and _plausible_source(tokens, *inner) else subject


_QUOTING = {"quoted", "quotes", "quoting", "cited", "cites", "citing"}


def _quoted_as(tokens: list[Token], cue: Cue, as_: int, s: int) -> bool:
    """"X quoted Y as saying …": set ``cue``'s source to Y and its relay to X; False when the words before "as"
    are not "quoted Y"."""
    verb = next((k for k in range(as_ - 1, max(s, as_ - 16), -1) if tokens[k].lower in _QUOTING), None)
    quoted_person = noun_phrase_after(tokens, verb + 1, as_) if verb is not None else None
    if quoted_person is None or not _plausible_source(tokens, *quoted_person):
        return False
    cue.source = quoted_person  # "quoted Tim Manning, a former FEMA official, as saying": the name
    outlet = noun_phrase_before(tokens, verb, s)
    if outlet is not None:
        cue.relay = (verb, outlet)
    return True


def _after_document(tokens: list[Token], before: int, s: int) -> bool:
    """A document and a place or time stand before the participle: "posted a message on Twitter blaming"."""
    for k in range(before - 2, max(s, before - 5) - 1, -1):
        if tokens[k].lower in ("on", "in", "to", "via") and k > s and tokens[k - 1].lower in DOCUMENTS:
            return True
    return False


def _opens_clause(tokens: list[Token], cue: Cue, e: int) -> bool:
    """What follows a participle can be what was said (a clause, a name, a quotation), not "… sharing website"."""
    nxt = tokens[cue.last + 1] if cue.last + 1 < e else None
    return nxt is not None and (nxt.lower in CLAUSE_OPENERS or nxt.capitalised or is_quote_mark(nxt))


# Time words that are also names when capitalised: "Theresa May", "June Carter", "Doris Day", "Morning Star".
_NAME_LIKE_TIMES = {"may", "june", "april", "august", "day", "week", "year", "time", "night", "morning"}


def _plausible_source(tokens: list[Token], a: int, b: int) -> bool:
    """A subject can speak: it has a capital, a determiner, a plural or a collective noun ("police"), not a
    verb taken for a noun ("… to extradite accused criminals")."""
    words = tokens[a:b + 1]
    if len(words) == 1 and words[0].lower.endswith("ing"):
        return False  # "Citing alleged violations …"
    if words[0].lower in ("no", "nobody", "none", "neither"):
        return False  # "No group claimed responsibility": nobody said anything
    if len(words) == 1 and words[0].lower in ("i", "we", "me", "us"):
        return False  # "I told them …" outside quotation marks: a narrator's account, not a report
    if words[-1].lower in TIME_WORDS | _TIME_SPANS and not any(t.text == "," for t in words) and not (
            words[-1].capitalised and words[-1].lower in _NAME_LIKE_TIMES):  # "(Theresa) May said", "Doris Day said"
        return False  # "which within a few years thereafter declared independence": a time, not a speaker
    return (any(t.capitalised or is_name_word(t) for t in words) or words[0].lower in DETERMINERS | PRONOUNS.keys()
            or words[-1].lower.endswith("s") or words[-1].lower in _COLLECTIVE)


def _inherit(tokens: list[Token], cue: Cue, s: int, e: int, earlier: list[Cue]) -> None:
    cue.coordinated = True
    # "…, with the spokesperson saying A, and adding B": a participle continues the participle before it
    previous = next((c for c in reversed(earlier) if c.source is not None and (
        not c.bounded or cue.participle and c.participle)), None)
    if previous is not None:
        cue.source, cue.source_after = previous.source, previous.source_after
    elif cue.first > s:
        cue.source = subject_of(tokens, s, cue.first)
    else:  # "Calling it a “culture of death”, the archbishop said …": the subject after the opening clause
        comma = next((k for k in range(s, e) if tokens[k].text == ","), None)
        cue.source = subject_of(tokens, comma + 1, e) if comma is not None else None


def subject_of(tokens: list[Token], s: int, e: int) -> tuple[int, int] | None:
    """The subject of the sentence ``tokens[s:e]``: its first noun phrase after an opening adverbial
    ("On Tuesday, *the Taliban* said …")."""
    i = s
    comma = next((k for k in range(s + 1, min(e - 1, s + 3)) if tokens[k].text == ","), None)
    if comma is not None and all(t.lower in _DISCOURSE_OPENERS | _TIME_SPANS or t.lower in NOT_NAMES or
                                 t.lower.endswith("ly") for t in tokens[s:comma]):
        i = comma + 1  # "First, he …", "And, she …", "Shortly thereafter, the city …": not the subject
    if tokens[i].lower in PRONOUNS:
        return i, i  # "she supports …": a pronoun takes no modifiers
    first = noun_phrase_after(tokens, i, e)
    if first is not None and tokens[first[1]].lower in TIME_WORDS | _TIME_SPANS | {"hours", "minutes"}:
        comma = next((k for k in range(first[1] + 1, min(e - 1, first[1] + 16)) if tokens[k].text == ","), None)
        if comma is not None:  # "Hours after access was restored, Sergey M … wrote": a time, then the subject
            return subject_of(tokens, comma + 1, e)
    if tokens[i].lower in NOT_IN_NOUN_PHRASE - DETERMINERS or tokens[i].lower in ("on", "in", "yesterday", "today",
                                                                                   "following", "additionally"):
        comma = next((k for k in range(i, min(e, i + 14)) if tokens[k].text == ","), None)
        if comma is not None and comma + 1 < e:
            i = comma + 1
        else:  # "In the filing itself Ford also made this point, …": the name before the verb
            return next(((k, k) for k in range(i + 1, e - 1) if (tokens[k].capitalised or tokens[k].lower in PRONOUNS)
                         and verb_like(tokens, skip_forward_adverbs(tokens, k + 1, e))), None)
    return noun_phrase_after(tokens, i, e)


def skip_forward_adverbs(tokens: list[Token], i: int, e: int) -> int:
    """The index of the first word from ``tokens[i]`` on that is not an adverb ("*also* made")."""
    while i < e - 1 and tokens[i].lower in ("also", "then", "later", "again", "further", "already") or \
            i < e - 1 and tokens[i].lower.endswith("ly") and not tokens[i].capitalised:
        i += 1
    return i
