"""Time in questions (rag/timeframe.py): the phrases read against a fixed "now", the answers they filter
over a real store, the CLI's date flags, and the Wikinews time set run through `ragchat eval`."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from rag.timeframe import coverage_refusal, describe, period_of, resolve, summary

NOW = date(2025, 11, 20)  # a Thursday; its week is Monday 17 to Sunday 23 November

# question -> (since, until, order, phrase, question without the phrase); checkable with a calendar.
ORACLE = [
    ("What did the minister say yesterday?", "2025-11-19", "2025-11-19", None, "yesterday",
     "What did the minister say?"),
    ("What happened today?", "2025-11-20", "2025-11-20", None, "today", "What happened?"),
    ("What did the minister say this week?", "2025-11-17", "2025-11-20", None, "this week",
     "What did the minister say?"),
    ("What did the minister say last week?", "2025-11-10", "2025-11-16", None, "last week",
     "What did the minister say?"),
    ("What happened this month?", "2025-11-01", "2025-11-20", None, "this month", "What happened?"),
    ("What happened last month?", "2025-10-01", "2025-10-31", None, "last month", "What happened?"),
    ("What happened this year?", "2025-01-01", "2025-11-20", None, "this year", "What happened?"),
    ("What happened last year?", "2024-01-01", "2024-12-31", None, "last year", "What happened?"),
    ("What did Asif say 3 days ago?", "2025-11-17", "2025-11-17", None, "3 days ago", "What did Asif say?"),
    ("What did Asif say two weeks ago?", "2025-11-03", "2025-11-09", None, "two weeks ago", "What did Asif say?"),
    ("What did Asif say a month ago?", "2025-10-01", "2025-10-31", None, "a month ago", "What did Asif say?"),
    ("What did Asif say in the last 7 days?", "2025-11-13", "2025-11-20", None, "in the last 7 days",
     "What did Asif say?"),
    ("What happened in the past three months?", "2025-08-20", "2025-11-20", None, "in the past three months",
     "What happened?"),
    ("What happened over the past week?", "2025-11-13", "2025-11-20", None, "over the past week", "What happened?"),
    ("What happened in November 2025?", "2025-11-01", "2025-11-20", None, "in November 2025", "What happened?"),
    ("What happened in November 2024?", "2024-11-01", "2024-11-30", None, "in November 2024", "What happened?"),
    ("What happened in 2024?", "2024-01-01", "2024-12-31", None, "in 2024", "What happened?"),
    ("What happened on 3 March 2025?", "2025-03-03", "2025-03-03", None, "on 3 March 2025", "What happened?"),
    ("What happened on March 3rd, 2025?", "2025-03-03", "2025-03-03", None, "on March 3rd, 2025", "What happened?"),
    ("What happened on 2025-03-03?", "2025-03-03", "2025-03-03", None, "on 2025-03-03", "What happened?"),
    ("What happened in Sept. 2019?", "2019-09-01", "2019-09-30", None, "in Sept. 2019", "What happened?"),
    ("What happened since March 2025?", "2025-03-01", "2025-11-20", None, "since March 2025", "What happened?"),
    ("What happened after 2020?", "2021-01-01", "2025-11-20", None, "after 2020", "What happened?"),
    ("What happened before 2020?", None, "2019-12-31", None, "before 2020", "What happened?"),
    ("What happened until June 2025?", None, "2025-06-30", None, "until June 2025", "What happened?"),
    ("What happened between March 2025 and May 2025?", "2025-03-01", "2025-05-31", None,
     "between March 2025 and May 2025", "What happened?"),
    ("What happened from 1 March 2025 to 7 March 2025?", "2025-03-01", "2025-03-07", None,
     "from 1 March 2025 to 7 March 2025", "What happened?"),
    ("In 2019, what did Asif say?", "2019-01-01", "2019-12-31", None, "In 2019", "What did Asif say?"),
    ("What happened in May?", "2025-05-01", "2025-05-31", None, "in May", "What happened?"),
    ("What happened in December?", "2024-12-01", "2024-12-31", None, "in December", "What happened?"),
    ("What happened last November?", "2024-11-01", "2024-11-30", None, "last November", "What happened?"),
    ("What happened last Monday?", "2025-11-17", "2025-11-17", None, "last Monday", "What happened?"),
    ("What happened in the 1990s?", "1990-01-01", "1999-12-31", None, "in the 1990s", "What happened?"),
    ("What happened in December 2025?", "2025-12-01", "2025-12-31", None, "in December 2025", "What happened?"),
    ("What happens next week?", "2025-11-24", "2025-11-30", None, "next week", "What happens?"),
    ("What happened before 2030?", None, "2025-11-20", None, "before 2030", "What happened?"),  # up to now
    ("What happened for the past week?", "2025-11-13", "2025-11-20", None, "for the past week", "What happened?"),
    # order: "latest" looks up to now; the order words leave the search text as well
    ("What is the latest on the ceasefire?", None, "2025-11-20", "newest", "the latest",
     "What is on the ceasefire?"),
    ("What did Asif say most recently?", None, "2025-11-20", "newest", "most recently", "What did Asif say?"),
    ("When did Asif first say that?", None, None, "oldest", "first", "When did Asif say that?"),
    ("What was the earliest report on the floods?", None, None, "oldest", "the earliest",
     "What was report on the floods?"),
    ("What is the latest news from 2019?", "2019-01-01", "2019-12-31", "newest", "from 2019",
     "What is news?"),
    ("What did Asif say in the last week of October 2019?", "2019-10-01", "2019-10-31", None, "of October 2019",
     "What did Asif say in the last week?"),
]

NOT_TIME = [
    "May the minister resign?",  # "May" the verb
    "What did May say about Brexit?",  # May the person
    "What was said about the resignation of May?",
    "Did the march in Rome turn violent?",  # "march" the noun
    "Did the bill pass with 2020 votes?",  # a number, not a year
    "Who won the 2019 election?",  # a year naming an event, not a period
    "What were the plans for 2020?",  # what was planned, not when
    "Since he resigned, who leads the party?",  # "since" meaning "because"
    "What has happened since the ceasefire was agreed?",  # an event: not resolved, no filter
    "Who said “we will leave in 2019”?",  # inside a quotation: someone's words
    "What did the Taliban say on Tuesday?",  # a bare weekday is the article's, not the reader's
    "From what century do the earliest moai date?",  # "earliest" of things, not of reports
    "What happened on 31 February 2020?",  # no such day
]


@pytest.mark.parametrize("question,since,until,order,phrase,rest", ORACLE, ids=[row[0] for row in ORACLE])
def test_period_of(question, since, until, order, phrase, rest):
    period = period_of(question, NOW)
    assert period is not None
    assert (period.since, period.until, period.order) == (since, until, order)
    assert period.phrase == phrase == question[period.start:period.end]
    assert period.question_without_phrase == rest
    assert period.as_of == "2025-11-20"


@pytest.mark.parametrize("question", NOT_TIME)
def test_not_a_time_phrase(question):
    assert period_of(question, NOW) is None


def test_a_future_period_is_still_a_period():
    period = period_of("What was said in 2030?", NOW)
    assert (period.since, period.until) == ("2030-01-01", "2030-12-31")


def test_explicit_dates_win_and_keep_the_order():
    period = resolve("What is the latest on the bridge from last week?", "2025-11-20", "2025-10-01", "2025-10-31")
    assert (period.since, period.until, period.order, period.source) == ("2025-10-01", "2025-10-31", "newest",
                                                                          "flags")
    assert period.question_without_phrase == "What is on the bridge?"
    assert resolve("What happened?", "2025-11-20") is None


def test_descriptions_and_the_coverage_refusal():
    assert describe("2025-11-01", "2025-11-07") == "1–7 November 2025"
    assert describe("2025-11-01", "2025-11-30") == "November 2025"
    assert describe("2019-01-01", "2019-12-31") == "2019"
    assert describe("2025-03-03", "2025-03-03") == "3 March 2025"
    assert describe(None, "2019-12-31") == "dates up to 31 December 2019"
    docs = {"a": {"date": "2005-01-03", "state": "done"}, "b": {"date": "2025-11-27", "state": "done"},
            "c": {"date": "", "state": "done"}}
    november = resolve("What happened in the first week?", since="2025-11-01", until="2025-11-07")
    assert coverage_refusal(november, docs) == ("The documents don't cover 1–7 November 2025: the archive has "
                                                "documents dated 2005-01-03 to 2025-11-27.")
    assert coverage_refusal(resolve("x", since="2025-11-27"), docs) is None
    assert summary(period_of("What happened in November 2024?", NOW).to_dict()) == (
        "Period: 2024-11-01 to 2024-11-30 (from 'in November 2024')")


# --- answers over a real store -----------------------------------------------------------------------------

DATED = {
    "budget-2025-11.txt": ("2025-11-04", "The city council approved a bridge budget of 40 million euros on Monday. "
                           "Mayor Ana Ruiz said the new bridge would open in spring."),
    "budget-2025-10.txt": ("2025-10-07", "The city council approved a bridge budget of 35 million euros on Monday. "
                           "Councillor Tom Berg said the bridge plan was too expensive."),
    "budget-2019-01.txt": ("2019-01-08", "The city council approved a bridge budget of 12 million euros on Monday. "
                           "The old bridge had been closed for repairs."),
}


@pytest.fixture
def archive(tmp_path, store, fake_embedder, counter):
    from ingest.pipeline import ingest

    folder = tmp_path / "archive"
    folder.mkdir()
    for name, (day, text) in DATED.items():
        (folder / name).write_text(f"date {day}\n{text}\n", encoding="utf-8")
    ingest([folder], store, fake_embedder, counter, progress=False)
    store.close()
    return folder


def ask(fake_embedder, question, **dates):
    from rag.answer import Answerer
    from rag.settings import load_settings

    answerer = Answerer(load_settings(), embedder=fake_embedder, llm="extractive")
    try:
        return answerer.answer(question, **dates)
    finally:
        answerer.close()


def test_a_time_bound_question_cites_only_its_period(archive, fake_embedder):
    unbound = ask(fake_embedder, "What bridge budget did the city council approve?", as_of="2025-11-12")
    assert unbound.period is None
    answer = ask(fake_embedder, "What bridge budget did the city council approve last week?",
                 as_of="2025-11-12")
    assert answer.period["since"] == "2025-11-03" and answer.period["until"] == "2025-11-09"
    assert answer.period["phrase"] == "last week"
    assert not answer.refused and answer.citations
    assert {c.date for c in answer.citations} == {"2025-11-04"}
    assert "40 million" in answer.answer
    assert {p.date for p in answer.retrieved} == {"2025-11-04"}
    assert answer.to_dict()["period"]["until"] == "2025-11-09"
    assert "period" not in unbound.to_dict()


def test_latest_answers_from_the_newest_document(archive, fake_embedder):
    answer = ask(fake_embedder, "What is the latest bridge budget the city council approved?", as_of="2025-11-12")
    assert answer.period["order"] == "newest"
    assert {e.date for e in answer.evidence} == {"2025-11-04"}
    assert "40 million" in answer.answer
    old = ask(fake_embedder, "What is the latest bridge budget the city council approved?", as_of="2019-06-01")
    assert "12 million" in old.answer and {c.date for c in old.citations} == {"2019-01-08"}


def test_an_empty_period_refuses_naming_the_archive_dates(archive, fake_embedder):
    answer = ask(fake_embedder, "What bridge budget did the city council approve in 2012?")
    assert answer.refused and answer.citations == []
    assert answer.backend == "refusal (no documents in the period)"
    assert answer.answer == ("The documents don't cover 2012: the archive has documents dated 2019-01-08 to "
                             "2025-11-04.")
    assert answer.period == {"since": "2012-01-01", "until": "2012-12-31", "order": None, "phrase": "in 2012",
                             "as_of": date.today().isoformat(), "source": "question"}


def test_explicit_dates_win_over_the_question(archive, fake_embedder):
    answer = ask(fake_embedder, "What bridge budget did the city council approve last week?",
                 as_of="2025-11-12", date_from="2025-10-01", date_to="2025-10-31")
    assert answer.period["source"] == "flags" and answer.period["since"] == "2025-10-01"
    assert {c.date for c in answer.citations} == {"2025-10-07"}
    assert "35 million" in answer.answer


def test_who_said_and_when_said_within_the_period(seeded, fake_embedder):
    """The seed (dated 2025-11-27) through the attribution index: "when did X say" answers with the date;
    "who said … last week" looks only at that week's statements."""
    when = ask(fake_embedder, "When did Khawaja Asif say it would be idiocy to trust Kabul’s current rulers?")
    assert when.answer.startswith("On 2025-11-27, Khawaja Asif said it [1]:") and when.citations[0].speaker
    found = ask(fake_embedder, "Who said “no good hope from them” last week?", as_of="2025-12-03")
    assert found.answer.startswith("Khawaja Asif said it.") and found.period["since"] == "2025-11-24"
    assert {c.date for c in found.citations} == {"2025-11-27"}
    elsewhere = ask(fake_embedder, "Who said “no good hope from them”?", date_from="2025-11-28")
    assert elsewhere.refused and "don't cover dates from 28 November 2025 on" in elsewhere.answer


