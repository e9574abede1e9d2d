"""The Gradio chat window: a thin adapter over :mod:`rag.answer`, :mod:`ui.service` and :mod:`ui.format`.

``create_app(settings)`` builds the page; ``launch(settings, host=..., port=...)`` serves it. Nothing is built
at import. Each browser session keeps its own conversation in a ``gr.State``; models and the store are
shared by all sessions through one :class:`~ui.service.ChatService`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import gradio as gr

from rag.errors import BackendError, ConfigError, RagchatError
from rag.settings import Settings, load_settings
from rag.types import Answer
from ui import format as fmt
from ui.service import ChatService
from ui.speakers import speakers_tab
from ui.theme import CSS, JS

log = logging.getLogger("ragchat.ui")

EXAMPLES = [
    "What did the Defence Minister say?",
    "What did the Taliban accuse Pakistan of?",
    "Is the ceasefire holding?",
]
MAX_QUESTION_CHARS = 4000  # the same limit as rag.answer.MAX_QUESTION_CHARS
ANSWER_TIME_LIMIT = 600  # seconds; a backend that hangs ends in an error, never an endless spinner


def new_conversation() -> dict[str, list]:
    """One session's state: what the model sees, what the chat shows, and each answer's sources."""
    return {"history": [], "display": [], "sources": []}


def auth_from_env(value: str | None = None) -> tuple[str, str] | None:
    """``RAGCHAT_AUTH=user:password`` -> ``("user", "password")``; unset -> no login.

    >>> auth_from_env("ana:s3cret:x")
    ('ana', 's3cret:x')
    """
    value = os.environ.get("RAGCHAT_AUTH", "") if value is None else value
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError(
            "RAGCHAT_AUTH must look like user:password (both non-empty); unset it for no login.")
    return user, password


# --- chat ---------------------------------------------------------------------------------------------


def _copy(conv: dict | None) -> dict[str, list]:
    conv = conv or new_conversation()
    return {key: list(conv.get(key, [])) for key in ("history", "display", "sources")}


def respond(service: ChatService, question: str, conv: dict | None, backend: str | None,
            k: float | None) -> Iterator[tuple[Any, Any, Any, Any]]:
    """Answer one question, streaming: yields ``(chat messages, sources panel, state, question box)``."""
    question = (question or "").strip()
    if not question:  # an empty question is ignored
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return
    conv = _copy(conv)
    if len(question) > MAX_QUESTION_CHARS:
        conv["display"].append({"role": "assistant", "content": fmt.error_html(
            f"Your question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. "
            "Shorten it and ask again.", title="Question too long")})
        yield _snapshot(conv, gr.skip(), gr.skip())
        return
    turn = len(conv["sources"]) + 1
    conv["display"].append({"role": "user", "content": fmt.question_html(question)})
    conv["display"].append({"role": "assistant", "content": fmt.streaming_html("")})
    yield _snapshot(conv, gr.skip(), "")
    text = ""
    try:
        answerer = service.answerer(backend)
        for item in answerer.stream(question, history=conv["history"], k=int(k) if k else None):
            if isinstance(item, Answer):  # the final one, after the streamed pieces
                conv["display"][-1] = {"role": "assistant", "content": fmt.answer_html(item, turn)}
                conv["sources"].append(fmt.sources_html(item, turn, service.text_source()))
                conv["history"] += [{"role": "user", "content": question},
                                    {"role": "assistant", "content": item.answer}]
                yield _snapshot(conv, fmt.sources_panel(conv["sources"]), gr.skip())
            else:
                text += item.text
                conv["display"][-1] = {"role": "assistant", "content": fmt.streaming_html(text)}
                yield _snapshot(conv, gr.skip(), gr.skip())
    except RagchatError as exc:
        message = _sentence(str(exc))
        if isinstance(exc, BackendError) and len(service.backends) > 1:
            message += " Settings offers other backends."
        conv["display"][-1] = {"role": "assistant", "content": fmt.error_html(message)}
        yield _snapshot(conv, gr.skip(), gr.skip())
    except Exception as exc:  # a bug: the log gets the traceback, the reader one line
        log.exception("answering %r failed", question)
        conv["display"][-1] = {"role": "assistant", "content": fmt.error_html(
            f"Something went wrong inside ragchat ({type(exc).__name__}); the server log has the details.")}
        yield _snapshot(conv, gr.skip(), gr.skip())


def _snapshot(conv: dict[str, list], sources: Any, box: Any) -> tuple[Any, Any, Any, Any]:
    """One streamed update; copies, so an update already sent never changes under the caller."""
    conv = _copy(conv)
    return list(conv["display"]), sources, conv, box


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] if message else "Unknown error."


def check_backend(service: ChatService, backend: str) -> None:
    """Tell the reader at once whether the backend just chosen can answer (loads a local model)."""
    from rag.backends import check_backend as check

    try:
        check(service.answerer(backend).chat_model)
    except RagchatError as exc:
        gr.Warning(_sentence(str(exc)))
    else:
        gr.Info(f"{backend} is ready.")


def start_over() -> tuple[list, str, dict, str]:
    return [], fmt.EMPTY_SOURCES, new_conversation(), ""


def example_text(evt: gr.SelectData) -> str:
    value = evt.value
    return value.get("text", "") if isinstance(value, dict) else str(value or "")


# --- documents ----------------------------------------------------------------------------------------


def document_views(service: ChatService) -> tuple[Any, Any]:
    """The Documents table and the removal choices, fresh from the store."""
    try:
        docs = service.documents()
    except RagchatError as exc:  # e.g. no collection yet: say so, and let an upload create it
        gr.Warning(_sentence(str(exc)) + " Or add documents here.")
        docs = {}
    rows = fmt.document_rows(docs)
    choices = [(f"{r[0]} ({r[5]})", r[5]) for r in rows]
    return gr.update(value=rows), gr.update(choices=choices, value=None)


def add_files(service: ChatService, files: list | None, progress: gr.Progress) -> tuple[Any, ...]:
    paths = [f if isinstance(f, str) else getattr(f, "name", str(f)) for f in (files or [])]
    if not paths:
        return (gr.skip(),) * 4

    def step(i: int, n: int, name: str) -> None:
        progress((i, n), desc=f"Ingesting {name}" if i < n else "Done", unit="files")

    try:
        done, failed = service.add_files(paths, step)
    except RagchatError as exc:
        done, failed = [], [str(exc)]
    table, choices = document_views(service)
    return fmt.ingest_report_html(done, failed), table, choices, None


def remove_document(service: ChatService, doc_id: str | None) -> tuple[Any, ...]:
    if not doc_id:
        return fmt.ingest_report_html([], ["Choose a document to remove first."]), gr.skip(), gr.skip()
    try:
        message, problems = [service.remove(doc_id)], []
    except RagchatError as exc:
        message, problems = [], [str(exc)]
    table, choices = document_views(service)
    return fmt.ingest_report_html(message, problems), table, choices


# --- the page -----------------------------------------------------------------------------------------


def create_app(settings: Settings | None = None, *, service: ChatService | None = None) -> gr.Blocks:
    """The chat window as a ``gr.Blocks`` (not launched). ``app.ragchat`` is its :class:`ChatService`."""
    settings = settings or load_settings()
    service = service or ChatService(settings)

    def on_respond(question, conv, backend, k):
        yield from respond(service, question, conv, backend, k)

    def on_upload(files, progress=gr.Progress()):  # noqa: B008 - how Gradio asks for a progress bar
        return add_files(service, files, progress)

    with gr.Blocks(title="ragchat", analytics_enabled=False) as app:
        conv = gr.State(new_conversation())
        gr.Markdown(f"## ragchat\nQuestions answered from the documents of collection "
                    f"**{settings.collection}**, with verified quotes.")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        elem_id="rc-chat", label="Conversation", height=560, latex_delimiters=[],
                        feedback_options=None, buttons=[], autoscroll=True,  # copy would copy HTML
                        examples=[{"text": q} for q in EXAMPLES], group_consecutive_messages=False,
                        placeholder="Ask about the documents; every answer comes with its quotes.",
                    )
                    with gr.Row():
                        question = gr.Textbox(elem_id="rc-question", show_label=False, scale=6, lines=1,
                                              max_lines=6, placeholder="Ask a question and press Enter",
                                              autofocus=True)
                        ask = gr.Button("Ask", elem_id="rc-ask", variant="primary", scale=1, min_width=80)
                    new = gr.Button("New conversation", elem_id="rc-new", size="sm")
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    sources = gr.HTML(fmt.EMPTY_SOURCES, elem_id="rc-sources")
            with gr.Tab("Documents", id="documents") as docs_tab:
                table = gr.Dataframe(headers=fmt.DOCUMENT_COLUMNS, value=[], interactive=False,
                                     elem_id="rc-docs", label="Stored documents", wrap=True,
                                     column_widths=["34%", "11%", "11%", "7%", "25%", "12%"])
                files = gr.File(label="Add documents (.txt, .md, .html, .pdf)", file_count="multiple",
                                elem_id="rc-upload", height=140)  # any type: ingest names what it can't use
                report = gr.HTML("", elem_id="rc-ingest-report")
                with gr.Row():
                    pick = gr.Dropdown(label="Remove a document", choices=[], value=None, elem_id="rc-pick",
                                       scale=4)
                    remove = gr.Button("Remove", elem_id="rc-remove", variant="stop", scale=1)
            speakers_tab(service)
            with gr.Tab("Settings", id="settings"):
                backend = gr.Dropdown(service.backends, value=service.backends[0], label="Answering backend",
                                      elem_id="rc-backend",
                                      info="Each answer names the backend that wrote it.")
                k = gr.Slider(1, 20, value=settings.k, step=1, label="Passages to retrieve", elem_id="rc-k")

        chat_io: dict[str, Any] = {
            "inputs": [question, conv, backend, k], "outputs": [chatbot, sources, conv, question],
            "concurrency_id": "answer", "time_limit": ANSWER_TIME_LIMIT, "show_progress": "minimal"}
        asked = [question.submit(on_respond, **chat_io), ask.click(on_respond, **chat_io),
                 chatbot.example_select(example_text, None, question).then(on_respond, **chat_io)]
        new.click(start_over, None, [chatbot, sources, conv, question], cancels=asked)
        chatbot.clear(start_over, None, [chatbot, sources, conv, question], cancels=asked)

        backend.change(lambda name: check_backend(service, name), backend, None, concurrency_id="answer")

        def refresh():
            return document_views(service)

        app.load(refresh, None, [table, pick])
        docs_tab.select(refresh, None, [table, pick])
        files.upload(on_upload, files, [report, table, pick, files], concurrency_id="ingest")
        remove.click(lambda doc_id: remove_document(service, doc_id), pick, [report, table, pick],
                     concurrency_id="ingest")
    app.ragchat = service  # type: ignore[attr-defined]
    return app


def launch(settings: Settings | None = None, *, host: str = "127.0.0.1", port: int = 7860,
           llm: str | None = None, collection: str | None = None) -> None:
    """Serve the chat window until interrupted; login required when ``RAGCHAT_AUTH`` is set."""
    settings = (settings or load_settings()).with_overrides(llm=llm, collection=collection)
    auth = auth_from_env()
    app = create_app(settings)
    try:
        app.queue().launch(server_name=host, server_port=port, auth=auth, css=CSS, js=JS, run_history=False,
                           max_file_size="50mb", footer_links=["api", "settings"], show_error=False)
    finally:
        app.ragchat.close()  # type: ignore[attr-defined]
