"""The Chroma store: chunks with their embeddings, a per-document manifest, and the keyword index.

Three Chroma collections per ragchat collection:

* ``NAME`` holds the chunks (id ``doc_id:hash12:index``), their vectors and metadata;
* ``NAME__docs`` is the manifest, one record per document. Its ``state`` is ``writing`` while a document's
  chunks change and ``done`` after, so a crash at any moment leaves a mark that :meth:`Store.repair` uses
  to delete exactly the affected document's chunks, never scanning the whole collection;
* ``NAME__quotes`` is the attribution index, one record per statement (``ingest/statements.py``), written
  and deleted with the document's chunks.

The keyword index (SQLite FTS5 under the data directory) follows the manifest document by document.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import signal
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from ingest.embedder import EMBEDDER_SPECS
from ingest.keyword import KeywordIndex
from rag.errors import ConfigError, RagchatError, StoreError
from rag.settings import Settings, offline_environment


def failpoint(name: str) -> None:
    """Crash-test hook: ``RAGCHAT_FAILPOINT=name:N`` kills this process (SIGKILL) at the N-th pass here."""
    spec = os.environ.get("RAGCHAT_FAILPOINT", "")
    if not spec.startswith(name + ":"):
        return
    _FAILPOINT_HITS[name] = _FAILPOINT_HITS.get(name, 0) + 1
    if _FAILPOINT_HITS[name] >= int(spec.split(":", 1)[1]):
        os.kill(os.getpid(), signal.SIGKILL)


_FAILPOINT_HITS: dict[str, int] = {}


def _store_errors(method):
    """Turn whatever Chroma raises (a server gone, a disk full, a read-only directory) into a StoreError."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RagchatError:
            raise
        except Exception as exc:
            detail = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}".rstrip(": ")
            if self.settings.chroma_url:
                raise StoreError(f"the Chroma server at {self.settings.chroma_url} failed ({detail}); check that "
                                 "it is running (`chroma run`) and try again.") from exc
            raise StoreError(f"the Chroma store in {Path(self.settings.data_dir) / 'chroma'} failed ({detail}); "
                             "check that the data directory is writable and the disk not full.") from exc

    return wrapper

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,58}[a-z0-9]$")
MANIFEST_SUFFIX = "__docs"
QUOTES_SUFFIX = "__quotes"


def check_collection_name(name: str) -> str:
    if not _NAME.match(name) or ".." in name or "__" in name:
        raise ConfigError(
            f"invalid collection name {name!r}: use 3-60 lower-case letters, digits, '.', '-' or '_', "
            "starting and ending with a letter or digit."
        )
    return name


@dataclass
class StoredChunk:
    id: str
    text: str
    metadata: dict

    @property
    def doc_id(self) -> str:
        return self.metadata["doc_id"]


def open_client(settings: Settings):
    """An embedded ``PersistentClient`` under the data directory, or an ``HttpClient`` for a server."""
    offline_environment()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(
                f"RAGCHAT_CHROMA_URL={settings.chroma_url!r} is not a URL like http://127.0.0.1:8000."
            )
        try:
            client = chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # chromadb raises several kinds for a server that isn't there
            raise StoreError(
                f"cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__}); "
                "start it with `chroma run --path DIR --port PORT` or unset RAGCHAT_CHROMA_URL."
            ) from exc
        return client
    path = Path(settings.data_dir) / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise StoreError(
            f"cannot open the Chroma store in {path} ({exc}); check that the data directory (RAGCHAT_DATA_DIR) "
            "is writable and the disk not full."
        ) from exc


def keyword_index_path(settings: Settings, collection: str) -> Path:
    """Embedded: beside the Chroma files. Server mode: one index per server, on this machine."""
    base = Path(settings.data_dir) / "keyword"
    if settings.chroma_url:
        base = base / hashlib.sha1(settings.chroma_url.encode()).hexdigest()[:12]
    return base / f"{collection}.sqlite3"


