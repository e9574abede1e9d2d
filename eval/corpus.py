"""The collection a question set runs against: checked to exist (hand-written sets) or built from the
set's own articles (SQuAD), and fingerprinted for the run's manifest.

A SQuAD file's articles go into a collection of their own, ``squad2-<hash8>`` of the article texts and the
embedder, written as ``.txt`` files under ``DATA_DIR/squad/<name>/`` and ingested there. Ingest is
idempotent, so a later run with the same file costs a hash per article and no embedding work.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from eval.sets import QuestionSet
from eval.squad import write_articles
from rag.errors import EvalError
from rag.settings import Settings


@dataclass
class Corpus:
    collection: str
    documents: dict[str, dict]  # the store's manifest: doc_id -> metadata (source, path, doc_hash, chunks)
    fingerprint: str
    embedding_model: str
    chunks_embedded: int = 0  # SQuAD: embedding work this run did (0 when the collection was reused)


def squad_collection_name(articles: dict[str, str], embedding_model: str) -> str:
    digest = hashlib.sha256(json.dumps([embedding_model, sorted(articles.items())]).encode()).hexdigest()
    return f"squad2-{digest[:8]}"


def fingerprint(collection: str, embedding_model: str, documents: dict[str, dict]) -> str:
    """Changes whenever a document is added, removed or changed, or the embedder is another one."""
    state = sorted((d, m.get("doc_hash", ""), m.get("chunks", 0)) for d, m in documents.items())
    return hashlib.sha256(json.dumps([collection, embedding_model, state]).encode()).hexdigest()[:16]


def prepare_corpus(qset: QuestionSet, settings: Settings, collection: str | None = None, embedder=None,
                   progress: bool = True) -> Corpus:
    """Open (or, for SQuAD, build) the collection; ``collection`` is the ``--collection`` flag, if given.

    Precedence: the flag, then the set's own ``collection``, then for SQuAD ``squad2-<hash8>``, then the
    configured default. ``embedder`` is only needed (and only loaded) for SQuAD.
    """
    from ingest.embedder import embedder_spec

    model, dimension = embedder_spec(settings.embedder)
    if qset.kind == "squad":
        name = collection or qset.collection or squad_collection_name(qset.articles or {}, model)
        documents, embedded = ingest_articles(qset.articles or {}, settings, name, embedder, progress)
    else:
        name = collection or qset.collection or settings.collection
        documents, embedded = stored_documents(settings, name, model, dimension), 0
        _check_sources(qset, documents)
    return Corpus(name, documents, fingerprint(name, model, documents), model, embedded)


def stored_documents(settings: Settings, name: str, model: str, dimension: int) -> dict[str, dict]:
    """The finished documents of an existing collection; the store's error says how to create a missing one."""
    from ingest.store import Store

    store = Store(settings, model, dimension, collection=name, create=False)
    try:
        documents = {d: m for d, m in store.documents().items() if m.get("state") == "done"}
    finally:
        store.close()
    if not documents:
        raise EvalError(f"collection {name!r} has no documents; add them with `ragchat ingest PATH "
                        f"--collection {name}`.")
    return documents


def ingest_articles(articles: dict[str, str], settings: Settings, name: str, embedder, progress: bool
                    ) -> tuple[dict[str, dict], int]:
    """Ingest the articles into collection ``name``: ``(its documents, chunks embedded now)``."""
    from ingest.chunking import TokenizerCounter
    from ingest.embedder import make_embedder, minilm_tokenizer
    from ingest.pipeline import ingest
    from ingest.store import Store

    embedder = embedder or make_embedder(settings.embedder)
    folder = write_articles(articles, Path(settings.data_dir) / "squad" / name)
    store = Store(settings, embedder.name, embedder.dimension, collection=name)
    try:
        report = ingest([folder], store, embedder, TokenizerCounter(minilm_tokenizer()), progress=progress)
        documents = {d: m for d, m in store.documents().items() if m.get("state") == "done"}
    finally:
        store.close()
    if report.failed:
        raise EvalError(f"could not ingest the SQuAD articles into {name!r}: {report.failed[0]}")
    missing = sorted(set(articles) - set(documents))
    if missing:
        raise EvalError(f"collection {name!r} lacks article(s) {', '.join(missing[:3])}; another file may "
                        f"use their ids. Remove {folder} and the collection, or pass another --collection.")
    return documents, report.chunks_embedded


def _check_sources(qset: QuestionSet, documents: dict[str, dict]) -> None:
    """Warn about ``expected_sources`` naming no stored document (a typo would fail every run)."""
    known = set(documents) | {m.get("source", "") for m in documents.values()}
    for q in qset.questions:
        for source in q.expected_sources:
            if source not in known:
                qset.warnings.append(f"{q.where}: expected source {source!r} is not in the collection")
