"""The model in its own process against the model in the app's process: ``python -m eval.bench model``.

In one run, on the seed set (real embedder, real Gemma, same portable llama.cpp build for both):

* first token, first verified text and whole answer p50 with ``local`` (the supervised model server,
  reached over loopback through the OpenAI client) and with ``local-inprocess`` (the reference: llama.cpp
  inside the app, as before), and how many of the answers are the same text;
* ``ragchat ask`` from a cold start (a new process: imports, store, embedder, model), median of
  ``--runs`` runs for each.

Targets: first token p50 <= 1.0 s, whole answer p50 <= 2.5 s; and no slower than the reference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("local", "local-inprocess")
TARGETS = {"first_token_p50_s": "<= 1.0", "answer_p50_s": "<= 2.5"}


def cold_start(llm: str, data_dir: Path, runs: int) -> float:
    """Median wall time of ``ragchat ask QUESTION --llm LLM`` in a new process, in seconds."""
    env = {**os.environ, "RAGCHAT_DATA_DIR": str(data_dir), "RAGCHAT_COLLECTION": "bench-seed",
           "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "rag", "ask", "What did the Defence Minister say?", "--llm", llm],
                       env=env, check=True, capture_output=True, cwd=data_dir.parent)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 2)


def bench_model(args: argparse.Namespace) -> dict:
    from eval.bench import table
    from eval.bench_answer import seed_timings
    from ingest.embedder import make_embedder
    from rag.settings import load_settings

    runs = getattr(args, "runs", None) or 3
    work = Path(tempfile.mkdtemp(prefix="ragchat-model-"))
    figures: dict = {"targets": TARGETS}
    try:
        settings = load_settings().with_overrides(data_dir=work / "data")
        embedder = make_embedder(settings.embedder)
        answers: dict[str, list[str]] = {}
        for llm in BACKENDS:
            answers[llm] = []
            timings = seed_timings(settings, embedder, progress=not args.json, llm=llm, answers=answers[llm])
            figures[llm] = {k.removeprefix("seed_"): v for k, v in timings.items()}
            figures[llm]["cold_start_s"] = cold_start(llm, work / "data", runs)
        same = sum(a == b for a, b in zip(*answers.values()))
        figures["same_answers"], figures["questions"] = same, len(answers[BACKENDS[0]])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ours, ref = figures["local"], figures["local-inprocess"]
    rows = [(f"{name} p50", f"{ours[key]:.3f} s  vs in-process {ref[key]:.3f} s"
             f"{'  (target ' + TARGETS[key] + ' s)' if key in TARGETS else ''}")
            for name, key in (("first token", "first_token_p50_s"), ("first verified text", "first_text_p50_s"),
                              ("whole answer", "answer_p50_s"), ("retrieval", "retrieve_p50_s"))]
    rows.append((f"`ragchat ask` cold start, median of {runs}", f"{ours['cold_start_s']:.2f} s  vs in-process "
                 f"{ref['cold_start_s']:.2f} s"))
    rows.append(("same answer text", f"{figures['same_answers']} of {figures['questions']} seed questions"))
    print(table(rows))
    return figures
