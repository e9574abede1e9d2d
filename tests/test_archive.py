"""Archive scale, small: the generated archive, the ingest's progress bar and error report, and a real SIGKILL
mid-ingest followed by a run that resumes (fake embedder, real store, the real CLI in a subprocess)."""

from __future__ import annotations

import json
import os

from conftest import ROOT
from eval.archive import BAD_KINDS, PLAN, generate
from test_ingest import consistency


def test_the_archive_is_deterministic_varied_and_seeded_with_copies_and_bad_files(tmp_path):
    from ingest.dedup import DedupIndex

    plan = generate(tmp_path / "a", 120)
    again = generate(tmp_path / "b", 120)
    assert plan == again and json.loads((tmp_path / "a" / PLAN).read_text()) == plan
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in plan["files"])
    assert len(plan["files"]) == 120 and sorted(plan["bad"].values()) == sorted(BAD_KINDS)
    assert len(plan["copies"]) == int(120 * 0.08) and set(plan["copies"].values()) <= set(plan["files"])
    years = {f.split("/")[0] for f in plan["files"]}
    assert len(years) > 10  # dates spread over 2000-2025
    originals = [f for f in plan["files"] if f not in plan["copies"] and f not in plan["bad"]]
    index = DedupIndex([])
    for f in originals:
        index.place(index.sign(f, (tmp_path / "a" / f).read_text(encoding="utf-8"), ""))
    assert all(r.group == r.doc_id for r in index.records.values()), "generated articles are not copies"
    for copy, original in plan["copies"].items():
        record = index.sign(copy, (tmp_path / "a" / copy).read_text(encoding="utf-8"), "")
        assert index.place(record)[-1].group in {original, *plan["copies"]}


def test_ingest_shows_progress_collects_errors_and_respects_quiet(tmp_path, fake_embedder, capsys):
    from rag.cli import main

    folder = tmp_path / "archive"
    plan = generate(folder, 40)
    assert main(["ingest", str(folder)]) == 1  # bad files: exit 1, the rest goes in
    out, err = capsys.readouterr()
    bar = err.replace("\r", "\n")
    assert "Ingest: 100%" in bar and "40/40" in bar and "doc/s" in bar and "chunks/s" in bar
    assert "<00:00" in bar  # the ETA field
    assert "36 added" in out and "4 failed" in out and "ingest-report.json" in out
    report = json.loads((tmp_path / "data" / "ingest-report.json").read_text())
    assert report["failed"] == 4 and report["added"] == 36 and report["files"] == 40
    failed = {os.path.relpath(e["file"], folder): e["error"] for e in report["errors"]}
    assert set(failed) == set(plan["bad"])
    assert any("empty" in e for e in failed.values()) and any("NUL" in e for e in failed.values())
    assert any("UTF-8" in e for e in failed.values()) and any("no text" in e for e in failed.values())
    assert len(report["near_duplicates"]) == len(plan["copies"])

    assert main(["ingest", str(folder), "--quiet"]) == 1
    out, err = capsys.readouterr()
    assert "Ingest:" not in err and "36 unchanged" in out and "nothing" not in out


def test_a_killed_archive_ingest_resumes_without_redoing_what_is_stored(tmp_path, monkeypatch, capsys):
    """The benchmark's own path: `ragchat ingest` killed (SIGKILL) when its bar passes 40 %, then run
    again to the end; the store holds every good file once."""
    from eval.bench import main

    monkeypatch.setenv("RAGCHAT_EMBEDDER", "hash")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    work = tmp_path / "bench"
    assert main(["archive", "--n", "150", "--kill-at", "0.4", "--sample", "20", "--out", str(work), "--json"]) == 0
    kill = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert kill["kill"]["files_done_at_kill"] >= 0.4 * 150 and kill["kill"]["resumed_skipped_unchanged"] >= 60
    assert kill["kill"]["resumed_added"] + kill["kill"]["resumed_skipped_unchanged"] == 150 - 4
    assert kill["documents_stored"] == 146 and kill["failed_reported"] == 4
    assert kill["near_duplicates"]["recall"] == 1.0 and kill["near_duplicates"]["precision"] == 1.0

    from ingest.store import Store
    from rag.settings import Settings

    store = Store(Settings(data_dir=work / "data"), "hash-64", 64, collection="archive")
    try:
        consistency(store)
        assert len(store.documents()) == 146
    finally:
        store.close()

