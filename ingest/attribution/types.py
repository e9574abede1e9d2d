"""What the attribution extractor returns: statements made of spans of the document.

A :class:`Span` is ``(start, end, text)`` with ``text == document[start:end]`` always, so a statement can be
quoted and located exactly like a citation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal, NamedTuple

Kind = Literal["direct", "reported"]
SpeakerType = Literal["person", "organisation", "other"]


class Span(NamedTuple):
    start: int
    end: int
    text: str

    @classmethod
    def of(cls, document: str, start: int, end: int) -> Span:
        """The span ``document[start:end]`` with surrounding white space trimmed.

        >>> Span.of("  he said ", 0, 10)
        Span(start=2, end=9, text='he said')
        """
        while start < end and document[start].isspace():
            start += 1
        while end > start and document[end - 1].isspace():
            end -= 1
        return cls(start, end, document[start:end])


@dataclass
class Statement:
    """Who said what: ``content`` (one span per quoted part or paragraph), the reporting ``cue`` ("said",
    "according to", ":" …), the ``source`` mention at the attribution ("he", "the minister", "Asif") and the
    ``speaker`` it resolves to within the document (the fullest name, or the description when unnamed)."""

    kind: Kind
    content: list[Span]
    cue: Span | None
    source: Span | None
    speaker: str
    speaker_type: SpeakerType = "person"
    named: bool = True
    aliases: list[str] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.content[0].start

    @property
    def end(self) -> int:
        return self.content[-1].end

    @property
    def text(self) -> str:
        """The content as one string: its spans joined by " … " when there are several."""
        return " … ".join(span.text for span in self.content)

    def to_dict(self) -> dict:
        """Plain JSON-ready form, spans as ``{"start", "end", "text"}`` like the gold labels."""
        data = asdict(self)
        data["content"] = [span._asdict() for span in self.content]
        data["cue"] = self.cue._asdict() if self.cue else None
        data["source"] = self.source._asdict() if self.source else None
        return data
