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


class ChromaServer:
    """A real `chroma run` on loopback that a test can stop and start again on the same port and path."""

    def __init__(self, path: Path, log: Path):
        self.path, self.log_path, self.port = path, log, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self) -> None:
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(
                [chroma_cli(), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/api/v2/heartbeat", timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.proc.kill()
                    raise RuntimeError("chroma server did not start: " + self.log_path.read_text()) from None
                time.sleep(0.3)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture
def server(tmp_path):
    srv = ChromaServer(tmp_path / "server-db", tmp_path / "chroma.log")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def chroma_server(server):
    return server.url


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


def test_ask_survives_a_server_restart(tmp_path, monkeypatch, server, fake_embedder, counter):
    """Ingest and ask through a server; stop it: a clear error, not a hang; start it: answers again."""
    from rag.answer import Answerer

    monkeypatch.setenv("RAGCHAT_CHROMA_URL", server.url)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds)
    store = Store(load_settings(), fake_embedder.name, fake_embedder.dimension)
    ingest([seeds], store, fake_embedder, counter, progress=False)
    store.close()

    answerer = Answerer(load_settings(), embedder=fake_embedder, llm="extractive")
    before = answerer.answer("What did the Defence Minister say?")
    assert "Khawaja Asif" in before.answer

    server.stop()
    with pytest.raises(StoreError, match="Chroma server at .* failed .*chroma run"):
        answerer.answer("What did the Defence Minister say?")

    server.start()
    after = answerer.answer("What did the Defence Minister say?")
    assert after.answer == before.answer and after.citations == before.citations
    answerer.close()


def test_the_chat_window_stays_up_while_the_server_is_down(tmp_path, server):
    """The issue's fault at the UI level: `ragchat ui` against a Chroma server that stops mid-session shows a
    clear error in the chat, keeps serving, and answers again once the server is back."""
    from gradio_client import Client

    from eval.bench_load import _last_answer, serve_ui

    env = {"RAGCHAT_CHROMA_URL": server.url, "RAGCHAT_EMBEDDER": "hash"}
    with serve_ui(tmp_path / "data", SEED.parent, env=env) as url:
        client = Client(url, verbose=False)

        def ask() -> str:
            messages, *_ = client.predict("What did the Defence Minister say?", "extractive", 8,
                                          api_name="/on_respond")
            return _last_answer(messages)

        before = ask()
        assert "Khawaja Asif" in before and "rc-error" not in before
        server.stop()
        down = ask()
        assert "rc-error" in down and "Chroma server" in down and "chroma run" in down, down
        server.start()
        after = ask()
        assert "Khawaja Asif" in after and "rc-error" not in after
        client.close()
