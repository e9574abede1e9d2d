"""Faults a real machine has: a read-only data directory and a full disk. Each gives one clear line and
leaves a store the next run completes. Run as root (CI is), these use a real read-only bind mount and a real
small tmpfs; as a user, permissions and RLIMIT_FSIZE stand in for them."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys

import pytest

from conftest import ROOT
from test_crash import check_store, make_corpus

IS_ROOT = os.geteuid() == 0


def ragchat(*args, env_extra=None, preexec=None):
    env = {**os.environ, "RAGCHAT_EMBEDDER": "hash", "PYTHONPATH": str(ROOT), **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "rag", *args], env=env, capture_output=True, text=True,
                          timeout=300, preexec_fn=preexec)


def one_clear_line(result):
    lines = [line for line in result.stderr.splitlines() if line.startswith("ragchat:")]
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert lines, result.stderr
    return lines[-1]


@contextlib.contextmanager
def read_only(path):
    if IS_ROOT:
        subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["umount", str(path)], check=True)
    else:
        modes = {}
        for p in [path, *path.rglob("*")]:
            modes[p] = p.stat().st_mode
            p.chmod(modes[p] & ~0o222)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)


def test_read_only_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("RAGCHAT_EMBEDDER", "hash")
    data = tmp_path / "data"
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 5, 1)
    assert ragchat("ingest", str(corpus), "--quiet").returncode == 0
    make_corpus(corpus, 5, 2)
    with read_only(data):
        line = one_clear_line(ragchat("ingest", str(corpus), "--quiet"))
        assert "writable" in line or "read-only" in line.lower(), line
    recovered = ragchat("ingest", str(corpus), "--quiet")
    assert recovered.returncode == 0, recovered.stderr
    check_store(5, 2)


@pytest.fixture
def small_disk(tmp_path):
    """A data directory on a 3 MB filesystem (root) or under a 3 MB file-size limit (user)."""
    data = tmp_path / "data"
    data.mkdir()
    if IS_ROOT:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(data)], check=True)

        def grow():
            subprocess.run(["mount", "-o", "remount,size=256m", str(data)], check=True)

        yield data, None, grow
        subprocess.run(["umount", "-l", str(data)], check=True)  # lazy: this process may hold files
    else:
        def limit():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (3 * 1024 * 1024, 3 * 1024 * 1024))

        yield data, limit, lambda: None


def test_disk_full_during_ingest(tmp_path, monkeypatch, small_disk):
    monkeypatch.setenv("RAGCHAT_EMBEDDER", "hash")
    data, limit, grow = small_disk
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 80, 1)  # far more than 3 MB of chunks, vectors and index
    line = one_clear_line(ragchat("ingest", str(corpus), "--quiet", preexec=limit))
    assert "full" in line.lower() or "space" in line.lower() or "writable" in line, line
    grow()
    recovered = ragchat("ingest", str(corpus), "--quiet")
    assert recovered.returncode == 0, recovered.stderr
    check_store(80, 1)
