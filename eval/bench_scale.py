"""The scale benchmark: ``python -m eval.bench scale [--sizes 1k,10k,100k] [--limit N] [--out DIR] [--json]``.

For each size a fresh store is filled with that many chunks: the SQuAD articles (949 chunks) through the
real ingest pipeline, then generated filler documents up to the size. Each size runs in a fresh process, so
its resident memory is its own. Figures per size:

* **ingest throughput**: chunks/s of everything ingest does *except* the embedding model (chunking with the
  model's tokenizer, Chroma adds with their HNSW index, manifest, keyword index); and the full ingest rate
  projected by adding the embedding time per chunk measured in the same run on the SQuAD chunks;
* **retrieval latency** p50/p95 of :meth:`rag.retrieval.HybridRetriever.retrieve` (query embedding with the
  configured model, dense search in Chroma, BM25 in the keyword index, fusion, chunk fetch) over a fixed
  sample of SQuAD questions, after 5 warm-up questions; beside it the query embedding alone (constant in the
  corpus size, and the part most hurt by a busy machine), the rest of retrieval without it, the keyword index
  resync the retriever runs every 30 s, and hit@4 of the SQuAD questions (gold article in the top 4) among
  the generated distractors, which share the articles' vocabulary and so are harder than real ones;
* **memory**: resident set size (VmRSS) after the queries and its peak (VmHWM), with the embedding model
  loaded, and the data directory's size on disk.

**Generated filler, and how its vectors are made.** Embedding 100k chunks with MiniLM on 2 cores takes
about 40 minutes, so filler chunks are not embedded one by one. Instead: a bigram Markov chain per SQuAD
article generates a pool of sentences (seeded, deterministic); each pool sentence is embedded for real with
the configured model; a filler document is paragraphs of pool sentences from one article's chain (its
topic), with some proper nouns and years replaced by the document's own invented names and years (so the
vocabulary keeps growing as a real corpus's does). The real chunker cuts it, and a chunk's vector is the
word-count-weighted mean of its sentences' vectors, normalised. Vectors therefore lie where real MiniLM
vectors lie and cluster by topic; texts are real-looking for BM25. Query embeddings are always real.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from bisect import bisect_left, bisect_right
from pathlib import Path

from eval.squad import DEFAULT_SQUAD, load_squad, write_articles

DEFAULT_SIZES = (1_000, 10_000, 100_000)
DEFAULT_QUESTIONS = 200
WARM_UP = 5
TARGET_P50_MS = 100.0
DEFAULT_OUT = Path("bench-results") / "scale"
POOL_PER_SIZE = 1 / 16  # pool sentences per filler chunk (bounded below)
_SYLLABLES = [c + v for c in "bdgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


def parse_sizes(text: str) -> list[int]:
    """``"1k,10k,100k"`` -> ``[1000, 10000, 100000]``."""
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        match = re.fullmatch(r"(\d+)(k?)", part)
        if not match or int(match[1]) < 1:
            raise SystemExit(f"--sizes: {part!r} is not a size like 1000 or 10k.")
        sizes.append(int(match[1]) * (1000 if match[2] else 1))
    return sorted(set(sizes))


# --- generated text ----------------------------------------------------------------------------------


def sentence_chains(articles: dict[str, str]) -> list[dict[str, list[str]]]:
    """One bigram chain per article: word -> the words that follow it ("" starts, None ends)."""
    chains = []
    for text in articles.values():
        chain: dict[str, list] = {}
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            words = [w for w in sentence.rstrip(".!?").split() if "." not in w]
            for a, b in zip([""] + words, words + [None]):
                chain.setdefault(a, []).append(b)
        chains.append(chain)
    return chains


def generate_pool(articles: dict[str, str], size: int, seed: int = 0) -> list[dict]:
    """``size`` sentences, spread over the articles' chains: ``{"topic", "text", "template"}``.

    ``text`` is embedded; ``template`` is the same sentence with some proper nouns and numbers turned into
    slots (``\\x00N0\\x00``..., ``\\x00Y\\x00``) that each filler document fills with its own.
    """
    rng = random.Random(seed)
    chains = sentence_chains(articles)
    pool = []
    while len(pool) < size:
        topic = len(pool) % len(chains)
        chain, words, word = chains[topic], [], ""
        while len(words) < 35:
            word = rng.choice(chain.get(word) or [None])
            if word is None:
                break
            words.append(word)
        if len(words) < 6:
            continue
        slots = [f"\x00N{rng.randrange(3)}\x00" if i and w[:1].isupper() and rng.random() < 0.4
                 else "\x00Y\x00" if w.isdigit() and len(w) == 4 else w for i, w in enumerate(words)]
        pool.append({"topic": topic, "text": " ".join(words) + ".", "template": " ".join(slots) + "."})
    return pool


def filler_document(index: int, pool_by_topic: list[list[int]], pool: list[dict]) -> tuple[str, list[tuple]]:
    """Document ``index``: its text and its sentences as ``(start, end, pool index, words)``."""
    rng = random.Random(index)
    topic = rng.randrange(len(pool_by_topic))
    names = ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize() for _ in range(3)]
    year = str(rng.randint(1100, 2030))
    text, spans = "", []
    for _ in range(min(300, 2 + int(rng.lognormvariate(3.1, 0.8)))):  # paragraphs: median ~24, long tail
        if text:
            text += "\n\n"
        for s in range(rng.randint(2, 7)):
            p = rng.choice(pool_by_topic[topic])
            sentence = pool[p]["template"].replace("\x00Y\x00", year)
            for n, name in enumerate(names):
                sentence = sentence.replace(f"\x00N{n}\x00", name)
            if s:
                text += " "
            spans.append((len(text), len(text) + len(sentence), p, len(sentence.split())))
            text += sentence
    return text, spans


def chunk_vector(chunk, spans: list[tuple], starts: list[int], ends: list[int], pool_vectors):
    """Word-weighted mean of the vectors of the sentences inside ``chunk``, normalised."""
    import numpy as np

    inside = spans[bisect_left(starts, chunk.start):bisect_right(ends, chunk.end)]
    if not inside:  # a chunk cut inside one sentence: take the sentences it touches
        inside = [s for s in spans if s[0] < chunk.end and s[1] > chunk.start]
    vector = sum(pool_vectors[p] * words for _, _, p, words in inside)
    return (vector / np.linalg.norm(vector)).tolist()


# --- one size, in its own process ----------------------------------------------------------------------


def memory_kb() -> dict[str, int]:
    """This process's resident set size now and at its peak, in kB (Linux ``/proc``)."""
    status = Path("/proc/self/status").read_text()
    return {key: int(re.search(rf"^{key}:\s+(\d+)", status, re.MULTILINE)[1]) for key in ("VmRSS", "VmHWM")}


