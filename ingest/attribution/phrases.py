"""Tokens, names and the noun phrase next to a reporting verb, found by rules (no parser).

The source of a statement is the noun phrase just before its verb ("the military spokesperson said"), just
after it when inverted ("…,” said a protester using the pseudonym Katya), or after "according to". A noun
phrase here is a run of words that are not prepositions, conjunctions or auxiliaries, joined by "of", "for",
"from" and "and", with an apposition allowed after a name ("Dominic Hare, chief executive of the palace,").

>>> text = "Yesterday, the military spokesperson also said it was over."
>>> tokens = tokenize(text)
>>> verb = next(i for i, t in enumerate(tokens) if t.text == "said")
>>> a, b = noun_phrase_before(tokens, verb, 0)
>>> text[tokens[a].start:tokens[b].end]
'the military spokesperson'
"""

from __future__ import annotations

from ingest.attribution.lexicon import (
    DETERMINERS,
    DOCUMENTS,
    IRREGULAR_PAST,
    NAME_PARTICLES,
    NOT_IN_NOUN_PHRASE,
    NOT_NAMES,
    NOUN_LIKE_VERBS,
    NP_JOINERS,
    ORGANISATION_WORDS,
    PRONOUNS,
    SPEECH_VERBS,
    TIME_WORDS,
    TITLES,
    VERB_PREFIX,
)
from ingest.attribution.tokens import (
    Token,
    initial_dot,
    is_name_word,
    is_possessive,
    is_quote_mark,
    name_runs,
    person_noun,
    possessive_base,
    tokenize,
)

# Tokens and names live in :mod:`.tokens`; they are re-exported here for the modules that read phrases.
__all__ = ["Token", "is_name_word", "is_possessive", "is_quote_mark", "name_runs", "noun_phrase_after",
           "noun_phrase_before", "person_noun", "possessive_base", "skip_apposition", "skip_back_adverbs",
           "tokenize", "verb_like"]

# Adjectives that take a prepositional complement inside a source's noun phrase: "people familiar with the
# matter", "sources close to the talks", "officials loyal to the president".
_PP_ADJECTIVES = {"familiar", "close", "loyal", "opposed", "aware", "briefed", "knowledgeable", "sympathetic"}
_PP_PREPOSITIONS = {"with", "to", "on", "of", "about"}
# A time after one of these ends an adjunct, never a subject: "… during the weekend said".
_TIME_PREPOSITIONS = {"during", "on", "over", "in", "at", "since", "until", "throughout"}
MAX_PHRASE = 16
MAX_APPOSITION = 30


def _plural_noun(token: Token) -> bool:
    """A lower-case plural before a place ("others *in* the party", "districts *across* the area")."""
    return token.is_word and not token.capitalised and token.lower.endswith("s") and token.lower not in SPEECH_VERBS \
        and token.lower not in NOT_IN_NOUN_PHRASE


# Nouns for unnamed people that a place or organisation after "in", "at" or "within" describes ("a source within
# the ministry", "Authorities in the United Kingdom"): the whole phrase is the source, not the place.
_SOURCE_NOUNS = {"source", "sources", "official", "officials", "authorities", "police", "employee", "employees",
                 "insider", "insiders", "staff", "staffer", "staffers", "member", "members", "residents", "workers",
                 "researchers", "scientists", "experts", "analysts", "investigators", "prosecutors", "doctors"}


def _source_noun(tokens: list[Token], k: int, lo: int) -> bool:
    """``tokens[k]`` names unnamed people, in lower case or capitalised as its sentence's first word."""
    token = tokens[k]
    opens = k == lo or tokens[k - 1].text in ".!?\n\"“”" or k - 1 >= lo and tokens[k - 1].lower in ("a", "an", "the") \
        and (k - 1 == lo or tokens[k - 2].text in ".!?\n\"“”")
    return token.lower in _SOURCE_NOUNS and (not token.capitalised or opens)


