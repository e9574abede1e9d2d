"""Question sets: JSONL, YAML and SQuAD 2.0 parse into the same questions; bad input names file and line."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, SEED
from eval.metrics import contains
from eval.sets import load_set, sample_questions
from rag.errors import EvalError


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def squad_file(path, questions_per_article=3):
    """A tiny SQuAD 2.0 file: two articles, answerable and impossible questions."""
    data = {"version": "v2.0", "data": []}
    for a, title in enumerate(["Normans", "Computational complexity"]):
        qas = []
        for i in range(questions_per_article):
            impossible = i % 2 == 1
            qas.append({"id": f"{a}-{i}", "question": f"Question {i} about {title}?", "is_impossible": impossible,
                        "answers": [] if impossible else [{"text": "Normandy", "answer_start": 0},
                                                          {"text": "in Normandy", "answer_start": 0}]})
        data["data"].append({"title": title, "paragraphs": [{"context": f"{title} text one.", "qas": qas},
                                                            {"context": f"{title} text two.", "qas": []}]})
    return write(path, json.dumps(data))


def test_jsonl_with_every_field(tmp_path):
    path = write(tmp_path / "set.jsonl", "\n".join([
        "# a comment line, then a blank one",
        "",
        json.dumps({"id": "q1", "question": "What did he say?", "answerable": True,
                    "history": [{"role": "user", "content": "Who is the defence minister?"},
                                {"role": "assistant"}],
                    "reference_answer": "Khawaja Asif", "must_include": ["Asif", ["idiocy", "no good hope"]],
                    "must_not_include": "million", "evidence": ["no good hope from them"],
                    "expected_sources": ["000_10acc92e9fefab75"], "tags": ["said"], "critical": True}),
        json.dumps({"id": 7, "question": "Population of Kabul?", "answerable": False}),
    ]))
    qset = load_set(path)
    assert qset.kind == "jsonl" and not qset.warnings
    q1, q2 = qset.questions
    assert q1.history[1] == {"role": "assistant", "content": ""}
    assert q1.must_include == [["Asif"], ["idiocy", "no good hope"]] and q1.must_not_include == ["million"]
    assert q1.references == ["Khawaja Asif"] and q1.critical and q1.gold_spans == ["no good hope from them"]
    assert q1.where == f"{path}:3"
    assert (q2.id, q2.answerable, q2.critical, q2.gold_spans) == ("7", False, False, [])


def test_yaml_list_and_mapping(tmp_path):
    listed = load_set(write(tmp_path / "a.yaml", "- id: q1\n  question: Who?\n- id: q2\n  question: What?\n"))
    assert [q.id for q in listed.questions] == ["q1", "q2"] and listed.questions[1].where.endswith("a.yaml:3")
    mapped = load_set(write(tmp_path / "b.yml", (
        "collection: news\ntolerances:\n  token_f1: 0.1\nquestions:\n"
        "  - id: q1\n    question: Who?\n    must_include: [Asif]\n")))
    assert mapped.collection == "news" and mapped.tolerances == {"token_f1": 0.1}
    assert mapped.questions[0].must_include == [["Asif"]] and mapped.questions[0].where.endswith("b.yml:5")


def test_sidecar_tolerances_are_read_and_set_values_win(tmp_path):
    write(tmp_path / "s.tolerances.yaml", "token_f1: 0.2\nmrr: 0.3\n")
    qset = load_set(write(tmp_path / "s.yaml", "tolerances: {mrr: 0.1}\nquestions:\n  - {id: a, question: b}\n"))
    assert qset.tolerances == {"token_f1": 0.2, "mrr": 0.1}


def test_squad_questions_articles_and_gold(tmp_path):
    qset = load_set(squad_file(tmp_path / "squad.json"))
    assert qset.kind == "squad" and sorted(qset.articles) == ["00_Normans", "01_Computational_complexity"]
    assert qset.articles["00_Normans"] == "Normans text one.\n\nNormans text two."
    answerable, impossible = qset.questions[0], qset.questions[1]
    assert answerable.answerable and answerable.gold_doc == "00_Normans"
    assert answerable.references == ["Normandy", "in Normandy"] and answerable.gold_spans == answerable.references
    assert answerable.must_include == [["Normandy", "in Normandy"]]
    assert not impossible.answerable and impossible.must_include == [] and impossible.gold_spans == []
    assert "unanswerable" in impossible.tags and "00_Normans" in impossible.tags


def test_limit_first_n_for_hand_written_sets_and_a_fixed_sample_for_squad(tmp_path):
    lines = [json.dumps({"id": f"q{i}", "question": "?"}) for i in range(10)]
    qset = load_set(write(tmp_path / "s.jsonl", "\n".join(lines)))
    assert [q.id for q in sample_questions(qset, 3)] == ["q0", "q1", "q2"]
    assert len(sample_questions(qset, None)) == 10 and len(sample_questions(qset, 50)) == 10
    squad = load_set(squad_file(tmp_path / "squad.json", questions_per_article=20))
    first, again = sample_questions(squad, 8), sample_questions(squad, 8)
    assert [q.id for q in first] == [q.id for q in again]
    assert {q.gold_doc for q in first} == {"00_Normans", "01_Computational_complexity"}
    with pytest.raises(EvalError, match="at least 1"):
        sample_questions(qset, 0)


@pytest.mark.parametrize("name, text, message", [
    ("s.jsonl", '{"id": "a", "question": "b"}\n{"id": "c", "question": \n', r"s\.jsonl:2: not valid JSON"),
    ("s.jsonl", '{"question": "b"}\n', r"s\.jsonl:1: missing \"id\""),
    ("s.jsonl", '{"id": "a"}\n', r"s\.jsonl:1: question 'a' has no \"question\""),
    ("s.jsonl", '["a"]\n', r"s\.jsonl:1: a question must be an object"),
    ("s.jsonl", '{"id": "a", "question": "b", "must_include": [1]}\n', r"s\.jsonl:1: \"must_include\" must be"),
    ("s.jsonl", '{"id": "a", "question": "b", "answerable": "no"}\n', r"\"answerable\" must be true or false"),
    ("s.jsonl", '{"id": "a", "question": "b", "history": [{"role": "bot"}]}\n', r"s\.jsonl:1: \"history\""),
    ("s.jsonl", '{"id": "a", "question": "b"}\n{"id": "a", "question": "c"}\n',
     r"s\.jsonl:2: duplicate id 'a' \(first at .*s\.jsonl:1\)"),
    ("s.jsonl", "# only a comment\n\n", r"s\.jsonl: the set has no questions"),
    ("s.yaml", "[]\n", r"s\.yaml: the set has no questions"),
    ("s.yaml", "- id: a\n  question: [unclosed\n", r"s\.yaml:\d+: invalid YAML"),
    ("s.yaml", "- id: a\n  question: b\n- id: c\n  tags: 5\n", r"s\.yaml:3: question 'c' has no"),
    ("s.yaml", "just text\n", r"a YAML set is a list"),
    ("s.json", '{"questions": []}', r"a \.json set must be SQuAD 2\.0"),
    ("s.csv", "id,question\n", r"unknown question-set format '\.csv'"),
])
def test_bad_input_names_file_and_line(tmp_path, name, text, message):
    with pytest.raises(EvalError, match=message):
        load_set(write(tmp_path / name, text))


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(EvalError, match="no such question set"):
        load_set(tmp_path / "nope.jsonl")
    (tmp_path / "latin.jsonl").write_bytes(b'{"id": "a", "question": "caf\xe9"}\n')
    with pytest.raises(EvalError, match=r"latin\.jsonl: not valid UTF-8"):
        load_set(tmp_path / "latin.jsonl")


def test_unknown_fields_are_warned_about_with_a_suggestion(tmp_path):
    qset = load_set(write(tmp_path / "s.jsonl", '{"id": "a", "question": "b", "must_includes": ["x"], "zzz": 1}\n'))
    assert len(qset.warnings) == 2
    assert "s.jsonl:1: unknown field 'must_includes' ignored (did you mean 'must_include'?)" in qset.warnings[0]
    assert "unknown field 'zzz'" in qset.warnings[1]
    assert qset.questions[0].must_include == []


def test_the_seed_set_is_fair_to_an_extractive_answer():
    """Every must_include and evidence string is the seed's own wording, so quoting the right sentence
    passes; forbidden strings never occur in the seed. Questions tagged ``attribution`` are answered from
    the attribution index in its own words ("Yes: … said it", "… said that, not …"), and may forbid words
    of the seed that someone else said: only their evidence is checked."""
    qset = load_set(ROOT / "eval" / "sets" / "seed.jsonl")
    text = SEED.read_text(encoding="utf-8")
    assert len(qset.questions) >= 40 and not qset.warnings
    tags = {t for q in qset.questions for t in q.tags}
    assert {"who", "what", "when", "said", "paraphrase", "typo", "followup", "unanswerable", "injection"} <= tags
    assert any(q.history for q in qset.questions) and any(q.critical for q in qset.questions)
    for q in qset.questions:
        assert all(e in text for e in q.evidence), q.id
        if "attribution" in q.tags:
            continue
        assert all(any(contains(text, alt) for alt in item) for item in q.must_include), q.id
        assert not any(contains(text, bad) for bad in q.must_not_include), q.id