def run_size(size: int, work: Path) -> dict:
    """Fill a fresh store with ``size`` chunks, query it, measure; the worker process's whole job."""
    import numpy as np

    from eval.bench_embed import PrecomputedEmbedder
    from eval.metrics import gold_rank, percentile
    from ingest.chunking import TokenizerCounter, chunk_text
    from ingest.embedder import make_embedder, minilm_tokenizer
    from ingest.loaders import Document
    from ingest.pipeline import chunk_metadata, document_metadata, ingest
    from ingest.store import Store
    from rag.retrieval import HybridRetriever
    from rag.settings import Settings, load_settings

    plan = json.loads((work / "plan.json").read_text())
    pool = plan["pool"]
    pool_vectors = np.load(work / "pool.npy")
    squad = np.load(work / "squad.npy")
    embedder = make_embedder(plan["embedder"])  # for the queries; loaded before the baseline reading
    counter = TokenizerCounter(minilm_tokenizer())
    baseline = memory_kb()

    data = work / f"data-{size}"
    store = Store(Settings(data_dir=data), embedder.name, embedder.dimension, collection="scale")
    articles = [a for a in plan["articles"] if a["end"] <= size]
    cached = PrecomputedEmbedder(embedder, {t: v.tolist() for t, v in zip(plan["squad_texts"], squad)})
    folder = work / f"articles-{size}"
    folder.mkdir()
    for a in articles:
        os.link(work / "articles" / f"{a['doc_id']}.txt", folder / f"{a['doc_id']}.txt")
    started = time.perf_counter()
    report = ingest([folder], store, cached, counter, progress=False)
    seconds = time.perf_counter() - started
    chunks = report.chunks_embedded
    del cached

    pool_by_topic: list[list[int]] = [[] for _ in range(max(p["topic"] for p in pool) + 1)]
    for i, p in enumerate(pool):
        pool_by_topic[p["topic"]].append(i)
    index = 0
    while chunks < size:
        text, spans = filler_document(index, pool_by_topic, pool)
        started = time.perf_counter()
        pieces = chunk_text(text, counter)[: size - chunks]
        starts, ends = [s[0] for s in spans], [s[1] for s in spans]
        vectors = [chunk_vector(c, spans, starts, ends, pool_vectors) for c in pieces]
        doc_id = f"gen_{index:06d}"
        doc = Document(source=f"generated/{doc_id}.txt", path=Path(f"/generated/{doc_id}.txt"), text=text,
                       title=f"Generated document {index}", content_hash=hashlib.sha256(text.encode()).hexdigest())
        store.replace_document(document_metadata(doc, doc_id), [f"{doc_id}:{doc.content_hash[:12]}:{c.index:05d}"
                               for c in pieces], [c.text for c in pieces], vectors,
                               [chunk_metadata(doc, doc_id, c, len(pieces)) for c in pieces])
        seconds += time.perf_counter() - started
        chunks += len(pieces)
        index += 1
    after_ingest = memory_kb()

    retriever = HybridRetriever(store=store, embedder=embedder, k=load_settings().k)
    questions = [q for q in plan["questions"] if any(a["doc_id"] == q["doc_id"] for a in articles)]
    for q in questions[:WARM_UP]:
        retriever.retrieve(q["question"])  # warm-up, and the first keyword index sync
    total, embed, hits = [], [], 0
    load = [os.getloadavg()[0]]
    for q in questions:
        started = time.perf_counter()
        vector = embedder.embed_batch([q["question"]])[0]
        embedded = time.perf_counter()
        passages, _ = retriever.retrieve(q["question"], query_embedding=vector)
        done = time.perf_counter()
        total.append(1000 * (done - started))
        embed.append(1000 * (embedded - started))
        hits += gold_rank([(p.doc_id, p.text) for p in passages[:4]], q["answers"], q["doc_id"]) > 0
    load.append(os.getloadavg()[0])
    search = [t - e for t, e in zip(total, embed)]
    started = time.perf_counter()
    store.sync_keyword_index()
    resync_ms = 1000 * (time.perf_counter() - started)
    memory = memory_kb()
    store.close()
    disk = sum(f.stat().st_size for f in data.rglob("*") if f.is_file())
    return {
        "chunks": chunks,
        "documents": len(articles) + index,
        "store_seconds": round(seconds, 2),
        "store_chunks_per_s": round(chunks / seconds, 1),
        "retrieve_p50_ms": round(percentile(total, 50), 1) if total else None,
        "retrieve_p95_ms": round(percentile(total, 95), 1) if total else None,
        "query_embed_p50_ms": round(percentile(embed, 50), 1) if embed else None,
        "search_p50_ms": round(percentile(search, 50), 1) if search else None,
        "search_p95_ms": round(percentile(search, 95), 1) if search else None,
        "load_average": round(max(load), 2),
        "keyword_resync_ms": round(resync_ms, 1),
        "questions": len(questions),
        "hit_at_4": round(hits / len(questions), 4) if questions else None,
        "rss_mb": round(memory["VmRSS"] / 1024, 1),
        "rss_peak_mb": round(memory["VmHWM"] / 1024, 1),
        "rss_after_ingest_mb": round(after_ingest["VmRSS"] / 1024, 1),
        "rss_model_loaded_mb": round(baseline["VmRSS"] / 1024, 1),
        "disk_mb": round(disk / 2**20, 1),
    }


