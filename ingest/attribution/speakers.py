"""Who a mention is: names, titles, surnames, acronyms, descriptions and pronouns resolved within one document.

:class:`Cast` reads every name in the document first (:class:`~.roster.Roster`), so "Lam said" resolves to
"Carrie Lam", "the minister" to the person introduced as "Defence Minister Khawaja Asif", "MS" (an interview's
speaker label) to "Michael Siegel", "WHO" to "World Health Organization", "Ford" to "Ford Motor Company", and
a pronoun to the person or organisation most recently in a subject position that fits it (not a woman for
"he", not a group for "she"). Definite descriptions find their antecedent ("the company", "the latter", "his
daughter", "the couple"); sources named together speak together ("Reuters and NBC"). Unnamed sources keep
their description's head words ("military spokesperson", named false); a spokesperson of a named
organisation speaks for it ("an Interpol spokesperson" → Interpol), and a document for its author ("a UN
report", "projections by CNN and NPR").
"""

from __future__ import annotations

import bisect
import re

from ingest.attribution.descriptions import ORGANISATION_REFERENCES, Descriptions
from ingest.attribution.lexicon import (
    DETERMINERS,
    DOCUMENT_ADJECTIVES,
    DOCUMENTS,
    NAME_PARTICLES,
    NOT_IN_NOUN_PHRASE,
    ORGANISATION_HEADS,
    ORGANISATION_WORDS,
    PRONOUNS,
    TIME_WORDS,
    TITLES,
)
from ingest.attribution.names import fold, initials, is_acronym, split_title
from ingest.attribution.phrases import is_name_word, is_possessive, name_runs, possessive_base
from ingest.attribution.roster import Mention, Speaker

__all__ = ["Cast", "Speaker"]

_POST_MODIFIERS = {"of", "for", "from", "at", "in", "within", "with", "on", "to", "who", "representing", "based",
                   "sent", "posted", "published", "issued", "released", "by"}
# "an Interpol spokesperson", "a Coast Guard statement": the organisation named before speaks.
_SPEAKS_FOR = {"spokesperson", "spokesman", "spokeswoman", "representative", "statement"}


_OBJECT_PRONOUNS = {"him": "he", "her": "she", "them": "they", "us": "we", "me": "i"}


#: Documents only an organisation issues: "the advisory" with no author named is the last organisation's.
_ISSUED = {"advisory", "advisories", "bulletin", "communique", "communiqué", "notice", "release"}




