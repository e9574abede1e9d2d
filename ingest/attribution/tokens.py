"""Tokens and names: words with their offsets, and runs of capitalised words that make one name.

>>> tokens = tokenize("Board chair Greta van der Berg said so.")
>>> [" ".join(t.text for t in tokens[i:j + 1]) for i, j in name_runs(tokens, 0, len(tokens) - 1)]
['Board', 'Greta van der Berg']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.attribution.lexicon import (
    KIN,
    NAME_PARTICLES,
    NOT_IN_NOUN_PHRASE,
    NOT_NAMES,
    NP_JOINERS,
    ORGANISATION_WORDS,
    SPOKESPEOPLE,
    TITLES,
)

# A site's name is one word ("Znak.com", "Politico.eu"), not a sentence's end before "com".
_TOKEN = re.compile(r"\w+(?:[-'’&\u200d]+\w+)*\.(?:com|org|net|eu|ru|uk|in|io|co|de|fr|info|news)\b(?!\.\w)"
                    r"|\w+(?:[-'’&\u200d]+\w+)*(?:['’](?=\s))?|[^\w\s]|\n")
_ABBREVIATED = {"dr", "mr", "mrs", "ms", "st", "jr", "sr", "gen", "sen", "rep", "gov", "lt", "col", "capt",
                "sgt", "prof", "rev", "u.s", "u.k", "mt", "ft"}


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper()


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Words (with inner hyphens and apostrophes: "Abdul-Mahdi", "O'Donnell", "Biden's"), single punctuation
    marks and line breaks, with their offsets in ``text``."""
    end = len(text) if end is None else end
    return [Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, start, end)]


def possessive_base(word: str) -> str:
    """ "Biden's" → "Biden"; "Smiths'" → "Smiths"."""
    if word.endswith(("'s", "’s")):
        return word[:-2]
    return word[:-1] if word.endswith(("'", "’")) else word


def is_possessive(token: Token) -> bool:
    return token.text.endswith(("'s", "’s", "'", "’"))


def is_name_word(token: Token) -> bool:
    """A capitalised word that can be part of a name (not "The", "He", "However", a lone "C" …)."""
    word = possessive_base(token.text)
    if len(word) > 1 and word.isupper() and word.isalpha():
        return True  # an acronym or initials: "NASA", "MS" (not the title "Ms")
    if _PARTICLE_NAME.match(word):
        return True  # "al-Jahafi", "el-Sisi", "bin-Laden" written with a lower-case particle
    return len(word) > 1 and token.capitalised and word.lower() not in NOT_NAMES and \
        not word.lower().endswith(PARTICIPLE_ADJECTIVES)


_PARTICLE_NAME = re.compile(r"(?:al|el|ad|ar|as|ash|at|az|ul|bin|ibn|abu|abd|ben|ait)-[A-Z]\w")


# Adjectives made of a name and a participle, which stand before a name but are no part of it: "the Yemen-based
# Houthi movement", "Iran-backed militias", "the Saudi-led coalition", "US-born".
PARTICIPLE_ADJECTIVES = ("-based", "-backed", "-led", "-born", "-funded", "-owned", "-run", "-allied",
                          "-supported", "-sponsored", "-affiliated", "-linked", "-aligned", "-controlled")


# Months and words that are also names ("Theresa May", "June Carter", "USA Today"): a name word by context.
_DATE_NAMES = {"may", "june", "april", "august", "today"}
_BEFORE_DATES = {"in", "on", "of", "since", "until", "by", "early", "late", "mid", "last", "next", "this", "from",
                 "to", "through", "during", "before", "after", "between", "and", "or", "each", "every"}


def name_word_at(tokens: list[Token], i: int) -> bool:
    """``tokens[i]`` can be part of a name here: :func:`is_name_word`, or a capitalised month or "Today" that is
    not a date ("Theresa May said", "May added", "USA Today", but not "in May", "May 5", "since June")."""
    token = tokens[i]
    if is_name_word(token):
        return True
    if token.lower not in _DATE_NAMES or not token.capitalised:
        return False
    prev = tokens[i - 1] if i else None
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is not None and nxt.text[0].isdigit():
        return False  # "May 5"
    if prev is not None and is_name_word(prev):
        return True  # "Theresa May", "USA Today"
    if token.lower == "today" or nxt is not None and nxt.text == ",":
        return False  # "Today, …", "In May, …"
    return prev is None or not (prev.lower in _BEFORE_DATES or prev.text[0].isdigit())


def is_quote_mark(token: Token) -> bool:
    return token.text in "\"“”‘’'«»„"


def person_noun(word: str) -> bool:
    """A noun for a person by role or relation, which a name in apposition may follow ("his son-in-law, X",
    "first selectman, X"); not a plural ("official statements, Trump, …")."""
    word = word.lower()
    if word in TITLES or word in SPOKESPEOPLE or word in KIN:
        return not word.endswith("s") or word in ("boss",)
    if word in NOT_IN_NOUN_PHRASE or word in NP_JOINERS or word in _NOT_PERSON_NOUNS:
        return False  # "for", "after", "other": function words that end like "director" or "manager"
    return word.endswith(("man", "woman", "er", "or", "ist", "ent", "ant", "ian", "-in-law"))


