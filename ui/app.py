"""The Gradio chat window: a thin adapter over :mod:`rag.answer`, :mod:`ui.service` and :mod:`ui.format`.

``create_app(settings)`` builds the page; ``launch(settings, host=..., port=...)`` serves it. Nothing is built
at import. Each browser session keeps its own conversation in a ``gr.State``; models and the store are
shared by all sessions through one :class:`~ui.service.ChatService`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import sys
from collections.abc import Iterator
from datetime import date
from typing import Any

import gradio as gr

from rag.errors import BackendError, ConfigError, RagchatError
from rag.settings import Settings, load_settings
from rag.types import Answer
from ui import format as fmt
from ui.auth import Access, AccessDenied
from ui.auth import auth_from_env as auth_from_env  # kept importable from here (RAGCHAT_AUTH, deprecated)
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
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def new_conversation() -> dict[str, list]:
    """One session's state: what the model sees, what the chat shows, and each answer's sources."""
    return {"history": [], "display": [], "sources": []}


def date_range(date_from: str | None, date_to: str | None) -> tuple[str | None, str | None]:
    """The chat window's From / To boxes as ISO dates (empty: open); a :class:`ConfigError` saying which
    box is wrong and how.

    >>> date_range(" 2025-11-01 ", "")
    ('2025-11-01', None)
    """
    dates: list[str | None] = []
    for label, value in (("From", date_from), ("To", date_to)):
        value = (value or "").strip()
        if not value:
            dates.append(None)
            continue
        try:
            if not _ISO_DATE.fullmatch(value):
                raise ValueError
            dates.append(date.fromisoformat(value).isoformat())
        except ValueError:
            raise ConfigError(f"{label} date {value!r} is not a date like 2025-11-27 (YYYY-MM-DD); correct it "
                              "or leave it empty for no limit.") from None
    if dates[0] and dates[1] and dates[0] > dates[1]:
        raise ConfigError(f"the From date {dates[0]} is after the To date {dates[1]}; swap them.")
    return dates[0], dates[1]


# --- chat ---------------------------------------------------------------------------------------------


def _copy(conv: dict | None) -> dict[str, list]:
    conv = conv or new_conversation()
    return {key: list(conv.get(key, [])) for key in ("history", "display", "sources")}


def respond(service: ChatService, question: str, conv: dict | None, backend: str | None,
            k: float | None, date_from: str | None = None,
            date_to: str | None = None) -> Iterator[tuple[Any, Any, Any, Any]]:
    """Answer one question, streaming: yields ``(chat messages, sources panel, state, question box)``.
    ``date_from``/``date_to`` (YYYY-MM-DD, inclusive, empty: open) limit the documents searched."""
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
    try:
        since, until = date_range(date_from, date_to)
    except ConfigError as exc:  # the question stays in its box, to ask again once the date is right
        conv["display"].append({"role": "assistant", "content": fmt.error_html(_sentence(str(exc)),
                                                                                title="Date not understood")})
        yield _snapshot(conv, gr.skip(), gr.skip())
        return
    period = {key: value for key, value in (("date_from", since), ("date_to", until)) if value}
    turn = len(conv["sources"]) + 1
    conv["display"].append({"role": "user", "content": fmt.question_html(question)})
    conv["display"].append({"role": "assistant", "content": fmt.streaming_html("")})
    yield _snapshot(conv, gr.skip(), "")
    text = ""
    try:
        answerer = service.answerer(backend)
        for item in answerer.stream(question, history=conv["history"], k=int(k) if k else None, **period):
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


def add_files(service: ChatService, files: list | None, progress: gr.Progress | None = None,
              user: str | None = None) -> tuple[Any, ...]:
    """Upload as ``user`` (the request's signed-in name): ``(report, table, removal choices, upload box)``."""
    paths = [f if isinstance(f, str) else getattr(f, "name", str(f)) for f in (files or [])]
    if not paths:
        return (gr.skip(),) * 4

    def step(i: int, n: int, name: str) -> None:
        if progress is not None:
            progress((i, n), desc=f"Ingesting {name}" if i < n else "Done", unit="files")

    try:
        done, failed = service.add_files(paths, step, user=user)
    except RagchatError as exc:
        done, failed = [], [str(exc)]
    table, choices = document_views(service)
    return fmt.ingest_report_html(done, failed), table, choices, None


def remove_document(service: ChatService, doc_id: str | None, user: str | None = None) -> tuple[Any, ...]:
    try:
        if not doc_id:
            service.access.require_editor(user)  # a reader learns why, not what to choose
            return fmt.ingest_report_html([], ["Choose a document to remove first."]), gr.skip(), gr.skip()
        message, problems = [service.remove(doc_id, user=user)], []
    except AccessDenied as exc:  # nothing changed: nothing to refresh
        return fmt.ingest_report_html([], [str(exc)]), gr.skip(), gr.skip()
    except RagchatError as exc:
        message, problems = [], [str(exc)]
    table, choices = document_views(service)
    return fmt.ingest_report_html(message, problems), table, choices


def access_views(access: Access, username: str | None) -> tuple[Any, Any, Any, Any]:
    """What this user may see: ``(upload box, removal row, note for readers, "signed in as" line)``.
    Hiding is only a courtesy; :class:`~ui.service.ChatService` refuses a reader's change itself."""
    if not access.login_required:
        return gr.update(visible=True), gr.update(visible=True), gr.update(visible=False), ""
    try:
        user = access.user(username)
    except AccessDenied as exc:
        return (gr.update(visible=False), gr.update(visible=False),
                gr.update(value=fmt.error_html(_sentence(str(exc))), visible=True), "")
    signed = (f'<div class="rc-whoami">Signed in as <b>{fmt.escape(user.name)}</b> ({user.role}) · '
              '<a href="logout">Sign out</a></div>')
    if user.is_editor:
        return gr.update(visible=True), gr.update(visible=True), gr.update(visible=False), signed
    note = (f'<p class="rc-readonly">You are signed in as <b>{fmt.escape(user.name)}</b> (reader): you can ask '
            "questions and read the documents; only editors can add, replace or remove them.</p>")
    return gr.update(visible=False), gr.update(visible=False), gr.update(value=note, visible=True), signed


# --- the page -----------------------------------------------------------------------------------------


def create_app(settings: Settings | None = None, *, service: ChatService | None = None) -> gr.Blocks:
    """The chat window as a ``gr.Blocks`` (not launched). ``app.ragchat`` is its :class:`ChatService`."""
    settings = settings or load_settings()
    service = service or ChatService(settings)

    def on_respond(question, conv, backend, k, date_from=None, date_to=None):  # None: API callers may omit them
        yield from respond(service, question, conv, backend, k, date_from, date_to)

    def on_upload(files, request: gr.Request, progress=gr.Progress()):  # noqa: B008 - Gradio's progress bar
        return add_files(service, files, progress, user=request.username)

    def on_remove(doc_id, request: gr.Request):
        return remove_document(service, doc_id, user=request.username)

    def on_access(request: gr.Request):
        return access_views(service.access, request.username)

    editors_only = not service.access.login_required  # shown at load to editors when there is a login

    with gr.Blocks(title="ragchat", analytics_enabled=False) as app:
        conv = gr.State(new_conversation())
        gr.Markdown(f"## ragchat\nQuestions answered from the documents of collection "
                    f"**{settings.collection}**, with verified quotes.")
        whoami = gr.HTML("", elem_id="rc-whoami")
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
                    with gr.Row():  # only documents dated in this range, both ends included
                        date_from = gr.Textbox(label="From", placeholder="YYYY-MM-DD (empty: any)", elem_id="rc-from",
                                               max_lines=1, min_width=120)
                        date_to = gr.Textbox(label="To", placeholder="YYYY-MM-DD (empty: any)", elem_id="rc-to",
                                             max_lines=1, min_width=120)
                    new = gr.Button("New conversation", elem_id="rc-new", size="sm")
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    sources = gr.HTML(fmt.EMPTY_SOURCES, elem_id="rc-sources")
            with gr.Tab("Documents", id="documents") as docs_tab:
                table = gr.Dataframe(headers=fmt.DOCUMENT_COLUMNS, value=[], interactive=False,
                                     elem_id="rc-docs", label="Stored documents", wrap=True,
                                     column_widths=["34%", "11%", "11%", "7%", "25%", "12%"])
                readonly = gr.HTML("", elem_id="rc-readonly", visible=False)
                files = gr.File(label="Add documents (.txt, .md, .html, .pdf)", file_count="multiple",
                                elem_id="rc-upload", height=140,  # any type: ingest names what it can't use
                                visible=editors_only)
                report = gr.HTML("", elem_id="rc-ingest-report")
                with gr.Row(visible=editors_only) as remove_row:
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
            "inputs": [question, conv, backend, k, date_from, date_to], "outputs": [chatbot, sources, conv, question],
            "concurrency_id": "answer", "time_limit": ANSWER_TIME_LIMIT, "show_progress": "minimal"}
        asked = [question.submit(on_respond, **chat_io), ask.click(on_respond, **chat_io),
                 date_from.submit(on_respond, **chat_io), date_to.submit(on_respond, **chat_io),
                 chatbot.example_select(example_text, None, question).then(on_respond, **chat_io)]
        new.click(start_over, None, [chatbot, sources, conv, question], cancels=asked)
        chatbot.clear(start_over, None, [chatbot, sources, conv, question], cancels=asked)

        backend.change(lambda name: check_backend(service, name), backend, None, concurrency_id="answer")

        def refresh():
            return document_views(service)

        app.load(refresh, None, [table, pick])
        app.load(on_access, None, [files, remove_row, readonly, whoami])
        docs_tab.select(refresh, None, [table, pick])
        files.upload(on_upload, files, [report, table, pick, files], concurrency_id="ingest", api_name="add_files")
        remove.click(on_remove, pick, [report, table, pick], concurrency_id="ingest", api_name="remove_document")
    app.ragchat = service  # type: ignore[attr-defined]
    return app


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def login_check(access: Access):
    """Gradio's ``auth=``: the bcrypt check runs in a thread, so a login never stalls the server."""

    async def check(username: str, password: str) -> bool:
        return await asyncio.to_thread(access.login, username, password)

    return check


def launch(settings: Settings | None = None, *, host: str = "127.0.0.1", port: int = 7860,
           llm: str | None = None, collection: str | None = None) -> None:
    """Serve the chat window until interrupted. Login is required when there is a users file (or the
    deprecated ``RAGCHAT_AUTH``); without either everyone is an editor, which is safe on loopback only."""
    settings = (settings or load_settings()).with_overrides(llm=llm, collection=collection)
    service = ChatService(settings)
    access = service.access
    if not access.login_required and not is_loopback(host):
        print(f"ragchat: warning: the chat window listens on {host} with no login: anyone who can reach it can "
              "upload and remove documents. Add users with `ragchat users add NAME --role editor` "
              "(and readers with --role reader), then start it again.", file=sys.stderr, flush=True)
    app = create_app(settings, service=service)
    auth = login_check(access) if access.login_required else None
    try:
        app.queue().launch(server_name=host, server_port=port, auth=auth, css=CSS, js=JS, run_history=False,
                           max_file_size="50mb", footer_links=["api", "settings"], show_error=False,
                           auth_message="Sign in with the name and password you were given for ragchat.")
    finally:
        app.ragchat.close()  # type: ignore[attr-defined]
