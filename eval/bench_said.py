""""What did X say?" through ``ragchat ask``: ``python -m eval.bench said [--half dev,dev2,test] [--json]``.

For each labelled half (``eval/attribution/labels``), the half's Wikinews articles are written as files
(:func:`eval.wikinews.write_articles`) and ingested into a temporary store with the real default embedder
(``minilm-onnx``: both routes retrieve passages, and the baseline answers from them). Then, for every
*named* gold speaker of the half, the real :class:`rag.answer.Answerer` (the code path of ``ragchat ask``,
``--llm extractive``, so the figures are about the index and the evidence, not an LLM's phrasing) is asked
"What did X say?" with X written as a user would:

* ``full``: the gold canonical name ("Khawaja Asif");
* ``surname``: a person's last name alone ("Asif");
* ``title``: "the" + the title that stands before the name in a gold source mention ("the Defence
  Minister", from "Defence Minister Khawaja Asif"), when there is one.

Scores, micro-averaged over the speakers of a half (words are ``\\w+`` runs identified by their offset,
as in :mod:`eval.bench_attribution`):

* **statement recall**: the share of X's gold statements (all documents of the half) with at least half of
  their content words inside one citation of the answer;
* **citation precision**: the share of the answer's citations that cite a gold statement of X: they hold at
  least half of its content words, or at least half of the citation's words are its content;
* ``listed``: the same two figures over everything the index returns for X (``ragchat quotes --speaker X``,
  :meth:`QuoteIndex.statements`), beside the answer's shown ones (at most ``MAX_SHOWN``, with a count).

The baseline is the evidence route of the same ``Answerer`` (``attributions=False``): sentences naming X,
chosen from retrieved passages, as ``ragchat ask`` answered before the attribution index existed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from eval.bench_attribution import HALVES, Gold, load_gold, normalise_name, words

TARGETS = {"statement_recall": 0.85, "citation_precision": 0.90}
PASSES = ("full", "surname", "title")
_TITLE = re.compile(r"^((?:[A-Z][\w.'’-]*\s+){1,5})$")
_WORD = re.compile(r"\w+")
_NOT_TITLE = {"Mr", "Mrs", "Ms", "Dr", "Sir", "The", "A", "An", "Former", "Then"}


def speakers_of(gold: dict[str, list[Gold]]) -> dict[str, dict]:
    """Named gold speakers of a half: normalised name → ``{"name", "statements", "titles", "type"}``."""
    import json

    from eval.bench_attribution import LABELS

    kinds: dict[tuple[str, str], tuple[str, bool]] = {}  # (doc_id, speaker) → (type, named)
    for path in LABELS.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            kinds[(row["doc_id"], row["speaker"])] = (row["speaker_type"], row["named"])
    found: dict[str, dict] = {}
    for doc_id, statements in gold.items():
        for g in statements:
            kind, named = kinds.get((doc_id, g.speaker), ("other", False))
            if not named:
                continue
            entry = found.setdefault(normalise_name(g.speaker),
                                     {"name": g.speaker, "statements": [], "titles": [], "type": kind})
            entry["statements"].append(g)
            if g.source and g.source.text.endswith(g.speaker) and g.source.text != g.speaker:
                head = g.source.text[:-len(g.speaker)]
                if (m := _TITLE.match(head)) and m.group(1).split()[0] not in _NOT_TITLE:
                    entry["titles"].append("the " + " ".join(m.group(1).split()))
    return found


def question_names(entry: dict) -> dict[str, str]:
    """How a user might write the speaker, per pass."""
    name = entry["name"]
    names = {"full": name}
    if entry["type"] == "person" and len(name.split()) > 1:
        names["surname"] = name.split()[-1]
    if entry["titles"]:
        names["title"] = max(set(entry["titles"]), key=entry["titles"].count)
    return names


def _span_words(text: str, start: int, end: int) -> set[int]:
    return {m.start() for m in _WORD.finditer(text, start, end)}


def score_citations(texts: dict[str, str], cited: list[tuple[str, int, int]], mine: list[Gold]
                    ) -> tuple[int, int]:
    """``(gold statements of X recalled, citations that cite X)`` for ``cited`` = ``[(doc_id, start, end)]``."""
    by_doc = defaultdict(list)
    for doc_id, start, end in cited:
        if doc_id in texts:
            by_doc[doc_id].append(_span_words(texts[doc_id], start, end))
    recalled = 0
    for g in mine:
        gw = words(texts[g.doc_id], g.content)
        if any(len(gw & cw) * 2 >= len(gw) for cw in by_doc.get(g.doc_id, [])):
            recalled += 1
    correct = 0
    for doc_id, start, end in cited:
        if doc_id not in texts:
            continue
        cw = _span_words(texts[doc_id], start, end)
        for g in (g for g in mine if g.doc_id == doc_id):
            gw = words(texts[doc_id], g.content)
            shared = len(cw & gw)
            if shared and (shared * 2 >= len(gw) or shared * 2 >= len(cw)):
                correct += 1
                break
    return recalled, correct


def _doc_id(source: str) -> str:
    return Path(source).stem


def run_half(half: str, work: Path, embedder, counter, progress: bool = True) -> dict:
    from eval.wikinews import write_articles
    from ingest.pipeline import ingest
    from ingest.store import Store
    from rag.answer import Answerer
    from rag.settings import Settings

    texts, gold = load_gold(half)
    folder = work / half
    paths = write_articles(folder, ids=set(texts))
    for path in paths:  # offsets of labels and citations index the same text
        assert path.read_text(encoding="utf-8") == texts[path.stem]
    settings = Settings(data_dir=work / "data", llm="extractive", collection=f"said-{half}".replace("+", "-"),
                        embedder=embedder.name if embedder.name == "hash" else "minilm-onnx")
    store = Store(settings, embedder.name, embedder.dimension)
    started = time.perf_counter()
    try:
        ingest([folder], store, embedder, counter, progress=False)
    finally:
        store.close()
    ingest_s = time.perf_counter() - started
    speakers = speakers_of(gold)
    routes = {"index": Answerer(settings, embedder=embedder), "baseline": Answerer(settings, embedder=embedder,
                                                                                  attributions=False)}
    tally: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    misses: list[str] = []
    try:
        index = routes["index"].quote_index()
        for entry in speakers.values():
            mine = entry["statements"]
            for pass_name, name in question_names(entry).items():
                question = f"What did {name} say?"
                for route, answerer in routes.items():
                    answer = answerer.answer(question)
                    cited = [(_doc_id(c.source), c.start, c.end) for c in answer.citations]
                    recalled, correct = score_citations(texts, cited, mine)
                    t = _count(tally[f"{route}/{pass_name}"], len(mine), recalled, len(cited), correct)
                    t["from_index"] += answer.backend == "attribution index"
                    t["refused"] += answer.refused
                    if route == "index" and pass_name == "full" and (recalled < len(mine) or correct < len(cited)):
                        misses.append(f"{half} {name!r}: recalled {recalled}/{len(mine)}, "
                                      f"correct citations {correct}/{len(cited)}")
                listed = index.statements(index.find_speaker(name))
                cited = [(_doc_id(q.source), q.start, q.end) for q in listed]
                recalled, correct = score_citations(texts, cited, mine)
                _count(tally[f"listed/{pass_name}"], len(mine), recalled, len(cited), correct)
            if progress:
                print(".", end="", flush=True)
    finally:
        for answerer in routes.values():
            answerer.close()
    if progress:
        print()
    rows = {}
    for key, t in tally.items():
        rows[key] = {"questions": int(t["questions"]), "gold": int(t["gold"]), "citations": int(t["citations"]),
                     "statement_recall": round(t["recalled"] / max(t["gold"], 1), 4),
                     "citation_precision": round(t["correct"] / max(t["citations"], 1), 4)}
        if not key.startswith("listed"):
            rows[key].update(from_index=int(t["from_index"]), refused=int(t["refused"]))
    return {"half": half, "documents": len(texts), "speakers": len(speakers),
            "gold_statements": sum(len(e["statements"]) for e in speakers.values()),
            "ingest_seconds": round(ingest_s, 2), "rows": rows, "misses": misses}


def table(results: list[dict]) -> str:
    lines = [f"{'half':<6} {'route/pass':<18} {'questions':>9} {'gold':>5} {'cited':>6} {'recall':>7} "
             f"{'precision':>9} {'from index':>10}"]
    order = [f"{r}/{p}" for p in PASSES for r in ("index", "listed", "baseline")]
    for res in results:
        for key in order:
            if key in res["rows"]:
                r = res["rows"][key]
                lines.append(f"{res['half']:<6} {key:<18} {r['questions']:>9} {r['gold']:>5} {r['citations']:>6} "
                             f"{r['statement_recall']:>7.3f} {r['citation_precision']:>9.3f} "
                             f"{r.get('from_index', ''):>10}")
    return "\n".join(lines)


def _count(t: dict, gold: int, recalled: int, citations: int, correct: int) -> dict:
    """Add one question's figures to a tally; returns the tally."""
    t["questions"] += 1
    t["gold"] += gold
    t["recalled"] += recalled
    t["citations"] += citations
    t["correct"] += correct
    return t