def test_question_set_time_fields_and_checks(tmp_path):
    from eval.checks import check_answer
    from eval.sets import load_set
    from rag.errors import EvalError
    from rag.types import Answer, Citation

    good = tmp_path / "t.jsonl"
    good.write_text(json.dumps({"id": "q", "question": "What happened last week?", "as_of": "2025-11-20",
                                "expected_period": {"since": "2025-11-10", "until": "2025-11-16"}}) + "\n"
                    + json.dumps({"id": "none", "question": "What happened?", "expected_period": None}) + "\n",
                    encoding="utf-8")
    first, second = load_set(good).questions
    assert first.as_of == "2025-11-20" and first.expected_period == {"since": "2025-11-10", "until": "2025-11-16"}
    assert second.expected_period == {"since": None, "until": None}
    for bad, message in ((({"as_of": "20 Nov"}), "as_of: '20 Nov' is not a date; use YYYY-MM-DD"),
                         ({"expected_period": {"from": "2025-11-01"}}, '"expected_period" must be an object'),
                         ({"expected_period": {"since": "2025-02-30"}}, "expected_period.since: '2025-02-30'")):
        good.write_text(json.dumps({"id": "q", "question": "?", **bad}) + "\n", encoding="utf-8")
        with pytest.raises(EvalError, match=re.escape(message)):
            load_set(good)

    cited = Citation(1, "a", "a.txt", "", "2025-11-12", "x", 0, 1)
    old = Citation(2, "b", "b.txt", "", "2019-01-02", "y", 0, 1)
    answer = Answer("q", "q", "x [1] y [2]", False, citations=[cited, old],
                    period={"since": "2025-11-10", "until": "2025-11-16"})

    class Texts:
        def text(self, citation):
            return "xy"[citation.n - 1], ""

    reasons = check_answer(first, answer, Texts()).reasons
    assert reasons == ["citation [2] dated 2019-01-02 is outside 2025-11-10..2025-11-16"]
    answer.period = None
    assert "period none, expected 2025-11-10..2025-11-16" in check_answer(first, answer, Texts()).reasons


