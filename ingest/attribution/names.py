"""Names as words: titles taken off, acronyms and initials recognised.

>>> split_title(["Defence", "Minister", "Khawaja", "Asif"])
['Khawaja', 'Asif']
>>> initials("Michael Siegel")
'MS'
"""

from __future__ import annotations

import unicodedata

from ingest.attribution.gender import GIVEN_NAMES
from ingest.attribution.lexicon import ORGANISATION_WORDS, TITLES
from ingest.attribution.phrases import possessive_base
from ingest.attribution.tokens import person_noun

_PREPOSITIONS = {"of", "for", "from", "at", "in", "on", "to", "with", "by", "about", "as", "than"}
_JOINERS = {"of", "for", "on", "and", "to"}
_MAX_NAME_WORDS = 4
# Honours and degrees written after a name, not part of it.
_POST_NOMINALS = {"qc", "kc", "obe", "mbe", "cbe", "kbe", "dbe", "frs", "phd", "md", "esq"}
# Portfolios named after "Minister of …" before a surname ("Secretary of State Pompeo", "Minister of Health Ruiz").
_PORTFOLIOS = {"health", "education", "justice", "state", "transport", "energy", "labour", "labor", "agriculture",
               "commerce", "trade", "environment", "culture", "tourism", "industry", "housing", "economy"}


def is_title(word: str) -> bool:
    """A title or role word, also inside a compound ("president-elect", "co-founder")."""
    word = word.lower()
    return word in TITLES or any(part in TITLES for part in word.split("-"))


def split_title(words: list[str]) -> list[str]:
    """The name without the titles before it: ["Defence", "Minister", "Khawaja", "Asif"] → ["Khawaja", "Asif"].

    After "Minister of Scotland" the name is the last two words; an organisation's words stay ("Foreign
    Ministry of Iraq", "United States Commission on Presidential Debates"), but a person named after one
    loses them ("Amnesty International Man-kei Tam" → "Man-kei Tam").
    """
    lowered = [possessive_base(w).lower().rstrip(".") for w in words]
    if all(is_title(w) or w in _JOINERS for w in lowered):
        return []  # "Defence Secretary", "Special Representative": a title, no name
    cut = 0
    for k, word in enumerate(lowered[:-1]):
        if any(w in _JOINERS and not _between_titles(lowered, n) for n, w in enumerate(lowered[:k])):
            break
        if is_title(word) and lowered[k + 1] not in ORGANISATION_WORDS:
            cut = k + 1
        elif word in ORGANISATION_WORDS and k + 2 < len(words) and lowered[k + 1] not in _JOINERS | _PREPOSITIONS and \
                not set(lowered[k + 1:]) & (ORGANISATION_WORDS | _JOINERS):
            cut = k + 1
    if cut == 0 and len(words) >= 4:  # "House of Commons Speaker John Bercow": a title after an organisation's name
        last_title = max((k for k, w in enumerate(lowered[:-2]) if is_title(w) and words[k][:1].isupper()),
                         default=None)
        person = lowered[last_title + 1:] if last_title is not None else []
        if 2 <= len(person) <= 3 and not set(person) & (ORGANISATION_WORDS | _JOINERS | TITLES) and \
                any(w in _JOINERS for w in lowered[:last_title]):
            cut = last_title + 1
    rest = lowered[cut:]
    if len(rest) >= 3 and (rest[1] in GIVEN_NAMES and len(rest[0]) > 2 or person_noun(rest[0])) and \
            rest[0] not in GIVEN_NAMES and \
            words[cut].replace("-", "").isalpha() and not words[cut].isupper() and \
            not set(rest) & (ORGANISATION_WORDS | _JOINERS):
        cut += 1  # "Farmer Tom Reese", "Co-developer Jing Wang", "Lord Mayor candidate Wayne Tseng": a role word
        # (but not the short given name of "Jo Anne Val Tilburg")
    while len(words) - cut > 2 and lowered[-1] in _POST_NOMINALS:
        words, lowered = words[:-1], lowered[:-1]  # "Judge Durham Hall QC": honours after the name
    name = words[cut:]
    if cut and name and name[0].lower() in ("of", "for", "to"):
        if len(name) <= 3 and cut > 1 and not is_title(lowered[0]):
            return words  # "Directorate General of Civil Aviation": an office's name, no person after it
        if len(name) == 2 or len(name) == 3 and lowered[cut + 1] not in _PORTFOLIOS | ORGANISATION_WORDS | TITLES:
            return []  # "Governor of Tyumen Oblast", "Mayor of London": an office, the place is no person
        name = name[-1:] if len(name) == 3 else name[-2:]  # "Secretary of State (Mike) Pompeo", "Ambassador to
        # Germany Richard Grenell"
    organisation = set(lowered[cut:]) & (ORGANISATION_WORDS | _JOINERS)
    if not organisation and len([w for w in name if len(w.rstrip(".")) > 1]) > _MAX_NAME_WORDS:
        name = name[-_MAX_NAME_WORDS:]  # a person's name, after descriptions the run swallowed
    while name and name[0].lower() in _PREPOSITIONS | {"the"}:
        name = name[1:]
    return name


def _between_titles(lowered: list[str], n: int) -> bool:
    """``lowered[n]`` is "and" between two titles: "President and CEO Andy Vesey"."""
    return lowered[n] == "and" and 0 < n < len(lowered) - 1 and is_title(lowered[n - 1]) and is_title(lowered[n + 1])


def is_acronym(word: str) -> bool:
    letters = word.replace(".", "").replace("-", "").replace("&", "")
    return len(letters) >= 2 and letters.isalpha() and letters.isupper()


def initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper() and len(w.rstrip(".")) > 1)


def fold(word: str) -> str:
    """``word`` without accents, for comparing spellings of one name ("Erdoğan", "Erdogan")."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
