"""Load: concurrent chat sessions against a running ``ragchat ui`` through ``gradio_client`` on loopback.

Every session asks a question and then a follow-up that only its own history can resolve; half the
sessions ask about the Defence Minister, half about the military spokesperson. A session whose follow-up
was understood with the other topic has seen another conversation's history.

``python -m eval.bench load [--sessions N] [--backends extractive,local] [--json]`` starts the real
``ragchat ui`` (the configured embedder, the seeds ingested into a temporary data directory) and runs the
sessions once per backend, printing the figures as a table.
"""

from __future__ import annotations

import argparse
import contextlib
import html as html_lib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SESSIONS = 20

TOPICS = [
    ("Who is the defence minister?", "What did he say?", "Khawaja Asif"),
    ("What did the military spokesperson say?", "What did they deny?", "the military spokesperson"),
]
_UNDERSTOOD = re.compile(r"Understood as: ([^<]+)<")


def _last_answer(messages: list[dict]) -> str:
    content = messages[-1]["content"]
    if isinstance(content, list):
        content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def run_session(url: str, index: int, backend: str) -> dict:
    from gradio_client import Client

    first, follow_up, expected = TOPICS[index % len(TOPICS)]
    client = Client(url, verbose=False)
    timings, errors = [], []
    understood = ""
    for question in (first, follow_up):
        started = time.perf_counter()
        try:
            messages, _sources, *_ = client.predict(question, backend, 8, api_name="/on_respond")
            html = _last_answer(messages)
            if "rc-error" in html:
                errors.append(html[:200])
            match = _UNDERSTOOD.search(html)
            if question == follow_up:
                understood = html_lib.unescape(match.group(1)) if match else ""
        except Exception as exc:  # a load test counts failures instead of stopping at the first
            errors.append(f"{type(exc).__name__}: {exc}")
        timings.append((time.perf_counter() - started) * 1000)
    client.close()
    mixed = bool(understood) and expected.lower() not in understood.lower()
    return {"session": index, "timings_ms": timings, "errors": errors, "understood": understood,
            "expected": expected, "mixed": mixed or not understood}


def load(url: str, sessions: int = 20, backend: str = "extractive") -> dict:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=sessions) as pool:
        results = list(pool.map(lambda i: run_session(url, i, backend), range(sessions)))
    latencies = sorted(t for r in results for t in r["timings_ms"])
    return {
        "backend": backend,
        "sessions": sessions,
        "requests": len(latencies),
        "errors": sum(len(r["errors"]) for r in results),
        "mixed_histories": sum(r["mixed"] for r in results),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[max(0, int(len(latencies) * 0.95) - 1)], 1),
        "wall_s": round(time.perf_counter() - started, 2),
        "details": results,
    }


# --- a real `ragchat ui` to load ---------------------------------------------------------------------


@contextlib.contextmanager
def serve_ui(data_dir: Path, docs: Path, llm: str = "extractive", env: dict[str, str] | None = None,
             timeout: float = 180) -> Iterator[str]:
    """Ingest ``docs`` into ``data_dir`` and run ``ragchat ui`` on a free loopback port; yields its URL.

    The server runs as a separate process with only ``env``'s ``RAGCHAT_*`` settings (the developer's are
    dropped); its output goes to ``ui.log`` in ``data_dir``'s parent, shown if it fails to start.
    """
    import socket

    clean = {k: v for k, v in os.environ.items() if not k.startswith("RAGCHAT_")}
    clean.update({"RAGCHAT_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), "GRADIO_ANALYTICS_ENABLED": "False",
                  "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1", **(env or {})})
    work = data_dir.parent
    subprocess.run([sys.executable, "-m", "rag", "ingest", str(docs), "--quiet"], env=clean, check=True, cwd=work)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with running([sys.executable, "-m", "rag", "ui", "--port", str(port), "--llm", llm], clean, work,
                 work / "ui.log", f"http://127.0.0.1:{port}/", timeout) as url:
        yield url


@contextlib.contextmanager
def running(command: list[str], env: dict[str, str], cwd: Path, log_path: Path, url: str,
            timeout: float) -> Iterator[str]:
    """Start ``command`` (a web app), output to ``log_path``; yield ``url`` once it answers; stop it after."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(url, proc, log_path, timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_until_up(url: str, proc: subprocess.Popen, log_path: Path, timeout: float) -> None:
    """Poll ``url`` until it answers (any status below 500: a login page counts); fail with the log if the
    process exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = log_path.read_text(errors="replace")
            raise RuntimeError(f"the app exited with {proc.returncode}:\n{log}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:  # 401 with auth on: up all the same
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the app did not come up in {timeout:.0f} s:\n{log_path.read_text(errors='replace')}")


def bench_load(args: argparse.Namespace) -> dict:
    """The benchmark entry point (``python -m eval.bench load``): one UI, each backend in turn."""
    from eval.bench import table

    sessions = getattr(args, "sessions", None) or DEFAULT_SESSIONS
    backends = [b.strip() for b in (getattr(args, "backends", None) or "extractive,local").split(",") if b.strip()]
    work = Path(tempfile.mkdtemp(prefix="ragchat-load-"))
    try:
        with serve_ui(work / "data", ROOT / "seeds", llm=backends[0]) as url:
            # One unmeasured question per backend first: model loading is not what this measures.
            for backend in backends:
                run_session(url, 0, backend)
            runs = [load(url, sessions, backend) for backend in backends]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = []
    for r in runs:
        rows.append((f"{r['backend']}: {r['sessions']} sessions, {r['requests']} requests",
                     f"p50 {r['p50_ms'] / 1000:.2f} s  p95 {r['p95_ms'] / 1000:.2f} s  wall {r['wall_s']:.1f} s  "
                     f"errors {r['errors']}  mixed histories {r['mixed_histories']}"))
    print(table(rows))
    return {"sessions": sessions, "runs": [{k: v for k, v in r.items() if k != "details"} for r in runs],
            "targets": {"errors": "== 0", "mixed_histories": "== 0"}}
