"""The attribution index in the store and what answers from it: statements kept in step with their
documents (changed, pruned, crash-repaired, extractor upgraded), "what did X say?", "who said …?",
"did X say …?", and `ragchat quotes` / `ragchat speakers` — on a real Chroma store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, SEED
from ingest.pipeline import ingest
from ingest.statements import ATTRIBUTION_VERSION
from rag.answer import Answerer
from rag.cli import main
from rag.settings import load_settings

OTHER = """date 2025-12-02
Border talks

Foreign Minister Ishaq Dar said on Monday that talks with Kabul would resume next week.
"We remain open to dialogue," Dar told reporters.

An aide said Khawaja Asif would address the minister's comments later.

Published in Dawn, December 2nd, 2025
"""


def run_ingest(store, fake_embedder, counter, *paths, prune=False):
    return ingest(list(paths), store, fake_embedder, counter, prune=prune, progress=False)


def statements(store, doc_id=None):
    return store.statements({"doc_id": doc_id} if doc_id else None)


def test_statements_follow_their_document(tmp_path, store, fake_embedder, counter):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SEED, folder)
    other = folder / "talks.txt"
    other.write_text(OTHER, encoding="utf-8")
    run_ingest(store, fake_embedder, counter, folder)
    text = other.read_text(encoding="utf-8")
    stored = statements(store, "talks")
    assert {m["speaker"] for _, _, m in stored} >= {"Ishaq Dar"}
    for _, _, meta in stored:  # every statement is located exactly
        assert text[meta["start"]:meta["end"]] == meta["quote"]
    assert store.documents()["talks"]["attribution"] == ATTRIBUTION_VERSION

    other.write_text(OTHER.replace("next week", "in January"), encoding="utf-8")  # changed
    run_ingest(store, fake_embedder, counter, folder)
    quotes = [m["quote"] for _, _, m in statements(store, "talks")]
    assert any("in January" in q for q in quotes) and not any("next week" in q for q in quotes)

    other.unlink()  # pruned
    run_ingest(store, fake_embedder, counter, folder, prune=True)
    assert statements(store, "talks") == [] and statements(store, SEED.stem)


def test_an_older_extractor_version_is_extracted_again_without_embedding(tmp_path, store, fake_embedder, counter):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SEED, folder)
    run_ingest(store, fake_embedder, counter, folder)
    meta = store.documents()[SEED.stem]
    store.replace_statements({**meta, "attribution": 0}, ([], [], []))  # as an older release left it
    assert statements(store) == []
    report = run_ingest(store, fake_embedder, counter, folder)
    assert report.chunks_embedded == 0 and report.requoted == [SEED.stem]
    assert statements(store) and store.documents()[SEED.stem]["attribution"] == ATTRIBUTION_VERSION


def test_a_crash_while_writing_leaves_no_statements_behind(tmp_path, fake_embedder):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SEED, folder)
    env = {**os.environ, "RAGCHAT_FAILPOINT": "quotes-written:1", "PYTHONPATH": str(ROOT)}
    crashed = subprocess.run([sys.executable, "-m", "rag", "ingest", str(folder), "--quiet"], env=env,
                             capture_output=True)
    assert crashed.returncode == -9  # SIGKILL after the statements, before the document was marked done
    env.pop("RAGCHAT_FAILPOINT")
    subprocess.run([sys.executable, "-m", "rag", "ingest", str(folder), "--quiet"], env=env, check=True,
                   capture_output=True)
    from ingest.store import Store

    store = Store(load_settings(), fake_embedder.name, fake_embedder.dimension)
    try:
        ids = [i for i, _, _ in statements(store)]
        assert ids and len(ids) == len(set(ids))
        assert all(m["doc_id"] == SEED.stem for _, _, m in statements(store))
        assert store.documents()[SEED.stem]["statements"] == len(ids)
    finally:
        store.close()


@pytest.fixture
def two_documents(tmp_path, fake_embedder, capsys):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SEED, folder)
    (folder / "talks.txt").write_text(OTHER, encoding="utf-8")
    assert main(["ingest", str(folder), "--quiet"]) == 0
    capsys.readouterr()
    answerer = Answerer(load_settings(), llm="extractive")
    yield answerer
    answerer.close()


@pytest.mark.parametrize("who", ["the Defence Minister", "Khawaja Asif", "Asif", "Kwaja Asif", "Mr Asif"])
def test_what_did_x_say_is_x_own_words(two_documents, who):
    answer = two_documents.answer(f"What did {who} say?")
    assert answer.backend == "attribution index" and not answer.refused
    assert answer.answer.startswith("Khawaja Asif: 3 statements in 1 document")
    assert "idiocy" in answer.answer and "no good hope" in answer.answer
    assert "would address the minister" not in answer.answer  # words an aide said about him
    assert {c.speaker for c in answer.citations} == {"Khawaja Asif"}
    text = SEED.read_text(encoding="utf-8")
    for c in answer.citations:
        assert text[c.start:c.end] == c.quote


def test_what_did_x_say_about_y_and_in_a_period_with_nothing(two_documents):
    answer = two_documents.answer("What did Khawaja Asif say about Kabul?")
    assert len(answer.citations) == 1 and "Kabul" in answer.citations[0].quote
    answer = two_documents.answer("What did Khawaja Asif say about the Taliban?")  # "them": not by name
    assert len(answer.citations) == 3 and "None names “the Taliban” in so many words." in answer.answer
    answer = two_documents.answer("What did Khawaja Asif say?", date_from="2025-12-01")
    assert answer.refused and not answer.citations and "no statement by Khawaja Asif in that period" in answer.answer


def test_newest_first_across_documents(two_documents):
    answer = two_documents.answer("What did Ishaq Dar say?")
    assert answer.citations and all(c.date == "2025-12-02" for c in answer.citations)
    assert answer.citations[0].speaker == "Ishaq Dar"


def test_who_said_names_the_speaker(two_documents):
    answer = two_documents.answer("Who said “We remain open to dialogue”?")
    assert answer.answer.startswith("Ishaq Dar said it.") and answer.citations[0].speaker == "Ishaq Dar"
    answer = two_documents.answer("Who said it would be idiocy to trust Kabul's current rulers?")
    assert answer.answer.startswith("Khawaja Asif said it.")


def test_did_x_say_checks_the_quote(two_documents):
    verbatim = two_documents.answer("Did Khawaja Asif say “no good hope from them”?")
    assert verbatim.answer.startswith("Yes: Khawaja Asif said it, in these words")
    reworded = two_documents.answer("Did Khawaja Asif say Pakistan has good hope from them?")
    assert reworded.answer.startswith("Not in those words.") and "[-has-]" in reworded.answer
    other = two_documents.answer("Did Khawaja Asif say “We remain open to dialogue”?")
    assert other.answer.startswith("No: Ishaq Dar said that, not Khawaja Asif")
    missing = two_documents.answer("Did Khawaja Asif say “the weather is lovely”?")
    assert missing.answer.startswith("No statement by Khawaja Asif") and not missing.citations


def test_a_named_speaker_without_statements_is_refused_not_answered_with_mentions(two_documents):
    answer = two_documents.answer("What did Imran Khan say?")
    assert answer.refused and not answer.citations and answer.backend == "attribution index"
    assert "no statement attributed to Imran Khan" in answer.answer
    # a text is no speaker: what the editorial says comes from the evidence
    answer = two_documents.answer("What does the editorial say about Kabul's rulers?")
    assert answer.backend != "attribution index" and not answer.refused and answer.citations


def test_quotes_and_speakers_commands(two_documents, capsys):
    assert main(["quotes", "--speaker", "the defence minister", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 3 and {r["speaker"] for r in rows} == {"Khawaja Asif"}
    assert set(rows[0]) == {"speaker", "doc_id", "source", "title", "date", "quote", "start", "end", "kind"}
    assert main(["quotes", "--speaker", "nobody at all"]) == 1
    assert "no speaker matches" in capsys.readouterr().err
    assert main(["speakers", "--json"]) == 0
    speakers = {r["speaker"]: r for r in json.loads(capsys.readouterr().out)}
    assert speakers["Khawaja Asif"]["statements"] == 3 and speakers["Ishaq Dar"]["documents"] == ["talks"]


def _quote_index(text: str):
    """The attribution index of one document, without a store."""
    from ingest.attribution import extract
    from rag.quotes import Quote, QuoteIndex

    return QuoteIndex([Quote(id=str(n), doc_id="d", source="d.txt", title="", date="2024-05-01", publication="",
                             speaker=st.speaker, kind=st.kind, start=st.start, end=st.end, text=st.text,
                             content=st.text, speaker_type=st.speaker_type, named=st.named, aliases=st.aliases)
                       for n, st in enumerate(extract(text))])


def test_a_title_question_means_who_bears_the_title_itself():
    text = ("President Tom Berg signed the treaty. Vice President Ana Lind said it was historic. "
            "Former President Ivo Kast said it was late. Berg said the vote would be close.")
    index = _quote_index(text)
    assert [sp.name for sp in index.find_speaker("the President")] == ["Tom Berg"]
    assert [sp.name for sp in index.find_speaker("the Vice President")] == ["Ana Lind"]
    assert [sp.name for sp in index.find_speaker("Kast")] == ["Ivo Kast"]


def test_a_name_question_is_not_answered_by_those_the_name_only_describes():
    text = ("Senator Tom Berg said the bill would pass. Berg aide Ana Lind said the vote was close. "
            "The Berg Foundation said it would fund the campaign.")
    index = _quote_index(text)
    assert [sp.name for sp in index.find_speaker("Berg")] == ["Tom Berg"]


def test_a_close_spelling_misspells_each_word_not_another_first_name():
    index = _quote_index("Professor Abhijit Mukherjee said the bridge was safe. Ana Lopez said it was not.")
    assert index.find_speaker("Pranab Mukherjee") == []
    assert [sp.name for sp in index.find_speaker("Abhijt Mukherjee")] == ["Abhijit Mukherjee"]


def test_a_name_asked_with_more_words_than_the_text_gave_finds_the_speaker():
    index = _quote_index("The Supreme Court said the law stands. Robert Mugabe said the vote was a fraud. "
                         "Police said two men were held. Ann Lee and Tom Berg said the plan was dead.")
    assert [sp.name for sp in index.find_speaker("the United States Supreme Court")] == ["Supreme Court"]
    assert [sp.name for sp in index.find_speaker("Robert Gabriel Mugabe")] == ["Robert Mugabe"]
    assert index.find_speaker("Harbour police") == []  # one word is never enough
    assert index.find_speaker("Ann Lee and Ivo Kast") == []  # a joint speaker is not one of its members
    assert index.find_speaker("Robert Smith Mugabe Jones") == []  # first and last words must agree


def said(n: int, speaker: str):
    """A stored statement of ``speaker``, dated 2024-05-(n+1), in one of three documents."""
    from rag.quotes import Quote

    text = f"{speaker} said the count was {n}."
    return Quote(id=f"{speaker}{n}", doc_id=f"d{n % 3}", source=f"d{n % 3}.txt", title="",
                 date=f"2024-05-{n + 1:02d}", publication="", speaker=speaker, kind="reported", start=0,
                 end=len(text), text=text, content=f"the count was {n}")


def test_many_statements_show_the_newest_few_with_a_count_and_few_show_all():
    from rag.quotes import MAX_SHOWN, QuoteIndex
    from rag.speech import SpeechQuestion, answer_speech

    many = MAX_SHOWN + 3
    index = QuoteIndex([said(n, "Tom Berg") for n in range(many)] + [said(n, "Ana Lind") for n in range(3)])
    answer = answer_speech(index, SpeechQuestion("what-said", who="Tom Berg"))
    assert answer.text.startswith(f"Tom Berg: {many} statements in 3 documents; {MAX_SHOWN} shown, newest first.")
    assert [c.date for c in answer.citations] == [f"2024-05-{n + 1:02d}" for n in range(many - 1, 2, -1)]
    few = answer_speech(index, SpeechQuestion("what-said", who="Ana Lind"))
    assert few.text.startswith("Ana Lind: 3 statements in 3 documents, newest first.") and len(few.citations) == 3


def test_a_name_several_speakers_bear_answers_for_the_most_quoted_and_names_the_others():
    from rag.quotes import QuoteIndex
    from rag.speech import SpeechQuestion, answer_speech

    index = QuoteIndex([said(n, "Tom Berg") for n in range(4)] + [said(n, "Eva Berg") for n in range(4, 6)])
    answer = answer_speech(index, SpeechQuestion("what-said", who="Berg"))
    assert answer.text.startswith("Tom Berg: 4 statements in 3 documents, newest first.\n"
                                  "Also “Berg” in these documents: Eva Berg (2 statements); ask by full name")
    assert {c.speaker for c in answer.citations} == {"Tom Berg"} and len(answer.citations) == 4
    # in a period only Eva Berg speaks in, she is the one answered for
    answer = answer_speech(index, SpeechQuestion("what-said", who="Berg"), since="2024-05-05")
    assert {c.speaker for c in answer.citations} == {"Eva Berg"}
