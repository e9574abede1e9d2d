"""One settings object, read from ``RAGCHAT_*`` environment variables and an optional ``ragchat.toml``.

Precedence: command-line flags (applied by the caller with :func:`dataclasses.replace`) > environment >
``ragchat.toml`` in the working directory > defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from rag.errors import ConfigError

#: Keys of ``ragchat.toml`` and the environment variables that override them.
_ENV = {
    "data_dir": "RAGCHAT_DATA_DIR",
    "chroma_url": "RAGCHAT_CHROMA_URL",
    "llm": "RAGCHAT_LLM",
    "collection": "RAGCHAT_COLLECTION",
    "embedder": "RAGCHAT_EMBEDDER",
    "k": "RAGCHAT_K",
    "users": "RAGCHAT_USERS",
    "answer_style": "RAGCHAT_ANSWER_STYLE",
    "short_readers": "RAGCHAT_SHORT_READERS",
}


ANSWER_STYLES = ("short", "sentences")
SHORT_READERS = ("model", "span")  # rag/answer.py: who proposes the short answer


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path(".ragchat")
    chroma_url: str | None = None
    llm: str = "local"
    collection: str = "seeds"
    embedder: str = "minilm-onnx"  # ingest/embedder.py: 2-3x faster than "minilm" (torch), same hit rate
    k: int = 8  # passages retrieved; the evidence given to the LLM is chosen from their sentences
    #: What the LLM adds to the extractive answer: "short" (a verified short answer in front of the quotes)
    #: or "sentences" (verified sentences, then the quotes they don't cite); see rag/answer.py.
    answer_style: str = "short"
    #: Who proposes the short answer, tried in order until one is verified (comma-separated; "none": no
    #: short answer): "model" (the LLM, skipped by the extractive backend), "span" (rag/span_reader.py).
    short_readers: str = "model,span"
    users: Path | None = None  # the chat window's users file (ui/auth.py); None: <data_dir>/users.toml

    def with_overrides(self, **values: object) -> Settings:
        """A copy with the given values replaced; ``None`` values (flags not given) are ignored."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def offline_environment() -> None:
    """Make sure nothing we load tries to reach a model hub or send telemetry."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def load_settings(config_file: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read the settings: ``ragchat.toml`` (if present) under the environment."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, object] = {}
    path = config_file or Path("ragchat.toml")
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} is not valid TOML ({exc}); fix or remove it.") from exc
        table = raw.get("ragchat", raw)
        unknown = sorted(set(table) - set(_ENV))
        if unknown:
            raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(_ENV)}.")
        values.update(table)
    for key, var in _ENV.items():
        if environ.get(var):
            values[key] = environ[var]
    types = {f.name: f.type for f in fields(Settings)}
    for key, value in list(values.items()):
        if key in ("data_dir", "users"):
            values[key] = Path(str(value))
        elif key == "k":
            try:
                values[key] = int(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise ConfigError(f"k must be a whole number, got {value!r} ({_ENV['k']} or {path}).") from None
            if values[key] < 1:  # type: ignore[operator]
                raise ConfigError(f"k must be at least 1, got {value!r}.")
        elif not isinstance(value, str):
            raise ConfigError(f"{key} must be a string in {path}, got {value!r} ({types[key]}).")
    if values.get("answer_style", "short") not in ANSWER_STYLES:
        raise ConfigError(f"answer_style must be one of {', '.join(ANSWER_STYLES)}, got {values['answer_style']!r} "
                          f"({_ENV['answer_style']} or {path}).")
    readers = [r.strip() for r in str(values.get("short_readers", "model,span")).split(",") if r.strip()]
    if readers != ["none"] and (not readers or set(readers) - set(SHORT_READERS)):
        raise ConfigError(f"short_readers must be a comma-separated list of {', '.join(SHORT_READERS)} (or none), "
                          f"got {values['short_readers']!r} ({_ENV['short_readers']} or {path}).")
    return Settings(**values)  # type: ignore[arg-type]
