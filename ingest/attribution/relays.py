"""Relayed statements: words one source said as another reports them ("Erdogan said — as reported by Hurriyet
Daily News — “…”", "“…”, as quoted by Greek Reporter", "Reuters, citing anonymous sources, reported …").

The labels take a nested report at both levels, with the same content; so the relaying phrase is taken out of
the content (or the source) and becomes a second source of the same statement (:attr:`.Cue.relay`).
"""

from __future__ import annotations

from ingest.attribution.cue import Cue
from ingest.attribution.phrases import Token, noun_phrase_after

_RELAY_VERBS = {"reported", "quoted", "cited", "told", "relayed", "translated"}
_ASIDE_MARKS = {",", "—", "–", "(", ")"}


def find_relay(tokens: list[Token], cue: Cue, quoted: list[bool]) -> None:
    """Move an "as reported by X" aside at either end of ``cue``'s content, or a ", citing X," inside its source,
    to ``cue.relay``."""
    if cue.source is not None and not cue.source_after:
        a, b = cue.source
        for k in range(a + 1, b):
            if tokens[k].text == "," and tokens[k + 1].lower == "citing":  # "Reuters, citing anonymous sources"
                cue.source, cue.relay = (a, k - 1), (k + 1, noun_phrase_after(tokens, k + 2, b + 1))
                return
    start, end = cue.content_start, cue.content_end
    k = start
    while k < end and tokens[k].text in _ASIDE_MARKS:
        k += 1
    relay = _as_reported_by(tokens, k, end, quoted)
    if relay is not None:  # "said — as reported by Hurriyet Daily News — “…”"
        after = relay[1][1] + 1
        while after < end and tokens[after].text in _ASIDE_MARKS:
            after += 1
        cue.content_start, cue.relay = after, relay
        return
    for k in range(start + 1, end):
        if tokens[k].lower == "as" and tokens[k - 1].text in _ASIDE_MARKS and not quoted[k]:
            relay = _as_reported_by(tokens, k, end, quoted)
            if relay is not None and relay[1][1] + 1 >= end:  # "“…”, as quoted by Greek Reporter"
                cut = k
                while cut > start and tokens[cut - 1].text in _ASIDE_MARKS:
                    cut -= 1
                cue.content_end, cue.relay = cut, relay
                return


def _as_reported_by(tokens: list[Token], k: int, end: int, quoted: list[bool]) -> tuple[int, tuple[int, int]] | None:
    """``(verb, source)`` for "as reported by <source>" starting at ``tokens[k]``."""
    if k + 3 >= end or quoted[k] or tokens[k].lower != "as" or tokens[k + 1].lower not in _RELAY_VERBS or \
            tokens[k + 2].lower != "by":
        return None
    source = noun_phrase_after(tokens, k + 3, end)
    return (k + 1, source) if source is not None else None
