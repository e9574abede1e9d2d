"""The reports of ``ragchat eval --out DIR``: ``results.json``, ``summary.md``, ``report.html`` and
``history.jsonl`` (one line per run, the last :data:`KEEP_RUNS` kept) that feeds the HTML chart.

The HTML report is one self-contained file (inline CSS and SVG, no scripts from anywhere) so it opens from
a CI artifact as well as from disk.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

KEEP_RUNS = 100
RATE_FIGURES = ("pass_rate", "token_f1", "exact_match", "hit_at_k", "mrr", "evidence_hit", "refusal_precision",
                "refusal_recall")
TIME_FIGURES = ("latency_p50_ms", "latency_p95_ms", "first_token_p50_ms", "retrieve_p50_ms")
LABELS = {"pass_rate": "pass rate", "token_f1": "token F1", "exact_match": "exact match", "hit_at_k": "hit@k",
          "mrr": "MRR", "evidence_hit": "evidence hit", "refusal_precision": "refusal precision",
          "refusal_recall": "refusal recall", "context_chars": "context chars / question",
          "latency_p50_ms": "latency p50 (ms)", "latency_p95_ms": "latency p95 (ms)",
          "first_token_p50_ms": "first token p50 (ms)", "retrieve_p50_ms": "retrieval p50 (ms)"}
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def write_reports(out: Path, results: dict) -> dict[str, Path]:
    """Write every report into ``out`` (created if needed); returns their paths by kind."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    history = append_history(out / "history.jsonl", results)
    paths = {"json": out / "results.json", "markdown": out / "summary.md", "html": out / "report.html",
             "history": out / "history.jsonl"}
    paths["json"].write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    paths["markdown"].write_text(markdown(results), encoding="utf-8")
    paths["html"].write_text(html(results, history), encoding="utf-8")
    return paths


def append_history(path: Path, results: dict) -> list[dict]:
    """Add this run to the history and return the runs of the same set, oldest first."""
    manifest = results["manifest"]
    entry = {"time": manifest.get("time"), "set": manifest.get("set"), "commit": manifest.get("git_commit"),
             "backend": manifest.get("backend"), "collection": manifest.get("collection"),
             "limit": manifest.get("limit"), "regressions": len(results.get("comparison", {}).get("regressions", [])),
             "summary": {k: v for k, v in results["summary"].items() if k != "tags"}}
    runs = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                runs.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short by a crash; the rest is still history
    runs = (runs + [entry])[-KEEP_RUNS:]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in runs), encoding="utf-8")
    return [r for r in runs if r.get("set") == entry["set"]]


def fmt(metric: str, value: object) -> str:
    if value is None:
        return "–"
    if metric.endswith("_ms") or metric == "context_chars":
        return f"{value:,.0f}"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


# --- Markdown ---------------------------------------------------------------------------------------


def markdown(results: dict) -> str:
    summary, manifest = results["summary"], results["manifest"]
    headline = (f"{summary['passed']}/{summary['total']} passed · backend `{manifest.get('backend')}` · "
                f"collection `{manifest.get('collection')}` · commit `{manifest.get('git_commit')}` · "
                f"{manifest.get('time')}")
    lines = [f"# Evaluation of {manifest.get('set')}", "", headline, "", "| figure | value |", "| --- | --- |"]
    for key in ("pass_rate", *RATE_FIGURES[1:], "context_chars", *TIME_FIGURES):
        if summary.get(key) is not None:
            lines.append(f"| {LABELS[key]} | {fmt(key, summary[key])} |")
    if summary.get("tags"):
        lines += ["", "## Per tag", "", "| tag | passed | token F1 | hit@k | refusal recall |",
                  "| --- | --- | --- | --- | --- |"]
        for tag, fig in summary["tags"].items():
            lines.append(f"| {tag} | {fig['passed']}/{fig['total']} | {fmt('f1', fig['token_f1'])} | "
                         f"{fmt('h', fig['hit_at_k'])} | {fmt('r', fig['refusal_recall'])} |")
    comparison = results.get("comparison")
    if comparison:
        lines += ["", f"## Against the baseline ({results.get('baseline')})", ""]
        for title, key in (("Regressions", "regressions"), ("Now failing (not critical)", "changes"),
                           ("Improvements", "improvements"), ("Notes", "notes")):
            if comparison.get(key):
                lines += [f"**{title}**", ""] + [f"- {item}" for item in comparison[key]] + [""]
        if not comparison.get("regressions"):
            lines.append("No regression.")
    failed = [q for q in results["questions"] if not q["passed"]]
    if failed:
        lines += ["", "## Failed questions", ""]
        lines += [f"- `{q['id']}`{' (critical)' if q.get('critical') else ''}: {'; '.join(q['reasons'])}"
                  for q in failed]
    return "\n".join(lines) + "\n"


