"""The baseline gate: compare a run with a stored baseline, per question and per aggregate.

A regression (exit 100) is a ``critical`` question that passed in the baseline and fails now, or an
aggregate that got worse by more than its tolerance. Aggregates are recomputed on both sides over exactly
the questions the two runs share, so ``--limit`` runs and sets that gained questions compare fairly.

Tolerances (the question set's ``tolerances`` mapping or a ``<set>.tolerances.yaml`` beside it) give the
largest allowed change before it counts: an absolute drop for rates (0..1), a relative increase for the
``_ms`` timings and ``context_chars`` (0.5 = 50 % slower). ``null`` leaves a figure ungated; timings are
ungated by default because CI machines differ. Per-tag tolerances go under ``tags: {TAG: {metric: tol}}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from eval.metrics import SCORE_FIELDS, aggregate
from rag.errors import EvalError

BASELINE_VERSION = 1
HIGHER_IS_BETTER = ("pass_rate", "token_f1", "exact_match", "hit_at_k", "mrr", "evidence_hit",
                    "refusal_precision", "refusal_recall")
LOWER_IS_BETTER = ("latency_p50_ms", "latency_p95_ms", "first_token_p50_ms", "retrieve_p50_ms", "context_chars")
DEFAULT_TOLERANCES: dict[str, float | None] = {
    "pass_rate": 0.05, "token_f1": 0.02, "exact_match": 0.02, "hit_at_k": 0.02, "mrr": 0.02,
    "evidence_hit": 0.02, "refusal_precision": 0.05, "refusal_recall": 0.05,
    **{name: None for name in LOWER_IS_BETTER},
}
_EPSILON = 1e-9


@dataclass
class Comparison:
    regressions: list[str] = field(default_factory=list)  # any of these: exit 100
    changes: list[str] = field(default_factory=list)  # non-critical questions that flipped to fail
    improvements: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"regressions": self.regressions, "changes": self.changes, "improvements": self.improvements,
                "notes": self.notes}


def resolve_tolerances(given: dict, where: str) -> dict:
    """Defaults overlaid with ``given``; unknown metrics and bad values are errors naming ``where``."""
    tolerances: dict = dict(DEFAULT_TOLERANCES)
    tags = {}
    for key, value in (given or {}).items():
        if key == "tags":
            if not isinstance(value, dict):
                raise EvalError(f"{where}: tolerances.tags must map a tag to {{metric: tolerance}}.")
            tags = {str(tag): _checked(per_tag or {}, f"{where} (tag {tag})") for tag, per_tag in value.items()}
        else:
            tolerances.update(_checked({key: value}, where))
    tolerances["tags"] = tags
    return tolerances


def _checked(values: dict, where: str) -> dict:
    if not isinstance(values, dict):
        raise EvalError(f"{where}: tolerances must be a mapping like `token_f1: 0.02`.")
    for key, value in values.items():
        if key not in DEFAULT_TOLERANCES:
            raise EvalError(f"{where}: unknown tolerance {key!r}; known: {', '.join(DEFAULT_TOLERANCES)}.")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
            raise EvalError(f"{where}: tolerance {key} must be a number >= 0 or null, got {value!r}.")
    return dict(values)


# --- files ------------------------------------------------------------------------------------------


def baseline_rows(rows: list[dict]) -> dict[str, dict]:
    """What a baseline keeps of each question: its verdict and the figures :func:`aggregate` needs."""
    return {r["id"]: {k: r.get(k) for k in (*SCORE_FIELDS, "reasons")} for r in rows}


def write_baseline(path: Path, results: dict) -> None:
    data = {
        "version": BASELINE_VERSION,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "set": results["manifest"].get("set"),
        "manifest": results["manifest"],
        "summary": {k: v for k, v in results["summary"].items() if k != "tags"},
        "questions": baseline_rows(results["questions"]),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def load_baseline(path: Path) -> dict:
    path = Path(path)
    if not path.exists():
        raise EvalError(f"baseline {path} does not exist; write one with `ragchat eval SET --baseline {path} "
                        "--update-baseline`.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EvalError(f"baseline {path} is not valid JSON ({exc}); rewrite it with --update-baseline.") from None
    if not isinstance(data, dict) or not isinstance(data.get("questions"), dict):
        raise EvalError(f"baseline {path} has no \"questions\" mapping; rewrite it with --update-baseline.")
    if data.get("version") != BASELINE_VERSION:
        raise EvalError(f"baseline {path} has version {data.get('version')!r}, this ragchat writes "
                        f"{BASELINE_VERSION}; rewrite it with --update-baseline.")
    return data


# --- the comparison ---------------------------------------------------------------------------------


def compare(baseline: dict, rows: list[dict], tolerances: dict) -> Comparison:
    """Everything that changed between ``baseline`` and this run's ``rows``; see the module docstring."""
    result = Comparison()
    before: dict[str, dict] = baseline["questions"]
    now = {r["id"]: r for r in rows}
    common = [qid for qid in now if qid in before]
    new = [qid for qid in now if qid not in before]
    if new:
        result.notes.append(f"{len(new)} question(s) not in the baseline, not compared: {_ids(new)}")
    if not common:
        result.notes.append("no question in common with the baseline; nothing compared")
        return result
    for qid in common:
        was, row = before[qid], now[qid]
        if was.get("passed") and not row["passed"]:
            why = "; ".join(row.get("reasons") or []) or "no reason recorded"
            if row.get("critical"):
                result.regressions.append(f"critical question {qid} now fails: {why}")
            else:
                result.changes.append(f"{qid} now fails: {why}")
        elif not was.get("passed") and row["passed"]:
            result.improvements.append(f"{qid} now passes")
    old_rows, new_rows = [before[q] for q in common], [now[q] for q in common]
    scope = "" if len(common) == len(before) else f" (over the {len(common)} questions both runs have)"
    result.regressions += _aggregate_regressions(aggregate(old_rows), aggregate(new_rows), tolerances, scope)
    for tag, per_tag in sorted(tolerances.get("tags", {}).items()):
        old = [r for r in old_rows if tag in (r.get("tags") or [])]
        new_tagged = [r for r in new_rows if tag in (r.get("tags") or [])]
        if old and new_tagged:
            result.regressions += _aggregate_regressions(aggregate(old), aggregate(new_tagged), per_tag,
                                                         f" in tag {tag!r}{scope}")
    return result


def _aggregate_regressions(old: dict, new: dict, tolerances: dict, scope: str) -> list[str]:
    found = []
    for metric, tolerance in tolerances.items():
        if metric == "tags" or tolerance is None or old.get(metric) is None or new.get(metric) is None:
            continue
        a, b = float(old[metric]), float(new[metric])
        if metric in HIGHER_IS_BETTER and a - b > tolerance + _EPSILON:
            found.append(f"{metric} dropped {a:.4f} -> {b:.4f} ({b - a:+.4f}; tolerance {tolerance}){scope}")
        elif metric in LOWER_IS_BETTER and a > 0 and (b - a) / a > tolerance + _EPSILON:
            found.append(f"{metric} rose {a:.1f} -> {b:.1f} ({(b - a) / a:+.1%}; tolerance {tolerance:.0%})"
                         f"{scope}")
    return found


def _ids(ids: list[str], shown: int = 5) -> str:
    return ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")
