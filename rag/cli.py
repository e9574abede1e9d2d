"""The ``ragchat`` command line (see CONTRACTS.md). Errors become one line on stderr and exit code 1."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rag.errors import RagchatError
from rag.settings import Settings, load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ragchat", description="Questions answered from your documents, "
                                     "with verified quotes.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="load, chunk, embed and store documents")
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: seeds/)")
    p.add_argument("--collection")
    p.add_argument("--prune", action="store_true", help="remove stored documents whose files are gone")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=cmd_ingest)

    p = sub.add_parser("ask", help="answer a question from the stored documents")
    p.add_argument("question", nargs="?")
    p.add_argument("--batch", type=Path, help="JSONL file of {id, question, history?}")
    p.add_argument("--collection")
    p.add_argument("--history", type=Path, help="JSON list of earlier chat messages")
    p.add_argument("--llm", help="local | extractive | ollama:MODEL | openai:MODEL")
    p.add_argument("--k", type=int, help="passages to retrieve")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--since", help="only documents dated on or after this day (YYYY-MM-DD)")
    p.add_argument("--until", help="only documents dated on or before this day (YYYY-MM-DD)")
    p.add_argument("--as-of", help="the day 'last week' or 'yesterday' is read against (YYYY-MM-DD; default today)")
    p.set_defaults(run=cmd_ask)

    p = sub.add_parser("ui", help="the chat window in your browser")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--collection")
    p.add_argument("--llm")
    p.set_defaults(run=cmd_ui)

    p = sub.add_parser("users", help="who may sign in to the chat window: readers and editors")
    actions = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    q = actions.add_parser("add", help="add a user (the password is asked for, or read from stdin)")
    q.add_argument("name")
    q.add_argument("--role", choices=("reader", "editor"), help="readers chat; editors also change the "
                   "archive (default: reader, or the user's role with --replace)")
    q.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    q.add_argument("--replace", action="store_true", help="change an existing user's password (and role)")
    q = actions.add_parser("remove", help="remove a user")
    q.add_argument("name")
    q = actions.add_parser("list", help="list the users and their roles")
    q.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_users)

    p = sub.add_parser("audit", help="who changed the archive in the chat window, and when")
    p.add_argument("--limit", type=int, help="only the last N changes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_audit)

    p = sub.add_parser("eval", help="run and score a question set")
    p.add_argument("set", type=Path)
    p.add_argument("--collection")
    p.add_argument("--llm")
    p.add_argument("--baseline", type=Path)
    p.add_argument("--update-baseline", action="store_true")
    p.add_argument("--out", type=Path)
    p.add_argument("--limit", type=int)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=cmd_eval)

    p = sub.add_parser("docs", help="list the stored documents")
    p.add_argument("--collection")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_docs)

    p = sub.add_parser("quotes", help="attributed statements from the attribution index, newest first")
    p.add_argument("--speaker", help="a full name, surname, title or alias")
    p.add_argument("--about", help="only statements about this")
    p.add_argument("--since", help="ISO date, inclusive")
    p.add_argument("--until", help="ISO date, inclusive")
    p.add_argument("--collection")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_quotes)

    p = sub.add_parser("speakers", help="who speaks in the collection: statements and documents")
    p.add_argument("--collection")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_speakers)

    p = sub.add_parser("doctor", help="what runs here: versions, the llama.cpp build, the model, the store")
    p.add_argument("--collection")
    p.add_argument("--llm")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_doctor)

    p = sub.add_parser("model-server", help="serve the local model on an OpenAI-compatible API, standalone")
    p.add_argument("--llm", help="local (default), local:smollm2 or local:PATH.gguf")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8081)
    p.add_argument("--n-threads", type=int, default=2)
    p.set_defaults(run=cmd_model_server)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings().with_overrides(
            collection=getattr(args, "collection", None), llm=getattr(args, "llm", None),
            k=getattr(args, "k", None),
        )
        return args.run(args, settings)
    except RagchatError as exc:
        if args.debug:
            raise
        print(f"ragchat: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ragchat: interrupted", file=sys.stderr)
        return 130


# --- commands ---------------------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.chunking import TokenizerCounter
    from ingest.embedder import make_embedder, minilm_tokenizer
    from ingest.pipeline import ingest
    from ingest.store import Store

    paths = args.paths or [Path("seeds")]
    embedder = make_embedder(settings.embedder)
    store = Store(settings, embedder.name, embedder.dimension)
    try:
        report = ingest(paths, store, embedder, TokenizerCounter(minilm_tokenizer()), prune=args.prune,
                        progress=not args.quiet)
    finally:
        store.close()
    for line in report.failed[:MAX_SKIPPED_SHOWN]:
        print(f"ragchat: skipped {line}", file=sys.stderr)
    if len(report.failed) > MAX_SKIPPED_SHOWN:
        print(f"ragchat: skipped {len(report.failed) - MAX_SKIPPED_SHOWN} more file(s); all are listed in the "
              "report below.", file=sys.stderr)
    written = write_ingest_report(settings, store.name, paths, report)
    print(report.summary())
    if report.failed and written:
        print(f"Files not ingested, with the reason for each: {written}")
    return 1 if report.failed else 0


MAX_SKIPPED_SHOWN = 50  # skipped files named on stderr; the report file lists them all


def write_ingest_report(settings: Settings, collection: str, paths: list[Path], report) -> Path | None:
    """The last run's report as JSON, ``<data dir>/ingest-report.json``: counts, rates, near-duplicates
    found and every failed file with its reason. ``None`` when it can't be written (a read-only data
    directory must not turn a finished ingest into an error)."""
    import datetime

    path = Path(settings.data_dir) / "ingest-report.json"
    data = {"collection": collection, "paths": [str(p) for p in paths],
            "finished": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), **report.to_dict()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError:
        return None
    return path


def cmd_docs(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.embedder import embedder_spec
    from ingest.store import Store

    store = Store(settings, *embedder_spec(settings.embedder), create=False)
    rows = [
        {"doc_id": doc_id, "source": m.get("source", ""), "title": m.get("title", ""), "date": m.get("date", ""),
         "publication": m.get("publication", ""), "chunks": m.get("chunks", 0)}
        for doc_id, m in sorted(store.documents().items()) if m.get("state") == "done"
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print(f"No documents in collection {store.name!r}; add some with `ragchat ingest PATH`.")
        return 0
    print(f"{'doc_id':<28} {'date':<10} {'chunks':>6}  title (source)")
    for r in rows:
        print(f"{r['doc_id'][:28]:<28} {r['date'] or '-':<10} {r['chunks']:>6}  {r['title']} ({r['source']})")
    return 0


def load_history(path: Path) -> list[dict]:
    """A ``--history`` file: a JSON list of ``{"role", "content"}`` messages, oldest first."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RagchatError(f"{path}: no such history file.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RagchatError(f"{path}: not valid JSON ({exc}); expected a list of chat messages.") from None
    return check_history(data, str(path))