def verb_like(tokens: list[Token], k: int) -> bool:
    """A lower-case reporting verb or past-tense word that is not an adjective after a determiner or number ("a
    retired nurse", "a 1989 report"): the edge of a subject ("NPR *reported* Adil Abdul-Mahdi … recommended")."""
    token = tokens[k]
    if token.capitalised or not token.is_word:
        return False
    if k > 0 and (tokens[k - 1].lower in DETERMINERS or tokens[k - 1].text[0].isdigit()):
        return False
    if token.lower in NOUN_LIKE_VERBS and k > 0 and tokens[k - 1].is_word and not tokens[k - 1].capitalised:
        return False  # "varying reports", "official statements": nouns
    return token.lower in SPEECH_VERBS or token.lower in IRREGULAR_PAST or token.lower.endswith("ed")


_LY_NOUNS = {"rally", "ally", "family", "assembly", "supply", "reply", "july", "italy", "anomaly", "monopoly",
             "butterfly", "belly", "jelly", "bully", "lily", "fly"}


def _is_adverb(tokens: list[Token], k: int) -> bool:
    token = tokens[k]
    if not token.is_word or token.capitalised:
        return False
    if token.lower in VERB_PREFIX:
        return True
    return token.lower.endswith("ly") and token.lower not in _LY_NOUNS and not (
        k > 0 and tokens[k - 1].lower in DETERMINERS)


def _stop_word(token: Token) -> bool:
    acronym = len(token.text) > 1 and token.text.isupper()  # "WHO", "IT" are names
    name = token.capitalised and token.lower in ("may", "will")  # "Theresa May", "Will Smith": not the modal
    return not token.is_word or token.lower in NOT_IN_NOUN_PHRASE and not acronym and not name


def skip_back_adverbs(tokens: list[Token], i: int, lo: int) -> int:
    """The index just after the subject of the verb at ``i``: "Lam *also* said" → the index of "also"."""
    while i - 1 >= lo and _is_adverb(tokens, i - 1):
        i -= 1
    return i


_POSSESSIVE_DETERMINERS = {"its", "his", "her", "their"}
# Nouns a one-word organisation's name may follow in apposition: "One news site, Znak.com, claims".
_OUTLET_NOUNS = {"site", "website", "outlet", "newspaper", "paper", "broadcaster", "channel", "agency", "daily",
                 "tabloid", "magazine", "company", "firm", "group", "organisation", "organization", "network"}


