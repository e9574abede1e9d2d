"""What the chat window needs from the rest of ragchat, in one object shared by all browser sessions.

Models load once per process: one embedder, one :class:`~rag.answer.Answerer` per backend chosen in
Settings (built when first used). Conversations are not kept here; each session holds its own.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from rag.errors import RagchatError
from rag.settings import Settings
from ui.audit import AuditLog, audit_path
from ui.auth import Access, AccessDenied, User
from ui.format import Window

TEXT_FORMATS = ("txt", "md")


def configured_backends(settings: Settings) -> list[str]:
    """The backends offered in Settings: the configured one first, then the ones that need no setup."""
    choices = [settings.llm, "extractive"]
    if find_spec("llama_cpp") is not None:
        choices.append("local")
    return list(dict.fromkeys(choices))


@lru_cache(maxsize=32)
def _document_text(path: str, fmt: str, mtime_ns: int, size: int, item: str = "") -> str:
    """The text offsets index: the file itself for .txt/.md, the loader's extraction otherwise (a feed
    item's own text for ``item``)."""
    if fmt in TEXT_FORMATS and not item:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    from ingest.loaders import load_item

    return load_item(Path(path), item=item).text


def window_from_chunks(chunks: Sequence[tuple[int, int, str]], start: int, end: int) -> Window | None:
    """Stitch overlapping ``(start, end, text)`` chunks into the contiguous text covering ``[start, end)``.

    >>> window_from_chunks([(0, 5, "Hello"), (3, 11, "lo, worl")], 4, 8)
    ('Hello, worl', 0)
    """
    runs: list[tuple[int, list[str], int]] = []  # (run start, pieces, run end)
    for c_start, c_end, text in sorted(chunks):
        if runs and c_start <= runs[-1][2]:
            r_start, pieces, r_end = runs[-1]
            if c_end > r_end:
                pieces.append(text[r_end - c_start:])
                runs[-1] = (r_start, pieces, c_end)
        else:
            runs.append((c_start, [text], c_end))
    for r_start, pieces, r_end in runs:
        if r_start <= start and end <= r_end:
            return "".join(pieces), r_start
    return None


def _chunks(n: int) -> str:
    return f"{n} chunk" if n == 1 else f"{n} chunks"


