"""Where a reporting cue's words are: after it ("said that …", "told TASS …"), before it ("…, she said."),
up to the next cue that continues it ("…, adding that …") or has a source of its own.

Content that stands before its cue ("…, she said.", "…, according to police.") is *trailing*; a quotation
right after a trailing cue ("“A,” she said, “B.”") still belongs to it (see the reader).
"""

from __future__ import annotations

from ingest.attribution.cue import Cue
from ingest.attribution.lexicon import (
    ADDRESSEE_VERBS,
    AUXILIARIES,
    CUE_PREPOSITIONS,
    DETERMINERS,
    GENERIC_LISTENERS,
    NP_JOINERS,
    PHRASAL_ONLY,
    PRONOUNS,
    SPEECH_VERBS,
    TIME_WORDS,
)
from ingest.attribution.phrases import (
    Token,
    is_possessive,
    is_quote_mark,
    name_runs,
    noun_phrase_after,
    skip_apposition,
    skip_back_adverbs,
    verb_like,
)

COORDINATORS = {"and", "while", "before", "after", "by", "then", "but"}
CLAUSE_OPENERS = {"that", "he", "she", "they", "it", "we", "i", "there", "this", "the", "a", "an", "his", "her",
                  "their", "its", "our", "no", "not", "if", "whether"}
# What may stand between a cue and its content: "said *on Monday* that", "said *of Chirac*, “…”".
_SKIPPABLE = {"on", "in", "at", "after", "during", "via", "through", "of", "about", "regarding", "following",
              "before", "over", "yesterday", "today", "earlier", "later", "late", "early", "again", "also", "publicly",
              "repeatedly", "recently", "previously"}
_PREPOSITIONS = {"on", "in", "at", "after", "during", "via", "through", "of", "about", "regarding", "following",
                 "before", "over", "by", "for", "with", "to", "from", "as", "under"}
_ING_PREPOSITIONS = {"including", "according", "following", "during", "regarding", "concerning", "excluding",
                     "notwithstanding", "pending", "something", "nothing", "anything", "everything"}
# Words that make what follows a cue a clause rather than a place-and-time phrase ("…, Lagarde said at a news
# conference in Frankfurt on Thursday." is trailing content however long the phrase).
_CLAUSE_WORDS = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "may", "might",
                 "must", "should", "do", "does", "did", "where", "when", "which", "who", "while", "because", "if"}
_TIME_DETERMINERS = {"this", "last", "next", "earlier", "that"}


