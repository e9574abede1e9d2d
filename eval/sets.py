"""Question sets: JSONL, YAML and SQuAD 2.0 JSON, read into one list of :class:`Question`.

The fields are those of CONTRACTS.md ("Question sets"). Errors name the file and line and say how to fix
them; unknown fields are kept as warnings (a typo such as ``must_includes`` would otherwise silently turn a
check off). A YAML set is either a list of questions or a mapping ``{questions, tolerances?, collection?}``.

>>> q = parse_question({"id": "q1", "question": "Who?", "must_include": ["Asif", ["idiocy", "no good hope"]]},
...                    "set.jsonl:1", [])
>>> q.must_include
[['Asif'], ['idiocy', 'no good hope']]
"""

from __future__ import annotations

import difflib
import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from eval.squad import is_squad, load_squad
from rag.errors import EvalError, RagchatError

KNOWN_FIELDS = ("id", "question", "history", "answerable", "reference_answer", "must_include",
                "must_not_include", "evidence", "expected_sources", "tags", "critical", "as_of", "expected_period")
SET_KEYS = ("questions", "tolerances", "collection")
ROLES = ("user", "assistant", "system")


@dataclass
class Question:
    id: str
    question: str
    history: list[dict] = field(default_factory=list)
    answerable: bool = True
    #: Model answers for token F1 / exact match (``reference_answer``; SQuAD: every gold answer).
    references: list[str] = field(default_factory=list)
    #: Each item is a list of alternatives; one of them must occur in the answer.
    must_include: list[list[str]] = field(default_factory=list)
    must_not_include: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    expected_sources: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    critical: bool = False
    #: SQuAD: the article holding the answer; a retrieval hit must come from it.
    gold_doc: str | None = None
    #: The "now" the question is asked at (ISO), for "last week"; ``None``: today.
    as_of: str | None = None
    #: The period the answer must use: ``{"since", "until"}`` (ISO or null); ``{}``: none; ``None``: unchecked.
    expected_period: dict | None = None
    where: str = ""  # "file:line", for messages

    @property
    def gold_spans(self) -> list[str]:
        """Strings whose presence in a retrieved passage counts as a retrieval hit."""
        return self.evidence if self.evidence else (self.references if self.gold_doc else [])


@dataclass
class QuestionSet:
    path: Path
    kind: str  # "jsonl" | "yaml" | "squad"
    questions: list[Question]
    sha256: str
    warnings: list[str] = field(default_factory=list)
    tolerances: dict = field(default_factory=dict)
    collection: str | None = None
    articles: dict[str, str] | None = None  # SQuAD: {doc_id: text}, ingested into a collection of their own

    @property
    def name(self) -> str:
        return self.path.name


def load_set(path: Path) -> QuestionSet:
    """Read a question set; raise :class:`EvalError` naming the file (and line) when it can't be used."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise EvalError(f"{path}: no such question set; check the path.") from None
    except OSError as exc:
        raise EvalError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EvalError(f"{path}: not valid UTF-8 (byte {exc.start}); re-save it as UTF-8.") from None
    sha = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        qset = _load_jsonl(path, text, sha)
    elif suffix in (".yaml", ".yml"):
        qset = _load_yaml(path, text, sha)
    elif suffix == ".json":
        qset = _load_squad(path, text, sha)
    else:
        raise EvalError(f"{path}: unknown question-set format '{suffix or '(none)'}'; use .jsonl, .yaml "
                        "or a SQuAD 2.0 .json file.")
    if not qset.questions:
        raise EvalError(f"{path}: the set has no questions; add at least one "
                        '(a JSONL line like {"id": "q1", "question": "…"}).')
    _check_unique(qset.questions)
    sidecar = path.with_name(path.stem + ".tolerances.yaml")
    if sidecar.exists():
        qset.tolerances = {**load_tolerances_file(sidecar), **qset.tolerances}
    return qset


def load_tolerances_file(path: Path) -> dict:
    """A small YAML mapping ``metric: largest allowed drop`` (see eval/baseline.py)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise EvalError(f"{path}:{_mark_line(exc)}: invalid YAML ({_yaml_problem(exc)}).") from None
    if not isinstance(data, dict):
        raise EvalError(f"{path}: tolerances must be a mapping like `token_f1: 0.02`.")
    return data


