"""RSS and Atom feeds: one document per item, and a pipeline that keeps items in step with the feed.

The pipeline tests ingest into a real Chroma store (embedded, temp dir) with the deterministic fake embedder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.loaders import load, load_documents
from ingest.pipeline import ingest, item_doc_id
from rag.errors import IngestError
from test_ingest import consistency

FEEDS = Path(__file__).parent / "data" / "feeds"


def test_rss_items_become_documents():
    docs = load_documents(FEEDS / "courier.rss")
    assert [d.item for d in docs] == ["courier-1001", "https://courier.example/news/lifeboat-gull-point",
                                      "https://courier.example/news/market-hall-roof"]  # guid, else link
    depot, lifeboat, roof = docs
    assert depot.title == "Council approves new bus depot after two-year dispute"
    assert depot.date == "2022-11-03"  # as written (23:45 -0500); feedparser's UTC reading says 2022-11-04
    assert depot.authors == ["Tomás Ortega"]  # from "newsdesk@courier.example (Tomás Ortega)"
    assert depot.section == "Transport, Planning" and depot.publication == "Harbourside Courier"
    assert depot.url == "https://courier.example/news/bus-depot-approved" and depot.format == "feed"
    assert depot.text == ("Harbourside council has approved plans for a new bus depot on the former gasworks site."
                          "\n\nCouncillors voted nine to four in favour on Thursday evening & residents will be "
                          "consulted on the noise wall.")  # HTML made text, the script gone
    assert lifeboat.authors == ["Grace Mensah"]  # dc:creator
    assert lifeboat.text.startswith("Three kayakers were rescued off Gull Point")  # content:encoded, not the summary
    assert "All three were treated for mild hypothermia." in lifeboat.text
    assert roof.text == roof.title == "Market hall roof to be replaced before Christmas fair"  # headline only
    assert roof.date == "" and len({d.content_hash for d in docs}) == 3


def test_atom_entries_become_documents():
    frost, drought = load_documents(FEEDS / "valley.atom")
    assert (frost.date, frost.modified) == ("2021-06-08", "2021-06-09")  # 00:30 +01:00 is still the 8th
    assert frost.authors == ["Helen Achterberg", "Owen Pryce"] and frost.section == "Farming"
    assert frost.text.startswith("A single night of frost in the middle of May")  # content, not summary
    assert frost.item == "tag:valleypost.example,2021:orchard-frost"
    assert drought.date == "2021-06-10"  # no <published>: <updated>
    assert drought.text == ("Upland farms have been told to expect water restrictions.\n\n"
                            "Reservoirs are at their lowest level for June since records began.")


def test_xml_is_read_when_it_is_a_feed(tmp_path):
    path = tmp_path / "courier-feed.xml"
    shutil.copy(FEEDS / "courier.rss", path)
    assert len(load_documents(path)) == 3


def test_load_gives_the_one_document_and_refuses_a_feed_of_several(tmp_path):
    path = tmp_path / "one.rss"
    path.write_text(rss([("only", "The only item", "Mon, 06 Jan 2025 10:00:00 +0000", "Its text.")]),
                    encoding="utf-8")
    assert load(path).title == "The only item"
    with pytest.raises(IngestError, match="a feed of 3 items, not one document"):
        load(FEEDS / "courier.rss")


def test_same_feed_same_documents():
    first, second = load_documents(FEEDS / "valley.atom"), load_documents(FEEDS / "valley.atom")
    assert [(d.text, d.content_hash) for d in first] == [(d.text, d.content_hash) for d in second]


@pytest.mark.parametrize("name, content, reason", [
    ("sitemap.xml", b'<?xml version="1.0"?><urlset><url><loc>https://x.example/</loc></url></urlset>',
     "an .xml file that is not an RSS or Atom feed"),
    ("page.rss", b"<html><body><p>Subscribe to our feed!</p></body></html>", "not an RSS or Atom feed"),
    ("garbage.atom", b"\x00\x01 not xml at all", "not an RSS or Atom feed"),
    ("empty.rss", b'<rss version="2.0"><channel><title>Quiet Town News</title></channel></rss>',
     "the feed 'Quiet Town News' has no items"),
    ("blank-items.rss", b'<rss version="2.0"><channel><title>T</title><item><link>https://x.example/1</link>'
                        b"</item></channel></rss>", "none of the feed's 1 items has a title or any text"),
])
def test_bad_feeds_get_one_clear_error(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as err:
        load_documents(path)
    message = str(err.value)
    assert message.startswith(str(path)) and reason in message and "\n" not in message


# --- the pipeline ------------------------------------------------------------------------------------


def rss(items: list[tuple[str, str, str, str]]) -> str:
    """An RSS 2.0 feed of ``(guid, title, pubDate, html)`` items."""
    entries = "".join(f"<item><guid>{guid}</guid><title>{title}</title><pubDate>{date}</pubDate>"
                      f"<link>https://news.example/{guid}</link><description><![CDATA[{body}]]></description></item>"
                      for guid, title, date, body in items)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Town Crier</title>{entries}' \
           f"</channel></rss>"


FLOOD = ("flood", "River bursts its banks", "Mon, 06 Jan 2025 07:00:00 +0000",
         "<p>The river burst its banks on Monday morning.</p><p>Forty homes were evacuated in the night.</p>")
BRIDGE = ("bridge", "Old bridge reopens", "Tue, 07 Jan 2025 18:30:00 +0100",
          "<p>The old stone bridge reopened to traffic on Tuesday after two years of repairs.</p>")
SCHOOL = ("school", "School wins science prize", "Wed, 08 Jan 2025 12:00:00 +0000",
          "<p>Pupils from the village school won the national science prize for their river survey.</p>")


def stored_items(store) -> dict[str, dict]:
    return {m["item"]: m for m in store.documents().values() if m.get("item")}


def test_a_feed_is_ingested_item_by_item(tmp_path, store, fake_embedder, counter):
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "crier.rss").write_text(rss([FLOOD, BRIDGE]), encoding="utf-8")
    report = ingest([folder], store, fake_embedder, counter, progress=False)
    assert sorted(report.added) == sorted([item_doc_id("crier", "flood"), item_doc_id("crier", "bridge")])
    consistency(store)
    items = stored_items(store)
    assert items["flood"]["title"] == "River bursts its banks" and items["flood"]["date"] == "2025-01-06"
    assert items["bridge"]["date"] == "2025-01-07" and items["bridge"]["url"] == "https://news.example/bridge"
    assert items["flood"]["publication"] == "Town Crier" and items["flood"]["format"] == "feed"
    assert items["flood"]["path"] == str((folder / "crier.rss").absolute())
    docs = {d.item: d for d in load_documents(folder / "crier.rss")}
    for key, meta in items.items():
        chunks = store.document_chunks(meta["doc_id"])
        assert chunks and all(c.metadata["date"] == meta["date"] for c in chunks)
        for chunk in chunks:  # offsets index the item's own text
            assert docs[key].text[chunk.metadata["start"]:chunk.metadata["end"]] == chunk.text
    assert store.keyword.search("evacuated", 5)[0][0].startswith(item_doc_id("crier", "flood") + ":")

    again = ingest([folder], store, fake_embedder, counter, progress=False)
    assert again.chunks_embedded == 0 and len(again.unchanged) == 2


def test_reingest_follows_the_feed_item_by_item(tmp_path, store, fake_embedder, counter):
    feed = tmp_path / "crier.rss"
    feed.write_text(rss([FLOOD, BRIDGE]), encoding="utf-8")
    ingest([feed], store, fake_embedder, counter, progress=False)
    flood_id, bridge_id, school_id = (item_doc_id("crier", k) for k in ("flood", "bridge", "school"))
    bridge_chunk_ids = [c.id for c in store.document_chunks(bridge_id)]

    feed.write_text(rss([SCHOOL, BRIDGE, FLOOD]), encoding="utf-8")  # a new item on top
    added = ingest([feed], store, fake_embedder, counter, progress=False)
    assert added.added == [school_id] and sorted(added.unchanged) == sorted([flood_id, bridge_id])
    assert added.chunks_embedded == 1 and added.removed == [] and added.updated == []
    consistency(store)

    changed_flood = (*FLOOD[:3], "<p>The river burst its banks on Monday morning. Sixty homes were evacuated.</p>")
    feed.write_text(rss([SCHOOL, changed_flood]), encoding="utf-8")  # one item changed, one fell off the feed
    changed = ingest([feed], store, fake_embedder, counter, progress=False)
    assert changed.updated == [flood_id] and changed.removed == [bridge_id] and changed.unchanged == [school_id]
    assert set(stored_items(store)) == {"school", "flood"}
    assert [c.text for c in store.document_chunks(flood_id)] == [changed_flood[3][3:-4]]
    assert store.document_chunks(bridge_id) == [] and store.keyword.search("bridge", 5) == []
    assert bridge_chunk_ids and store.get_chunks(bridge_chunk_ids) == []
    consistency(store)

    settled = ingest([feed], store, fake_embedder, counter, progress=False)
    assert settled.chunks_embedded == 0 and settled.removed == [] and sorted(settled.unchanged) == sorted(
        [school_id, flood_id])


def test_a_feed_that_turns_bad_keeps_its_items(tmp_path, store, fake_embedder, counter):
    feed = tmp_path / "crier.rss"
    feed.write_text(rss([FLOOD, BRIDGE]), encoding="utf-8")
    ingest([feed], store, fake_embedder, counter, progress=False)
    feed.write_text('<rss version="2.0"><channel><title>Town Crier</title></channel></rss>', encoding="utf-8")
    report = ingest([feed], store, fake_embedder, counter, progress=False)
    assert len(report.failed) == 1 and "has no items" in report.failed[0] and report.removed == []
    assert set(stored_items(store)) == {"flood", "bridge"}


def test_an_item_lost_to_a_crash_comes_back(tmp_path, store, fake_embedder, counter):
    feed = tmp_path / "crier.rss"
    feed.write_text(rss([FLOOD, BRIDGE]), encoding="utf-8")
    ingest([feed], store, fake_embedder, counter, progress=False)
    store.delete_document(item_doc_id("crier", "bridge"))  # what repair() does to a half-written item
    report = ingest([feed], store, fake_embedder, counter, progress=False)
    assert report.added == [item_doc_id("crier", "bridge")] and report.chunks_embedded == 1
    consistency(store)


def test_prune_removes_the_items_of_a_deleted_feed(tmp_path, store, fake_embedder, counter):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.txt").write_text("A note that stays.", encoding="utf-8")
    (folder / "crier.rss").write_text(rss([FLOOD, BRIDGE]), encoding="utf-8")
    ingest([folder], store, fake_embedder, counter, progress=False)
    (folder / "crier.rss").unlink()
    pruned = ingest([folder], store, fake_embedder, counter, prune=True, progress=False)
    assert len(pruned.removed) == 2 and set(store.documents()) == {"note"}
    consistency(store)


def test_bad_news_files_are_reported_and_the_rest_goes_in(tmp_path, store, fake_embedder, counter):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(FEEDS / "valley.atom", folder)
    shutil.copy(Path(__file__).parent / "data" / "pages" / "time-only.html", folder)
    (folder / "sitemap.xml").write_text("<urlset><url><loc>https://x.example/</loc></url></urlset>", encoding="utf-8")
    (folder / "empty.rss").write_text('<rss version="2.0"><channel><title>Nothing</title></channel></rss>',
                                      encoding="utf-8")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 cut short")
    report = ingest([folder], store, fake_embedder, counter, progress=False)
    assert len(report.failed) == 3, report.failed
    for name, reason in (("sitemap.xml", "not an RSS or Atom feed"), ("empty.rss", "has no items"),
                         ("broken.docx", "a damaged .docx")):
        assert any(line.startswith(str(folder / name)) and reason in line for line in report.failed), name
    assert len(report.added) == 3  # two feed items and the page
    page = store.documents()["time-only"]
    assert (page["date"], page["authors"], page["format"]) == ("2022-11-03", "Tomás Ortega", "html")
    consistency(store)
