"""Near-duplicate documents (a wire story republished by several outlets), found at ingest.

Each document's text becomes a set of word shingles (``SHINGLE_WORDS`` consecutive words, case folded) and
a MinHash signature of it (datasketch, ``NUM_PERM`` permutations); an LSH index over the signatures finds
candidates, and a candidate whose estimated Jaccard similarity is at least ``THRESHOLD`` is a duplicate.
The parameters were measured on labelled Wikinews republications (``python -m eval.bench dedup``, README).

Documents that are duplicates form a **group** named by its canonical copy, the earliest ingested member
(``dup_group``: that copy's doc id). A new document joins the group of its most similar stored document;
when a canonical copy is removed or changes, the rest of its group is regrouped among themselves in ingest
order (:func:`regroup`), so the next earliest member becomes canonical. Grouping is greedy ("join the
group of your best match"), not a transitive closure: one chain of small edits does not glue unrelated
stories together.

Each document's record (signature, group, ingest order, content hash) lives in a Chroma collection beside
the manifest (``NAME__dups``, see ``ingest/store.py``), written inside the document's write and deleted with
it, so a crash is repaired like any other half-written document and server-mode replicas keep no state.
Readers only need the groups (:meth:`ingest.store.Store.dup_groups`), never the signatures.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

#: Words per shingle, permutations and the similarity threshold: chosen on the dev half of the labelled
#: pairs (``eval/bench_dedup.py``); the held-out figures are in the README.
SHINGLE_WORDS = 3
NUM_PERM = 128
THRESHOLD = 0.3
SEED = 1
#: Documents with fewer shingles than this are never grouped: two short notices ("Photo: Reuters") are
#: alike without being one story.
MIN_SHINGLES = 20
SCHEME = "affine32"  # datasketch 2's default: 32-bit hash values, 4 bytes each


@dataclass(frozen=True)
class DedupParams:
    shingle_words: int = SHINGLE_WORDS
    num_perm: int = NUM_PERM
    threshold: float = THRESHOLD
    seed: int = SEED

    @property
    def key(self) -> str:
        """Stored with the records: a store built with other parameters is signed again."""
        return (f"minhash-{SCHEME}:k{self.shingle_words}:p{self.num_perm}:t{self.threshold:.2f}:s{self.seed}"
                f":m{MIN_SHINGLES}")


DEFAULT_PARAMS = DedupParams()

_WORD = re.compile(r"\w+")


def shingles(text: str, words: int = SHINGLE_WORDS) -> set[bytes]:
    """The document's word ``words``-grams, case folded; a text shorter than that is one shingle.

    >>> sorted(shingles("The cat sat. The cat sat!", 3))
    [b'cat sat the', b'sat the cat', b'the cat sat']
    """
    tokens = _WORD.findall(text.casefold())
    if len(tokens) <= words:
        return {" ".join(tokens).encode()} if tokens else set()
    return {" ".join(tokens[i:i + words]).encode() for i in range(len(tokens) - words + 1)}


class Signer:
    """MinHash signatures with fixed permutations (made once: datasketch makes them per object otherwise)."""

    def __init__(self, params: DedupParams = DEFAULT_PARAMS):
        from datasketch import MinHash

        self.params = params
        self._minhash = MinHash
        self.permutations = MinHash(num_perm=params.num_perm, seed=params.seed, scheme=SCHEME).permutations

    def sign(self, text: str):
        """``(MinHash, number of shingles)`` of ``text``."""
        found = shingles(text, self.params.shingle_words)
        minhash = self._minhash(num_perm=self.params.num_perm, seed=self.params.seed,
                                permutations=self.permutations, scheme=SCHEME)
        if found:
            minhash.update_batch(found)
        return minhash, len(found)

    def decode(self, signature: str):
        values = np.frombuffer(base64.b64decode(signature), dtype=np.uint32)
        return self._minhash(hashvalues=values, seed=self.params.seed, permutations=self.permutations, scheme=SCHEME)

    @staticmethod
    def encode(minhash) -> str:
        return base64.b64encode(np.asarray(minhash.hashvalues, dtype=np.uint32).tobytes()).decode("ascii")


@dataclass
class Record:
    """One document's dedup record: its group (the canonical copy's doc id), its place in ingest order,
    the content hash it was signed from, its shingle count and its signature."""

    doc_id: str
    group: str
    seq: int
    doc_hash: str
    shingles: int
    signature: object = None  # datasketch MinHash; None when read without signatures

    @property
    def groupable(self) -> bool:
        return self.signature is not None and self.shingles >= MIN_SHINGLES

    def metadata(self) -> dict:
        return {"doc_id": self.doc_id, "group": self.group, "seq": self.seq, "doc_hash": self.doc_hash,
                "shingles": self.shingles}

    @classmethod
    def from_stored(cls, doc_id: str, metadata: dict, signature=None) -> Record:
        return cls(doc_id, str(metadata.get("group") or doc_id), int(metadata.get("seq", 0)),
                   str(metadata.get("doc_hash", "")), int(metadata.get("shingles", 0)), signature)


def similarity(a: Record, b: Record) -> float:
    """Estimated Jaccard similarity of two documents' shingle sets (0 when either cannot be grouped)."""
    if not (a.groupable and b.groupable):
        return 0.0
    return float(a.signature.jaccard(b.signature))


def regroup(members: Iterable[Record], threshold: float = THRESHOLD) -> list[Record]:
    """Group ``members`` again among themselves, in ingest order: each joins the group of its most similar
    earlier member when that is a duplicate, else starts its own. Returns the records whose group changed.

    Used when a group's canonical copy leaves (removed, or changed): the earliest remaining member becomes
    canonical, and a member that was only close to the copy that left goes its own way.
    """
    placed: list[Record] = []
    changed = []
    for record in sorted(members, key=lambda r: (r.seq, r.doc_id)):
        best = max(placed, key=lambda p: similarity(record, p), default=None)
        group = best.group if best is not None and similarity(record, best) >= threshold else record.doc_id
        if group != record.group:
            record = replace(record, group=group)
            changed.append(record)
        placed.append(record)
    return changed


