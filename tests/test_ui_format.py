"""The chat window's formatting and handlers, without a server or a browser."""

from __future__ import annotations

import re

import pytest

from conftest import SEED
from rag.errors import BackendError, ConfigError, RagchatError
from rag.types import Answer, AnswerDelta, Citation, Passage
from ui import format as fmt

SEED_TEXT = SEED.read_text(encoding="utf-8")
QUOTE = ("He said Pakistan had “no good hope from them” while noting that it would be “idiocy” to trust "
         "Kabul’s current rulers.")
QUOTE_START = SEED_TEXT.index(QUOTE)


def citation(n=1, quote=QUOTE, start=QUOTE_START, title="Pakistan and the Taliban", **kw) -> Citation:
    values = {"doc_id": "000_10acc92e9fefab75", "source": str(SEED), "title": title, "date": "2025-11-27",
              "quote": quote, "start": start, "end": start + len(quote), "publication": "Dawn"}
    values.update(kw)
    return Citation(n=n, **values)


def passage(start, end, text="passage text", doc_id="000_10acc92e9fefab75", **kw) -> Passage:
    values = {"chunk_id": f"{doc_id}:x:{start}", "doc_id": doc_id, "source": "seeds/x.txt", "title": "T",
              "date": "", "publication": "", "start": start, "end": end, "text": text, "score": 0.5}
    values.update(kw)
    return Passage(**values)


def answer(text="Khawaja Asif said Pakistan had “no good hope from them” [1].", citations=None,
           **kw) -> Answer:
    values = {"question": "What did the Defence Minister say?",
              "standalone_question": "What did the Defence Minister say?", "answer": text, "refused": False,
              "citations": [citation()] if citations is None else citations, "backend": "extractive",
              "timings_ms": {"retrieve": 21.0, "total": 1700.0}}
    values.update(kw)
    return Answer(**values)


def seed_window(doc_id, start, end):
    return SEED_TEXT, 0


# --- escaping ------------------------------------------------------------------------------------------


def test_script_in_model_output_is_text():
    evil = "<script>window.__pwned=1</script> <img src=x onerror=alert(1)> [1]"
    html = fmt.answer_html(answer(text=evil), 1)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_script_in_document_is_text_everywhere():
    evil = "<script>window.__pwned=1</script>"
    doc = f"Title line\n\nBefore {evil} the quote here. After <b>bold</b>.\n\nNext."
    quote = "the quote here."
    c = citation(quote=quote, start=doc.index(quote), title=f"{evil} title", source=f"{evil}.txt",
                 publication="<i>Paper</i>")
    a = answer(text=f"{evil} [1]", citations=[c],
               retrieved=[passage(500, 600, text=f"uncited {evil}", title=evil)],
               question=evil, standalone_question=evil)
    html = fmt.sources_html(a, 1, lambda *_: (doc, 0)) + fmt.answer_html(a, 1)
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    # in the answer, the context, the title, the source, the passage…
    assert html.count("&lt;script&gt;window.__pwned=1&lt;/script&gt;") >= 5


def test_escape_covers_template_and_math_characters():
    assert fmt.escape("${x} $$y$$") == "&#36;&#123;x&#125; &#36;&#36;y&#36;&#36;"


def test_answer_html_has_no_blank_line():
    """A blank line would end the HTML block in the chat's Markdown and let Markdown loose."""
    html = fmt.answer_html(answer(text="One [1].\n\nTwo *not italic*."), 1)
    assert "\n" not in html
    assert "One <a" in html and "<br><br>Two *not italic*." in html


# --- citations and cards -------------------------------------------------------------------------------


def test_citation_links_point_at_cards_of_the_same_turn():
    c1, c2 = citation(1), citation(2, quote="Defence Minister Khawaja Asif",
                                   start=SEED_TEXT.index("Defence Minister Khawaja Asif"))
    a = answer(text="First [1]. Second [2]. Unknown [7].", citations=[c1, c2])
    bubble, panel = fmt.answer_html(a, 3), fmt.sources_html(a, 3, seed_window)
    links = re.findall(r'href="#([^"]+)"', bubble)
    assert links == ["rc-src-3-1", "rc-src-3-2"]
    for target in links:
        assert f'id="{target}"' in panel
    assert "Unknown [7]." in bubble  # a number no citation names stays plain text


