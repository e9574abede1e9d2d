"""Ingest: files -> documents -> chunks -> embeddings -> store, idempotent and crash-safe.

Unchanged files (same content hash as stored) cost no embedding work. Chunks of several documents are
embedded together in large batches (the encoder is fastest on big, length-sorted batches), then each
document is written on its own, so a crash loses at most the document being written.

A feed is one document per item, with the id ``<file id>#<hash of the item's key>``. Its manifest records
also keep the file's id, hash and item count: an unchanged feed is skipped whole; a changed one re-embeds
only the items whose content changed, adds new ones and removes those no longer in it.
"""

from __future__ import annotations

import hashlib
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunking import Chunk, TokenCounter, chunk_text
from ingest.embedder import Embedder
from ingest.loaders import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, Document, load_documents
from ingest.statements import ATTRIBUTION_VERSION, statement_records
from ingest.store import Store
from rag.errors import IngestError

EMBED_GROUP = 512  # chunks embedded per call: large enough for the encoder's own length sorting


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    requoted: list[str] = field(default_factory=list)  # unchanged documents whose statements were re-extracted
    failed: list[str] = field(default_factory=list)  # one line each: "<file>: <reason>"
    chunks_embedded: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        rate = self.chunks_embedded / self.seconds if self.seconds else 0.0
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged",
                 f"{len(self.removed)} removed", f"{len(self.failed)} failed"]
        line = f"Ingest: {', '.join(parts)}; {self.chunks_embedded} chunks embedded in {self.seconds:.1f} s"
        if self.chunks_embedded:
            line += f" ({rate:.0f} chunks/s)"
        elif not self.failed:
            line += " (nothing changed, nothing to embed)"
        if self.repaired:
            line += f"; repaired {len(self.repaired)} half-written document(s) from an interrupted ingest"
        return line + "."


def find_files(paths: Iterable[Path], report: IngestReport) -> list[tuple[Path, str]]:
    """Files to ingest as ``(path, source)``; directories are walked, hidden entries skipped.

    A missing path is reported as a failure, not raised, so the other paths still go in.
    """
    found: list[tuple[Path, str]] = []
    for given in paths:
        if not given.exists():
            report.failed.append(f"{given}: no such file or directory; check the path.")
        elif given.is_dir():
            for path in sorted(given.rglob("*")):
                relative = path.relative_to(given)
                if any(part.startswith(".") for part in relative.parts) or not path.is_file():
                    continue
                found.append((path, str(given / relative)))
        else:
            found.append((given, str(given)))
    return found


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "doc"


def assign_doc_id(path: Path, known: dict[str, dict], taken: set[str]) -> str:
    """A stable id from the path: the file's stem, unless another file already has it.

    A file keeps the id it was stored under; a clash gets a suffix from the path's hash.
    """
    absolute = str(path.absolute())
    for doc_id, meta in known.items():
        if meta.get("path") == absolute:
            return meta.get("file_id", doc_id)
    stem = _slug(path.stem)
    if stem not in taken:
        return stem
    return f"{stem}-{hashlib.sha1(absolute.encode()).hexdigest()[:8]}"


def item_doc_id(file_id: str, key: str) -> str:
    """The id of a feed item: its file's id and a hash of its key (guid or link), stable across ingests."""
    return f"{file_id}#{hashlib.sha1(key.encode()).hexdigest()[:10]}"


def _file_unchanged(stored: dict[str, dict], digest: str) -> bool:
    """Whether the stored documents of a file are exactly this version of it (every item, for a feed)."""
    return bool(stored) and all(
        meta.get("file_hash", meta.get("doc_hash")) == digest and meta.get("file_items", 1) == len(stored)
        for meta in stored.values()
    )


def chunk_metadata(doc: Document, doc_id: str, chunk: Chunk, n_chunks: int) -> dict:
    page = doc.page_at(chunk.start)
    return {
        "doc_id": doc_id, "source": doc.source, "title": doc.title, "date": doc.date,
        "date_int": int(doc.date.replace("-", "")) if doc.date else 0, "publication": doc.publication,
        "start": chunk.start, "end": chunk.end, "index": chunk.index, "tokens": chunk.tokens,
        "page": page if page is not None else -1, "doc_hash": doc.content_hash, "n_chunks": n_chunks,
    }


def document_metadata(doc: Document, doc_id: str) -> dict:
    return {
        "doc_id": doc_id, "source": doc.source, "path": str(doc.path), "title": doc.title, "date": doc.date,
        "publication": doc.publication, "doc_hash": doc.content_hash, "format": doc.format,
        "chars": len(doc.text), "modified": doc.modified, "authors": "; ".join(doc.authors),
        "section": doc.section, "url": doc.url,
    }


@dataclass
class _Pending:
    doc: Document
    doc_id: str
    chunks: list[Chunk]
    is_update: bool
    file_record: dict = field(default_factory=dict)  # a feed item's file id, hash and item count
    embeddings: list[list[float]] = field(default_factory=list)


