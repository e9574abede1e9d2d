"""Near-duplicates on a real store with the fake embedder: a wire story republished by four other outlets is
grouped at ingest, cited once ("also in 4 other documents"), counted once in statement counts, and the
groups follow changed, pruned and crash-repaired documents."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from conftest import ROOT
from ingest.dedup import DedupIndex, Record, open_index, rebuild_text, regroup, shingles
from ingest.pipeline import ingest

LEAD = ("The port authority of Kessel closed the northern harbour on Tuesday after a cargo ship ran aground on a "
        "sandbank near the entrance channel, blocking traffic for more than forty vessels.")
CLOSURE = ("Harbour Minister Lena Varga said the closure would last at least three days. “We will not reopen the "
           "channel until divers have checked every metre of the hull,” Varga told reporters at the quayside.")
SHIP = ("The ship, the Maren Star, was carrying 12,000 tonnes of grain from Odesa to Rotterdam when its engine "
        "failed in heavy fog. Nobody on board was hurt, the coast guard said.")
COST = ("Shipping companies warned that the delay could cost the region's exporters millions. Fishing boats have "
        "been allowed to leave through the southern harbour, which remains open.")
TUGS = ("Varga added that salvage tugs from Hamburg were expected on Thursday. “The tide is our best friend and our "
        "worst enemy,” she said.")
STORY = [LEAD, CLOSURE, SHIP, COST, TUGS]


def export(day: str, title: str, paragraphs: list[str], outlet: str, long_day: str = "March 5, 2024") -> str:
    return f"date {day}\n{title}\n\n" + "\n\n".join(paragraphs) + f"\n\nPublished in {outlet}, {long_day}\n"


ORIGINAL = export("2024-03-05", "Grain ship runs aground, Kessel harbour closed", STORY, "Kessel Daily")
COPIES = {  # four other outlets run the wire story, each in its own way
    "b_coastal": export("2024-03-05", "Kessel port shut after grain ship grounding | Coastal Times",
                        STORY + ["Reporting by Anna Kowalski; Editing by Tom Reyes."], "Coastal Times"),
    "c_metro": export("2024-03-06", "UPDATE: Grain ship runs aground, Kessel harbour closed",
                      [LEAD, CLOSURE, SHIP, TUGS, "Copyright 2024 Metro Gazette. All rights reserved."],
                      "Metro Gazette", "March 6, 2024"),
    "d_courier": export("2024-03-05", "Cargo ship blocks Kessel harbour",
                        ["KESSEL (Northern Courier) — " + LEAD, CLOSURE, SHIP, COST, TUGS], "Northern Courier"),
    "e_ledger": export("2024-03-07", "Kessel harbour closed for days",
                       ["Sign up for the Daily Ledger morning briefing.", LEAD, CLOSURE,
                        SHIP.split(". ")[0] + ".", COST, TUGS], "The Daily Ledger", "March 7, 2024"),
}
SAME_TOPIC = export("2024-03-08", "Kessel harbour reopens after grounding", [
    "The northern harbour of Kessel reopened on Friday morning, three days after the grain ship Maren Star "
    "ran aground near its entrance and was towed free by two tugs from Hamburg overnight.",
    "Harbour Minister Lena Varga said the channel was safe again. “The divers found no damage to the seabed "
    "and the buoys are back in place,” she said at a press conference in the port office.",
    "About forty vessels that had waited at anchor began entering the port, and the authority said the queue "
    "should clear by Sunday evening. Exporters said the closure had cost them less than they had feared.",
], "Kessel Daily", "March 8, 2024")
UNRELATED = export("2024-03-05", "City library extends opening hours", [
    "The central library will open until ten in the evening from April, the city council decided on Monday, "
    "after a survey found that students wanted quiet places to work late.",
    "The longer hours will cost about 80,000 euros a year, paid from the culture budget.",
], "Kessel Daily")
GROUP = ["a_original", *COPIES]


@pytest.fixture
def wire(tmp_path):
    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "a_original.txt").write_text(ORIGINAL, encoding="utf-8")
    for name, text in COPIES.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / "f_reopens.txt").write_text(SAME_TOPIC, encoding="utf-8")
    (folder / "g_library.txt").write_text(UNRELATED, encoding="utf-8")
    return folder


def groups_of(store) -> dict[str, list[str]]:
    """dup group -> its documents, checking on the way that every record's group is a canonical copy
    (its own group) and that records and finished documents match one to one."""
    records = {r.doc_id: r for r in store.dedup_records()}
    docs = store.documents()
    assert set(records) == {d for d, m in docs.items() if m["state"] == "done"}
    assert all(records[r.group].group == r.group for r in records.values() if r.group in records), records
    assert all(r.group in records for r in records.values()), "a group names a document that is gone"
    assert all(r.doc_hash == docs[r.doc_id]["doc_hash"] for r in records.values())
    groups: dict[str, list[str]] = {}
    for r in sorted(records.values(), key=lambda r: r.doc_id):
        groups.setdefault(r.group, []).append(r.doc_id)
    return groups


def test_republished_story_is_one_group_and_same_topic_stays_apart(wire, store, fake_embedder, counter):
    report = ingest([wire], store, fake_embedder, counter, progress=False)
    assert report.duplicates == {name: "a_original" for name in COPIES}
    assert groups_of(store) == {"a_original": GROUP, "f_reopens": ["f_reopens"], "g_library": ["g_library"]}
    assert "4 near-duplicate(s)" in report.summary()
    assert store.group_members(["a_original"]) == {"a_original": GROUP}


def test_the_story_is_retrieved_and_cited_once_with_its_copies(wire, store, fake_embedder, counter):
    from rag.answer import Answerer
    from rag.retrieval import HybridRetriever
    from rag.settings import load_settings

    ingest([wire], store, fake_embedder, counter, progress=False)
    question = "How long would the closure last, according to Harbour Minister Lena Varga?"
    passages, _ = HybridRetriever(store=store, embedder=fake_embedder, k=8).retrieve(question)
    story = [p for p in passages if p.doc_id in GROUP]
    assert story and all(sorted([p.doc_id, *p.also_in]) == GROUP for p in story)
    texts = [" ".join(p.text.split()) for p in story]
    assert not any(CLOSURE in t for t in texts[1:] if CLOSURE in texts[0]), "the same passage twice"
    store.close()

    answerer = Answerer(load_settings(), embedder=fake_embedder, llm="extractive", attributions=False)
    try:
        answer = answerer.answer(question)
    finally:
        answerer.close()
    assert not answer.refused
    sentences = [" ".join(e.text.split()) for e in answer.evidence]
    assert len(sentences) == len(set(sentences)), "one sentence of the story in the evidence twice"
    assert sum("closure would last at least three days" in s for s in sentences) == 1
    cited = [c for c in answer.citations if c.doc_id in GROUP]
    assert len(cited) == 1 and cited[0].also_in == 4 and sorted([cited[0].doc_id, *cited[0].also_in_docs]) == GROUP
    data = cited[0].to_dict()
    assert data["also_in"] == 4 and len(data["also_in_docs"]) == 4
    assert all("also_in" not in c.to_dict() for c in answer.citations if c.doc_id not in GROUP)

    from rag.cli import format_sources
    from ui.format import citation_card

    assert "also in 4 other documents" in format_sources(answer)
    assert "also in 4 other documents" in citation_card(cited[0], turn=1)


def test_statements_of_the_story_are_counted_once(wire, store, fake_embedder, counter):
    from rag.quotes import QuoteIndex, fold
    from rag.speech import answer_speech, speech_question

    ingest([wire], store, fake_embedder, counter, progress=False)
    alone = {fold(text) for _, text, meta in store.statements() if meta["doc_id"] == "a_original"}
    assert len(alone) >= 2
    index = QuoteIndex.from_store(store)
    of_story = [q for q in index.quotes if q.doc_id in GROUP]
    assert sorted(fold(q.content) for q in of_story) == sorted(alone)
    assert all(q.doc_id == "a_original" for q in of_story), "kept from the canonical copy"
    assert all(len(q.also_in) >= 3 for q in of_story)  # the Metro copy dropped a paragraph
    varga = index.find_speaker("Lena Varga")
    assert varga
    found = answer_speech(index, speech_question("What did Lena Varga say?"))
    said = [q for sp in varga for q in sp.quotes]
    docs = {q.doc_id for q in said}
    assert docs <= {"a_original", "f_reopens"} and "a_original" in docs
    assert f"{len(said)} statements in {len(docs)} documents" in found.text
    raw = [meta for _, _, meta in store.statements() if meta["speaker"] == said[0].speaker]
    assert len(raw) > len(said), "the copies hold the statements too; counted once"


def test_a_changed_copy_stops_being_a_duplicate_and_a_changed_original_hands_over(wire, store, fake_embedder,
                                                                                  counter):
    ingest([wire], store, fake_embedder, counter, progress=False)
    (wire / "d_courier.txt").write_text(UNRELATED.replace("central library", "old town library"), encoding="utf-8")
    report = ingest([wire], store, fake_embedder, counter, progress=False)
    assert report.updated == ["d_courier"] and report.chunks_embedded > 0
    assert groups_of(store)["a_original"] == ["a_original", "b_coastal", "c_metro", "e_ledger"]
    assert groups_of(store)["g_library"] == ["d_courier", "g_library"]  # now a copy of the library story

    (wire / "a_original.txt").write_text(SAME_TOPIC.replace("Friday", "Saturday"), encoding="utf-8")
    ingest([wire], store, fake_embedder, counter, progress=False)
    groups = groups_of(store)
    assert groups["b_coastal"] == ["b_coastal", "c_metro", "e_ledger"]  # the earliest copy left is canonical
    assert groups["f_reopens"] == ["a_original", "f_reopens"]


def test_pruning_the_canonical_copy_makes_the_next_copy_canonical(wire, store, fake_embedder, counter):
    ingest([wire], store, fake_embedder, counter, progress=False)
    (wire / "a_original.txt").unlink()
    report = ingest([wire], store, fake_embedder, counter, prune=True, progress=False)
    assert report.removed == ["a_original"] and report.chunks_embedded == 0
    assert groups_of(store)["b_coastal"] == ["b_coastal", "c_metro", "d_courier", "e_ledger"]
    assert store.group_members(["b_coastal"])["b_coastal"][0] == "b_coastal"


def test_a_store_without_records_is_signed_from_its_chunks_without_embedding(wire, store, fake_embedder, counter):
    ingest([wire], store, fake_embedder, counter, progress=False)
    before = groups_of(store)
    store.reset_dedup("")  # as a store written before near-duplicates were detected
    assert store.dedup_records() == []
    report = ingest([wire], store, fake_embedder, counter, progress=False)
    assert report.chunks_embedded == 0 and groups_of(store) == before
    doc = store.document_chunks("a_original")
    text = rebuild_text([(c.metadata["start"], c.metadata["end"], c.text) for c in doc])
    assert shingles(text) == shingles(ORIGINAL)


def test_orphans_are_regrouped_when_the_index_opens(wire, store, fake_embedder, counter):
    ingest([wire], store, fake_embedder, counter, progress=False)
    store.delete_dedup(["a_original"])  # as if the canonical's record went without regrouping
    open_index(store, store.documents())
    # the copies regroup under the earliest of them; the original, signed again from its chunks, joins them
    assert groups_of(store) == {"b_coastal": GROUP, "f_reopens": ["f_reopens"], "g_library": ["g_library"]}


def test_regroup_is_greedy_in_ingest_order():
    index = DedupIndex([])
    words = " ".join(f"w{i}" for i in range(60))
    other = " ".join(f"x{i}" for i in range(60))
    for doc_id, text in [("a", words), ("b", words + " b1 b2"), ("c", other), ("d", words + " d1")]:
        index.place(index.sign(doc_id, text, ""))
    assert {r.doc_id: r.group for r in index.records.values()} == {"a": "a", "b": "a", "c": "c", "d": "a"}
    changed = index.forget("a")
    assert {r.doc_id: r.group for r in changed} == {"b": "b", "d": "b"}
    assert regroup([Record("z", "gone", 1, "", 0)]) == [Record("z", "z", 1, "", 0)]


@pytest.mark.parametrize("point", ["dedup-written:3", "dedup-regrouped:1"])
def test_a_kill_while_groups_change_is_repaired(wire, tmp_path, monkeypatch, point):
    """SIGKILL while the records are written (first ingest), or while a pruned canonical's group is being
    regrouped; the next ingest leaves consistent groups."""
    monkeypatch.setenv("RAGCHAT_EMBEDDER", "hash")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "rag", "ingest", str(wire), "--quiet", "--prune"]
    if point.startswith("dedup-regrouped"):
        assert subprocess.run(cmd, env=env, capture_output=True, timeout=300).returncode == 0
        (wire / "a_original.txt").unlink()
    killed = subprocess.run(cmd, env={**env, "RAGCHAT_FAILPOINT": point}, capture_output=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=300).returncode == 0

    from ingest.store import Store
    from rag.settings import load_settings

    store = Store(load_settings(), "hash-64", 64)
    try:
        groups = groups_of(store)
    finally:
        store.close()
    if point.startswith("dedup-regrouped"):
        assert groups["b_coastal"] == ["b_coastal", "c_metro", "d_courier", "e_ledger"]
    else:
        assert groups["a_original"] == GROUP


def test_dedup_benchmark_runs_on_a_few_articles(capsys):
    from eval.bench import main

    assert main(["dedup", "--articles", "20", "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["benchmark"] == "dedup" and figures["articles"] == {"dev": 10, "test": 10}
    assert figures["pool"]["test"] == 10 * 6 and 0 <= figures["test"]["precision"] <= 1
    assert set(figures["chosen"]) == {"shingle_words", "num_perm", "threshold"}
    assert any(line.startswith("| MinHash LSH (pairs) |") for line in lines)
