"""The attribution index's records: a document's statements as Chroma records, stored beside its chunks.

Extraction needs only the document, so it runs at ingest (``ingest/attribution``); the records live in
Chroma (``NAME__quotes``, see ``ingest/store.py``), so server-mode replicas hold no state of their own, and
they change in the same write as the document's chunks, so a changed, pruned or crash-repaired document
never leaves statements behind. ``ATTRIBUTION_VERSION`` is kept in each document's manifest record: when
the extractor changes, the next ingest re-extracts unchanged documents without embedding anything again.

A record's document is what was said (the content spans joined by " … "); its metadata locates it:
``start``/``end`` cover the whole statement as it stands in the text, with its source and cue when they
stand close ("He said Pakistan had …", a split quote's "she said"), so ``text[start:end]`` is a verbatim,
located quote that shows who said it; ``spans`` are the content parts.
"""

from __future__ import annotations

import json

from ingest.attribution import Statement, extract
from ingest.document import Document

#: Bump when extraction changes: stored statements of an older version are extracted again.
ATTRIBUTION_VERSION = 6


#: How far (in characters) a statement's source mention and cue may stand from its content and still be
#: part of the quoted span: "He said Pakistan had …", "“…,” she said, “…”".
ATTRIBUTION_REACH = 120


def located_span(statement: Statement, text: str, others: list[tuple[int, int]] = ()) -> tuple[int, int]:
    """The stretch of ``text`` to quote for ``statement``: its content, widened to take in its source
    mention and cue when they stand close by in the same paragraph, so the quote shows who said it — but
    never over ``others`` (other statements' content: "He said A while noting B" quotes B as "noting B")."""
    lo, hi = statement.start, statement.end

    def clear(a: int, b: int) -> bool:
        return "\n\n" not in text[a:b] and not any(o_start < b and a < o_end for o_start, o_end in others)

    parts = sorted((p.start, p.end) for p in [*statement.content, statement.cue, statement.source] if p)
    for start, end in reversed(parts):  # before the content
        if end <= lo and lo - end <= ATTRIBUTION_REACH and clear(start, lo):
            lo = start
    for start, end in parts:  # after it
        if start >= hi and start - hi <= ATTRIBUTION_REACH and clear(hi, end):
            hi = end
    return lo, hi


def statement_records(doc: Document, doc_id: str, statements: list[Statement] | None = None
                      ) -> tuple[list[str], list[str], list[dict]]:
    """``(ids, documents, metadatas)`` of ``doc``'s statements, ready for ``collection.add``."""
    statements = extract(doc.text) if statements is None else statements
    ids, texts, metas = [], [], []
    for n, st in enumerate(statements):
        others = [(o.start, o.end) for o in statements if o is not st]
        start, end = located_span(st, doc.text, others)
        ids.append(f"{doc_id}:{doc.content_hash[:12]}:q{n:04d}")
        texts.append(st.text)
        metas.append({
            "doc_id": doc_id, "source": doc.source, "title": doc.title, "date": doc.date,
            "publication": doc.publication, "speaker": st.speaker,
            "speaker_key": " ".join(st.speaker.casefold().split()), "speaker_type": st.speaker_type,
            "named": st.named, "kind": st.kind,
            "start": start, "end": end, "quote": doc.text[start:end],
            "spans": json.dumps([list(s) for s in st.content], ensure_ascii=False),
            "aliases": json.dumps(st.aliases, ensure_ascii=False),
            "source_mention": st.source.text if st.source else "", "cue": st.cue.text if st.cue else "",
        })
    return ids, texts, metas
