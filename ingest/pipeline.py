"""Ingest: files -> documents -> chunks -> embeddings -> store, idempotent and crash-safe.

Unchanged files (same content hash as stored) cost no embedding work. Files are read, chunked and
embedded as a stream: chunks of consecutive documents are embedded together (in groups of ``EMBED_GROUP``
for torch, which is fastest on big length-sorted batches; of ``EMBED_STEP`` for the ONNX encoder, which runs
one text at a time anyway), and the documents whose chunks are all embedded are written right away,
together (``Store.replace_documents``: one Chroma call per step for all of them; each call costs tens of
milliseconds, which for short news articles was most of the time). So a run killed at any moment keeps
every document written before, the next run skips them by their hash and repairs those being written
(``Store.repair``): an archive ingest resumes where it stopped. A progress
bar (``ingest/progress.py``) counts files with documents/s and an ETA; per-file errors are collected in
the report (:attr:`IngestReport.errors`) and the run goes on.

Each document written is placed among near-duplicates (``ingest/dedup.py``) in the same store write.

A feed is one document per item, with the id ``<file id>#<hash of the item's key>``. Its manifest records
also keep the file's id, hash and item count: an unchanged feed is skipped whole; a changed one re-embeds
only the items whose content changed, adds new ones and removes those no longer in it.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunking import Chunk, TokenCounter, chunk_text
from ingest.dedup import DedupIndex, open_index
from ingest.embedder import Embedder
from ingest.loaders import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, Document, load_documents
from ingest.progress import IngestProgress
from ingest.statements import ATTRIBUTION_VERSION, statement_records
from ingest.store import DocumentWrite, Store
from rag.errors import IngestError

EMBED_GROUP = 512  # chunks per call for torch: large enough for the encoder's own length sorting
EMBED_STEP = 64  # chunks per call for encoders that run one text at a time: documents are written sooner


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    requoted: list[str] = field(default_factory=list)  # unchanged documents whose statements were re-extracted
    failed: list[str] = field(default_factory=list)  # one line each: "<file>: <reason>"
    errors: list[dict] = field(default_factory=list)  # the same, as {"file", "error"}
    #: Documents written in this run that are near-duplicates of another stored document: doc id -> group.
    duplicates: dict[str, str] = field(default_factory=dict)
    files: int = 0  # files found
    chunks_embedded: int = 0
    seconds: float = 0.0

    def fail(self, file: str, message: str) -> None:
        self.failed.append(message)
        self.errors.append({"file": file, "error": message})

    def summary(self) -> str:
        rate = self.chunks_embedded / self.seconds if self.seconds else 0.0
        written = len(self.added) + len(self.updated)
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged",
                 f"{len(self.removed)} removed", f"{len(self.failed)} failed"]
        line = f"Ingest: {', '.join(parts)}; {self.chunks_embedded} chunks embedded in {self.seconds:.1f} s"
        if self.chunks_embedded:
            line += f" ({rate:.0f} chunks/s, {written / self.seconds:.1f} documents/s)"
        elif not self.failed:
            line += " (nothing changed, nothing to embed)"
        if self.duplicates:
            line += (f"; {len(self.duplicates)} near-duplicate(s) of documents already stored, each cited once "
                     "with its copies")
        if self.repaired:
            line += f"; repaired {len(self.repaired)} half-written document(s) from an interrupted ingest"
        return line + "."

    def to_dict(self) -> dict:
        """The report as JSON (``ragchat ingest`` writes it to ``ingest-report.json`` in the data directory)."""
        written = len(self.added) + len(self.updated)
        return {
            "files": self.files, "added": len(self.added), "updated": len(self.updated),
            "unchanged": len(self.unchanged), "removed": len(self.removed), "failed": len(self.failed),
            "repaired": self.repaired, "requoted": len(self.requoted), "chunks_embedded": self.chunks_embedded,
            "seconds": round(self.seconds, 3),
            "documents_per_s": round(written / self.seconds, 2) if self.seconds else 0.0,
            "chunks_per_s": round(self.chunks_embedded / self.seconds, 2) if self.seconds else 0.0,
            "near_duplicates": self.duplicates, "errors": self.errors, "removed_ids": self.removed,
        }


def find_files(paths: Iterable[Path], report: IngestReport) -> list[tuple[Path, str]]:
    """Files to ingest as ``(path, source)``; directories are walked, hidden entries skipped.

    A missing path is reported as a failure, not raised, so the other paths still go in.
    """
    found: list[tuple[Path, str]] = []
    for given in paths:
        if not given.exists():
            report.fail(str(given), f"{given}: no such file or directory; check the path.")
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


def assign_doc_id(path: Path, paths: dict[str, str], taken: set[str]) -> str:
    """A stable id from the path: the file's stem, unless another file already has it.

    A file keeps the id it was stored under (``paths``: :func:`stored_paths`); a clash gets a suffix from
    the path's hash.
    """
    absolute = str(path.absolute())
    if absolute in paths:
        return paths[absolute]
    stem = _slug(path.stem)
    if stem not in taken:
        return stem
    return f"{stem}-{hashlib.sha1(absolute.encode()).hexdigest()[:8]}"


def stored_paths(known: dict[str, dict]) -> dict[str, str]:
    """``{absolute path: file id}`` of the stored documents."""
    return {meta["path"]: meta.get("file_id", doc_id) for doc_id, meta in known.items() if meta.get("path")}


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
    ends_file: bool = False  # the last document of its file: the file is done once it is written


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
    dedup = open_index(store, known)
    by_file: dict[str, dict[str, dict]] = {}  # file id -> its stored documents (a feed's items)
    for doc_id, meta in known.items():
        by_file.setdefault(meta.get("file_id", doc_id), {})[doc_id] = meta
    taken = set(known) | set(by_file)
    ids_by_path = stored_paths(known)
    gone: list[str] = []  # items that left their feed
    files = find_files(paths, report)
    report.files = len(files)
    bar = IngestProgress(len(files), enabled=progress)
    writer = _Writer(store, embedder, report, dedup, bar)
    try:
        for path, source in files:
            try:
                loaded, left = _load_file(path, source, ids_by_path, by_file, taken, store, counter, report)
            except IngestError as exc:
                report.fail(source, str(exc))
                bar.advance()
                continue
            gone.extend(left)
            writer.add(loaded)
        writer.finish()
    finally:
        bar.close()
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


def _load_file(path: Path, source: str, ids_by_path: dict[str, str], by_file: dict[str, dict[str, dict]],
               taken: set[str], store: Store, counter: TokenCounter,
               report: IngestReport) -> tuple[list[_Pending], list[str]]:
    """The documents of one file to embed and write (none when it is unchanged), and the stored feed items
    that left it. Raises :class:`IngestError` when the file can't be used: then nothing of it changes."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise IngestError(
            f"{source}: unsupported file type '{path.suffix or '(none)'}'; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}."
        )
    file_id = assign_doc_id(path, ids_by_path, taken)
    taken.add(file_id)
    stored = by_file.get(file_id, {})
    data = _read_small(path)
    digest = hashlib.sha256(data).hexdigest() if data is not None else ""
    if data is not None and _file_unchanged(stored, digest):
        report.unchanged.extend(stored)
        if any(meta.get("attribution") != ATTRIBUTION_VERSION for meta in stored.values()):
            _refresh_statements(path, source, data, file_id, stored, store, report)
        return [], []
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
    # only when the whole file loaded: a bad file keeps what is stored
    return loaded, [doc_id for doc_id in stored if doc_id not in doc_ids]


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


