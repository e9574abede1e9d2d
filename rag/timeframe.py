"""Time in questions: "last week", "in November 2025", "before 2020", "latest" -> a date filter and an order.

Dates are read against a stated "now" (``as_of``: today, or the day an archive is replayed at); periods
are inclusive ISO dates and weeks start on Monday.

>>> p = period_of("What did the minister say last week?", date(2025, 11, 20))
>>> p.since, p.until, p.phrase, p.question_without_phrase
('2025-11-10', '2025-11-16', 'last week', 'What did the minister say?')
>>> period_of("What is the latest on the ceasefire?", date(2025, 11, 20)).order
'newest'

What is understood (each optionally led by in/on/during/of/from/over/within, or by since/after/before/
until/through, or as "between X and Y" / "from X to Y"; "from X" alone is "in X"):

* days and calendar periods: yesterday, today, tomorrow, this/last/next week, month, year; last Monday
  (the latest Monday before today); last November (the latest November before this month). A bare
  weekday ("on Tuesday") is not read: in an archive it is the article's Tuesday, not the reader's;
* "N days/weeks/months/years ago": the calendar day, week, month or year that holds that day;
* rolling periods: "in the last/past N days/weeks/months/years", "the past week": that much time back to now;
* absolute dates: ISO (2025-03-03), "3 March 2025", "March 3rd, 2025", "November 2025", "the 1990s"; a year
  ("2024"), a bare month ("November": the latest one up to now) or a day without a year ("3 March") only
  after a preposition, so "2020 votes", "may the minister…" or "the March on Rome" are not dates; neither
  are "of May" (a person, as likely) and "for 2020" (a plan: "for the past week" is a period);
* order: latest / most recent / newest / recent(ly) (newest first); the first time / "when did X first
  say" / the earliest (oldest, first) report, statement, article … (oldest first). These words leave the
  search text too: documents rarely say "latest".

Decisions:

* A period that holds ``as_of`` ends at ``as_of`` ("this month", "since March", "in 2025" asked during 2025):
  replaying an archive must not see what came after its "now". A period wholly after ``as_of`` is kept
  as it is (it just has no documents).
* "since X" with X an event, not a date ("since the ceasefire was agreed", or "since" meaning "because")
  is not resolved: the question gets no period and no filter, and its words stay in the search. Looking
  the event's date up in the archive would guess (which ceasefire? the first report or the last?).
* Words inside quotation marks are never read as dates (they are what someone said).
* Only the first time phrase of a question is used.
* "latest" without a period limits to documents up to ``as_of``; the answer then comes from the newest
  document among the evidence selected for the question (:func:`latest_evidence`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from rag.errors import RagchatError

_MONTH_NUMBERS = {name: n for n, names in enumerate(
    ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july", "aug august",
     "sep sept september", "oct october", "nov november", "dec december"), start=1) for name in names.split()}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "a few": 3,
                 "few": 3, "several": 3}

FULL_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
ANY_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
             r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
YEAR = r"(?:1[89]\d\d|20\d\d)"
NUMBER = r"(?:\d{1,3}|a\s+couple\s+of|a\s+few|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|" \
         r"twelve|few|several)"
UNIT = r"(?:day|week|month|year)s?"
WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"

# Date expressions, longest first. ``True``: only a date after a preposition ("in 2024", not "2020 votes").
FORMS: list[tuple[str, str, bool]] = [
    ("iso", r"\d{4}-\d{2}-\d{2}", False),
    ("day-month-year", rf"{DAY}\s+(?:of\s+)?{ANY_MONTH},?\s+{YEAR}", False),
    ("month-day-year", rf"{ANY_MONTH}\s+{DAY},?\s+{YEAR}", False),
    ("month-year", rf"{ANY_MONTH},?\s+(?:of\s+)?{YEAR}", False),
    ("decade", r"(?:the\s+)?(?:1[89]|20)\d0s", False),
    ("day-word", r"yesterday|today|tonight|tomorrow|this\s+(?:morning|afternoon|evening)", False),
    ("rolling", rf"(?:the\s+|this\s+)?(?:last|past)\s+{NUMBER}\s+{UNIT}|the\s+(?:last|past)\s+{UNIT}|past\s+{UNIT}",
     False),
    ("calendar", r"(?:this|last|previous|next)\s+(?:week|month|year)", False),
    ("ago", rf"{NUMBER}\s+{UNIT}\s+ago", False),
    ("named-weekday", rf"(?:last|this)\s+{WEEKDAY}", False),
    ("named-month", rf"(?:last|this)\s+{FULL_MONTH}", False),
    ("day-month", rf"{DAY}\s+(?:of\s+)?{FULL_MONTH}", True),
    ("month-day", rf"{FULL_MONTH}\s+{DAY}", True),
    ("month", FULL_MONTH, True),
    ("year", YEAR, True),
]
_FORM_RES = [(name, re.compile(pattern, re.I)) for name, pattern, _ in FORMS]
_ANY = "|".join(f"(?:{pattern})" for _, pattern, _ in FORMS)
_FREE = "|".join(f"(?:{pattern})" for _, pattern, needs_preposition in FORMS if not needs_preposition)
_PREPOSITIONS = r"since|after|before|prior\s+to|until|till|up\s+to|through|from|in|on|during|of|over|within|for"
_END = r"(?![\w-]|[.,/]\d|\s+of\b)"  # not "the last week of October": that is "of October"
_PHRASE = re.compile(
    rf"(?<![\w-])(?:(?P<range>between|from)\s+(?P<a>{_ANY}){_END}\s+(?:and|to|until|till|through)\s+(?P<b>{_ANY})"
    rf"|(?P<preposition>{_PREPOSITIONS})\s+(?P<x>{_ANY})|(?P<free>{_FREE})){_END}", re.I)

_NEWEST = re.compile(r"\b(?:(?:the\s+)?(?:latest|newest|most\s+recent)|(?:most\s+)?recent(?:ly)?)\b", re.I)
# "the earliest moai", "the oldest woman" are no question of order: only reports and sayings are.
_OLDEST = re.compile(r"\b(?:(?:for\s+)?the\s+first\s+time|(?:the\s+)?(?:earliest|oldest|first)(?=\s+(?:"
                     r"reports?|statements?|mentions?|articles?|news|stor(?:y|ies)|documents?|comments?|remarks?|"
                     r"quotes?)\b)|"
                     r"first(?=\s+(?:say|said|speak|spoke|mention(?:ed)?|announce[ds]?|report(?:ed)?|talk(?:ed)?|"
                     r"comment(?:ed)?|warn(?:ed)?|call(?:ed)?|claim(?:ed)?)\b))", re.I)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|‘[^’]*’|(?<!\w)'[^']*'(?!\w)")


@dataclass
class Period:
    """Dates (inclusive ISO, ``None``: open) and an order, and where they came from."""

    since: str | None = None
    until: str | None = None
    order: str | None = None  # "newest" | "oldest" | None
    phrase: str = ""  # the words of the question that said it ("in November 2025"); "" for flags
    start: int = 0  # offsets of ``phrase`` in the question
    end: int = 0
    question_without_phrase: str = ""
    as_of: str = ""
    source: str = "question"  # "question" | "flags"

    @property
    def filters(self) -> bool:
        return bool(self.since or self.until)

    def to_dict(self) -> dict:
        return {"since": self.since, "until": self.until, "order": self.order, "phrase": self.phrase,
                "as_of": self.as_of, "source": self.source}


# --- reading a question -----------------------------------------------------------------------------------


def period_of(question: str, as_of: date) -> Period | None:
    """The period and order a question asks about, or ``None`` when it names no time."""
    masked = _QUOTED.sub(lambda m: "\0" * len(m.group()), question)
    span, since, until = None, None, None
    for match in _PHRASE.finditer(masked):
        dates = _dates_of(match, as_of)
        if dates is not None:
            span, (since, until) = (match.start(), match.end()), dates
            break
    order_match = _NEWEST.search(masked) or _OLDEST.search(masked)
    order = None if order_match is None else "newest" if order_match.re is _NEWEST else "oldest"
    if span is None and order is None:
        return None
    if span is None and order == "newest":
        until = as_of  # "the latest" as of now
    if until is not None and (since is None or since <= as_of) and as_of < until:
        until = as_of  # the part of the period that has happened by "now"
    spans = [span] if span else []
    if order_match and not (span and order_match.start() < span[1] and span[0] < order_match.end()):
        spans.append(order_match.span())  # "latest" is an order, not a word the documents hold
    start, end = span or order_match.span()
    return Period(
        since=since.isoformat() if since else None, until=until.isoformat() if until else None, order=order,
        phrase=question[start:end], start=start, end=end,
        question_without_phrase=_without(question, spans), as_of=as_of.isoformat(),
    )


def _dates_of(match: re.Match, as_of: date) -> tuple[date | None, date | None] | None:
    """``(since, until)`` for one matched phrase, or ``None`` when it is not a date after all."""
    if match.group("range"):
        first, last = _range_of(match.group("a"), as_of), _range_of(match.group("b"), as_of)
        if first is None or last is None or first[0] > last[1]:
            return None
        return first[0], last[1]
    if match.group("free"):
        return _range_of(match.group("free"), as_of)
    word = " ".join(match.group("preposition").lower().split())
    text = match.group("x")
    if word == "of" and _form_of(text) in ("month", "day-month", "month-day"):
        return None  # "the resignation of May"
    if word == "for" and _form_of(text) != "rolling":
        return None  # "plans for 2020" is what was planned, not when; "for the past week" is a period
    found = _range_of(text, as_of)
    if found is None:
        return None
    first, last = found
    if word == "since":
        return first, (as_of if first <= as_of else None)
    if word == "after":
        after = last + timedelta(days=1)
        return after, (as_of if after <= as_of else None)
    if word in ("before", "prior to"):
        return None, first - timedelta(days=1)
    if word in ("until", "till", "up to", "through"):
        return None, last
    return first, last


def _form_of(text: str) -> str | None:
    return next((name for name, form in _FORM_RES if form.fullmatch(text)), None)


def _range_of(text: str, as_of: date) -> tuple[date, date] | None:
    """The first and last day a date expression covers, or ``None`` ("31 February 2025")."""
    text = " ".join(text.lower().split())
    form = _form_of(text)
    words = text.split()
    if form == "iso":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
        return day, day
    if form in ("day-month-year", "month-day-year", "day-month", "month-day", "month-year", "month"):
        return _absolute(text, form, as_of)
    if form == "decade":
        first = int(re.search(r"\d{4}", text).group())
        return date(first, 1, 1), date(first + 9, 12, 31)
    if form == "year":
        return date(int(text), 1, 1), date(int(text), 12, 31)
    if form == "day-word":
        day = as_of + timedelta(days={"yesterday": -1, "tomorrow": 1}.get(text, 0))
        return day, day
    if form == "calendar":
        step = {"this": 0, "next": 1}.get(words[0], -1)
        return _calendar(words[1], as_of, step)
    if form == "rolling":
        number = re.search(rf"\b({NUMBER})\s+{UNIT}$", text)
        return _back(as_of, _unit(words[-1]), _count(number.group(1)) if number else 1), as_of
    if form == "ago":
        unit = _unit(words[-2])
        return _calendar(unit, _back(as_of, unit, _count(" ".join(words[:-2]))), 0)
    if form == "named-weekday":  # this week's Monday; the last Monday before today
        wanted = _WEEKDAYS.index(words[-1])
        back = as_of.weekday() - wanted if words[0] == "this" else (as_of.weekday() - wanted) % 7 or 7
        day = as_of - timedelta(days=back)
        return day, day
    if form == "named-month":
        month = _MONTH_NUMBERS[words[1]]
        year = as_of.year if words[0] == "this" or month < as_of.month else as_of.year - 1
        return _month(year, month)
    return None


def _absolute(text: str, form: str, as_of: date) -> tuple[date, date] | None:
    """A written date, read by dateparser ("3rd of March 2025", "Sept. 2019"); without a year, the latest
    such day or month up to ``as_of``."""
    import dateparser

    text = re.sub(r"\bof\s+", "", re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", text))
    settings = {"RELATIVE_BASE": _midnight(as_of), "PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first",
                "REQUIRE_PARTS": ["month"] + (["day"] if "day" in form else [])}
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    if parsed is None:
        return None
    day = parsed.date()
    return (day, day) if "day" in form else _month(day.year, day.month)


def _midnight(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day)


def _count(text: str) -> int:
    text = " ".join(text.split())
    return int(text) if text.isdigit() else _NUMBER_WORDS.get(text, 1)


def _unit(word: str) -> str:
    return word.removesuffix("s")


def _back(day: date, unit: str, count: int) -> date:
    return day - relativedelta(**{f"{unit}s": count})


def _calendar(unit: str, day: date, step: int) -> tuple[date, date]:
    """The calendar week (Monday to Sunday), month or year holding ``day``, moved ``step`` of them."""
    if unit == "day":
        day += timedelta(days=step)
        return day, day
    if unit == "week":
        monday = day - timedelta(days=day.weekday()) + timedelta(weeks=step)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        first = date(day.year, day.month, 1) + relativedelta(months=step)
        return _month(first.year, first.month)
    return date(day.year + step, 1, 1), date(day.year + step, 12, 31)


def _month(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    return first, first + relativedelta(months=1) - timedelta(days=1)


def _without(question: str, spans: list[tuple[int, int]]) -> str:
    """The question with the time phrases cut out and the punctuation and capitals tidied."""
    text = question
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    text = re.sub(r"\s+([?.!,;:])", r"\1", " ".join(text.split()))
    text = re.sub(r"^[,;:]\s*|(?<=[,;:])[,;:]+", "", text).strip()
    if text and question[:1].isupper():
        text = text[0].upper() + text[1:]
    return text or question


# --- the period an answer uses ------------------------------------------------------------------------------


def parse_day(value: str, name: str) -> date:
    """An ISO date (``YYYY-MM-DD``), or an error naming the flag or field it came from."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError
        return date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise RagchatError(f"{name}: {value!r} is not a date; use YYYY-MM-DD") from None


