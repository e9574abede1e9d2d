"""The verifier benchmark: its labelled set is whole and frozen by halves, and its figures are right."""

from __future__ import annotations

import json

from eval.bench_verifier import LABELS, half_of, score


def test_the_labelled_set_has_300_real_outputs_split_by_a_hash_of_their_ids():
    items = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(items) >= 300
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        assert item["label"] in ("supported", "unsupported"), item["id"]
        assert item["half"] == half_of(item["id"]), item["id"]
        assert item["kind"] in ("short", "sentence") and item["text"] and item["sources"]
    assert sum(i["half"] == "test" for i in items) >= 100 and sum(i["half"] == "dev" for i in items) >= 100
    assert {i["label"] for i in items if i["half"] == "test"} == {"supported", "unsupported"}


def _item(text: str, label: str, kind: str = "short") -> dict:
    return {"id": text, "kind": kind, "text": text, "label": label, "question": "How old were the girls?",
            "sources": [{"n": 1, "text": "The fire killed five girls, all aged fifteen."}]}


def test_precision_and_recall_count_what_the_verifier_accepts():
    figures = score([
        _item("fifteen [1]", "supported"),          # accepted, right
        _item("five girls [1]", "unsupported"),     # accepted, but not the answer: a false positive
        _item("15 years old [1]", "supported"),     # right, but not verbatim: rejected (a miss)
        _item("sixteen [1]", "unsupported"),        # rejected, right
    ])
    assert (figures["precision"], figures["recall"]) == (0.5, 0.5)
    assert figures["reference_precision"] == 0.5 and figures["rejected_unsupported"] == 1
