"""Run a local model in a process of its own, on loopback, and keep it running.

The app side of the ``local`` backend. One :class:`ModelServer` per model file and settings per app
process. It binds its loopback socket once, when created, and hands that socket to every model process
it starts, so the address never changes, and a request that arrives while a crashed process is being
replaced waits in the socket's queue instead of failing.

- :meth:`ModelServer.start` starts the process and does not wait (the model loads while retrieval runs);
  :meth:`ModelServer.ensure` waits until it answers ``/v1/models``.
- :meth:`ModelServer.failure` is asked when a request failed: if the process died (a native crash,
  SIGKILL, out of memory) or stalled past the client's timeout, it is restarted (a stalled one is killed
  first) and the answer is one readable line; any other failure is not the process's and gets ``None``.
- The model process exits by itself when this process goes away (it watches its parent), and is
  terminated at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from rag.errors import BackendError

START_TIMEOUT = 120.0  # seconds for a model process to load and answer; 250 MB loads in about 1 s here


class ModelServer:
    def __init__(self, model: Any, n_threads: int = 2, n_ctx: int = 2048) -> None:
        self.model = model  # rag.backends.local.ModelFile
        self.n_threads, self.n_ctx = n_threads, n_ctx
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.socket.set_inheritable(True)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/v1"
        self.log = Path(tempfile.gettempdir()) / f"ragchat-model-{os.getpid()}-{self.socket.getsockname()[1]}.log"
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.ready = False
        self.restarts = 0
        self.last_exit = ""  # how the previous process ended, for `ragchat doctor`
        self._lock = threading.RLock()

    # --- the process ---------------------------------------------------------------------------------

    def command(self, path: str) -> list[str]:
        return [sys.executable, "-m", "rag.backends.model_server", "--model", path, "--name", self.model.name,
                "--prompt-style", self.model.prompt_style, "--stop", json.dumps(list(self.model.stop)),
                "--n-threads", str(self.n_threads), "--n-ctx", str(self.n_ctx),
                "--fd", str(self.socket.fileno()), "--parent", str(os.getpid())]

    def start(self) -> None:
        """Start the model process unless it is running; do not wait for it."""
        with self._lock:
            if self.process is not None and self.process.poll() is None:
                return
            if self.process is not None:
                self.last_exit = describe_exit(self.process.returncode)
                self.restarts += 1
            path = self.model.resolve()  # BackendError when the file is missing or cannot be assembled
            with self.log.open("ab") as log:
                env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
                self.process = subprocess.Popen(self.command(path), pass_fds=(self.socket.fileno(),),
                                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                                env=env)
            self.started_at, self.ready = time.monotonic(), False
            _running.add(self)

    def ensure(self, timeout: float = START_TIMEOUT) -> str:
        """Start the process if needed and wait until it answers; its URL. BackendError if it cannot."""
        self.start()
        if self.ready and self.process is not None and self.process.poll() is None:
            return self.url
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.process
            if process is None or process.poll() is not None:
                code = process.returncode if process is not None else None
                raise BackendError(f"the local model process exited while loading {self.model.name} "
                                   f"({describe_exit(code)}): {self.last_log_line()}; see `ragchat doctor`, "
                                   "or choose --llm extractive.")
            try:
                with httpx.Client(timeout=1.0) as client:
                    if client.get(f"{self.url}/models").status_code == 200:
                        self.ready = True
                        return self.url
            except httpx.HTTPError:
                pass  # still loading: the socket queues the request until the process accepts
            time.sleep(0.05)
        self.kill()
        raise BackendError(f"the local model process did not start within {timeout:.0f} s; see {self.log}, "
                           "or choose --llm extractive.")

    def failure(self, exc: BaseException) -> str | None:
        """After a failed request: restart a dead or stalled process and say what happened, else ``None``."""
        name = type(exc).__name__
        with self._lock:
            process = self.process
            if process is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=0.5)  # a process killed mid-stream may take a moment to be reaped
            if process is not None and process.poll() is not None:
                how = describe_exit(process.returncode)
                self.start()
                return (f"the local model process stopped while answering ({how}); it is being restarted, "
                        "and this answer is the extractive one")
            if "Timeout" in name:
                self.kill()
                self.start()
                return ("the local model did not answer in time; its process was restarted, and this answer "
                        "is the extractive one")
        return None

    def kill(self) -> None:
        with self._lock:
            if self.process is not None and self.process.poll() is None:
                self.process.kill()
                self.process.wait()

    def stop(self) -> None:
        """Terminate the process (politely, then not) and close the socket."""
        with self._lock:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.kill()
            _running.discard(self)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.poll() is None else None

    def log_size(self) -> int:
        try:
            return self.log.stat().st_size
        except OSError:
            return 0

    def error_since(self, offset: int, wait: float = 2.0) -> str:
        """The last error the process logged after byte ``offset`` (waiting up to ``wait`` s for it: the
        server writes its traceback after it has already closed the reply)."""
        deadline = time.monotonic() + wait
        while True:
            try:
                with self.log.open("rb") as log:
                    log.seek(offset)
                    lines = log.read().decode("utf-8", "replace").splitlines()
            except OSError:
                lines = []
            errors = [line.strip() for line in lines if "Error" in line]
            if errors or time.monotonic() >= deadline:
                return errors[-1][:200] if errors else "no error logged"
            time.sleep(0.05)

    def last_log_line(self) -> str:
        try:
            lines = [line for line in self.log.read_text(errors="replace").splitlines() if line.strip()]
        except OSError:
            return "no log"
        return lines[-1][:200] if lines else "no output"

    def status(self) -> dict:
        """What `ragchat doctor` shows."""
        return {"model": self.model.name, "url": self.url, "pid": self.pid, "ready": self.ready,
                "restarts": self.restarts, "last_exit": self.last_exit, "log": str(self.log)}


def describe_exit(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


_servers: dict[tuple, ModelServer] = {}
_servers_lock = threading.Lock()
_running: set[ModelServer] = set()


def model_server(model: Any, n_threads: int = 2, n_ctx: int = 2048) -> ModelServer:
    """The one :class:`ModelServer` of this process for ``model`` and these settings."""
    key = (model, n_threads, n_ctx)
    with _servers_lock:
        if key not in _servers:
            _servers[key] = ModelServer(model, n_threads, n_ctx)
        return _servers[key]


@atexit.register
def _stop_all() -> None:
    for server in list(_running):
        server.stop()
    for server in list(_servers.values()):
        server.socket.close()
