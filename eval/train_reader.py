"""Train the span reader's weights (rag/span_reader.py) and report it on held-out questions.

``python -m eval.train_reader dump SET OUT.jsonl [--collection NAME]``
    run SET (a question file, or the SQuAD JSON) through the real retrieval chain with the extractive
    backend and keep, for every question, the evidence the answer was built from (the reader's input).
``python -m eval.train_reader train DUMP.jsonl [--out rag/span_reader.json]``
    fit the weights on the SQuAD training articles of the dump, print the held-out figures.
``python -m eval.train_reader score DUMP.jsonl [...]``
    short-answer F1 / EM of the current weights on every dump given (held-out halves only).

The SQuAD public set's 12 articles are split by article (eval/reader/README.md): even-numbered articles
train (their answerable questions, and the unanswerable ones with their plausible answers), odd-numbered
ones are the frozen test half (answerable questions only). A model is a per-question softmax over the candidates
(listwise logistic regression, L2), fitted with plain numpy: the gold candidates are those whose token F1
with a reference answer is the question's best and at least 0.5.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from eval.metrics import best_over, exact_match, token_f1
from rag.types import Evidence

ROOT = Path(__file__).resolve().parent.parent
MIN_GOLD_F1 = 0.5
L2 = 1e-2  # chosen with --check: 1e-3 0.401, 1e-2 0.408, 3e-2 0.396 held-out F1 (3 training articles each way)
STEPS = 400


def is_train(row: dict) -> bool:
    """SQuAD training articles: the even-numbered ones (doc ids ``00_…``, ``02_…``)."""
    gold = row.get("gold_doc") or ""
    return gold[:2].isdigit() and int(gold[:2]) % 2 == 0


def dump(args) -> None:
    from eval.corpus import prepare_corpus
    from eval.sets import load_set
    from ingest.embedder import make_embedder
    from rag.answer import Answerer
    from rag.settings import load_settings

    settings = load_settings().with_overrides(llm="extractive")
    qset = load_set(Path(args.set))
    embedder = make_embedder(settings.embedder)
    corpus = prepare_corpus(qset, settings, args.collection, embedder, True)
    answerer = Answerer(settings.with_overrides(collection=corpus.collection), embedder=embedder)
    started = time.perf_counter()
    with Path(args.out).open("w", encoding="utf-8") as out:
        for i, q in enumerate(qset.questions):
            answer = answerer.answer(q.question, q.history or None)
            out.write(json.dumps({
                "id": q.id, "question": q.question, "standalone": answer.standalone_question,
                "answerable": q.answerable, "refused": answer.refused, "references": q.references,
                "gold_doc": q.gold_doc, "evidence": [
                    {"n": e.n, "doc_id": e.doc_id, "start": e.start, "end": e.end, "text": e.text,
                     "score": e.score} for e in answer.evidence]}) + "\n")
            if i % 250 == 0:
                print(f"{i}/{len(qset.questions)} questions, {time.perf_counter() - started:.0f} s",
                      file=sys.stderr, flush=True)


def _evidence(row: dict) -> list[Evidence]:
    return [Evidence(e["n"], e["doc_id"], e["doc_id"], "", "", "", e["start"], e["end"], e["text"], e["score"])
            for e in row["evidence"]]


class Parses:
    """spaCy parses by text, so each evidence item is parsed once."""

    def __init__(self):
        from rag.span_reader import _nlp

        self.nlp = _nlp()
        self.cache: dict[str, object] = {}

    def __call__(self, text: str):
        if text not in self.cache:
            self.cache[text] = self.nlp(text)
        return self.cache[text]


def featurize(rows: list[dict], parses: Parses) -> list[tuple[dict, list]]:
    from rag.span_reader import candidates

    out = []
    for row in rows:
        if not row["answerable"] or row["refused"] or not row["references"] or not row["evidence"]:
            continue
        found = candidates(row["standalone"], _evidence(row), parses.nlp, parses)
        out.append((row, found))
    return out


def fit(examples: list[tuple[dict, list]]) -> dict[str, float]:
    names = sorted({name for _, found in examples for c in found for name in c.features})
    index = {name: k for k, name in enumerate(names)}
    groups = []
    for row, found in examples:
        if not found:
            continue
        f1 = np.array([best_over(token_f1, c.text, row["references"]) or 0.0 for c in found])
        if f1.max() < MIN_GOLD_F1:
            continue  # no candidate is the answer: nothing to learn from this question
        x = np.zeros((len(found), len(names)))
        for i, c in enumerate(found):
            for name, value in c.features.items():
                x[i, index[name]] = value
        groups.append((x, f1 >= f1.max() - 1e-9))
    w = np.zeros(len(names))
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, STEPS + 1):  # Adam on the mean negative log-likelihood of the gold candidates
        grad = L2 * w
        loss = 0.0
        for x, gold in groups:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = np.where(gold, p, 0.0)
            loss -= math.log(q.sum() + 1e-12)
            q /= q.sum() + 1e-12
            grad += (x.T @ (p - q)) / len(groups)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= 0.05 * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
        if step % 100 == 0:
            print(f"step {step}: loss {loss / len(groups):.3f} ({len(groups)} questions)", file=sys.stderr)
    return {name: round(float(w[k]), 5) for k, name in enumerate(names) if abs(w[k]) > 1e-5}


def evaluate(examples: list[tuple[dict, list]], weights: dict[str, float], threshold: float = -1e9) -> dict:
    """Short-answer F1 / EM over the answered questions (a question the reader abstains on scores 0), and
    the oracle: the best candidate's F1, what a perfect ranker over these phrases would get."""
    f1s, ems, oracle, answered = [], [], [], 0
    for row, found in examples:
        refs = row["references"]
        best = max(found, key=lambda c: sum(weights.get(k, 0.0) * v for k, v in c.features.items()),
                   default=None)
        score = sum(weights.get(k, 0.0) * v for k, v in best.features.items()) if best else -1e9
        if best is None or score < threshold:
            f1s.append(0.0)
            ems.append(0.0)
        else:
            answered += 1
            f1s.append(best_over(token_f1, best.text, refs) or 0.0)
            ems.append(best_over(exact_match, best.text, refs) or 0.0)
        oracle.append(max((best_over(token_f1, c.text, refs) or 0.0 for c in found), default=0.0))
    n = len(examples) or 1
    return {"questions": len(examples), "answered": answered, "f1": round(sum(f1s) / n, 3),
            "em": round(sum(ems) / n, 3), "oracle_f1": round(sum(oracle) / n, 3)}


