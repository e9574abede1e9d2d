"""Near-duplicate detection measured on labelled pairs: ``python -m eval.bench dedup [--json]``.

**The labelled pool.** The 293 Wikinews articles (``eval/wikinews.py``; newspaper-export files with a date
line, a title and a ``Published in …`` footer) are shuffled (seed 0) and split in halves: parameters are
chosen on the dev half and reported on the held-out test half. For each article of a half the pool holds:

* the article itself;
* ``VARIANTS`` **republications** (:func:`republish`, seeded), as another outlet runs a wire story. Every
  one has a new headline (the outlet's name added, "UPDATE:" in front, or the first words of the lead as
  headline) and a new publication and date (0–3 days later) in its date line and footer; then, each
  with its own probability: the dateline ("Monday, January 7, 2019") replaced by an outlet dateline or
  dropped (0.6); one paragraph other than the lead dropped (0.5, when there are at least three); one
  sentence dropped (0.3); the end cut (final paragraphs dropped, 0.2); one or two boilerplate lines added
  at the top or end ("Reporting by …; Editing by …", copyright, newsletter and social-media lines, 0.6);
  light edits: two to six spelling and style substitutions ("per cent" / "percent", "organisation" /
  "organization", "US" / "U.S.", small numbers as words or digits, "said" / "stated", 0.7). Whatever is
  dropped or cut, a republication keeps at least 70 % of the article's text (a story cut to a third is a
  different item, not a copy);
* one **follow-up** story: the article with a new headline and one paragraph of the *most similar other
  article* of the half (by word TF-IDF cosine: the same event, as background) inserted after its second
  paragraph (one of at most 30 % of the article's length: background, not the bulk of it). It is a
  republication of its own article (a paragraph added), and a hard negative for the article its
  paragraph came from.

The truth: two documents are duplicates exactly when they come from the same article. Negatives are every
other pair of the pool, which includes the **same-topic** pairs (the 1 % of article pairs with the highest
TF-IDF cosine: Wikinews has several articles on one event) and the follow-up vs the article it borrowed from.

**What is measured.** For each parameter choice (words per shingle, permutations, threshold), every pool
document is signed and put in a MinHash LSH; a pair is detected when LSH returns it and the estimated
Jaccard similarity is at least the threshold. Precision and recall are over all pairs of the pool. The
chosen parameters (highest dev F1, then the fewest permutations) are then run on the test half: pair
precision/recall, recall per edit kind, false positives among same-topic and follow-up pairs, exact
Jaccard with the same threshold as the reference, and the groups :class:`ingest.dedup.DedupIndex` forms
when the pool is ingested in a random order (pair precision/recall of "in the same group"), with the cost
per document of signing and placing.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import time
from collections import Counter
from datetime import date as Date
from datetime import timedelta
from itertools import combinations

VARIANTS = 4
KEEP_AT_LEAST = 0.7  # of the article's text, whatever is dropped or cut
BORROW_AT_MOST = 0.3  # a follow-up's borrowed paragraph, as a share of its own article's length
SEED = 0
SHINGLE_CHOICES = (3, 4, 5, 7)
PERM_CHOICES = (64, 128, 256)
THRESHOLD_CHOICES = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)

OUTLETS = ["Reuters Wire Service", "The Daily Ledger", "Northern Courier", "Metro Gazette", "Coastal Times",
           "The Evening Post", "Valley Herald", "Capital Review", "The Morning Standard", "Harbour Chronicle",
           "Globe Dispatch", "Riverside Observer", "The Weekly Sentinel", "Lakeside Tribune", "Continental Press"]
_NAMES = ["Anna Kowalski", "Tom Reyes", "Priya Nair", "Jonas Berg", "Maria Santos", "Liam O'Connor",
          "Aiko Tanaka", "Samuel Okafor", "Elena Petrova", "David Cohen"]
BOILERPLATE = [
    "Reporting by {name}; Editing by {name2}.",
    "Copyright {year} {outlet}. All rights reserved.",
    "Sign up for the {outlet} morning briefing, delivered to your inbox every weekday.",
    "Follow {outlet} on Twitter and Facebook for the latest news.",
    "Additional reporting by {name}.",
    "This story has been updated with more details.",
    "This article first appeared on Wikinews and is republished under a Creative Commons licence.",
]
_STYLE = [("per cent", "percent"), ("percent", "per cent"), ("organisation", "organization"),
          ("organization", "organisation"), ("U.S.", "US"), ("US", "U.S."), ("UK", "U.K."), ("centre", "center"),
          ("center", "centre"), ("defence", "defense"), ("defense", "defence"), ("Mr.", "Mr"), ("Dr.", "Dr"),
          ("two", "2"), ("three", "3"), ("four", "4"), ("five", "5"), ("six", "6"), ("2", "two"), ("3", "three"),
          ("10", "ten"), ("said", "stated"), ("told", "said to"), ("about", "around"), ("However,", "But")]
_DATELINE = re.compile(r"\A\s*(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),? [A-Z][a-z]+ \d{1,2}, "
                       r"\d{4}\W*\n")


def _long_date(day: Date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def export(day: Date, title: str, body: str, outlet: str) -> str:
    """A newspaper-export file as ``eval/wikinews.py`` writes them (date line, title, body, footer)."""
    return f"date {day.isoformat()}\n{title}\n\n{body.strip()}\n\nPublished in {outlet}, {_long_date(day)}\n"


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]


def _sentences(paragraph: str) -> list[str]:
    return re.split(r"(?<=[.!?\"”’])\s+(?=[A-Z\"“])", paragraph)


def new_headline(title: str, lead: str, outlet: str, rng: random.Random) -> str:
    how = rng.randrange(3)
    if how == 0:
        return f"{title} | {outlet}"
    if how == 1:
        return f"UPDATE: {title}"
    words = re.sub(r"^\W*", "", lead).split()[:9]
    return " ".join(words).rstrip(",;:.") if len(words) >= 4 else f"{title} ({outlet})"


def light_edits(text: str, rng: random.Random) -> str:
    """Two to six spelling and style substitutions, each at one random occurrence."""
    for _ in range(rng.randint(2, 6)):
        options = [(a, b) for a, b in _STYLE if re.search(rf"(?<!\w){re.escape(a)}(?!\w)", text)]
        if not options:
            break
        a, b = rng.choice(options)
        hits = list(re.finditer(rf"(?<!\w){re.escape(a)}(?!\w)", text))
        m = rng.choice(hits)
        text = text[:m.start()] + b + text[m.end():]
    return text


def republish(title: str, body: str, day: Date, rng: random.Random, outlet: str | None = None,
              original_outlet: str = "Wikinews") -> tuple[str, list[str]]:
    """A republication of an article by another outlet (rules in the module docstring): ``(file text,
    edits applied)``."""
    outlet = outlet or rng.choice([o for o in OUTLETS if o != original_outlet])
    edits = ["headline", "publication"]
    dateline = _DATELINE.match(body)
    if rng.random() < 0.6:
        edits.append("dateline")
        rest = body[dateline.end():] if dateline else body
        body = rng.choice([f"({outlet}) — ", f"{outlet.upper()} — ", ""]) + rest.lstrip()
    paras = paragraphs(body)
    full = sum(map(len, paras))

    def kept_after(removed: int) -> float:  # a republication keeps at least KEEP_AT_LEAST of the text
        return (sum(map(len, paras)) - removed) / full

    if rng.random() < 0.5 and len(paras) >= 3:
        droppable = [i for i in range(1, len(paras)) if kept_after(len(paras[i])) >= KEEP_AT_LEAST]
        if droppable:
            edits.append("paragraph dropped")
            del paras[rng.choice(droppable)]
    if rng.random() < 0.3:
        long_ones = [i for i, p in enumerate(paras) if len(_sentences(p)) >= 2]
        if long_ones:
            edits.append("sentence dropped")
            i = rng.choice(long_ones)
            sentences = _sentences(paras[i])
            del sentences[rng.randrange(len(sentences))]
            paras[i] = " ".join(sentences)
    if rng.random() < 0.2 and len(paras) >= 3:
        cut = len(paras)
        while cut > 2 and kept_after(sum(map(len, paras[cut - 1:]))) >= KEEP_AT_LEAST:
            cut -= 1
        if cut < len(paras):
            edits.append("end cut")
            paras = paras[:cut]
    if rng.random() < 0.6:
        edits.append("boilerplate")
        for _ in range(rng.randint(1, 2)):
            line = rng.choice(BOILERPLATE).format(name=rng.choice(_NAMES), name2=rng.choice(_NAMES),
                                                  year=day.year, outlet=outlet)
            if rng.random() < 0.3:
                paras.insert(0, line)
            else:
                paras.append(line)
    body = "\n\n".join(paras)
    if rng.random() < 0.7:
        edited = light_edits(body, rng)
        if edited != body:
            edits.append("light edits")
            body = edited
    lead = next((p for p in paras if not _DATELINE.match(p + "\n")), paras[0])
    headline = new_headline(title, lead, outlet, rng)
    return export(day + timedelta(days=rng.randint(0, 3)), headline, body, outlet), edits


# --- the labelled pool ------------------------------------------------------------------------------


def _tfidf(texts: list[str]) -> list[dict[str, float]]:
    docs = [Counter(w for w in re.findall(r"[a-z]{3,}", t.lower())) for t in texts]
    df = Counter(w for d in docs for w in d)
    vectors = []
    for d in docs:
        v = {w: c * math.log(len(docs) / df[w]) for w, c in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({w: x / norm for w, x in v.items()})
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


def build_pool(articles: list, seed: int = SEED) -> dict:
    """Documents ``{"id", "source", "text", "kind", "edits"}`` of one half, the same-topic article pairs,
    and the follow-up/borrowed-from pairs (see the module docstring)."""
    rng = random.Random(seed)
    bodies = [a.text.strip() for a in articles]
    vectors = _tfidf(bodies)
    cosines = {(i, j): _cosine(vectors[i], vectors[j]) for i, j in combinations(range(len(articles)), 2)}
    ranked = sorted(cosines, key=lambda p: -cosines[p])
    same_topic = ranked[: max(1, len(ranked) // 100)]
    docs, borrowed = [], []
    for i, a in enumerate(articles):
        day = Date.fromisoformat(a.date)
        docs.append({"id": a.doc_id, "source": a.doc_id, "text": a.file_text, "kind": "original", "edits": []})
        for v in range(VARIANTS):
            text, edits = republish(a.title, bodies[i], day, rng)
            docs.append({"id": f"{a.doc_id}~v{v}", "source": a.doc_id, "text": text, "kind": "republication",
                         "edits": edits})
        j = max((k for k in range(len(articles)) if k != i), key=lambda k: cosines[min(i, k), max(i, k)])
        donor = paragraphs(bodies[j])
        paras = paragraphs(bodies[i])
        # background, not the bulk of the story: at most BORROW_AT_MOST of the article's length
        fitting = [p for p in donor[1:] if len(p) <= BORROW_AT_MOST * len(bodies[i])]
        extra = max(fitting, key=len) if fitting else min(donor, key=len)
        paras.insert(min(2, len(paras)), extra)
        follow = export(day + timedelta(days=1), new_headline(a.title, paras[0], "Wikinews", rng), "\n\n".join(paras),
                        "Wikinews")
        docs.append({"id": f"{a.doc_id}~follow-up", "source": a.doc_id, "text": follow, "kind": "follow-up",
                     "edits": ["paragraph of another article added"]})
        borrowed.append((f"{a.doc_id}~follow-up", articles[j].doc_id))
    return {"docs": docs, "same_topic": [(articles[i].doc_id, articles[j].doc_id) for i, j in same_topic],
            "borrowed": borrowed}


def split(articles: list, seed: int = SEED) -> tuple[list, list]:
    """``(dev, test)``: the articles shuffled with ``seed`` and halved."""
    order = list(articles)
    random.Random(seed).shuffle(order)
    half = len(order) // 2
    return order[:half], order[half:]


# --- measuring --------------------------------------------------------------------------------------


def _prf(detected: set, truth: set) -> dict:
    tp = len(detected & truth)
    p = tp / len(detected) if detected else 1.0
    r = tp / len(truth) if truth else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
            "detected": len(detected), "positives": len(truth), "false_positives": len(detected - truth),
            "false_negatives": len(truth - detected)}


def true_pairs(docs: list[dict]) -> set[tuple[str, str]]:
    by_source: dict[str, list[str]] = {}
    for d in docs:
        by_source.setdefault(d["source"], []).append(d["id"])
    return {tuple(sorted(p)) for ids in by_source.values() for p in combinations(ids, 2)}


def sign_pool(docs: list[dict], shingle_words: int, num_perm: int) -> tuple[dict, float]:
    """``{id: (MinHash, shingles)}`` and the seconds it took."""
    from ingest.dedup import DedupParams, Signer

    signer = Signer(DedupParams(shingle_words=shingle_words, num_perm=num_perm))
    started = time.perf_counter()
    signed = {d["id"]: signer.sign(d["text"]) for d in docs}
    return signed, time.perf_counter() - started


def detect(signed: dict, threshold: float, num_perm: int) -> set[tuple[str, str]]:
    """Pairs LSH returns whose estimated Jaccard similarity reaches ``threshold``."""
    from datasketch import MinHashLSH

    from ingest.dedup import MIN_SHINGLES

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    usable = {k: m for k, (m, n) in signed.items() if n >= MIN_SHINGLES}
    for key, minhash in usable.items():
        lsh.insert(key, minhash)
    pairs = set()
    for key, minhash in usable.items():
        for other in lsh.query(minhash):
            if other != key and minhash.jaccard(usable[other]) >= threshold:
                pairs.add(tuple(sorted((key, other))))
    return pairs


def grid(docs: list[dict]) -> list[dict]:
    truth = true_pairs(docs)
    rows = []
    for k in SHINGLE_CHOICES:
        for perm in PERM_CHOICES:
            signed, seconds = sign_pool(docs, k, perm)
            for t in THRESHOLD_CHOICES:
                rows.append({"shingle_words": k, "num_perm": perm, "threshold": t,
                             "sign_ms_per_doc": round(1000 * seconds / len(docs), 2), **_prf(detect(signed, t, perm),
                                                                                               truth)})
    return rows


def choose(rows: list[dict]) -> dict:
    """Highest F1; within 0.002 of it, the fewest permutations, then the fewest words per shingle."""
    best = max(r["f1"] for r in rows)
    near = [r for r in rows if r["f1"] >= best - 0.002]
    return min(near, key=lambda r: (r["num_perm"], -r["f1"], r["shingle_words"]))


def _shingle_sets(docs: list[dict], k: int) -> dict[str, set]:
    from ingest.dedup import shingles

    return {d["id"]: shingles(d["text"], k) for d in docs}


def exact_pairs(docs: list[dict], k: int, threshold: float) -> set[tuple[str, str]]:
    """The reference: exact Jaccard similarity of the shingle sets, every pair."""
    from ingest.dedup import MIN_SHINGLES

    sets = {key: s for key, s in _shingle_sets(docs, k).items() if len(s) >= MIN_SHINGLES}
    found = set()
    for a, b in combinations(sorted(sets), 2):
        sa, sb = sets[a], sets[b]
        inter = len(sa & sb)
        if inter and inter / (len(sa) + len(sb) - inter) >= threshold:
            found.add((a, b))
    return found


def grouped_pairs(docs: list[dict], params, seed: int = SEED) -> tuple[set[tuple[str, str]], float]:
    """Ingest the pool into :class:`DedupIndex` in a random order; pairs that end in one group, and the
    milliseconds per document of signing and placing."""
    from ingest.dedup import DedupIndex

    order = list(docs)
    random.Random(seed + 1).shuffle(order)
    index = DedupIndex([], params)
    started = time.perf_counter()
    for d in order:
        index.place(index.sign(d["id"], d["text"], ""))
    ms = 1000 * (time.perf_counter() - started) / len(order)
    groups: dict[str, list[str]] = {}
    for r in index.records.values():
        groups.setdefault(r.group, []).append(r.doc_id)
    return {tuple(sorted(p)) for ids in groups.values() for p in combinations(ids, 2)}, ms


def bench_dedup(args: argparse.Namespace | None = None) -> dict:
    from eval.wikinews import load_articles
    from ingest.dedup import DEFAULT_PARAMS, DedupParams

    started = time.perf_counter()
    articles = load_articles()
    limit = getattr(args, "articles", None)
    if limit:
        articles = articles[:limit]
    dev_articles, test_articles = split(articles)
    dev, test = build_pool(dev_articles), build_pool(test_articles, seed=SEED + 1)
    rows = grid(dev["docs"])
    chosen = choose(rows)
    params = DedupParams(shingle_words=chosen["shingle_words"], num_perm=chosen["num_perm"],
                         threshold=chosen["threshold"])
    docs, truth = test["docs"], true_pairs(test["docs"])
    signed, seconds = sign_pool(docs, params.shingle_words, params.num_perm)
    detected = detect(signed, params.threshold, params.num_perm)
    held_out = _prf(detected, truth)
    exact = _prf(exact_pairs(docs, params.shingle_words, params.threshold), truth)
    grouped, place_ms = grouped_pairs(docs, params)
    groups = _prf(grouped, truth)
    originals = {d["id"]: d for d in docs if d["kind"] == "original"}
    per_edit: dict[str, list[int]] = {}
    for d in docs:
        if d["kind"] == "original":
            continue
        hit = tuple(sorted((d["id"], d["source"]))) in detected
        for edit in d["edits"]:
            per_edit.setdefault(edit, []).append(hit)
    same_topic = {tuple(sorted(p)) for p in test["same_topic"]}
    borrowed = {tuple(sorted(p)) for p in test["borrowed"]}
    figures = {
        "articles": {"dev": len(dev_articles), "test": len(test_articles)},
        "pool": {"dev": len(dev["docs"]), "test": len(docs), "test_positive_pairs": len(truth),
                 "test_pairs": len(docs) * (len(docs) - 1) // 2},
        "chosen": {"shingle_words": params.shingle_words, "num_perm": params.num_perm,
                   "threshold": params.threshold},
        "defaults_match_chosen": params == DEFAULT_PARAMS,
        "dev": {k: chosen[k] for k in ("precision", "recall", "f1")},
        "test": held_out,
        "test_exact_jaccard_reference": exact,
        "test_groups": groups,
        "recall_by_edit": {e: round(sum(h) / len(h), 3) for e, h in sorted(per_edit.items())},
        "edit_counts": {e: len(h) for e, h in sorted(per_edit.items())},
        "same_topic_pairs": len(same_topic), "same_topic_false_positives": len(same_topic & detected),
        "borrowed_paragraph_pairs": len(borrowed), "borrowed_paragraph_false_positives": len(borrowed & detected),
        "sign_ms_per_doc": round(1000 * seconds / len(docs), 2),
        "sign_and_place_ms_per_doc": round(place_ms, 2),
        "originals": len(originals),
        "grid": rows,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(render(figures))
    return figures


def render(f: dict) -> str:
    lines = ["Near-duplicates: MinHash LSH over word shingles, labelled Wikinews republications",
             f"articles dev/test {f['articles']['dev']}/{f['articles']['test']}; pool dev/test "
             f"{f['pool']['dev']}/{f['pool']['test']} documents, {f['pool']['test_pairs']:,} test pairs "
             f"({f['pool']['test_positive_pairs']} duplicates)", "",
             "dev grid (best F1 per shingle size):",
             "| words | perms | threshold | precision | recall | F1 | sign ms/doc |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for k in sorted({r["shingle_words"] for r in f["grid"]}):
        r = max((r for r in f["grid"] if r["shingle_words"] == k), key=lambda r: (r["f1"], -r["num_perm"]))
        lines.append(f"| {k} | {r['num_perm']} | {r['threshold']} | {r['precision']} | {r['recall']} | {r['f1']} "
                     f"| {r['sign_ms_per_doc']} |")
    c = f["chosen"]
    lines += ["", f"chosen on dev: {c['shingle_words']}-word shingles, {c['num_perm']} permutations, threshold "
              f"{c['threshold']} (dev P {f['dev']['precision']} R {f['dev']['recall']})"
              + ("" if f["defaults_match_chosen"] else "  ** differs from ingest/dedup.py's defaults **"), "",
              "held-out test half:", "| detector | precision | recall | F1 | false pos. | false neg. |",
              "| --- | --- | --- | --- | --- | --- |"]
    for name, key in (("MinHash LSH (pairs)", "test"), ("exact Jaccard, same threshold (reference)",
                                                       "test_exact_jaccard_reference"),
                      ("groups formed at ingest", "test_groups")):
        r = f[key]
        lines.append(f"| {name} | {r['precision']} | {r['recall']} | {r['f1']} | {r['false_positives']} | "
                     f"{r['false_negatives']} |")
    lines += ["", "recall by edit (republication or follow-up vs its original): "
              + ", ".join(f"{e} {v} (n={f['edit_counts'][e]})" for e, v in f["recall_by_edit"].items()),
              f"same-topic article pairs flagged: {f['same_topic_false_positives']} of {f['same_topic_pairs']}; "
              f"follow-up vs the article it borrowed a paragraph from: {f['borrowed_paragraph_false_positives']} "
              f"of {f['borrowed_paragraph_pairs']}",
              f"cost: signing {f['sign_ms_per_doc']} ms/document; signing and placing in the index "
              f"{f['sign_and_place_ms_per_doc']} ms/document; {f['seconds']} s in all"]
    return "\n".join(lines)
