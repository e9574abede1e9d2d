"""The LLM against no LLM: ``local`` and ``extractive`` side by side on the same question sets, same run.

``python -m eval.bench backends [--backends local,extractive] [--sets blind,seed,squad] [--limit N] [--json]``

Each (set, backend) is one ``ragchat eval`` run (the same harness, checks and figures as CI's gate), over:

- ``blind``: the frozen test half of the blind Wikinews set (``eval/sets/wikinews-blind-test.jsonl``) over a
  collection of the whole corpus (``../shared/corpora/wikinews``), ingested once into a scratch data dir;
- ``seed``: ``eval/sets/seed.jsonl`` over ``seeds/``;
- ``squad``: the test half of the public SQuAD 2.0 set — its odd-numbered articles (the span reader,
  rag/span_reader.py, is trained on the even-numbered ones: eval/reader/README.md) —, in a collection of its
  own built by the harness; the first ``--limit`` questions of a fixed sample (default 200).

Figures per run: pass rate, short-answer token F1 / EM (the verified short answer when there is one, else
the whole answer), refusal precision / recall, first token p50 (from the LLM call) and whole answer p50.
The reports stay in ``bench-results/backends/SET-BACKEND/``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("pass_rate", "token_f1", "exact_match", "refusal_precision", "refusal_recall", "first_token_p50_ms",
           "latency_p50_ms")


def _ragchat(*argv: str, env: dict) -> None:
    command = [sys.executable, "-m", "rag", *argv]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 100):
        raise SystemExit(f"{' '.join(argv[:2])} failed ({done.returncode}): {done.stderr.strip()[-800:]}")


def prepare(sets: list[str], work: Path, env: dict) -> dict[str, tuple[Path, list[str]]]:
    """What each set runs on: ``{set: (question file, extra eval arguments)}``; collections ingested here."""
    from eval.wikinews import write_articles as write_wikinews

    runs: dict[str, tuple[Path, list[str]]] = {}
    if "blind" in sets:
        articles = work / "wikinews"
        if not articles.exists():
            write_wikinews(articles)
        _ragchat("ingest", str(articles), "--collection", "wikinews", "--quiet", env=env)
        runs["blind"] = (ROOT / "eval/sets/wikinews-blind-test.jsonl", ["--collection", "wikinews"])
    if "seed" in sets:
        _ragchat("ingest", str(ROOT / "seeds"), "--collection", "seeds", "--quiet", env=env)
        runs["seed"] = (ROOT / "eval/sets/seed.jsonl", ["--collection", "seeds"])
    if "squad" in sets:
        runs["squad"] = (squad_test_half(work), [])
    return runs


def squad_test_half(work: Path) -> Path:
    """The public SQuAD file with only its odd-numbered articles (the span reader never trained on them)."""
    from eval.squad import DEFAULT_SQUAD

    data = json.loads(Path(DEFAULT_SQUAD).read_text(encoding="utf-8"))
    data["data"] = [article for i, article in enumerate(data["data"]) if i % 2 == 1]
    path = work / "squad2-test-half.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def bench_backends(args: argparse.Namespace) -> dict:
    backends = (getattr(args, "backends", None) or "local,extractive").split(",")
    sets = (getattr(args, "sets", None) or "blind,seed,squad").split(",")
    limit = getattr(args, "limit", None) or 200
    out = Path(getattr(args, "out", None) or ROOT / "bench-results" / "backends")
    work = out / "work"
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "RAGCHAT_DATA_DIR": str(work / "data"), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    figures: dict = {"limit_squad": limit, "runs": {}}
    for name, (path, extra) in prepare(sets, work, env).items():
        for backend in backends:
            report = out / f"{name}-{backend}"
            argv = ["eval", str(path), "--llm", backend, "--out", str(report), "--quiet", *extra]
            if name == "squad":
                argv += ["--limit", str(limit)]
            print(f"running {name} with {backend} …", file=sys.stderr, flush=True)
            _ragchat(*argv, env=env)
            summary = json.loads((report / "results.json").read_text(encoding="utf-8"))["summary"]
            figures["runs"][f"{name}/{backend}"] = {k: summary.get(k) for k in ("passed", "total", *FIGURES)}
    print(_table(figures["runs"]))
    return figures


def _fmt(key: str, value) -> str:
    if value is None:
        return "–"
    if key.endswith("_ms"):
        return f"{value / 1000:.2f} s"
    return f"{value:.3f}"


def _table(runs: dict) -> str:
    head = ["set/backend", "passed", *FIGURES]
    rows = [[k, f"{v['passed']}/{v['total']}", *(_fmt(f, v.get(f)) for f in FIGURES)] for k, v in runs.items()]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows])
