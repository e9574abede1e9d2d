"""Answers and their sources as HTML: plain functions, tested without a server.

Everything that comes from a document or a model passes through :func:`escape`, so a document holding
``<script>`` shows the tag as text. Each ``[n]`` of an answer becomes a link to the source card
``#rc-src-<turn>-<n>`` of the same turn; the app's script highlights the card on hover, CSS on click.

>>> link_citations("Asif was blunt [1].", turn=2, citations=[])
'Asif was blunt [1].'
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence

from rag.types import Answer, Citation, Passage

#: A window of a document's text around a range: ``(text, offset of text[0] in the document)``.
Window = tuple[str, int]
#: Given ``(doc_id, start, end)``, a window of the document covering that range, or ``None``.
TextSource = Callable[[str, int, int], "Window | None"]

CITE = re.compile(r"\[(\d{1,3})\]")
CONTEXT_CHARS = 500  # at most this much paragraph shown on each side of a quote


def escape(text: object) -> str:
    """HTML-escape ``text`` for element content and attributes.

    ``$``, ``{`` and ``}`` are escaped too, so no template or math renderer downstream reads them.

    >>> escape('<script>a="$x"</script>')
    '&lt;script&gt;a=&quot;&#36;x&quot;&lt;/script&gt;'
    """
    return (html.escape(str(text), quote=True)
            .replace("$", "&#36;").replace("{", "&#123;").replace("}", "&#125;"))


def _lines(text: str) -> str:
    """Escaped text with line breaks kept, on one physical line (a blank line would end an HTML block
    in the chat's Markdown renderer and let Markdown loose on the rest)."""
    return "<br>".join(escape(line) for line in text.split("\n"))


def card_id(turn: int, n: int) -> str:
    return f"rc-src-{turn}-{n}"


def link_citations(text: str, turn: int, citations: Sequence[Citation]) -> str:
    """Escape ``text`` and turn each ``[n]`` naming a citation into a link to its source card.

    >>> c = Citation(1, "d", "d.txt", "Title", "", "a quote", 0, 7)
    >>> link_citations("It said so [1] <b>", 3, [c])
    'It said so <a class="rc-cite" href="#rc-src-3-1" title="Title: a quote">[1]</a> &lt;b&gt;'
    """
    by_n = {c.n: c for c in citations}
    parts: list[str] = []
    last = 0
    for match in CITE.finditer(text):
        citation = by_n.get(int(match.group(1)))
        if citation is None:
            continue
        parts.append(_lines(text[last:match.start()]))
        hint = f"{citation.title or citation.source}: {_shorten(citation.quote, 200)}"
        parts.append(f'<a class="rc-cite" href="#{card_id(turn, citation.n)}" title="{escape(hint)}">'
                     f"[{citation.n}]</a>")
        last = match.end()
    parts.append(_lines(text[last:]))
    return "".join(parts)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "…"


def format_ms(ms: float) -> str:
    """``850`` -> ``'850 ms'``, ``1700`` -> ``'1.7 s'``."""
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def meta_line(answer: Answer) -> str:
    """Which backend answered and how long it took, e.g. ``extractive · 0.4 s (retrieve 21 ms, …)``."""
    timings = dict(answer.timings_ms)
    total = timings.pop("total", None)
    line = answer.backend or "unknown backend"
    if total is not None:
        line += f" · {format_ms(total)}"
    if timings:
        line += " (" + ", ".join(f"{name} {format_ms(ms)}" for name, ms in timings.items()) + ")"
    return line


def answer_html(answer: Answer, turn: int) -> str:
    """The chat bubble of a finished answer: text with citation links, then the backend/time line."""
    classes = "rc-answer rc-refused" if answer.refused else "rc-answer"
    label = ('<div class="rc-label">Not in the documents</div>' if answer.refused else "")
    sources = ""
    if answer.citations:
        count = len(answer.citations)
        sources = f" · {count} quote{'s' if count != 1 else ''} in Sources"
    understood = ""
    if answer.standalone_question and answer.standalone_question.strip() != answer.question.strip():
        understood = f'<div class="rc-understood">Understood as: {escape(answer.standalone_question)}</div>'
    return (f'<div class="{classes}">{label}'
            f'<div class="rc-text">{link_citations(answer.answer, turn, answer.citations)}</div>{understood}'
            f'<div class="rc-meta">answered by {escape(meta_line(answer))}{sources}</div></div>')


def streaming_html(text: str) -> str:
    """The bubble while an answer streams in (citations get their links when it is complete)."""
    if not text:
        return '<div class="rc-answer rc-pending"><div class="rc-text">Searching the documents…</div></div>'
    return f'<div class="rc-answer rc-pending"><div class="rc-text">{_lines(text)}</div></div>'


def error_html(message: str, title: str = "Could not answer") -> str:
    """A readable error in the chat, e.g. an LLM backend that is down."""
    return (f'<div class="rc-answer rc-error"><div class="rc-label">{escape(title)}</div>'
            f'<div class="rc-text">{_lines(message)}</div></div>')


def question_html(question: str) -> str:
    """The user's question as typed: escaped, Markdown left alone."""
    return f'<div class="rc-question">{_lines(question)}</div>'


# --- sources ----------------------------------------------------------------------------------------


def paragraph_around(text: str, start: int, end: int, limit: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    """``(before, quote, after)``: the quote ``text[start:end]`` inside its paragraph (blank-line bounded),
    at most ``limit`` characters each side, cut at a word with ``…``.

    >>> paragraph_around("One.\\n\\nTwo three. Four.\\n\\nFive.", 6, 16)
    ('', 'Two three.', ' Four.')
    """
    para_start = text.rfind("\n\n", 0, start)
    para_start = 0 if para_start < 0 else para_start + 2
    para_end = text.find("\n\n", end)
    para_end = len(text) if para_end < 0 else para_end
    before = text[min(para_start, start):start]
    after = text[end:max(para_end, end)]
    if len(before) > limit:
        before = before[-limit:]
        before = "…" + (before.split(" ", 1)[1] if " " in before else before)
    if len(after) > limit:
        after = after[:limit]
        after = (after.rsplit(" ", 1)[0] if " " in after else after) + "…"
    return before, text[start:end], after


def location(source: str, start: int, end: int, page: int | None = None) -> str:
    """Where a passage is: ``'report.pdf, page 3, characters 10–80'``."""
    where = f"page {page}, " if page is not None and page >= 0 else ""
    return f"{source}, {where}characters {start}–{end}"


def _doc_line(date: str, publication: str, source: str, start: int, end: int, page: int | None) -> str:
    bits = [b for b in (date, publication) if b]
    bits.append(location(source, start, end, page))
    return f'<div class="rc-docmeta">{" · ".join(escape(b) for b in bits)}</div>'


def quote_in_context(citation: Citation, text_source: TextSource | None) -> str:
    """The quote highlighted (``<mark>``) inside its paragraph; the quote alone when the document's text
    isn't available any more or no longer matches the stored offsets."""
    window = text_source(citation.doc_id, citation.start, citation.end) if text_source else None
    before = after = ""
    if window is not None:
        text, offset = window
        start, end = citation.start - offset, citation.end - offset
        if 0 <= start <= end <= len(text) and text[start:end] == citation.quote:
            before, _, after = paragraph_around(text, start, end)
    return (f'<blockquote class="rc-context">{_lines(before)}<mark class="rc-quote">{_lines(citation.quote)}'
            f"</mark>{_lines(after)}</blockquote>")


def citation_card(citation: Citation, turn: int, text_source: TextSource | None = None) -> str:
    title = citation.title or citation.doc_id
    where = _doc_line(citation.date, citation.publication, citation.source, citation.start, citation.end,
                      citation.page)
    speaker = (f'<div class="rc-speaker">Said by <b>{escape(citation.speaker)}</b></div>'
               if citation.speaker else "")
    return (f'<article class="rc-card" id="{card_id(turn, citation.n)}">'
            f'<header><span class="rc-n">[{citation.n}]</span> <span class="rc-title">{escape(title)}</span>'
            f"</header>{where}{speaker}{also_in_line(citation)}{quote_in_context(citation, text_source)}</article>")


def also_in_line(citation: Citation) -> str:
    """'also in 4 other documents' for a story that near-duplicate documents carry too (their ids on hover).

    >>> also_in_line(Citation(1, "d", "d.txt", "", "", "q", 0, 1, also_in=2, also_in_docs=["e", "f"]))
    '<div class="rc-also" title="e, f">also in 2 other documents</div>'
    """
    if not citation.also_in:
        return ""
    noun = "document" if citation.also_in == 1 else "documents"
    return (f'<div class="rc-also" title="{escape(", ".join(citation.also_in_docs))}">'
            f"also in {citation.also_in} other {noun}</div>")


def uncited_passages(answer: Answer) -> list[Passage]:
    """Retrieved passages that no citation overlaps."""
    def cited(p: Passage) -> bool:
        return any(c.doc_id == p.doc_id and c.start < p.end and p.start < c.end for c in answer.citations)

    return [p for p in answer.retrieved if not cited(p)]


def passage_card(passage: Passage) -> str:
    title = passage.title or passage.doc_id
    where = _doc_line(passage.date, passage.publication, passage.source, passage.start, passage.end,
                      passage.page)
    return (f'<article class="rc-passage"><header><span class="rc-title">{escape(title)}</span>'
            f' <span class="rc-score">score {passage.score:.3f}</span></header>{where}'
            f'<div class="rc-passage-text">{_lines(passage.text)}</div></article>')


def sources_html(answer: Answer, turn: int, text_source: TextSource | None = None) -> str:
    """The sources of one answer: a card per citation, then the uncited passages, collapsed."""
    asked = answer.standalone_question or answer.question
    parts = [(f'<section class="rc-sources" id="rc-sources-{turn}">'
              f'<div class="rc-asked">Sources for “{escape(_shorten(asked, 160))}”</div>')]
    if answer.citations:
        parts.extend(citation_card(c, turn, text_source) for c in answer.citations)
    elif answer.refused:
        parts.append('<p class="rc-none">No quotes: the documents found do not answer this question.</p>')
    else:
        parts.append('<p class="rc-none">This answer cites no quotes.</p>')
    rest = uncited_passages(answer)
    if rest:
        noun = "passage" if len(rest) == 1 else "passages"
        parts.append(f'<details class="rc-uncited"><summary>{len(rest)} more {noun} retrieved but not cited'
                     f"</summary>{''.join(passage_card(p) for p in rest)}</details>")
    parts.append("</section>")
    return "".join(parts)


EMPTY_SOURCES = ('<div class="rc-sources-empty">Ask a question: the quotes behind each answer appear here, '
                 "highlighted in their paragraphs.</div>")


def sources_panel(turns: Iterable[str]) -> str:
    """The whole panel: the latest answer's sources open, earlier ones collapsed beneath."""
    turns = list(turns)
    if not turns:
        return EMPTY_SOURCES
    latest, earlier = turns[-1], turns[:-1]
    if not earlier:
        return latest
    older = "".join(f'<details class="rc-earlier"><summary>Answer {i}</summary>{html}</details>'
                    for i, html in reversed(list(enumerate(earlier, start=1))))
    return latest + older


# --- documents --------------------------------------------------------------------------------------

DOCUMENT_COLUMNS = ["Title", "Date", "Publication", "Chunks", "Source", "ID"]


def document_rows(documents: dict[str, dict]) -> list[list]:
    """Rows for the Documents table, finished documents only, by title."""
    rows = [[m.get("title") or doc_id, m.get("date", ""), m.get("publication", ""), int(m.get("chunks", 0)),
             m.get("source", ""), doc_id]
            for doc_id, m in documents.items() if m.get("state", "done") == "done"]
    return sorted(rows, key=lambda r: (str(r[0]).lower(), r[5]))


def ingest_report_html(lines_ok: Sequence[str], failures: Sequence[str]) -> str:
    """What an upload did: one line per file, failures in their own list with the reason."""
    parts = []
    if lines_ok:
        items = "".join(f"<li>{escape(line)}</li>" for line in lines_ok)
        parts.append(f'<ul class="rc-ok">{items}</ul>')
    if failures:
        parts.append('<div class="rc-label rc-failed">Not added</div><ul class="rc-failed">'
                     + "".join(f"<li>{escape(line)}</li>" for line in failures) + "</ul>")
    return '<div class="rc-ingest">' + "".join(parts) + "</div>" if parts else ""