def noun_phrase_before(tokens: list[Token], i: int, lo: int) -> tuple[int, int] | None:
    """The noun phrase that ends just before ``tokens[i]`` (adverbs skipped), not reaching before ``lo``.

    Handles a relative subject ("Khawaja Asif, who also denied …" → "Khawaja Asif"), an apposition after a
    name ("Cherry, who led the petition, said") and places after a name ("Ryan Norris of the University of
    Guelph in Ontario said").
    """
    end = skip_back_adverbs(tokens, i, lo) - 1
    if end < lo:
        return None
    if tokens[end].lower in PRONOUNS and (tokens[end].lower != "it" or end + 1 == i and verb_like(tokens, i)):
        return end, end  # a pronoun takes no modifiers: not "D.C. They"; "It added" for an organisation
    if tokens[end].lower in ("who", "which") and end - 1 >= lo and (tokens[end - 1].text == "," or is_name_word(
            tokens[end - 1])):
        if tokens[end - 1].text == ",":  # "Mark Hay, a marine ecologist at GT, who said": the name, apposed
            opening = next((k for k in range(end - 2, max(lo, end - MAX_APPOSITION) - 1, -1)
                            if not tokens[k].is_word), None)
            if opening is not None and tokens[opening].text == "," and opening + 1 < end - 1 and \
                    tokens[opening + 1].lower in ("a", "an", "the"):
                name = noun_phrase_before(tokens, opening, lo)
                if name is not None and is_name_word(tokens[name[1]]):
                    return name[0], end - 2
        return noun_phrase_before(tokens, end - 1 if tokens[end - 1].text == "," else end, lo)  # "CNN who reported"
    if tokens[end].text == ",":
        return _before_apposition(tokens, end, lo)
    if tokens[end].text == ")":
        opening = next((k for k in range(end - 1, max(lo, end - 12) - 1, -1) if tokens[k].text == "("), None)
        if opening is None or opening - 1 < lo:
            return None
        found = noun_phrase_before(tokens, opening, lo)
        return (found[0], end) if found else None
    start = end
    while start - 1 >= lo and end - start < MAX_PHRASE:
        prev = tokens[start - 1]
        if initial_dot(tokens, start - 1):
            start -= 2
            continue
        if prev.lower in ("in", "at", "on", "across", "around", "within") and start - 2 >= lo and (
                is_name_word(tokens[start]) and is_name_word(tokens[start - 2]) or _plural_noun(tokens[start - 2])
                or _source_noun(tokens, start - 2, lo) or tokens[start - 2].lower in ORGANISATION_WORDS
                and tokens[start - 2].is_word and is_name_word(tokens[start])):
            start -= 1  # "University of Guelph *in* Ontario", "Steven Wolf *at* Saint Francis", "others *in* …",
            continue  # "Authorities *in* the United Kingdom", "A source *within* the Interior Ministry"
        if start - 2 >= lo and tokens[start - 2].lower in _PP_ADJECTIVES and prev.lower in _PP_PREPOSITIONS:
            start -= 2  # "sources *close to* the negotiations"
            continue
        if prev.lower == "to" and start - 2 >= lo and tokens[start - 2].capitalised and \
                tokens[start - 2].lower in TITLES and (is_name_word(tokens[start]) or tokens[start].lower == "the"
                                                       and start < end and is_name_word(tokens[start + 1])):
            start -= 1  # "US Ambassador *to* Germany Richard Grenell"
            continue
        if tokens[start].lower in DETERMINERS and tokens[start].lower not in ("one", "two", "three"):
            if prev.lower not in NP_JOINERS or prev.lower == "the" or tokens[start].lower in ("both", "either"):
                break  # "… in the House and *both* Mugabe and Tsvangirai claimed": "both" opens the subject
        if prev.lower in _POSSESSIVE_DETERMINERS and tokens[start].is_word and not tokens[start].capitalised and \
                tokens[start].lower not in PRONOUNS and not (start - 2 >= lo and tokens[start - 2].lower in NP_JOINERS):
            start -= 1  # "its source said", "his lawyer told": the possessor opens the phrase (not "Trump and his …")
            break
        if tokens[start].lower in PRONOUNS or _stop_word(prev) or prev.lower in PRONOUNS or \
                verb_like(tokens, start - 1):
            break
        if prev.lower in TIME_WORDS and not tokens[start].capitalised and not is_possessive(prev) and (
                not prev.capitalised or prev.lower not in ("may", "june", "april", "august")):
            break  # "Later that day officials said", "On Monday officials said": a time before the subject
        if prev.lower in NP_JOINERS and prev.lower != "the":
            if start - 2 < lo or _stop_word(tokens[start - 2]) or tokens[start - 2].lower in PRONOUNS:
                break
        start -= 1
    while start - 1 >= lo and tokens[start - 1].lower in NAME_PARTICLES and _opens_name(tokens, start - 1, end):
        start -= 1  # "“…,” van der Vaart said", "Von der Leyen added"
    if start - 1 > lo and tokens[start - 1].lower in _TIME_PREPOSITIONS and tokens[end].lower in TIME_WORDS:
        return noun_phrase_before(tokens, start - 1, lo)  # "a report from X *during the weekend* said": not a time
    while start <= end and tokens[start].lower in NP_JOINERS - {"the"} and not _opens_name(tokens, start, end):
        start += 1
    if start > end or _stop_word(tokens[end]):
        return None
    if start - 2 >= lo and tokens[start - 1].text == "," and tokens[start].lower in ("one", "a", "an", "the"):
        name = noun_phrase_before(tokens, start - 1, lo)  # "Sergey M, one of the maintainers of youtube-dl wrote"
        words = tokens[name[0]:name[1] + 1] if name is not None else []
        if len(words) >= 2 and all(t.text[0].isupper() and not t.lower.endswith("ly") for t in words) and \
                words[0].lower not in NOT_NAMES and _opens_clause(tokens, name[0], lo):
            return name[0], end  # a person's name, not "Recently, the United States"
    return start, end


