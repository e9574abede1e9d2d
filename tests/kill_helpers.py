"""Find the model process an app started, and kill it at a random moment while it is decoding."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from pathlib import Path


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def model_process(app_pid: int, timeout: float = 120.0) -> int:
    """The pid of the model server ``app_pid`` started (waits for it to appear)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children(app_pid):
            try:
                if b"rag.backends.model_server" in Path(f"/proc/{child}/cmdline").read_bytes():
                    return child
            except OSError:
                continue
        time.sleep(0.05)
    raise AssertionError(f"process {app_pid} started no model server within {timeout} s")


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


class KillWhileDecoding(threading.Thread):
    """Wait until ``pid`` is busy (its CPU time grows for two polls in a row: it is decoding), wait a
    random 0–``jitter`` s more, then SIGKILL it. ``seed`` makes the moment reproducible."""

    def __init__(self, pid: int, seed: int, jitter: float = 0.3, timeout: float = 300.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.jitter, self.timeout = pid, jitter, timeout
        self.delay = random.Random(seed).uniform(0, jitter)
        self.killed_at: float | None = None

    def run(self) -> None:
        deadline = time.monotonic() + self.timeout
        busy, last = 0, cpu_ticks(self.pid)
        while time.monotonic() < deadline and busy < 2:
            time.sleep(0.02)
            try:
                now = cpu_ticks(self.pid)
            except OSError:
                return
            busy = busy + 1 if now > last else 0
            last = now
        time.sleep(self.delay)
        try:
            os.kill(self.pid, signal.SIGKILL)
            self.killed_at = time.monotonic()
        except ProcessLookupError:
            pass
