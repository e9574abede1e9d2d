"""The short answer the LLM adds: its prompt, its verification against the evidence, and typed refusal."""

from __future__ import annotations

import doctest

import pytest

import rag.short_answer
from rag.answer import is_answerable
from rag.errors import ConfigError
from rag.evidence import Selection
from rag.prompting import SHORT_EXAMPLES, SHORT_PROMPT, render_completion
from rag.settings import load_settings
from rag.short_answer import build_short_messages, compose, verify_short
from rag.types import Evidence


def evidence(*texts: str, start: int = 0) -> list[Evidence]:
    items, offset = [], start
    for n, text in enumerate(texts, start=1):
        items.append(Evidence(n, "d1", "d1.txt", "", "2019-01-05", "", offset, offset + len(text), text, 1.0))
        offset += len(text) + 1
    return items


FIRE = evidence("The fire in Koszalin killed five girls, all aged fifteen.",
                "Interior Minister Joachim Brudziński ordered checks of all escape rooms.")


def test_doctests():
    assert doctest.testmod(rag.short_answer).failed == 0


def test_completion_prompt_for_a_short_answer_uses_its_own_examples():
    prompt = render_completion(build_short_messages("Who ordered the checks?", FIRE))
    assert prompt.startswith(SHORT_PROMPT) and prompt.endswith("Question: Who ordered the checks?\nShort answer:")
    assert prompt.count("\nShort answer:") == len(SHORT_EXAMPLES) + 1
    assert "\nAnswer:" not in prompt


def test_worked_short_answers_stand_verbatim_in_their_cited_source():
    for example in SHORT_EXAMPLES:
        items = evidence(*(text for _, text in example.sources))
        found, why = verify_short(example.answer, items, example.question)
        if example.answer == "none":
            assert found is None and "no short answer" in why
        else:
            assert found is not None, why
            assert f"[{found.n}]" in example.answer


@pytest.mark.parametrize("raw, text, n", [
    (" Joachim Brudziński [2]", "Joachim Brudziński", 2),
    ("joachim brudziński.", "Joachim Brudziński", 2),        # case and end punctuation folded
    ("“all aged fifteen” [1]", "all aged fifteen", 1),
    ("Short answer: five girls [1]", "five girls", 1),
    ("fifteen [2]", "fifteen", 1),                          # cites the wrong source: found in the right one
])
def test_a_phrase_of_the_sources_is_located_exactly(raw, text, n):
    found, why = verify_short(raw, FIRE, "Who ordered the checks, and how old were the girls?")
    assert found is not None, why
    assert (found.text, found.n) == (text, n)
    item = FIRE[n - 1]
    assert item.text[found.start - item.start:found.end - item.start] == text


@pytest.mark.parametrize("raw, reason", [
    ("sixteen [1]", "not in the sources"),
    ("Brudzi [2]", "not in the sources"),                   # not at a word boundary
    ("the escape rooms [2]", "only repeats the question"),
    ("[1]", "no short answer"),
    ("None.", "no short answer"),
    ("The fire in Koszalin killed five girls, all aged fifteen, and the minister ordered checks of all the "
     "escape rooms in the country [1]", "not a short answer"),
])
def test_what_does_not_verify_is_dropped_with_its_reason(raw, reason):
    found, why = verify_short(raw, FIRE, "Who ordered checks of the escape rooms?")
    assert found is None and reason in why


def test_compose_puts_the_short_answer_first_unless_the_quotes_start_with_it():
    found, _ = verify_short("Joachim Brudziński [2]", FIRE, "Who ordered the checks?")
    quotes = f"{FIRE[1].text} [2]"
    assert compose(found, quotes) == f"Joachim Brudziński [2].\n\n{quotes}"
    assert compose(None, quotes) == quotes
    found, _ = verify_short("Interior Minister [2]", FIRE, "Who ordered the checks?")
    assert compose(found, quotes) == quotes


def selection(*texts: str) -> Selection:
    return Selection(evidence(*texts), [], best_dense=0.8, best_lexical=1.0, coverage=1.0)


@pytest.mark.parametrize("question, texts, answerable", [
    ("How old was the photographer?", ["The photographer was killed in Mokha."], False),
    ("How old was the photographer?", ["The photographer, 34, was killed in Mokha."], True),
    ("How much money did the campaign raise?", ["A campaign was set up to pay for funeral costs."], False),
    ("How much money did the campaign raise?", ["The campaign raised $12,000 in a week."], True),
    ("What percentage of the vote did she win?", ["She won the primary easily."], False),
    ("What percentage of the vote did she win?", ["She won 54 percent of the vote."], True),
    # the answer has to be in the best three items, not anywhere in the evidence
    ("How many people died?", ["The storm hit Louisiana.", "It flooded roads.", "Schools closed.",
                               "In 2005, 1,800 people died in Katrina."], False),
    ("How many people died?", ["The storm killed three people.", "It flooded roads."], True),
])
def test_a_typed_question_needs_its_kind_of_answer_in_the_best_items(question, texts, answerable):
    assert is_answerable(selection(*texts), question) is answerable


def test_answer_style_is_checked():
    assert load_settings(environ={"RAGCHAT_ANSWER_STYLE": "sentences"}).answer_style == "sentences"
    with pytest.raises(ConfigError, match="answer_style must be one of short, sentences"):
        load_settings(environ={"RAGCHAT_ANSWER_STYLE": "long"})


def test_short_readers_are_checked():
    assert load_settings(environ={}).short_readers == "model,span"
    assert load_settings(environ={"RAGCHAT_SHORT_READERS": "span"}).short_readers == "span"
    assert load_settings(environ={"RAGCHAT_SHORT_READERS": "none"}).short_readers == "none"
    with pytest.raises(ConfigError, match="short_readers must be a comma-separated list of model, span"):
        load_settings(environ={"RAGCHAT_SHORT_READERS": "model,bert"})
