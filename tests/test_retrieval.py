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


def test_passage_rank_breaks_near_ties_but_items_are_numbered_by_relevance():
    from rag.evidence import RANK_PENALTY, candidate_sentences
    from rag.types import Passage

    def passage(n: int, text: str) -> Passage:
        return Passage(f"c{n}", f"d{n}", f"d{n}.txt", "", "", "", 0, len(text), text, 0.0)

    low, high = passage(0, "The fort was built in 1603 by the duke."), passage(3, "Its walls were rebuilt in 1740.")
    first, second = candidate_sentences([low, high])
    assert (first.rank, second.rank) == (0, 1)
    second.rank = 3  # as if three passages without usable sentences lay between them
    first.dense, second.dense = 0.50, 0.50 + RANK_PENALTY * 2  # the later passage's sentence is a bit closer
    one = select([first, second], {}, budget=60)  # room for one sentence only
    assert [e.text for e in one.evidence] == [first.text]  # its passage ranked three places higher: it wins
    both = select([first, second], {}, budget=200)
    assert [e.text for e in both.evidence] == [second.text, first.text]  # [1] is still the more relevant one
    assert both.evidence[0].score == pytest.approx(second.relevance)


def test_headings_rank_a_little_lower_than_sentences():
    """A title or caption on a line of its own repeats the question's words; it stays a candidate (titles
    sometimes hold the fact) but loses HEADING_PENALTY of relevance. Datelines are no headings."""
    from rag.evidence import HEADING_PENALTY, candidate_sentences
    from rag.types import Passage

    text = ("Paris court jails two police in rape case\n\nMonday, February 4, 2019\n\n"
            "The court sentenced both officers to seven years. \"It is over,\" she said.\n\nWhy it matters:\n")
    passage = Passage("c0", "d0", "d0.txt", "", "", "", 0, len(text), text, 0.0)
    sentences = candidate_sentences([passage])
    assert [(s.text, s.heading) for s in sentences] == [
        ("Paris court jails two police in rape case", True), ("Monday, February 4, 2019", False),
        ("The court sentenced both officers to seven years.", False), ('"It is over," she said.', False),
        ("Why it matters:", False)]
    title, body = sentences[0], sentences[2]
    title.dense = body.dense = 0.5
    assert body.relevance - title.relevance == pytest.approx(HEADING_PENALTY)


def test_the_span_reader_takes_no_short_answer_from_a_title():
    from rag.span_reader import _nlp, candidates
    from rag.types import Evidence

    def item(n: int, text: str) -> Evidence:
        return Evidence(n, "d", "d.txt", "", "", "", 0, len(text), text, 0.5)

    title, body = item(1, "UK court rules prorogation unlawful"), item(2, "The court found it unlawful on Tuesday.")
    assert {c.n for c in candidates("What did the court rule?", [title, body], _nlp())} == {2}


def _scored(question: str, text: str, embedder, store) -> list:
    """The candidate sentences of one passage holding ``text``, scored against ``question``."""
    from rag.evidence import score_sentences
    from rag.types import Passage

    passage = Passage("c0", "d0", "d0.txt", "", "", "", 0, len(text), text, 0.0)
    vector = embedder.embed_batch([question])[0]
    return score_sentences(question, vector, [passage], embedder, store.keyword)[0]


def test_a_sentence_with_a_new_number_helps_a_question_that_asks_for_one(fake_embedder, store):
    """The typed bonus (TYPE_WEIGHT; its blind dev figures are in the README, "How answering works")."""
    from rag.evidence import TYPE_WEIGHT

    text = "Warholm won the 400 metres hurdles in Doha. His time was 47.42 seconds, a championship record."
    won, time = _scored("What was Warholm's winning time in the 400 metres hurdles in Doha?", text, fake_embedder,
                        store)
    assert (won.typed, time.typed) == (0.0, 1.0)  # "400" is the question's own number; "47.42" is new
    assert time.relevance == pytest.approx(max(time.dense, time.in_context - 0.03) + 0.2 * time.lexical + TYPE_WEIGHT)
    where = _scored("Where did Warholm win the 400 metres hurdles?", text, fake_embedder, store)
    assert all(s.typed == 0.0 for s in where)


def test_a_sentence_with_a_new_name_helps_a_who_question(fake_embedder, store):
    text = "Karsten Warholm won the hurdles final in Doha. The silver medal was won by Rai Benjamin."
    won, silver = _scored("Who took silver behind Karsten Warholm in Doha?", text, fake_embedder, store)
    assert (won.typed, silver.typed) == (0.0, 1.0)  # Warholm is the question's own name


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
