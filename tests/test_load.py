"""Twenty concurrent chat sessions against `ragchat ui` (the real CLI, on loopback) through gradio_client:
no errors, and no session's follow-up is understood with another session's history."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT, SEED, free_port
from eval.bench_load import load

pytestmark = pytest.mark.server


@pytest.fixture
def ui_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAGCHAT_")}
    env.update({"RAGCHAT_DATA_DIR": str(tmp_path / "data"), "RAGCHAT_EMBEDDER": "hash", "PYTHONPATH": str(ROOT),
                "GRADIO_ANALYTICS_ENABLED": "False", "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"})
    subprocess.run([sys.executable, "-m", "rag", "ingest", str(SEED.parent), "--quiet"], env=env, check=True,
                   cwd=tmp_path)
    port = free_port()
    with open(tmp_path / "ui.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "rag", "ui", "--port", str(port), "--llm", "extractive"],
                                env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError((tmp_path / "ui.log").read_text()) from None
            time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_twenty_concurrent_sessions_keep_their_own_history(ui_server):
    report = load(ui_server, sessions=20, backend="extractive")
    print({k: v for k, v in report.items() if k != "details"})
    assert report["requests"] == 40
    assert report["errors"] == 0, [r["errors"] for r in report["details"] if r["errors"]]
    assert report["mixed_histories"] == 0, [(r["understood"], r["expected"]) for r in report["details"]]
