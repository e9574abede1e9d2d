"""The chat window's date range (From / To), as plain functions: no server, no browser."""

from __future__ import annotations

import pytest

from rag.errors import ConfigError
from rag.types import Answer


class RecordingAnswerer:
    def __init__(self):
        self.calls = []

    def stream(self, question, history=None, k=None, **period):
        self.calls.append((question, period))
        yield Answer(question=question, standalone_question=question, answer="Not in the documents.",
                     refused=True, citations=[], backend="extractive", timings_ms={})


class Service:
    backends = ("extractive",)

    def __init__(self):
        self.recorder = RecordingAnswerer()

    def answerer(self, backend=None):
        return self.recorder

    def text_source(self):
        return lambda *_: None


def test_date_range_reads_iso_dates_and_leaves_empty_ends_open():
    from ui.app import date_range

    assert date_range("", None) == (None, None)
    assert date_range(" 2025-11-01 ", "2025-11-30") == ("2025-11-01", "2025-11-30")
    assert date_range("", "2025-11-30") == (None, "2025-11-30")
    assert date_range("2025-11-27", "2025-11-27") == ("2025-11-27", "2025-11-27")


@pytest.mark.parametrize("date_from, date_to, message", [
    ("2025-13-01", "", "From date '2025-13-01' is not a date like 2025-11-27 (YYYY-MM-DD)"),
    ("", "27/11/2025", "To date '27/11/2025' is not a date like"),
    ("20251127", "", "From date '20251127' is not a date like"),  # fromisoformat would take it; people misread it
    ("2025-12-01", "2025-11-01", "the From date 2025-12-01 is after the To date 2025-11-01; swap them"),
])
def test_a_bad_date_range_says_which_box_and_how(date_from, date_to, message):
    from ui.app import date_range

    with pytest.raises(ConfigError) as err:
        date_range(date_from, date_to)
    assert message in str(err.value)


def test_respond_passes_the_range_to_the_answerer():
    from ui.app import respond

    service = Service()
    steps = list(respond(service, "What did the minister say?", None, "extractive", 4, "2025-11-01", ""))
    assert service.recorder.calls == [("What did the minister say?", {"date_from": "2025-11-01"})]
    assert steps[-1][2]["history"][0]["content"] == "What did the minister say?"
    list(respond(service, "And then?", None, "extractive", 4))  # no range: no date arguments at all
    assert service.recorder.calls[-1] == ("And then?", {})


def test_a_bad_date_shows_a_message_and_keeps_the_question():
    import gradio as gr

    from ui.app import respond

    service = Service()
    steps = list(respond(service, "What did the minister say?", None, "extractive", 4, "2025-11-31", ""))
    assert len(steps) == 1 and service.recorder.calls == []
    chat, _, conv, box = steps[0]
    assert "Date not understood" in chat[-1]["content"] and "2025-11-31" in chat[-1]["content"]
    assert isinstance(box, type(gr.skip()))  # the question box is left as it is
    assert conv["history"] == []
