"""Load: concurrent chat sessions against a running ``ragchat ui`` through ``gradio_client`` on loopback.

Every session asks a question and then a follow-up that only its own history can resolve; half the
sessions ask about the Defence Minister, half about the military spokesperson. A session whose follow-up
was understood with the other topic has seen another conversation's history.
"""

from __future__ import annotations

import html as html_lib
import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

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
