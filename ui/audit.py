"""The archive's audit log: one JSON line per change to the documents, and per refused attempt.

``<data dir>/audit.log``, appended only, mode 0600::

    {"time": "2025-12-01T09:14:03Z", "user": "ana", "role": "editor", "action": "replace",
     "file": "notes.txt", "doc_id": "notes", "result": "updated", "detail": "1 chunk"}

``action`` is ``upload``, ``replace`` or ``remove``; ``result`` is ``added``, ``updated``, ``unchanged``,
``removed``, ``failed`` or ``refused``.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from rag.errors import RagchatError
from rag.settings import Settings


def audit_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "audit.log"


class AuditLog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def _open(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def check(self) -> None:
        """Refuse a change up front when it could not be logged."""
        try:
            os.close(self._open())
        except OSError as exc:
            raise RagchatError(f"cannot write the audit log {self.path} ({exc.strerror or exc}); nothing was "
                               "changed. Fix its permissions or free some disk space.") from None

    def record(self, user: str, role: str, action: str, result: str, *, file: str = "", doc_id: str = "",
               detail: str = "") -> dict:
        """Append one line (one ``write`` to an ``O_APPEND`` file, so lines of processes never interleave)."""
        entry = {"time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "user": user, "role": role,
                 "action": action, "file": file, "doc_id": doc_id, "result": result, "detail": detail}
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            fd = self._open()
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        return entry

    def entries(self) -> list[dict]:
        """Every line, oldest first; a line that is not JSON (a torn write) is skipped."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise RagchatError(f"cannot read the audit log {self.path} ({exc}).") from None
        out = []
        for line in lines:
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(item, dict):
                out.append(item)
        return out
