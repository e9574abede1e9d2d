"""Passive reports with an agent: "His death was announced by his son", "The attack was claimed by the Houthi
movement", "Election implications … were described by Johnson as a “historic mandate”".

What was announced, claimed or described is the subject before the auxiliary, so that noun phrase is the
content (and a following "as …" a second part of it); the agent after "by" is the source. Without an agent
("it was reported that …") there is no source, and no statement.
"""

from __future__ import annotations

from ingest.attribution.cue import Cue
from ingest.attribution.lexicon import IRREGULAR_PAST, PRONOUNS, SPEECH_VERBS
from ingest.attribution.phrases import Token, noun_phrase_after, noun_phrase_before, verb_like

_AUXILIARIES = {"was", "were", "is", "are", "been", "be"}
_PERFECT = {"has", "have", "had"}
#: Reporting verbs whose passive names what was said ("was announced"), not the person spoken to ("was told").
_PASSIVE_LEMMAS = {"announce", "claim", "describe", "report", "confirm", "reveal", "disclose", "declare", "deny",
                   "allege", "condemn", "criticize", "criticise", "endorse", "praise", "denounce", "predict"}


def passive_at(tokens: list[Token], k: int, s: int, e: int, quoted: list[bool]) -> Cue | None:
    """A passive report whose participle is ``tokens[k]``, or None."""
    token = tokens[k]
    lemma = SPEECH_VERBS.get(token.lower)
    if lemma not in _PASSIVE_LEMMAS or not (token.lower.endswith("ed") or token.lower in IRREGULAR_PAST):
        return None
    aux = k - 1
    while aux > s and tokens[aux].lower not in _AUXILIARIES and tokens[aux].lower.endswith("ly"):
        aux -= 1  # "was previously announced"
    if aux < s or tokens[aux].lower not in _AUXILIARIES:
        return None
    if tokens[aux].lower == "been" and aux - 1 >= s and tokens[aux - 1].lower in _PERFECT:
        aux -= 1
    by = k + 1
    while by < e and tokens[by].lower.endswith("ly") and not quoted[by]:
        by += 1  # "was announced publicly by"
    if by >= e or tokens[by].lower != "by":
        return None
    if aux > s and tokens[aux - 1].lower in ("and", "but", "or"):
        return None  # "… came from X and was confirmed by Y": the subject is further back
    subject, agent = _subject(tokens, s, aux), noun_phrase_after(tokens, by + 1, e)
    if subject is None or agent is None or quoted[subject[0]] or subject[0] == subject[1] and \
            tokens[subject[0]].lower in PRONOUNS:
        return None
    cue = Cue(k, k, lemma, source=agent, source_after=True, passive=True)
    cue.content_start, cue.content_end = subject[0], subject[1] + 1
    after = agent[1] + 1
    if after < e and tokens[after].lower == "as":
        end = next((t for t in range(after, e) if tokens[t].text in ",;." and not quoted[t]), e)
        cue.extra = (after, end)  # "… described by Johnson as a “historic mandate”"
    return cue


def _subject(tokens: list[Token], s: int, aux: int) -> tuple[int, int] | None:
    """The subject before the auxiliary at ``aux``: all of the clause before it when no verb stands there
    ("Election implications regarding the UK's efforts on leaving the EU were described …"), else the noun
    phrase just before it."""
    start = next((t + 1 for t in range(aux - 1, s - 1, -1) if tokens[t].text in ",;:—–"), s)
    if start < aux and not any(verb_like(tokens, t) for t in range(start, aux)):
        return start, aux - 1
    return noun_phrase_before(tokens, aux, s)
