"""The answer benchmark: ``python -m eval.bench answer [--limit N] [--local] [--json]``
(also ``python -m eval.bench_answer``).

On a fixed sample of the SQuAD 2.0 public set, in one process, ragchat against the LangChain tutorial
recipe: ``RecursiveCharacterTextSplitter`` 1000/200 characters, dense top-4 with the same embedder (the
configured one, by default ONNX all-MiniLM-L6-v2), in a Chroma collection of its own. Figures, each beside the recipe's:

* hit@4: a gold answer inside the context given to the LLM, from the gold article (recipe: its 4 chunks;
  ragchat: the numbered evidence sentences, chosen from its k retrieved passages), and context characters
  per question (mean over all sampled questions, refused ones included);
* token F1 on the answerable questions and refusal recall on the unanswerable ones: ragchat's extractive
  backend always; with ``--local`` also ragchat with the local LLM and the recipe with the same LLM and the
  tutorial's prompt (slow: two LLM calls a question);
* with ``--local``, on the seed set: time to first token, to the first verified text and to the whole
  answer (p50), next to the retrieval-only time.

Scoring is the evaluation harness's own (:mod:`eval.metrics`, :func:`eval.harness.evaluate`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

from eval.checks import DocumentTexts
from eval.corpus import prepare_corpus
from eval.harness import ROOT, evaluate, warm_up
from eval.metrics import aggregate, best_over, gold_rank, percentile, token_f1
from eval.sets import Question, load_set, sample_questions
from eval.squad import DEFAULT_SQUAD

DEFAULT_LIMIT = 500
RECIPE_K = 4
RECIPE_CHUNK, RECIPE_OVERLAP = 1000, 200
#: The tutorial's prompt (LangChain hub ``rlm/rag-prompt``), as one user message.
TUTORIAL_PROMPT = ("You are an assistant for question-answering tasks. Use the following pieces of retrieved "
                   "context to answer the question. If you don't know the answer, just say that you don't know. "
                   "Use three sentences maximum and keep the answer concise.\nQuestion: {question} \n"
                   "Context: {context} \nAnswer:")
_DONT_KNOW = re.compile(r"\b(?:don'?t|do not|doesn'?t|does not|cannot|can'?t)\b.{0,20}\b(?:know|say|answer|"
                        r"mention|provide)|\bnot (?:mentioned|provided|stated|in the context)\b",
                        re.IGNORECASE | re.DOTALL)
TARGETS = {"ragchat_hit_at_4": ">= 0.93", "ragchat_context_chars": "<= 1500", "seed_first_token_p50_s": "<= 1.0",
           "seed_answer_p50_s": "<= 2.5"}


def bench_answer(args: argparse.Namespace) -> dict:
    """Run the benchmark described in the module docstring; print a table, return the figures."""
    from ingest.embedder import make_embedder
    from rag.settings import load_settings, offline_environment

    offline_environment()
    settings = replace(load_settings(), llm="extractive")
    if settings.embedder == "hash":
        raise SystemExit("the answer benchmark measures a real embedder; unset RAGCHAT_EMBEDDER=hash.")
    limit, local = getattr(args, "limit", None) or DEFAULT_LIMIT, bool(getattr(args, "local", False))
    progress = sys.stderr.isatty()
    qset = load_set(Path(getattr(args, "squad", None) or DEFAULT_SQUAD))
    if getattr(args, "articles", None):  # bench.py's --articles N: only the first N articles
        keep = list(qset.articles or {})[: args.articles]
        qset.articles = {k: qset.articles[k] for k in keep}  # type: ignore[index]
        qset.questions = [q for q in qset.questions if q.gold_doc in qset.articles]
    questions = sample_questions(qset, limit)
    embedder = make_embedder(settings.embedder)  # the recipe gets the same one
    corpus = prepare_corpus(qset, settings, None, embedder, progress)
    settings = settings.with_overrides(collection=corpus.collection)
    recipe = recipe_collection(qset.articles or {}, settings, embedder, f"{corpus.collection}-recipe")
    answerer = _answerer(settings, embedder, "extractive")
    try:
        warm_up(answerer)
        ours = evaluate(answerer, questions, DocumentTexts(corpus.documents), progress, "ragchat extractive")
    finally:
        answerer.close()
    figures = {"questions": len(questions), "answerable": sum(q.answerable for q in questions),
               "unanswerable": sum(not q.answerable for q in questions), "collection": corpus.collection,
               "embedding_model": corpus.embedding_model}
    ours_fig = aggregate(ours)
    figures.update(ragchat_hit_at_4=ours_fig["evidence_hit"], ragchat_k=settings.k,
                   ragchat_passages_hit_at_k=ours_fig["hit_at_k"],
                   ragchat_context_chars=ours_fig["context_chars"], ragchat_retrieve_p50_ms=ours_fig["retrieve_p50_ms"],
                   extractive_token_f1=_answerable(ours, "token_f1"), extractive_exact_match=_answerable(
                       ours, "exact_match"), extractive_refusal_recall=ours_fig["refusal_recall"],
                   extractive_refusal_precision=ours_fig["refusal_precision"],
                   extractive_latency_p50_ms=ours_fig["latency_p50_ms"])
    chat_model = None
    if local:
        answerer = _answerer(settings, embedder, "local")
        try:
            warm_up(answerer)
            mine = evaluate(answerer, questions, DocumentTexts(corpus.documents), progress, "ragchat local")
            chat_model, figures["local_backend"] = answerer.chat_model, answerer.backend_label
        finally:
            answerer.close()
        fig = aggregate(mine)
        figures.update(local_token_f1=_answerable(mine, "token_f1"), local_refusal_recall=fig["refusal_recall"],
                       local_refusal_precision=fig["refusal_precision"], local_latency_p50_ms=fig["latency_p50_ms"])
    theirs = recipe_rows(recipe, embedder, questions, chat_model, progress)
    fig = aggregate(theirs)
    figures.update(recipe_hit_at_4=fig["hit_at_k"], recipe_context_chars=fig["context_chars"],
                   recipe_retrieve_p50_ms=fig["retrieve_p50_ms"])
    if local:
        figures.update(recipe_local_token_f1=_answerable(theirs, "token_f1"),
                       recipe_local_refusal_recall=fig["refusal_recall"],
                       recipe_local_latency_p50_ms=fig["latency_p50_ms"])
        figures.update(seed_timings(settings, embedder, progress))
    figures["targets"] = TARGETS
    print(_table(figures))
    return figures


def _answerer(settings, embedder, llm: str):
    from rag.answer import Answerer

    return Answerer(settings.with_overrides(llm=llm), embedder=embedder)


def _answerable(rows: list[dict], figure: str):
    return aggregate([r for r in rows if r["answerable"]])[figure]


# --- the LangChain tutorial recipe -----------------------------------------------------------------


def recipe_collection(articles: dict[str, str], settings, embedder, name: str):
    """The recipe's chunks in a Chroma collection of their own; rebuilt only when they differ."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from ingest.store import open_client

    splitter = RecursiveCharacterTextSplitter(chunk_size=RECIPE_CHUNK, chunk_overlap=RECIPE_OVERLAP)
    chunks = [(f"{doc_id}:{i:05d}", doc_id, text) for doc_id, article in articles.items()
              for i, text in enumerate(splitter.split_text(article))]
    client = open_client(settings)
    collection = client.get_or_create_collection(
        name, metadata={"recipe": f"langchain tutorial {RECIPE_CHUNK}/{RECIPE_OVERLAP}",
                        "embedding_model": embedder.name},
        configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    if sorted(collection.get(include=[])["ids"]) != sorted(c[0] for c in chunks):
        client.delete_collection(name)
        collection = client.create_collection(
            name, metadata={"recipe": f"langchain tutorial {RECIPE_CHUNK}/{RECIPE_OVERLAP}",
                            "embedding_model": embedder.name},
            configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
        vectors = embedder.embed_batch([c[2] for c in chunks])
        for i in range(0, len(chunks), 1000):
            part = chunks[i:i + 1000]
            collection.add(ids=[c[0] for c in part], documents=[c[2] for c in part],
                           metadatas=[{"doc_id": c[1]} for c in part], embeddings=vectors[i:i + 1000])
    return collection


def recipe_rows(collection, embedder, questions: list[Question], chat_model=None, progress: bool = True
                ) -> list[dict]:
    """One row per question, as :func:`eval.harness.evaluate` gives, for the recipe's top-4 context
    (and, with ``chat_model``, the tutorial's prompt answered by it)."""
    from tqdm import tqdm

    rows = []
    desc = "recipe + LLM" if chat_model is not None else "recipe"
    for q in tqdm(questions, desc=desc, unit="q", disable=not progress, file=sys.stderr, dynamic_ncols=True):
        started = time.perf_counter()
        vector = embedder.embed_batch([q.question])[0]
        got = collection.query(query_embeddings=[vector], n_results=RECIPE_K, include=["documents", "metadatas"])
        context = [(m["doc_id"], text) for m, text in zip(got["metadatas"][0], got["documents"][0])]
        retrieve_ms = (time.perf_counter() - started) * 1000
        gold = q.references if q.answerable else []
        rank = gold_rank(context, gold, q.gold_doc) if gold else None
        row = {"id": q.id, "answerable": q.answerable, "tags": q.tags, "passed": False, "refused": False,
               "hit_rank": rank, "evidence_hit": float(rank > 0) if rank is not None else None,
               "context_chars": sum(len(t) for _, t in context), "retrieve_ms": retrieve_ms}
        if chat_model is not None:
            prompt = TUTORIAL_PROMPT.format(question=q.question, context="\n\n".join(t for _, t in context))
            text = recipe_answer(chat_model, prompt).strip()
            row["refused"] = bool(_DONT_KNOW.search(text)) or not text
            row["answer"] = text
            row["f1"] = best_over(token_f1, "" if row["refused"] else text, gold) if gold else None
            row["latency_ms"] = (time.perf_counter() - started) * 1000
        rows.append(row)
    return rows


def recipe_answer(chat_model, prompt: str) -> str:
    """The tutorial's prompt answered by ``chat_model``. A base model (the local backend's "completion"
    style) continues the prompt text itself, as a LangChain completion LLM would; wrapping it in ragchat's
    own few-shot frame would no longer be the recipe. A chat model gets it as the user message."""
    from langchain_core.messages import HumanMessage

    stop = ["\n\n", "\nQuestion:"]
    server = getattr(chat_model, "server", None)
    if server is not None and server.model.prompt_style == "completion":  # the model process's raw completions
        chat_model.load()
        out = chat_model.root_client.completions.create(model=chat_model.model_name, prompt=prompt, stop=stop,
                                                        max_tokens=chat_model.max_tokens,
                                                        temperature=chat_model.temperature)
        return str(out.choices[0].text)
    if getattr(chat_model, "prompt_style", "chat") == "completion":  # local-inprocess
        out = chat_model.load().create_completion(prompt, max_tokens=chat_model.max_tokens,
                                                  temperature=chat_model.temperature, stop=stop)
        return str(out["choices"][0]["text"])
    return str(chat_model.invoke([HumanMessage(prompt)]).content)


# --- latency on the seed ---------------------------------------------------------------------------


def seed_timings(settings, embedder, progress: bool = True, llm: str = "local", answers: list | None = None) -> dict:
    """The seed set through the local LLM: first token, first verified text, whole answer, retrieval.

    ``answers``, when given, receives each final answer text (to compare two builds' outputs)."""
    from tqdm import tqdm

    from ingest.chunking import TokenizerCounter
    from ingest.embedder import minilm_tokenizer
    from ingest.pipeline import ingest
    from ingest.store import Store
    from rag.types import Answer

    settings = settings.with_overrides(collection="bench-seed", llm=llm)
    store = Store(settings, embedder.name, embedder.dimension)
    try:
        ingest([ROOT / "seeds"], store, embedder, TokenizerCounter(minilm_tokenizer()), progress=False)
    finally:
        store.close()
    questions = load_set(ROOT / "eval" / "sets" / "seed.jsonl").questions
    answerer = _answerer(settings, embedder, llm)
    samples: dict[str, list[float]] = {"first_token": [], "first_text": [], "answer": [], "retrieve": []}
    try:
        answerer.answer(questions[0].question)  # warm-up: loads the model, outside the timings
        for q in tqdm(questions, desc=f"seed, {llm}", unit="q", disable=not progress, file=sys.stderr):
            started, first_text = time.perf_counter(), None
            final = None
            for item in answerer.stream(q.question, q.history or None):
                if isinstance(item, Answer):
                    final = item
                elif first_text is None:
                    first_text = time.perf_counter() - started
            timings = final.timings_ms if final else {}
            if answers is not None:
                answers.append(final.answer if final else "")
            samples["retrieve"].append(timings.get("retrieve", 0.0) / 1000)
            if "first_token" in timings:  # the LLM was called (not refused from the evidence)
                before_llm = timings.get("retrieve", 0.0) + timings.get("evidence", 0.0)
                samples["first_token"].append((before_llm + timings["first_token"]) / 1000)
                samples["first_text"].append(first_text or 0.0)
                samples["answer"].append(timings.get("total", 0.0) / 1000)
    finally:
        answerer.close()
    p50 = {k: percentile(v, 50) for k, v in samples.items()}
    return {"seed_questions": len(questions), "seed_llm_answers": len(samples["answer"]),
            **{f"seed_{k}_p50_s": round(v, 3) if v is not None else None for k, v in p50.items()}}


# --- output ----------------------------------------------------------------------------------------


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not unit:
        return f"{value:.3f}"
    return f"{value:,.0f}{unit}" if unit in (" chars", " ms") else f"{value:.2f}{unit}"


def _vs(f: dict, ours: str, theirs: str, unit: str = "", target: str = "") -> str:
    line = f"ragchat {_fmt(f.get(ours), unit)}  |  recipe {_fmt(f.get(theirs), unit)}"
    return line + (f"  (target {target})" if target else "")


def _table(f: dict) -> str:
    from eval.bench import table

    sample = (f"{f['questions']} SQuAD questions ({f['answerable']} answerable, {f['unanswerable']} "
              f"unanswerable), collection {f['collection']}")
    extractive = (f"{_fmt(f['extractive_token_f1'])} / {_fmt(f['extractive_refusal_recall'])}  (refusal "
                  f"precision {_fmt(f['extractive_refusal_precision'])})")
    rows = [("sample", sample),
            ("hit@4, context given to the LLM", _vs(f, "ragchat_hit_at_4", "recipe_hit_at_4", target=">= 0.93")),
            ("context characters / question",
             _vs(f, "ragchat_context_chars", "recipe_context_chars", " chars", "<= 1,500")),
            (f"hit@{f['ragchat_k']}, ragchat's retrieved passages", _fmt(f["ragchat_passages_hit_at_k"])),
            ("retrieval p50", _vs(f, "ragchat_retrieve_p50_ms", "recipe_retrieve_p50_ms", " ms")),
            ("extractive: F1 / refusal recall", extractive)]
    if "local_token_f1" in f:
        rows += [("local LLM: F1", _vs(f, "local_token_f1", "recipe_local_token_f1")),
                 ("local LLM: refusal recall", _vs(f, "local_refusal_recall", "recipe_local_refusal_recall")),
                 ("seed, local: first token p50", f"{_fmt(f['seed_first_token_p50_s'], ' s')}  (target <= 1.0 s)"),
                 ("seed, local: first text p50", _fmt(f["seed_first_text_p50_s"], " s")),
                 ("seed, local: whole answer p50", f"{_fmt(f['seed_answer_p50_s'], ' s')}  (target <= 2.5 s)"),
                 ("seed: retrieval only p50", _fmt(f["seed_retrieve_p50_s"], " s"))]
    return table(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_answer", description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="questions sampled (fixed seed)")
    parser.add_argument("--local", action="store_true", help="also the local LLM (slow)")
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--articles", type=int, help="only the first N articles")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of figures")
    args = parser.parse_args(argv)
    figures = bench_answer(args)
    if args.json:
        print(json.dumps({"benchmark": "answer", **figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
