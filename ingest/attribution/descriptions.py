"""Unnamed sources and definite descriptions: who "the minister", "the company", "the 45-year-old" or "several
conservative groups" is, for :class:`~.speakers.Cast`.

A definite description resolves to the speaker it described before (a role or head word it was introduced
with), to the organisation named last ("the company"), or to the person in focus ("the 45-year-old");
otherwise the description itself is the speaker, without its article and quantifiers, ``named`` false.
"""

from __future__ import annotations

import re

from ingest.attribution.lexicon import (
    DETERMINERS,
    GROUP_SYNONYMS,
    ORGANISATION_HEADS,
    ORGANISATION_WORDS,
)
from ingest.attribution.phrases import is_name_word, is_possessive, name_runs, verb_like
from ingest.attribution.roster import Roster, Speaker
from ingest.attribution.tokens import PARTICIPLE_ADJECTIVES
from ingest.attribution.types import SpeakerType

# "the company", "the firm": the organisation named last (a plain definite description, no modifier).
ORGANISATION_REFERENCES = {"company", "firm", "organisation", "organization", "agency", "airline", "carrier",
                           "broadcaster", "network", "charity", "corporation", "manufacturer", "automaker",
                           "carmaker", "retailer", "newspaper", "publisher", "operator", "utility", "business",
                           "giant", "group", "bank", "lender", "insurer", "club", "startup", "chain"}
_QUANTIFIERS = {"multiple", "numerous", "various", "several"}
# Modifiers that any earlier mention fits: "the former president", "the then minister".
_ANY_TIME = {"former", "then", "current", "new", "incumbent", "outgoing", "late", "same"}
_OF_PHRASE = {"of", "for", "from", "at", "in", "on"}  # where a description's own words end
_AGE = re.compile(r"\d{1,3}-year-old")
_AGED_NOUNS = {"man": "he", "boy": "he", "woman": "she", "girl": "she"}


# Offices called by either word: "the foreign minister" after "Foreign Secretary Marcelo Ebrard".
_OFFICE_SYNONYMS = {"minister": {"secretary"}, "secretary": {"minister"}}


def _same_office(head: str, modifiers: set[str], heads: set[str]) -> bool:
    """``head`` names the same office as one of ``heads`` under another word, with the same portfolio."""
    return bool(modifiers and _OFFICE_SYNONYMS.get(head, set()) & heads and modifiers <= heads)


