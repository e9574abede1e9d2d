"""An ingest killed with SIGKILL at any moment leaves a store the next ingest completes, with no duplicate
or orphan chunk in Chroma or in the keyword index."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from test_ingest import consistency

FAILPOINTS = ["marked-writing", "deleted-old", "added-batch", "marked-done", "keyword-written"]


def make_corpus(folder, n, version):
    folder.mkdir(exist_ok=True)
    for i in range(n):
        sentences = " ".join(f"Document {i} version {version} sentence {j} about topic {j % 5}." for j in range(40))
        (folder / f"doc{i:03d}.txt").write_text(sentences + "\n\n" + sentences, encoding="utf-8")


def run_ingest(folder, env_extra=None, wait=True):
    env = {**os.environ, "RAGCHAT_EMBEDDER": "hash", "PYTHONPATH": str(ROOT), **(env_extra or {})}
    cmd = [sys.executable, "-m", "rag", "ingest", str(folder), "--quiet"]
    if not wait:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


def check_store(expected_docs: int, version: int):
    from ingest.store import Store
    from rag.settings import load_settings

    os.environ["RAGCHAT_EMBEDDER"] = "hash"
    store = Store(load_settings(), "hash-64", 64)
    try:
        consistency(store)
        assert len(store.documents()) == expected_docs
        for chunk in store.document_chunks("doc000"):
            assert f"version {version}" in chunk.text
    finally:
        store.close()


@pytest.mark.parametrize("point", FAILPOINTS)
@pytest.mark.parametrize("version", [1, 2], ids=["first-ingest", "changed-files"])
def test_kill_at_each_write_step_then_recover(tmp_path, point, version, monkeypatch):
    monkeypatch.setenv("RAGCHAT_EMBEDDER", "hash")
    folder = tmp_path / "corpus"
    make_corpus(folder, 6, 1)
    if version == 2:
        assert run_ingest(folder).returncode == 0
        make_corpus(folder, 6, 2)
    killed = run_ingest(folder, {"RAGCHAT_FAILPOINT": f"{point}:3"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    recovered = run_ingest(folder)
    assert recovered.returncode == 0, recovered.stderr
    check_store(6, version)


def test_kill_at_random_moments(tmp_path, monkeypatch):
    monkeypatch.setenv("RAGCHAT_EMBEDDER", "hash")
    folder = tmp_path / "corpus"
    rng = random.Random(int(os.environ.get("RAGCHAT_CRASH_SEED", "1234")))
    started = time.perf_counter()
    make_corpus(folder, 40, 1)
    assert run_ingest(folder).returncode == 0
    full = time.perf_counter() - started
    kills = 0
    for trial in range(20):
        make_corpus(folder, 40, trial + 2)  # every file changes, so every trial rewrites everything
        proc = run_ingest(folder, wait=False)
        time.sleep(rng.uniform(0.2, full))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=300)
        recovered = run_ingest(folder)
        assert recovered.returncode == 0, recovered.stderr
        check_store(40, trial + 2)
    assert kills >= 10, "the ingest finished before most kills; the trial proves too little"
