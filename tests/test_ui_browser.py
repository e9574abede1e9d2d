"""The chat window in a real browser: Debian's Chromium driven by Playwright, the app on loopback.

One app process for the module (the seed and a document full of HTML ingested with the hash embedder,
answers extractive: fast and deterministic); a fresh browser context, so a fresh session, per test.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from conftest import SEED, free_port
from ui_helpers import CHROMIUM, CHROMIUM_ARGS, serve, sign_in, write_users

pytestmark = pytest.mark.browser

SEED_TEXT = SEED.read_text(encoding="utf-8")
DEFENCE = "What did the Defence Minister say?"
EVIL_TAG = "<script>window.__pwned=1</script>"
INERT_DOC = f"""Notes on the {EVIL_TAG} lighthouse

The Manora lighthouse keeper wrote {EVIL_TAG} and <img src=x onerror="window.__pwned=2"> in the logbook
on Friday.

The lamp was serviced in June.
"""
UPLOAD_DOC = """Harbour dredging notes

The Karachi harbour dredging will deepen the shipping channel to fourteen metres by March, the port trust
said.
"""
FINISHED = "#rc-chat .rc-answer:not(.rc-pending)"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    base = tmp_path_factory.mktemp("ui")
    inert = base / "inert.txt"
    inert.write_text(INERT_DOC, encoding="utf-8")
    log = base / "server.log"
    with serve(base / "data", free_port(), [SEED, inert], log) as url:
        yield url
    print(f"\napp log: {log}")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; install it with `apt-get install -y chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app_url)
    page.wait_for_selector("#rc-question textarea")
    yield page
    context.close()


def finished(page) -> int:
    return page.locator(FINISHED).count()


def ask(page, question: str, timeout: float = 60_000) -> str:
    """Type a question, press Enter, wait for the answer to finish streaming; its text."""
    before = finished(page)
    page.fill("#rc-question textarea", question)
    page.press("#rc-question textarea", "Enter")
    page.wait_for_function(f"document.querySelectorAll('{FINISHED}').length > {before}", timeout=timeout)
    return page.locator(FINISHED).nth(before).inner_text()


def test_defence_minister_answer_cites_a_quote_shown_in_sources(page, tmp_path):
    page.locator("#rc-chat button.example", has_text=DEFENCE).click()  # the example question
    page.wait_for_selector(FINISHED, timeout=60_000)
    answer = page.locator(FINISHED).first
    assert "no good hope from them" in answer.inner_text()
    assert "answered by attribution index" in answer.inner_text()  # his own statements, from the index

    link = answer.locator("a.rc-cite").nth(1)  # [1] is his denial; [2] "Pakistan had “no good hope …”"
    assert link.inner_text() == "[2]"
    target = link.get_attribute("href")
    assert target == "#rc-src-1-2"
    card = page.locator(f"#rc-sources {target}")
    quote = card.locator("mark.rc-quote").inner_text()
    assert "no good hope from them" in quote and quote in SEED_TEXT  # verbatim, highlighted
    start = SEED_TEXT.index(quote)
    meta = card.locator(".rc-docmeta").inner_text()
    assert "2025-11-27" in meta and "Dawn" in meta and f"characters {start}–{start + len(quote)}" in meta
    assert "Said by Khawaja Asif" in card.inner_text()  # the sources panel names the speaker

    link.hover()
    assert "rc-hot" in card.get_attribute("class")
    link.click()
    assert "rc-picked" in card.get_attribute("class")

    shot = tmp_path / "answered.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot of the answered page: {shot}")


def test_speakers_tab_shows_a_speakers_statements_and_exports_them(page):
    page.get_by_role("tab", name="Speakers").click()
    page.locator("#rc-speaker-overview", has_text="Khawaja Asif").wait_for()
    page.fill("#rc-speaker textarea", "the defence minister")
    page.click("#rc-speaker-find")
    listing = page.locator("#rc-statements")
    listing.locator(".rc-asked", has_text="Khawaja Asif: 3 statement(s) in 1 document(s)").wait_for()
    quotes = [m.inner_text() for m in listing.locator("mark.rc-quote").all()]
    assert len(quotes) == 3 and all(q in SEED_TEXT for q in quotes)  # highlighted in their paragraphs
    assert any("idiocy" in q for q in quotes) and "Said by Khawaja Asif" in listing.inner_text()
    link = page.locator("#rc-speaker-csv a[href]").first
    link.wait_for()
    csv_text = page.request.get(link.get_attribute("href")).text()
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert [r["speaker"] for r in rows] == ["Khawaja Asif"] * 3
    assert all(SEED_TEXT[int(r["start"]):int(r["end"])] == r["quote"] for r in rows)  # located exactly


def test_follow_up_uses_the_conversation(page):
    ask(page, DEFENCE)
    second = ask(page, "What did he say about trusting Kabul?")
    assert "Understood as: What did Khawaja Asif say about trusting Kabul?" in second
    assert "idiocy" in second
    href = page.locator(FINISHED).nth(1).locator("a.rc-cite").first.get_attribute("href")
    assert href.startswith("#rc-src-2-") and page.locator(href).count() == 1  # the card of this turn
    sources = page.locator("#rc-sources")
    assert sources.locator(f"{href} mark.rc-quote").count() == 1
    assert "Answer 1" in sources.inner_text()  # the first answer's sources, collapsed beneath

    page.click("#rc-new")  # start over
    page.wait_for_function(f"document.querySelectorAll('{FINISHED}').length === 0")
    assert "Ask a question" in page.inner_text("#rc-sources")


def test_script_in_a_document_renders_as_text(page):
    text = ask(page, "What did the Manora lighthouse keeper write in the logbook?")
    assert EVIL_TAG in text and 'onerror="window.__pwned=2"' in text
    sources = page.inner_text("#rc-sources")
    assert EVIL_TAG in sources and "<img src=x" in sources
    page.get_by_role("tab", name="Documents").click()
    page.locator("#rc-docs", has_text=f"Notes on the {EVIL_TAG} lighthouse").wait_for()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("#rc-sources script, #rc-chat script, #rc-docs script").count() == 0


def test_upload_a_file_ask_about_it_then_remove_it(page, tmp_path):
    upload = tmp_path / "harbour.txt"
    upload.write_text(UPLOAD_DOC, encoding="utf-8")
    bad = tmp_path / "notes.docx"
    bad.write_bytes(b"PK\x03\x04 not really a document")
    page.get_by_role("tab", name="Documents").click()
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Caf\xe9 notes".encode("latin-1"))
    page.set_input_files("#rc-upload input[type=file]", [str(bad), str(upload), str(latin1)])
    report = page.locator("#rc-ingest-report")
    report.locator("li", has_text="harbour.txt: added").wait_for(timeout=60_000)
    failures = report.locator("ul.rc-failed").inner_text()  # one line per file that failed, the rest go on
    assert "notes.docx: a damaged .docx" in failures  # a corrupt Word file: one line, the rest go in
    assert "latin1.txt: not valid UTF-8" in failures
    page.locator("#rc-docs", has_text="Harbour dredging notes").wait_for()

    page.get_by_role("tab", name="Chat").click()
    text = ask(page, "How deep will the Karachi harbour channel be dredged?")
    assert "fourteen metres" in text
    assert "Harbour dredging notes" in page.inner_text("#rc-sources")

    page.get_by_role("tab", name="Documents").click()
    page.locator("#rc-pick input").click()
    page.get_by_role("option", name=re.compile("Harbour dredging notes")).click()
    page.click("#rc-remove")
    report.get_by_text("Removed Harbour dredging notes").wait_for()
    page.wait_for_function("!document.querySelector('#rc-docs').innerText.includes('Harbour dredging notes')")


def test_refusal_looks_like_one_and_settings_apply(page):
    text = ask(page, "Who won the 1998 football world cup final in Paris?")
    refusal = page.locator(f"{FINISHED}.rc-refused")
    assert refusal.count() == 1 and "Not in the documents" in text and "The documents don't say" in text
    assert refusal.locator("a.rc-cite").count() == 0
    assert "No quotes" in page.inner_text("#rc-sources")

    page.get_by_role("tab", name="Settings").click()
    assert page.locator("#rc-backend input").input_value() == "extractive"
    page.fill("#rc-k input[type=number]", "1")
    page.press("#rc-k input[type=number]", "Enter")
    page.get_by_role("tab", name="Chat").click()
    ask(page, "Is the ceasefire holding?")
    shown = page.locator("#rc-sources-2 .rc-card, #rc-sources-2 .rc-passage")
    assert 1 <= shown.count() <= 2  # one passage retrieved: its quote(s), or it uncited


def test_empty_question_ignored_and_long_question_refused(page):
    page.click("#rc-ask")
    page.wait_for_timeout(1000)
    assert page.locator("#rc-chat [data-testid=user]").count() == 0
    assert page.locator("#rc-chat [data-testid=bot]").count() == 0
    page.fill("#rc-question textarea", "why " * 1001)
    page.click("#rc-ask")
    page.locator("#rc-chat .rc-error", has_text="Question too long").wait_for()
    assert "the limit is 4,000" in page.inner_text("#rc-chat")


def test_sessions_do_not_share_a_conversation(page, browser, app_url):
    ask(page, DEFENCE)
    other = browser.new_context().new_page()
    try:
        other.goto(app_url)
        other.wait_for_selector("#rc-question textarea")
        second = ask(other, "What did he say?")
        assert "Understood as" not in second  # no history from the other session to resolve "he"
        assert other.locator(FINISHED).count() == 1
        assert page.locator(FINISHED).count() == 1
    finally:
        other.context.close()


@pytest.fixture(scope="module")
def locked_app_url(tmp_path_factory):
    """A second app: login required, and its configured backend an OpenAI server that isn't there."""
    base = tmp_path_factory.mktemp("ui-locked")
    env = {"RAGCHAT_AUTH": "reader:pa55word", "OPENAI_BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
           "OPENAI_API_KEY": "not-needed"}
    with serve(base / "data", free_port(), [SEED], base / "server.log", llm="openai:gpt-test",
               extra_env=env) as url:
        yield url