def set_content(tokens: list[Token], cues: list[Cue], s: int, e: int, quoted: list[bool]) -> None:
    """Where each cue's reported words start and end, in token indices."""
    end = e
    while end > s and tokens[end - 1].text in ".!?" and not quoted[end - 1]:
        end -= 1
    for n, cue in enumerate(cues):
        if cue.passive:
            continue  # its content is its subject, set where it was found
        after = cue.last + 1
        if cue.source_after and cue.source[0] > cue.last:  # not a source inherited from before the cue
            after = skip_apposition(tokens, cue.source[1] + 1, end)
        elif cue.lemma in ADDRESSEE_VERBS and cue.last == cue.first and after < end and not quoted[after]:
            listener = noun_phrase_after(tokens, after, end)
            named = name_runs(tokens, after, end - 1) if tokens[after].capitalised else []
            if named and named[0][0] == after and listener is not None and named[0][1] < listener[1] and (
                    tokens[named[0][1] + 1].lower in DETERMINERS | CLAUSE_OPENERS | {"only", "just", "almost"}
                    or tokens[named[0][1] + 1].text[0].isdigit()):
                listener = named[0]  # "told Discover Magazine the frequency …", "told Wikinews only 10% …"
            if listener is not None:
                after = _listener_end(tokens, *listener) + 1
        preposition = CUE_PREPOSITIONS.get(cue.lemma)
        if preposition and after < end and tokens[after].lower == preposition:
            after += 1
        after = _skip_to_content(tokens, after, end, quoted)
        if cue.lemma == "according to" and after < end and tokens[after].is_word and not tokens[after].capitalised:
            after = _after_source_tail(tokens, after, end, quoted)
        stop = _content_stop(tokens, cues, n, after, end, s, quoted)
        tail = next((k for k in range(after + 1, stop) if not quoted[k] and medium_end(tokens, k, stop) == stop), None)
        if tail is not None and _medium_of_saying(tokens, after, tail):
            stop = tail  # "criticized the decision via Twitter", "praised his work in a statement on Monday"
        cue.content_start, cue.content_end = after, stop
        if _circumstance_only(tokens, after, stop, quoted):
            cue.content_end = after  # "shouted at Lam", "tweeted after hearing the news": nothing said
        if _is_trailing(tokens, cue, s, after, end, quoted):
            cue.trailing = True
            left = cue.first if cue.source_after else cue.source[0]
            while left > s and (tokens[left - 1].text in ",—–" or tokens[left - 1].lower == "and"):
                left -= 1
            cue.content_start, cue.content_end = trailing_start(tokens, cues[:n], s, left, quoted), left
            cue.extra = cue.extra or _rest_of_split_clause(tokens, cues[n + 1:], cue, end, quoted)
            for earlier in cues[:n]:  # "… indicated X: “A,” he said": the earlier content ends before “A”
                if earlier.content_start < cue.content_start < earlier.content_end:
                    earlier.content_end = cue.content_start


_OPENS_NOUN_PHRASE = {"the", "a", "an", "his", "her", "their", "its", "our", "this", "these", "those"}


def _listener_end(tokens: list[Token], a: int, b: int) -> int:
    """Where the person told ends: before a determiner or a possessive name that follows a noun, which opens the
    reported clause ("told the court *his* client was innocent", "told shareholders *the* company would …",
    "told local media *Adamowicz's* heart …"), not after "of"."""
    for k in range(a + 1, b + 1):
        prev = tokens[k - 1]
        if tokens[k].lower in _OPENS_NOUN_PHRASE and prev.is_word and prev.lower not in NP_JOINERS | DETERMINERS:
            return k - 1
        if is_possessive(tokens[k]) and tokens[k].capitalised and prev.is_word and not prev.capitalised:
            return k - 1  # "told local media Adamowicz's heart was …"
    return b


def _circumstance_only(tokens: list[Token], after: int, stop: int, quoted: list[bool]) -> bool:
    """The words after the cue only say where, when or to whom ("shouted at Lam and projected slogans",
    "tweeted after hearing the news of her death"): a preposition first, no quotation, no clause."""
    if after >= stop or tokens[after].lower not in ("at", "after", "before", "upon", "during", "following", "while"):
        return False
    return not any(quoted[k] or t.lower in AUXILIARIES or t.lower == "that" for k, t in
                   enumerate(tokens[after:stop], after))


def _rest_of_split_clause(tokens: list[Token], later: list[Cue], cue: Cue, end: int,
                          quoted: list[bool]) -> tuple[int, int] | None:
    """"The plan, she said, was a failure": the reported clause goes on after the parenthetical cue, a second
    content range. Not an adjunct or another report after the cue (", adding …", ", citing X", ", in a
    statement"): the rest must be a clause of its own, with a finite verb and no cue."""
    edge = max(cue.last, cue.source[1]) if cue.source else cue.last
    start = edge + 2
    if start >= end or tokens[edge + 1].text != "," or quoted[start] or any(c.first >= start for c in later):
        return None
    words = tokens[start:end]
    if len(words) < 2 or words[0].lower in COORDINATORS | {"as", "with", "according", "citing"} or \
            any(t.lower in ("who", "whom", "which", "whose") for t in words[:3]) or \
            _adjunct(words[0]) or words[0].lower in _PREPOSITIONS and words[0].lower != "that":
        return None
    if not any(t.lower in AUXILIARIES or verb_like(tokens, k) for k, t in enumerate(words, start)):
        return None
    return start, end