def check_history(data: object, where: str) -> list[dict]:
    if not isinstance(data, list):
        raise RagchatError(f"{where}: history must be a JSON list of {{\"role\", \"content\"}} messages.")
    for i, message in enumerate(data):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant", "system"):
            raise RagchatError(f"{where}: message {i} needs a role of user, assistant or system.")
        if not isinstance(message.get("content") or "", str):
            raise RagchatError(f"{where}: message {i} has non-text content.")
    return data


def format_sources(answer) -> str:
    """Each numbered quote with its document's title and date and where it stands (chars, page)."""
    lines = []
    for c in answer.citations:
        where = f"page {c.page}, " if c.page else ""
        meta = ", ".join(x for x in (c.title, c.date) if x)
        lines.append(f"[{c.n}] “{c.quote}”")
        lines.append(f"    — {meta}; {c.source}, {where}characters {c.start}–{c.end}")
        if getattr(c, "also_in", 0):
            lines.append(f"    also in {c.also_in} other document{'s' * (c.also_in != 1)}: "
                         f"{', '.join(c.also_in_docs)}")
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from rag.answer import Answer, Answerer
    from rag.timeframe import check_dates, summary

    if bool(args.question) == bool(args.batch):
        return _usage("ask needs a QUESTION or --batch FILE (not both).")
    try:
        check_dates(args.since, args.until, args.as_of)
    except RagchatError as exc:
        return _usage(f"{exc}.")
    dates = {"date_from": args.since, "date_to": args.until, "as_of": args.as_of}
    answerer = Answerer(settings)
    try:
        if args.batch:
            return _ask_batch(answerer, args.batch, dates)
        history = load_history(args.history) if args.history else None
        if args.json:
            print(json.dumps(answerer.answer(args.question, history, **dates).to_dict(), ensure_ascii=False))
            return 0
        final = None
        for item in answerer.stream(args.question, history, **dates):
            if isinstance(item, Answer):
                final = item
            else:
                print(item.text, end="", flush=True)
        print()
        if final.period:
            print("\n" + summary(final.period))
        if final.citations:
            print("\n" + format_sources(final))
        return 0
    finally:
        answerer.close()


