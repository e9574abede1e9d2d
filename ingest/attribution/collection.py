"""Speakers across a collection: the same person named in many documents is one speaker.

Within a document the extractor already resolves surnames, titles and pronouns to the fullest name. Across
documents only names are compared: the same full name (case and spacing aside) is one speaker, and a
bare surname ("Asif") joins a full name ("Khawaja Asif") only when exactly one full name in the collection
ends in it. Unnamed sources ("police", "officials") are never merged across documents: two articles'
"police" are rarely the same people.

>>> a = Statement("reported", [Span(0, 1, "x")], None, None, "Khawaja Asif")
>>> b = Statement("reported", [Span(0, 1, "y")], None, None, "Asif")
>>> [(r.name, r.documents) for r in merge_speakers({"d1": [a], "d2": [b]})]
[('Khawaja Asif', ['d1', 'd2'])]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ingest.attribution.types import Span, SpeakerType, Statement

__all__ = ["SpeakerRecord", "merge_speakers", "Span"]


@dataclass
class SpeakerRecord:
    """One speaker of the collection: its canonical name, every alias seen, and its statements."""

    name: str
    speaker_type: SpeakerType
    named: bool
    aliases: list[str] = field(default_factory=list)
    statements: list[tuple[str, Statement]] = field(default_factory=list)  # (doc_id, statement)

    @property
    def documents(self) -> list[str]:
        return sorted({doc_id for doc_id, _ in self.statements})


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def merge_speakers(documents: Mapping[str, list[Statement]]) -> list[SpeakerRecord]:
    """Speakers of ``{doc_id: statements}``, merged as the module says; most statements first."""
    full_names: dict[str, str] = {}  # key → the spelling first seen
    for statements in documents.values():
        for st in statements:
            if st.named and len(st.speaker.split()) > 1:
                full_names.setdefault(_key(st.speaker), st.speaker)
    by_surname: dict[str, set[str]] = {}
    for key in full_names:
        by_surname.setdefault(key.split()[-1], set()).add(key)

    records: dict[str, SpeakerRecord] = {}
    for doc_id, statements in documents.items():
        for st in statements:
            key = _key(st.speaker)
            if not st.named:
                key = f"{doc_id}\0{key}"
            elif len(key.split()) == 1 and len(by_surname.get(key, ())) == 1:
                key = next(iter(by_surname[key]))
            name = full_names.get(key, st.speaker)
            record = records.setdefault(key, SpeakerRecord(name, st.speaker_type, st.named))
            record.statements.append((doc_id, st))
            for alias in [st.speaker, *st.aliases]:
                if alias not in record.aliases and alias != record.name:
                    record.aliases.append(alias)
    return sorted(records.values(), key=lambda r: (-len(r.statements), r.name))
