"""The embedder benchmark: ``python -m eval.bench embed [--limit N] [--json]``.

torch (``minilm``, sentence-transformers) against ONNX int8 (``minilm-onnx``), in one process:

* **throughput** of ``embed_batch`` on the same chunk texts, the SQuAD articles chunked as ingest chunks
  them; each embedder is timed twice, alternately, and its faster run counts (the machine is shared);
* **retrieval hit@4** on the answerable questions of the SQuAD public set (all of them, or a fixed random
  sample of ``--limit N``): each embedder gets its own collection, built by the real ingest pipeline from
  the vectors just measured, and a question is a hit when a gold answer occurs in one of its top 4
  passages from the gold article (:func:`eval.metrics.gold_rank`). Measured both through the app's
  :class:`~rag.retrieval.HybridRetriever` (dense + BM25, fused), which decides, and dense alone; beside it
  the p50 time to embed one question, the part of retrieval latency the embedder owns.

The issue's rule: ONNX becomes the default when it is at least 1.8x faster with hybrid hit@4 within one
point (0.01) of torch's.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

from eval.squad import DEFAULT_SQUAD, SquadQuestion, load_squad, write_articles

REPEATS = 2
K = 4
MIN_SPEEDUP, MAX_HIT_DROP = 1.8, 0.01


class PrecomputedEmbedder:
    """Hands out vectors already computed for known texts (so ingest costs no second embedding run);
    anything else goes to the real embedder."""

    def __init__(self, real, vectors: dict[str, list[float]]):
        self.real, self.vectors = real, vectors
        self.name, self.dimension = real.name, real.dimension

    def embed_batch(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in texts if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.real.embed_batch(missing)))
        return [self.vectors[t] for t in texts]


def answerable_sample(questions: list[SquadQuestion], limit: int | None) -> list[SquadQuestion]:
    """The answerable questions, or a fixed random sample of ``limit`` of them (seed 0, order kept)."""
    answerable = [q for q in questions if not q.is_impossible and q.answers]
    if not limit or limit >= len(answerable):
        return answerable
    return [answerable[i] for i in sorted(random.Random(0).sample(range(len(answerable)), limit))]


def time_embedders(embedders: dict, texts: list[str]) -> tuple[dict[str, float], dict[str, list]]:
    """Best-of-``REPEATS`` seconds per embedder on ``texts`` (runs alternate), and the vectors."""
    for embedder in embedders.values():
        embedder.embed_batch(texts[:64])  # warm-up, outside the timings
    seconds: dict[str, float] = {}
    vectors: dict[str, list] = {}
    for _ in range(REPEATS):
        for key, embedder in embedders.items():
            started = time.perf_counter()
            vectors[key] = embedder.embed_batch(texts)
            elapsed = time.perf_counter() - started
            seconds[key] = min(seconds.get(key, elapsed), elapsed)
    return seconds, vectors


def retrieval_hits(store, embedder, questions: list[SquadQuestion]) -> dict[str, float]:
    """hit@4 through the hybrid retriever and through dense search alone; p50 of embedding one question."""
    from eval.metrics import gold_rank, percentile
    from rag.retrieval import HybridRetriever

    retriever = HybridRetriever(store=store, embedder=embedder, k=K)
    hybrid = dense = 0
    embed_ms = []
    for q in questions:
        started = time.perf_counter()
        vector = embedder.embed_batch([q.question])[0]
        embed_ms.append(1000 * (time.perf_counter() - started))
        passages, _ = retriever.retrieve(q.question, query_embedding=vector)
        hybrid += gold_rank([(p.doc_id, p.text) for p in passages], q.answers, q.doc_id) > 0
        top = store.get_chunks([cid for cid, _ in store.dense_search(vector, K)])
        dense += gold_rank([(c.doc_id, c.text) for c in top], q.answers, q.doc_id) > 0
    n = len(questions)
    return {"hybrid": hybrid / n, "dense": dense / n, "query_embed_p50_ms": percentile(embed_ms, 50)}


def bench_embed(args: argparse.Namespace) -> dict:
    """Run the benchmark described in the module docstring; print a table, return the figures."""
    from eval.bench import table
    from ingest.chunking import TokenizerCounter, chunk_text
    from ingest.embedder import MiniLMEmbedder, MiniLMOnnxEmbedder, minilm_tokenizer, onnx_model_path
    from ingest.pipeline import ingest
    from ingest.store import Store
    from rag.settings import Settings, offline_environment

    offline_environment()
    articles, questions = load_squad(getattr(args, "squad", None) or DEFAULT_SQUAD)
    if getattr(args, "articles", None):
        articles = dict(list(articles.items())[: args.articles])
        questions = [q for q in questions if q.doc_id in articles]
    questions = answerable_sample(questions, getattr(args, "limit", None))
    counter = TokenizerCounter(minilm_tokenizer())
    texts = [c.text for text in articles.values() for c in chunk_text(text, counter)]

    started = time.perf_counter()
    onnx_model_path()  # export now if not cached, so the export is not counted as embedding time
    export_seconds = time.perf_counter() - started
    embedders = {"torch": MiniLMEmbedder(), "onnx": MiniLMOnnxEmbedder()}
    seconds, vectors = time_embedders(embedders, texts)

    work = Path(tempfile.mkdtemp(prefix="ragchat-bench-embed-"))
    folder = write_articles(articles, work / "articles")
    hits: dict[str, dict[str, float]] = {}
    for key, embedder in embedders.items():
        cached = PrecomputedEmbedder(embedder, dict(zip(texts, vectors[key])))
        store = Store(Settings(data_dir=work / "data"), embedder.name, embedder.dimension, collection=f"bench-{key}")
        ingest([folder], store, cached, counter, progress=False)
        hits[key] = retrieval_hits(store, embedder, questions)
        store.close()
    shutil.rmtree(work, ignore_errors=True)

    speedup = seconds["torch"] / seconds["onnx"]
    drop = hits["torch"]["hybrid"] - hits["onnx"]["hybrid"]
    rule_met = speedup >= MIN_SPEEDUP and drop <= MAX_HIT_DROP
    figures = {
        "chunks": len(texts),
        "questions": len(questions),
        "torch_seconds": round(seconds["torch"], 3),
        "torch_texts_per_s": round(len(texts) / seconds["torch"], 1),
        "onnx_seconds": round(seconds["onnx"], 3),
        "onnx_texts_per_s": round(len(texts) / seconds["onnx"], 1),
        "onnx_speedup": round(speedup, 3),
        "onnx_export_seconds": round(export_seconds, 2),  # ~0 when the export was cached
        "torch_hit_at_4": round(hits["torch"]["hybrid"], 4),
        "onnx_hit_at_4": round(hits["onnx"]["hybrid"], 4),
        "torch_dense_hit_at_4": round(hits["torch"]["dense"], 4),
        "onnx_dense_hit_at_4": round(hits["onnx"]["dense"], 4),
        "torch_query_embed_p50_ms": round(hits["torch"]["query_embed_p50_ms"], 1),
        "onnx_query_embed_p50_ms": round(hits["onnx"]["query_embed_p50_ms"], 1),
        "rule_met": rule_met,
        "rule": f"onnx_speedup >= {MIN_SPEEDUP} and torch_hit_at_4 - onnx_hit_at_4 <= {MAX_HIT_DROP}",
    }
    f = figures
    print(table([
        ("chunks / questions", f"{f['chunks']} SQuAD chunks / {f['questions']} answerable questions"),
        ("torch (reference)", f"{f['torch_seconds']:.2f} s, {f['torch_texts_per_s']} texts/s"),
        ("ONNX int8", f"{f['onnx_seconds']:.2f} s, {f['onnx_texts_per_s']} texts/s"),
        ("ONNX speed-up", f"{speedup:.2f}x  (rule >= {MIN_SPEEDUP}x)"),
        ("hit@4 hybrid, torch / ONNX", (f"{f['torch_hit_at_4']:.4f} / {f['onnx_hit_at_4']:.4f}  "
                                        f"(ONNX {0.0 - drop * 100:+.2f} points; rule: no more than 1 point lower)")),
        ("hit@4 dense, torch / ONNX", f"{f['torch_dense_hit_at_4']:.4f} / {f['onnx_dense_hit_at_4']:.4f}"),
        ("one question embedded, p50, torch / ONNX",
         f"{f['torch_query_embed_p50_ms']} / {f['onnx_query_embed_p50_ms']} ms"),
        ("ONNX export (once, cached)", f"{export_seconds:.1f} s"),
        ("rule met (make ONNX the default)", "yes" if rule_met else "no"),
    ]))
    return figures
