"""``extractive``: no LLM. The chain answers with the best evidence, quoted; nothing to start or check."""

from __future__ import annotations

from typing import Any

from rag.errors import BackendError


def parse(model: str, text: str) -> str:
    if model:
        from rag.backends import CHOICES

        raise BackendError(f"unknown LLM backend {text!r} (extractive takes no model name); choose one of: "
                           f"{CHOICES}.")
    return ""


def make(spec: Any, **options: Any) -> None:
    return None


def check(model: Any, timeout: float) -> None:
    return None


def describe(model: Any) -> tuple[str, str]:
    return "extractive", ""