def test_quote_is_highlighted_inside_its_paragraph():
    html = fmt.quote_in_context(citation(), seed_window)
    mark = re.search(r'<mark class="rc-quote">(.*?)</mark>', html).group(1)
    assert mark == fmt.escape(QUOTE)
    paragraph = SEED_TEXT[SEED_TEXT.rfind("\n\n", 0, QUOTE_START) + 2:SEED_TEXT.find("\n\n", QUOTE_START)]
    text = re.sub(r"<[^>]+>", "", html)
    assert text == fmt.escape(paragraph)  # the whole paragraph, nothing from the next one


def test_paragraph_around_offsets_and_cuts():
    text = "Intro.\n\nalpha beta gamma QUOTE delta epsilon\n\nNext paragraph."
    start = text.index("QUOTE")
    assert fmt.paragraph_around(text, start, start + 5) == ("alpha beta gamma ", "QUOTE", " delta epsilon")
    before, quote, after = fmt.paragraph_around(text, start, start + 5, limit=8)
    assert quote == "QUOTE" and before.startswith("…") and after.endswith("…")
    assert len(before) <= 9 and len(after) <= 9


def test_quote_alone_when_document_changed_or_missing():
    for source in (None, lambda *_: None, lambda *_: ("completely different text " * 20, 0)):
        html = fmt.quote_in_context(citation(), source)
        assert re.sub(r"<[^>]+>", "", html) == fmt.escape(QUOTE)


def test_window_offset_is_respected():
    window = SEED_TEXT[400:1500]
    html = fmt.quote_in_context(citation(), lambda *_: (window, 400))
    assert fmt.escape(QUOTE) in html and "Defence Minister Khawaja Asif" in html


def test_card_shows_title_date_publication_location():
    card = fmt.citation_card(citation(page=3), 1, seed_window)
    assert "Pakistan and the Taliban" in card and "2025-11-27" in card and "Dawn" in card
    assert f"page 3, characters {QUOTE_START}–{QUOTE_START + len(QUOTE)}" in card
    assert "page" not in fmt.location("a.txt", 1, 2)


def test_uncited_passages_are_collapsed():
    c = citation()
    overlapping = passage(QUOTE_START - 10, QUOTE_START + 5)
    other = passage(0, 100, text="not cited at all")
    elsewhere = passage(QUOTE_START, QUOTE_START + 50, doc_id="another")
    a = answer(citations=[c], retrieved=[overlapping, other, elsewhere])
    assert fmt.uncited_passages(a) == [other, elsewhere]
    panel = fmt.sources_html(a, 1, seed_window)
    assert '<details class="rc-uncited"><summary>2 more passages retrieved but not cited</summary>' in panel
    assert "not cited at all" in panel


def test_refusal_looks_like_one():
    a = answer(text="The documents don't say. Nothing in them answers “Who won?”", citations=[], refused=True,
               backend="refusal (from evidence, no LLM call)", retrieved=[passage(0, 10)])
    bubble = fmt.answer_html(a, 1)
    assert 'class="rc-answer rc-refused"' in bubble and "Not in the documents" in bubble
    assert "rc-cite" not in bubble and "refusal (from evidence, no LLM call)" in bubble
    panel = fmt.sources_html(a, 1)
    assert "No quotes" in panel and "1 more passage retrieved but not cited" in panel


def test_meta_line_names_backend_and_time():
    assert fmt.meta_line(answer()) == "extractive · 1.7 s (retrieve 21 ms)"
    assert fmt.meta_line(answer(backend="", timings_ms={})) == "unknown backend"


def test_understood_as_shown_for_rewritten_follow_up():
    a = answer(question="What did he say?", standalone_question="What did Khawaja Asif say?")
    assert "Understood as: What did Khawaja Asif say?" in fmt.answer_html(a, 2)
    assert "Understood as" not in fmt.answer_html(answer(), 1)


