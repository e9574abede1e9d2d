"""The model process: llama-cpp-python's OpenAI-compatible server for one GGUF model.

Started by :mod:`rag.backends.supervisor` on a socket it inherits (``--fd``), or standalone by
``ragchat model-server`` on ``--host``/``--port`` for several app replicas to share (they use
``--llm openai:MODEL`` with ``OPENAI_BASE_URL=http://HOST:PORT/v1``).

A base model (``--prompt-style completion``, the bundled Gemma) gets our few-shot completion prompt as its
chat format, rendered here by :func:`rag.prompting.render_completion`, so every client sends ordinary chat
messages. Decoding is what the client asks for (ragchat asks greedy, seed 0); the thread count is fixed
by ``--n-threads``, so the same build gives the same tokens on every machine of a kind.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from typing import Any

FEWSHOT_FORMAT = "ragchat-fewshot"


def register_fewshot_format(stop: list[str]) -> str:
    """Register the few-shot completion prompt as a llama-cpp-python chat format; its name.

    It decodes as the model did in the app's process: no repeat penalty (the server's request default is
    1.1, which changes greedy answers), whatever the client asks, so every client gets the same answers."""
    from langchain_core.messages import HumanMessage, SystemMessage
    from llama_cpp.llama_chat_format import (
        ChatFormatterResponse,
        LlamaChatCompletionHandlerRegistry,
        chat_formatter_to_chat_completion_handler,
    )

    from rag.prompting import render_completion

    def fewshot(messages: list[dict[str, Any]], **_: Any) -> ChatFormatterResponse:
        as_messages = [SystemMessage(str(m.get("content") or "")) if m.get("role") == "system"
                       else HumanMessage(str(m.get("content") or "")) for m in messages]
        return ChatFormatterResponse(prompt=render_completion(as_messages), stop=list(stop))

    handler = chat_formatter_to_chat_completion_handler(fewshot)

    def without_repeat_penalty(**kwargs: Any) -> Any:
        return handler(**{**kwargs, "repeat_penalty": 1.0})

    LlamaChatCompletionHandlerRegistry().register_chat_completion_handler(FEWSHOT_FORMAT, without_repeat_penalty,
                                                                         overwrite=True)
    return FEWSHOT_FORMAT


def _exit_with_parent(parent: int) -> None:
    """End this process when the app that started it is gone (even if it was SIGKILLed)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def build_app(model: str, name: str, prompt_style: str, stop: list[str], n_threads: int, n_ctx: int) -> Any:
    """The FastAPI app serving ``model`` (loads it)."""
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    chat_format = register_fewshot_format(stop) if prompt_style == "completion" else None
    model_settings = ModelSettings(model=model, model_alias=name, n_ctx=n_ctx, n_threads=n_threads,
                                   n_threads_batch=n_threads, n_gpu_layers=0, seed=0, verbose=False, logits_all=False,
                                   chat_format=chat_format)
    # logits_all=False: the server's default keeps logits for every prompt token (a 262k vocabulary: prompt
    # processing 1.8x slower, 2 GB more memory). interrupt_requests=False: a second request waits for the first
    # instead of cutting it off.
    server_settings = ServerSettings(interrupt_requests=False)
    return create_app(server_settings=server_settings, model_settings=[model_settings])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m rag.backends.model_server", description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, help="path of the GGUF file")
    p.add_argument("--name", required=True, help="the model's name on the API")
    p.add_argument("--prompt-style", choices=("chat", "completion"), default="chat")
    p.add_argument("--stop", default="[]", help="JSON list of stop strings (completion style)")
    p.add_argument("--n-threads", type=int, default=2)
    p.add_argument("--n-ctx", type=int, default=2048)
    p.add_argument("--fd", type=int, help="serve on this inherited, listening socket")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8081)
    p.add_argument("--parent", type=int, help="exit when this process is gone")
    return p.parse_args(argv)


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    if args.parent:
        _exit_with_parent(args.parent)
    app = build_app(args.model, args.name, args.prompt_style, json.loads(args.stop), args.n_threads, args.n_ctx)
    if args.fd is not None:
        uvicorn.run(app, fd=args.fd, log_level="warning", timeout_graceful_shutdown=1)
    else:
        print(f"ragchat model server: {args.name} at http://{args.host}:{args.port}/v1", file=sys.stderr)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=1)


if __name__ == "__main__":
    serve(parse_args())
