"""The SQuAD 2.0 public subset in ``../shared/benchmarks/squad2/``: articles as documents, questions as a set."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SQUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "squad2" / \
    "squad2-dev-public.json"


@dataclass
class SquadQuestion:
    id: str
    question: str
    answers: list[str]  # gold answer texts; empty when unanswerable
    is_impossible: bool
    doc_id: str


def is_squad(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("data"), list) and "version" in data


def article_doc_id(index: int, title: str) -> str:
    slug = "".join(ch if ch.isalnum() else "_" for ch in title)[:40].strip("_")
    return f"{index:02d}_{slug}"


def load_squad(path: Path = DEFAULT_SQUAD) -> tuple[dict[str, str], list[SquadQuestion]]:
    """``({doc_id: article text}, questions)``; an article is its paragraphs joined by a blank line."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    articles: dict[str, str] = {}
    questions: list[SquadQuestion] = []
    for i, article in enumerate(data["data"]):
        doc_id = article_doc_id(i, article["title"])
        articles[doc_id] = "\n\n".join(p["context"].strip() for p in article["paragraphs"])
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                questions.append(SquadQuestion(
                    qa["id"], qa["question"], [a["text"] for a in qa.get("answers", [])],
                    bool(qa.get("is_impossible")), doc_id,
                ))
    return articles, questions


def write_articles(articles: dict[str, str], folder: Path) -> Path:
    """One ``.txt`` file per article (name = doc id), so ingest sees ordinary files."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, text in articles.items():
        target = folder / f"{doc_id}.txt"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    return folder
