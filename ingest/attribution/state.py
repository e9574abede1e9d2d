"""What the :class:`~ingest.attribution.reader.Reader` holds while it reads a document, declared once for
the mixins that add reader methods in their own modules (transcripts, unattributed quotes)."""

from __future__ import annotations

from ingest.attribution.layout import Paragraph, Quote
from ingest.attribution.phrases import Token
from ingest.attribution.speakers import Cast, Speaker
from ingest.attribution.types import Statement


class ReaderState:
    """The reader's fields; the methods ``_index``, ``_span``, ``_tokens_span``, ``_add`` and ``_outside``
    are the Reader's own."""

    text: str
    tokens: list[Token]
    quoted: list[bool]
    paras: list[Paragraph]
    quotes: list[Quote]
    used: set[int]
    cast: Cast
    statements: list[Statement]
    speakers: list[Speaker]
    interview: bool