def _rows(path: str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def plausible_answers(path: Path | None = None) -> dict[str, list[str]]:
    """SQuAD 2.0's ``plausible_answers`` of its unanswerable questions, by id: the phrase a question written
    to look answerable seems to ask for. They teach the ranker which phrase a question wants (measured with
    --check: held-out F1 0.405 -> 0.451); they are never used to decide whether to answer."""
    from eval.squad import DEFAULT_SQUAD

    data = json.loads(Path(path or DEFAULT_SQUAD).read_text(encoding="utf-8"))
    return {qa["id"]: [a["text"] for a in qa.get("plausible_answers", [])]
            for article in data["data"] for paragraph in article["paragraphs"] for qa in paragraph["qas"]
            if qa.get("is_impossible") and qa.get("plausible_answers")}


def with_plausible(rows: list[dict], plausible: dict[str, list[str]]) -> list[dict]:
    return [dict(r, answerable=True, references=plausible[r["id"]])
            if not r["answerable"] and r["id"] in plausible else r for r in rows]


def train(args) -> None:
    rows = _rows(args.dump)
    parses = Parses()
    train_rows = [r for r in rows if is_train(r)]
    test_rows = [r for r in rows if not is_train(r)]
    if args.check:  # tuning: fit on training articles 00/02/04, score 06/08/10; the test half stays unseen
        test_rows = [r for r in train_rows if int(r["gold_doc"][:2]) >= 6]
        train_rows = [r for r in train_rows if int(r["gold_doc"][:2]) < 6]
    train_ex = featurize(with_plausible(train_rows, plausible_answers()), parses)
    test_ex = featurize(test_rows, parses)
    weights = fit(train_ex)
    threshold = -1e9
    report = {"train": evaluate(train_ex, weights), "test": evaluate(test_ex, weights, threshold),
              "features": len(weights)}
    print(json.dumps(report, indent=2))
    if args.check:
        return
    out = Path(args.out)
    out.write_text(json.dumps({"trained_on": "SQuAD 2.0 public subset, even-numbered articles "
                                             "(python -m eval.train_reader train)",
                               "threshold": threshold, "weights": dict(sorted(weights.items()))},
                              indent=1) + "\n", encoding="utf-8")
    print(f"weights written to {out}", file=sys.stderr)


def score(args) -> None:
    from rag.span_reader import Model

    model = Model.load()
    parses = Parses()
    for path in args.dumps:
        rows = [r for r in _rows(path) if not is_train(r)]
        print(path, json.dumps(evaluate(featurize(rows, parses), model.weights, model.threshold)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.train_reader", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("dump")
    p.add_argument("set")
    p.add_argument("out")
    p.add_argument("--collection")
    p = sub.add_parser("train")
    p.add_argument("dump")
    p.add_argument("--out", default=str(ROOT / "rag" / "span_reader.json"))
    p.add_argument("--check", action="store_true", help="fit on half the training articles, score the other "
                   "half, write nothing (for tuning)")
    p = sub.add_parser("score")
    p.add_argument("dumps", nargs="+")
    args = parser.parse_args(argv)
    {"dump": dump, "train": train, "score": score}[args.command](args)


if __name__ == "__main__":
    main()
