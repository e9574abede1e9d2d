"""The span reader: question kinds, candidate phrases located exactly, and the trained weights' choices."""

from __future__ import annotations

import json

import pytest

from rag.span_reader import WEIGHTS, Model, candidates, question_type, read
from rag.types import Evidence


def evidence(*texts: str, start: int = 100) -> list[Evidence]:
    items, offset = [], start
    for n, text in enumerate(texts, start=1):
        items.append(Evidence(n, "d1", "d1.txt", "", "2019-01-05", "", offset, offset + len(text), text, 1.0))
        offset += len(text) + 1
    return items


@pytest.mark.parametrize("question, kind", [
    ("When did the mayor die?", "when"),
    ("In what year was the bridge built?", "year"),
    ("How many people were killed?", "how_many"),
    ("How much did the ticket cost?", "how_much"),
    ("What percentage of voters turned out?", "percent"),
    ("Who ordered the inspections?", "who"),
    ("Which city hosted the summit?", "where"),
    ("How old was the victim?", "how_adj"),
    ("Why was the match cancelled?", "why"),
    ("What did the court decide?", "what"),
    ("Name the river.", "other"),
])
def test_question_kinds(question, kind):
    assert question_type(question) == kind


def test_every_candidate_is_a_stretch_of_its_evidence():
    ev = evidence("Paweł Adamowicz, 53, had been mayor of Gdańsk since 1998.",
                  "Interior Minister Joachim Brudziński called the stabbing “an act of inexplicable barbarity.”")
    from rag.span_reader import _nlp

    found = candidates("Since what year had he been mayor?", ev, _nlp())
    assert {"1998", "Gdańsk", "Joachim Brudziński"} <= {c.text for c in found}
    for c in found:
        item = next(e for e in ev if e.n == c.n)
        assert item.text[c.start:c.end] == c.text and c.text.strip() == c.text


@pytest.mark.parametrize("question, texts, expected", [
    ("Since what year had Adamowicz been mayor?",
     ["Paweł Adamowicz, 53, had been mayor of Gdańsk since 1998 and backed LGBT rights."], "1998"),
    ("How many people died in the fire?",
     ["The fire at the escape room in Koszalin killed five people on Friday evening."], "five"),
    ("Who ordered the inspections of escape rooms?",
     ["Interior Minister Joachim Brudziński ordered inspections of escape rooms across Poland."],
     "Joachim Brudziński"),
])
def test_the_trained_weights_pick_the_answer(question, texts, expected):
    ev = evidence(*texts)
    short = read(question, ev)
    assert short is not None and expected in short.text
    assert ev[0].text[short.start - ev[0].start:short.end - ev[0].start] == short.text


def test_a_threshold_above_every_score_gives_no_short_answer():
    model = Model.load()
    strict = Model(model.weights, threshold=1e9)
    assert read("How many people died?", evidence("The fire killed five people."), strict) is None
    assert read("How many people died?", evidence("The fire killed five people."), model) is not None


def test_weights_file_says_what_it_was_trained_on():
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert "SQuAD" in data["trained_on"] and data["weights"] and "threshold" in data
