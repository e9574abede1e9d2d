"""``openai:MODEL``: any OpenAI-compatible server (OpenAI, vLLM, llama.cpp's server, LM Studio) at
``OPENAI_BASE_URL`` with ``OPENAI_API_KEY``. The local backend talks to its own model process through
:func:`chat_openai` too, so there is one client path for both."""

from __future__ import annotations

import os
from typing import Any

from rag.errors import BackendError

OPENAI_DEFAULT = "https://api.openai.com/v1"


def need_model_name(kind: str, model: str, text: str) -> str:
    if not model:
        raise BackendError(f"--llm {text!r} needs a model name: use {kind}:MODEL (e.g. {kind}:llama3).")
    return model


def parse(model: str, text: str) -> str:
    return need_model_name("openai", model, text)


def import_class(module: str, name: str, package: str) -> Any:
    try:
        return getattr(__import__(module, fromlist=[name]), name)
    except ImportError:
        raise BackendError(f"this backend needs {package}; install it with `pip install {package}` "
                           "(or `pip install 'ragchat[backends]'`).") from None


def chat_openai(cls: Any = None, **fields: Any) -> Any:
    """A ``ChatOpenAI`` (or subclass ``cls``) on the Chat Completions API, streaming."""
    cls = cls or import_class("langchain_openai", "ChatOpenAI", "langchain-openai")
    return cls(use_responses_api=False, **fields)


def make(spec: Any, *, max_tokens: int, temperature: float, timeout: float, **_: Any) -> Any:
    base_url = os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_BASE") or None
    api_key = os.environ.get("OPENAI_API_KEY")
    if not api_key and not base_url:
        raise BackendError(f"--llm {spec.label} needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local "
                           "OpenAI-compatible server); set it or choose --llm extractive.")
    # Local servers (vLLM, llama.cpp server, LM Studio) take any key, but the client insists on one.
    return chat_openai(model=spec.model, base_url=base_url, api_key=api_key or "unused", temperature=temperature,
                       max_tokens=max_tokens, timeout=timeout, max_retries=1)


def base_url(model: Any) -> str:
    return (model.openai_api_base or OPENAI_DEFAULT).rstrip("/")


def describe(model: Any) -> tuple[str, str]:
    return "openai", base_url(model)


def get(url: str, timeout: float, headers: dict[str, str] | None = None) -> Any:
    import httpx

    with httpx.Client(timeout=timeout) as client:
        return client.get(url, headers=headers)


def check(model: Any, timeout: float) -> None:
    """The server answers ``/models`` with this key, and, when it lists models, lists this one."""
    import httpx

    from rag.backends import unreachable

    url = base_url(model)
    key = model.openai_api_key.get_secret_value() if model.openai_api_key else ""
    try:
        response = get(f"{url}/models", timeout, headers={"Authorization": f"Bearer {key}"})
    except httpx.HTTPError as exc:
        raise BackendError(unreachable("openai", url, exc)) from None
    if response.status_code in (401, 403):
        raise BackendError(f"openai backend at {url} rejected the API key (HTTP {response.status_code}); "
                           "set OPENAI_API_KEY to a valid key.")
    try:
        names = [m.get("id", "") for m in response.json().get("data", [])] if response.status_code == 200 else []
    except (ValueError, AttributeError):
        names = []  # some OpenAI-compatible servers do not implement /models
    if names and model.model_name not in names:
        raise BackendError(f"openai backend at {url} has no model {model.model_name!r}; choose one of: "
                           f"{', '.join(sorted(names)[:10])}.")
