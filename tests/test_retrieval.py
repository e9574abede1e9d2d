"""Hybrid retrieval, evidence selection and follow-up rewriting on a real store with the fake embedder."""

from __future__ import annotations

import shutil

import pytest

from conftest import SEED
from ingest.pipeline import ingest
from rag.condense import standalone_question
from rag.evidence import score_sentences, select
from rag.retrieval import HybridRetriever, chunk_where, rrf


@pytest.fixture
def retriever(tmp_path, store, fake_embedder, counter):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SEED, folder)
    (folder / "old.txt").write_text("date 2019-03-01 The Taliban opened an office in Doha in 2013.",
                                    encoding="utf-8")
    (folder / "sport.txt").write_text("Cricket: Pakistan beat India by five wickets in Lahore.", encoding="utf-8")
    ingest([folder], store, fake_embedder, counter, progress=False)
    return HybridRetriever(store=store, embedder=fake_embedder, k=4)


def test_rrf_rewards_agreement():
    fused = rrf([["a", "b", "c"], ["c", "b", "d"]])
    assert {i for i, _ in fused[:2]} == {"b", "c"} and fused[-1][0] in {"a", "d"}


def test_filters_by_document_and_date(retriever):
    passages, _ = retriever.retrieve("Taliban", doc_ids=["old"])
    assert passages and {p.doc_id for p in passages} == {"old"}
    passages, _ = retriever.retrieve("Taliban", date_from="2025-01-01")
    assert passages and {p.doc_id for p in passages} == {"000_10acc92e9fefab75"}
    passages, _ = retriever.retrieve("Taliban", date_to="2020-12-31")
    assert {p.doc_id for p in passages} == {"old"}
    assert chunk_where(None, None, None) is None


def test_langchain_interface_returns_documents(retriever):
    docs = retriever.invoke("Khawaja Asif")
    assert docs and "Khawaja Asif" in docs[0].page_content
    assert {"doc_id", "source", "start", "end", "chunk_id"} <= set(docs[0].metadata)


def test_keyword_search_finds_exact_names(retriever):
    passages, _ = retriever.retrieve("wickets Lahore")
    assert passages[0].doc_id == "sport"


def test_evidence_stays_within_budget_and_widens_he_said(retriever):
    question = "Who said Pakistan had no good hope from them?"
    passages, vector = retriever.retrieve(question)
    sentences, weights, _ = score_sentences(question, vector, passages, retriever.embedder,
                                            retriever.store.keyword)
    selection = select(sentences, weights, budget=400)
    assert sum(len(e.text) for e in selection.evidence) <= 400
    best = selection.evidence[0]
    assert best.text.startswith("Defence Minister Khawaja Asif")  # "He said …" brought its antecedent
    assert "He said Pakistan had “no good hope" in best.text
    with open(best.source, encoding="utf-8") as fh:
        assert fh.read()[best.start:best.end] == best.text
    assert [e.n for e in selection.evidence] == list(range(1, len(selection.evidence) + 1))


@pytest.mark.parametrize("question, history, expected", [
    ("What did he say?", [{"role": "user", "content": "Who is the defence minister?"},
                          {"role": "assistant", "content": "Defence Minister Khawaja Asif [1]."}],
     "What did Khawaja Asif say?"),
    ("What did they deny?", [{"role": "user", "content": "What did the military spokesperson say?"}],
     "What did the military spokesperson deny?"),
    ("What about the Taliban?", [{"role": "user", "content": "What did the Defence Minister say?"}],
     "What did the Taliban say?"),
    ("Who is Khawaja Asif?", [{"role": "user", "content": "When was the ceasefire?"}], "Who is Khawaja Asif?"),
    ("What did he say?", None, "What did he say?"),
])
def test_follow_ups_become_standalone(question, history, expected):
    assert standalone_question(question, history) == expected
