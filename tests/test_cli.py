"""`ragchat ask` as a user runs it: human output, --json, --batch, --history and the exit codes."""

from __future__ import annotations

import json

import pytest

from rag.cli import main


def test_ask_prints_the_answer_then_numbered_located_quotes(seeded, capsys):
    assert main(["ask", "Who denied attacking Afghan civilians?", "--llm", "extractive"]) == 0
    out = capsys.readouterr().out
    answer, sources = out.split("\n\n[1] “", 1)  # the answer (a short answer, the quotes), then the sources
    assert "[1]" in answer and "denied" in answer
    assert "characters" in sources and "2025-11-27" in sources


def test_ask_json_is_one_object_with_verbatim_quotes(seeded, capsys):
    assert main(["ask", "Who denied attacking Afghan civilians?", "--llm", "extractive", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["refused"] is False and data["backend"] == "extractive" and data["citations"]
    for c in data["citations"]:
        with open(c["source"], encoding="utf-8") as fh:
            assert fh.read()[c["start"]:c["end"]] == c["quote"]


def test_what_did_x_say_json_names_the_speaker_of_each_quote(seeded, capsys):
    assert main(["ask", "What did the Defence Minister say?", "--llm", "extractive", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["backend"] == "attribution index" and data["citations"]
    for c in data["citations"]:
        assert c["speaker"] == "Khawaja Asif"
        with open(c["source"], encoding="utf-8") as fh:
            assert fh.read()[c["start"]:c["end"]] == c["quote"]


def test_refusal_is_a_success(seeded, capsys):
    assert main(["ask", "What is the population of Kabul?", "--llm", "extractive", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["refused"] is True


def test_history_file_resolves_a_follow_up(seeded, tmp_path, capsys):
    history = tmp_path / "history.json"
    history.write_text(json.dumps([{"role": "user", "content": "Who is the defence minister?"},
                                   {"role": "assistant", "content": "Defence Minister Khawaja Asif [1]."}]))
    assert main(["ask", "What did he say?", "--history", str(history), "--llm", "extractive", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["standalone_question"] == "What did Khawaja Asif say?"


@pytest.mark.parametrize("content, message", [("{not json", "not valid JSON"), ('{"role": "user"}', "JSON list"),
                                              ('[{"role": "robot", "content": "x"}]', "message 0")])
def test_bad_history_is_one_clear_line(seeded, tmp_path, capsys, content, message):
    history = tmp_path / "history.json"
    history.write_text(content)
    assert main(["ask", "What did he say?", "--history", str(history), "--llm", "extractive"]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_batch_answers_in_order_and_reports_bad_lines(seeded, tmp_path, capsys):
    batch = tmp_path / "questions.jsonl"
    batch.write_text("\n".join([
        json.dumps({"id": "a", "question": "Who denied attacking Afghan civilians?"}),
        "{broken",
        json.dumps({"id": "c", "question": ""}),
        json.dumps({"id": "d", "question": "What did he say?", "history": [
            {"role": "user", "content": "Who is the defence minister?"}]}),
    ]))
    assert main(["ask", "--batch", str(batch), "--llm", "extractive"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r.get("id") for r in rows] == ["a", None, "c", "d"]
    assert rows[0]["citations"] and "error" not in rows[0]
    assert "questions.jsonl:2" in rows[1]["error"] and "empty" in rows[2]["error"]
    assert rows[3]["standalone_question"] == "What did the defence minister say?"


def test_usage_errors_exit_2(seeded, capsys):
    assert main(["ask", "--llm", "extractive"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["ask", "--k", "many"])
    assert exc.value.code == 2


def test_unknown_backend_names_the_choices(seeded, capsys):
    assert main(["ask", "Who is Khawaja Asif?", "--llm", "gpt-9000"]) == 1
    err = capsys.readouterr().err
    assert "gpt-9000" in err and "extractive" in err
