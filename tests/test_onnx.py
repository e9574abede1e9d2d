"""The ONNX int8 embedder: exported locally from the bundled model, offline, close to torch, a store of its own."""

from __future__ import annotations

import json
import math
import os
import shutil

import pytest

from conftest import SEED

pytestmark = pytest.mark.models

SENTENCES = [
    "Khawaja Asif said Pakistan had no good hope from the rulers in Kabul.",
    "The Normans were the people who in the 10th and 11th centuries gave their name to Normandy.",
    "What is the capital city of France?",
    "Photosynthesis turns light, water and carbon dioxide into sugar and oxygen.",
]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def onnx_embedder(onnx_cache):
    from ingest.embedder import MiniLMOnnxEmbedder

    return MiniLMOnnxEmbedder(cache_dir=onnx_cache)


def test_exports_offline_once_into_the_cache_and_reuses_it(onnx_embedder, onnx_cache):
    from ingest.embedder import ONNX_MODEL_NAME, MiniLMOnnxEmbedder

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    path = onnx_embedder.path
    assert path.name == "model_int8.onnx" and path.parent.parent == onnx_cache
    assert path.parent.name.startswith(ONNX_MODEL_NAME + "-")
    recipe = json.loads((path.parent / "export.json").read_text())
    assert recipe["name"] == ONNX_MODEL_NAME and "int8" in recipe["quantization"]
    assert [p.name for p in onnx_cache.iterdir()] == [path.parent.name]  # no temp folder left behind
    exported_at = path.stat().st_mtime_ns
    again = MiniLMOnnxEmbedder(cache_dir=onnx_cache)
    assert again.path == path and path.stat().st_mtime_ns == exported_at


def test_vectors_are_close_to_torch(onnx_embedder):
    from ingest.embedder import MiniLMEmbedder

    ours = onnx_embedder.embed_batch(SENTENCES)
    torch_vectors = MiniLMEmbedder().embed_batch(SENTENCES)
    for a, b in zip(ours, torch_vectors):
        assert len(a) == 384
        assert math.isclose(sum(x * x for x in a), 1.0, rel_tol=1e-4)
        assert sum(x * y for x, y in zip(a, b)) > 0.98
    assert onnx_embedder.embed_batch([]) == []


def test_a_text_gets_the_same_vector_whatever_it_is_embedded_with(onnx_embedder):
    # Dynamic int8 quantization scales activations by the range of the whole input, padding included: in
    # a batch, a short sentence beside a long chunk used to get a vector 1 % off its own.
    long_text = SEED.read_text(encoding="utf-8")[:1200]
    alone = onnx_embedder.embed_batch([SENTENCES[2]])[0]
    assert onnx_embedder.embed_batch([long_text, SENTENCES[2], SENTENCES[0]])[1] == alone
    assert onnx_embedder.embed_batch(SENTENCES)[2] == alone


def test_records_its_own_name_and_a_torch_store_refuses_it(tmp_path, onnx_embedder, counter, monkeypatch):
    from ingest.embedder import ONNX_MODEL_NAME, embedder_spec
    from ingest.pipeline import ingest
    from ingest.store import Store
    from rag.errors import StoreError
    from rag.settings import load_settings

    assert embedder_spec("minilm-onnx") == (ONNX_MODEL_NAME, 384)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds)
    store = Store(load_settings(), *embedder_spec("minilm-onnx"))
    ingest([seeds], store, onnx_embedder, counter, progress=False)
    assert store.chunks.metadata["embedding_model"] == ONNX_MODEL_NAME
    question = onnx_embedder.embed_batch(["What did the Defence Minister say?"])[0]
    best = store.get_chunks([store.dense_search(question, 1)[0][0]])[0]
    assert "Khawaja Asif" in best.text
    store.close()
    with pytest.raises(StoreError, match=ONNX_MODEL_NAME):
        Store(load_settings(), *embedder_spec("minilm"))


def test_the_factory_exports_into_the_model_cache(monkeypatch, tmp_path, onnx_cache):
    from ingest.embedder import make_embedder, onnx_cache_dir
    from rag.settings import load_settings

    assert load_settings().embedder == "minilm-onnx"  # the default, by the rule (README, "Embedding")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert onnx_cache_dir() == tmp_path / "xdg" / "ragchat" / "models"
    monkeypatch.setenv("RAGCHAT_MODEL_CACHE", str(tmp_path / "cache"))
    assert onnx_cache_dir() == tmp_path / "cache"
    # Reuse the module's export rather than exporting again: copy it where the factory looks.
    shutil.copytree(onnx_cache, onnx_cache_dir())
    embedder = make_embedder(load_settings().embedder)
    assert embedder.path.is_relative_to(tmp_path / "cache")
    assert not (tmp_path / "data" / "models").exists()  # nothing lands in the data directory