_NOT_PERSON_NOUNS = {"other", "another", "either", "neither", "whether", "rather", "further", "ever", "never",
                     "former", "latter", "together", "recent", "current", "different", "important", "present",
                     "per", "nor"}


def initial_dot(tokens: list[Token], i: int) -> bool:
    """``tokens[i]`` is the dot of an initial or a title abbreviation ("John R. Bolton", "Dr. Wolf")."""
    if i >= len(tokens) or tokens[i].text != "." or i == 0 or tokens[i - 1].end != tokens[i].start:
        return False
    before = tokens[i - 1].text
    return (len(before) == 1 and before.isupper()) or before.lower() in _ABBREVIATED


def _is_initial(tokens: list[Token], i: int) -> bool:
    return len(tokens[i].text) == 1 and tokens[i].text.isupper() and initial_dot(tokens, i + 1)


def _bare_initial(tokens: list[Token], i: int, before: bool) -> bool:
    """``tokens[i]`` is an initial written without a dot, as South Asian and some European news write names:
    before a name word ("B Shiva Parvathi", ``before``) or right after one ("Stefan W"). Not "A" or "I",
    which are words."""
    word = tokens[i].text
    if len(word) != 1 or not word.isupper() or not word.isalpha() or word in "AI":
        return False
    if before:
        return i + 1 < len(tokens) and tokens[i + 1].start == tokens[i].end + 1 and is_name_word(tokens[i + 1])
    return i > 0 and tokens[i - 1].end + 1 == tokens[i].start and is_name_word(tokens[i - 1])


def name_runs(tokens: list[Token], a: int, b: int) -> list[tuple[int, int]]:
    """Runs of name words in ``tokens[a:b + 1]``: joined by initials' dots and particles ("Arnel dela Vega"),
    and by "of"/"for"/"on" after an organisation word ("Court of Session", "Center for Food Safety")."""
    runs: list[tuple[int, int]] = []
    i = a
    while i <= b:
        if not (name_word_at(tokens, i) or _is_initial(tokens, i) or _bare_initial(tokens, i, before=True)):
            i += 1
            continue
        j = i
        while j + 1 <= b:
            nxt = tokens[j + 1]
            if name_word_at(tokens, j + 1) and not is_possessive(tokens[j]):
                j += 1
            elif initial_dot(tokens, j + 1) and j + 2 <= b and (is_name_word(tokens[j + 2])
                                                                   or _is_initial(tokens, j + 2)):
                j += 2
            elif _is_initial(tokens, j + 1) or _bare_initial(tokens, j + 1, before=False) and \
                    not is_possessive(tokens[j]):
                j += 1
            elif j + 3 <= b and nxt.lower in NAME_PARTICLES and tokens[j + 2].lower in NAME_PARTICLES and \
                    is_name_word(tokens[j + 3]) and not is_possessive(tokens[j]):
                j += 3  # two particles: "Ursula von der Leyen", "Juan de la Cruz", "Rafael van der Vaart"
            elif (j + 2 <= b and is_name_word(tokens[j + 2]) and not is_possessive(tokens[j]) and
                  (nxt.lower in NAME_PARTICLES or nxt.lower in ("of", "for", "on") and
                   (tokens[j].lower in ORGANISATION_WORDS or tokens[j].lower in TITLES)
                   or nxt.lower in ("in", "to") and tokens[j].lower in ("embassy", "consulate")  # "Embassy in Iraq"
                   or nxt.lower == "to" and tokens[j].lower in TITLES)):  # "Ambassador to Germany X"
                j += 2
            elif j + 3 <= b and nxt.lower == "to" and tokens[j].lower in TITLES and tokens[j].capitalised and \
                    tokens[j + 2].lower == "the" and is_name_word(tokens[j + 3]):
                j += 3  # "Ambassador to the United Nations Nikki Haley"
            elif nxt.lower == "and" and j + 2 <= b and not _two_people(tokens, i, j) and (any(
                    t.lower in ("of", "for") for t in tokens[i:j]) or any(
                    t.lower in TITLES and t.capitalised for t in tokens[j + 2:min(b + 1, j + 5)])):
                # "Islamic State of Iraq and the Levant", "Road Transport and Bridges Minister Obaidul Quader"
                k = j + 3 if tokens[j + 2].lower == "the" else j + 2
                if k > b or not is_name_word(tokens[k]) or _given_name(tokens[k].lower):
                    break  # "the University of Miami and Chris Fallows": a person after "and"
                j = k
            else:
                break
        runs.append((i, j))
        i = j + 1
    return runs


def _given_name(word: str) -> bool:
    from ingest.attribution.gender import GIVEN_NAMES  # gender reads tokens: imported when first needed

    return word in GIVEN_NAMES


def _two_people(tokens: list[Token], i: int, j: int) -> bool:
    """``tokens[i:j + 1]`` is a title and a name, and a title follows "and": "Vice President Kamala Harris and
    President Joe Biden" names two people (but "President and CEO Andy Vesey" one, "Road Transport and Bridges
    Minister X" one)."""
    after = tokens[j + 2]
    return after.capitalised and after.lower in TITLES and tokens[j].lower not in TITLES and \
        any(t.lower in TITLES for t in tokens[i:j])