def trailing_start(tokens: list[Token], earlier: list[Cue], s: int, left: int, quoted: list[bool]) -> int:
    """Where trailing content starts: after a colon or semicolon before it, or after the cue before it."""
    start = s
    for cue in earlier:
        edge = max(cue.last, cue.source[1]) if cue.source else cue.last
        if edge < left:
            start = max(start, edge + 1)
    for t in range(left - 1, start - 1, -1):
        if not quoted[t] and tokens[t].text in ":;" and (t + 1 >= len(tokens) or tokens[t + 1].start > tokens[t].end):
            return t + 1  # a colon before a space, not "9:54"
    return start


# "… without elaborating", "… without providing evidence": how it was said, not what.
_WITHOUT_SAYING = {"elaborating", "providing", "giving", "offering", "citing", "presenting", "specifying",
                   "explaining", "naming", "saying", "commenting", "identifying", "disclosing", "revealing",
                   "detailing", "producing", "elaboration", "evidence", "further", "details", "comment"}


def _content_stop(tokens: list[Token], cues: list[Cue], n: int, after: int, end: int, s: int,
                  quoted: list[bool]) -> int:
    """Where the content of ``cues[n]`` ends: at a semicolon or ", but", at the next cue that continues it
    or has its own source after a comma, or before a trailing "according to"."""
    cue, stop = cues[n], end
    for t in range(after, end):
        if not quoted[t] and t > after and tokens[t].lower == "despite" and any(
                later.first > t for later in cues[n + 1:]):
            stop = t  # "says it found nothing despite X claiming …": the writer sets another report against it
            break
        if not quoted[t] and t > after and tokens[t].lower == "without" and t + 1 < end and \
                tokens[t + 1].lower in _WITHOUT_SAYING:
            stop = t  # "said he died in Britain without elaborating", "… without providing evidence"
            break
        if not quoted[t] and (tokens[t].text == ";" or tokens[t].text == "," and t + 1 < end
                              and (tokens[t + 1].lower in ("but", "citing", "however", "while", "whereas")
                                   or _adjunct(tokens[t + 1]))):
            stop = t
            break
    for later in cues[n + 1:]:
        if later.first >= stop:
            break
        if later.coordinated and later.source == cue.source:
            return _before_coordinator(tokens, later, s)
        own = later.source
        if own is not None and not later.source_after and own[0] > after and cue.lemma != "according to":
            edge = own[0] - 1  # "…, with the military spokesperson saying", "…, such as X, who denounced"
            if tokens[edge].lower in ("while", "whereas") and tokens[edge - 1].text != ",":
                return edge  # "A said X while B wrote Y": B's report is not A's
            if tokens[edge].lower in ("with", "as", "including", "while", "whereas") or tokens[edge].text == ";":
                while edge > after and tokens[edge].text not in ",;":
                    edge -= 1
                if tokens[edge].text in ",;":
                    return edge
        if later.lemma == "according to" and later.first > after and _is_trailing_according(tokens, later, end):
            return later.first - 1 if tokens[later.first - 1].text == "," else later.first
    if cue.bounded:
        stop = next((t for t in range(after, stop) if tokens[t].text == "," and not quoted[t]), stop)
    return _before_final_relative(tokens, after, stop, quoted, cues[n + 1:])


def _before_final_relative(tokens: list[Token], after: int, stop: int, quoted: list[bool], later: list[Cue]) -> int:
    """A non-restrictive "which" clause that runs to the end of the content is the writer's gloss: "… declare a
    national emergency, which he said would allow him to …", "… a coalition, which was joined by …". One
    closed by a comma and followed by more content is kept ("the plant, which was damaged, may take a year"), and
    so is one holding another source's report ("…, which news outlets have projected Biden won"; but "…, which he
    said would allow …" is cut)."""
    for t in range(after + 1, stop - 1):
        if tokens[t].text == "," and not quoted[t] and tokens[t + 1].lower == "which":
            if not any(tokens[k].text in ",;—–(" or quoted[k] for k in range(t + 2, stop)) and \
                    not any(t < cue.first < stop and cue.source is not None and cue.source[0] > t and
                            tokens[cue.source[0]].lower not in PRONOUNS for cue in later):
                return t
    return stop


