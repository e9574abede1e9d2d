"""Hybrid retrieval: dense (Chroma) and BM25 (the keyword index), fused by reciprocal rank fusion.

Near-duplicate documents (one wire story in several outlets, grouped at ingest by ``ingest/dedup.py``)
take one place in the results: of passages from documents of one group that say the same thing (most of
their word trigrams shared), only the best-ranked is kept, and it records the group's other documents
(:attr:`Passage.also_in`), so the story is cited once, "also in N other documents". Passages of the group
that say something else stay.

>>> rrf([["a", "b"], ["b", "c"]], k=60)[0][0]
'b'
"""

from __future__ import annotations

import time
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.types import Passage

RRF_K = 60  # the constant of Cormack et al.; ranks beyond a few dozen barely count
#: Two passages of one near-duplicate group are the same passage when this share of the shorter one's
#: word trigrams is in the other (republished copies differ by a headline, a dateline, a light edit).
SAME_PASSAGE = 0.5
KEYWORD_RESYNC_SECONDS = 30.0  # how stale the local keyword index may be against a shared Chroma server


def rrf(rankings: list[list[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Fuse ranked id lists: each id scores the sum of ``1 / (k + rank)`` over the lists it is in."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def chunk_where(doc_ids: list[str] | None, date_from: str | None, date_to: str | None) -> dict | None:
    """A Chroma ``where`` filter for documents and an inclusive ISO date range."""
    clauses: list[dict] = []
    if doc_ids:
        clauses.append({"doc_id": {"$in": list(doc_ids)}})
    if date_from:
        clauses.append({"date_int": {"$gte": int(date_from.replace("-", ""))}})
    if date_to:
        clauses.append({"date_int": {"$lte": int(date_to.replace("-", ""))}})
        if not date_from:
            clauses.append({"date_int": {"$gt": 0}})  # undated documents match no date range
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class HybridRetriever(BaseRetriever):
    """A LangChain retriever over a :class:`ingest.store.Store` and an embedder.

    ``invoke(query)`` gives LangChain ``Document``s; :meth:`retrieve` gives :class:`Passage`s and also
    returns the query embedding so later stages need not embed the question again.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    embedder: Any
    k: int = 6
    fetch_k: int = 20
    _synced_at: float = 0.0

    def ensure_keyword_index(self) -> None:
        """Catch the keyword index up with Chroma (only changed documents), at most every 30 s."""
        now = time.monotonic()
        if now - self._synced_at > KEYWORD_RESYNC_SECONDS:
            self.store.sync_keyword_index()
            self._synced_at = now

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        doc_ids: list[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        query_embedding: list[float] | None = None,
    ) -> tuple[list[Passage], list[float]]:
        k = k or self.k
        self.ensure_keyword_index()
        vector = query_embedding or self.embedder.embed_batch([query])[0]
        where = chunk_where(doc_ids, date_from, date_to)
        dense = self.store.dense_search(vector, self.fetch_k, where=where)
        allowed = None
        if date_from or date_to:  # the keyword index knows documents, not dates: filter by the manifest
            allowed = [d for d, m in self.store.documents().items()
                       if (not doc_ids or d in doc_ids) and _in_range(m.get("date", ""), date_from, date_to)]
        elif doc_ids:
            allowed = list(doc_ids)
        keyword = self.store.keyword.search(query, self.fetch_k, doc_ids=allowed)
        fused = rrf([[cid for cid, _ in dense], [cid for cid, _ in keyword]])
        group_of = self.store.dup_groups(list(dict.fromkeys(chunk_doc_id(cid) for cid, _ in fused)))
        candidates_of: dict[str, set[str]] = {}  # dup group -> the candidate documents in it
        for doc_id, group in group_of.items():
            candidates_of.setdefault(group, set()).add(doc_id)
        passages: list[Passage] = []
        position = 0
        while len(passages) < k and position < len(fused):  # fetched page by page: copies make room
            page = fused[position:position + k - len(passages)]
            position += len(page)
            chunks = {c.id: c for c in self.store.get_chunks([cid for cid, _ in page])}
            for cid, score in page:
                chunk = chunks.get(cid)
                if chunk is None:  # deleted between search and fetch
                    continue
                m = chunk.metadata
                passage = Passage(
                    chunk_id=cid, doc_id=m["doc_id"], source=m["source"], title=m.get("title", ""),
                    date=m.get("date", ""), publication=m.get("publication", ""), start=m["start"],
                    end=m["end"], text=chunk.text, score=score, page=m["page"] if m.get("page", -1) >= 0 else None,
                )
                group = group_of.get(passage.doc_id, passage.doc_id)
                if len(candidates_of.get(group, ())) > 1:
                    passage.dup_group = group
                    if any(_same_passage(passage, kept) for kept in passages):
                        continue  # another copy of the story, already retrieved
                passages.append(passage)
        self._copies(passages, group_of)
        return passages, vector

    def _copies(self, passages: list[Passage], group_of: dict[str, str]) -> None:
        """Record on each passage the other documents of its near-duplicate group (:attr:`Passage.also_in`)."""
        members = self.store.group_members([group_of[p.doc_id] for p in passages if p.doc_id in group_of])
        for p in passages:
            group = group_of.get(p.doc_id, p.doc_id)
            if len(members.get(group, ())) > 1:
                p.dup_group = group
                p.also_in = [d for d in members[group] if d != p.doc_id]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        passages, _ = self.retrieve(query)
        return [
            Document(page_content=p.text, metadata={**p.to_dict(), "chunk_id": p.chunk_id, "title": p.title,
                                                     "date": p.date})
            for p in passages
        ]


def chunk_doc_id(chunk_id: str) -> str:
    """The document of a chunk id (``doc_id:hash12:index``, see ``ingest/pipeline.py``)."""
    return chunk_id.rsplit(":", 2)[0]


def _same_passage(passage: Passage, kept: Passage) -> bool:
    """Does ``kept``, from another copy of the same story, already say what ``passage`` says?"""
    from ingest.dedup import shingles

    if kept.dup_group != passage.dup_group or kept.doc_id == passage.doc_id:
        return False
    mine, theirs = shingles(passage.text, 3), shingles(kept.text, 3)
    return bool(mine and theirs) and len(mine & theirs) / min(len(mine), len(theirs)) >= SAME_PASSAGE


def _in_range(date: str, date_from: str | None, date_to: str | None) -> bool:
    if not date:
        return False
    return (not date_from or date >= date_from) and (not date_to or date <= date_to)