class _Writer:
    """Embeds the chunks of queued documents in groups and writes each document, in order, as soon as all
    its chunks are embedded; the progress bar advances as files complete."""

    def __init__(self, store: Store, embedder: Embedder, report: IngestReport, dedup: DedupIndex,
                 bar: IngestProgress):
        self.store, self.embedder, self.report, self.dedup, self.bar = store, embedder, report, dedup, bar
        self.queue: deque[_Pending] = deque()
        self.waiting: deque[tuple[_Pending, int]] = deque()  # (document, chunk index) not embedded yet
        self.step = EMBED_GROUP if getattr(embedder, "model", None) is not None else EMBED_STEP

    def add(self, items: list[_Pending]) -> None:
        """Queue one file's documents; an empty list is a file with nothing to write (done now)."""
        if not items:
            self.bar.advance()
            return
        items[-1].ends_file = True
        for item in items:
            self.queue.append(item)
            self.waiting.extend((item, i) for i in range(len(item.chunks)))
        while len(self.waiting) >= self.step:
            self._embed(self.step)

    def finish(self) -> None:
        while self.waiting:
            self._embed(self.step)

    def _embed(self, n: int) -> None:
        group = [self.waiting.popleft() for _ in range(min(n, len(self.waiting)))]
        vectors = self.embedder.embed_batch([item.chunks[i].text for item, i in group])
        for (item, _), vector in zip(group, vectors):
            item.embeddings.append(vector)
        ready: list[_Pending] = []
        while self.queue and len(self.queue[0].embeddings) == len(self.queue[0].chunks):
            if any(item.doc_id == self.queue[0].doc_id for item in ready):  # one write per document
                self._write(ready)
                ready = []
            ready.append(self.queue.popleft())
        self._write(ready)

    def _write(self, items: list[_Pending]) -> None:
        """Write the documents together (``Store.replace_documents``), each placed among near-duplicates."""
        if not items:
            return
        writes, records = [], {}
        for item in items:
            write, placed = _prepare(item, self.dedup)
            writes.append(write)
            records.update((r.doc_id, r) for r in placed)
            if placed[-1].group != item.doc_id:
                self.report.duplicates[item.doc_id] = placed[-1].group
        self.store.replace_documents(writes, dedup=list(records.values()))
        for item in items:
            self.report.chunks_embedded += len(item.chunks)
            (self.report.updated if item.is_update else self.report.added).append(item.doc_id)
            self.bar.advance(files=int(item.ends_file), chunks=len(item.chunks))


def _prepare(item: _Pending, dedup: DedupIndex) -> tuple[DocumentWrite, list]:
    """What the store writes for a document, and its near-duplicate records (``DedupIndex.place``)."""
    doc, doc_id = item.doc, item.doc_id
    n = len(item.chunks)
    ids = [f"{doc_id}:{doc.content_hash[:12]}:{c.index:05d}" for c in item.chunks]
    metadatas = [chunk_metadata(doc, doc_id, c, n) for c in item.chunks]
    statements = statement_records(doc, doc_id)
    doc_meta = {**document_metadata(doc, doc_id), **item.file_record, "attribution": ATTRIBUTION_VERSION,
                "statements": len(statements[0])}
    placed = dedup.place(dedup.sign(doc_id, doc.text, doc.content_hash))
    return DocumentWrite(doc_meta, ids, [c.text for c in item.chunks], item.embeddings, metadatas,
                         statements), placed
