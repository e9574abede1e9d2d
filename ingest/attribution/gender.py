"""The grammatical gender of the people a document names, so that "he" and "she" skip people of the other one.

Two kinds of evidence, both read from the document itself (no list of first names):

* a title, role or kin word the person was introduced with ("Mrs", "actress", "spokesman", "his wife Mary");
* the first "he"/"his"/"him" or "she"/"her" after a mention of the person as a subject, in the same or the next
  sentence, with no other introduced person mentioned in between ("Agnès Callamard … cautioned … she said").

Each mention votes; a title weighs more than a pronoun. A person without votes, or with as many of each, has
no gender and fits either pronoun.

>>> votes = {"m": 0, "f": 0}
>>> add_title_votes(votes, {"spokeswoman", "director"})
>>> votes
{'m': 0, 'f': 3}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ingest.attribution.phrases import Token

MALE_WORDS = {"mr", "sir", "lord", "king", "prince", "duke", "earl", "baron", "emperor", "sheikh", "emir", "sultan",
              "pope", "cardinal", "archbishop", "bishop", "rabbi", "spokesman", "chairman", "congressman",
              "businessman", "husband", "father", "son", "brother", "uncle", "nephew", "grandfather",
              "widower", "boyfriend", "fiance", "fiancé", "son-in-law", "man", "boy", "gentleman", "monk", "priest",
              "abbot", "councilman", "assemblyman", "policeman", "fireman", "sportsman", "statesman", "godfather"}
FEMALE_WORDS = {"mrs", "ms", "miss", "madam", "dame", "lady", "queen", "princess", "duchess", "countess",
                "baroness", "empress", "spokeswoman", "chairwoman", "congresswoman", "businesswoman", "actress",
                "wife", "mother", "daughter", "sister", "aunt", "niece", "grandmother", "widow", "girlfriend",
                "fiancée", "daughter-in-law", "woman", "girl", "nun", "abbess", "councilwoman", "assemblywoman",
                "policewoman", "sportswoman", "stateswoman", "godmother", "heiress", "waitress", "hostess"}
PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "himself": "m", "she": "f", "her": "f", "hers": "f",
                  "herself": "f"}
_TITLE_WEIGHT = 3
_SENTENCE_ENDS = {".", "!", "?", "\n"}


def add_title_votes(votes: dict[str, int], words: Iterable[str]) -> None:
    for word in words:
        word = word.lower().rstrip(".")
        if word in MALE_WORDS:
            votes["m"] += _TITLE_WEIGHT
        elif word in FEMALE_WORDS:
            votes["f"] += _TITLE_WEIGHT


def pronoun_vote(tokens: list[Token], quoted: list[bool], j: int, people: Mapping[int, object], person: object,
                 ) -> str | None:
    """The gender of the first personal pronoun after ``person``'s mention ending at ``tokens[j]``, within the rest
    of its sentence and the next one, unless another of ``people`` (by the token index of their mentions) is
    mentioned first."""
    ends = 0
    for k in range(j + 1, min(len(tokens), j + 80)):
        token = tokens[k]
        if token.text in _SENTENCE_ENDS and not quoted[k]:
            ends += 1
            if ends == 2:
                return None
            continue
        if quoted[k]:
            continue
        if token.lower in PRONOUN_GENDER:
            return PRONOUN_GENDER[token.lower]
        if people.get(k, person) is not person:
            return None
    return None


def decide(votes: dict[str, int]) -> str | None:
    """"m", "f", or None when the votes do not tell."""
    if votes["m"] > votes["f"]:
        return "m"
    if votes["f"] > votes["m"]:
        return "f"
    return None
