"""The Speakers tab: who speaks in the collection, and one speaker's statements by date, each quote
highlighted in its paragraph, with a CSV export. Everything comes from the attribution index."""

from __future__ import annotations

import csv
import tempfile
from html import escape
from typing import Any

import gradio as gr

from rag.errors import RagchatError
from rag.speech import cite
from ui import format as fmt


def _index(service):
    return service.answerer("extractive").quote_index()


def overview_html(service) -> str:
    """Every speaker with how many statements, most first."""
    try:
        speakers = _index(service).speakers
    except RagchatError as exc:
        return fmt.error_html(str(exc))
    if not speakers:
        return '<p class="rc-none">No attributed statements in this collection yet.</p>'
    rows = "".join(f"<tr><td>{escape(sp.name)}</td><td>{len(sp.quotes)}</td><td>{len(sp.documents)}</td>"
                   f"<td>{escape(', '.join(sp.aliases[:3]))}</td></tr>" for sp in speakers[:200])
    return ('<table class="rc-speakers"><thead><tr><th>Speaker</th><th>Statements</th><th>Documents</th>'
            f"<th>Also called</th></tr></thead><tbody>{rows}</tbody></table>")


def statements_view(service, name: str) -> tuple[str, Any]:
    """A speaker's statements (newest first) as cards, and a CSV file of them."""
    name = (name or "").strip()
    if not name:
        return '<p class="rc-none">Type a name, a surname or a title.</p>', None
    try:
        index = _index(service)
    except RagchatError as exc:
        return fmt.error_html(str(exc)), None
    speakers = index.find_speaker(name)
    if not speakers:
        return f'<p class="rc-none">No speaker matches “{escape(name)}”.</p>', None
    quotes = index.statements(speakers)
    source = service.text_source()
    head = (f'<div class="rc-asked">{escape(" / ".join(sp.name for sp in speakers))}: {len(quotes)} '
            f"statement(s) in {len({q.doc_id for q in quotes})} document(s), newest first</div>")
    cards = "".join(fmt.citation_card(cite(q, n), 0, source) for n, q in enumerate(quotes, start=1))
    return f'<section class="rc-sources" id="rc-statements-list">{head}{cards}</section>', _csv(quotes)


def _csv(quotes) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".csv", prefix="ragchat-statements-", delete=False,
                                     newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["speaker", "date", "title", "publication", "source", "start", "end", "kind", "quote"])
        for q in quotes:
            writer.writerow([q.speaker, q.date, q.title, q.publication, q.source, q.start, q.end, q.kind, q.text])
    return out.name


def speakers_tab(service) -> None:
    """Build the tab (inside a ``gr.Tabs``) and wire its events."""
    with gr.Tab("Speakers", id="speakers") as tab:
        with gr.Row():
            name = gr.Textbox(label="Speaker", placeholder="A name, a surname or a title", elem_id="rc-speaker",
                              scale=5)
            find = gr.Button("Show statements", elem_id="rc-speaker-find", scale=1)
        statements = gr.HTML("", elem_id="rc-statements")
        export = gr.File(label="Statements as CSV", elem_id="rc-speaker-csv", interactive=False)
        overview = gr.HTML("", elem_id="rc-speaker-overview")
    tab.select(lambda: overview_html(service), None, overview)
    for event in (find.click, name.submit):
        event(lambda who: statements_view(service, who), name, [statements, export])
