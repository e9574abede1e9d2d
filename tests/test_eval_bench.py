"""The answer benchmark's reference side: the LangChain tutorial recipe, scored by the harness's metrics."""

from __future__ import annotations

import json

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from eval.bench_answer import RECIPE_K, recipe_collection, recipe_rows
from eval.metrics import aggregate
from eval.sets import Question
from rag.settings import load_settings

ARTICLES = {
    "00_Normans": "The Normans were the people who gave their name to Normandy, a region in France.\n\n" * 8,
    "01_Rhine": "The Rhine flows from the Swiss Alps to the North Sea through Germany.\n\n" * 8,
}


def test_recipe_chunks_retrieves_top4_and_is_reused(fake_embedder):
    settings = load_settings()
    collection = recipe_collection(ARTICLES, settings, fake_embedder, "squad2-test-recipe")
    count = collection.count()
    assert count >= 2 and all(len(t) <= 1000 for t in collection.get()["documents"])
    again = recipe_collection(ARTICLES, settings, fake_embedder, "squad2-test-recipe")
    assert again.count() == count  # same chunks: nothing rebuilt

    questions = [Question("a", "Who gave their name to Normandy?", references=["The Normans"], gold_doc="00_Normans"),
                 Question("b", "Where does the Rhine flow to?", references=["Danube"], gold_doc="01_Rhine"),
                 Question("c", "What is the capital of Mars?", answerable=False)]
    rows = recipe_rows(collection, fake_embedder, questions, progress=False)
    assert [r["hit_rank"] for r in rows] == [rows[0]["hit_rank"], 0, None] and rows[0]["hit_rank"] >= 1
    assert all(r["context_chars"] > 0 for r in rows) and RECIPE_K == 4
    figures = aggregate(rows)
    assert figures["hit_at_k"] == 0.5 and figures["token_f1"] is None


def test_recipe_answers_with_an_llm_are_scored_and_dont_know_is_a_refusal(fake_embedder):
    collection = recipe_collection(ARTICLES, load_settings(), fake_embedder, "squad2-test-recipe")
    questions = [Question("a", "Who gave their name to Normandy?", references=["The Normans"], gold_doc="00_Normans"),
                 Question("c", "What is the capital of Mars?", answerable=False)]
    model = FakeListChatModel(responses=["The Normans did.", "I don't know the answer to that."])
    rows = recipe_rows(collection, fake_embedder, questions, chat_model=model, progress=False)
    assert rows[0]["f1"] == 2 * (1 / 2) / (1 / 2 + 1) and not rows[0]["refused"]  # "normans did" vs "normans"
    assert rows[1]["refused"] and rows[1]["f1"] is None
    assert aggregate(rows)["refusal_recall"] == 1.0


@pytest.mark.models
def test_ingest_benchmark_runs_the_default_embedder_against_its_bare_encoder(capsys):
    """`python -m eval.bench ingest --articles 1`: the pipeline and the bare encoder on the same texts."""
    from eval.bench import main

    assert main(["ingest", "--articles", "1", "--json"]) == 0
    out = capsys.readouterr().out
    figures = json.loads(out.strip().splitlines()[-1])
    assert figures["embedder"] == "all-MiniLM-L6-v2-onnx-int8" and figures["documents"] == 1
    assert figures["chunks"] > 10 and figures["ingest_chunks_per_s"] > 0 and figures["raw_encoder_texts_per_s"] > 0
    assert figures["reingest_vs_first"] < 1  # the second ingest embedded nothing (asserted inside the benchmark)
    assert "pipeline / raw throughput" in out


def test_the_backends_benchmark_runs_squad_on_the_articles_the_span_reader_never_saw(tmp_path):
    import json

    from eval.bench_backends import squad_test_half
    from eval.squad import DEFAULT_SQUAD

    every = json.loads(DEFAULT_SQUAD.read_text(encoding="utf-8"))["data"]
    kept = json.loads(squad_test_half(tmp_path).read_text(encoding="utf-8"))["data"]
    assert [a["title"] for a in kept] == [a["title"] for i, a in enumerate(every) if i % 2 == 1]