def bench_said(args: argparse.Namespace) -> dict:
    from ingest.chunking import TokenizerCounter
    from ingest.embedder import make_embedder, minilm_tokenizer

    halves = (getattr(args, "half", None) or "dev,dev2,test").split(",")
    for half in halves:
        if half not in HALVES:
            raise SystemExit(f"--half: {half!r} is not one of {', '.join(HALVES)}")
    embedder = make_embedder(getattr(args, "embedder", None) or "minilm-onnx")
    counter = TokenizerCounter(minilm_tokenizer())
    work = Path(tempfile.mkdtemp(prefix="ragchat-said-"))
    try:
        results = [run_half(half, work, embedder, counter) for half in halves]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if getattr(args, "misses", False):
        for res in results:
            print("\n".join(res["misses"]))
    for res in results:
        print(f"{res['half']}: {res['documents']} documents, {res['speakers']} named speakers, "
              f"{res['gold_statements']} of their statements; ingest {res['ingest_seconds']} s")
    print(table(results))
    return {"embedder": embedder.name, "llm": "extractive", "targets": TARGETS,
            "halves": {res["half"]: {k: v for k, v in res.items() if k != "misses"} for res in results}}


def main(argv: list[str] | None = None) -> int:
    import json
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    parser = argparse.ArgumentParser(prog="python -m eval.bench_said", description=__doc__.split("\n")[0])
    parser.add_argument("--half", default="dev,dev2,test", help="comma-separated halves (default dev,dev2,test)")
    parser.add_argument("--embedder", help="minilm-onnx (default) or hash")
    parser.add_argument("--misses", action="store_true", help="list speakers whose answer misses or over-cites")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = bench_said(args)
    if args.json:
        print(json.dumps({"benchmark": "said", **figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
