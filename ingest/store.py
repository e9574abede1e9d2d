"""The Chroma store: chunks with their embeddings, a per-document manifest, and the keyword index.

Four Chroma collections per ragchat collection:

* ``NAME`` holds the chunks (id ``doc_id:hash12:index``), their vectors and metadata;
* ``NAME__docs`` is the manifest, one record per document. Its ``state`` is ``writing`` while a document's
  chunks change and ``done`` after, so a crash at any moment leaves a mark that :meth:`Store.repair` uses
  to delete exactly the affected document's chunks, never scanning the whole collection;
* ``NAME__quotes`` is the attribution index, one record per statement (``ingest/statements.py``), written
  and deleted with the document's chunks;
* ``NAME__dups`` holds each document's near-duplicate record (``ingest/dedup.py``: MinHash signature,
  ``dup_group``, ingest order), written inside the document's write and deleted with it. Removing a
  group's canonical copy regroups the rest of the group in the same call.

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
DUPS_SUFFIX = "__dups"


def check_collection_name(name: str) -> str:
    if not _NAME.match(name) or ".." in name or "__" in name:
        raise ConfigError(
            f"invalid collection name {name!r}: use 3-60 lower-case letters, digits, '.', '-' or '_', "
            "starting and ending with a letter or digit."
        )
    return name


@dataclass
class DocumentWrite:
    """One document's new content for :meth:`Store.replace_documents`."""

    doc_meta: dict
    chunk_ids: list[str]
    texts: list[str]
    embeddings: list[list[float]]
    metadatas: list[dict]
    statements: tuple[list[str], list[str], list[dict]] = ([], [], [])