def _after_source_tail(tokens: list[Token], i: int, end: int, quoted: list[bool]) -> int:
    """"According to the agency's situation report dated March 16, the virus …": the source's own words run to
    the comma; the content starts after it."""
    comma = next((k for k in range(i, min(end, i + 10)) if tokens[k].text in ",:" and not quoted[k]), None)
    if comma is None or any(quoted[k] or tokens[k].lower in PRONOUNS or tokens[k].lower in CLAUSE_OPENERS
                            for k in range(i, comma)):
        return i
    return comma + 1


def _adjunct(token: Token) -> bool:
    """A participle opening an adjunct after a comma (", disregarding the ruling", ", meaning the UK would …"):
    the writer's elaboration, not what was said. Prepositions in -ing and reporting verbs are not."""
    word = token.lower
    return word.endswith("ing") and not token.capitalised and word not in _ING_PREPOSITIONS and \
        (word not in SPEECH_VERBS or SPEECH_VERBS[word] in PHRASAL_ONLY) and len(word) > 5  # ", pointing to …"


# Where and how something was said: "in a statement", "on Twitter", "via Facebook", "at a news conference".
MEDIUMS = {"statement", "statements", "interview", "interviews", "tweet", "tweets", "post", "posts", "conference",
           "briefing", "speech", "letter", "email", "e-mail", "video", "blog", "twitter", "facebook", "instagram",
           "media", "television", "tv", "radio", "podcast", "broadcast", "release", "message", "op-ed", "x",
           "youtube", "telegram", "weibo", "linkedin", "tiktok", "announcement", "address", "remarks"}
_MEDIUM_PREPOSITIONS = {"in", "on", "via", "at", "during", "through", "over"}


def medium_end(tokens: list[Token], i: int, end: int) -> int | None:
    """The index after a phrase at ``tokens[i]`` naming how something was said ("in a statement", "on Twitter",
    "in an interview with CNN", "at a news conference on Monday"), or None."""
    if i >= end or tokens[i].lower not in _MEDIUM_PREPOSITIONS:
        return None
    k = i + 1
    while k < end and k - i <= 4 and tokens[k].is_word and tokens[k].lower not in MEDIUMS:
        k += 1  # "a", "a brief", "a joint news"
    if k >= end or tokens[k].lower not in MEDIUMS or k - i > 4:
        return None
    k += 1
    if k + 1 < end and tokens[k].lower in ("with", "to", "on", "from") and tokens[k + 1].capitalised:
        k += 1  # "with CNN", "to Reuters", "on Monday"
        while k < end and tokens[k].capitalised and tokens[k].is_word:
            k += 1
    return k


# Mediums that are acts of saying: a phrase with one of them ends the content even after a clause.
_SAYING_ACTS = {"statement", "statements", "interview", "interviews", "tweet", "tweets", "speech", "briefing",
                "conference", "release", "letter", "email", "e-mail", "message", "remarks", "announcement", "address",
                "op-ed", "post", "posts"}


def _medium_of_saying(tokens: list[Token], after: int, tail: int) -> bool:
    """The medium phrase at ``tokens[tail]`` tells how the content was said, not what it says: "via …", an act of
    saying ("in a statement"), or a platform after a noun phrase ("praised X on Twitter"), but not a platform
    after a clause ("the firm would sell ads on Facebook")."""
    if tokens[tail].lower == "via" or any(t.lower in _SAYING_ACTS for t in tokens[tail + 1:tail + 5]):
        return True
    return not any(t.lower in AUXILIARIES or verb_like(tokens, k) for k, t in enumerate(tokens[after:tail], after))