# --- the command line ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv,message", [
    (["--since", "2025-13-01"], "--since: '2025-13-01' is not a date; use YYYY-MM-DD"),
    (["--until", "yesterday"], "--until: 'yesterday' is not a date; use YYYY-MM-DD"),
    (["--as-of", "20251101"], "--as-of: '20251101' is not a date; use YYYY-MM-DD"),
    (["--since", "2025-12-01", "--until", "2025-11-01"], "--since 2025-12-01 is after --until 2025-11-01"),
])
def test_bad_date_flags_are_usage_errors(argv, message, capsys):
    from rag.cli import main

    assert main(["ask", "What happened?", "--llm", "extractive", *argv]) == 2
    assert message in capsys.readouterr().err


def test_ask_shows_the_period_and_batch_lines_take_dates(archive, fake_embedder, tmp_path, capsys):
    from rag.cli import main

    assert main(["ask", "What bridge budget did the city council approve in October 2025?",
                 "--llm", "extractive"]) == 0
    out = capsys.readouterr().out
    assert "35 million" in out and "Period: 2025-10-01 to 2025-10-31 (from 'in October 2025')" in out
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(line) for line in [
        {"id": "a", "question": "What bridge budget did the city council approve?", "since": "2019-01-01",
         "until": "2019-12-31"},
        {"id": "b", "question": "What did the council approve last week?", "as_of": "2025-13-40"},
    ]) + "\n", encoding="utf-8")
    assert main(["ask", "--batch", str(batch), "--llm", "extractive"]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["period"]["source"] == "flags" and "12 million" in first["answer"]
    assert "as_of: '2025-13-40' is not a date" in second["error"]


# --- the Wikinews time set through `ragchat eval` ----------------------------------------------------------------

TIME_SET = Path(__file__).resolve().parent.parent / "eval" / "sets" / "wikinews-time.jsonl"
# Same topics in other periods: without the period an answer cites these (see README, "Time in questions").
DISTRACTORS = {"wn084-hickenlooper-ends-us-presidential-bid", "wn095-hurricane-dorian-leaves-trail-of",
               "wn107-tropical-storm-humberto-upgraded-to", "wn077-puerto-rico-governor-announces",
               "wn213-sars-cov-2-surpasses-one-million", "wn099-longtime-leader-of-zimbabwe-robert",
               "wn255-russia-s-navalny-airlifted-to-germany", "wn207-bernie-sanders-wins-2020-northern",
               "wn202-joe-biden-wins-2020-us-democratic", "wn117-us-speaker-pelosi-announces-trump"}


def run_time_set(tmp_path, capsys) -> list[dict]:
    """Ingest the articles the set cites and its distractors, run the set with the extractive backend."""
    from eval.sets import load_set
    from eval.wikinews import DEFAULT_DIR, write_articles
    from rag.cli import main

    if not DEFAULT_DIR.is_dir():
        pytest.skip(f"the Wikinews corpus is not at {DEFAULT_DIR}")
    ids = DISTRACTORS | {s for q in load_set(TIME_SET).questions for s in q.expected_sources}
    folder = tmp_path / "wikinews"
    write_articles(folder, ids=ids)
    assert main(["ingest", str(folder), "--collection", "wikinews", "--quiet"]) == 0
    out = tmp_path / "report"
    assert main(["eval", str(TIME_SET), "--collection", "wikinews", "--llm", "extractive", "--out", str(out),
                 "--quiet"]) == 0
    capsys.readouterr()
    return json.loads((out / "results.json").read_text(encoding="utf-8"))["questions"]


def test_wikinews_time_set_periods(tmp_path, fake_embedder, capsys):
    """With the fake embedder the answers are rough, but every period is the expected one, every citation
    lies in it and every period without documents is refused naming the archive's dates."""
    rows = run_time_set(tmp_path, capsys)
    assert len(rows) >= 30
    for row in rows:
        assert not [r for r in row["reasons"] if r.startswith("period ") or " is outside " in r], row["id"]
        if not row["answerable"]:
            assert row["refused"] and "don't cover" in row["answer"] and "the archive has documents dated" in \
                row["answer"], row["id"]


@pytest.mark.models
def test_wikinews_time_set_passes_with_the_real_embedder(tmp_path, capsys):
    rows = run_time_set(tmp_path, capsys)
    failed = {row["id"]: row["reasons"] for row in rows if not row["passed"]}
    assert not failed