def test_sources_panel_keeps_earlier_answers_collapsed():
    assert fmt.sources_panel([]) == fmt.EMPTY_SOURCES
    panel = fmt.sources_panel(["<p>one</p>", "<p>two</p>", "<p>three</p>"])
    assert panel.startswith("<p>three</p>")
    assert panel.index("Answer 2") < panel.index("Answer 1")


def test_document_rows_and_ingest_report():
    docs = {"b": {"title": "Beta", "date": "2025-01-02", "publication": "", "chunks": 3, "source": "b.txt",
                  "state": "done"},
            "a": {"title": "", "chunks": 1, "source": "a.txt", "state": "done"},
            "w": {"title": "Half written", "state": "writing"}}
    assert fmt.document_rows(docs) == [["a", "", "", 1, "a.txt", "a"],
                                       ["Beta", "2025-01-02", "", 3, "b.txt", "b"]]
    report = fmt.ingest_report_html(["x.txt: added (2 chunks)"], ["<b>y.bin</b>: unsupported file type"])
    assert "x.txt: added" in report and "&lt;b&gt;y.bin&lt;/b&gt;" in report and "Not added" in report
    assert fmt.ingest_report_html([], []) == ""


def test_window_from_chunks_stitches_overlaps():
    from ui.service import window_from_chunks

    chunks = [(10, 20, SEED_TEXT[10:20]), (0, 12, SEED_TEXT[0:12]), (18, 40, SEED_TEXT[18:40]),
              (50, 60, SEED_TEXT[50:60])]
    assert window_from_chunks(chunks, 5, 30) == (SEED_TEXT[0:40], 0)
    assert window_from_chunks(chunks, 52, 55) == (SEED_TEXT[50:60], 50)
    assert window_from_chunks(chunks, 35, 55) is None


# --- handlers (no server) ------------------------------------------------------------------------------


class FakeAnswerer:
    def __init__(self, items=None, error=None):
        self.items, self.error, self.calls = items or [], error, []

    def stream(self, question, history=None, k=None):
        self.calls.append((question, [dict(m) for m in history or []], k))
        yield from self.items
        if self.error:
            raise self.error


class FakeService:
    backends = ("extractive",)

    def __init__(self, answerer):
        self._answerer = answerer

    def answerer(self, backend=None):
        return self._answerer

    def text_source(self):
        return seed_window


def run(service, question, conv=None, k=4):
    from ui.app import respond

    return list(respond(service, question, conv, "extractive", k))


def test_respond_streams_then_shows_answer_and_sources():
    final = answer()
    fake = FakeAnswerer([AnswerDelta("Khawaja Asif said"), AnswerDelta(" more [1]."), final])
    steps = run(FakeService(fake), "  What did the Defence Minister say?  ")
    chat, _, conv, box = steps[0]
    assert box == "" and "Searching the documents" in chat[-1]["content"]
    assert "Khawaja Asif said more [1]." in steps[2][0][-1]["content"]  # streamed text, no links yet
    chat, panel, conv, _ = steps[-1]
    assert 'href="#rc-src-1-1"' in chat[-1]["content"] and 'id="rc-src-1-1"' in panel
    assert conv["history"] == [{"role": "user", "content": "What did the Defence Minister say?"},
                               {"role": "assistant", "content": final.answer}]
    assert fake.calls == [("What did the Defence Minister say?", [], 4)]


def test_follow_up_gets_history_and_a_new_turn():
    fake = FakeAnswerer([answer()])
    service = FakeService(fake)
    conv = run(service, "What did the Defence Minister say?")[-1][2]
    chat, panel, conv2, _ = run(service, "What did he say?", conv)[-1]
    assert fake.calls[1][1] == conv["history"]
    assert 'href="#rc-src-2-1"' in chat[-1]["content"] and "Answer 1" in panel
    assert len(conv["history"]) == 2 and len(conv2["history"]) == 4  # the first state was not mutated


