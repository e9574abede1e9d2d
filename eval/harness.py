"""``ragchat eval SET``: run a question set through the answerer, score every answer, write the reports and
gate on a baseline.

Entry point for the CLI: :func:`run` (exit 0; 100 on a regression; a :class:`~rag.errors.RagchatError`
for anything the user must fix, which the CLI turns into exit 1). :func:`evaluate` is the loop the answer
benchmark reuses.
"""

from __future__ import annotations

import inspect
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from eval.baseline import compare, load_baseline, resolve_tolerances, write_baseline
from eval.checks import DocumentTexts, check_answer, figures
from eval.corpus import Corpus, prepare_corpus
from eval.metrics import summarize
from eval.report import write_reports
from eval.sets import Question, QuestionSet, load_set, sample_questions
from rag.errors import BackendError, EvalError, RagchatError, StoreError
from rag.settings import Settings
from rag.types import Answer

EXIT_REGRESSION = 100
ROOT = Path(__file__).resolve().parent.parent
SHOWN_FAILURES = 20


def default_answerer(settings: Settings, embedder=None):
    """The real answering chain; tests pass their own factory with the same signature."""
    from rag.answer import Answerer

    return Answerer(settings, embedder=embedder)


def default_baseline_path(set_path: Path) -> Path:
    return set_path.with_name(set_path.stem + ".baseline.json")


def run(args, settings: Settings, *, make_answerer=None) -> int:
    """Run ``args.set``; ``args`` has ``set, collection, llm, baseline, update_baseline, out, limit``."""
    qset = load_set(Path(args.set))
    limit, update = getattr(args, "limit", None), bool(getattr(args, "update_baseline", False))
    progress = not getattr(args, "quiet", False)
    if update and limit:
        raise EvalError("--update-baseline records the whole set; run it without --limit.")
    tolerances = resolve_tolerances(qset.tolerances, f"{qset.path} (tolerances)")
    baseline_path = Path(args.baseline) if args.baseline else (default_baseline_path(qset.path) if update else None)
    baseline = None
    if baseline_path and not update:
        baseline = load_baseline(baseline_path)  # before the run: a bad baseline should not cost a run
    elif baseline_path and baseline_path.exists():
        try:  # the old baseline, to show what the new one changes; a broken one is simply replaced
            baseline = load_baseline(baseline_path)
        except EvalError as exc:
            print(f"ragchat: warning: replacing an unreadable baseline: {exc}", file=sys.stderr)
    questions = sample_questions(qset, limit)
    settings = settings.with_overrides(llm=getattr(args, "llm", None))

    embedder = None
    if qset.kind == "squad":
        from ingest.embedder import make_embedder

        embedder = make_embedder(settings.embedder)  # shared by ingest and the answerer: loaded once
    corpus = prepare_corpus(qset, settings, getattr(args, "collection", None), embedder, progress)
    for warning in qset.warnings:
        print(f"ragchat: warning: {warning}", file=sys.stderr)
    settings = settings.with_overrides(collection=corpus.collection)

    answerer = (make_answerer or default_answerer)(settings, embedder)
    try:
        warm_up(answerer)
        started = time.perf_counter()
        rows = evaluate(answerer, questions, DocumentTexts(corpus.documents), progress=progress)
        seconds = time.perf_counter() - started
        backend = getattr(answerer, "backend_label", settings.llm)
    finally:
        answerer.close()

    results = {"summary": summarize(rows), "questions": rows,
               "manifest": manifest(qset, corpus, settings, backend, len(questions), limit, seconds)}
    comparison = compare(baseline, rows, tolerances) if baseline else None
    if comparison:
        results["baseline"], results["comparison"] = str(baseline_path), comparison.to_dict()
    paths = write_reports(Path(args.out), results) if args.out else {}
    print(console_summary(results, paths))
    if update:
        if comparison and comparison.regressions:
            print("Accepted as the new baseline, though against the old one these are regressions:")
            print("\n".join(f"  - {line}" for line in comparison.regressions))
        write_baseline(baseline_path, results)
        print(f"Baseline written to {baseline_path} ({len(rows)} questions).")
        return 0
    if comparison and comparison.regressions:
        print(f"\nREGRESSION against {baseline_path} (exit {EXIT_REGRESSION}):")
        print("\n".join(f"  - {line}" for line in comparison.regressions))
        return EXIT_REGRESSION
    if comparison:
        print(f"No regression against {baseline_path}.")
    return 0


# --- the loop ---------------------------------------------------------------------------------------


def warm_up(answerer) -> None:
    """Load the answerer's models before the clock starts, so the first question's latency is its own
    (the real chain builds its embedder, store and LLM on first use; fakes have none of these)."""
    if hasattr(answerer, "warm_up"):
        answerer.warm_up()  # also waits for a local model's process to answer
        return
    for part in ("embedder", "store", "chat_model"):
        getattr(answerer, part, None)


def evaluate(answerer, questions: list[Question], texts: DocumentTexts, progress: bool = True,
             desc: str = "Evaluating") -> list[dict]:
    """Ask every question and score its answer; one results.json row each, in order."""
    from tqdm import tqdm

    rows: list[dict] = []
    bar = tqdm(questions, desc=desc, unit="q", disable=not progress, file=sys.stderr, dynamic_ncols=True)
    for question in bar:
        rows.append(ask_and_check(answerer, question, texts))
        bar.set_postfix(passed=f"{sum(r['passed'] for r in rows)}/{len(rows)}", refresh=False)
    bar.close()
    return rows


