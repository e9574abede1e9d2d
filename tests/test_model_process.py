"""The local model in its own process: it streams, a crash or a stall mid-answer is one clear line and an
extractive answer, the process comes back, and the next answer is generated again — with the real model,
real signals, through the chain, the CLI and the chat window. Also `openai:` against that real server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kill_helpers import KillWhileDecoding, model_process
from test_backends import SEED_SENTENCES, one_clear_line, seed_evidence

from conftest import ROOT, free_port
from rag.backends import backend_errors, check_backend, make_chat_model
from rag.errors import BackendError
from rag.prompting import build_messages

pytestmark = pytest.mark.models

QUESTION = "Who is Pakistan's Defence Minister?"  # answered by the LLM (who-said-what goes to the quote index)
#: The moment of each kill is random; its seed is printed so a failure can be replayed (RAGCHAT_KILL_SEED).
SEED_VALUE = int(os.environ.get("RAGCHAT_KILL_SEED") or time.time_ns() % 10_000)


def messages():
    return build_messages(QUESTION, seed_evidence(*SEED_SENTENCES))


def stream_text(model) -> str:
    with backend_errors(model):
        return "".join(chunk.text for chunk in model.stream(messages()))


@pytest.fixture
def gemma():
    model = make_chat_model("local", max_tokens=120)
    check_backend(model)
    return model


def test_killed_mid_stream_is_one_line_then_the_process_is_back(gemma):
    print("kill seed", SEED_VALUE)
    first = stream_text(gemma)
    assert first.strip()
    before = gemma.server.pid
    killer = KillWhileDecoding(before, SEED_VALUE, jitter=0.15)
    killer.start()
    with pytest.raises(BackendError) as exc:
        for _ in range(50):  # until the kill lands inside a request
            stream_text(gemma)
    killer.join()
    message = one_clear_line(exc)
    assert "stopped while answering (killed by SIGKILL)" in message and "restarted" in message
    assert stream_text(gemma).strip()  # the new process answers (its cache is cold: tokens may differ)
    assert gemma.server.pid not in (None, before) and gemma.server.restarts == 1
    assert gemma.server.last_exit == "killed by SIGKILL"


def test_a_stalled_process_is_cut_off_by_the_timeout_and_restarted():
    model = make_chat_model("local", timeout=20.0, n_ctx=1024)  # its own process, its own timeout
    check_backend(model)
    assert stream_text(model).strip()  # answers in time when it runs
    stalled = model.server.pid
    os.kill(stalled, signal.SIGSTOP)
    started = time.monotonic()
    with pytest.raises(BackendError) as exc:
        stream_text(model)
    assert time.monotonic() - started < 60
    assert "did not answer in time" in one_clear_line(exc) and "restarted" in str(exc.value)
    assert model.server.pid != stalled
    assert stream_text(model).strip()


# --- through the chain, the CLI and the chat window --------------------------------------------------


def test_the_chain_answers_extractively_when_the_model_dies_then_generates_again(seeded, monkeypatch):
    from rag.answer import Answerer
    from rag.settings import load_settings

    monkeypatch.setenv("RAGCHAT_LLM", "local")
    answerer = Answerer(load_settings())
    try:
        answerer.warm_up()
        server = answerer.chat_model.server
        killer = KillWhileDecoding(server.pid, SEED_VALUE, jitter=0.15)
        killer.start()
        broken = None
        for _ in range(20):
            answer = answerer.answer(QUESTION)
            if answer.model_error:
                broken = answer
                break
        killer.join()
        assert broken is not None, "the kill never landed inside an answer"
        assert "killed by SIGKILL" in broken.model_error and "extractive" in broken.answer
        assert broken.citations and "(model failed: extractive answer)" in broken.backend
        after = answerer.answer(QUESTION)
        assert not after.model_error and after.backend == "local:gemma-3-270m-q4_k_m" and after.citations
    finally:
        answerer.close()


def ragchat(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "rag", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


# Questions the LLM answers (who-said-what questions are answered from the attribution index, no LLM).
QUESTIONS = ["Who is Pakistan's Defence Minister?", "Is the ceasefire between the two states holding?",
             "What can address the issue of cross-border terrorism?", "Why will writing off the Taliban not help?",
             "What restores harmony to the Pak-Afghan relationship?", "Who denied attacking Afghan civilians?",
             "What is the Pakistani state hardening?", "When was the ceasefire reached?"]


def test_ask_batch_goes_on_after_the_model_is_killed(seeded, tmp_path):
    env = {**os.environ, "RAGCHAT_LLM": "local", "PYTHONPATH": str(ROOT)}
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps({"id": f"q{i}", "question": q}) + "\n" for i, q in enumerate(QUESTIONS)))
    app = ragchat("ask", "--batch", str(batch), env=env)
    rows = [json.loads(app.stdout.readline())]  # the model is loaded and has answered once
    killer = KillWhileDecoding(model_process(app.pid), SEED_VALUE, jitter=0.15)
    killer.start()  # it fires inside the next answer that makes the model work
    out, err = app.communicate(timeout=600)
    killer.join()
    assert app.returncode == 0, err
    rows += [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [f"q{i}" for i in range(len(QUESTIONS))]
    assert not any("error" in r for r in rows)
    broken = [i for i, r in enumerate(rows) if r.get("model_error")]
    assert len(broken) == 1, [(r["backend"], r.get("model_error")) for r in rows]
    assert "killed by SIGKILL" in rows[broken[0]]["model_error"] and rows[broken[0]]["citations"]
    generated_after = [r for r in rows[broken[0] + 1:] if r["backend"] == "local:gemma-3-270m-q4_k_m"]
    assert generated_after, "no answer after the kill was generated by the restarted model"


def test_the_chat_window_survives_the_model_being_killed(seeded, tmp_path):
    from gradio_client import Client

    from eval.bench_load import _last_answer, running

    port = free_port()
    env = {**os.environ, "RAGCHAT_LLM": "local", "PYTHONPATH": str(ROOT), "GRADIO_ANALYTICS_ENABLED": "False",
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    command = [sys.executable, "-m", "rag", "ui", "--port", str(port)]
    with running(command, env, tmp_path, tmp_path / "ui.log", f"http://127.0.0.1:{port}/", 180) as url:
        client = Client(url, verbose=False)
        app_pid = int(_pids_listening(port)[0])
        first = _last_answer(client.predict(QUESTION, "local", 8, api_name="/on_respond")[0])
        assert "rc-error" not in first
        killer = KillWhileDecoding(model_process(app_pid), SEED_VALUE, jitter=0.15)
        killer.start()  # it fires inside the next answer
        seen = [_last_answer(client.predict(QUESTIONS[2], "local", 8, api_name="/on_respond")[0])]
        killer.join()
        assert "stopped while answering" in seen[-1] and "killed by SIGKILL" in seen[-1], seen[-1][:500]
        assert "rc-error" not in seen[-1]  # an answer, not an error: the extractive one
        again = _last_answer(client.predict(QUESTIONS[3], "local", 8, api_name="/on_respond")[0])
        assert "stopped while answering" not in again and "rc-error" not in again
        client.close()


def _pids_listening(port: int) -> list[str]:
    """Pids with a socket listening on ``port`` (the chat window's server process)."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":
            inode = fields[9]
    assert inode, f"nothing listens on {port}"
    found = []
    for fd in os.listdir("/proc"):
        if not fd.isdigit():
            continue
        try:
            for link in os.listdir(f"/proc/{fd}/fd"):
                if os.readlink(f"/proc/{fd}/fd/{link}") == f"socket:[{inode}]":
                    found.append(fd)
                    break
        except OSError:
            continue
    return found


# --- openai: against the same real server, standalone ------------------------------------------------


@pytest.fixture
def model_server_url(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with (tmp_path / "server.log").open("w") as log:
        server = subprocess.Popen([sys.executable, "-m", "rag", "model-server", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}/v1"
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    yield url, server
    if server.poll() is None:
        os.kill(server.pid, signal.SIGCONT)
        server.kill()
    server.wait()


def test_openai_backend_streams_from_a_real_server(model_server_url, monkeypatch):
    url, _ = model_server_url
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    model = make_chat_model("openai:gemma-3-270m-q4_k_m")
    check_backend(model)
    chunks = [chunk.text for chunk in model.stream(messages())]
    assert len([c for c in chunks if c]) > 1 and "".join(chunks).strip()


def test_openai_wrong_model_name_is_one_line(model_server_url, monkeypatch):
    url, _ = model_server_url
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    with pytest.raises(BackendError) as exc:
        check_backend(make_chat_model("openai:gpt-4o"))
    assert "has no model 'gpt-4o'" in one_clear_line(exc) and "gemma-3-270m-q4_k_m" in str(exc.value)


def test_openai_server_that_dies_or_stalls_is_one_line(model_server_url, monkeypatch):
    url, server = model_server_url
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    model = make_chat_model("openai:gemma-3-270m-q4_k_m", timeout=2.0)
    os.kill(server.pid, signal.SIGSTOP)
    with pytest.raises(BackendError) as exc:
        stream_text(model)
    assert "did not answer in time" in one_clear_line(exc)
    os.kill(server.pid, signal.SIGCONT)
    server.kill()
    server.wait()
    with pytest.raises(BackendError) as exc:
        stream_text(model)
    assert "is not reachable" in one_clear_line(exc) and "OPENAI_BASE_URL" in str(exc.value)


# --- what runs here --------------------------------------------------------------------------------


def test_doctor_shows_a_portable_build_and_the_running_model_process(seeded, capsys):
    from rag.cli import main

    assert main(["doctor", "--json", "--llm", "local"]) == 0
    report = json.loads(capsys.readouterr().out)
    build = report["llama_cpp_build"]
    assert build["portable"] and build["features"]["AVX2"] and not build["features"].get("AMX_INT8")
    assert report["model"]["ok"] and report["model"]["process"]["pid"] and report["store"]["documents"] == 1
    assert main(["doctor", "--llm", "local"]) == 0
    text = capsys.readouterr().out
    assert "llama.cpp build: portable" in text and "no AMX" in text
    assert "Model: local:gemma-3-270m-q4_k_m answers" in text