def _skip_to_content(tokens: list[Token], i: int, end: int, quoted: list[bool]) -> int:
    """Skip what stands between a cue and its content: "on Monday", "in a statement,", "of Chirac,", "that"."""
    if i + 1 < end and tokens[i].lower == "to":  # "explained to the press, “…”", "said to reporters that …"
        listener = next((words for words in map(str.split, GENERIC_LISTENERS)
                         if [t.lower for t in tokens[i + 1:i + 1 + len(words)]] == words), None)
        if listener is not None:
            i += 1 + len(listener)
            if i < end and tokens[i].text == "," or i < end and tokens[i].lower == "that":
                return i + 1
    medium = medium_end(tokens, i, end)
    if medium is not None and medium < end and not quoted[medium] and (
            tokens[medium].lower in _OPENS_NOUN_PHRASE or tokens[medium].lower in PRONOUNS
            or tokens[medium].capitalised or tokens[medium].text[0].isdigit()):
        return medium  # "said in a statement the plant would close", "said on Twitter he …"
    if i + 1 < end and tokens[i].lower in _TIME_DETERMINERS and tokens[i + 1].lower in TIME_WORDS:
        return i  # "reported this year 908 …": the time belongs to the content
    j = i
    while j < end and not quoted[j] and (j - i < 12 or j - i < 20 and tokens[i].lower in _PREPOSITIONS):
        word = tokens[j].lower
        if word == "that" or tokens[j].text == "," or tokens[j].text == ":" and (
                j + 1 >= end or tokens[j + 1].start > tokens[j].end):  # not the colon of "11:30"
            if j == i and tokens[j].text == ",":
                return _after_aside(tokens, j + 1, end, quoted)  # "alleged, by way of example, Mahan had …"
            return j + 2 if j + 2 < end and word != "that" and tokens[j + 1].lower == "that" else j + 1
        if word in TIME_WORDS and j + 1 < end and tokens[j + 1].lower in CLAUSE_OPENERS | {"they", "we", "i"}:
            return j + 2 if tokens[j + 1].lower == "that" else j + 1  # "announced on Wednesday the …"
        if j == i and word not in _SKIPPABLE:
            return i
        if j > i and word in PRONOUNS and tokens[j - 1].lower not in _PREPOSITIONS:
            return j  # "said earlier he might …", but "spoke of him"
        if j > i and verb_like(tokens, j) and not is_possessive(tokens[j - 1]):
            return i  # "said in a statement the plant would close": the content started already
        j += 1
    return j if j < end and quoted[j] and j > i else i


def _after_aside(tokens: list[Token], i: int, end: int, quoted: list[bool]) -> int:
    """Skip a short aside that opens the content between commas ("by way of example,", "in effect,")."""
    if i >= end or tokens[i].lower not in _PREPOSITIONS:
        return i
    comma = next((k for k in range(i + 1, min(end, i + 7)) if tokens[k].text == "," and not quoted[k]), None)
    if comma is None or any(verb_like(tokens, k) or quoted[k] for k in range(i, comma)):
        return i
    return comma + 1


def _before_coordinator(tokens: list[Token], cue: Cue, s: int) -> int:
    k = skip_back_adverbs(tokens, cue.first, s)
    while k > s and (tokens[k - 1].lower in COORDINATORS or tokens[k - 1].text == ","):
        k -= 1
    return k


