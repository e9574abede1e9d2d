"""Serve the chat window for browser tests: ingest some files, then launch on a loopback port.

Run as a script in its own process (``python tests/ui_helpers.py --port N FILE...``) with the
``RAGCHAT_*`` environment the test sets; :func:`serve` does that and waits until the page answers.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eval.bench_load import running
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def serve(data_dir: Path, port: int, files: list[Path], log_path: Path, llm: str = "extractive",
          extra_env: dict[str, str] | None = None, timeout: float = 120.0) -> Iterator[str]:
    """The app in a subprocess on ``127.0.0.1:port``; yields its URL and stops it afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAGCHAT_")}
    env.update({"RAGCHAT_DATA_DIR": str(data_dir), "RAGCHAT_EMBEDDER": "hash", "RAGCHAT_LLM": llm,
                "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False",
                "PYTHONPATH": str(ROOT), "NO_PROXY": "127.0.0.1,localhost",
                "no_proxy": "127.0.0.1,localhost"})
    env.update(extra_env or {})
    with running([sys.executable, __file__, "--port", str(port), *map(str, files)], env, data_dir.parent,
                 log_path, f"http://127.0.0.1:{port}/", timeout) as url:
        yield url


def write_users(data_dir: Path, users: dict[str, tuple[str, str]]) -> Path:
    """A users file in ``data_dir`` (what the app reads by default): ``{name: (role, password)}``, hashed
    at bcrypt's lowest cost so signing in is quick."""
    from ui.auth import add_user, users_path

    path = users_path(Settings(data_dir=data_dir))
    for name, (role, password) in users.items():
        add_user(path, name, role, password, rounds=4)
    return path


def sign_in(page, url: str, name: str, password: str) -> None:
    """Gradio's login form, then the chat window."""
    page.goto(url)
    page.get_by_label("username").fill(name)
    page.get_by_label("password").fill(password)
    page.get_by_role("button", name="Login").click()
    page.wait_for_selector("#rc-question textarea")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from ingest.chunking import TokenizerCounter
    from ingest.embedder import make_embedder, minilm_tokenizer
    from ingest.pipeline import ingest
    from ingest.store import Store
    from rag.settings import load_settings
    from ui.app import launch

    settings = load_settings()
    if args.files:
        embedder = make_embedder(settings.embedder)
        store = Store(settings, embedder.name, embedder.dimension)
        report = ingest(args.files, store, embedder, TokenizerCounter(minilm_tokenizer()), progress=False)
        store.close()
        print(report.summary(), flush=True)
    launch(settings, host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
