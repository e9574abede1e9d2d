"""The scale benchmark, at a tiny size with the fake embedder: it runs and prints its table, JSON and plot."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest


def test_tiny_scale_benchmark_prints_table_and_json(fake_embedder, tmp_path, capsys):
    from eval.bench import main

    out = tmp_path / "results"
    assert main(["scale", "--sizes", "150,400", "--limit", "12", "--out", str(out), "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["benchmark"] == "scale" and figures["embedder"] == "hash-64"
    assert [r["chunks"] for r in figures["rows"]] == [150, 400] == figures["sizes"]
    for row in figures["rows"]:
        assert row["store_chunks_per_s"] > 0 and row["rss_mb"] > 0 and row["disk_mb"] > 0
        assert 0 < row["retrieve_p50_ms"] <= row["retrieve_p95_ms"] and row["search_p50_ms"] >= 0
        assert row["questions"] > 0 and 0 <= row["hit_at_4"] <= 1
    assert "target_met" not in figures  # the target is about 100k chunks
    assert lines[0].startswith("| chunks | documents |") and any(line.startswith("| 400 |") for line in lines)
    assert any(line.startswith("results: ") for line in lines)
    assert ET.parse(out / "scale.svg").getroot().tag.endswith("svg")
    assert json.loads((out / "scale.json").read_text())["rows"] == figures["rows"]


def test_sizes_parse_and_reject_nonsense():
    from eval.bench_scale import parse_sizes

    assert parse_sizes("100k, 1k,10k,1k") == [1_000, 10_000, 100_000]
    assert parse_sizes("250") == [250]
    with pytest.raises(SystemExit, match="--sizes"):
        parse_sizes("lots")


def test_filler_is_deterministic_and_its_vectors_are_unit_length(counter):
    import numpy as np

    from eval.bench_scale import chunk_vector, filler_document, generate_pool
    from eval.squad import load_squad
    from ingest.chunking import chunk_text

    articles, _ = load_squad()
    pool = generate_pool(articles, 60)
    assert pool == generate_pool(articles, 60) and len({p["text"] for p in pool}) > 50
    by_topic = [[i for i, p in enumerate(pool) if p["topic"] == t] for t in range(len(articles))]
    text, spans = filler_document(7, by_topic, pool)
    assert (text, spans) == filler_document(7, by_topic, pool) and text != filler_document(8, by_topic, pool)[0]
    assert "\x00" not in text and all(text[s:e].endswith(".") for s, e, _, _ in spans)
    vectors = np.random.default_rng(0).normal(size=(len(pool), 8))
    starts, ends = [s[0] for s in spans], [s[1] for s in spans]
    for chunk in chunk_text(text, counter):
        assert np.isclose(np.linalg.norm(chunk_vector(chunk, spans, starts, ends, vectors)), 1.0)
