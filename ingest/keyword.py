"""A persistent BM25 keyword index: SQLite FTS5 in the data directory, updated document by document.

Chroma is the source of truth; this index is derived from it. Every write replaces or deletes one whole
document in a single SQLite transaction, and :meth:`KeywordIndex.sync` repairs it from Chroma's document
manifest (only the documents whose content hash differs), so a crash between the two stores, or a Chroma
server shared by several machines, never needs a rebuild of the whole index.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.errors import StoreError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (doc_id TEXT PRIMARY KEY, doc_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunk_rows (
    rowid INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunk_rows_doc ON chunk_rows (doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_text USING fts5(
    text, tokenize = 'porter unicode61 remove_diacritics 2');
"""

# Words too common to help a keyword match; the dense retriever covers their meaning.
STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does for from had has have he her him his
    how i if in into is it its me my not of on or our she should so than that the their them then there
    these they this those to was we were what when where which who whom whose why will with would you your
    about after also any before did during each many more most much other over such some until very""".split()
)


def query_terms(question: str) -> list[str]:
    """The searchable words of a question, lower-cased, stopwords dropped, in order, once each."""
    seen: dict[str, None] = {}
    for word in re.findall(r"\w+", question.lower()):
        if word not in STOPWORDS and word not in seen:
            seen[word] = None
    return list(seen)


class KeywordIndex:
    def __init__(self, path: Path):
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"keyword index {path} cannot be opened ({exc}); check the data directory.") from exc

    def close(self) -> None:
        self.db.close()

    def doc_hashes(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT doc_id, doc_hash FROM docs"))

    def replace_document(self, doc_id: str, doc_hash: str, chunks: Iterable[tuple[str, str]]) -> None:
        """Atomically replace a document's chunks (``(chunk_id, text)`` pairs)."""
        with self._write():
            self._delete(doc_id)
            for chunk_id, text in chunks:
                cur = self.db.execute(
                    "INSERT INTO chunk_rows (chunk_id, doc_id) VALUES (?, ?)", (chunk_id, doc_id)
                )
                self.db.execute("INSERT INTO chunk_text (rowid, text) VALUES (?, ?)", (cur.lastrowid, text))
            self.db.execute("INSERT INTO docs (doc_id, doc_hash) VALUES (?, ?)", (doc_id, doc_hash))

    def delete_document(self, doc_id: str) -> None:
        with self._write():
            self._delete(doc_id)

    def _delete(self, doc_id: str) -> None:
        self.db.execute(
            "DELETE FROM chunk_text WHERE rowid IN (SELECT rowid FROM chunk_rows WHERE doc_id = ?)", (doc_id,)
        )
        self.db.execute("DELETE FROM chunk_rows WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM docs WHERE doc_id = ?", (doc_id,))

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One transaction: committed whole or rolled back whole."""
        try:
            with self.db:
                yield
        except sqlite3.Error as exc:
            raise StoreError(
                f"keyword index {self.path}: write failed ({exc}); is the data directory writable and not full?"
            ) from exc

    def sync(self, manifest: dict[str, str], fetch_chunks: Callable[[str], list[tuple[str, str]]]) -> int:
        """Bring the index in line with Chroma's manifest (doc_id -> hash); returns documents touched."""
        mine = self.doc_hashes()
        touched = 0
        for doc_id in mine.keys() - manifest.keys():
            self.delete_document(doc_id)
            touched += 1
        for doc_id, doc_hash in manifest.items():
            if mine.get(doc_id) != doc_hash:
                self.replace_document(doc_id, doc_hash, fetch_chunks(doc_id))
                touched += 1
        return touched

    def search(self, question: str, k: int, doc_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """Best ``k`` chunks by BM25 as ``(chunk_id, score)``, higher is better."""
        terms = query_terms(question)
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = (
            "SELECT r.chunk_id, -bm25(chunk_text) AS score FROM chunk_text JOIN chunk_rows r "
            "ON r.rowid = chunk_text.rowid WHERE chunk_text MATCH ?"
        )
        params: list[object] = [match]
        if doc_ids is not None:
            sql += f" AND r.doc_id IN ({','.join('?' * len(doc_ids))})"
            params += doc_ids
        sql += " ORDER BY bm25(chunk_text) LIMIT ?"
        params.append(k)
        try:
            return [(cid, float(score)) for cid, score in self.db.execute(sql, params)]
        except sqlite3.Error as exc:
            raise StoreError(f"keyword index {self.path}: search failed ({exc}).") from exc

    def document_frequencies(self, terms: list[str]) -> tuple[dict[str, int], int]:
        """How many chunks contain each term (stemmed as the index stems), and how many chunks there are."""
        total = self.count()
        freqs = {}
        for term in terms:
            quoted = '"' + term.replace('"', '""') + '"'
            freqs[term] = self.db.execute(
                "SELECT count(*) FROM chunk_text WHERE chunk_text MATCH ?", (quoted,)
            ).fetchone()[0]
        return freqs, total

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM chunk_rows").fetchone()[0]
