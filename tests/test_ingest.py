"""Ingest into a real Chroma store (embedded, temp dir) with a deterministic fake embedder."""

from __future__ import annotations

import json

import pytest

from conftest import SEED
from ingest.pipeline import ingest
from ingest.store import Store
from rag.cli import main
from rag.errors import StoreError
from rag.settings import load_settings


def write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def consistency(store: Store) -> None:
    """No duplicate or orphan chunk, in Chroma and in the keyword index alike."""
    docs = store.documents()
    assert all(m["state"] == "done" for m in docs.values()), docs
    got = store.chunks.get(include=["metadatas", "documents"])
    ids = got["ids"]
    assert len(ids) == len(set(ids))
    per_doc: dict[str, list[int]] = {}
    for meta in got["metadatas"]:
        assert meta["doc_id"] in docs, f"orphan chunk of {meta['doc_id']}"
        assert meta["doc_hash"] == docs[meta["doc_id"]]["doc_hash"], "chunk of an old version"
        per_doc.setdefault(meta["doc_id"], []).append(meta["index"])
    for doc_id, meta in docs.items():
        assert sorted(per_doc.get(doc_id, [])) == list(range(meta["chunks"])), doc_id
    assert store.keyword.doc_hashes() == {d: m["doc_hash"] for d, m in docs.items()}
    kw_ids = {row[0] for row in store.keyword.db.execute("SELECT chunk_id FROM chunk_rows")}
    assert kw_ids == set(ids)


def test_ingest_is_idempotent_and_replaces_changed_files(tmp_path, store, fake_embedder, counter):
    folder = tmp_path / "docs"
    folder.mkdir()
    a = write(folder, "a.txt", "Alpha is the first letter. It comes before beta.")
    write(folder, "b.md", "# Beta\n\nBeta is the second letter.")
    first = ingest([folder], store, fake_embedder, counter, progress=False)
    assert sorted(first.added) == ["a", "b"] and first.chunks_embedded == 2
    consistency(store)

    again = ingest([folder], store, fake_embedder, counter, progress=False)
    assert again.chunks_embedded == 0 and sorted(again.unchanged) == ["a", "b"]
    assert "nothing to embed" in again.summary()

    a.write_text("Alpha changed. Gamma is new here.", encoding="utf-8")
    changed = ingest([folder], store, fake_embedder, counter, progress=False)
    assert changed.updated == ["a"] and changed.unchanged == ["b"]
    consistency(store)
    texts = [c.text for c in store.document_chunks("a")]
    assert texts == ["Alpha changed. Gamma is new here."]
    assert store.keyword.search("gamma", 5)[0][0].startswith("a:")
    assert store.keyword.search("before", 5) == []  # the old version's words are gone


def test_prune_removes_documents_whose_files_are_gone(tmp_path, store, fake_embedder, counter):
    folder = tmp_path / "docs"
    folder.mkdir()
    write(folder, "keep.txt", "Keep this one.")
    gone = write(folder, "gone.txt", "Remove this one.")
    ingest([folder], store, fake_embedder, counter, progress=False)
    gone.unlink()
    kept = ingest([folder], store, fake_embedder, counter, progress=False)
    assert set(store.documents()) == {"keep", "gone"} and kept.removed == []
    pruned = ingest([folder], store, fake_embedder, counter, prune=True, progress=False)
    assert pruned.removed == ["gone"] and set(store.documents()) == {"keep"}
    consistency(store)


def test_chunk_metadata_locates_quotes_in_the_file(tmp_path, store, fake_embedder, counter):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SEED.name).write_bytes(SEED.read_bytes())
    ingest([seeds], store, fake_embedder, counter, progress=False)
    with open(seeds / SEED.name, encoding="utf-8") as fh:
        text = fh.read()
    for chunk in store.document_chunks("000_10acc92e9fefab75"):
        m = chunk.metadata
        assert text[m["start"]:m["end"]] == chunk.text
        assert m["source"] == str(seeds / SEED.name) and m["date"] == "2025-11-27" and m["publication"] == "Dawn"


def test_same_stem_in_two_folders_gets_two_ids(tmp_path, store, fake_embedder, counter):
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        write(tmp_path / name, "notes.txt", f"Notes from folder {name}.")
    report = ingest([tmp_path / "one", tmp_path / "two"], store, fake_embedder, counter, progress=False)
    assert len(report.added) == 2 and report.added[0] == "notes" and report.added[1].startswith("notes-")
    again = ingest([tmp_path / "two", tmp_path / "one"], store, fake_embedder, counter, progress=False)
    assert again.chunks_embedded == 0  # ids are stable whatever the order


def test_embedder_mismatch_is_a_clear_error(store):
    with pytest.raises(StoreError, match="was built with embedder 'hash-64'"):
        Store(load_settings(), "all-MiniLM-L6-v2", 384)


def test_cli_reports_bad_files_ingests_the_rest_and_exits_1(tmp_path, fake_embedder, capsys):
    folder = tmp_path / "mixed"
    folder.mkdir()
    write(folder, "good.txt", "A good document about rivers.")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x00\x00")
    (folder / "sheet.xlsx").write_bytes(b"PK")
    code = main(["ingest", str(folder), str(tmp_path / "missing"), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("ragchat: skipped")]
    assert len(lines) == 4, err
    for name in ("empty.txt", "binary.txt", "sheet.xlsx", "missing"):
        assert any(name in line for line in lines), name
    assert "1 added" in out and "4 failed" in out

    assert main(["docs", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [d["doc_id"] for d in listed] == ["good"] and listed[0]["chunks"] == 1


def test_changed_file_that_became_bad_keeps_its_old_version(tmp_path, store, fake_embedder, counter):
    folder = tmp_path / "docs"
    folder.mkdir()
    path = write(folder, "a.txt", "Version one text.")
    ingest([folder], store, fake_embedder, counter, progress=False)
    path.write_bytes(b"\xff\xfe broken")
    report = ingest([folder], store, fake_embedder, counter, progress=False)
    assert len(report.failed) == 1 and "not valid UTF-8" in report.failed[0]
    assert [c.text for c in store.document_chunks("a")] == ["Version one text."]


def test_docs_on_a_missing_collection_says_how_to_create_it(capsys, fake_embedder):
    assert main(["docs", "--collection", "nothing-here"]) == 1
    assert "ragchat ingest PATH --collection nothing-here" in capsys.readouterr().err


def test_bad_collection_name_is_a_usage_error(capsys):
    assert main(["docs", "--collection", "Bad Name!"]) == 1
    assert "invalid collection name" in capsys.readouterr().err
