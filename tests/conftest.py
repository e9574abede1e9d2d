"""Test set-up: every test gets its own data directory; no test can reach a model hub."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_10acc92e9fefab75.txt"


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Point the data directory at a temp dir and clear any RAGCHAT_* the developer has set."""
    for var in list(os.environ):
        if var.startswith("RAGCHAT_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("RAGCHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def fake_embedder(monkeypatch):
    monkeypatch.setenv("RAGCHAT_EMBEDDER", "hash")
    from ingest.embedder import HashEmbedder

    return HashEmbedder()


@pytest.fixture
def store(fake_embedder):
    from ingest.store import Store
    from rag.settings import load_settings

    s = Store(load_settings(), fake_embedder.name, fake_embedder.dimension)
    yield s
    s.close()


@pytest.fixture(scope="session")
def counter():
    from ingest.chunking import TokenizerCounter
    from ingest.embedder import minilm_tokenizer

    return TokenizerCounter(minilm_tokenizer())


@pytest.fixture
def seeded(tmp_path, fake_embedder, capsys):
    """The seed ingested (fake embedder) through the CLI; the ingest's output is swallowed."""
    from rag.cli import main

    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED, folder)
    assert main(["ingest", str(folder), "--quiet"]) == 0
    capsys.readouterr()
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