def _opens_name(tokens: list[Token], k: int, end: int) -> bool:
    """``tokens[k]`` is a particle that opens a surname ("van der Vaart", "Von der Leyen", "de Gaulle"): one or
    two particles, then a name word, which is kept with them."""
    n = k
    while n <= end and n - k < 2 and tokens[n].lower in NAME_PARTICLES:
        n += 1
    return k < n <= end and is_name_word(tokens[n])


def _before_apposition(tokens: list[Token], comma: int, lo: int) -> tuple[int, int] | None:
    """``NAME, apposition,`` ending at ``comma``: the span from the name to the word before that comma; or, for
    ``description, NAME,``, the name alone."""
    k = comma - 1
    while k > lo and k > comma - MAX_APPOSITION and tokens[k].text not in ",;:()\"“”\n":
        k -= 1
    if k <= lo or tokens[k].text != "," or k == comma - 1:
        return None
    segment = name_runs(tokens, k + 1, comma - 1)
    if segment and segment[-1][1] == comma - 1 and segment[-1][0] > k + 1 and person_noun(
            tokens[segment[-1][0] - 1].text) and all(t.is_word and not t.capitalised and t.lower not in
                                                     NOT_IN_NOUN_PHRASE | DETERMINERS
                                                     for t in tokens[k + 1:segment[-1][0]]):
        segment = [(k + 1, comma - 1)]  # "One of the study's authors, herpetologist David Blackburn, told",
        # "The mayor's widow, former tennis player Ada Brun, said"
    if segment and segment[0] == (k + 1, comma - 1) and (comma - k > 2 or person_noun(tokens[k - 1].text)
                                                         or tokens[k - 1].lower in _OUTLET_NOUNS):
        head = noun_phrase_before(tokens, k, lo)
        if head is not None and _opens_clause(tokens, head[0], lo) and (
                tokens[head[0]].lower in ("the", "a", "an", "his", "her", "their", "its")
                or any(is_possessive(t) for t in tokens[head[0]:k])):
            return head[0], comma - 1  # "The Vice President, Mike Pence, said", "Dunn's mother, Charlotte Charles,"
        return k + 1, comma - 1  # "The American Samoan delegate to …, Aumua Amata, told"
    head = noun_phrase_before(tokens, k, lo)
    if head is None:
        return None
    a, b = head
    if tokens[k + 1].lower in NOT_IN_NOUN_PHRASE - {"who", "which"} or tokens[k + 1].lower in ("both", "all", "each"):
        return head  # "The ministry has, in a statement, called", "X and Y, both in the United States, reported":
        # an aside, not part of the name
    named = any(is_name_word(t) for t in tokens[a:b + 1]) or tokens[b].lower in PRONOUNS
    if _aside(tokens[k + 1]) and _opens_clause(tokens, a, lo) and (
            not named or tokens[k + 1].lower not in ("who", "which")):
        return head  # "The mayor, who took office in May, said", "Reed, speaking on Monday, said"
    return (a, comma - 1) if named and _opens_clause(tokens, a, lo) else None


