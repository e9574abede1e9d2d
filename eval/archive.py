"""A generated news archive for ingest at scale, and its benchmark.

    python -m eval.archive OUT_DIR [--n 10000] [--seed 0]       # write the archive; prints what it made
    python -m eval.bench archive --n 10000 [--kill-at 0.5] [--json]   # generate, ingest, measure

**How the archive is made** (deterministic for a seed). The sentences of the Wikinews articles
(``eval/wikinews.py``; datelines left out; the articles of at least 12 sentences) are the material. Each
generated article draws on three of them: a random quarter of each one's sentences, kept in their order,
make 3–8 paragraphs of 2–4 sentences taken from the three in turn, so it reads like news on their topics
while two generated articles rarely share more than a sentence or two (recombining whole paragraphs made
most of a 2,000-article archive near-duplicates of each other). Then about half of its names and numbers
are swapped for invented ones, the same way throughout the article (an archive's articles have names and
figures of their own). Its headline is its first words; it gets a date spread uniformly over 2000–2025
and one of 40 publications, and is written as a newspaper export (``date …``, headline, body,
``Published in <paper>, <date>``) under ``OUT_DIR/<year>/``. A known share of the files (``DUP_SHARE``,
8 %) are **republications** of generated articles, made by the rules of ``eval/bench_dedup.py`` (new
headline and outlet, dateline, boilerplate, dropped paragraph or sentence, light edits), one to three
copies each; and a few files are **bad** (``BAD_PER_THOUSAND``, at least 4): empty, binary with NUL
bytes, Latin-1 instead of UTF-8, an HTML page with no text. ``.archive-plan.json`` among the articles
(hidden, so ingest skips it) records the truth: which files are copies of which, and which are bad.

**What the benchmark measures** (:func:`bench_archive`): the real ``ragchat ingest`` of the folder in a
subprocess, with its progress bar parsed as it runs (documents/s and the ETA it shows at 10/25/50/75 %,
compared with when the run really ended), chunks/s, the data directory's size on disk, the failures the
run reported, the near-duplicate groups it formed against the planted copies (pair precision/recall), a
no-op re-ingest, and as the reference the bare encoder on the chunks of a sample of the same articles, in
the same run. With ``--kill-at F`` the first ingest is killed (SIGKILL) when the bar reaches F and run
again: the resumed run's time and how much it skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date as Date
from datetime import timedelta
from itertools import combinations
from pathlib import Path

DUP_SHARE = 0.08
PLAN = ".archive-plan.json"
MIN_SOURCE_SENTENCES = 12  # shorter Wikinews articles are not drawn on: a third of them is a sentence or two
BAD_PER_THOUSAND = 1
START, END = Date(2000, 1, 1), Date(2025, 12, 31)
OUTLETS = ["The Daily Ledger", "Northern Courier", "Metro Gazette", "Coastal Times", "The Evening Post",
           "Valley Herald", "Capital Review", "The Morning Standard", "Harbour Chronicle", "Globe Dispatch",
           "Riverside Observer", "The Weekly Sentinel", "Lakeside Tribune", "Continental Press", "Wikinews",
           "The Union Journal", "Highland Record", "Prairie Messenger", "The Civic Voice", "Eastern Bulletin",
           "Western Advocate", "The Bay Examiner", "Summit Times", "The Plains Reporter", "Delta Herald",
           "The Island Star", "Midland Post", "Crescent City Daily", "The Border Telegraph", "Pacific Wire",
           "Atlantic Review", "The Old Town Crier", "Granite State Gazette", "Forest Hills Ledger",
           "The Canal Street Journal", "Northfield News", "Southport Sun", "The Market Square Times",
           "Red River Dispatch", "The Lantern"]
_SENTENCE = re.compile(r"(?<=[.!?\"”’])\s+(?=[A-Z\"“])")
_DATELINE = re.compile(r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),? [A-Z][a-z]+ \d{1,2}, \d{4}")


# --- generation -------------------------------------------------------------------------------------


def sentence_sources(folder: Path | None = None) -> list[dict]:
    """Every Wikinews article as ``{"title", "sentences"}`` (datelines and very short lines left out)."""
    from eval.wikinews import DEFAULT_DIR, load_articles

    sources = []
    for article in load_articles(folder or DEFAULT_DIR):
        sentences = []
        for paragraph in re.split(r"\n\s*\n", article.text):
            paragraph = " ".join(paragraph.split())
            if not paragraph or _DATELINE.match(paragraph):
                continue
            sentences += [s for s in _SENTENCE.split(paragraph) if 4 <= len(s.split()) <= 80]
        if len(sentences) >= 4:
            sources.append({"title": article.title, "sentences": sentences})
    return sources


_SYLLABLES = [c + v for c in "bdgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
_NOT_NAMES = frozenset("The A An He She It They We I In On At Of For And But Or As By To If When While After Before "
                       "This That These Those His Her Its Their Our Mr Mrs Ms Dr Monday Tuesday Wednesday Thursday "
                       "Friday Saturday Sunday January February March April May June July August September October "
                       "November December".split())
_TOKEN = re.compile(r"\b(?:[A-Z][a-z]{2,}|\d+)\b")


def _invented(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _vary(text: str, rng: random.Random) -> str:
    """Some names and numbers replaced, the same way throughout one article: an archive's articles have
    names and figures of their own even where their sentences resemble another's."""
    swap: dict[str, str] = {}
    for token in dict.fromkeys(_TOKEN.findall(text)):
        if token in _NOT_NAMES or rng.random() < 0.5:
            continue
        if token.isdigit():
            year = len(token) == 4 and token[:2] in ("19", "20")
            swap[token] = str(rng.randint(1950, 2025)) if year else str(rng.randint(10 ** (len(token) - 1) if
                                                                                     len(token) > 1 else 0,
                                                                                     10 ** len(token) - 1))
        else:
            swap[token] = _invented(rng)
    return _TOKEN.sub(lambda m: swap.get(m.group(0), m.group(0)), text)