class Cast(Descriptions):
    """The speakers of one document and the mentions that refer to them."""

    def resolve(self, a: int, b: int) -> Speaker | None:
        """The speaker that the noun phrase ``tokens[a:b + 1]`` refers to, or None for a document ("according
        to a 2011 study"). Records the mention as a subject, for the pronouns that follow."""
        tokens = self.tokens
        position = tokens[a].start
        pronoun = _OBJECT_PRONOUNS.get(tokens[a].lower, tokens[a].lower) if a == b else None
        if pronoun == "it":  # "Apple said …. It added …": an organisation, perhaps one named by one word only;
            speaker = self.recent(position, pronoun) or self._last_organisation(position)  # else a thing: no one
        elif pronoun in PRONOUNS:  # "he", or "him" in "according to him"
            speaker = self.recent(self._before_adjunct(a), pronoun) or self._unresolved(pronoun)
        else:
            speaker = self._phrase(a, b, position)
        if speaker is not None:
            speaker.alias(self.text[tokens[a].start:tokens[b].end])
        return speaker

    def _before_adjunct(self, a: int) -> int:
        """Where the antecedent of a subject pronoun at ``tokens[a]`` must stand before: the start of an opening
        participial adjunct ("Speaking to Martin Smith, he said": "he" is the one speaking, never Martin
        Smith), else the pronoun itself."""
        tokens = self.tokens
        if a < 2 or tokens[a - 1].text != ",":
            return tokens[a].start
        k = a - 2
        while k > 0 and tokens[k - 1].text not in ".!?\n\"“”" and a - k < 25:
            k -= 1
        first = tokens[k + 1] if tokens[k].lower in ("after", "before", "while", "when") else tokens[k]
        if first.capitalised and first.lower.endswith("ing") or k < a - 2 and tokens[k].lower in (
                "after", "before", "while", "when") and first.lower.endswith("ing"):
            return tokens[k].start
        return tokens[a].start

    def _unresolved(self, pronoun: str) -> Speaker:
        """A pronoun with nobody before it to refer to stays a pronoun: the statement is kept, unnamed."""
        return self.speakers.setdefault(pronoun, Speaker(pronoun, named=False))

    def _phrase(self, a: int, b: int, position: int) -> Speaker | None:
        tokens = self.tokens
        if b > a and tokens[b].lower in ("itself", "himself", "herself", "themselves"):
            b -= 1  # "the study itself"
        if b - 2 >= a and tokens[b].text == ")" and tokens[b - 2].text == "(":
            start = a + 1 if tokens[a].lower == "the" else a
            spelled = self.speakers.get(self.acronyms.get(tokens[b - 1].text, ""))
            if spelled is not None and spelled.name == self.text[tokens[start].start:tokens[b - 3].end]:
                return spelled  # "The Royal Society for the Protection of Birds (RSPB)": what the short form names
            if b - 3 > a:
                b -= 3  # "One of these groups, the Syrian Democratic Forces (SDF)": the name before the brackets
        runs = [(i, j) for i, j in self._runs(a, b)  # not "The President": a role, resolved as a description
                if split_title(self._words(i, j)) or i == j and is_acronym(tokens[i].text)]
        inside = {k for i, j in runs for k in range(i, j + 1)}
        # The head ends before a modifier: "Bill Gerstenmaier *of* NASA", "Trump *and* his supporters".
        modified = tokens[b].is_word and not tokens[b].capitalised and tokens[b].lower.endswith("s") and b - 1 in inside
        head_end = next((k - 1 for k in range(a + 1, b + 1) if k not in inside and (
            tokens[k].lower in _POST_MODIFIERS or tokens[k].text in ",(" or tokens[k].lower == "and" and k - 1 in inside
            and not modified)), b)  # but "New Orleans and Jefferson Parish officials": the names modify the head
        joint = self._coordinated(a, b, inside)
        if joint is not None:
            return joint
        apposition = [(i, j) for i, j in runs if j == b and i > a and self._after_comma(i, a)
                      and not self._place_apposition(runs, i)]
        heads = [(i, j) for i, j in runs if j <= head_end and not is_possessive(tokens[j])
                 and (j == head_end or not tokens[j + 1].is_word and not _modifies(tokens, j + 1)
                      or tokens[j + 1].capitalised)]
        head_word = possessive_base(tokens[head_end].lower)
        if head_word in DOCUMENTS:
            return self._document_source(a, b, head_end)
        for i, j in apposition or heads:
            speaker = self._named(i, j)
            if speaker.kind == "person" or head_word not in _SPEAKS_FOR:
                return speaker
        speaks_for = head_word in _SPEAKS_FOR or head_word == "office" and tokens[head_end].text.islower()
        modifiers = name_runs(tokens, a, head_end)
        if speaks_for and modifiers:
            speaker = self._named(*modifiers[-1])
            speaker.heads.add(head_word)
            return speaker
        principal = self._principal(a, b, head_end) if speaks_for else None
        if principal is not None:
            principal.heads.add(head_word)
            return principal
        if head_word in TITLES and runs and runs[-1][1] == b:
            named = self._named(*runs[-1])  # "Hong Kong director of Amnesty International Man-kei Tam"
            if named.kind == "person" and (len(named.name.split()) > 1 or named.gender or named.heads):
                return named  # but "the president of Turkey", "the mayor of Yartsevo": a role, not the place
        return self._description(a, b, head_word, position)

    def _place_apposition(self, runs: list[tuple[int, int]], i: int) -> bool:
        """The run at ``tokens[i]`` completes a place after "in" or "at": "Police in Baytown, *Texas*"."""
        before = next(((p, q) for p, q in runs if q == i - 2), None)
        return before is not None and before[0] > 0 and self.tokens[before[0] - 1].lower in ("in", "at", "near")

    def _principal(self, a: int, b: int, head_end: int) -> Speaker | None:
        """Who a spokesperson or an office speaks for, when the text names them: "a spokesman for the Ministry
        of Defence", "his office", "the mayor's office" (the mayor introduced before), "a company spokesperson"
        (the company named last); else None."""
        tokens = self.tokens
        if head_end > a and tokens[head_end - 1].lower in ORGANISATION_REFERENCES:  # "a company spokesperson"
            return self._earlier_named(tokens[a].start, tokens[head_end - 1].lower, 1)
        if head_end + 2 <= b and tokens[head_end + 1].lower in ("for", "of", "from", "at"):
            speaker = self._phrase(head_end + 2, b, tokens[head_end + 2].start)
            return speaker if speaker is not None and speaker.named else None
        for k in range(a, head_end):
            if tokens[k].lower in ("his", "her", "their", "its"):
                speaker = self.recent(tokens[k].start, {"his": "he", "her": "she", "their": "they", "its": "it"}[
                    tokens[k].lower])
            elif is_possessive(tokens[k]):
                speaker = self._phrase(a, k, tokens[a].start)  # "the mayor's office": the mayor
            else:
                continue
            return speaker if speaker is not None and speaker.named else None
        return None

    def _coordinated(self, a: int, b: int, inside: set[int]) -> Speaker | None:
        """Two named sources joined by "and" ("Reuters and NBC", "both Saudi Arabia and the United States")
        speak together: one speaker named by both."""
        if b not in inside:
            return None
        for k in range(a + 1, b):
            if self.tokens[k].lower in _POST_MODIFIERS:
                return None  # "X of Rogaland Fire and Rescue": the "and" is inside the organisation's name
            if self.tokens[k].lower == "and" and k - 1 in inside and k not in inside:
                start = a + 1 if self.tokens[a].lower == "both" else a
                if start not in inside and not (self.tokens[start].lower == "the" and start + 1 in inside):
                    return None  # "projections by CNN and NPR": a document, see _document_source
                first, second = self._phrase(start, k - 1, self.tokens[start].start), \
                    self._phrase(k + 1, b, self.tokens[k + 1].start)
                if first is not None and second is not None and first.named and second.named and first is not second:
                    return self.joint(first, second, self._as_written(start, k - 1, first, True),
                                      self._as_written(k + 1, b, second, False))
                return None
        return None

    def _as_written(self, a: int, b: int, speaker: Speaker, leading: bool) -> str:
        """How a part of a joint speaker is named: a person by the fullest name, an organisation as written,
        brackets aside ("the United States", "NBC"), without an article at the start of the whole name."""
        if speaker.kind == "person":
            return speaker.name
        if leading and self.tokens[a].lower == "the":
            a += 1
        return re.sub(r"\s*\([^)]*\)", "", self.text[self.tokens[a].start:self.tokens[b].end])

    def _after_comma(self, i: int, a: int) -> bool:
        """A comma stands before the name, titles aside: "…'s director, Dr. Anthony Fauci"."""
        k = i - 1
        if k > a and self.tokens[k].lower == "the" and self.tokens[k - 1].text == ",":
            return True  # "One of these groups, the Syrian Democratic Forces"
        while k > a and i - k <= 5 and (self.tokens[k].text == "." or self.tokens[k].lower in TITLES or (
                self.tokens[k].is_word and not self.tokens[k].capitalised
                and self.tokens[k].lower not in NOT_IN_NOUN_PHRASE | DETERMINERS | {"of", "for", "from", "known"})):
            k -= 1  # "…, former tennis player X", not "…, the head of X" nor "…, known as X"
        return self.tokens[k].text == ","

    def _opens_sentence(self, i: int) -> bool:
        return self.text[:self.tokens[i].start].rstrip()[-1:] in ("", ".", "!", "?", "\"", "“", "”", ":", "\n")

    def _document_source(self, a: int, b: int, head_end: int) -> Speaker | None:
        """A document speaks for its author when the text names one: "a 1989 report from the NTSB", "the
        court's summary", "their statement"; otherwise it is no speaker ("a 2011 study")."""
        tokens = self.tokens
        kind = possessive_base(tokens[head_end].lower)
        author = next((k for k in range(head_end + 1, min(b, head_end + 3) + 1) if tokens[k].lower in ("from", "by",
                                                                                                  "of")), None)
        if author is not None:  # "a report from the NTSB", "a tweet sent from Biden's Twitter account"
            runs = name_runs(tokens, author + 1, b)
            if runs:
                joint = self._coordinated(author + 1, b, {k for i, j in runs for k in range(i, j + 1)})
                i, j = runs[0]
                if joint is None and j < b and tokens[b].is_word and not tokens[b].capitalised and \
                        not is_possessive(tokens[j]) and tokens[j + 1].lower not in DETERMINERS | TIME_WORDS and \
                        not any(t.lower in TIME_WORDS for t in tokens[j + 1:b + 1]):
                    # "a report from the Mexican government": a description (but "… by NBC News last week")
                    joint = self._phrase(author + 1, b, tokens[author + 1].start)
                self.documents[kind] = joint or self._named(i, j)  # "projections by CNN and NPR"
                return self.documents[kind]
        if tokens[a].lower in ("the", "this", "that") and head_end == a + 1 and kind in self.documents:
            return self.documents[kind]  # "The report said …" after "a 1989 report from the NTSB"
        for k in range(a, head_end):
            if tokens[k].lower in ("their", "its", "his", "her"):
                return self.recent(tokens[k].start, {"their": "they", "its": "it", "his": "he", "her": "she"}[
                    tokens[k].lower])
            if is_possessive(tokens[k]):
                runs = name_runs(tokens, a, k)  # "The WHO's website": the WHO
                if runs and runs[-1][1] == k:
                    self.documents[kind] = self._named(*runs[-1])
                    return self.documents[kind]
                return self._phrase(a, k, tokens[a].start)
        runs = [(i, j) for i, j in name_runs(tokens, a, head_end - 1) if not tokens[i].text[0].isdigit()
                and not (i == j and tokens[i].lower in DOCUMENT_ADJECTIVES and self._opens_sentence(i))]
        if runs:  # "a UN report": the UN (not "Initial reports", capitalised as the sentence's first word)
            self.documents[kind] = self._named(*runs[-1])
            return self.documents[kind]
        if tokens[a].lower == "the" and head_end == a + 1 and kind in _ISSUED:
            return self._last_organisation(tokens[a].start)  # "The NHC predicted …. The advisory also noted …"
        if kind == "reports" and head_end == b:  # "Reports said …", "according to media reports": unnamed reports
            return self._description(a, b, kind, tokens[a].start)
        body = next((k for k in range(head_end - 1, a - 1, -1) if tokens[k].lower in ORGANISATION_HEADS), None)
        if body is not None:  # "The government statement", "A 2015 federal court decision": by that body
            return self._description(a, body, tokens[body].lower, tokens[a].start)
        return None

    def _named(self, i: int, j: int) -> Speaker:
        """The speaker a name run refers to: its fullest form, an acronym's expansion, initials, a surname."""
        words = split_title(self._words(i, j)) or self._words(i, j)
        name = " ".join(words)
        if name in self.acronyms:
            name = self.acronyms[name]
        if name in self.speakers and len(words) > 1:
            return self.speakers[name]
        candidates = [s for s in self.speakers.values() if s.name != name and s.named and not s.plural
                      and self._matches(words, s)]
        if candidates:
            return self._most_mentioned(candidates)
        if len(words) == 1 and is_acronym(name):
            expanded = [s for s in self.speakers.values() if s.kind == "person" and initials(s.name) == name]
            if len(expanded) == 1:
                return expanded[0]
        if len(words) == 1 and name.lower() in ORGANISATION_WORDS and not is_acronym(name):
            bodies = [s for s in self.speakers.values() if s.named and s.kind == "organisation" and s.name != name
                      and name.lower() in s.name.lower().split()]
            if bodies:  # "the Court" after "the Supreme Court of Puerto Rico"
                return self._most_mentioned(bodies)
        after_the = i > 0 and self.tokens[i - 1].lower == "the"
        full = self._full_name_in_text(name) if len(words) == 1 and i == j and \
            self._kind(words, after_the) == "person" else None
        if full is not None:
            return full
        return self.speakers.setdefault(name, Speaker(name, self._kind(words, after_the)))

    def _full_name_in_text(self, surname: str) -> Speaker | None:
        """A lone surname whose full name the roster missed because it stood inside a longer run ("a project
        between X of the University of Miami and Chris Fallows of Apex", read as one organisation's name): the one
        two-word name "<Given> <surname>" the text writes, a person, when it writes exactly one."""
        tokens, found = self.tokens, set()
        for t in range(2, len(tokens)):
            given = tokens[t - 1]
            if tokens[t].text != surname or given.end + 1 != tokens[t].start or not is_name_word(given) or \
                    given.lower in TITLES or given.lower in ORGANISATION_WORDS or is_possessive(given):
                continue
            if is_name_word(tokens[t - 2]) or t + 1 < len(tokens) and is_name_word(tokens[t + 1]):
                continue  # part of a longer name: not two words
            if self._opens_sentence(t - 1):
                continue  # "Yesterday Fallows said": a capitalised first word of a sentence is no given name
            found.add(given.text)
        if len(found) != 1:
            return None
        name = f"{found.pop()} {surname}"
        return self.speakers.setdefault(name, Speaker(name, "person"))

    @staticmethod
    def _matches(words: list[str], speaker: Speaker) -> bool:
        """A shorter mention of ``speaker``, accents aside: its surname ("Lam", "Erdogan" for "Recep Tayyip
        Erdoğan"), a person's first name ("Meerjady" for "Meerjady Sabrina Flora"), the same words with fewer of
        them ("John Bolton" for "John R. Bolton"), or the first words of an organisation's name ("Ford" for
        "Ford Motor Company")."""
        full, words = fold(speaker.name).lower().split(), [fold(w).lower() for w in words]  # "Von der Leyen"
        if len(full) <= len(words):
            return False
        if speaker.kind == "organisation" and full[:len(words)] == words:
            return True
        if len(words) == 1:  # a person's surname or first name, not an organisation's last word; of three
            # names or more, a middle one too ("Rosselló" for "Ricardo Rosselló Nevares": the first surname)
            return speaker.kind == "person" and (words[0] in (full[-1], full[0]) or len(full) >= 3 and words[0] in
                                                 full[1:-1] and words[0] not in NAME_PARTICLES)
        return words[-1] == full[-1] and set(words) <= set(full)

    def _most_mentioned(self, candidates: list[Speaker]) -> Speaker:
        """Of several people a surname may mean ("Mendez": Tony or Jonna), the one the document names most;
        on a tie, the one named first."""
        counts = {id(c): sum(m.speaker is c for m in self.mentions) for c in candidates}
        first = {}
        for n, mention in enumerate(self.mentions):
            first.setdefault(id(mention.speaker), n)
        return max(candidates, key=lambda c: (counts[id(c)], -first.get(id(c), len(self.mentions))))

    def recent(self, position: int, pronoun: str | None = None, introduced: bool = False) -> Speaker | None:
        """The most recent subject before ``position`` that fits ``pronoun``: a person for he/she (not one of
        the other gender, not a group), an organisation or a group for they/it, anyone for no pronoun (with
        ``introduced``, anyone but a lone name never introduced, such as a title's word)."""
        kinds = {"m": "person", "f": "person", "s": "person", "p": None, "n": "organisation"}
        gender = PRONOUNS[pronoun] if pronoun else None
        wanted = kinds[gender] if gender else None
        fallback = None
        for mention in reversed(self.mentions):
            if mention.position >= position:
                continue
            speaker = mention.speaker
            fits = wanted is None or speaker.kind == wanted
            if introduced and speaker.kind == "person" and not (self._introduced(speaker) or speaker.gender):
                fits = False
            if pronoun == "they" and speaker.kind == "person" and speaker.named and not speaker.plural:
                fits = False
            if wanted == "person" and (speaker.name in self.places or not self._introduced(speaker)):
                fits = False
            if gender in ("m", "f") and (speaker.gender not in (None, gender) or _plural_description(speaker)):
                fits = False
            if fits and (mention.subject or mention.inner):
                return speaker  # a subject, also one inside a report whose speaker does not fit ("PBS revealed
                # that X accepted …. He said")
            if fits and fallback is None:
                fallback = speaker
        return fallback

    @staticmethod
    def _introduced(speaker: Speaker) -> bool:
        """A person "he" or "she" may mean: named in full, introduced with a role ("his wife Mary"), or already a
        speaker; not a lone capitalised word such as a country ("Israel")."""
        return len(speaker.name.split()) > 1 or bool(speaker.heads) or speaker.spoke or not speaker.named

    def note_subject(self, position: int, speaker: Speaker) -> None:
        """Record that ``speaker`` was a subject at ``position`` (a statement's source), for pronouns."""
        bisect.insort(self.mentions, Mention(position, speaker, True), key=lambda m: m.position)

    def note_statement(self, speaker: Speaker, start: int, end: int) -> None:
        """A statement by ``speaker`` spans ``[start, end)``: the names inside it are what was said, not who
        speaks next; its speaker is the subject at its end."""
        for mention in self.mentions:
            if start <= mention.position < end:
                mention.inner, mention.subject = mention.subject, False
        speaker.spoke = True
        self.note_subject(end, speaker)


def _modifies(tokens, k: int) -> bool:
    """``tokens[k]`` is the dot of an abbreviation before a lower-case noun: "the U.S. embassy" (a modifier)."""
    return tokens[k].text == "." and k + 1 < len(tokens) and tokens[k + 1].is_word and not tokens[k + 1].capitalised


def _plural_description(speaker: Speaker) -> bool:
    """An unnamed group ("classmates", "police officials"), which "he" or "she" never means."""
    words = speaker.name.split()
    last = words[words.index("of") - 1] if "of" in words[1:] else words[-1]  # "head of the investigators": one
    return not speaker.named and last.endswith("s") and not last.endswith("ss")