def _aside(token: Token) -> bool:
    """The first word of a relative or participial aside between a subject and its verb: "who", "which",
    "speaking", "based" (not a name, not a verb of the clause itself)."""
    word = token.lower
    return not token.capitalised and word not in ("citing", "quoting") and (
        word in ("who", "which") or len(word) > 4 and word.endswith(("ing", "ed")))  # "citing X": a relay


def _opens_clause(tokens: list[Token], a: int, lo: int) -> bool:
    """A noun phrase at ``tokens[a]`` can be a subject: it opens its sentence or clause."""
    return a == lo or tokens[a - 1].text in ",;:\n" or tokens[a - 1].lower in ("and", "but", "that") or \
        tokens[a - 1].lower in SPEECH_VERBS


_AUXILIARIES = VERB_PREFIX - {"first", "both", "just", "senior"}
_AUTHORED = {"sent", "posted", "published", "issued", "released", "signed", "written"}


def noun_phrase_after(tokens: list[Token], i: int, hi: int) -> tuple[int, int] | None:
    """The noun phrase that starts at ``tokens[i]`` and ends before ``hi``: "said *a protester using the
    pseudonym Katya*", "according to *Windsor Locks' first selectman, Chris Kervick*,"."""
    if i >= hi or (_stop_word(tokens[i]) and tokens[i].lower not in DETERMINERS) or tokens[i].text == "\n":
        return None
    end = i
    while end + 1 < hi and end + 1 - i < MAX_PHRASE:
        nxt = tokens[end + 1]
        if initial_dot(tokens, end + 1):
            end += 1
        elif nxt.text == ",":
            named = _apposed_name(tokens, end, hi, i)
            if named is None:
                break
            end = named  # "Windsor Locks' first selectman, Chris Kervick"
        elif tokens[end].lower in _PP_ADJECTIVES and nxt.lower in _PP_PREPOSITIONS and end + 2 < hi:
            end += 1  # "two people *familiar with* the matter"
        elif nxt.text == "(" and end + 3 < hi and tokens[end + 3].text == ")":
            end += 3  # "the World Health Organization (WHO)"
        elif nxt.lower in ("by", "from") and (tokens[end].lower in DOCUMENTS or _authored_by(tokens, end - 1, hi)
                                              or _authored_by(tokens, end, hi)) and end + 2 < hi and \
                is_name_word(tokens[end + 3 if tokens[end + 2].lower == "the" and end + 3 < hi else end + 2]):
            end += 1  # "projections by CNN and NPR", "a memo posted online by Senator X", "published by the WHO"
        elif nxt.is_word and (nxt.lower not in NOT_IN_NOUN_PHRASE | PRONOUNS.keys() | _AUXILIARIES
                              or len(nxt.text) > 1 and nxt.text.isupper()  # "WHO", "IT" are names
                              or nxt.capitalised and nxt.lower in ("may", "will")  # "Theresa May"
                              or nxt.capitalised and tokens[end].capitalised and end + 2 < hi
                              and is_name_word(tokens[end + 2])):  # "Reporters *Without* Borders"
            if nxt.lower in NP_JOINERS and not (end + 2 < hi and tokens[end + 2].is_word):
                break
            if _is_adverb(tokens, end + 1) and end + 2 < hi and verb_like(tokens, end + 2):
                break  # "Donald Trump *quickly took* …"
            if nxt.lower in ("late", "early", "earlier", "later") and end + 2 < hi and (
                    tokens[end + 2].lower in TIME_WORDS | {"today", "yesterday", "tonight", "last", "this", "on"}):
                break  # "according to the Johns Hopkins Center *late today*": a time, not the source
            if verb_like(tokens, end + 1) and not _authored_by(tokens, end + 1, hi):
                break  # but "a tweet sent from Biden's account", "a memo posted online by the senator"
            end += 1
        else:
            break
    while end > i and tokens[end].lower in NP_JOINERS:
        end -= 1
    return i, end