def _ask_batch(answerer, path: Path, dates: dict | None = None) -> int:
    """One JSON object per input line, in order; a bad line gets an ``error`` and the rest go on.
    A line's ``as_of``/``since``/``until`` win over the flags (``dates``)."""
    from rag.timeframe import check_dates

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise RagchatError(f"{path}: cannot read the batch file ({exc}).") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        item_id = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                raise RagchatError('expected an object with a "question" string')
            item_id = item.get("id")
            history = check_history(item["history"], f"{path}:{number}") if item.get("history") else None
            line_dates = dict(dates or {})
            for key, arg in (("since", "date_from"), ("until", "date_to"), ("as_of", "as_of")):
                if item.get(key) is not None:
                    line_dates[arg] = item[key]
            check_dates(line_dates.get("date_from"), line_dates.get("date_to"), line_dates.get("as_of"),
                        ("since", "until", "as_of"))
            result = {"id": item_id, **answerer.answer(item["question"], history, **line_dates).to_dict()}
        except json.JSONDecodeError as exc:
            result = {"id": None, "error": f"{path}:{number}: not valid JSON ({exc.msg})"}
        except RagchatError as exc:
            result = {"id": item_id, "error": f"{path}:{number}: {exc}"}
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


def _usage(message: str) -> int:
    print(f"ragchat ask: error: {message}", file=sys.stderr)
    return 2


def cmd_ui(args: argparse.Namespace, settings: Settings) -> int:
    from ui.app import launch

    launch(settings, host=args.host, port=args.port)
    return 0


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    from ui.admin import users_command

    return users_command(args, settings)


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from ui.admin import audit_command

    return audit_command(args, settings)


def _quote_index(settings: Settings):
    """The collection's attribution index, read from the store (no embedding model is loaded for it)."""
    from ingest.embedder import embedder_spec
    from ingest.store import Store
    from rag.quotes import QuoteIndex

    store = Store(settings, *embedder_spec(settings.embedder), create=False)
    try:
        return QuoteIndex.from_store(store)
    finally:
        store.close()


def cmd_quotes(args: argparse.Namespace, settings: Settings) -> int:
    from rag.speech import quote_line

    index = _quote_index(settings)
    speakers = None
    if args.speaker:
        speakers = index.find_speaker(args.speaker)
        if not speakers:
            raise RagchatError(f"no speaker matches {args.speaker!r}; `ragchat speakers` lists them.")
    quotes = index.statements(speakers, about=args.about or "", since=args.since or "", until=args.until or "")
    if args.json:
        print(json.dumps([q.to_dict() for q in quotes], ensure_ascii=False))
        return 0
    if not quotes:
        print("No statements match.")
    for n, quote in enumerate(quotes, start=1):
        print(quote_line(n, quote))
        print(f"    {quote.source}, characters {quote.start}–{quote.end}")
    return 0


def cmd_speakers(args: argparse.Namespace, settings: Settings) -> int:
    index = _quote_index(settings)
    rows = [sp.to_dict() for sp in index.speakers]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print("No attributed statements in this collection.")
    for r in rows:
        aliases = f" (also: {', '.join(r['aliases'][:4])})" if r["aliases"] else ""
        print(f"{r['speaker']}{aliases}: {r['statements']} statement(s) in {len(r['documents'])} document(s)")
    return 0


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    from rag.doctor import diagnose, render

    report = diagnose(settings)
    print(json.dumps(report, ensure_ascii=False) if args.json else render(report))
    return 0 if report["model"]["ok"] and report["llama_cpp_build"]["portable"] else 1


def cmd_model_server(args: argparse.Namespace, settings: Settings) -> int:
    """The model process of ``local``, run by hand for several app replicas to share."""
    from rag.backends import parse_spec
    from rag.backends.local import model_file
    from rag.backends.model_server import parse_args, serve

    spec = parse_spec(settings.llm)
    if spec.kind != "local":
        raise RagchatError(f"model-server serves a local model; --llm {settings.llm!r} is not one "
                           "(use local, local:smollm2 or local:PATH.gguf).")
    file = model_file(spec.model)
    serve(parse_args(["--model", file.resolve(), "--name", file.name, "--prompt-style", file.prompt_style,
                      "--stop", json.dumps(list(file.stop)), "--n-threads", str(args.n_threads),
                      "--host", args.host, "--port", str(args.port)]))
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from eval.harness import run

    return run(args, settings)
