"""The grammatical gender of the people a document names, so that "he" and "she" skip people of the other one.

Three kinds of evidence:

* a title, role or kin word the person was introduced with ("Mrs", "actress", "spokesman", "his wife Mary");
* the first "he"/"his"/"him" or "she"/"her" after a mention of the person as a subject, in the same or the next
  sentence, with no other introduced person mentioned in between ("Agnès Callamard … cautioned … she said");
* a common given name that is rarely used for the other gender ("Mary Hill", "Thomas Reed"), one vote per
  person, so that "she said" after "Mary Hill … Governor Tom Reed …" can skip Tom Reed. Names used for
  both (Jordan, Alex, Jean, Andrea, Kim) are not in the lists.

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
MALE_NAMES = set("""
aaron abdul abdullah adam ahmed ahmad alan albert alexander alexei ali andrew andrei angus anthony antonio arthur
barack benjamin bernard bernie bill bob boris brian bruce carl carlos charles christopher colin craig daniel david
dennis dmitry donald douglas edward emmanuel eric frank fred gary george gerald giuseppe gordon graham greg
gregory hans harold harry henry hugh ian ivan jack jacob james jason jeffrey jens jeremy jerry jim jimmy joe john
jonathan jorge jose joseph juan justin keith kenneth kevin lars larry luis mahmoud malcolm marco mark martin matthew
michael mike mikhail mohammad mohammed muhammad nathan neil nicholas nick niels olaf oliver omar oscar patrick paul
pedro peter philip pierre piers raymond richard robert roger ronald russell ryan samuel scott sean sergei sergey simon
stephen steve steven stuart thomas tim timothy todd tom tony victor vladimir walter wayne william yusuf
""".split())
FEMALE_NAMES = set("""
agnes alice alison amanda amy ana angela ann anna anne annie barbara betty carol caroline catherine charlotte
christine claire clara deborah diana diane donna dorothy elena elizabeth ellen emily emma fatima fiona grace hannah
helen hillary ingrid irene jacqueline jane janet jennifer jessica jill joan joyce judith julia julie karen kate
katherine kathleen kathryn laura linda lisa louise lucy margaret maria marie marine martha mary melanie melissa
michelle nadia nancy natalia natalie nicola nicole olga pamela patricia rachel rebecca ruth sandra sara sarah
sharon sophie susan svetlana teresa theresa ursula valerie victoria virginia wendy yulia
""".split())
# Male names ending like role nouns (-er, -or, -ian, -ent, -ant), so that "Tyler James Hill" keeps "Tyler".
MALE_NAMES |= set("""
adrian archer bryant carter christian conor connor cooper damian grant hector homer hunter jasper julian
laurent nestor parker sebastian spencer trevor tyler vincent walker
""".split())
FEMALE_NAMES |= {"amber", "eleanor", "esther", "heather", "lillian", "marian", "vivian"}
# Given names used for either gender: no gender vote, but a given name ("Taylor Swift").
UNISEX_NAMES = {"alex", "andrea", "avery", "casey", "dana", "jamie", "jean", "jordan", "kim", "leslie", "morgan",
                "robin", "sasha", "skyler", "taylor"}
GIVEN_NAMES = MALE_NAMES | FEMALE_NAMES | UNISEX_NAMES
# After these, "her", "his", "him" are often someone else's ("the news of her death"): no vote.
_PREPOSITIONS = {"of", "to", "for", "with", "about", "from", "by", "on", "at", "against"}
_TITLE_WEIGHT = 3
# A given name outweighs one pronoun: the pronoun after a mention may be the very one being resolved ("Evans said
# …. She said …" after "Mark Evans met Lisa Wong"), so alone it must not cancel the name.
_NAME_WEIGHT = 2
_SENTENCE_ENDS = {".", "!", "?", "\n"}


def add_title_votes(votes: dict[str, int], words: Iterable[str]) -> None:
    for word in words:
        word = word.lower().rstrip(".")
        if word in MALE_WORDS:
            votes["m"] += _TITLE_WEIGHT
        elif word in FEMALE_WORDS:
            votes["f"] += _TITLE_WEIGHT


def add_name_vote(votes: dict[str, int], name: str) -> None:
    """One vote from a person's given name (the first word of a name of two words or more).

    >>> votes = {"m": 0, "f": 0}
    >>> add_name_vote(votes, "Mary Hill"); add_name_vote(votes, "Hill")
    >>> votes
    {'m': 0, 'f': 2}
    """
    words = name.split()
    if len(words) < 2:
        return
    first = words[0].casefold()
    if first in MALE_NAMES:
        votes["m"] += _NAME_WEIGHT
    elif first in FEMALE_NAMES:
        votes["f"] += _NAME_WEIGHT


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
        if token.lower in PRONOUN_GENDER and not (token.lower != "he" and token.lower != "she" and
                                                  tokens[k - 1].lower in _PREPOSITIONS):
            return PRONOUN_GENDER[token.lower]  # not "… tweeted after hearing the news of her death"
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
