"""``local-inprocess``: a GGUF model run by llama.cpp inside the app's own process.

This is how ``local`` ran before the model got a process of its own (:mod:`rag.backends.local`); a native
crash here ends the app, so it is not offered to users. It stays as the reference the benchmarks measure
the model process against (first token, whole answer, cold start), and for scripts that want no server.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from rag.backends.local import label, model_file, parse, repeats_itself
from rag.errors import BackendError

__all__ = ["ChatLlamaCpp", "check", "describe", "label", "make", "parse"]


def make(spec: Any, *, max_tokens: int, temperature: float, n_threads: int, n_ctx: int, model_dir: Any = None,
         **_: Any) -> ChatLlamaCpp:
    file = model_file(spec.model, model_dir)
    return ChatLlamaCpp(model_path=file.path, model_name=file.name, prompt_style=file.prompt_style,
                        stop=list(file.stop), max_tokens=max_tokens, temperature=temperature,
                        n_threads=n_threads, n_ctx=n_ctx, model_dir=file.model_dir)


def check(model: Any, timeout: float) -> None:
    model.load()


def describe(model: Any) -> tuple[str, str]:
    return "local-inprocess", model.model_path or model.model_name


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

    backend_kind: str = "local-inprocess"

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
        return _load_llama(model_file(self.model_name if not self.model_path else self.model_path,
                                      self.model_dir).resolve(), self.n_ctx, self.n_threads)

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
                        if repeats_itself(written):
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


_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def _as_dicts(messages: list[BaseMessage]) -> list[dict[str, str]]:
    return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