def generated_article(i: int, sources: list[dict], seed: int) -> dict:
    """Article ``i``: ``{"title", "day", "outlet", "body"}`` (rules in the module docstring)."""
    rng = random.Random(seed * 1_000_003 + i)
    usable = [k for k, source in enumerate(sources) if len(source["sentences"]) >= MIN_SOURCE_SENTENCES]
    picked = rng.sample(usable, 3)
    # from each of three sources a quarter of its sentences, in their order: two articles drawing on the same
    # source share few sentences
    drawn = {k: sorted(rng.sample(range(len(sources[k]["sentences"])), len(sources[k]["sentences"]) // 4))
             for k in picked}
    paragraphs = []
    for n in range(rng.randint(3, 8)):
        k = picked[n % len(picked)]
        take = drawn[k][:rng.randint(2, 4)]
        drawn[k] = drawn[k][len(take):]
        if take:
            paragraphs.append(" ".join(sources[k]["sentences"][j] for j in take))
    day = START + timedelta(days=rng.randrange((END - START).days + 1))
    body = _vary("\n\n".join(paragraphs), rng)
    title = " ".join(body.split()[:rng.randint(6, 10)]).rstrip(",;:.")
    return {"title": title, "day": day, "outlet": rng.choice(OUTLETS), "body": body}


def _bad_file(kind: str, rng: random.Random) -> tuple[str, bytes]:
    if kind == "empty":
        return ".txt", b""
    if kind == "binary":
        return ".txt", bytes(rng.randrange(256) for _ in range(2048)) + b"\x00\x00"
    if kind == "latin-1":
        text = "date 2011-05-04\nCafé owners protest\n\nThe café owners of the old town protested on Monday."
        return ".txt", text.encode("latin-1")
    return ".html", b"<html><head><script>var x = 1;</script><style>p{}</style></head><body></body></html>"


BAD_KINDS = ["empty", "binary", "latin-1", "no text"]


def generate(out: Path, n: int, seed: int = 0, dup_share: float = DUP_SHARE,
             bad: int | None = None) -> dict:
    """Write ``n`` files into ``out`` (see the module docstring); returns the plan also written to
    ``out/.archive-plan.json``: ``{"files": [...], "copies": {copy file: original file}, "bad": {file: kind}}``."""
    from eval.bench_dedup import export, republish

    sources = sentence_sources()
    rng = random.Random(seed)
    bad = max(4, n * BAD_PER_THOUSAND // 1000) if bad is None else bad
    copies_wanted = int(n * dup_share)
    originals = n - bad - copies_wanted
    out.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    copies: dict[str, str] = {}
    bad_files: dict[str, str] = {}
    articles: list[tuple[str, dict]] = []

    def write(name: str, day: Date, data: bytes) -> str:
        path = out / str(day.year) / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        relative = str(path.relative_to(out))
        files.append(relative)
        return relative

    for i in range(originals):
        article = generated_article(i, sources, seed)
        text = export(article["day"], article["title"], article["body"], article["outlet"])
        articles.append((write(f"arch-{i:06d}.txt", article["day"], text.encode()), article))
    number = originals
    while len(copies) < copies_wanted:
        original, article = articles[rng.randrange(len(articles))]
        if original in copies.values() or original in copies:
            continue
        for _ in range(min(rng.choice([1, 1, 2, 3]), copies_wanted - len(copies))):
            outlet = rng.choice([o for o in OUTLETS if o != article["outlet"]])
            text, _ = republish(article["title"], article["body"], article["day"], rng, outlet=outlet,
                                original_outlet=article["outlet"])
            day = Date.fromisoformat(text[5:15])
            copies[write(f"arch-{number:06d}.txt", day, text.encode())] = original
            number += 1
    for k in range(bad):
        kind = BAD_KINDS[k % len(BAD_KINDS)]
        suffix, data = _bad_file(kind, rng)
        day = START + timedelta(days=rng.randrange((END - START).days + 1))
        bad_files[write(f"arch-{number:06d}{suffix}", day, data)] = kind
        number += 1
    plan = {"n": n, "seed": seed, "files": sorted(files), "copies": copies, "bad": bad_files,
            "originals": originals}
    (out / PLAN).write_text(json.dumps(plan, indent=1) + "\n")
    return plan


# --- the benchmark ----------------------------------------------------------------------------------

_PROGRESS = re.compile(r"(\d+)/(\d+) \[([\d:]+)<([\d:?]+)")


def _seconds(clock: str) -> float | None:
    if "?" in clock:
        return None
    seconds = 0.0
    for part in clock.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


class ProgressReader(threading.Thread):
    """Reads a ``ragchat ingest`` process's stderr as it comes; keeps every progress update as
    ``(wall seconds since start, done, total, bar's elapsed, bar's remaining)`` and the other lines."""

    def __init__(self, proc: subprocess.Popen, started: float):
        super().__init__(daemon=True)
        self.proc, self.started = proc, started
        self.updates: list[tuple[float, int, int, float, float | None]] = []
        self.lines: list[str] = []

    def run(self) -> None:
        buffer = ""
        while True:
            char = self.proc.stderr.read(1)
            if not char:
                break
            if char in "\r\n":
                self._line(buffer)
                buffer = ""
            else:
                buffer += char
        self._line(buffer)

    def _line(self, line: str) -> None:
        match = _PROGRESS.search(line)
        if match:
            done, total = int(match[1]), int(match[2])
            self.updates.append((time.perf_counter() - self.started, done, total, _seconds(match[3]),
                                 _seconds(match[4])))
        elif line.strip():
            self.lines.append(line)

    def done(self) -> int:
        return self.updates[-1][1] if self.updates else 0


def run_ingest(folder: Path, data: Path, kill_at: float | None = None) -> dict:
    """``ragchat ingest folder`` in a subprocess; SIGKILL it when the bar reaches ``kill_at`` (a fraction)."""
    env = {**os.environ, "RAGCHAT_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "rag", "ingest", str(folder), "--collection", "archive"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader = ProgressReader(proc, started)
    reader.start()
    killed = False
    while proc.poll() is None:
        if kill_at is not None and reader.updates and reader.updates[-1][1] >= kill_at * reader.updates[-1][2]:
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.05)
    stdout = proc.communicate()[0]
    reader.join(timeout=10)
    return {"seconds": time.perf_counter() - started, "returncode": proc.returncode, "killed": killed,
            "stdout": stdout, "updates": reader.updates, "lines": reader.lines, "done_at_kill": reader.done()}


def eta_accuracy(updates: list[tuple], finished: float) -> list[dict]:
    """What the bar predicted at 10/25/50/75 % of the files against when the run really finished
    (``finished``: wall seconds since the process started)."""
    rows = []
    for share in (0.1, 0.25, 0.5, 0.75):
        at = next((u for u in updates if u[2] and u[1] >= share * u[2] and u[4] is not None), None)
        if at is None:
            continue
        wall, done, total, _, remaining = at
        actual = finished - wall
        rows.append({"at": share, "done": done, "eta_s": remaining, "actual_remaining_s": round(actual, 1),
                     "error": round((remaining - actual) / actual, 3) if actual > 0 else None})
    return rows


def dup_pairs(plan: dict, groups: dict[str, str], doc_of: dict[str, str], folder: Path) -> dict:
    """Pair precision/recall of the store's groups against the planted copies; the pairs grouped but not
    planted are told apart by their exact shingle Jaccard similarity: at least the threshold means the
    generator made two articles that alike (the detector was right), below it a detector error."""
    from eval.bench_dedup import _prf
    from ingest.dedup import SHINGLE_WORDS, THRESHOLD, shingles

    cluster: dict[str, str] = {}
    for copy, original in plan["copies"].items():
        cluster[doc_of.get(copy, copy)] = doc_of.get(original, original)
        cluster.setdefault(doc_of.get(original, original), doc_of.get(original, original))
    truth_groups: dict[str, list[str]] = {}
    for doc, root in cluster.items():
        truth_groups.setdefault(root, []).append(doc)
    truth = {tuple(sorted(p)) for docs in truth_groups.values() for p in combinations(docs, 2)}
    found_groups: dict[str, list[str]] = {}
    for doc, group in groups.items():
        found_groups.setdefault(group, []).append(doc)
    found = {tuple(sorted(p)) for docs in found_groups.values() for p in combinations(docs, 2)}
    file_of = {doc: file for file, doc in doc_of.items()}
    alike = 0
    for a, b in found - truth:
        sa, sb = (shingles((folder / file_of[d]).read_text(encoding="utf-8"), SHINGLE_WORDS) for d in (a, b))
        alike += len(sa & sb) / len(sa | sb) >= THRESHOLD
    return {**_prf(found, truth), "groups_with_copies": sum(len(d) > 1 for d in found_groups.values()),
            "planted_groups": len(truth_groups), "unplanted_pairs_alike_by_exact_jaccard": alike}


def reference_encoder(folder: Path, plan: dict, sample: int) -> dict:
    """The bare encoder on the chunks of a sample of the archive's articles (the configured embedder,
    one ``embed_batch`` call), as ``eval.bench ingest`` measures it."""
    from ingest.chunking import TokenizerCounter, chunk_text
    from ingest.embedder import make_embedder, minilm_tokenizer
    from rag.settings import load_settings

    counter = TokenizerCounter(minilm_tokenizer())
    good = [f for f in plan["files"] if f not in plan["bad"]]
    picked = random.Random(1).sample(good, min(sample, len(good)))
    texts = [c.text for f in picked for c in chunk_text((folder / f).read_text(encoding="utf-8"), counter)]
    embedder = make_embedder(load_settings().embedder)
    embedder.embed_batch(texts[:32])  # warm-up
    started = time.perf_counter()
    embedder.embed_batch(texts)
    seconds = time.perf_counter() - started
    return {"embedder": embedder.name, "sample_articles": len(picked), "sample_chunks": len(texts),
            "raw_encoder_texts_per_s": round(len(texts) / seconds, 1),
            "chunks_per_article": round(len(texts) / len(picked), 2)}


def _disk_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def bench_archive(args: argparse.Namespace) -> dict:
    from ingest.embedder import embedder_spec
    from ingest.store import Store
    from rag.settings import Settings, load_settings, offline_environment

    offline_environment()
    n = getattr(args, "n", None) or 10_000
    kill_at = getattr(args, "kill_at", None)
    keep = getattr(args, "out", None)
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="ragchat-archive-"))
    folder, data = work / "archive", work / "data"
    shutil.rmtree(data, ignore_errors=True)
    began = time.perf_counter()
    plan = generate(folder, n, seed=getattr(args, "seed", None) or 0)
    generate_s = time.perf_counter() - began
    try:
        reference = reference_encoder(folder, plan, getattr(args, "sample", None) or 200)
        load = [os.getloadavg()[0]]
        first = run_ingest(folder, data, kill_at)
        runs = [first]
        if first["killed"]:
            runs.append(run_ingest(folder, data))
        final = runs[-1]
        load.append(os.getloadavg()[0])
        report = json.loads((data / "ingest-report.json").read_text())
        again = run_ingest(folder, data)
        noop = json.loads((data / "ingest-report.json").read_text())
        settings = Settings(data_dir=data)
        store = Store(settings, *embedder_spec(load_settings().embedder), collection="archive", create=False)
        try:
            docs = store.documents()
            groups = store.dup_groups()
            chunks = store.count()
        finally:
            store.close()
        doc_of = {str(Path(m["source"]).relative_to(folder)): d for d, m in docs.items()}
        duplicates = dup_pairs(plan, groups, doc_of, folder)
    finally:
        disk = _disk_mb(data) if data.exists() else 0.0
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    ingest_s = sum(r["seconds"] for r in runs)
    bar_end = final["updates"][-1][0] if final["updates"] else final["seconds"]
    written = len(docs)
    figures = {
        "n": n, "embedder": reference["embedder"], "generate_seconds": round(generate_s, 1),
        "documents_stored": written, "chunks_stored": chunks,
        "bad_files": len(plan["bad"]), "failed_reported": report["failed"],
        "failed_files": sorted(str(Path(e["file"]).relative_to(folder)) for e in report["errors"]),
        "planted_copies": len(plan["copies"]),
        "ingest_seconds": round(ingest_s, 1),
        "documents_per_s": round(written / ingest_s, 2),
        "chunks_per_s": round(chunks / ingest_s, 2),
        "pipeline_chunks_per_s_in_run": report["chunks_per_s"],
        **reference,
        "pipeline_vs_raw": round((chunks / ingest_s) / reference["raw_encoder_texts_per_s"], 3),
        "eta": eta_accuracy(final["updates"], bar_end) if not first["killed"] else [],
        "disk_mb": disk, "noop_reingest_seconds": round(again["seconds"], 1),
        "noop_reingest_in_process_seconds": noop["seconds"],
        "near_duplicates": duplicates,
        "load_average": [round(x, 2) for x in load],
    }
    if first["killed"]:
        figures["kill"] = {"at_fraction": kill_at, "files_done_at_kill": first["done_at_kill"],
                           "killed_after_s": round(first["seconds"], 1),
                           "resumed_seconds": round(runs[1]["seconds"], 1),
                           "resumed_skipped_unchanged": report["unchanged"], "resumed_added": report["added"],
                           "repaired": report["repaired"]}
    print(render(figures))
    return figures


def render(f: dict) -> str:
    dup = f["near_duplicates"]
    rows = [
        ("articles generated", f"{f['n']:,} ({f['planted_copies']} planted republications, {f['bad_files']} bad "
                               f"files; {f['generate_seconds']} s)"),
        ("stored", f"{f['documents_stored']:,} documents, {f['chunks_stored']:,} chunks, {f['disk_mb']} MB on disk"),
        ("ingest (ragchat ingest, wall)", f"{f['ingest_seconds']} s: {f['documents_per_s']} documents/s, "
                                          f"{f['chunks_per_s']} chunks/s"),
        ("bare encoder, same kind of chunks", f"{f['raw_encoder_texts_per_s']} texts/s ({f['sample_chunks']} chunks of "
                                              f"{f['sample_articles']} articles; {f['embedder']})"),
        ("pipeline / bare encoder", f"{f['pipeline_vs_raw']}"),
        ("failures reported", f"{f['failed_reported']} of {f['bad_files']} bad files"),
        ("near-duplicate groups vs planted", f"pair precision {dup['precision']}, recall {dup['recall']} "
                                             f"({dup['groups_with_copies']} groups found, {dup['planted_groups']} "
                                             f"planted; of the {dup['false_positives']} pairs grouped but not planted, "
                                             f"{dup['unplanted_pairs_alike_by_exact_jaccard']} are that alike)"),
        ("no-op re-ingest", f"{f['noop_reingest_seconds']} s wall ({f['noop_reingest_in_process_seconds']} s in "
                            "the pipeline)"),
        ("load average", f"{f['load_average']}"),
    ]
    for e in f["eta"]:
        rows.append((f"ETA at {e['at']:.0%} ({e['done']} files)",
                     f"said {e['eta_s']:.0f} s, took {e['actual_remaining_s']:.0f} s (error {e['error']:+.0%})"))
    if "kill" in f:
        k = f["kill"]
        rows.append(("killed (SIGKILL)", f"at {k['files_done_at_kill']} files after {k['killed_after_s']} s; resumed "
                                         f"in {k['resumed_seconds']} s: {k['resumed_skipped_unchanged']} skipped as "
                                         f"stored, {k['resumed_added']} added, repaired {k['repaired']}"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.archive", description="write a generated news archive")
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    plan = generate(args.out, args.n, args.seed)
    print(f"{args.n} files in {args.out}: {plan['originals']} articles, {len(plan['copies'])} republications, "
          f"{len(plan['bad'])} bad files (see {PLAN})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