def test_backend_down_is_a_readable_error_not_a_traceback():
    fake = FakeAnswerer([AnswerDelta("partial")], error=BackendError(
        "the ollama:x backend failed while answering: connection refused"))
    chat, _, conv, _ = run(FakeService(fake), "What did the Defence Minister say?")[-1]
    assert "rc-error" in chat[-1]["content"] and "The ollama:x backend failed" in chat[-1]["content"]
    assert conv["history"] == [] and conv["sources"] == []


def test_unexpected_exception_is_one_line(caplog):
    fake = FakeAnswerer(error=ZeroDivisionError("boom"))
    chat = run(FakeService(fake), "Why?")[-1][0]
    assert "Something went wrong inside ragchat (ZeroDivisionError)" in chat[-1]["content"]
    assert "Traceback" not in chat[-1]["content"]


def test_empty_question_is_ignored_and_long_one_refused():
    import gradio as gr

    fake = FakeAnswerer([answer()])
    steps = run(FakeService(fake), "   ")
    assert len(steps) == 1 and all(isinstance(v, type(gr.skip())) for v in steps[0])
    chat, _, conv, _ = run(FakeService(fake), "x" * 4001)[-1]
    assert "Question too long" in chat[-1]["content"] and "4,001 characters" in chat[-1]["content"]
    assert fake.calls == [] and conv["history"] == []


def test_auth_from_env(monkeypatch):
    from ui.app import auth_from_env

    assert auth_from_env() is None
    monkeypatch.setenv("RAGCHAT_AUTH", "ana:pa:ss")
    assert auth_from_env() == ("ana", "pa:ss")
    for bad in ("ana", "ana:", ":pw"):
        with pytest.raises(ConfigError):
            auth_from_env(bad)


def test_create_app_builds_without_serving():
    import asyncio

    from rag.settings import load_settings
    from ui.app import create_app

    async def build():  # inside a running loop, or Gradio's queue makes (and leaks) an event loop of its own
        return create_app(load_settings())

    app = asyncio.run(build())
    assert app.ragchat._store is None and app.ragchat._answerers == {}  # nothing built until used
    app.ragchat.close()


# --- the service over a real store (hash embedder) -----------------------------------------------------


@pytest.fixture
def service(fake_embedder):
    from rag.settings import load_settings
    from ui.service import ChatService

    s = ChatService(load_settings())
    yield s
    s.close()


def test_service_uploads_lists_shows_context_and_removes(service, tmp_path):
    good = tmp_path / "in" / "notes.txt"
    good.parent.mkdir()
    good.write_text("Notes\n\nThe harbour channel will be fourteen metres deep.\n", encoding="utf-8")
    bad = tmp_path / "in" / "broken.txt"
    bad.write_bytes(b"caf\xe9")
    steps = []
    done, failed = service.add_files([good, bad], lambda i, n, name: steps.append((i, n, name)))
    assert done == ["notes.txt: added (1 chunk)"]
    assert len(failed) == 1 and failed[0].startswith("broken.txt: not valid UTF-8")
    assert steps == [(0, 2, "notes.txt"), (1, 2, "broken.txt"), (2, 2, "done")]
    assert sorted(p.name for p in service.uploads.iterdir()) == ["notes.txt"]  # failures leave nothing

    docs = service.documents()
    assert list(docs) == ["notes"] and docs["notes"]["title"] == "Notes"
    assert service.add_files([good])[0] == ["notes.txt: already in the collection, unchanged"]

    text = (service.uploads / "notes.txt").read_text(encoding="utf-8")
    quote = "fourteen metres deep."
    start = text.index(quote)
    window = service.text_source()("notes", start, start + len(quote))
    assert window == (text, 0)
    (service.uploads / "notes.txt").unlink()  # gone from disk: the stored chunks still give the context
    chunk_text, offset = service.text_source()("notes", start, start + len(quote))
    assert chunk_text[start - offset:start - offset + len(quote)] == quote

    good.write_text("Notes\n\nThe channel will be twelve metres deep.\n", encoding="utf-8")
    assert service.add_files([good])[0] == ["notes.txt: updated, replacing the earlier version (1 chunk)"]
    assert "Removed Notes" in service.remove("notes")
    assert service.documents() == {} and not (service.uploads / "notes.txt").exists()
    with pytest.raises(RagchatError):
        service.remove("notes")
