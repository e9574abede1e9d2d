"""A reporting cue found in a sentence: where it is, its source, and where the words it reports are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Cue:
    """A reporting cue at tokens ``first..last`` ("said", "told reporters", "according to", "called for")."""

    first: int
    last: int
    lemma: str
    participle: bool = False
    coordinated: bool = False  # continues the cue before it and shares its source
    bounded: bool = False  # in a relative or absolute clause ("X, who denied A, …", "with X saying A, …")
    source: tuple[int, int] | None = None
    source_after: bool = False  # "…, said Lam" / "according to Lam"
    content_start: int = 0  # token index where the reported words start
    content_end: int = 0  # token index just after they end
    trailing: bool = False  # the content stands before the cue: "…, she said."
    passive: bool = False  # "His death was announced by his son": the content is the subject (:func:`passive_at`)
    extra: tuple[int, int] | None = None  # a second content range: "… described by Johnson *as a mandate*"
    relay: tuple[int, tuple[int, int]] | None = None  # (verb, source) of a relaying report (:mod:`.relays`)


#: A parser's answer to "what is the subject of the verb at token k?", as a token range (see :mod:`.parsed`).
SubjectOf = Callable[[int], "tuple[int, int] | None"]

