"""Twenty concurrent chat sessions against `ragchat ui` (the real CLI, on loopback) through gradio_client:
no errors, and no session's follow-up is understood with another session's history, with the extractive
backend and with the local LLM."""

from __future__ import annotations

import pytest

from conftest import SEED
from eval.bench_load import load, run_session, serve_ui

pytestmark = pytest.mark.server


def check(report: dict) -> None:
    print({k: v for k, v in report.items() if k != "details"})
    assert report["requests"] == 40
    assert report["errors"] == 0, [r["errors"] for r in report["details"] if r["errors"]]
    assert report["mixed_histories"] == 0, [(r["understood"], r["expected"]) for r in report["details"]]


def test_twenty_concurrent_sessions_keep_their_own_history(tmp_path):
    with serve_ui(tmp_path / "data", SEED.parent, env={"RAGCHAT_EMBEDDER": "hash"}) as url:
        check(load(url, sessions=20, backend="extractive"))


@pytest.mark.models
def test_twenty_sessions_with_the_local_llm(tmp_path):
    """The real embedder and the bundled Gemma: one llama.cpp context serves the sessions in turn."""
    with serve_ui(tmp_path / "data", SEED.parent, llm="local") as url:
        warm = run_session(url, 0, "local")  # loads the model; not part of the measured run
        assert not warm["errors"], warm["errors"]
        check(load(url, sessions=20, backend="local"))