def sample_questions(qset: QuestionSet, limit: int | None) -> list[Question]:
    """The questions to run under ``--limit N``: a hand-written set's first N; for SQuAD a fixed random
    sample of N (seed 0, original order kept), so a quick run still covers every article."""
    questions = qset.questions
    if limit is None or limit >= len(questions):
        return list(questions)
    if limit < 1:
        raise EvalError(f"--limit must be at least 1, got {limit}.")
    if qset.kind != "squad":
        return questions[:limit]
    picked = sorted(random.Random(0).sample(range(len(questions)), limit))
    return [questions[i] for i in picked]


# --- one question -----------------------------------------------------------------------------------


def parse_question(obj: object, where: str, warnings: list[str]) -> Question:
    """Validate one question object; ``where`` ("file:line") prefixes every message."""
    if not isinstance(obj, dict):
        raise EvalError(f"{where}: a question must be an object with at least \"id\" and \"question\", "
                        f"got {type(obj).__name__}.")
    for key in obj:
        if key not in KNOWN_FIELDS:
            close = difflib.get_close_matches(str(key), KNOWN_FIELDS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f"; known: {', '.join(KNOWN_FIELDS)}"
            warnings.append(f"{where}: unknown field '{key}' ignored{hint}")
    qid = obj.get("id")
    if isinstance(qid, int) and not isinstance(qid, bool):
        qid = str(qid)
    if not isinstance(qid, str) or not qid.strip():
        raise EvalError(f"{where}: missing \"id\"; give every question a stable id (runs are compared by it).")
    question = obj.get("question")
    if not isinstance(question, str) or not question.strip():
        raise EvalError(f"{where}: question {qid!r} has no \"question\" text.")
    reference = obj.get("reference_answer")
    return Question(
        id=qid.strip(),
        question=question,
        history=_history(obj.get("history"), where),
        answerable=_bool(obj, "answerable", True, where),
        references=_strings(reference, "reference_answer", where) if reference is not None else [],
        must_include=_alternatives(obj.get("must_include"), where),
        must_not_include=_strings(obj.get("must_not_include"), "must_not_include", where),
        evidence=_strings(obj.get("evidence"), "evidence", where),
        expected_sources=_strings(obj.get("expected_sources"), "expected_sources", where),
        tags=_strings(obj.get("tags"), "tags", where),
        critical=_bool(obj, "critical", False, where),
        as_of=_day(obj.get("as_of"), "as_of", where),
        expected_period=_period(obj, where),
        where=where,
    )


def _day(value: object, key: str, where: str) -> str | None:
    if value is None:
        return None
    from rag.timeframe import parse_day

    try:
        return parse_day(value, key).isoformat()  # type: ignore[arg-type]
    except RagchatError as exc:
        raise EvalError(f"{where}: {exc}.") from None


def _period(obj: dict, where: str) -> dict | None:
    """``expected_period``: ``{"since": ISO or null, "until": ISO or null}``; null or ``{}``: no period."""
    if "expected_period" not in obj:
        return None
    value = obj["expected_period"] or {}
    if not isinstance(value, dict) or set(value) - {"since", "until"}:
        raise EvalError(f"{where}: \"expected_period\" must be an object like "
                        f'{{"since": "2025-11-01", "until": "2025-11-30"}} (either may be null), got {value!r}.')
    return {key: _day(value.get(key), f"expected_period.{key}", where) for key in ("since", "until")}


def _bool(obj: dict, key: str, default: bool, where: str) -> bool:
    value = obj.get(key, default)
    if not isinstance(value, bool):
        raise EvalError(f"{where}: \"{key}\" must be true or false, got {value!r}.")
    return value


def _strings(value: object, key: str, where: str) -> list[str]:
    """A list of non-empty strings; a single string is taken as a list of one."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise EvalError(f"{where}: \"{key}\" must be a list of non-empty strings, got {value!r}.")
    return list(value)


def _alternatives(value: object, where: str) -> list[list[str]]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        items = [[v] if isinstance(v, str) else v for v in value]
        if all(isinstance(i, list) and i and all(isinstance(s, str) and s.strip() for s in i) for i in items):
            return items
    raise EvalError(f"{where}: \"must_include\" must be a list whose items are strings or lists of "
                    f"alternative strings, got {value!r}.")


def _history(value: object, where: str) -> list[dict]:
    if value is None:
        return []
    ok = isinstance(value, list) and all(
        isinstance(m, dict) and m.get("role") in ROLES and isinstance(m.get("content", ""), str) for m in value
    )
    if not ok:
        raise EvalError(f"{where}: \"history\" must be a list of messages like "
                        '{"role": "user", "content": "…"} (roles: user, assistant, system).')
    return [{"role": m["role"], "content": m.get("content") or ""} for m in value]  # type: ignore[union-attr]


def _check_unique(questions: list[Question]) -> None:
    seen: dict[str, str] = {}
    for q in questions:
        if q.id in seen:
            raise EvalError(f"{q.where}: duplicate id {q.id!r} (first at {seen[q.id]}); ids must be unique.")
        seen[q.id] = q.where


# --- formats ----------------------------------------------------------------------------------------


def _load_jsonl(path: Path, text: str, sha: str) -> QuestionSet:
    """One JSON object a line; blank lines and lines starting with ``#`` are skipped."""
    warnings: list[str] = []
    questions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}); each line must be "
                            "one complete JSON object.") from None
        questions.append(parse_question(obj, where, warnings))
    return QuestionSet(path, "jsonl", questions, sha, warnings)


