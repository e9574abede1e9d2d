"""Reports written to --out DIR, and the baseline comparison on hand-made rows."""

from __future__ import annotations

import json

import pytest

from eval.baseline import baseline_rows, compare, load_baseline, resolve_tolerances, write_baseline
from eval.metrics import summarize
from eval.report import KEEP_RUNS, write_reports
from rag.errors import EvalError


def row(qid, passed, critical=False, tags=(), f1=None, latency=100.0, **extra):
    return {"id": qid, "question": f"question {qid}?", "passed": passed, "critical": critical, "tags": list(tags),
            "answerable": True, "refused": False, "f1": f1, "em": None, "hit_rank": None, "evidence_hit": None,
            "context_chars": 500, "latency_ms": latency, "first_token_ms": None, "retrieve_ms": 5.0,
            "reasons": [] if passed else ["answer lacks 'x'"], "answer": "An <b>answer</b> [1].",
            "citations": [{"n": 1, "doc_id": "d", "source": "d.txt", "quote": "A quote & more", "start": 0,
                           "end": 14}], "history": [], **extra}


def results(rows, commit="abc123"):
    return {"summary": summarize(rows), "questions": rows,
            "manifest": {"set": "sets/s.jsonl", "time": "2025-01-01T00:00:00+00:00", "git_commit": commit,
                         "backend": "extractive", "collection": "seeds"}}


def test_reports_are_written_and_history_accumulates(tmp_path):
    out = tmp_path / "out"
    rows = [row("q1", True, critical=True, tags=["who"], f1=0.5), row("q2", False, tags=["said"], f1=0.0)]
    paths = write_reports(out, results(rows, "first"))
    write_reports(out, results(rows[:1], "second"))
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["summary"]["passed"] == 1 and data["summary"]["total"] == 1
    assert {"summary", "questions", "manifest"} <= set(data) and data["questions"][0]["id"] == "q1"
    history = [json.loads(line) for line in paths["history"].read_text().splitlines()]
    assert [h["commit"] for h in history] == ["first", "second"]
    assert history[0]["summary"]["pass_rate"] == 0.5 and history[1]["summary"]["pass_rate"] == 1.0

    page = paths["html"].read_text(encoding="utf-8")
    assert page.count("<svg") == 2 and "<polyline" in page and "History (2 runs)" in page
    assert "An &lt;b&gt;answer&lt;/b&gt; [1]." in page and "A quote &amp; more" in page  # escaped
    assert "question q1?" in page and "d.txt:0-14" in page
    md = paths["markdown"].read_text(encoding="utf-8")
    assert "1/1 passed" in md and "| pass rate | 1.000 |" in md


def test_history_keeps_the_last_runs_and_survives_a_torn_line(tmp_path):
    history = tmp_path / "history.jsonl"
    history.write_text('{"set": "sets/s.jsonl", "summary": {}}\n{"torn', encoding="utf-8")
    for _ in range(KEEP_RUNS + 3):
        write_reports(tmp_path, results([row("q1", True)]))
    assert len(history.read_text().splitlines()) == KEEP_RUNS


def test_a_failed_run_report_lists_reasons_and_regressions(tmp_path):
    res = results([row("q1", False, critical=True)])
    res["baseline"], res["comparison"] = "b.json", {"regressions": ["critical question q1 now fails: x"]}
    paths = write_reports(tmp_path, res)
    md = paths["markdown"].read_text(encoding="utf-8")
    assert "**Regressions**" in md and "critical question q1 now fails" in md
    assert "`q1` (critical): answer lacks 'x'" in md
    assert "1 regression(s)" in paths["html"].read_text(encoding="utf-8")


# --- baseline ------------------------------------------------------------------------------------


def test_baseline_round_trip(tmp_path):
    path = tmp_path / "b" / "base.json"
    write_baseline(path, results([row("q1", True, f1=0.4)]))
    data = load_baseline(path)
    assert data["questions"]["q1"]["passed"] and data["questions"]["q1"]["f1"] == 0.4
    assert data["manifest"]["git_commit"] == "abc123" and data["summary"]["pass_rate"] == 1.0


@pytest.mark.parametrize("text, message", [
    (None, "does not exist; write one with"), ("{", "not valid JSON"), ("[]", "no \"questions\" mapping"),
    ('{"version": 99, "questions": {}}', "version 99"),
])
def test_bad_baselines(tmp_path, text, message):
    path = tmp_path / "base.json"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(EvalError, match=message):
        load_baseline(path)


def base(rows):
    return {"questions": baseline_rows(rows)}


def test_a_critical_flip_is_a_regression_and_a_plain_flip_is_not():
    tolerances = resolve_tolerances({"pass_rate": 1.0}, "t")
    before = [row("c", True, critical=True), row("n", True), row("f", False)]
    now = [row("c", False, critical=True), row("n", False), row("f", True), row("new", True)]
    result = compare(base(before), now, tolerances)
    assert result.regressions == ["critical question c now fails: answer lacks 'x'"]
    assert result.changes == ["n now fails: answer lacks 'x'"] and result.improvements == ["f now passes"]
    assert result.notes == ["1 question(s) not in the baseline, not compared: new"]


def test_aggregates_drop_beyond_their_tolerance():
    before = [row(f"q{i}", True, f1=0.5, latency=100.0) for i in range(10)]
    slightly = [row(f"q{i}", True, f1=0.49, latency=100.0) for i in range(10)]
    assert compare(base(before), slightly, resolve_tolerances({}, "t")).regressions == []
    worse = [row(f"q{i}", i != 0, f1=0.4, latency=200.0) for i in range(10)]
    result = compare(base(before), worse, resolve_tolerances({"pass_rate": 0.05, "latency_p50_ms": 0.5}, "t"))
    assert result.regressions == [
        "pass_rate dropped 1.0000 -> 0.9000 (-0.1000; tolerance 0.05)",
        "token_f1 dropped 0.5000 -> 0.4000 (-0.1000; tolerance 0.02)",
        "latency_p50_ms rose 100.0 -> 200.0 (+100.0%; tolerance 50%)",
    ]


def test_aggregates_compare_only_shared_questions_and_tags_can_be_stricter():
    before = [row("a", True, tags=["inj"]), row("b", True), row("c", False)]
    limited = [row("a", False, tags=["inj"]), row("b", True)]  # e.g. --limit 2
    tolerances = resolve_tolerances({"pass_rate": 0.6, "tags": {"inj": {"pass_rate": 0.0}}}, "t")
    assert compare(base(before), limited, tolerances).regressions == [
        ("pass_rate dropped 1.0000 -> 0.0000 (-1.0000; tolerance 0.0) in tag 'inj' "
         "(over the 2 questions both runs have)")]


def test_tolerance_errors_name_the_place():
    with pytest.raises(EvalError, match=r"s.jsonl: unknown tolerance 'f1'"):
        resolve_tolerances({"f1": 0.1}, "s.jsonl")
    with pytest.raises(EvalError, match=r"tolerance mrr must be a number >= 0"):
        resolve_tolerances({"mrr": -1}, "s.jsonl")
    with pytest.raises(EvalError, match=r"tag x"):
        resolve_tolerances({"tags": {"x": {"nope": 1}}}, "s.jsonl")
    assert resolve_tolerances({"latency_p95_ms": None}, "s")["latency_p95_ms"] is None
