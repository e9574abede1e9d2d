"""``ragchat eval`` end to end on a real store: reports, SQuAD collections, missing collections, and the
baseline gate — a baseline the current code cannot meet exits 100, naming what regressed."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, SEED
from eval.harness import EXIT_REGRESSION, run
from ingest.chunking import sentence_spans
from ingest.pipeline import ingest
from rag.errors import EvalError, StoreError
from rag.settings import load_settings
from rag.types import Answer, Citation, Evidence

SEED_SET = ROOT / "eval" / "sets" / "seed.jsonl"


class OverlapAnswerer:
    """A deterministic stand-in for the answering chain: quotes the stored sentence sharing the most words
    with the question (offsets from the real document), or refuses when fewer than ``min_overlap`` match."""

    backend_label = "fake:overlap"

    def __init__(self, settings, embedder=None, min_overlap=2):
        from ingest.embedder import embedder_spec
        from ingest.store import Store

        store = Store(settings, *embedder_spec(settings.embedder), create=False)
        self.sentences = []
        for doc_id, meta in store.documents().items():
            text = Path(meta["path"]).read_text(encoding="utf-8")
            self.sentences += [(doc_id, meta["source"], s, e, text[s:e]) for s, e in sentence_spans(text)]
        store.close()
        self.min_overlap = min_overlap
        self.closed = False

    def answer(self, question, history=None):
        words = set(re.findall(r"\w{4,}", question.lower()))
        scored = sorted(self.sentences, key=lambda s: -len(words & set(re.findall(r"\w{4,}", s[4].lower()))))
        doc_id, source, start, end, text = scored[0]
        ev = [Evidence(1, doc_id, source, "", "", "", start, end, text, 1.0)]
        if len(words & set(re.findall(r"\w{4,}", text.lower()))) < self.min_overlap:
            return Answer(question, question, "The documents don't say.", True, evidence=ev,
                          timings_ms={"total": 5.0, "retrieve": 1.0})
        return Answer(question, question, f"{text} [1]", False, [Citation.from_evidence(ev[0])], evidence=ev,
                      timings_ms={"total": 5.0, "retrieve": 1.0})

    def close(self):
        self.closed = True


def args(set_path, **given):
    values = {"set": set_path, "collection": None, "llm": None, "baseline": None, "update_baseline": False,
              "out": None, "limit": None, "quiet": True}
    values.update(given)
    return argparse.Namespace(**values)


@pytest.fixture
def seeded(store, fake_embedder, counter):
    """The seed editorial ingested into the default collection, as `ragchat ingest seeds` would."""
    report = ingest([SEED], store, fake_embedder, counter, progress=False)
    assert not report.failed
    return store


def small_set(tmp_path):
    lines = [
        {"id": "asif", "question": "Who is the Defence Minister Khawaja Asif?", "must_include": ["Khawaja Asif"],
         "critical": True, "tags": ["who"], "reference_answer": "Khawaja Asif"},
        {"id": "ceasefire", "question": "Is the ceasefire between both states holding?",
         "must_include": ["holding"], "tags": ["what"]},
        {"id": "kabul", "question": "Population of Kabul?", "answerable": False, "critical": True,
         "tags": ["unanswerable"]},
        {"id": "hard", "question": "What did the military spokesperson say about Afghan civilians?",
         "must_include": ["xyzzy"]},
    ]
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


def test_run_writes_reports_then_gates_on_its_baseline(seeded, tmp_path, capsys):
    path, out, baseline = small_set(tmp_path), tmp_path / "out", tmp_path / "small.baseline.json"
    assert run(args(path, out=out, update_baseline=True), load_settings(), make_answerer=OverlapAnswerer) == 0
    printed = capsys.readouterr().out
    assert "small.jsonl: 3/4 (75.0%) passed, critical 2/2" in printed and f"Baseline written to {baseline}" in printed
    assert "hard: answer lacks 'xyzzy'" in printed
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    manifest = results["manifest"]
    assert manifest["backend"] == "fake:overlap" and manifest["collection"] == "seeds"
    assert manifest["embedding_model"] == "hash-64" and manifest["chunking"]["target_tokens"] > 0
    assert len(manifest["collection_fingerprint"]) == 16 and manifest["documents"] == 1
    asif = results["questions"][0]
    assert asif["passed"] and asif["citations"][0]["quote"] in SEED.read_text(encoding="utf-8")
    assert 0 < asif["f1"] < 1 and results["summary"]["tags"]["who"]["passed"] == 1
    assert (out / "report.html").exists() and (out / "summary.md").exists()

    assert run(args(path, out=out, baseline=baseline), load_settings(), make_answerer=OverlapAnswerer) == 0
    assert f"No regression against {baseline}" in capsys.readouterr().out
    assert len((out / "history.jsonl").read_text().splitlines()) == 2


def test_a_baseline_the_current_code_cannot_meet_exits_100(seeded, tmp_path, capsys):
    path, out, baseline = small_set(tmp_path), tmp_path / "out", tmp_path / "impossible.json"
    assert run(args(path, update_baseline=True, baseline=baseline), load_settings(),
               make_answerer=OverlapAnswerer) == 0
    data = json.loads(baseline.read_text(encoding="utf-8"))
    for row in data["questions"].values():  # a better system than this one: everything passed, perfect F1
        row.update(passed=True, reasons=[], f1=1.0 if row["f1"] is not None else None)
    baseline.write_text(json.dumps(data), encoding="utf-8")
    # the question that failed is critical now, so its failure is a regression by itself
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    lines[3]["critical"] = True
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")

    code = run(args(path, out=out, baseline=baseline), load_settings(), make_answerer=OverlapAnswerer)
    printed = capsys.readouterr().out
    assert code == EXIT_REGRESSION
    regressions = printed.split(f"REGRESSION against {baseline} (exit 100):\n")[1].splitlines()
    assert regressions[0] == "  - critical question hard now fails: answer lacks 'xyzzy'"
    assert any(r.startswith("  - pass_rate dropped 1.0000 -> 0.7500") for r in regressions)
    assert any(r.startswith("  - token_f1 dropped 1.0000 -> ") for r in regressions)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert len(results["comparison"]["regressions"]) == len(regressions)

    # accepting the current behaviour as the new baseline says what it gives up, then the gate passes
    assert run(args(path, baseline=baseline, update_baseline=True), load_settings(),
               make_answerer=OverlapAnswerer) == 0
    assert "Accepted as the new baseline, though against the old one these are regressions:" in \
        capsys.readouterr().out
    assert run(args(path, baseline=baseline), load_settings(), make_answerer=OverlapAnswerer) == 0


def test_update_baseline_replaces_a_broken_one(seeded, tmp_path, capsys):
    baseline = tmp_path / "broken.json"
    baseline.write_text("{not json", encoding="utf-8")
    assert run(args(small_set(tmp_path), baseline=baseline, update_baseline=True), load_settings(),
               make_answerer=OverlapAnswerer) == 0
    assert "replacing an unreadable baseline" in capsys.readouterr().err
    assert json.loads(baseline.read_text(encoding="utf-8"))["version"] == 1


def test_missing_and_empty_collections_say_how_to_create_them(seeded, tmp_path):
    path = small_set(tmp_path)
    with pytest.raises(StoreError, match=r"collection 'nope' does not exist; create it with `ragchat ingest PATH "
                                         r"--collection nope`"):
        run(args(path, collection="nope"), load_settings(), make_answerer=OverlapAnswerer)
    from ingest.store import Store

    Store(load_settings(), "hash-64", 64, collection="empty").close()
    with pytest.raises(EvalError, match=r"collection 'empty' has no documents; add them with `ragchat ingest"):
        run(args(path, collection="empty"), load_settings(), make_answerer=OverlapAnswerer)


def test_update_baseline_refuses_a_limited_run_and_bad_sets_fail_before_any_work(seeded, tmp_path):
    with pytest.raises(EvalError, match="without --limit"):
        run(args(small_set(tmp_path), update_baseline=True, limit=2), load_settings(),
            make_answerer=OverlapAnswerer)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(EvalError, match="no questions"):
        run(args(empty), load_settings(), make_answerer=OverlapAnswerer)
    with pytest.raises(EvalError, match="does not exist; write one with"):
        run(args(small_set(tmp_path), baseline=tmp_path / "none.json"), load_settings(),
            make_answerer=OverlapAnswerer)


def test_unknown_fields_are_warned_on_stderr(seeded, tmp_path, capsys):
    path = tmp_path / "typo.jsonl"
    path.write_text('{"id": "a", "question": "Is the ceasefire holding?", "must_includes": ["holding"]}\n',
                    encoding="utf-8")
    assert run(args(path), load_settings(), make_answerer=OverlapAnswerer) == 0
    assert "typo.jsonl:1: unknown field 'must_includes' ignored (did you mean 'must_include'?)" in \
        capsys.readouterr().err


def test_a_squad_file_gets_its_own_collection_reused_while_unchanged(fake_embedder, tmp_path, capsys):
    from test_eval_sets import squad_file

    path = squad_file(tmp_path / "squad.json")
    out = tmp_path / "out"
    assert run(args(path, out=out), load_settings(), make_answerer=OverlapAnswerer) == 0
    first = json.loads((out / "results.json").read_text(encoding="utf-8"))["manifest"]
    assert re.fullmatch(r"squad2-[0-9a-f]{8}", first["collection"]) and first["chunks_embedded_now"] > 0
    assert first["documents"] == 2 and first["set_kind"] == "squad"
    assert run(args(path, out=out, limit=2), load_settings(), make_answerer=OverlapAnswerer) == 0
    again = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert again["manifest"]["collection"] == first["collection"] and again["manifest"]["chunks_embedded_now"] == 0
    assert again["manifest"]["collection_fingerprint"] == first["collection_fingerprint"]
    assert len(again["questions"]) == 2


def real_answerer_available() -> bool:
    try:
        import rag.answer
        import rag.backends
    except ImportError:
        return False
    return hasattr(rag.answer, "Answerer")


@pytest.mark.skipif(not real_answerer_available(), reason="the answering chain (rag.backends) has not landed")
def test_the_real_extractive_answerer_cannot_meet_a_perfect_baseline(seeded, tmp_path, capsys):
    """The seed set through the real chain (hash embedder, extractive backend) against a baseline claiming
    every question passed with perfect F1: exit 100, the regressions listed."""
    from eval.baseline import write_baseline

    perfect = tmp_path / "perfect.json"
    write_baseline(perfect, {"manifest": {"set": str(SEED_SET)}, "summary": {}, "questions": [
        {"id": q["id"], "passed": True, "critical": True, "answerable": q.get("answerable", True),
         "refused": not q.get("answerable", True), "tags": q.get("tags", []),
         "f1": 1.0 if q.get("reference_answer") else None, "reasons": []}
        for q in (json.loads(line) for line in SEED_SET.read_text().splitlines() if line.startswith("{"))]})
    code = run(args(SEED_SET, llm="extractive", baseline=perfect, out=tmp_path / "out", limit=20),
               load_settings(), make_answerer=None)
    printed = capsys.readouterr().out
    assert code == EXIT_REGRESSION, printed
    assert "REGRESSION against" in printed and "token_f1 dropped 1.0000 ->" in printed
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert "extractive" in results["manifest"]["backend"] and len(results["questions"]) == 20
    for q in results["questions"]:  # whatever it answered, its quotes are verbatim at their offsets
        assert not [r for r in q["reasons"] if "verbatim" in r or "cannot be checked" in r], q
