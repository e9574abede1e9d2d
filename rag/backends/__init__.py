"""LLM backends behind one name (``RAGCHAT_LLM`` / ``--llm``), all LangChain chat models, all streaming.

    make_chat_model("local")          # the bundled Gemma 3 270M, in a llama.cpp server process of its own
    make_chat_model("local:smollm2")  # the other bundled model; or local:/path/to/model.gguf
    make_chat_model("extractive")     # None: the chain answers with quoted evidence, no LLM
    make_chat_model("ollama:llama3")  # langchain-ollama, at OLLAMA_HOST or http://127.0.0.1:11434
    make_chat_model("openai:gpt-4o")  # any OpenAI-compatible server, at OPENAI_BASE_URL with OPENAI_API_KEY

Each kind is one module of this package registered in :data:`KINDS` (name -> module); adding a backend is
one file with ``parse``, ``make``, ``check`` and ``describe`` and one line here. ``local`` and ``openai``
share one client path: the local model runs in a supervised server process (:mod:`rag.backends.supervisor`)
that speaks the OpenAI API, so a crash of native code ends that process, never the app.

Building a model starts and connects to nothing; :func:`check_backend` does (a ping, or starting the
model process), and :func:`backend_errors` turns a backend failing mid-answer into one clear
:class:`~rag.errors.BackendError`. Heavy packages are imported only when their backend is chosen.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from rag.errors import BackendError

CHOICES = "local, local:gemma, local:smollm2, local:PATH.gguf, extractive, ollama:MODEL, openai:MODEL"

#: name -> module implementing the kind. ``local-inprocess`` is the pre-server build, kept as the
#: benchmarks' reference; it can take the app down with a native crash, so it is not offered to users.
KINDS = {
    "local": "rag.backends.local",
    "local-inprocess": "rag.backends.inprocess",
    "extractive": "rag.backends.extractive",
    "ollama": "rag.backends.ollama",
    "openai": "rag.backends.openai",
}


@dataclass(frozen=True)
class BackendSpec:
    """A parsed ``--llm`` value: ``kind`` names a module of :data:`KINDS`; ``model`` names the model."""

    kind: str
    model: str

    @property
    def label(self) -> str:
        return self.kind if self.kind == "extractive" else f"{self.kind}:{self.model}"


def kind_module(kind: str) -> ModuleType:
    return importlib.import_module(KINDS[kind])


def parse_spec(spec: str | None) -> BackendSpec:
    """``"ollama:llama3"`` -> ``BackendSpec("ollama", "llama3")``; ``"local"`` names the default model."""
    text = (spec or "local").strip()
    kind, _, model = text.partition(":")
    kind, model = kind.strip().lower(), model.strip()
    if kind not in KINDS:
        raise BackendError(f"unknown LLM backend {text!r} (RAGCHAT_LLM or --llm); choose one of: {CHOICES}.")
    return BackendSpec(kind, kind_module(kind).parse(model, text))


def backend_label(spec: str | None) -> str:
    """The name answers record as ``backend``: ``local:gemma-3-270m-q4_k_m``, ``ollama:llama3``, ``extractive``."""
    parsed = parse_spec(spec)
    return getattr(kind_module(parsed.kind), "label", lambda p: p.label)(parsed)


def make_chat_model(
    spec: str | None = "local",
    *,
    max_tokens: int = 120,
    temperature: float = 0.0,
    timeout: float | None = None,
    n_threads: int = 2,
    n_ctx: int = 2048,
    model_dir: Any = None,
) -> Any:
    """The chat model named by ``spec``, or ``None`` for ``extractive``. Starts and connects to nothing yet.

    ``n_threads``, ``n_ctx`` and ``model_dir`` (where the Gemma GGUF is assembled once; default the user
    cache) apply to the local kinds only. ``timeout``: seconds the model may stay silent before the answer
    is given up (default ``RAGCHAT_LLM_TIMEOUT`` or 60 s; a local model process that stalls is restarted).
    """
    parsed = parse_spec(spec)
    options = {"max_tokens": max_tokens, "temperature": temperature, "timeout": llm_timeout(timeout),
               "n_threads": n_threads, "n_ctx": n_ctx, "model_dir": model_dir}
    return kind_module(parsed.kind).make(parsed, **options)


def llm_timeout(value: float | None = None) -> float:
    import os

    if value is not None:
        return value
    raw = os.environ.get("RAGCHAT_LLM_TIMEOUT", "").strip()
    try:
        return float(raw) if raw else 60.0
    except ValueError:
        raise BackendError(f"RAGCHAT_LLM_TIMEOUT must be a number of seconds, got {raw!r}.") from None


def _module_of(model: Any) -> ModuleType | None:
    kind = getattr(model, "backend_kind", None) or {"chat-ollama": "ollama", "openai-chat": "openai"}.get(
        getattr(model, "_llm_type", ""))
    return kind_module(kind) if kind in KINDS else None


def check_backend(model: Any, timeout: float = 3.0) -> None:
    """Raise :class:`BackendError` unless ``model`` can answer: start a local model, ping a server.

    ``None`` (extractive) and models this package did not build (test fakes) always pass.
    """
    module = _module_of(model) if model is not None else None
    if module is not None:
        module.check(model, timeout)


def describe(model: Any) -> tuple[str, str]:
    """``(kind, url)`` of a model, for messages."""
    module = _module_of(model)
    if module is None:
        return getattr(model, "_llm_type", "") or type(model).__name__, ""
    return module.describe(model)


def unreachable(kind: str, url: str, exc: BaseException | None = None) -> str:
    fixes = {"ollama": "start `ollama serve` or set OLLAMA_HOST",
             "local": "see `ragchat doctor`; the model process is restarted on the next question"}
    fix = fixes.get(kind, "start the server or fix OPENAI_BASE_URL")
    why = f" ({type(exc).__name__})" if exc is not None else ""
    return f"{kind} backend at {url} is not reachable{why}; {fix}, or choose --llm extractive."


@contextmanager
def backend_errors(model: Any) -> Iterator[None]:
    """Turn a backend failing inside the block (down, timed out, bad key, missing model) into BackendError.

    >>> with backend_errors(model):
    ...     text = "".join(chunk.text for chunk in model.stream(messages))
    """
    from langchain_core import exceptions as lc

    try:
        yield
    except BackendError:
        raise
    except Exception as exc:
        kind, url = describe(model)
        status = getattr(exc, "status_code", None)  # ollama.ResponseError, openai.APIStatusError
        timed_out = (TimeoutError, lc.ModelTimeoutError)
        if isinstance(exc, timed_out) or type(exc).__name__ in _HTTPX_TIMEOUT:
            raise BackendError(f"{kind} backend at {url} did not answer in time; try again, or choose "
                               "--llm extractive.") from None
        unreachable_types = (ConnectionError, lc.ModelConnectionError)
        if isinstance(exc, unreachable_types) or type(exc).__name__ in _HTTPX_UNREACHABLE:
            raise BackendError(unreachable(kind, url, exc)) from None
        if isinstance(exc, (lc.ModelAuthenticationError, lc.ModelPermissionDeniedError)) or status in (401, 403):
            raise BackendError(f"{kind} backend at {url} rejected the API key; set OPENAI_API_KEY.") from None
        if isinstance(exc, lc.ModelNotFoundError) or status == 404:
            name = str(getattr(model, "model", None) or getattr(model, "model_name", ""))
            fix = f"run `ollama pull {name}`" if kind == "ollama" else "check the model name"
            raise BackendError(f"{kind} backend at {url} has no model {name!r}; {fix} "
                               "or choose --llm extractive.") from None
        raise


# Raised by httpx (and the openai client) when a server's client does not wrap them.
_HTTPX_TIMEOUT = {"ReadTimeout", "ConnectTimeout", "APITimeoutError"}
_HTTPX_UNREACHABLE = {"ConnectError", "RemoteProtocolError", "ReadError", "APIConnectionError"}
