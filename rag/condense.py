"""Follow-up questions made standalone, by rules rather than by a small LLM that might invent.

The antecedent of "he"/"she"/"they"/"it" is taken from the conversation: a person's name in the last
answer, else the noun phrase the last question asked about. Ellipsis ("And the Taliban?", "What about
Kabul?") reuses the last question with the new subject.

>>> history = [{"role": "user", "content": "Who is the defence minister?"},
...            {"role": "assistant", "content": "Defence Minister Khawaja Asif, who also denied it [1]."}]
>>> standalone_question("What did he say about trusting Kabul?", history)
'What did Khawaja Asif say about trusting Kabul?'
>>> standalone_question("What did he say?", history[:1])
'What did the defence minister say?'
>>> standalone_question("And the Taliban?", [{"role": "user", "content": "What did Khawaja Asif say?"}])
'What did the Taliban say?'
"""

from __future__ import annotations

import re

_PERSONAL = re.compile(r"\b(he|she|him|his|her|hers)\b", re.I)
_PLURAL = re.compile(r"\b(they|them|their|theirs)\b", re.I)
_THING = re.compile(r"\b(it|its)\b", re.I)
_ELLIPSIS = re.compile(r"^\s*(?:and|what about|how about|and what about)\s+(?P<np>.+?)\s*\??\s*$", re.I)
# Case matters below ([A-Z] is a capital), so only the question words are case-insensitive.
_ASKED_ABOUT = re.compile(
    r"^\s*(?i:who|what)\s+(?i:is|was|are|were)\s+(?P<np>.+?)\s*\??\s*$|"
    r"^\s*(?i:what|how|why|when|where)\s+(?i:did|does|do|has|have|had|is|was|will|would|can|could)\s+"
    r"(?P<subj>the\s+[a-z’'-]+\s+[a-z’'-]+(?=\s+(?:say|said|do|did|deny|denied|claim|want|think))|"
    r"(?:the\s+)?[\w’'-]+(?:\s+[A-Z][\w’'-]+)*)\s+",
)
_DEMONSTRATIVE = re.compile(r"\b(that|this)\s*\??\s*$", re.I)
# Two or more capitalised words in a row: a person's or an organisation's name.
_NAME = re.compile(r"\b([A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'-]+)+)\b")
_TITLES = ("Defence Minister", "Prime Minister", "Foreign Minister", "Interior Minister", "President")


def _messages(history: list[dict] | None, role: str) -> list[str]:
    return [m.get("content") or "" for m in (history or []) if m.get("role") == role and m.get("content")]


def _asked_about(question: str) -> str | None:
    match = _ASKED_ABOUT.match(question)
    if not match:
        return None
    return (match.group("np") or match.group("subj") or "").strip() or None


def _person_in(answer: str) -> str | None:
    for name in _NAME.findall(re.sub(r"\[\d+\]", "", answer)):
        for title in _TITLES:  # "Defence Minister Khawaja Asif" -> "Khawaja Asif"
            if name.startswith(title + " "):
                name = name[len(title) + 1:]
        if name not in _TITLES and len(name.split()) >= 2:
            return name
    return None


def standalone_question(question: str, history: list[dict] | None) -> str:
    """``question`` with its references to the conversation resolved; unchanged without history."""
    question = question.strip()
    users = _messages(history, "user")
    if not users:
        return question
    last_question = users[-1]
    answers = _messages(history, "assistant")
    topic = _asked_about(last_question)

    ellipsis = _ELLIPSIS.match(question)
    if ellipsis and topic and topic.lower() in last_question.lower():
        start = last_question.lower().index(topic.lower())
        return last_question[:start] + ellipsis.group("np") + last_question[start + len(topic):]

    if _PERSONAL.search(question):
        person = (_person_in(answers[-1]) if answers else None) or _person_in(last_question) or topic
        if person:
            return _PERSONAL.sub(lambda m: _possessive(person, m.group(1)), question, count=1)
    if _PLURAL.search(question):
        group = _last_group(last_question) or topic
        if group:
            return _PLURAL.sub(lambda m: _possessive(group, m.group(1)), question, count=1)
    if _THING.search(question) and topic:
        return _THING.sub(lambda m: _possessive(topic, m.group(1)), question, count=1)
    if _DEMONSTRATIVE.search(question):  # "In what year was that?": carry the earlier question along
        return f"{question} ({last_question.strip()})"
    return question


def _last_group(question: str) -> str | None:
    """The last name or acronym a question mentions after its first word ("… about the TTP?" -> "the TTP")."""
    names = re.findall(r"(?<!^)\b((?:the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)", question.strip())
    return names[-1] if names else None


def _possessive(name: str, pronoun: str) -> str:
    return name + "’s" if pronoun.lower() in ("his", "her", "hers", "its", "their", "theirs") else name
