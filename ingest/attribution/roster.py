"""The document's names, read once before any statement: who is named, as what, and where.

Every run of capitalised words is a mention: titles before a name are taken off ("Defence Minister Khawaja
Asif" → "Khawaja Asif", a speaker with the role "minister"), a surname or first name is read as the fullest
person name of the document that ends or starts with it, an acronym in brackets after a name stands for it
("World Health Organization (WHO)"), and a mention that opens its sentence or stands before a verb is a
*subject*, what a later pronoun may refer to. :class:`~.speakers.Cast` resolves sources against this roster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.attribution.gender import GIVEN_NAMES, add_name_vote, add_title_votes, decide, pronoun_vote
from ingest.attribution.lexicon import (
    DETERMINERS,
    NOT_IN_NOUN_PHRASE,
    NOT_NAMES,
    NP_JOINERS,
    ORGANISATION_HEADS,
    ORGANISATION_WORDS,
    SPEECH_VERBS,
    TITLES,
    VERB_PREFIX,
)
from ingest.attribution.names import is_acronym, is_title, split_title
from ingest.attribution.phrases import (
    Token,
    is_name_word,
    is_possessive,
    name_runs,
    person_noun,
    possessive_base,
    verb_like,
)
from ingest.attribution.types import SpeakerType

PREPOSITIONS = {"of", "for", "from", "at", "in", "on", "to", "with", "by", "about", "as", "than"}
# Descriptions of two people named together before: "the couple", "the pair".
PAIR_WORDS = {"couple", "pair", "duo", "two", "both"}
# Adverbs between a subject and its reporting verb that do not end in -ly.
_ADVERBS = {"later", "also", "then", "again", "once", "previously", "earlier", "further", "still", "often", "had",
            "has", "have", "would", "will"}
_RELATIVES = {"which", "whom", "whose", "whereby", "wherein"}
_TITLE_MODIFIERS = {"vice", "deputy", "assistant", "former", "ex", "associate", "acting"}


@dataclass
class Speaker:
    name: str
    kind: SpeakerType = "person"
    named: bool = True
    aliases: list[str] = field(default_factory=list)
    heads: set[str] = field(default_factory=set)  # role words and description heads it was mentioned by
    spoke: bool = False  # has a statement in the document
    gender: str | None = None  # "m" or "f" when the document tells (:mod:`.gender`)
    plural: bool = False  # two or more speakers named together ("Reuters and NBC"): "they" may mean it
    votes: dict[str, int] = field(default_factory=lambda: {"m": 0, "f": 0})

    def alias(self, mention: str) -> None:
        if mention and mention not in self.aliases:
            self.aliases.append(mention)


@dataclass
class Mention:
    position: int
    speaker: Speaker
    subject: bool  # not the object of a verb or preposition: what a later pronoun may refer to
    inner: bool = False  # was a subject inside what someone said ("PBS revealed *X* accepted …")


class Roster:
    """Every name of one document, read once before any statement: the speakers they name, with their kind,
    roles and titles, and each mention's position, for the resolution rules of :class:`~.speakers.Cast`."""

    def __init__(self, text: str, tokens: list[Token], quoted: list[bool]):
        self.text = text
        self.tokens = tokens
        self.quoted = quoted
        self.documents: dict[str, Speaker] = {}  # "report" → the author of the last report named with one
        self.speakers: dict[str, Speaker] = {}
        self.mentions: list[Mention] = []
        self.acronyms: dict[str, str] = {}
        self.proper = {t.lower for k, t in enumerate(tokens) if k and is_name_word(t) and not self._initial(k)}
        self.common = {t.lower for t in tokens if t.is_word and not t.capitalised}  # words written in lower case
        # Names seen after "in", "at", "on" … ("in Northern Cyprus", "on Twitter"): places and platforms, never
        # what "he" or "she" refers to.
        self.places = {" ".join(self._words(i, j)) for i, j in name_runs(tokens, 0, len(tokens) - 1)
                       if i and tokens[i - 1].lower in ("in", "at", "on", "across", "near", "via", "into")}
        self._read_names()

    def _read_names(self) -> None:
        tokens, found = self.tokens, []
        runs = self._runs(0, len(tokens) - 1)
        terms = self._lower_case_terms()
        for n, (i, j) in enumerate(runs):
            words = self._words(i, j)
            name = split_title(words)
            if not name or len(words) == 1 and words[0] in terms:
                continue
            kind = self._kind(name, i > 0 and tokens[i - 1].lower == "the" and len(name) == len(words))
            found.append((i, j, " ".join(name), kind, words[: len(words) - len(name)]))
            inner = self._expansion(j) if i == j and is_acronym(words[0]) else None
            if inner is not None:  # "AEW (All Elite Wrestling)": the short form first
                self.acronyms[words[0]] = self.text[tokens[inner[0]].start:tokens[inner[1]].end]
            elif j + 3 < len(tokens) and tokens[j + 1].text == "(" and tokens[j + 3].text == ")":
                short = tokens[j + 2].text
                spelled = self._spelled_out(j, short) if short.isalpha() and sum(c.isupper() for c in short) >= 2 \
                    and self._initials(i, j).lower() != short.lower() else None  # "Transport for London (TfL)"
                if spelled is not None and spelled < i:
                    found.append((spelled, j, self.text[tokens[spelled].start:tokens[j].end], "organisation", []))
                    self.acronyms[short] = found[-1][2]
                elif is_acronym(short) or kind == "organisation" and sum(c.isupper() for c in short) >= 2:
                    start = self._acronym_start(runs, n, short)  # "(CalFire)" after a name stands for it
                    if start != i:
                        found.append((start, j, self.text[tokens[start].start:tokens[j].end], "organisation", []))
                    self.acronyms[short] = found[-1][2]
        people = [n for _, _, n, k, _ in found if k == "person" and len(n.split()) > 1]
        first_seen = {}
        for n, (_, _, name, _, _) in enumerate(found):
            first_seen.setdefault(name, n)
        counts = {name: sum(f[2] == name for f in found) for name in people}
        read: list[tuple[int, int, Speaker, bool]] = []  # (first token, last token, speaker, subject)
        for i, j, name, kind, titles in found:
            full = self._fullest(name, people, counts, first_seen) if kind == "person" else name
            full = self.acronyms.get(full, full)  # "PG&E" after "Pacific Gas and Electric (PG&E)"
            speaker = self.speakers.setdefault(full, Speaker(full, kind))
            speaker.alias(" ".join(self._words(i, j)))
            speaker.heads.update(self._roles(titles) & TITLES)
            add_title_votes(speaker.votes, titles)
            if not is_possessive(tokens[j]):
                roles = self._role_words(i, j)
                speaker.heads.update(roles)
                add_title_votes(speaker.votes, roles)
            subject = self._is_subject(i, j)
            self.mentions.append(Mention(tokens[i].start, speaker, subject))
            if read and read[-1][1] + 2 == i and tokens[i - 1].lower == "and" and self._pair(read[-1], speaker, i):
                pair = self.joint(read[-1][2], speaker)  # "Cherie and Sean O'Donnell", then "the couple"
                role = tokens[read[-1][0] - 1] if read[-1][0] > 0 else None
                if role is not None and role.is_word and not role.capitalised and role.lower.endswith("s") and \
                        role.lower not in PREPOSITIONS | DETERMINERS:
                    pair.heads.add(role.lower)  # "officers X and Y", then "both officers", "the officers"
                self.mentions.append(Mention(tokens[i].start, pair, self._is_subject(read[-1][0], j)))
            read.append((i, j, speaker, subject))
        self._read_genders(read)

    def _expansion(self, j: int) -> tuple[int, int] | None:
        """The tokens of a spelled-out name in brackets after the acronym at ``tokens[j]``, when its words' initials
        spell it: "AEW (All Elite Wrestling)", "WWE (World Wrestling Entertainment)"."""
        tokens = self.tokens
        close = next((k for k in range(j + 2, min(len(tokens), j + 12)) if tokens[k].text == ")"), None)
        if close is None or tokens[j + 1].text != "(" or close == j + 2:
            return None
        letters = "".join(t.text[0] for t in tokens[j + 2:close] if t.is_word and t.text[0].isupper())
        return (j + 2, close - 1) if letters.lower() == tokens[j].text.replace(".", "").lower() else None

    def _pair(self, first: tuple[int, int, Speaker, bool], second: Speaker, i: int) -> bool:
        """Two people named together, outside quotation marks ("Cherie and Sean O'Donnell"): each introduced,
        or a first name as written before a full name."""
        a, b, one, _ = first
        if one.kind != "person" or second.kind != "person" or self.quoted[i] or one is second:
            return False
        if len(second.name.split()) > 1 and a == b and self.tokens[a].text == one.name and not one.name.isupper():
            return True  # "Lena and Omar Haddad"
        return all(len(s.name.split()) > 1 or s.heads for s in (one, second))

    def joint(self, first: Speaker, second: Speaker, first_name: str = "", second_name: str = "") -> Speaker:
        """The speaker that two speakers named together are ("Reuters and NBC"; "the couple" after two people
        named together), named by both names (by default, each speaker's own)."""
        name = f"{first_name or first.name} and {second_name or second.name}"
        kind: SpeakerType = first.kind if first.kind == second.kind else "other"
        speaker = self.speakers.setdefault(name, Speaker(name, kind, first.named and second.named, plural=True))
        if kind == "person":
            speaker.heads.update(PAIR_WORDS)
        return speaker

    def _read_genders(self, read: list[tuple[int, int, Speaker, bool]]) -> None:
        """Each person's gender from the votes of its titles and of the pronouns after its mentions."""
        people = {i: s for i, _, s, _ in read if s.kind == "person" and (len(s.name.split()) > 1 or s.heads)}
        for _, j, speaker, subject in read:
            if speaker.kind == "person" and subject:  # not "… to marry X. He never came out."
                vote = pronoun_vote(self.tokens, self.quoted, j, people, speaker)
                if vote is not None:
                    speaker.votes[vote] += 1
        for speaker in self.speakers.values():
            if speaker.kind == "person":
                add_name_vote(speaker.votes, speaker.name)
            speaker.gender = decide(speaker.votes)

    def _lower_case_terms(self) -> set[str]:
        """Acronyms the document spells out in lower-case words, "exclusive economic zone (EEZ)": terms, not
        names of anyone who could speak."""
        tokens, terms = self.tokens, set()
        for k in range(1, len(tokens) - 2):
            short = tokens[k + 1].text
            if tokens[k].text != "(" or tokens[k + 2].text != ")" or not is_acronym(short):
                continue
            letters = [c.lower() for c in short if c.isalpha()]
            words = [t for t in tokens[max(0, k - len(letters)):k] if t.is_word]
            if len(words) == len(letters) >= 2 and all(not t.capitalised for t in words) and \
                    [t.lower[0] for t in words] == letters:
                terms.add(short)
        return terms

    def _acronym_start(self, runs: list[tuple[int, int]], n: int, acronym: str) -> int:
        """Where the name an acronym stands for starts: ``runs[n]``, or an earlier run when the acronym's letters
        need it and only commas and "and" stand between ("United Nations Educational, Scientific and Cultural
        Organization (UNESCO)")."""
        letters = "".join(c for c in acronym if c.isupper())
        end = runs[n][1]
        spelled = (letters, letters + self.tokens[end].text[0]) if self.tokens[end].lower in ORGANISATION_WORDS \
            else (letters,)  # "Pacific Gas and Electric Company (PG&E)": the company's word may be left out
        start = runs[n][0]
        for m in range(n - 1, max(-1, n - 4), -1):
            if self._initials(start, end) in spelled or not acronym.replace("&", "").isupper():
                break
            between = {t.lower for t in self.tokens[runs[m][1] + 1:start]}
            if not between or not between <= {",", "and", "&"}:
                break
            if self._initials(runs[m][0], end) in spelled:
                return runs[m][0]
            start = runs[m][0]
        return runs[n][0]

    def _spelled_out(self, j: int, short: str) -> int | None:
        """Where the words a mixed-case short form abbreviates start, ending at ``tokens[j]``: their first
        letters, joiners included or not, spell it ("Transport for London (TfL)", "Royal Society for the
        Protection of Birds (RSPB)"); None when no run of up to ten words before it does."""
        tokens, letters = self.tokens, short.lower()
        for k in range(j, max(-1, j - 10), -1):
            if not tokens[k].is_word:
                return None
            words = tokens[k:j + 1]
            if tokens[k].capitalised and letters in ("".join(t.text[0] for t in words).lower(),
                                                     "".join(t.text[0] for t in words if t.capitalised).lower()):
                return k
        return None

    def _initials(self, i: int, j: int) -> str:
        return "".join(t.text[0] for t in self.tokens[i:j + 1] if t.is_word and t.capitalised)

    def _runs(self, a: int, b: int) -> list[tuple[int, int]]:
        """Name runs, less a capitalised first word that is not a name ("Amidst the bustle …", "Police said …"
        where no "… Police" is named)."""
        runs = []
        for i, j in name_runs(self.tokens, a, b):
            first = self.tokens[i].lower
            if i < j and self._initial(i) and not self._name_at_start(i) and self._plural_noun(first):
                i += 1  # "Guests Lena and Omar Haddad ran …": a plural noun opening the sentence
            if not (i == j and self._initial(i)) or self._name_at_start(i):
                runs.append((i, j))
        return runs

    def _plural_noun(self, word: str) -> bool:
        """A capitalised word opening a sentence before a name is a plural noun ("Guests", "Residents"), not a
        given name ending in -s ("James Wilson", "Carlos Ruiz", "Ines Moreau"): the document writes it or its
        singular in lower case, or a consonant stands before its -s; never a common given name."""
        if not word.endswith("s") or word.endswith(("ss", "us", "is")) or is_title(word) or word in GIVEN_NAMES:
            return False
        return bool({word, word[:-1], word[:-2]} & self.common) or word[-2] not in "aeiouy"

    def _name_at_start(self, i: int) -> bool:
        """A capitalised word opening a sentence is a name when the document capitalises it elsewhere, when it is
        an acronym or an organisation's word ("Reuters"), or when a reporting verb, a "who" clause or an age
        follows and it is not a plural or collective noun ("Wasif suggested", "Smith, who …", "Smith, 45,", but
        "Officials said", "Police said")."""
        word = possessive_base(self.tokens[i].lower)
        if word in self.proper or is_acronym(self.tokens[i].text):
            return True
        written = possessive_base(self.tokens[i].text)
        if any(c.isupper() for c in written[1:]) and any(c.islower() for c in written):
            return True  # a capital inside the word: "DeSantis", "McGurk", "LeBron" are names, not nouns
        if any(name.split()[0].lower() == word for name in self.acronyms.values()):
            return True  # "Transport", the first word of "Transport for London (TfL)"
        if word in ORGANISATION_HEADS or word.endswith("s") and word not in ORGANISATION_WORDS:
            return False
        nxt = self.tokens[i + 1].lower if i + 1 < len(self.tokens) else ""
        after = self.tokens[i + 2] if i + 2 < len(self.tokens) else None
        if nxt == "," and after is not None and (after.lower == "who" or after.text.isdigit() and i + 3 < len(
                self.tokens) and self.tokens[i + 3].text == ","):
            return True  # "Smith, who has led the party since 2019, said", "Smith, 45, said": a person
        if after is not None and (nxt.endswith("ly") or nxt in _ADVERBS) and after.lower in SPEECH_VERBS:
            nxt = after.lower  # "Wasif later wrote", "Wasif quickly denied"
        return word in ORGANISATION_WORDS or nxt in SPEECH_VERBS

    def _initial(self, k: int) -> bool:
        """``tokens[k]`` starts a sentence, a line or a quotation."""
        return k == 0 or self.tokens[k - 1].text in ".!?\n:\"“‘'()" or self.tokens[k - 1].text == "—"

    def _is_subject(self, i: int, j: int) -> bool:
        """Where "he" or "she" may point: a name that opens its sentence (titles and an opening adverbial aside)
        or stands before a verb; not quoted, not after a preposition, an article or a verb ("a *Thanos* helmet",
        "the project involves Greece, *Cyprus* and *Israel*")."""
        tokens = self.tokens
        if self.quoted[i] or i and (tokens[i - 1].lower in PREPOSITIONS | DETERMINERS or verb_like(tokens, i - 1)):
            return False
        if i and tokens[i - 1].lower in _RELATIVES:
            return False  # a relative clause's subject: "Mugabe agreed to a deal in which *Tsvangirai* became …"
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        if nxt is not None and nxt.is_word and not nxt.capitalised and (verb_like(tokens, j + 1) or nxt.lower in
                                                                        VERB_PREFIX | SPEECH_VERBS.keys()):
            return True
        k = i - 1
        while k >= 0 and tokens[k].is_word and (not tokens[k].capitalised or is_title(tokens[k].text)
                                                or tokens[k].lower in DETERMINERS):
            k -= 1
        if k > 0 and tokens[k].text in "\"”’'" and tokens[k - 1].text not in ".!?":
            return False  # after a closing mark inside a sentence: 'talent agent Pasquale "Pat" *Di Cicco*;'
        return k < 0 or tokens[k].text in ".!?\n" or self._initial(k + 1) or self._after_opening(k)

    def _after_opening(self, comma: int) -> bool:
        """``tokens[comma]`` closes an opening adverbial ("On Tuesday, …", "Yesterday, …"), not a list."""
        if self.tokens[comma].text != ",":
            return False
        k = comma - 1
        while k >= 0 and self.tokens[k].text not in ".!?\n," and self.tokens[k].lower != "that":
            k -= 1  # "… revealed that in December, *Crown Prince X* accepted": a clause opens after "that"
        opening = self.tokens[k + 1:comma]
        if any(verb_like(self.tokens, n) or t.lower in ("was", "were", "is", "are", "has", "had")
               for n, t in enumerate(opening, k + 1)):
            return False  # "She was also married to George Weidler, *Marty Melcher*, …": a list in a clause
        return (k < 0 or self.tokens[k].text != ",") and self.tokens[k + 1].lower in NOT_NAMES

    def _words(self, i: int, j: int) -> list[str]:
        words: list[str] = []
        for token in self.tokens[i:j + 1]:
            if token.text == "." and words:
                words[-1] += "."
            else:
                words.append(token.text)
        words[-1] = possessive_base(words[-1])
        return words

    @staticmethod
    def _kind(name: list[str], after_the: bool) -> SpeakerType:
        lowered = {possessive_base(w).lower() for w in name}
        if lowered & ORGANISATION_WORDS or after_the:
            return "organisation"
        if len(name) == 1 and (is_acronym(name[0]) or "." in name[0].strip(".")):
            return "organisation"  # "WHO", a site ("Znak.com")
        return "person"

    @staticmethod
    def _roles(titles: list[str]) -> set[str]:
        """"the president" may refer to "President Trump" but not to "Vice President Biden"."""
        lowered = [t.lower().rstrip(".") for t in titles]
        return {w for k, w in enumerate(lowered) if not (k and lowered[k - 1] in _TITLE_MODIFIERS)}

    @staticmethod
    def _fullest(name: str, people: list[str], counts: dict[str, int], first_seen: dict[str, int]) -> str:
        """The fullest person name in the document with all of ``name``'s words and its last word; of several
        ("Trump": Donald or Melania), the one named most often, then first."""
        words = name.lower().split()  # case aside: "Von der Leyen" opening a sentence is "Ursula von der Leyen"
        fuller = {o for o in people if (o.lower().split()[-1] == words[-1] or len(words) == 1 and len(o.split()) >= 3
                                        and words[0] in o.lower().split()[1:-1])  # "Rosselló": R. Rosselló Nevares
                  and set(words) <= set(o.lower().split()) and o.lower() != name.lower()}
        if not fuller:
            return name
        if len(words) > 1:
            return max(fuller, key=lambda o: (len(o.split()), len(o)))
        best = min(fuller, key=lambda o: (-counts[o], first_seen[o]))
        best_words = set(best.lower().split())
        longer = [o for o in fuller if (o.lower().split()[-1] == best.lower().split()[-1]
                                        or o.lower().startswith(best.lower() + " "))
                  and best_words < set(o.lower().split())]
        # "Mugabe": "Robert Mugabe", in full "Robert Gabriel Mugabe"; "Vázquez": "Wanda Vázquez Garced"
        return max(longer, key=lambda o: (len(o.split()), len(o))) if longer else best

    def _apposed_description(self, i: int) -> set[str]:
        """Role words of a description that opens its sentence and is apposed to the name at ``tokens[i]``: "The
        Prime Minister, Jacinda Ardern,", "the country's health minister, Anna Berg,", "The Governor of Tyumen
        Oblast, Alexander Moor," (its head before "of"); not "according to his publicist, Mendez …"."""
        tokens = self.tokens
        head = i - 2
        of = next((n for n in range(i - 3, max(0, i - 8), -1) if tokens[n].lower == "of"), None)
        if of is not None and all(t.is_word for t in tokens[of:i - 1]):
            head = of - 1
        if not person_noun(possessive_base(tokens[head].text)):
            return set()
        k = head
        while k > 0 and head - k < 5 and tokens[k - 1].is_word and not is_possessive(tokens[k - 1]) and \
                tokens[k - 1].lower not in DETERMINERS | PREPOSITIONS | NOT_IN_NOUN_PHRASE:
            k -= 1
        d = k - 1 if k and (tokens[k - 1].lower in DETERMINERS or is_possessive(tokens[k - 1])) else k
        while d > 0 and is_possessive(tokens[d]) and tokens[d - 1].is_word and i - d < 9:
            d -= 1  # "the country's health minister": back to "the"
        return self._roles([t.text for t in tokens[k:head + 1]]) if d == 0 or self._initial(d) else set()

    def _role_words(self, i: int, j: int) -> set[str]:
        """Lower-case role words right before a name after a determiner or modifier ("the caretaker Prime
        Minister", "NASA administrator Jim Bridenstine"), in a description the name is apposed to ("The Prime
        Minister, Jacinda Ardern,") or in an apposition after it ("Carrie Lam, the chief executive of Hong
        Kong,")."""
        tokens, roles = self.tokens, set()
        k = i - 1
        while k >= 0 and i - k <= 3 and tokens[k].is_word and not tokens[k].capitalised and \
                tokens[k].lower not in NOT_IN_NOUN_PHRASE | NP_JOINERS | DETERMINERS and \
                not tokens[k].lower.endswith("ing") and not verb_like(tokens, k):
            k -= 1
        if k < i - 1 and (k < 0 or not tokens[k].is_word or tokens[k].capitalised or tokens[k].lower in DETERMINERS
                          or tokens[k].lower in PREPOSITIONS):  # "… with his daughter Nettie Baker"
            roles.update(self._roles([t.text for t in tokens[k + 1:i]]))
        if i >= 2 and tokens[i - 1].text == ",":
            roles.update(self._apposed_description(i))
        if j + 2 < len(tokens) and tokens[j + 1].text == "," and tokens[j + 2].lower in ("the", "a", "an"):
            k = j + 3
            while k < len(tokens) and k - j <= 8 and tokens[k].is_word and tokens[k].lower not in PREPOSITIONS:
                k += 1
            words = tokens[j + 3:k]  # not "In an interview with the BBC, the minister admitted …": a clause
            if words and not any(verb_like(tokens, n) for n in range(j + 3, k)) and person_noun(words[-1].text):
                roles.update(t.lower for t in words)
        return roles - DETERMINERS - NOT_IN_NOUN_PHRASE
