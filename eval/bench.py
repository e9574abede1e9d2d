"""Benchmarks: ``python -m eval.bench NAME [--json]``. Each prints a table; with ``--json`` the last line is
one JSON object of figures, including the reference measured in the same run."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from eval.archive import bench_archive
from eval.bench_answer import bench_answer
from eval.bench_backends import bench_backends
from eval.bench_dedup import bench_dedup
from eval.bench_embed import bench_embed
from eval.bench_load import bench_load
from eval.bench_model import bench_model
from eval.bench_said import bench_said
from eval.bench_scale import bench_scale
from eval.squad import DEFAULT_SQUAD, load_squad, write_articles


def table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def bench_ingest(args: argparse.Namespace) -> dict:
    """Ingest the SQuAD articles with the configured embedder (``RAGCHAT_EMBEDDER``); compare with the bare
    encoder on the same chunk texts: ``SentenceTransformer.encode`` for torch, one ``embed_batch`` call (the
    ONNX session over all texts) for ONNX."""
    from ingest.chunking import TokenizerCounter, chunk_text
    from ingest.embedder import make_embedder, minilm_tokenizer
    from ingest.pipeline import ingest
    from ingest.store import Store
    from rag.settings import Settings, load_settings

    articles, _ = load_squad(args.squad)
    if args.articles:
        articles = dict(list(articles.items())[: args.articles])
    work = Path(tempfile.mkdtemp(prefix="ragchat-bench-"))
    folder = write_articles(articles, work / "articles")
    counter = TokenizerCounter(minilm_tokenizer())
    embedder = make_embedder(load_settings().embedder)
    model = getattr(embedder, "model", None)  # torch: the SentenceTransformer itself

    def encode(batch: list[str]) -> None:
        if model is not None:
            model.encode(batch, batch_size=32, normalize_embeddings=True)
        else:
            embedder.embed_batch(batch)

    texts = [c.text for text in articles.values() for c in chunk_text(text, counter)]
    encode(texts[:64])  # warm-up, outside both timings
    started = time.perf_counter()
    encode(texts)
    raw_seconds = time.perf_counter() - started

    store = Store(Settings(data_dir=work / "data"), embedder.name, embedder.dimension, collection="bench")
    try:
        first = ingest([folder], store, embedder, counter, progress=False)
        again = ingest([folder], store, embedder, counter, progress=False)
    finally:
        store.close()
        shutil.rmtree(work, ignore_errors=True)
    assert first.chunks_embedded == len(texts) and again.chunks_embedded == 0
    figures = {
        "embedder": embedder.name,
        "documents": len(articles),
        "chunks": len(texts),
        "ingest_seconds": round(first.seconds, 3),
        "ingest_chunks_per_s": round(len(texts) / first.seconds, 1),
        "raw_encoder_seconds": round(raw_seconds, 3),
        "raw_encoder_texts_per_s": round(len(texts) / raw_seconds, 1),
        "pipeline_vs_raw": round(raw_seconds / first.seconds, 3),
        "reingest_seconds": round(again.seconds, 3),
        "reingest_vs_first": round(again.seconds / first.seconds, 4),
        "targets": {"pipeline_vs_raw": ">= 0.9", "reingest_vs_first": "<= 0.03"},
    }
    print(table([
        ("embedder", embedder.name),
        ("documents / chunks", f"{figures['documents']} / {figures['chunks']}"),
        ("ingest (pipeline)", f"{first.seconds:.2f} s, {figures['ingest_chunks_per_s']} chunks/s"),
        ("raw encoder (reference)", f"{raw_seconds:.2f} s, {figures['raw_encoder_texts_per_s']} texts/s"),
        ("pipeline / raw throughput", f"{figures['pipeline_vs_raw']:.3f}  (target >= 0.9)"),
        ("re-ingest unchanged", f"{again.seconds:.3f} s = {figures['reingest_vs_first']:.2%} of first (target <= 3 %)"),
    ]))
    return figures


def _verifier(args: argparse.Namespace) -> dict:
    from eval.bench_verifier import bench_verifier, table

    figures = bench_verifier(args.half or "test")
    print(table(figures))
    return figures


BENCHMARKS = {"ingest": bench_ingest, "answer": bench_answer, "embed": bench_embed, "scale": bench_scale,
              "load": bench_load, "model": bench_model,
              "said": bench_said, "dedup": bench_dedup, "archive": bench_archive, "backends": bench_backends,
              "verifier": _verifier}


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    parser = argparse.ArgumentParser(prog="python -m eval.bench")
    parser.add_argument("name", choices=sorted(BENCHMARKS))
    parser.add_argument("--json", action="store_true", help="end with one JSON line of figures")
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--articles", type=int, help="only the first N articles")
    parser.add_argument("--limit", type=int, help="answer, embed, scale: a fixed sample of N SQuAD questions")
    parser.add_argument("--local", action="store_true", help="answer: also the local LLM (slow)")
    parser.add_argument("--sizes", help="scale: corpus sizes in chunks (default 1k,10k,100k)")
    parser.add_argument("--out", type=Path, help="scale: results directory (default bench-results/scale); "
                        "archive: keep the archive and its store here")
    parser.add_argument("--sessions", type=int, help="load: concurrent chat sessions (default 20)")
    parser.add_argument("--backends", help="load, backends: backends to run, in turn (default extractive,local)")
    parser.add_argument("--runs", type=int, help="model: cold starts per backend (default 3)")
    parser.add_argument("--half", help="said: labelled halves, comma-separated (default dev,dev2,test); "
                        "verifier: test, dev or all (default test)")
    parser.add_argument("--sets", help="backends: blind,seed,squad (default all three)")
    parser.add_argument("--misses", action="store_true", help="said: list speakers answered incompletely")
    parser.add_argument("--n", type=int, help="archive: articles to generate and ingest (default 10000)")
    parser.add_argument("--kill-at", type=float, help="archive: SIGKILL the ingest at this share of files, resume")
    parser.add_argument("--sample", type=int, help="archive: articles whose chunks time the bare encoder (200)")
    parser.add_argument("--seed", type=int, help="archive: generator seed (default 0)")
    args = parser.parse_args(argv)
    figures = BENCHMARKS[args.name](args)
    if args.json:
        print(json.dumps({"benchmark": args.name, **figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
