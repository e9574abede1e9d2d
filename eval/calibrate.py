"""Calibrate the refusal thresholds of ``rag.answer`` on SQuAD 2.0 (answerable vs unanswerable questions).

``python -m eval.calibrate [--limit N]`` ingests the articles into a scratch store, computes the evidence
features of each sampled question and prints, for a grid of thresholds, refusal precision/recall and the
share of answerable questions wrongly refused. The chosen constants live in ``rag/answer.py``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
from pathlib import Path

from eval.squad import DEFAULT_SQUAD, load_squad, write_articles


def features(limit: int, seed: int = 0, data_dir: Path | None = None) -> list[dict]:
    """The evidence features of ``limit`` sampled SQuAD questions, from a scratch store (removed after,
    unless ``data_dir`` was given to reuse)."""
    articles, questions = load_squad(DEFAULT_SQUAD)
    work = data_dir or Path(tempfile.mkdtemp(prefix="ragchat-calib-"))
    try:
        return _features(articles, questions, limit, seed, work)
    finally:
        if data_dir is None:
            shutil.rmtree(work, ignore_errors=True)


def _features(articles, questions, limit: int, seed: int, work: Path) -> list[dict]:
    from ingest.chunking import TokenizerCounter
    from ingest.embedder import make_embedder, minilm_tokenizer
    from ingest.pipeline import ingest
    from ingest.store import Store
    from rag.answer import is_answerable
    from rag.evidence import score_sentences, select
    from rag.retrieval import HybridRetriever
    from rag.settings import Settings, load_settings

    folder = write_articles(articles, work / "articles")
    settings = load_settings()  # the configured embedder and k, as the answerer uses them
    embedder = make_embedder(settings.embedder)
    store = Store(Settings(data_dir=work / "data"), embedder.name, embedder.dimension, collection="squad2-calib")
    ingest([folder], store, embedder, TokenizerCounter(minilm_tokenizer()), progress=False)
    retriever = HybridRetriever(store=store, embedder=embedder, k=settings.k)
    sample = random.Random(seed).sample(questions, min(limit, len(questions)))
    rows = []
    for q in sample:
        passages, vector = retriever.retrieve(q.question)
        sentences, weights, unknown = score_sentences(q.question, vector, passages, embedder, store.keyword)
        sel = select(sentences, weights, unknown=unknown)
        context = " ".join(e.text for e in sel.evidence)
        rows.append({
            "id": q.id, "impossible": q.is_impossible, "best_score": sel.best_score, "dense": sel.best_dense,
            "lexical": sel.best_lexical, "coverage": sel.coverage, "chars": len(context),
            "unknown": len(unknown), "answerable_now": is_answerable(sel, q.question),
            "hit": any(a in context for a in q.answers) if q.answers else None,
            "passage_hit": any(a in p.text for p in passages for a in q.answers) if q.answers else None,
        })
    store.close()
    return rows


def sweep(rows: list[dict]) -> list[dict]:
    out = []
    for min_score in (0.0, 0.3, 0.35, 0.4, 0.42, 0.45, 0.5, 0.55):
        for min_cov in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7):
            refuse = [r["best_score"] < min_score or r["coverage"] < min_cov for r in rows]
            tp = sum(1 for r, x in zip(rows, refuse) if x and r["impossible"])
            fp = sum(1 for r, x in zip(rows, refuse) if x and not r["impossible"])
            n_imp = sum(r["impossible"] for r in rows)
            n_ans = len(rows) - n_imp
            out.append({"min_score": min_score, "min_coverage": min_cov,
                        "refusal_precision": round(tp / (tp + fp), 3) if tp + fp else None,
                        "refusal_recall": round(tp / n_imp, 3) if n_imp else None,
                        "answerable_refused": round(fp / n_ans, 3) if n_ans else None})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("--rows", type=Path, help="save the per-question features here")
    parser.add_argument("--work", type=Path, help="reuse this scratch directory (articles and store)")
    args = parser.parse_args()
    rows = features(args.limit, data_dir=args.work)
    if args.rows:
        args.rows.write_text(json.dumps(rows))
    answerable = [r for r in rows if not r["impossible"]]
    print(f"hit@evidence {sum(r['hit'] for r in answerable) / len(answerable):.3f}  "
          f"hit@passages {sum(r['passage_hit'] for r in answerable) / len(answerable):.3f}  "
          f"mean chars {sum(r['chars'] for r in rows) / len(rows):.0f}")
    for line in sweep(rows):
        print(json.dumps(line))
    refused = [not r["answerable_now"] for r in rows]
    tp = sum(1 for r, x in zip(rows, refused) if x and r["impossible"])
    fp = sum(1 for r, x in zip(rows, refused) if x and not r["impossible"])
    n_imp = sum(r["impossible"] for r in rows)
    print(json.dumps({"current_rules": True, "refusal_precision": round(tp / max(1, tp + fp), 3),
                      "refusal_recall": round(tp / max(1, n_imp), 3),
                      "answerable_refused": round(fp / max(1, len(rows) - n_imp), 3)}))


if __name__ == "__main__":
    main()