# --- HTML -------------------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;
text-align:left}th{background:#f4f4f4}tr.fail td.verdict{background:#fdd}tr.pass td.verdict{background:#dfd}
.q td{max-width:32em}.quote{color:#444;font-size:13px}.reasons{color:#a00}.meta{color:#666}
small{color:#666}svg{background:#fff;border:1px solid #ddd;margin:0.5em 1em 0.5em 0}
"""


def html(results: dict, history: list[dict]) -> str:
    summary, manifest = results["summary"], results["manifest"]
    name = escape(str(manifest.get("set")))
    meta = {k: escape(str(manifest.get(k))) for k in ("backend", "collection", "git_commit", "time")}
    parts = [(f"<!doctype html><html><head><meta charset='utf-8'><title>ragchat eval: {name}</title>"
              f"<style>{_CSS}</style></head><body>"),
             f"<h1>Evaluation of {name}</h1>",
             (f"<p class='meta'>{summary['passed']}/{summary['total']} passed · backend <code>{meta['backend']}</code>"
              f" · collection <code>{meta['collection']}</code> · commit <code>{meta['git_commit']}</code> · "
              f"{meta['time']}</p>")]
    comparison = results.get("comparison")
    if comparison:
        regressions = comparison.get("regressions") or []
        parts.append(f"<h2>Against the baseline</h2><p>{len(regressions)} regression(s).</p>")
        for key in ("regressions", "changes", "improvements", "notes"):
            if comparison.get(key):
                parts.append(f"<p><b>{key}</b></p><ul>" + "".join(f"<li>{escape(i)}</li>" for i in comparison[key])
                             + "</ul>")
    parts.append("<h2>Figures</h2><table><tr><th>figure</th><th>value</th></tr>")
    for key in (*RATE_FIGURES, "context_chars", *TIME_FIGURES):
        if summary.get(key) is not None:
            parts.append(f"<tr><td>{LABELS[key]}</td><td>{fmt(key, summary[key])}</td></tr>")
    parts.append("</table>")
    parts.append(f"<h2>History ({len(history)} run{'s' if len(history) != 1 else ''})</h2>")
    parts.append(line_chart(history, RATE_FIGURES, "rates (0–1)", fixed_max=1.0))
    parts.append(line_chart(history, TIME_FIGURES, "timings (ms)"))
    if summary.get("tags"):
        parts.append("<h2>Per tag</h2><table><tr><th>tag</th><th>passed</th><th>token F1</th><th>hit@k</th>"
                     "<th>refusal recall</th><th>latency p50</th></tr>")
        for tag, f in summary["tags"].items():
            parts.append(f"<tr><td>{escape(tag)}</td><td>{f['passed']}/{f['total']}</td>"
                         f"<td>{fmt('f', f['token_f1'])}</td><td>{fmt('h', f['hit_at_k'])}</td>"
                         f"<td>{fmt('r', f['refusal_recall'])}</td><td>{fmt('_ms', f['latency_p50_ms'])}</td></tr>")
        parts.append("</table>")
    parts.append("<h2>Questions</h2><table class='q'><tr><th>verdict</th><th>id</th><th>question</th>"
                 "<th>answer</th><th>quotes</th><th>ms</th></tr>")
    parts += [_question_row(q) for q in results["questions"]]
    parts.append("</table>")
    parts.append(f"<h2>Manifest</h2><pre>{escape(json.dumps(manifest, indent=1, ensure_ascii=False))}</pre>")
    return "\n".join(parts) + "</body></html>\n"


def _question_row(q: dict) -> str:
    verdict = "pass" if q["passed"] else "fail"
    reasons = "".join(f"<div class='reasons'>{escape(r)}</div>" for r in q.get("reasons") or [])
    history = "".join(f"<div class='meta'>{escape(m['role'])}: {escape(m['content'])}</div>"
                      for m in q.get("history") or [])
    standalone = q.get("standalone_question")
    rewritten = (f"<div class='meta'>→ {escape(standalone)}</div>"
                 if standalone and standalone != q["question"] else "")
    quotes = "".join(
        f"<div class='quote'>[{c['n']}] “{escape(c['quote'])}” <small>{escape(c['source'])}:"
        f"{c['start']}-{c['end']}</small></div>" for c in q.get("citations") or [])
    tags = ", ".join(q.get("tags") or [])
    return (f"<tr class='{verdict}'><td class='verdict'>{verdict}{' ★' if q.get('critical') else ''}</td>"
            f"<td>{escape(q['id'])}<br><small>{escape(tags)}</small></td>"
            f"<td>{history}{escape(q['question'])}{rewritten}</td>"
            f"<td>{'<i>refused</i> ' if q.get('refused') else ''}{escape(q.get('answer') or '')}{reasons}</td>"
            f"<td>{quotes}</td><td>{fmt('_ms', q.get('latency_ms'))}</td></tr>")


def line_chart(runs: list[dict], metrics: tuple[str, ...], title: str, fixed_max: float | None = None,
               width: int = 640, height: int = 220) -> str:
    """An inline SVG line chart of ``metrics`` over ``runs`` (oldest left); one point per run."""
    series = {m: [r["summary"].get(m) for r in runs] for m in metrics}
    series = {m: v for m, v in series.items() if any(x is not None for x in v)}
    if not series:
        return f"<p class='meta'>No {escape(title)} to chart yet.</p>"
    top = fixed_max or max(x for v in series.values() for x in v if x is not None) * 1.1 or 1.0
    left, right, pad = 48, 170, 20
    plot_w, plot_h = width - left - right, height - 2 * pad
    n = len(runs)

    def xy(i: int, value: float) -> tuple[float, float]:
        x = left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)
        return x, pad + plot_h * (1 - value / top)

    out = [(f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' "
            f"aria-label='{escape(title)}'><text x='{left}' y='14' font-size='12'>{escape(title)}</text>")]
    for k in range(5):
        value = top * k / 4
        _, y = xy(0, value)
        label = f"{value:.2f}" if fixed_max or top < 10 else f"{value:,.0f}"
        out.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{y:.1f}' y2='{y:.1f}' stroke='#eee'/>"
                   f"<text x='{left - 6}' y='{y + 4:.1f}' font-size='10' text-anchor='end'>{label}</text>")
    for i, run in enumerate(runs):  # x axis: each run's commit, or just the first and last of many
        if n <= 12 or i in (0, n - 1):
            x, _ = xy(i, 0)
            out.append(f"<text x='{x:.1f}' y='{height - 4}' font-size='9' text-anchor='middle'>"
                       f"{escape(str(run.get('commit') or '')[:7])}</text>")
    for index, (metric, values) in enumerate(series.items()):
        color = COLORS[index % len(COLORS)]
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in points))
        out.append(f"<polyline fill='none' stroke='{color}' stroke-width='2' points='{coords}'/>")
        for i, v in points:
            x, y = xy(i, v)
            run = runs[i]
            tip = f"{LABELS[metric]} {fmt(metric, v)} · {run.get('time')} · {run.get('commit')}"
            out.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='{color}'><title>{escape(tip)}</title>"
                       "</circle>")
        ly = pad + 14 * index
        out.append(f"<rect x='{width - right + 12}' y='{ly}' width='10' height='10' fill='{color}'/>"
                   f"<text x='{width - right + 26}' y='{ly + 9}' font-size='11'>{escape(LABELS[metric])}</text>")
    out.append("</svg>")
    return "".join(out)
