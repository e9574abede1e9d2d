"""Chunk offsets are exact and chunks fit the embedding model, for awkward texts too."""

from __future__ import annotations

import random

import pytest

from conftest import SEED
from ingest.chunking import MODEL_MAX_TOKENS, WhitespaceTokens, chunk_text, paragraph_spans, sentence_spans
from ingest.loaders import load

CURLY = "He said Pakistan had “no good hope from them” — it’d be ‘idiocy’.\n\nShe replied: “Fine.” Then left."
NON_ASCII = (
    "Zürich’s café served crème brûlée. Мы пошли домой. 東京は大きい都市です。 Emoji 🎉 are fine! "
    "Ünïcödé everywhere… and more.\n\n" * 12
)
NO_PUNCTUATION = " ".join(f"word{i} and some more words without any sentence punctuation" for i in range(300))
LONG_TOKEN = "x" * 3000 + " tail"


def assert_exact(text, chunks):
    assert chunks, "no chunks"
    for c in chunks:
        assert text[c.start:c.end] == c.text
        assert c.text == c.text.strip() and c.text


def assert_fits(chunks, counter):
    from ingest.embedder import minilm_tokenizer

    tok = minilm_tokenizer()
    for c in chunks:
        # With [CLS] and [SEP] the model must see the whole chunk: at most 256 word pieces.
        assert len(tok.encode(c.text).ids) <= MODEL_MAX_TOKENS + 2, c.text[:80]


@pytest.mark.parametrize("text", [CURLY, NON_ASCII, NO_PUNCTUATION, LONG_TOKEN], ids=["curly", "non-ascii",
                                                                                     "no-punct", "long-token"])
def test_offsets_exact_and_within_model_limit(text, counter):
    chunks = chunk_text(text, counter)
    assert_exact(text, chunks)
    assert_fits(chunks, counter)


def test_seed_chunks_are_exact_and_cover_every_sentence(counter):
    doc = load(SEED)
    chunks = chunk_text(doc.text, counter)
    assert_exact(doc.text, chunks)
    assert_fits(chunks, counter)
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    for s, e in sentence_spans(doc.text):
        assert set(range(s, e)) <= covered, doc.text[s:e]
    quote = "He said Pakistan had “no good hope from them” while noting that it would be “idiocy” to trust Kabul’s"
    assert any(quote in c.text for c in chunks)


def test_crlf_file_offsets_index_what_open_reads(tmp_path, counter):
    path = tmp_path / "crlf.txt"
    path.write_bytes("First line here.\r\nSecond “line”.\r\n\r\nNew paragraph, café.\r\n".encode())
    doc = load(path)
    assert "\r" not in doc.text
    chunks = chunk_text(doc.text, counter)
    with open(path, encoding="utf-8") as fh:
        assert_exact(fh.read(), chunks)


def test_long_documents_overlap_by_a_sentence(counter):
    text = " ".join(f"Sentence number {i} talks about topic {i % 7} in some detail." for i in range(200))
    chunks = chunk_text(text, counter, target_tokens=64)
    assert len(chunks) > 5
    assert_exact(text, chunks)
    overlaps = sum(1 for a, b in zip(chunks, chunks[1:]) if b.start < a.end)
    assert overlaps == len(chunks) - 1
    assert all(c.tokens <= 64 for c in chunks)


def test_random_texts_keep_offsets(counter):
    rng = random.Random(7)
    alphabet = ["word", "Mr.", "U.S.", "é", "“quoted.”", "?", "!", "\n", "\n\n", "\r\n", "  ", "…", "東京", "x" * 40]
    for _ in range(50):
        text = " ".join(rng.choice(alphabet) for _ in range(rng.randint(1, 400)))
        if not text.strip():
            continue
        chunks = chunk_text(text, counter, target_tokens=rng.choice([16, 64, 128]))
        assert_exact(text, chunks)


def test_paragraphs_and_sentences_are_trimmed_spans():
    text = "  A one. B two!\n\n\n  C three?  "
    assert [text[s:e] for s, e in paragraph_spans(text)] == ["A one. B two!", "C three?"]
    assert [text[s:e] for s, e in sentence_spans(text)] == ["A one.", "B two!", "C three?"]


def test_whitespace_counter_chunks_respect_budget():
    text = "One two three four five. Six seven eight nine ten. Eleven twelve thirteen fourteen fifteen."
    chunks = chunk_text(text, WhitespaceTokens(), target_tokens=6, max_tokens=6)
    assert [c.text for c in chunks] == [
        "One two three four five.", "Six seven eight nine ten.", "Eleven twelve thirteen fourteen fifteen."
    ]