# --- the whole benchmark ----------------------------------------------------------------------------


def prepare(work: Path, sizes: list[int], squad: Path, limit: int) -> dict:
    """Chunk and embed (for real, timed) what the sizes need; write the plan the workers read."""
    import numpy as np

    from ingest.chunking import TokenizerCounter, chunk_text
    from ingest.embedder import make_embedder, minilm_tokenizer
    from rag.settings import load_settings

    articles, questions = load_squad(squad)
    counter = TokenizerCounter(minilm_tokenizer())
    plan_articles, texts, end = [], [], 0
    for doc_id, text in articles.items():  # whole articles, as long as they fit in the largest size
        pieces = chunk_text(text, counter)
        if end + len(pieces) > max(sizes):
            break
        end += len(pieces)
        plan_articles.append({"doc_id": doc_id, "end": end})
        texts += [c.text for c in pieces]
    write_articles({a["doc_id"]: articles[a["doc_id"]] for a in plan_articles}, work / "articles")
    name = load_settings().embedder
    embedder = make_embedder(name)
    embedder.embed_batch(texts[:32])  # warm-up
    started = time.perf_counter()
    squad_vectors = embedder.embed_batch(texts) if texts else []
    embed_seconds = time.perf_counter() - started
    pool = generate_pool(articles, max(200, int((max(sizes) - end) * POOL_PER_SIZE)))
    started = time.perf_counter()
    pool_vectors = embedder.embed_batch([p["text"] for p in pool])
    pool_seconds = time.perf_counter() - started
    np.save(work / "squad.npy", np.array(squad_vectors, dtype=np.float32).reshape(len(texts), embedder.dimension))
    np.save(work / "pool.npy", np.array(pool_vectors, dtype=np.float32))
    answerable = [q for q in questions if not q.is_impossible and q.answers]
    picked = sorted(random.Random(0).sample(range(len(answerable)), min(limit, len(answerable))))
    plan = {
        "embedder": name, "articles": plan_articles, "squad_texts": texts, "pool": pool,
        "questions": [{"question": answerable[i].question, "answers": answerable[i].answers,
                       "doc_id": answerable[i].doc_id} for i in picked],
    }
    (work / "plan.json").write_text(json.dumps(plan))
    return {"embedder": embedder.name, "squad_chunks": len(texts), "pool_sentences": len(pool),
            "embed_seconds_per_chunk": embed_seconds / len(texts) if texts else None,
            "pool_embed_seconds": round(pool_seconds, 2)}