def _is_trailing_according(tokens: list[Token], cue: Cue, end: int) -> bool:
    """"…, according to X." ends its sentence, or hands over to a relative clause ("… according to CNN who
    reported that …")."""
    rest = skip_apposition(tokens, cue.source[1] + 1, end)
    if rest < end and tokens[rest].lower in ("who", "which") and rest + 1 < end and tokens[rest + 1].lower in \
            SPEECH_VERBS:
        return True
    if rest + 1 < end and tokens[rest].text == "," and tokens[rest + 1].lower in ("but", "and", "while", "yet"):
        return True  # "… at 2:20 a.m., according to the police, but the man was found dead": a new clause
    if rest + 3 < end and tokens[rest].text == "," and tokens[rest + 2].lower == "of" and \
            tokens[rest + 3].lower in ("whom", "which"):
        return True  # "… died, according to officials, some of whom were hospitalised": about the source
    return sum(tokens[t].is_word for t in range(rest, end)) < 3


def _is_trailing(tokens: list[Token], cue: Cue, s: int, after: int, end: int, quoted: list[bool]) -> bool:
    """The content stands before the cue: nothing reportable follows it ("…, she said in a statement.")."""
    if cue.coordinated or cue.bounded:
        return False
    left = cue.first if cue.source_after else cue.source[0]
    if left <= s:
        return False
    if cue.lemma == "according to":
        return _is_trailing_according(tokens, cue, end)
    before = [t for t in range(s, left) if tokens[t].is_word]
    if len(before) == 1 and not quoted[before[0]]:
        return False  # "Namely, President Erdogan said on Wednesday, “…”": an adverb, not what was said
    if cue.source_after:
        return True  # "…,” said Lam": inversion only follows the content
    edge = tokens[left - 1]
    # A quotation closed with its own punctuation: “…,” she said / “…?” he asked / “…”, she said
    after_quote = left - 2 >= s and is_quote_mark(edge) and tokens[left - 2].text in ",!?—….])" or \
        edge.text == "," and left - 2 >= s and is_quote_mark(tokens[left - 2])
    if not (edge.text in ",—–" or after_quote):
        return False
    rest = list(range(cue.last + 1, end))
    words = [t for t in rest if tokens[t].is_word and not quoted[t]]
    if not rest or after_quote and len(rest) == 1 and tokens[rest[0]].lower.endswith("ing"):
        return True  # "“…,” she said." / "“…,” she recalls thinking."
    if any(tokens[t].text in (":",) + (() if after_quote else (",",)) and not quoted[t] and t + 1 < end and (
            quoted[t + 1] or is_quote_mark(tokens[t + 1])) for t in rest):
        return False  # "Regarding the call, X said via Twitter: “…”", "X wrote on GitHub, “…”": what was said
    first = rest[0]
    if tokens[first].text in ",:" and first + 1 < end:
        if quoted[first + 1] or is_quote_mark(tokens[first + 1]):
            return after_quote  # “A,” she said, “B.” but not: In a statement, she said, “B.”
        return tokens[first].text == ","  # "…,” Chapman told Wikinews, a choice leaving her …"
    if quoted[first] or is_quote_mark(tokens[first]):
        return after_quote
    if not words:
        return True
    told = cue.lemma in ADDRESSEE_VERBS  # "…,” Chapman told Wikinews, a …"; "…, a police source told the Daily Mail."
    if told and tokens[first].is_word:  # "…, officials told state media, adding …": the listener, then the end
        listener = noun_phrase_after(tokens, first, end)
        nxt = listener[1] + 1 if listener is not None else end
        if nxt >= end:
            return True
        if tokens[nxt].text == ",":
            return after_quote or not (nxt + 1 < end and (quoted[nxt + 1] or is_quote_mark(tokens[nxt + 1])))
        if tokens[nxt].lower in _SKIPPABLE:
            first = nxt  # "“…,” she told an audience at her session.", "…, she told the BBC on Monday."
    if tokens[first].lower not in _SKIPPABLE | TIME_WORDS | {"to"} or len(words) >= 8 and not after_quote and (
            len(words) >= 20 or any(tokens[t].lower in _CLAUSE_WORDS for t in words)):
        return False  # but "“…”, he recalled in a 2009 retelling of the story to the newspaper."
    return not any(tokens[t].lower in PRONOUNS or tokens[t].lower == "that" for t in words)