class ChatService:
    """Answerers, the document store and ingest, behind the few calls the UI makes."""

    def __init__(self, settings: Settings, access: Access | None = None):
        self.settings = settings
        self.backends = configured_backends(settings)
        self.uploads = Path(settings.data_dir) / "uploads"
        self.access = access or Access.from_settings(settings)  # who may change the archive
        self.audit = AuditLog(audit_path(settings))
        self._answerers: dict[str, object] = {}
        self._embedder = None
        self._store = None
        self._lock = threading.Lock()  # building models and the store
        self._write_lock = threading.Lock()  # one ingest or removal at a time

    # --- models and store, built on first use ---------------------------------------------------------

    @property
    def embedder(self):
        with self._lock:
            if self._embedder is None:
                from ingest.embedder import make_embedder

                self._embedder = make_embedder(self.settings.embedder)
            return self._embedder

    def _open_store(self, create: bool):
        """The collection's store; with ``create=False`` a missing collection is a :class:`StoreError`.
        Listing documents needs no model: the embedder's name and size are known without loading it."""
        with self._lock:
            if self._store is None:
                from ingest.embedder import embedder_spec
                from ingest.store import Store

                self._store = Store(self.settings, *embedder_spec(self.settings.embedder), create=create)
            return self._store

    @property
    def store(self):
        return self._open_store(create=False)

    def answerer(self, backend: str | None = None):
        """The answerer for ``backend`` (one of :attr:`backends`), built the first time it is asked for."""
        backend = backend or self.backends[0]
        if backend not in self.backends:
            raise RagchatError(f"unknown backend {backend!r}; choose one of: {', '.join(self.backends)}.")
        embedder = self.embedder
        with self._lock:
            if backend not in self._answerers:
                from rag.answer import Answerer

                self._answerers[backend] = Answerer(self.settings, llm=backend, embedder=embedder)
            return self._answerers[backend]

    def close(self) -> None:
        with self._lock:
            for answerer in self._answerers.values():
                answerer.close()  # type: ignore[attr-defined]
            self._answerers.clear()
            if self._store is not None:
                self._store.close()
                self._store = None

    # --- documents ------------------------------------------------------------------------------------

    def documents(self) -> dict[str, dict]:
        """The stored documents; a missing collection is a :class:`StoreError` (an upload creates it)."""
        return self.store.documents()

    def text_source(self) -> Callable[[str, int, int], Window | None]:
        """A :data:`ui.format.TextSource` over the documents stored now (quotes alone if that fails)."""
        try:
            docs = self.documents()
        except RagchatError:
            return lambda doc_id, start, end: None

        def window(doc_id: str, start: int, end: int) -> Window | None:
            meta = docs.get(doc_id) or {}
            path = meta.get("path") or meta.get("source")
            if path:
                try:
                    stat = Path(path).stat()
                    return _document_text(str(path), meta.get("format", "txt"), stat.st_mtime_ns,
                                          stat.st_size, meta.get("item", "")), 0
                except (OSError, UnicodeDecodeError, RagchatError):
                    pass  # moved, changed or unreadable: fall back to the stored chunks
            try:
                chunks = self.store.document_chunks(doc_id)
            except RagchatError:
                return None
            return window_from_chunks([(c.metadata["start"], c.metadata["end"], c.text) for c in chunks],
                                      start, end)

        return window

    def _editor(self, user: str | None, action: str, targets: Sequence[str]) -> User:
        """The user, if an editor; else every attempted change is logged as refused and
        :class:`~ui.auth.AccessDenied` raised. Checked here, not in the page, so an API call is refused too."""
        try:
            return self.access.require_editor(user)
        except AccessDenied as exc:
            role = self.access.role_of(user)
            for target in targets:
                file, doc_id = (target, "") if action != "remove" else ("", target)
                tried = "replace" if action == "upload" and (self.uploads / target).exists() else action
                self.audit.record(user or "", role, tried, "refused", file=file, doc_id=doc_id, detail=str(exc))
            raise

    def add_files(self, files: Sequence[str | Path], progress: Callable[[int, int, str], None] | None = None,
                  *, user: str | None = None) -> tuple[list[str], list[str]]:
        """Copy uploaded files into the data directory and ingest them, one at a time, as ``user``
        (an editor; a reader is refused with :class:`~ui.auth.AccessDenied`).

        Returns ``(done, failed)``: a line per file that went in (or was already there), and a
        ``"file: reason"`` line per file that did not. A file that replaces an earlier upload of the same
        name and then fails leaves the earlier version in force, on disk and in the store. Each file is
        one line of the audit log.
        """
        from ingest.chunking import TokenizerCounter
        from ingest.embedder import minilm_tokenizer

        editor = self._editor(user, "upload", [Path(f).name for f in files])
        self.audit.check()
        done: list[str] = []
        failed: list[str] = []
        counter = TokenizerCounter(minilm_tokenizer())
        with self._write_lock:
            self.uploads.mkdir(parents=True, exist_ok=True)
            for i, file in enumerate(files):
                name = Path(file).name
                if progress:
                    progress(i, len(files), name)
                action = "replace" if (self.uploads / name).exists() else "upload"
                lines, problems, result, doc_ids = self._add_one(Path(file), name, counter)
                done.extend(lines)
                failed.extend(problems)
                self.audit.record(editor.name, editor.role, action, result, file=name, doc_id=", ".join(doc_ids),
                                  detail=" ".join(problems or lines))
            if progress:
                progress(len(files), len(files), "done")
        return done, failed

    def _add_one(self, file: Path, name: str, counter) -> tuple[list[str], list[str], str, list[str]]:
        """Put one upload in place and ingest it: ``(done lines, failed lines, audit result, doc ids)``.

        The new bytes go to a staging folder beside uploads/ first and are renamed over the old file only whole;
        the old file is kept (a hard link) until the ingest has succeeded, and put back if it fails.
        """
        from ingest.pipeline import ingest

        target = self.uploads / name
        staging = self.uploads.with_name("uploads-staging")  # beside uploads/: same disk, so renames are atomic
        staging.mkdir(exist_ok=True)
        tag = uuid.uuid4().hex[:12]
        incoming, backup = staging / f"{tag}.new", staging / f"{tag}.old"
        existed = target.exists()
        try:
            shutil.copyfile(file, incoming)
            if existed:
                _keep(target, backup)
            os.replace(incoming, target)
        except OSError as exc:
            incoming.unlink(missing_ok=True)
            backup.unlink(missing_ok=True)
            return [], [f"{name}: could not be stored ({exc.strerror or exc})."], "failed", []

        problems: list[str] = []
        report = None
        try:
            report = ingest([target], self._open_store(create=True), self.embedder, counter, progress=False)
            problems = [line.replace(str(target), name, 1) for line in report.failed]
        except RagchatError as exc:
            problems = [f"{name}: {exc}"]
        except OSError as exc:
            problems = [f"{name}: could not be stored ({exc.strerror or exc})."]
        if problems:
            if existed:
                problems = [p.rstrip() + f" The earlier version of {name} stays in force." for p in problems]
                problems += self._restore(backup, target, name, counter)
            else:
                target.unlink(missing_ok=True)
                self._repair()
            return [], problems, "failed", []
        backup.unlink(missing_ok=True)
        assert report is not None
        chunks = {d: m.get("chunks", 0) for d, m in self.documents().items()}
        done = [f"{name}: added ({_chunks(chunks.get(d, 0))})" for d in report.added]
        done += [f"{name}: updated, replacing the earlier version ({_chunks(chunks.get(d, 0))})"
                 for d in report.updated]
        done += [f"{name}: already in the collection, unchanged" for _ in report.unchanged]
        result = "added" if report.added else "updated" if report.updated else "unchanged"
        return done, [], result, [*report.added, *report.updated, *report.unchanged]

    def _restore(self, backup: Path, target: Path, name: str, counter) -> list[str]:
        """Put the earlier file back and bring the store back to it. Usually nothing to re-embed: a file
        that failed to load never reached the store; one that failed while being written is re-added."""
        from ingest.pipeline import ingest

        try:
            os.replace(backup, target)
            report = ingest([target], self._open_store(create=True), self.embedder, counter, progress=False)
        except (OSError, RagchatError) as exc:
            return [f"{name}: the earlier version could not be restored ({exc}); upload it again or run "
                    f"`ragchat ingest {target}`."]
        return [f"{name}: the earlier version could not be restored ({line}); upload it again."
                for line in report.failed]

    def _repair(self) -> None:
        """Drop what a failed write left half-done (the store's own crash repair)."""
        try:
            self._open_store(create=True).repair()
        except RagchatError:
            pass  # the next ingest repairs it

    def remove(self, doc_id: str, *, user: str | None = None) -> str:
        """Remove a document from the store as ``user`` (an editor); a file uploaded through the UI goes too."""
        editor = self._editor(user, "remove", [doc_id])
        self.audit.check()
        with self._write_lock:
            meta = self.documents().get(doc_id)
            if meta is None:
                message = f"no document {doc_id!r} in the collection; it may be removed already."
                self.audit.record(editor.name, editor.role, "remove", "failed", doc_id=doc_id, detail=message)
                raise RagchatError(message)
            self.store.delete_document(doc_id)
            path = Path(meta.get("path", ""))
            if path.parent.resolve() == self.uploads.resolve() and path.is_file():
                path.unlink()
            self.audit.record(editor.name, editor.role, "remove", "removed", file=path.name, doc_id=doc_id,
                              detail=meta.get("title", ""))
        return f"Removed {meta.get('title') or doc_id} ({meta.get('source', doc_id)})."


def _keep(target: Path, backup: Path) -> None:
    """Keep the current file under ``backup``: a hard link (no copy), or a copy where links are not allowed."""
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)