def bench_scale(args: argparse.Namespace) -> dict:
    """Run the benchmark described in the module docstring; print a table, save it and a plot."""
    from rag.settings import offline_environment

    offline_environment()
    sizes = parse_sizes(args.sizes) if getattr(args, "sizes", None) else list(DEFAULT_SIZES)
    out = Path(getattr(args, "out", None) or DEFAULT_OUT)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ragchat-bench-scale-") as tmp:
        work = Path(tmp)
        setup = prepare(work, sizes, getattr(args, "squad", None) or DEFAULT_SQUAD,
                        getattr(args, "limit", None) or DEFAULT_QUESTIONS)
        rows = []
        for size in sizes:
            done = subprocess.run([sys.executable, "-m", "eval.bench_scale", "--worker", str(size), str(work)],
                                  stdout=subprocess.PIPE, text=True, check=False)
            if done.returncode:
                raise SystemExit(f"scale benchmark: the {size}-chunk run failed (exit {done.returncode}).")
            row = json.loads(done.stdout.strip().splitlines()[-1])
            per_chunk = setup["embed_seconds_per_chunk"]
            if per_chunk:  # the full ingest rate, had every chunk been embedded by the model
                row["ingest_projected_chunks_per_s"] = round(1 / (1 / row["store_chunks_per_s"] + per_chunk), 1)
            rows.append(row)
    minutes = (time.perf_counter() - began) / 60
    per_chunk = setup["embed_seconds_per_chunk"]
    figures = {
        "sizes": [r["chunks"] for r in rows],
        "embedder": setup["embedder"],
        "embed_chunks_per_s": round(1 / per_chunk, 1) if per_chunk else None,
        "squad_chunks": setup["squad_chunks"],
        "pool_sentences": setup["pool_sentences"],
        "rows": rows,
        "largest_p50_ms": rows[-1]["retrieve_p50_ms"],
        "target": f"retrieve_p50_ms <= {TARGET_P50_MS:g} at 100k chunks",
        "minutes": round(minutes, 1),
        "load_average": round(os.getloadavg()[0], 2),
    }
    if rows[-1]["chunks"] >= 100_000:
        figures["target_met"] = rows[-1]["retrieve_p50_ms"] <= TARGET_P50_MS
    text = render_table(figures)
    print(text)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.md").write_text(text + "\n")
    (out / "scale.json").write_text(json.dumps(figures, indent=2) + "\n")
    (out / "scale.svg").write_text(render_svg(rows))
    print(f"results: {out.resolve()} (scale.md, scale.json, scale.svg)")
    figures["results_dir"] = str(out.resolve())
    return figures