def ask_and_check(answerer, question: Question, texts: DocumentTexts) -> dict:
    """One row. A backend or store failure stops the run (every question would fail the same way); any
    other user-facing error fails just this question, with the error as its reason."""
    started = time.perf_counter()
    try:
        dated = {"as_of": question.as_of} if question.as_of else {}  # fakes in tests take no as_of
        answer: Answer = answerer.answer(question.question, history=question.history or None, **dated)
    except (BackendError, StoreError):
        raise
    except RagchatError as exc:
        elapsed = (time.perf_counter() - started) * 1000
        empty = Answer(question.question, question.question, "", refused=False, timings_ms={"total": elapsed})
        return {**_identity(question), "passed": False, "reasons": [f"error: {exc}"], "answer": "",
                "refused": False, "citations": [], **figures(question, empty)}
    answer.timings_ms = dict(answer.timings_ms or {})
    answer.timings_ms.setdefault("total", (time.perf_counter() - started) * 1000)
    verdict = check_answer(question, answer, texts)
    return {
        **_identity(question),
        "passed": verdict.passed,
        "reasons": verdict.reasons,
        **answer.to_dict(),
        "question": question.question,
        "evidence": [{"n": e.n, "doc_id": e.doc_id, "start": e.start, "end": e.end, "text": e.text}
                     for e in answer.evidence],
        **verdict.figures,
    }


def _identity(q: Question) -> dict:
    return {"id": q.id, "question": q.question, "history": q.history, "tags": q.tags, "critical": q.critical,
            "answerable": q.answerable}


# --- manifest and console -----------------------------------------------------------------------------


def git_state() -> tuple[str | None, bool | None]:
    """``(commit, dirty)`` of the working tree, read-only; ``(None, None)`` outside a git checkout."""
    def git(*argv: str) -> str | None:
        try:
            done = subprocess.run(["git", "--no-optional-locks", *argv], cwd=ROOT, capture_output=True,
                                  text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return commit, (bool(status) if status is not None else None)


def manifest(qset: QuestionSet, corpus: Corpus, settings: Settings, backend: str, n_questions: int,
             limit: int | None, seconds: float) -> dict:
    """What a run depends on, so two runs' figures can be told apart by their cause."""
    from ingest.chunking import chunk_text

    commit, dirty = git_state()
    defaults = {name: p.default for name, p in inspect.signature(chunk_text).parameters.items()
                if p.default is not inspect.Parameter.empty}
    return {
        "set": str(qset.path), "set_kind": qset.kind, "set_sha256": qset.sha256, "questions": n_questions,
        "limit": limit, "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 2), "git_commit": commit, "git_dirty": dirty, "backend": backend,
        "llm": settings.llm, "embedding_model": corpus.embedding_model, "chunking": defaults, "k": settings.k,
        "collection": corpus.collection, "collection_fingerprint": corpus.fingerprint,
        "documents": len(corpus.documents), "chunks_embedded_now": corpus.chunks_embedded,
        "chroma": settings.chroma_url or "embedded",
        "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
    }


def console_summary(results: dict, paths: dict) -> str:
    s, m = results["summary"], results["manifest"]
    rate = f" ({s['pass_rate']:.1%})" if s["pass_rate"] is not None else ""
    lines = [(f"{Path(m['set']).name}: {s['passed']}/{s['total']}{rate} passed, critical "
              f"{s['critical_passed']}/{s['critical_total']} · backend {m['backend']} · collection "
              f"{m['collection']}")]
    shown = [(label, s.get(key), fmt) for label, key, fmt in (
        ("token F1", "token_f1", "{:.3f}"), ("EM", "exact_match", "{:.3f}"), ("hit@k", "hit_at_k", "{:.3f}"),
        ("MRR", "mrr", "{:.3f}"), ("refusal P", "refusal_precision", "{:.3f}"),
        ("refusal R", "refusal_recall", "{:.3f}"), ("latency p50", "latency_p50_ms", "{:.0f} ms"),
        ("p95", "latency_p95_ms", "{:.0f} ms"))]
    lines.append(" · ".join(f"{label} {fmt.format(v)}" for label, v, fmt in shown if v is not None))
    failed = [q for q in results["questions"] if not q["passed"]]
    if failed:
        lines.append("Failed:")
        lines += [f"  {q['id']}{' (critical)' if q.get('critical') else ''}: {'; '.join(q['reasons'])}"
                  for q in failed[:SHOWN_FAILURES]]
        if len(failed) > SHOWN_FAILURES:
            lines.append(f"  … and {len(failed) - SHOWN_FAILURES} more (see results.json)")
    comparison = results.get("comparison") or {}
    for title, key in (("Now failing (not critical)", "changes"), ("Improvements", "improvements"),
                       ("Notes", "notes")):
        if comparison.get(key):
            lines.append(f"{title}:")
            lines += [f"  {item}" for item in comparison[key]]
    if paths:
        lines.append(f"Reports: {paths['html']} (also {paths['json'].name}, {paths['markdown'].name})")
    return "\n".join(lines)
