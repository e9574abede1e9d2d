"""How well verification separates supported from unsupported generated text, on labelled real outputs.

``python -m eval.bench verifier [--half test|dev|all] [--json]`` scores the two verifiers of the answer chain
on ``eval/verifier/labels.jsonl``: sentences and short answers the bundled model (Gemma 3 270M) wrote for
questions of our sets, each labelled ``supported`` or ``unsupported`` by the rules in
``eval/verifier/README.md``. The positive class is "accepted by the verifier"; precision is the share of
accepted items labelled supported (what a reader is shown is true), recall the share of supported items
accepted (what the model got right is not thrown away). The reference in the same run is "accept
everything", i.e. no verification.

``python -m eval.bench_verifier --build GENERATED.jsonl OUT.jsonl`` turns raw generations (one JSON line
per question: ``question``, ``sources`` [{n, text}], ``short``, ``full``) into unlabelled items, one per
short answer and one per generated sentence, each with a stable id and its half (by a hash of the id).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

LABELS = Path(__file__).parent / "verifier" / "labels.jsonl"
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])*\s+(?=[A-Z“\"(])")


def half_of(item_id: str) -> str:
    """``test`` for about half the ids, by a hash: fixed before any verifier was tuned on the labels."""
    return "test" if int(hashlib.sha256(item_id.encode()).hexdigest(), 16) % 2 else "dev"


def build(generated: Path, out: Path) -> int:
    """Unlabelled items from raw generations (see the module docstring); returns how many."""
    items = []
    for line in generated.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        base = {"question": row["question"], "sources": [{"n": s["n"], "text": s["text"]} for s in row["sources"]],
                "set": row.get("set", ""), "qid": row["qid"]}
        short = row["short"].strip()
        if short:
            items.append({"id": f"{row['qid']}/short", "kind": "short", "text": short, **base})
        full = re.sub(r"</?source[^>]*>?", " ", row["full"]).strip()
        for i, sentence in enumerate(s.strip() for s in _SENTENCE_END.split(full)):
            if sentence:
                items.append({"id": f"{row['qid']}/s{i + 1}", "kind": "sentence", "text": sentence, **base})
    with out.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps({**item, "half": half_of(item["id"]), "label": None}, ensure_ascii=False) + "\n")
    return len(items)


def _evidence(sources: list[dict]):
    from rag.types import Evidence

    return [Evidence(s["n"], "doc", "doc.txt", "", "", "", 0, len(s["text"]), s["text"], 1.0) for s in sources]


def accepted(item: dict) -> bool:
    """Does the answer chain's verifier keep this item?"""
    from rag.short_answer import verify_short
    from rag.verify import verify_text

    evidence = _evidence(item["sources"])
    if item["kind"] == "short":
        return verify_short(item["text"], evidence, item["question"])[0] is not None
    kept, _ = verify_text(item["text"], evidence)
    return bool(kept)


def score(items: list[dict]) -> dict:
    """Precision / recall of acceptance against the labels, and the accept-everything reference."""
    tp = fp = fn = tn = 0
    for item in items:
        ok, good = accepted(item), item["label"] == "supported"
        tp += ok and good
        fp += ok and not good
        fn += (not ok) and good
        tn += (not ok) and not good
    supported = tp + fn
    return {
        "items": len(items), "supported": supported,
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / supported, 3) if supported else None,
        "accepted": tp + fp, "rejected_unsupported": tn,
        "reference_precision": round(supported / len(items), 3) if items else None,  # accept everything
    }


def bench_verifier(half: str = "test", labels: Path = LABELS) -> dict:
    items = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [i for i in items if i.get("label") in ("supported", "unsupported")]
    chosen = items if half == "all" else [i for i in items if i["half"] == half]
    figures = {"half": half, "all": score(chosen)}
    for kind in ("short", "sentence"):
        figures[kind] = score([i for i in chosen if i["kind"] == kind])
    return figures


def table(figures: dict) -> str:
    lines = [f"Verifier on {figures['half']} half (positive = accepted; reference = accept everything)",
             f"{'items':<10} {'n':>5} {'supported':>10} {'precision':>10} {'recall':>8} {'reference P':>12}"]
    for key in ("short", "sentence", "all"):
        f = figures[key]
        lines.append(f"{key:<10} {f['items']:>5} {f['supported']:>10} {str(f['precision']):>10} "
                     f"{str(f['recall']):>8} {str(f['reference_precision']):>12}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_verifier", description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=("test", "dev", "all"), default="test")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--build", nargs=2, type=Path, metavar=("GENERATED", "OUT"))
    args = parser.parse_args(argv)
    if args.build:
        print(f"{build(*args.build)} items written to {args.build[1]}")
        return 0
    figures = bench_verifier(args.half, args.labels)
    print(table(figures))
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