def render_table(f: dict) -> str:
    head = ("| chunks | documents | ingest w/o model (chunks/s) | ingest projected (chunks/s) | retrieve p50 (ms) "
            "| retrieve p95 (ms) | of which query embed p50 (ms) | without embed p50 / p95 (ms) | keyword resync (ms) "
            "| hit@4 | RSS (MB) | RSS peak (MB) | disk (MB) | load avg |")
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for r in f["rows"]:
        lines.append(f"| {r['chunks']:,} | {r['documents']:,} | {r['store_chunks_per_s']:,} | "
                     f"{r.get('ingest_projected_chunks_per_s', '-')} | "
                     f"{r['retrieve_p50_ms']} | {r['retrieve_p95_ms']} | "
                     f"{r['query_embed_p50_ms']} | {r['search_p50_ms']} / {r['search_p95_ms']} | "
                     f"{r['keyword_resync_ms']} | {r['hit_at_4']} | {r['rss_mb']} | {r['rss_peak_mb']} | "
                     f"{r['disk_mb']} | {r['load_average']} |")
    lines.append(f"\nembedder {f['embedder']}: {f['embed_chunks_per_s']} chunks/s on {f['squad_chunks']} SQuAD chunks "
                 f"(this run); {f['pool_sentences']} pool sentences embedded for the filler; "
                 f"{f['minutes']} min in all; load average {f['load_average']}; target: {f['target']}"
                 + (f" -> {'met' if f['target_met'] else 'NOT met'}" if "target_met" in f else ""))
    return "\n".join(lines)


def render_svg(rows: list[dict]) -> str:
    """Three small line charts against chunks (log scale): latency, memory, ingest throughput."""
    panels = [("retrieval latency (ms)", [("p50", "retrieve_p50_ms", "#1f77b4"), ("p95", "retrieve_p95_ms", "#ff7f0e"),
                                          ("p50 without query embedding", "search_p50_ms", "#17becf")], TARGET_P50_MS),
              ("resident memory (MB)", [("RSS", "rss_mb", "#2ca02c"), ("peak", "rss_peak_mb", "#98df8a")], None),
              ("ingest w/o model (chunks/s)", [("chunks/s", "store_chunks_per_s", "#9467bd")], None)]
    w, h, pad = 300, 220, 45
    xs = [r["chunks"] for r in rows]
    lo, hi = min(xs), max(xs)

    def x_at(v):
        return pad + (w - 2 * pad) * ((math.log10(v) - math.log10(lo)) / ((math.log10(hi) - math.log10(lo)) or 1))

    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{w * 3}" height="{h}" font-family="sans-serif" '
              'font-size="11"><rect width="100%" height="100%" fill="white"/>')]
    for n, (title, series, target) in enumerate(panels):
        left = n * w
        values = [r[key] for _, key, _ in series for r in rows if r.get(key) is not None] + ([target] if target else [])
        top = max(values) * 1.15 or 1

        def y_at(v, top=top):
            return h - pad - (h - 2 * pad) * v / top

        parts.append(f'<g transform="translate({left},0)"><text x="{w / 2}" y="16" text-anchor="middle" '
                     f'font-weight="bold">{title}</text>')
        parts.append(f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="black"/>'
                     f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="black"/>')
        for v in xs:
            parts.append(f'<text x="{x_at(v):.1f}" y="{h - pad + 14}" text-anchor="middle">{v:,}</text>')
        for frac in (0, 0.5, 1):
            parts.append(f'<text x="{pad - 4}" y="{y_at(top * frac / 1.15):.1f}" text-anchor="end" '
                         'dominant-baseline="middle">'
                         f'{top * frac / 1.15:.0f}</text>')
        if target:
            parts.append(f'<line x1="{pad}" y1="{y_at(target):.1f}" x2="{w - pad}" y2="{y_at(target):.1f}" '
                         f'stroke="red" stroke-dasharray="4 3"/><text x="{w - pad}" y="{y_at(target) - 3:.1f}" '
                         f'text-anchor="end" fill="red">target {target:g}</text>')
        for i, (label, key, colour) in enumerate(series):
            points = [(x_at(r["chunks"]), y_at(r[key])) for r in rows if r.get(key) is not None]
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                         + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
            parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points]
            parts.append(f'<text x="{pad + 6}" y="{pad - 6 + 12 * i}" fill="{colour}">{label}</text>')
        parts.append(f'<text x="{w / 2}" y="{h - 8}" text-anchor="middle">chunks (log scale)</text></g>')
    return "\n".join(parts + ["</svg>"]) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``--worker SIZE WORKDIR`` runs one size and prints its figures as one JSON line (internal)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        from rag.settings import offline_environment

        offline_environment()
        print(json.dumps(run_size(int(argv[1]), Path(argv[2]))))
        return 0
    from eval.bench import main as bench_main

    return bench_main(["scale", *argv])


if __name__ == "__main__":
    sys.exit(main())