class DedupIndex:
    """Every stored document's record, with an in-memory LSH over the signatures, for one ingest run."""

    def __init__(self, records: Iterable[Record], params: DedupParams = DEFAULT_PARAMS,
                 signer: Signer | None = None):
        self.params = params
        self.signer = signer or Signer(params)
        self.records: dict[str, Record] = {r.doc_id: r for r in records}
        self._next_seq = max((r.seq for r in self.records.values()), default=0) + 1

    @cached_property
    def lsh(self):
        from datasketch import MinHashLSH

        lsh = MinHashLSH(threshold=self.params.threshold, num_perm=self.params.num_perm)
        with lsh.insertion_session() as session:
            for record in self.records.values():
                if record.groupable:
                    session.insert(record.doc_id, record.signature, check_duplication=False)
        return lsh

    def sign(self, doc_id: str, text: str, doc_hash: str) -> Record:
        """A record for ``text``, not yet placed in a group (see :meth:`place`)."""
        minhash, count = self.signer.sign(text)
        return Record(doc_id, doc_id, 0, doc_hash, count, minhash)

    def members(self, group: str) -> list[Record]:
        return [r for r in self.records.values() if r.group == group]

    def place(self, record: Record) -> list[Record]:
        """Add (or replace) a document: it joins the group of its most similar stored duplicate, or starts
        its own. Returns every record to write: the document's, and those of its old group's members when
        it was their canonical copy (they are regrouped without it first)."""
        updates = self.forget(record.doc_id)
        scored = [(similarity(record, self.records[doc_id]), self.records[doc_id])
                  for doc_id in (self.lsh.query(record.signature) if record.groupable else [])
                  if doc_id in self.records]
        score, best = max(scored, key=lambda s: (s[0], -s[1].seq), default=(0.0, None))
        group = best.group if best is not None and score >= self.params.threshold else record.doc_id
        record = replace(record, group=group, seq=self._next_seq)
        self._next_seq += 1
        self.records[record.doc_id] = record
        if record.groupable:
            self.lsh.insert(record.doc_id, record.signature, check_duplication=False)
        return [*updates, record]

    def forget(self, doc_id: str) -> list[Record]:
        """Drop a document; if it was a canonical copy, regroup the rest of its group (records to write)."""
        old = self.records.pop(doc_id, None)
        if old is None:
            return []
        if old.groupable and "lsh" in self.__dict__:
            self.lsh.remove(doc_id)
        changed = regroup(self.members(old.group), self.params.threshold) if old.group == doc_id else []
        for record in changed:
            self.records[record.doc_id] = record
        return changed

    def orphans(self) -> list[Record]:
        """Records whose group names no canonical copy (a copy removed by something that did not regroup),
        regrouped; the records to write."""
        canonical = {r.doc_id for r in self.records.values() if r.group == r.doc_id}
        stray: dict[str, list[Record]] = {}
        for record in self.records.values():
            if record.group not in canonical:
                stray.setdefault(record.group, []).append(record)
        changed = [r for members in stray.values() for r in regroup(members, self.params.threshold)]
        for record in changed:
            self.records[record.doc_id] = record
        return changed


def open_index(store, documents: dict[str, dict], params: DedupParams = DEFAULT_PARAMS) -> DedupIndex:
    """The store's records as an index, first brought in line with the manifest (``documents``, all
    ``done``: run after :meth:`ingest.store.Store.repair`):

    * records signed with other parameters are dropped, and every document is signed again;
    * a document without a record (stored before near-duplicates were detected, or whose record does not
      match its content) is signed from its stored chunks and placed, oldest date first: no file is read
      and nothing is embedded;
    * records whose group names no canonical copy any more are regrouped.
    """
    if store.dedup_key() != params.key:
        store.reset_dedup(params.key)
    index = DedupIndex(store.dedup_records(), params)
    stale = [d for d, r in index.records.items()
             if d not in documents or r.doc_hash != documents[d].get("doc_hash")]
    for doc_id in stale:
        index.records.pop(doc_id)
    store.delete_dedup(stale)
    store.write_dedup(index.orphans())
    missing = sorted((d for d in documents if d not in index.records),
                     key=lambda d: (documents[d].get("date") or "9999", d))
    for i in range(0, len(missing), BACKFILL_BATCH):
        batch = missing[i:i + BACKFILL_BATCH]
        spans = store.chunk_spans(batch)
        updates: dict[str, Record] = {}
        for doc_id in batch:
            record = index.sign(doc_id, rebuild_text(spans.get(doc_id, [])), documents[doc_id].get("doc_hash", ""))
            updates.update((r.doc_id, r) for r in index.place(record))
        store.write_dedup(updates.values())
    return index


BACKFILL_BATCH = 200  # documents whose chunks are read in one go when signing a store's old documents


def rebuild_text(chunks: list[tuple[int, int, str]]) -> str:
    """A document's text again from its stored chunks (``(start, end, text)``; chunks overlap by a
    sentence): what the words of the document were, for signing documents stored before dedup existed.

    >>> rebuild_text([(0, 8, "One two."), (4, 20, "two. Three four.")])
    'One two. Three four.'
    """
    parts, end = [], 0
    for start, stop, text in sorted(chunks):
        if stop <= end:
            continue
        parts.append(text[max(0, end - start):])
        end = stop
    return " ".join(p.strip() for p in parts if p.strip())
