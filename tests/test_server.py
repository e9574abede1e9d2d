"""Server mode: a real `chroma run` on loopback, ingested into over HTTP."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import SEED, free_port
from ingest.pipeline import ingest
from ingest.store import Store
from rag.cli import main
from rag.errors import StoreError
from rag.settings import load_settings

pytestmark = pytest.mark.server


def chroma_cli() -> str:
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.exists() else (shutil.which("chroma") or "chroma")


@pytest.fixture
def chroma_server(tmp_path):
    port = free_port()
    log = open(tmp_path / "chroma.log", "w")
    proc = subprocess.Popen(
        [chroma_cli(), "run", "--path", str(tmp_path / "server-db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("chroma server did not start: " + (tmp_path / "chroma.log").read_text())
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def test_ingest_into_a_chroma_server(tmp_path, monkeypatch, chroma_server, fake_embedder, counter, capsys):
    monkeypatch.setenv("RAGCHAT_CHROMA_URL", chroma_server)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds)
    store = Store(load_settings(), fake_embedder.name, fake_embedder.dimension)
    report = ingest([seeds], store, fake_embedder, counter, progress=False)
    assert report.added == ["000_10acc92e9fefab75"]
    assert store.keyword.search("Khawaja Asif idiocy", 3)
    hits = store.dense_search(fake_embedder.embed_batch(["Defence Minister Khawaja Asif"])[0], 2)
    assert hits and hits[0][0].startswith("000_10acc92e9fefab75:")
    store.close()

    # A second client (another machine, say) with an empty keyword index catches up from the server.
    monkeypatch.setenv("RAGCHAT_DATA_DIR", str(tmp_path / "other-machine"))
    other = Store(load_settings(), fake_embedder.name, fake_embedder.dimension)
    assert other.keyword.count() == 0
    assert other.sync_keyword_index() == 1
    assert other.keyword.search("idiocy", 1)
    other.close()

    assert main(["docs"]) == 0
    assert "000_10acc92e9fefab75" in capsys.readouterr().out


def test_unreachable_server_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("RAGCHAT_CHROMA_URL", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreError, match="cannot reach the Chroma server .*chroma run"):
        Store(load_settings(), "hash-64", 64)
