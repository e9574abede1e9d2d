"""Whether a reporting verb is used as one here: a quotation near it, a participle describing a noun, "went on
to say". Checks for :mod:`.clauses`.
"""

from __future__ import annotations

import re

from ingest.attribution.lexicon import NOT_IN_NOUN_PHRASE, PRONOUNS, SPEECH_VERBS, VERB_PREFIX
from ingest.attribution.phrases import Token, is_quote_mark, noun_phrase_before, skip_back_adverbs, verb_like


def quote_ahead(tokens: list[Token], k: int, e: int, quoted: list[bool], within: int = 12) -> bool:
    """A quotation, or a colon that introduces one, follows ``tokens[k]`` closely."""
    return any(quoted[j] or tokens[j].text == ":" and (j + 1 >= e or tokens[j + 1].start > tokens[j].end)
               for j in range(k + 1, min(e, k + within)))  # a colon before a space, not "2:05:45"


_AUX = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "may", "might", "must"}


def participle_of_noun(tokens: list[Token], k: int, s: int, e: int) -> bool:
    """The past participle at ``tokens[k]`` describes the noun before it rather than reporting: a reduced relative
    whose short phrase is followed by the sentence's own verb ("The black hole described in the study *is*
    located …"), or the object of causative "have" ("had new features added to it")."""
    prev = tokens[k - 1]
    if not prev.is_word or prev.capitalised or prev.lower in PRONOUNS or prev.lower in NOT_IN_NOUN_PHRASE or \
            prev.lower in VERB_PREFIX or prev.lower.endswith("ly"):
        return False  # not "has publicly voiced", "had also said"
    have = next((h for h in range(k - 2, max(s, k - 5) - 1, -1) if tokens[h].lower in ("had", "has", "have",
                                                                                         "having", "get", "got")), None)
    if have is not None and all(t.is_word and not t.capitalised and t.lower not in VERB_PREFIX and
                                not t.lower.endswith("ly") for t in tokens[have + 1:k]):
        return True  # "had new features added": have + a noun phrase + a participle
    if k + 1 >= e or tokens[k + 1].lower not in ("in", "on", "at", "by", "as", "during"):
        return False
    j = k + 2
    while j < e and j - k < 7 and tokens[j].is_word and tokens[j].lower not in _AUX and not verb_like(tokens, j):
        j += 1
    return j < e and tokens[j].lower in _AUX


def asked_quote(tokens: list[Token], k: int, e: int, quoted: list[bool]) -> bool:
    """A quotation follows "asked" in its own clause ("asked: “…”", "asked X to be “…”"), not after a comma or
    another reporting verb ("the questions politicians asked …, and argued “…”")."""
    for j in range(k + 1, min(e, k + 12)):
        if quoted[j] or is_quote_mark(tokens[j]) or tokens[j].text == ":":
            return True
        if tokens[j].text in ",;" and j > k + 1 or tokens[j].lower in SPEECH_VERBS:
            return False
    return False


def after_quotation(tokens: list[Token], k: int, s: int, quoted: list[bool]) -> bool:
    """The verb at ``k`` follows a quotation and its subject: “…,” Tipton observed / “…”, he responded."""
    subject = noun_phrase_before(tokens, k, s)
    edge = (subject[0] if subject is not None else skip_back_adverbs(tokens, k, s)) - 1
    if edge >= s and tokens[edge].text == ",":
        edge -= 1
    return edge >= s and (quoted[edge] or is_quote_mark(tokens[edge]))


def went_on(tokens: list[Token], k: int, s: int) -> bool:
    """``tokens[k]`` follows "went on to" ("Dittmar went on to add, …"): a report by the subject of "went"."""
    return k - 3 >= s and tokens[k - 1].lower == "to" and tokens[k - 2].lower == "on" and \
        tokens[k - 3].lower in ("went", "go", "goes", "going", "gone")


_JUDGMENT_SUFFIXES = ("ive", "ful", "ous", "ic", "able", "ible", "ent", "ant", "ary", "ate", "ile", "less", "ical")
_SUPERLATIVES = {"worst", "best", "largest", "biggest", "greatest", "most", "least"}
_PREPOSITIONS = {"for", "of", "to", "with", "in", "on", "at", "by", "from", "into", "after", "before"}
_NP_OPENERS = {"the", "a", "an", "his", "her", "its", "their", "our", "this", "that", "these", "those"}


def called_judgment(tokens: list[Token], k: int, e: int, quoted: list[bool]) -> bool:
    """"called X <judgment>": "called its actions defensive in nature", "called the crisis the worst in the
    world", "called Trump's order swift, forceful and decisive" — a noun phrase opened by a determiner or a
    possessive name, then an adjective or a superlative; not "called the police" or "called for"."""
    j = k + 1
    if j >= e or quoted[j] or not (tokens[j].lower in _NP_OPENERS or tokens[j].text.endswith(("'s", "’s"))):
        return False
    for n in range(j + 1, min(e, j + 8)):
        word = tokens[n].lower
        if tokens[n].text == "," and n + 1 < e and tokens[n + 1].is_word:
            continue  # "swift, forceful and decisive"
        if quoted[n] or not tokens[n].is_word or word in _PREPOSITIONS:
            return False  # "called the race for a candidate": the object ended
        if n > j + 1 and (word == "the" and n + 1 < e and (tokens[n + 1].lower in _SUPERLATIVES
                                                          or tokens[n + 1].lower.endswith("est"))):
            return True  # "the crisis *the worst* in the world"
        if n > j + 1 and not tokens[n].capitalised and word.endswith(_JUDGMENT_SUFFIXES) and (
                n + 1 >= e or not tokens[n + 1].is_word or tokens[n + 1].lower in ("in", "and", "to", "for")):
            return True  # "its actions *defensive* in nature", "the order *swift*, forceful and decisive"
    return False


_COMPASS = re.compile(r"(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?$")


def placed_estimate(tokens: list[Token], k: int, e: int, quoted: list[bool]) -> bool:
    """"placed X <where or how many>": an agency's estimate ("placed the epicenter about eight kilometers
    southwest of the town", "placed Humberto 75 miles north of Bermuda", "placed the death count in the
    hundreds"); not "placed flowers on the grave"."""
    for n in range(k + 2, min(e, k + 14)):
        word = tokens[n].lower
        if quoted[n]:
            return False
        if _COMPASS.match(word) and n + 1 < e and tokens[n + 1].lower == "of" or \
                word in ("hundreds", "thousands", "dozens", "millions") and tokens[n - 1].lower == "the":
            return True
    return False