def _load_yaml(path: Path, text: str, sha: str) -> QuestionSet:
    import yaml

    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)  # the same text again, for line numbers
    except yaml.YAMLError as exc:
        raise EvalError(f"{path}:{_mark_line(exc)}: invalid YAML ({_yaml_problem(exc)}).") from None
    warnings: list[str] = []
    tolerances: dict = {}
    collection = None
    items_node = node
    if isinstance(data, dict):
        for key in data:
            if key not in SET_KEYS:
                warnings.append(f"{path}: unknown top-level key '{key}' ignored; known: {', '.join(SET_KEYS)}")
        tolerances = data.get("tolerances") or {}
        if not isinstance(tolerances, dict):
            raise EvalError(f"{path}: \"tolerances\" must be a mapping like `token_f1: 0.02`.")
        collection = data.get("collection")
        if collection is not None and not isinstance(collection, str):
            raise EvalError(f"{path}: \"collection\" must be a collection name.")
        items_node = next((v for k, v in node.value if k.value == "questions"), None)
        data = data.get("questions")
    if data is None:
        data = []
    if not isinstance(data, list):
        raise EvalError(f"{path}: a YAML set is a list of questions (or a mapping with a \"questions\" list).")
    lines = [item.start_mark.line + 1 for item in items_node.value] if items_node is not None else []
    questions = [parse_question(obj, f"{path}:{line}", warnings) for obj, line in zip(data, lines)]
    return QuestionSet(path, "yaml", questions, sha, warnings, tolerances, collection)


def _load_squad(path: Path, text: str, sha: str) -> QuestionSet:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EvalError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}).") from None
    if not is_squad(data):
        raise EvalError(f"{path}: a .json set must be SQuAD 2.0 ({{\"version\", \"data\": [...]}}); "
                        "write other sets as .jsonl or .yaml.")
    try:
        articles, squad = load_squad(path)
    except (KeyError, TypeError) as exc:
        raise EvalError(f"{path}: not a well-formed SQuAD 2.0 file (missing {exc}).") from None
    questions = [
        Question(id=q.id, question=q.question, answerable=not q.is_impossible, references=list(q.answers),
                 # a gold answer in the answer text passes; token F1 / EM score how close it is
                 must_include=[list(dict.fromkeys(q.answers))] if q.answers and not q.is_impossible else [],
                 tags=["unanswerable" if q.is_impossible else "answerable", q.doc_id], gold_doc=q.doc_id,
                 where=f"{path} (question {q.id})")
        for q in squad
    ]
    return QuestionSet(path, "squad", questions, sha, articles=articles)


def _mark_line(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    return str(mark.line + 1) if mark is not None else "?"


def _yaml_problem(exc: Exception) -> str:
    return str(getattr(exc, "problem", None) or exc).strip()
