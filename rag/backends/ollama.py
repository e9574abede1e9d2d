"""``ollama:MODEL``: a model served by Ollama at ``OLLAMA_HOST`` (default http://127.0.0.1:11434)."""

from __future__ import annotations

import os
from typing import Any

from rag.backends.openai import get, import_class, need_model_name
from rag.errors import BackendError

OLLAMA_DEFAULT = "http://127.0.0.1:11434"


def parse(model: str, text: str) -> str:
    return need_model_name("ollama", model, text)


def ollama_url() -> str:
    """OLLAMA_HOST as a URL (``0.0.0.0:11434`` -> ``http://127.0.0.1:11434``), default loopback."""
    host = os.environ.get("OLLAMA_HOST", "").strip() or OLLAMA_DEFAULT
    if "://" not in host:
        host = f"http://{host}"
    return host.replace("://0.0.0.0", "://127.0.0.1").rstrip("/")


def make(spec: Any, *, max_tokens: int, temperature: float, timeout: float, **_: Any) -> Any:
    ChatOllama = import_class("langchain_ollama", "ChatOllama", "langchain-ollama")
    return ChatOllama(model=spec.model, base_url=ollama_url(), temperature=temperature,
                      num_predict=max_tokens, client_kwargs={"timeout": timeout})


def describe(model: Any) -> tuple[str, str]:
    return "ollama", model.base_url or OLLAMA_DEFAULT


def check(model: Any, timeout: float) -> None:
    import httpx

    from rag.backends import unreachable

    url = model.base_url or OLLAMA_DEFAULT
    try:
        response = get(f"{url}/api/tags", timeout)
        response.raise_for_status()
        names = {m.get("name", "") for m in response.json().get("models", [])}
    except (httpx.HTTPError, ValueError) as exc:
        raise BackendError(unreachable("ollama", url, exc)) from None
    wanted = model.model if ":" in model.model else f"{model.model}:latest"
    if names and wanted not in names and model.model not in names:
        raise BackendError(f"ollama at {url} has no model {model.model!r}; run `ollama pull {model.model}` "
                           f"or choose one of: {', '.join(sorted(names))}.")