def _authored_by(tokens: list[Token], k: int, hi: int) -> bool:
    """``tokens[k]`` is a participle naming a document's author after it: "sent from", "published by", "posted
    online by"."""
    if tokens[k].lower not in _AUTHORED:
        return False
    by = k + 2 if k + 2 < hi and tokens[k + 1].is_word and not tokens[k + 1].capitalised and tokens[
        k + 1].lower not in ("by", "from") else k + 1
    return by < hi and tokens[by].lower in ("by", "from")


def _apposed_name(tokens: list[Token], end: int, hi: int, start: int | None = None) -> int | None:
    """Where a name in apposition after ``tokens[end]`` ends: after a role ("first selectman, Chris Kervick") or
    after an organisation and a role ("University of California, San Diego's chancellor, Pradeep Khosla")."""
    comma = end + 1
    if not tokens[end].capitalised and person_noun(possessive_base(tokens[end].text)):
        run = name_runs(tokens, comma + 1, min(hi, comma + 7) - 1) if comma + 1 < hi else []
        if run and run[0][0] == comma + 1 and (run[0][1] + 1 >= hi or not tokens[run[0][1] + 1].is_word):
            return run[0][1]
        return None
    if tokens[end].capitalised and start is not None and tokens[start].lower in ("a", "an", "the") and end - start < 4:
        run = name_runs(tokens, comma + 1, min(hi, comma + 6) - 1) if comma + 1 < hi else []
        if run and run[0][0] == comma + 1 and run[0][1] > comma + 1 and run[0][1] + 1 < hi and \
                tokens[run[0][1] + 1].text == ",":
            return run[0][1]  # "a Republican, Mark Amodei,"
    if not tokens[end].capitalised and start is not None and tokens[start].lower in ("one", "some", "two", "three") \
            and comma + 2 < hi and tokens[comma + 1].lower == "the":
        run = name_runs(tokens, comma + 2, min(hi, comma + 10) - 1)
        if run and run[0][0] == comma + 2:
            k = run[0][1]
            if k + 3 < hi and tokens[k + 1].text == "(" and tokens[k + 3].text == ")":
                k += 3
            if k + 1 < hi and tokens[k + 1].text == ",":
                return k  # "One of these groups, the Syrian Democratic Forces (SDF), said"
    if tokens[end].capitalised:
        second = next((k for k in range(comma + 1, min(hi, comma + 8)) if not tokens[k].is_word), None)
        if second is not None and tokens[second].text == "," and second > comma + 1 and \
                person_noun(possessive_base(tokens[second - 1].text)) and not tokens[second - 1].capitalised:
            return _apposed_name(tokens, second - 1, hi)
    return None


_FINITE = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "may", "might",
           "must", "should", "did", "does", "do"}


def skip_apposition(tokens: list[Token], i: int, hi: int) -> int:
    """Skip ", the Director-General of the WHO," or ", formerly the director of …," after a source; not a
    clause (", the goal is to …") nor the start of the next subject (", the prosecutor general, Ali Mehr,")."""
    if i >= hi or tokens[i].text != "," or i + 1 >= hi:
        return i
    relative = tokens[i + 1].lower in ("who", "which")
    if not relative and tokens[i + 1].lower not in ("the", "a", "an", "formerly", "former", "now", "then", "also",
                                                    "his", "her", "their", "its"):
        return i
    k = i + 1
    while k < hi and k - i < MAX_APPOSITION and tokens[k].text not in ",;:\"“”\n":
        if not relative and (tokens[k].lower in _FINITE or k > i + 2 and verb_like(tokens, k)):
            return i
        k += 1
    if k < hi and tokens[k].text == ",":
        run = name_runs(tokens, k + 1, min(hi, k + 6) - 1) if k + 1 < hi else []
        if run and run[0][0] == k + 1 and run[0][1] + 1 < hi and tokens[run[0][1] + 1].text == ",":
            return i
        return k + 1
    return k