def _failpoints(name: str, writes: list) -> None:
    """One pass of the crash-test hook per document of a batched step, so ``name:N`` still kills at the
    step that the N-th document reaches."""
    for _ in writes:
        failpoint(name)


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
            self.dups = self.client.get_or_create_collection(
                self.name + DUPS_SUFFIX, configuration={"hnsw": {"space": "l2"}}, embedding_function=None
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
        got = self._get_all(self.manifest, ["metadatas"])
        return dict(zip(got["ids"], got["metadatas"]))

    def _get_all(self, collection, include: list[str], where: dict | None = None,
                 ids: list[str] | None = None) -> dict[str, list]:
        """``collection.get`` page by page: one call for everything fails past SQLite's limit on variables
        (the statements of a 10,000-article archive did)."""
        got: dict[str, list] = {"ids": [], **{key: [] for key in include}}
        if ids is not None:
            pages = [dict(ids=ids[i:i + self._max_batch]) for i in range(0, len(ids), self._max_batch)]
        else:
            pages = None
        offset = 0
        while True:
            if pages is not None:
                if not pages:
                    break
                part = collection.get(where=where, include=include, **pages.pop(0))
            else:
                part = collection.get(where=where, include=include, limit=self._max_batch, offset=offset)
            for key in got:
                got[key].extend(part[key] or [])
            offset += len(part["ids"])
            if pages is None and len(part["ids"]) < self._max_batch:
                break
        return got

    def _mark(self, doc_id: str, metadata: dict) -> None:
        self.manifest.upsert(ids=[doc_id], embeddings=[[0.0]], metadatas=[metadata])

    # --- writes ------------------------------------------------------------------------------------

    @_store_errors
    def replace_document(self, doc_meta: dict, chunk_ids: list[str], texts: list[str],
                         embeddings: list[list[float]], metadatas: list[dict],
                         statements: tuple[list[str], list[str], list[dict]] = ([], [], []),
                         dedup: list = ()) -> None:
        """Swap a document's chunks and statements for new ones; a crash anywhere in here is undone by
        :meth:`repair`. ``statements``: ``(ids, texts, metadatas)`` from ``ingest.statements``; ``dedup``:
        the document's near-duplicate record and those of other documents its placement regrouped
        (``ingest.dedup.DedupIndex.place``)."""
        self.replace_documents([DocumentWrite(doc_meta, chunk_ids, texts, embeddings, metadatas, statements)],
                               dedup)

    @_store_errors
    def replace_documents(self, writes: list[DocumentWrite], dedup: list = ()) -> None:
        """:meth:`replace_document` for several documents at once, with one Chroma call per step for all of
        them: each call costs tens of milliseconds whatever its size (a transaction written to disk), which
        for short news articles was most of the ingest time. All are marked ``writing`` first and ``done``
        last, so a crash in between leaves each of them to :meth:`repair`, as for one document."""
        if not writes:
            return
        doc_ids = [w.doc_meta["doc_id"] for w in writes]
        if len(set(doc_ids)) != len(doc_ids):
            raise ValueError(f"a document twice in one write: {doc_ids}")
        self._mark_all([{**w.doc_meta, "state": "writing"} for w in writes])
        _failpoints("marked-writing", writes)
        self.chunks.delete(where={"doc_id": {"$in": doc_ids}})
        _failpoints("deleted-old", writes)
        self._add(self.chunks, [i for w in writes for i in w.chunk_ids], [e for w in writes for e in w.embeddings],
                  [t for w in writes for t in w.texts], [m for w in writes for m in w.metadatas])
        _failpoints("added-batch", writes)
        self.quotes.delete(where={"doc_id": {"$in": doc_ids}})
        ids = [i for w in writes for i in w.statements[0]]
        self._add(self.quotes, ids, [[0.0]] * len(ids), [t for w in writes for t in w.statements[1]],
                  [m for w in writes for m in w.statements[2]])
        _failpoints("quotes-written", writes)
        self.write_dedup(dedup)
        _failpoints("dedup-written", writes)
        self._mark_all([{**w.doc_meta, "state": "done", "chunks": len(w.chunk_ids)} for w in writes])
        _failpoints("marked-done", writes)
        for w in writes:
            self.keyword.replace_document(w.doc_meta["doc_id"], w.doc_meta["doc_hash"],
                                          list(zip(w.chunk_ids, w.texts)))
            failpoint("keyword-written")

    def _mark_all(self, metadatas: list[dict]) -> None:
        for i in range(0, len(metadatas), self._max_batch):
            batch = metadatas[i:i + self._max_batch]
            self.manifest.upsert(ids=[m["doc_id"] for m in batch], embeddings=[[0.0]] * len(batch), metadatas=batch)

    def _add(self, collection, ids: list[str], embeddings: list, texts: list[str], metadatas: list[dict]) -> None:
        for i in range(0, len(ids), self._max_batch):
            j = i + self._max_batch
            collection.add(ids=ids[i:j], embeddings=embeddings[i:j], documents=texts[i:j], metadatas=metadatas[i:j])

    def _write_statements(self, doc_id: str, statements: tuple[list[str], list[str], list[dict]]) -> None:
        self.quotes.delete(where={"doc_id": doc_id})
        ids, texts, metas = statements
        self._add(self.quotes, ids, [[0.0]] * len(ids), texts, metas)

    @_store_errors
    def replace_statements(self, doc_meta: dict, statements: tuple[list[str], list[str], list[dict]]) -> None:
        """Re-extracted statements of an unchanged document (no chunk changes). A crash in here leaves the
        manifest's older ``attribution`` version, so the next ingest simply does it again."""
        self._write_statements(doc_meta["doc_id"], statements)
        self._mark(doc_meta["doc_id"], doc_meta)

    @_store_errors
    def delete_document(self, doc_id: str) -> None:
        """Remove a document everywhere. If it was the canonical copy of a near-duplicate group, the rest
        of the group is regrouped first (the next earliest copy becomes canonical); a crash before the
        manifest record goes leaves it ``writing``, so :meth:`repair` does all of this again."""
        self._mark(doc_id, {"doc_id": doc_id, "state": "writing", "doc_hash": ""})
        self.chunks.delete(where={"doc_id": doc_id})
        self.quotes.delete(where={"doc_id": doc_id})
        self._leave_group(doc_id)
        failpoint("dedup-regrouped")
        self.dups.delete(ids=[doc_id])
        self.manifest.delete(ids=[doc_id])
        self.keyword.delete_document(doc_id)

    # --- near-duplicates ---------------------------------------------------------------------------

    def _leave_group(self, doc_id: str) -> None:
        """Regroup the other members of ``doc_id``'s group when it is their canonical copy."""
        from ingest.dedup import regroup

        members = [r for r in self.dedup_records(where={"group": doc_id}) if r.doc_id != doc_id]
        self.write_dedup(regroup(members))

    def write_dedup(self, records) -> None:
        """Upsert near-duplicate records (``ingest.dedup.Record`` with signatures)."""
        from ingest.dedup import Signer

        records = list(records)
        for i in range(0, len(records), self._max_batch):
            batch = records[i:i + self._max_batch]
            self.dups.upsert(ids=[r.doc_id for r in batch], embeddings=[[0.0]] * len(batch),
                             documents=[Signer.encode(r.signature) if r.signature is not None else ""
                                        for r in batch],
                             metadatas=[r.metadata() for r in batch])

    @_store_errors
    def dedup_records(self, where: dict | None = None, ids: list[str] | None = None) -> list:
        """Stored near-duplicate records with their signatures (``ingest.dedup.Record``)."""
        from ingest.dedup import Record, Signer

        got = self._get_all(self.dups, ["documents", "metadatas"], where=where, ids=ids)
        signer = None
        records = []
        for doc_id, encoded, meta in zip(got["ids"], got["documents"], got["metadatas"]):
            signature = None
            if encoded:
                signer = signer or Signer()
                signature = signer.decode(encoded)
            records.append(Record.from_stored(doc_id, meta, signature))
        return records

    @_store_errors
    def dedup_key(self) -> str:
        """The parameters the stored signatures were made with (``ingest.dedup.DedupParams.key``)."""
        return str((self.dups.metadata or {}).get("dedup", ""))

    @_store_errors
    def reset_dedup(self, key: str) -> None:
        """Forget every near-duplicate record (signed with other parameters); ``key`` names the new ones."""
        ids = self._get_all(self.dups, [])["ids"]
        for i in range(0, len(ids), self._max_batch):
            self.dups.delete(ids=ids[i:i + self._max_batch])
        self.dups.modify(metadata={"dedup": key})

    @_store_errors
    def delete_dedup(self, doc_ids: list[str]) -> None:
        if doc_ids:
            self.dups.delete(ids=list(doc_ids))

    @_store_errors
    def chunk_spans(self, doc_ids: list[str]) -> dict[str, list[tuple[int, int, str]]]:
        """``doc_id -> [(start, end, text)]`` of its stored chunks, for several documents in one read."""
        got = self.chunks.get(where={"doc_id": {"$in": list(doc_ids)}}, include=["documents", "metadatas"])
        spans: dict[str, list[tuple[int, int, str]]] = {d: [] for d in doc_ids}
        for text, meta in zip(got["documents"], got["metadatas"]):
            spans.setdefault(meta["doc_id"], []).append((int(meta["start"]), int(meta["end"]), text))
        return spans

    @_store_errors
    def dup_groups(self, doc_ids: list[str] | None = None) -> dict[str, str]:
        """``doc_id -> dup_group`` (the canonical copy's id; a document alone is its own group)."""
        if doc_ids is not None and not doc_ids:
            return {}
        got = self._get_all(self.dups, ["metadatas"], ids=list(dict.fromkeys(doc_ids)) if doc_ids is not None
                            else None)
        return {doc_id: meta.get("group") or doc_id for doc_id, meta in zip(got["ids"], got["metadatas"])}

    @_store_errors
    def group_members(self, groups: list[str]) -> dict[str, list[str]]:
        """``dup_group -> its documents``, canonical copy first, then in ingest order."""
        groups = list(dict.fromkeys(groups))
        if not groups:
            return {}
        got = self.dups.get(where={"group": {"$in": groups}}, include=["metadatas"])
        rows = sorted(zip(got["ids"], got["metadatas"]),
                      key=lambda r: (r[0] != r[1].get("group"), int(r[1].get("seq", 0)), r[0]))
        members: dict[str, list[str]] = {}
        for doc_id, meta in rows:
            members.setdefault(meta.get("group") or doc_id, []).append(doc_id)
        return members

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
        got = self._get_all(self.quotes, ["documents", "metadatas"], where=where)
        return list(zip(got["ids"], got["documents"], got["metadatas"]))