def ingest(
    paths: Iterable[Path],
    store: Store,
    embedder: Embedder,
    counter: TokenCounter,
    prune: bool = False,
    progress: bool = True,
) -> IngestReport:
    """Bring the store in line with the files under ``paths``; see the module docstring."""
    started = time.perf_counter()
    report = IngestReport()
    report.repaired = store.repair()
    known = store.documents()
    by_file: dict[str, dict[str, dict]] = {}  # file id -> its stored documents (a feed's items)
    for doc_id, meta in known.items():
        by_file.setdefault(meta.get("file_id", doc_id), {})[doc_id] = meta
    taken = set(known) | set(by_file)
    pending: list[_Pending] = []
    gone: list[str] = []  # items that left their feed
    for path, source in find_files(paths, report):
        try:
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise IngestError(
                    f"{source}: unsupported file type '{path.suffix or '(none)'}'; "
                    f"supported: {', '.join(SUPPORTED_SUFFIXES)}."
                )
            file_id = assign_doc_id(path, known, taken)
            taken.add(file_id)
            stored = by_file.get(file_id, {})
            data = _read_small(path)
            digest = hashlib.sha256(data).hexdigest() if data is not None else ""
            if data is not None and _file_unchanged(stored, digest):
                report.unchanged.extend(stored)
                if any(meta.get("attribution") != ATTRIBUTION_VERSION for meta in stored.values()):
                    _refresh_statements(path, source, data, file_id, stored, store, report)
                continue
            docs = load_documents(path, source, data)
            doc_ids = [item_doc_id(file_id, doc.item) if doc.item else file_id for doc in docs]
            loaded: list[_Pending] = []
            for doc, doc_id in zip(docs, doc_ids):
                before = stored.get(doc_id)
                if doc.item and before and before.get("doc_hash") == doc.content_hash:
                    report.unchanged.append(doc_id)  # an unchanged item of a changed feed
                    continue
                chunks = chunk_text(doc.text, counter)
                if not chunks:
                    raise IngestError(f"{source}: no text to index.")
                file_record = ({"file_id": file_id, "file_hash": digest, "file_items": len(docs), "item": doc.item}
                               if doc.item else {})
                loaded.append(_Pending(doc, doc_id, chunks, is_update=before is not None, file_record=file_record))
            pending.extend(loaded)  # only when the whole file loaded: a bad file keeps what is stored
            gone.extend(doc_id for doc_id in stored if doc_id not in doc_ids)
        except IngestError as exc:
            report.failed.append(str(exc))
    _embed_and_write(pending, store, embedder, report, progress)
    for doc_id in gone:
        store.delete_document(doc_id)
        report.removed.append(doc_id)
    if prune:
        for doc_id, meta in store.documents().items():
            if not Path(meta.get("path", "")).exists():
                store.delete_document(doc_id)
                report.removed.append(doc_id)
    report.seconds = time.perf_counter() - started
    return report


def _refresh_statements(path: Path, source: str, data: bytes, file_id: str, stored: dict[str, dict],
                        store: Store, report: IngestReport) -> None:
    """Extract the statements of an unchanged file again (the extractor changed): no embedding work."""
    for doc in load_documents(path, source, data):
        doc_id = item_doc_id(file_id, doc.item) if doc.item else file_id
        if doc_id in stored:
            records = statement_records(doc, doc_id)
            store.replace_statements({**stored[doc_id], "attribution": ATTRIBUTION_VERSION,
                                      "statements": len(records[0])}, records)
            report.requoted.append(doc_id)


def _read_small(path: Path) -> bytes | None:
    """The file's bytes, read once for both the hash and the loader; ``None`` when it is too large or
    unreadable (then :func:`load` reads nothing more and names the reason)."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:  # a FIFO would block the read
            return None
        return path.read_bytes()
    except OSError:
        return None


def _embed_and_write(pending: list[_Pending], store: Store, embedder: Embedder, report: IngestReport,
                     progress: bool) -> None:
    from tqdm import tqdm

    total = sum(len(p.chunks) for p in pending)
    if not total:
        return
    bar = tqdm(total=total, unit="chunk", desc="Embedding", disable=not progress, file=sys.stderr,
               dynamic_ncols=True)
    queue = list(pending)
    group: list[tuple[_Pending, int]] = []  # (document, chunk index) awaiting embedding
    for item in pending:
        group.extend((item, i) for i in range(len(item.chunks)))
        if len(group) >= EMBED_GROUP or item is pending[-1]:
            vectors = embedder.embed_batch([it.chunks[i].text for it, i in group])
            for (it, _), vector in zip(group, vectors):
                it.embeddings.append(vector)
            bar.update(len(group))
            group = []
            while queue and len(queue[0].embeddings) == len(queue[0].chunks):
                _write(queue.pop(0), store, report)
    bar.close()


def _write(item: _Pending, store: Store, report: IngestReport) -> None:
    doc, doc_id = item.doc, item.doc_id
    n = len(item.chunks)
    ids = [f"{doc_id}:{doc.content_hash[:12]}:{c.index:05d}" for c in item.chunks]
    metadatas = [chunk_metadata(doc, doc_id, c, n) for c in item.chunks]
    statements = statement_records(doc, doc_id)
    doc_meta = {**document_metadata(doc, doc_id), **item.file_record, "attribution": ATTRIBUTION_VERSION,
                "statements": len(statements[0])}
    store.replace_document(doc_meta, ids, [c.text for c in item.chunks], item.embeddings, metadatas, statements)
    report.chunks_embedded += n
    (report.updated if item.is_update else report.added).append(doc_id)