def check_dates(since: str | None, until: str | None, as_of: str | None, names=("--since", "--until", "--as-of")
                ) -> None:
    """Raise :class:`RagchatError` for a date that is not ISO, or since after until."""
    for value, name in zip((since, until, as_of), names):
        if value:
            parse_day(value, name)
    if since and until and since > until:
        raise RagchatError(f"{names[0]} {since} is after {names[1]} {until}; the period would be empty")


def resolve(question: str, as_of: str | None = None, since: str | None = None, until: str | None = None
            ) -> Period | None:
    """The period an answer uses: explicit ``since``/``until`` win over the question's phrase (whose
    words still leave the search text); its order is kept. ``None``: no filter, no order."""
    check_dates(since, until, as_of, ("since", "until", "as_of"))
    now = parse_day(as_of, "as_of") if as_of else date.today()
    found = period_of(question, now)
    if not (since or until):
        return found
    return Period(since or None, until or None, found.order if found else None,
                  question_without_phrase=found.question_without_phrase if found else question,
                  as_of=now.isoformat(), source="flags")


def latest_evidence(evidence: list, order: str) -> list:
    """For "the latest" ("the earliest"): only the selected evidence of the newest (oldest) date, still most
    relevant first, renumbered [1], [2] …. Selection has already kept only sentences relevant to the
    question, so this is the newest document that answers it, not merely the newest document."""
    from dataclasses import replace

    dates = [e.date for e in evidence if e.date]
    if not dates:
        return evidence
    wanted = max(dates) if order == "newest" else min(dates)
    return [replace(e, n=n) for n, e in enumerate((e for e in evidence if e.date == wanted), start=1)]