class Descriptions(Roster):
    """Resolution of unnamed sources; :class:`~.speakers.Cast` adds names, pronouns and documents (its ``recent``
    and ``_most_mentioned`` are used here)."""

    def _description(self, a: int, b: int, head_word: str, position: int) -> Speaker:
        """An unnamed source. A definite description resolves to the speaker it described before ("the
        minister", "the court", "the spokesperson", "the authors"); otherwise the description itself is the
        speaker, without its article ("military spokesperson")."""
        tokens = self.tokens
        aged = self._aged(a, b, position)
        if aged is not None:
            return aged
        if tokens[a].lower in ("the", "this", "that", "these", "his", "her", "their", "its", "both"):
            end = next((k for k in range(a + 1, b) if tokens[k].lower in _OF_PHRASE), b)  # "the president of Turkey"
            modifiers = {t.lower for t in tokens[a + 1:end] if t.is_word and not t.capitalised} - _ANY_TIME
            names = {t.lower for t in tokens[a + 1:end] if is_name_word(t)}
            fitting = []
            for mention in reversed(self.mentions):
                speaker = mention.speaker
                if speaker.kind == "person" and head_word in ORGANISATION_HEADS:
                    continue  # "the government" is not "government official X"
                if names and not names <= {w.lower() for n in (speaker.name, *speaker.aliases) for w in n.split()}:
                    continue  # "The Biden campaign" is not the Trump campaign
                if mention.position < position and ((head_word in speaker.heads or _same_office(head_word, modifiers,
                                                                                       speaker.heads))
                                                     and modifiers <= speaker.heads
                                                     or head_word in GROUP_SYNONYMS and speaker.heads & GROUP_SYNONYMS
                                                     and not speaker.named):
                    if end == b:
                        return speaker  # "the minister", "the spokesperson", "the authors", "his daughter"
                    fitting.append(speaker)
            if len(set(map(id, fitting))) == 1:
                return fitting[0]  # "the president of Turkey": the only president named before
        if tokens[a].lower in ("the", "this", "that", "these"):
            named = [s for s in self.speakers.values() if s.named and head_word in s.name.lower().split()]
            if named:
                return self._most_mentioned(named)  # "the court" → "Court of Session"
            plain = all(t.is_word and not t.capitalised for t in tokens[a + 1:b])  # "the tech giant", not "the X firm"
            earlier = self._earlier_named(position, head_word, b - a if plain else 99)
            if earlier is not None:
                return earlier
        k, b = self._description_words(a, b)
        description = re.sub(r"\s*\([^)]*\)", "", self.text[tokens[k].start:tokens[b].end])
        key = description if is_name_word(tokens[k]) and tokens[k].lower in self.proper else description.lower()
        speaker = self.speakers.get(key)
        if speaker is None and self._organisation_of_name(k, b):
            speaker = self.speakers[key] = Speaker(key, "organisation")  # "government of American Samoa"
        if speaker is None:
            kind: SpeakerType = "organisation" if head_word in ORGANISATION_HEADS else "person"
            speaker = self.speakers[key] = Speaker(key, kind, named=False)
        speaker.heads.add(head_word)
        return speaker

    def _aged(self, a: int, b: int, position: int) -> Speaker | None:
        """"The 45-year-old" (or "the 45-year-old woman") is the person in focus: news writing introduces someone by
        name and refers back by age. The most recent person subject, of the gender a noun after the age gives."""
        tokens = self.tokens
        if tokens[a].lower != "the" or not _AGE.fullmatch(tokens[a + 1].lower if a < b else ""):
            return None
        noun = tokens[b].lower if b == a + 2 else None
        if b > a + 2 or noun is not None and noun not in _AGED_NOUNS:
            return None
        return self.recent(position, _AGED_NOUNS.get(noun, "i"))  # "i": a person of either gender

    def _earlier_named(self, position: int, head_word: str, modifiers: int) -> Speaker | None:
        """"the latter" / "the former": the last or the one before of the last two named; "the company": the
        organisation named last before ``position``, or a lone word never introduced as a person ("Hasbro
        hosted a panel … the company noted"), which is then an organisation."""
        named = []
        for mention in reversed(self.mentions):
            speaker = mention.speaker
            if mention.position < position and speaker.named and speaker.name not in self.places and \
                    speaker not in named:
                named.append(speaker)
        if head_word in ("latter", "former") and len(named) >= 2:
            return named[0] if head_word == "latter" else named[1]
        if head_word in ORGANISATION_REFERENCES and modifiers <= 2:  # "the company", "the tech giant"
            return self._last_organisation(position)
        return None

    def _last_organisation(self, position: int) -> Speaker | None:
        """The organisation named last before ``position``, or a lone name never introduced as a person that was
        a subject ("Hasbro hosted a panel"), which is then an organisation."""
        found = next((m.speaker for m in reversed(self.mentions) if m.position < position and m.speaker.named
                      and m.speaker.name not in self.places and (m.speaker.kind == "organisation" or m.subject and
                      len(m.speaker.name.split()) == 1 and not m.speaker.heads and m.speaker.gender is None)),
                     None)
        if found is not None:
            found.kind = "organisation"
        return found

    def _description_words(self, a: int, b: int) -> tuple[int, int]:
        """The words of an unnamed source that name it: without determiners, numbers and quantifiers ("Several
        conservative groups", "Some of the protesters"), a possessor ("Johnson's critics"), a list it
        introduces ("German firms including …") or a clause after it ("the protesters Wikinews interviewed")."""
        tokens, k = self.tokens, a
        skipped = DETERMINERS - {"other", "some"} | _QUANTIFIERS
        while k < b and (tokens[k].lower in skipped or tokens[k].text[0].isdigit() or is_possessive(tokens[k])
                         or tokens[k].lower.endswith(PARTICIPLE_ADJECTIVES) and is_name_word(tokens[k + 1])) \
                and tokens[k + 1].lower != "of":  # but "one of the maintainers"; "the Yemen-based X": X
            k += 1
        if k + 2 < b and tokens[k].lower in ("some", "many", "most", "several", "all") and \
                tokens[k + 1].lower == "of" and tokens[k + 2].lower in ("the", "those"):
            k += 3  # "Some of the protesters"
        for t in range(k + 1, b + 1):
            if tokens[t].lower == "including" or tokens[t].text == "," and t < b and tokens[t + 1].lower in (
                    "who", "which", "whose", "a", "an", "the"):
                return k, t - 1  # "German firms including …", "Officials, who asked not to be named,", "The
                # governor of Louisiana, a U.S. state on the Gulf of Mexico,"
            if is_name_word(tokens[t]) and not is_name_word(tokens[t - 1]):
                run_end = name_runs(tokens, t, b)[0][1]
                if run_end < b and verb_like(tokens, run_end + 1):
                    return k, t - 1
        return k, b

    def _organisation_of_name(self, k: int, b: int) -> bool:
        """``tokens[k:b + 1]`` is "<organisation word> of <Name>" ("government of American Samoa"), which names
        one organisation."""
        tokens = self.tokens
        if k + 2 > b or tokens[k].lower not in ORGANISATION_WORDS or tokens[k + 1].lower != "of":
            return False
        return name_runs(tokens, k + 2, b) == [(k + 2, b)]
