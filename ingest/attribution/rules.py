"""The rules-only extractor: word lists and patterns, no model (:mod:`.clauses`, :mod:`.speakers`)."""

from __future__ import annotations

from ingest.attribution.reader import Reader
from ingest.attribution.types import Statement


class RuleExtractor:
    name = "rules"

    def extract(self, text: str) -> list[Statement]:
        return Reader(text).read()