def test_login_then_backend_down_is_a_readable_error(browser, locked_app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(locked_app_url)
        page.get_by_label("username").fill("reader")
        page.get_by_label("password").fill("wrong")
        page.get_by_role("button", name="Login").click()
        page.get_by_text("Incorrect Credentials").wait_for()
        page.get_by_label("username").fill("reader")
        page.get_by_label("password").fill("pa55word")
        page.get_by_role("button", name="Login").click()
        page.wait_for_selector("#rc-question textarea")

        ceasefire = "Is the ceasefire between the two states holding?"  # the LLM is asked (not the quote index)
        text = ask(page, ceasefire, timeout=90_000)
        # One readable line naming the backend, then the answer from the evidence (labelled as such).
        assert "Openai backend at" in text and "is not reachable" in text, text
        assert "is holding" in text and "model failed: extractive answer" in text, text
        assert "Traceback" not in page.inner_text("body")

        page.get_by_role("tab", name="Settings").click()  # another configured backend answers
        page.locator("#rc-backend input").click()
        page.get_by_role("option", name="extractive", exact=True).click()
        page.get_by_role("tab", name="Chat").click()
        text = ask(page, ceasefire)
        assert "is holding" in text and "answered by extractive" in text
    finally:
        context.close()


def test_date_range_limits_the_answer_and_a_bad_date_keeps_the_question(page):
    date_from, date_to = page.locator("#rc-from").locator("input, textarea"), page.locator("#rc-to").locator(
        "input, textarea")
    date_from.fill("2025-13-01")
    page.fill("#rc-question textarea", DEFENCE)
    page.click("#rc-ask")
    page.locator("#rc-chat .rc-error", has_text="Date not understood").wait_for()
    assert "From date '2025-13-01' is not a date like 2025-11-27" in page.inner_text("#rc-chat")
    assert page.input_value("#rc-question textarea") == DEFENCE  # not lost: fix the date and ask again

    date_from.fill("2025-12-01")  # after the seed's 2025-11-27: nothing to answer from
    outside = ask(page, DEFENCE)
    assert "no good hope" not in outside and page.locator(f"{FINISHED}.rc-refused").count() == 1, outside

    date_from.fill("2025-11-01")
    date_to.fill("2025-11-30")
    assert "no good hope from them" in ask(page, DEFENCE)


READER_REFUSED = "Only editors can change the archive; you are signed in as bob (reader)."
FORCED_UPLOAD = """async ({name, text}) => {
  // What a reader could do without the page's controls: Gradio's own API, with the session's cookie.
  const form = new FormData();
  form.append("files", new File([text], name, {type: "text/plain"}));
  const [path] = await (await fetch("gradio_api/upload", {method: "POST", body: form})).json();
  const call = await fetch("gradio_api/call/add_files", {method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({data: [[{path, orig_name: name, meta: {_type: "gradio.FileData"}}]]})});
  const {event_id} = await call.json();
  return await (await fetch(`gradio_api/call/add_files/${event_id}`)).text();
}"""


@pytest.fixture(scope="module")
def users_app_url(tmp_path_factory):
    """A third app: a users file with an editor (ana) and a reader (bob)."""
    base = tmp_path_factory.mktemp("ui-users")
    write_users(base / "data", {"ana": ("editor", "ana-pa55word"), "bob": ("reader", "bob-pa55word")})
    with serve(base / "data", free_port(), [SEED], base / "server.log") as url:
        yield url, base / "data"


def test_a_reader_cannot_upload_and_an_editor_can(browser, users_app_url, tmp_path):
    url, data_dir = users_app_url
    upload = tmp_path / "harbour.txt"
    upload.write_text(UPLOAD_DOC, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, url, "bob", "bob-pa55word")
        page.locator("#rc-whoami", has_text="Signed in as bob (reader)").wait_for()
        page.get_by_role("tab", name="Documents").click()
        page.locator("#rc-readonly", has_text="only editors can add, replace or remove them").wait_for()
        page.locator("#rc-docs", has_text="2025-11-27").wait_for()  # readers see the documents
        assert not page.locator("#rc-upload").is_visible() and not page.locator("#rc-remove").is_visible()
        assert page.locator("#rc-upload input[type=file]:visible").count() == 0

        answer = page.evaluate(FORCED_UPLOAD, {"name": "harbour.txt", "text": UPLOAD_DOC})
        assert "event: complete" in answer and READER_REFUSED in answer, answer
        assert not (data_dir / "uploads" / "harbour.txt").exists()
        context.close()

        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        sign_in(page, url, "ana", "ana-pa55word")
        page.locator("#rc-whoami", has_text="Signed in as ana (editor)").wait_for()
        page.get_by_role("tab", name="Documents").click()
        assert not page.locator("#rc-readonly").is_visible()
        page.set_input_files("#rc-upload input[type=file]", [str(upload)])
        page.locator("#rc-ingest-report li", has_text="harbour.txt: added").wait_for(timeout=60_000)
        page.locator("#rc-docs", has_text="Harbour dredging notes").wait_for()
    finally:
        context.close()
    log = [json.loads(line) for line in (data_dir / "audit.log").read_text(encoding="utf-8").splitlines()]
    assert [(e["user"], e["action"], e["file"], e["result"]) for e in log] == [
        ("bob", "upload", "harbour.txt", "refused"), ("ana", "upload", "harbour.txt", "added")]