class Store:
    """One ragchat collection: chunks, manifest and keyword index, kept consistent with each other."""

    def __init__(self, settings: Settings, embedder_name: str, dimension: int, collection: str | None = None,
                 create: bool = True):
        self.name = check_collection_name(collection or settings.collection)
        self.settings = settings
        self.client = open_client(settings)
        self.embedder_name, self.dimension = embedder_name, dimension
        try:
            if not create and self.name not in self._collection_names():
                raise StoreError(
                    f"collection {self.name!r} does not exist; create it with `ragchat ingest PATH "
                    f"--collection {self.name}`."
                )
            self.chunks = self.client.get_or_create_collection(
                self.name,
                metadata={"embedding_model": embedder_name, "dimension": dimension},
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
            self.manifest = self.client.get_or_create_collection(
                self.name + MANIFEST_SUFFIX, configuration={"hnsw": {"space": "l2"}}, embedding_function=None
            )
            self.quotes = self.client.get_or_create_collection(
                self.name + QUOTES_SUFFIX, configuration={"hnsw": {"space": "l2"}}, embedding_function=None
            )
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot open collection {self.name!r}: {exc}") from exc
        meta = self.chunks.metadata or {}
        if meta.get("embedding_model") != embedder_name or int(meta.get("dimension", -1)) != dimension:
            built = meta.get("embedding_model")
            keys = [k for k, (model, _) in EMBEDDER_SPECS.items() if model == built]
            same = f"RAGCHAT_EMBEDDER={keys[0]}" if keys else "the same embedder (RAGCHAT_EMBEDDER)"
            fresh = "" if settings.chroma_url else f", or delete {settings.data_dir} and ingest again"
            raise StoreError(
                f"collection {self.name!r} was built with embedder {built!r} "
                f"({meta.get('dimension')} dimensions) but the current one is {embedder_name!r} ({dimension}); "
                f"use {same} or ingest into a new --collection{fresh}."
            )
        self.keyword = KeywordIndex(keyword_index_path(settings, self.name))
        self._max_batch = max(1, min(self.client.get_max_batch_size(), 5000))

    def close(self) -> None:
        """Close the keyword index and, in server mode, the HTTP connections."""
        self.keyword.close()
        session = getattr(getattr(self.client, "_server", None), "_session", None)
        if session is not None:
            session.close()

    def _collection_names(self) -> list[str]:
        return [c if isinstance(c, str) else c.name for c in self.client.list_collections()]

    # --- manifest ----------------------------------------------------------------------------------

    @_store_errors
    def documents(self) -> dict[str, dict]:
        """Every document record of the manifest: doc_id -> metadata."""
        got = self.manifest.get(include=["metadatas"])
        return dict(zip(got["ids"], got["metadatas"]))

    def _mark(self, doc_id: str, metadata: dict) -> None:
        self.manifest.upsert(ids=[doc_id], embeddings=[[0.0]], metadatas=[metadata])

    # --- writes ------------------------------------------------------------------------------------

    @_store_errors
    def replace_document(self, doc_meta: dict, chunk_ids: list[str], texts: list[str],
                         embeddings: list[list[float]], metadatas: list[dict],
                         statements: tuple[list[str], list[str], list[dict]] = ([], [], [])) -> None:
        """Swap a document's chunks and statements for new ones; a crash anywhere in here is undone by
        :meth:`repair`. ``statements``: ``(ids, texts, metadatas)`` from ``ingest.statements``."""
        doc_id = doc_meta["doc_id"]
        self._mark(doc_id, {**doc_meta, "state": "writing"})
        failpoint("marked-writing")
        self.chunks.delete(where={"doc_id": doc_id})
        failpoint("deleted-old")
        for i in range(0, len(chunk_ids), self._max_batch):
            j = i + self._max_batch
            self.chunks.add(ids=chunk_ids[i:j], embeddings=embeddings[i:j], documents=texts[i:j],
                            metadatas=metadatas[i:j])
            failpoint("added-batch")
        self._write_statements(doc_id, statements)
        failpoint("quotes-written")
        self._mark(doc_id, {**doc_meta, "state": "done", "chunks": len(chunk_ids)})
        failpoint("marked-done")
        self.keyword.replace_document(doc_id, doc_meta["doc_hash"], list(zip(chunk_ids, texts)))
        failpoint("keyword-written")

    def _write_statements(self, doc_id: str, statements: tuple[list[str], list[str], list[dict]]) -> None:
        self.quotes.delete(where={"doc_id": doc_id})
        ids, texts, metas = statements
        for i in range(0, len(ids), self._max_batch):
            j = i + self._max_batch
            self.quotes.add(ids=ids[i:j], embeddings=[[0.0]] * len(ids[i:j]), documents=texts[i:j],
                            metadatas=metas[i:j])

    @_store_errors
    def replace_statements(self, doc_meta: dict, statements: tuple[list[str], list[str], list[dict]]) -> None:
        """Re-extracted statements of an unchanged document (no chunk changes). A crash in here leaves the
        manifest's older ``attribution`` version, so the next ingest simply does it again."""
        self._write_statements(doc_meta["doc_id"], statements)
        self._mark(doc_meta["doc_id"], doc_meta)

    @_store_errors
    def delete_document(self, doc_id: str) -> None:
        self._mark(doc_id, {"doc_id": doc_id, "state": "writing", "doc_hash": ""})
        self.chunks.delete(where={"doc_id": doc_id})
        self.quotes.delete(where={"doc_id": doc_id})
        self.manifest.delete(ids=[doc_id])
        self.keyword.delete_document(doc_id)

    @_store_errors
    def repair(self) -> list[str]:
        """Finish what a crashed ingest left: drop half-written documents, resync the keyword index.

        Returns the ids of the documents that were dropped (the next ingest adds them again).
        """
        docs = self.documents()
        dropped = [doc_id for doc_id, meta in docs.items() if meta.get("state") != "done"]
        for doc_id in dropped:
            self.delete_document(doc_id)
        self.sync_keyword_index({k: v for k, v in docs.items() if k not in dropped})
        return dropped

    @_store_errors
    def sync_keyword_index(self, docs: dict[str, dict] | None = None) -> int:
        docs = self.documents() if docs is None else docs
        manifest = {doc_id: meta["doc_hash"] for doc_id, meta in docs.items() if meta.get("state") == "done"}
        return self.keyword.sync(manifest, self._chunk_texts)

    def _chunk_texts(self, doc_id: str) -> list[tuple[str, str]]:
        got = self.chunks.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        rows = sorted(zip(got["ids"], got["documents"], got["metadatas"]), key=lambda r: r[2]["index"])
        return [(cid, text) for cid, text, _ in rows]

    # --- reads -------------------------------------------------------------------------------------

    @_store_errors
    def get_chunks(self, ids: list[str]) -> list[StoredChunk]:
        if not ids:
            return []
        got = self.chunks.get(ids=ids, include=["documents", "metadatas"])
        by_id = {cid: StoredChunk(cid, text, meta)
                 for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"])}
        return [by_id[i] for i in ids if i in by_id]

    @_store_errors
    def document_chunks(self, doc_id: str) -> list[StoredChunk]:
        got = self.chunks.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        chunks = [StoredChunk(cid, t, m) for cid, t, m in zip(got["ids"], got["documents"], got["metadatas"])]
        return sorted(chunks, key=lambda c: c.metadata["index"])

    @_store_errors
    def dense_search(self, embedding: list[float], k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """Nearest chunks as ``(chunk_id, cosine similarity)``, best first."""
        n = self.chunks.count()
        if n == 0:
            return []
        got = self.chunks.query(query_embeddings=[embedding], n_results=min(k, n), where=where,
                                include=["distances"])
        return [(cid, 1.0 - dist) for cid, dist in zip(got["ids"][0], got["distances"][0])]

    @_store_errors
    def count(self) -> int:
        return self.chunks.count()

    @_store_errors
    def statements(self, where: dict | None = None) -> list[tuple[str, str, dict]]:
        """Stored statements as ``(id, what was said, metadata)``, optionally filtered (``{"doc_id": …}``)."""
        got = self.quotes.get(where=where, include=["documents", "metadatas"])
        return list(zip(got["ids"], got["documents"], got["metadatas"]))