def coverage_refusal(period: Period, documents: dict[str, dict], doc_ids: list[str] | None = None) -> str | None:
    """A refusal naming the archive's dates when no stored document lies in ``period``, else ``None``.

    ``documents`` is the store's manifest (``Store.documents()``: doc_id -> metadata with ``date``)."""
    if not period.filters:
        return None
    dates = sorted(m.get("date") or "" for d, m in documents.items()
                   if m.get("state", "done") == "done" and (not doc_ids or d in doc_ids))
    dated = [d for d in dates if d]
    if any((not period.since or d >= period.since) and (not period.until or d <= period.until) for d in dated):
        return None
    span = f"{dated[0]} to {dated[-1]}" if dated and dated[0] != dated[-1] else dated[0] if dated else ""
    held = f"the archive has documents dated {span}" if dated else "no document in the archive has a date"
    return f"The documents don't cover {describe(period.since, period.until)}: {held}."


def describe(since: str | None, until: str | None) -> str:
    """'1–7 November 2025', 'November 2025', '2019', 'dates from 3 March 2025 on', 'dates up to …'."""
    if not until:
        return f"dates from {_long(since)} on" if since else "any date"
    if not since:
        return f"dates up to {_long(until)}"
    a, b = date.fromisoformat(since), date.fromisoformat(until)
    if a == b:
        return _long(since)
    if (a.month, a.day, b.month, b.day) == (1, 1, 12, 31) and a.year == b.year:
        return str(a.year)
    if a.day == 1 and (a.year, a.month) == (b.year, b.month) and b == _month(b.year, b.month)[1]:
        return f"{a:%B} {a.year}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%B} {b.year}"
    if a.year == b.year:
        return f"{a.day} {a:%B} – {b.day} {b:%B} {b.year}"
    return f"{_long(since)} – {_long(until)}"


def _long(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B} {day.year}"


def summary(period: dict) -> str:
    """One line for people: "Period: 2025-11-01 to 2025-11-30 (from 'in November 2025')"."""
    since, until, order = period.get("since"), period.get("until"), period.get("order")
    if since and until:
        dates = f"{since} to {until}"
    else:
        dates = f"from {since}" if since else f"up to {until}" if until else ""
    ordered = f"{order} first" if order else ""
    where = "--since/--until" if period.get("source") == "flags" else repr(period.get("phrase", ""))
    head = f"Period: {dates}{', ' + ordered if dates and ordered else ''}" if dates else f"Order: {ordered}"
    return f"{head} (from {where})"
