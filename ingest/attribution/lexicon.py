"""Word lists the attribution rules read: reporting verbs, titles, organisation words, function words.

Closed lists, each small enough to read in full; what is on them is general English news usage, never a word
taken from one article.
"""

from __future__ import annotations


def _forms(*lemmas: str) -> dict[str, str]:
    """Inflected forms → lemma: ``"note"`` gives note, notes, noted, noting; ``"say:said"`` names an
    irregular past."""
    forms: dict[str, str] = {}
    for entry in lemmas:
        lemma, _, past = entry.partition(":")
        if lemma.endswith("y") and lemma[-2] not in "aeiou":
            third, regular_past = lemma[:-1] + "ies", lemma[:-1] + "ied"
        else:
            third = lemma + ("es" if lemma.endswith(("s", "sh", "ch", "x", "z")) else "s")
            regular_past = lemma + ("d" if lemma.endswith("e") else "ed")
        ing = (lemma[:-1] if lemma.endswith("e") and not lemma.endswith("ee") else lemma) + "ing"
        for form in (lemma, third, past or regular_past, ing):
            forms[form] = lemma
    return forms


# Verbs whose subject is the speaker and whose complement is what was said. Present-tense forms of verbs
# that are also nouns ("reports", "claims", "notes") count only after a subject (see the rules).
SPEECH_VERBS = _forms(
    "say:said", "tell:told", "add", "announce", "deny", "warn", "claim", "state", "report", "write:wrote",
    "confirm", "explain", "note", "argue", "insist", "reveal", "admit:admitted", "acknowledge", "assert",
    "declare", "tweet", "post", "remark", "comment", "concede", "confess", "vow", "promise", "pledge", "allege",
    "mention", "emphasize", "emphasise", "stress", "indicate", "observe", "reiterate", "respond", "reply",
    "complain", "predict", "suggest", "propose", "disclose", "speculate", "contend", "maintain", "recall",
    "caution", "urge", "encourage", "demand", "recommend", "request", "accuse", "describe", "praise",
    "denounce", "characterize", "characterise", "testify", "affirm", "assure", "threaten", "boast", "joke",
    "continue", "share", "conclude", "estimate", "blame", "thank", "read:read", "agree", "quip:quipped",
    "criticize", "criticise", "condemn", "endorse", "voice", "advise", "credit", "ask", "point", "inform",
    "recount", "opine", "exclaim", "retort", "lament", "muse", "counter", "interject", "shout", "yell", "deem",
    "place",
)
SPEECH_VERBS.update({"says": "say", "saying": "say", "writes": "write", "written": "write", "writing": "write",
                     "telling": "tell", "tells": "tell", "spoke": "speak", "spoken": "speak", "speaking": "speak",
                     "talked": "talk", "talking": "talk", "called": "call", "calling": "call", "admitting": "admit",
                     "reading": "read", "reads": "read", "quipping": "quip"})
del SPEECH_VERBS["admiting"], SPEECH_VERBS["quiping"]

# Present-tense forms that are also plural nouns ("the Afghan claims"): a cue only before a clause.
NOUN_LIKE_VERBS = {"claims", "reports", "notes", "states", "posts", "comments", "remarks", "tweets", "promises",
              "estimates", "requests", "demands", "shares", "thanks", "pledges", "vows", "stresses", "jokes",
              "boasts", "replies", "praises", "blames", "warns", "urges", "calls", "adds", "reads"}
# Verbs that report speech only with a preposition after them ("spoke of", "called for", "warned against").
PHRASAL = {"speak": ("of",), "talk": ("of",), "call": ("for", "on"), "caution": ("against",),
           "warn": ("against", "of"), "point": ("out",)}
# Of those, the verbs that report nothing without their preposition ("pointed out that …", not "pointed to").
PHRASAL_ONLY = {"point"}
# Lemmas that report speech only when a quotation follows ("posting …: “…”", "called the notion a “waste”").
NEEDS_QUOTE = {"post", "read", "continue", "respond", "reply", "thank", "call", "speak", "talk", "ask", "place"}
# Lemmas that report speech only before "that" or a quotation ("proposed that …", not "proposed legislation").
NEEDS_THAT = {"propose", "suggest", "estimate", "maintain", "observe", "mention", "predict", "deem"}
# Lemmas that report speech only as a participle after a document ("issued a statement agreeing …").
AFTER_DOCUMENT_ONLY = {"agree"}
# Lemmas whose object is the person addressed: the content starts after it ("told TASS that …").
ADDRESSEE_VERBS = {"tell", "inform"}
# Prepositions a cue may take before its content ("confessed to killing", "warned of").
CUE_PREPOSITIONS = {"confess": "to", "admit": "to", "testify": "to", "warn": "of"}
# Listeners that are not named sources: the cue is "told reporters" rather than just "told".
GENERIC_LISTENERS = {"reporters", "journalists", "the press", "the media", "the public", "media", "the crowd",
                     "the audience", "supporters", "lawmakers", "the newspaper"}
# Verbs whose object is a thing rather than a clause: before "…: “quote”" their object is not a statement.
NOUN_OBJECT_VERBS = {"praise", "speak", "talk", "describe", "comment", "thank", "remark", "post", "continue",
                     "respond", "reply", "write", "tweet", "read", "share", "denounce", "blame", "conclude"}

# Words that may stand before a name as its title or role; dropped from the canonical name.
TITLES = {
    "president", "vice", "prime", "minister", "secretary", "spokesperson", "spokesman", "spokeswoman", "governor",
    "senator", "sen", "rep", "representative", "congressman", "congresswoman", "director", "chief", "executive",
    "superintendent", "inspector", "detective", "constable", "sergeant", "sgt", "officer", "captain", "capt",
    "lieutenant", "lt", "colonel", "col", "general", "gen", "admiral", "commander", "commandant", "commissioner",
    "chancellor", "administrator", "ambassador", "judge", "justice", "mayor", "founder", "co-founder", "ceo",
    "chairman", "chairwoman", "chair", "leader", "professor", "prof", "dr", "doctor", "mr", "mrs", "ms", "miss",
    "sir", "dame", "lord", "lady", "king", "queen", "prince", "princess", "pope", "rev", "reverend", "bishop",
    "archbishop", "cardinal", "sheikh", "rabbi", "deputy", "assistant", "acting", "former", "first", "defence",
    "defense", "foreign", "interior", "finance", "attorney", "solicitor", "speaker", "coach", "author",
    "co-author", "scientist", "researcher", "ecologist", "physician", "presidential", "premier", "head",
    "special", "regional", "senior", "associate", "lead", "co-lead", "mp", "mep", "delegate", "councillor",
    "secretary-general", "director-general", "general-secretary", "chairperson", "economist", "analyst",
    "supreme", "envoy", "emir", "sultan", "crown", "his", "her", "their", "our",
    # occupations written as titles before a name ("Actress Denise Crosby", "Senate Minority Whip X")
    "actor", "actress", "singer", "songwriter", "musician", "artist", "editor", "journalist", "reporter",
    "columnist", "correspondent", "whip", "manager", "lawyer", "activist", "chef", "producer", "comedian",
    "novelist", "writer", "poet", "player", "nurse", "historian", "dean", "provost", "rector", "adviser",
    "advisor", "sheriff", "marshal", "warden", "coroner", "prosecutor", "principal", "brigadier", "corporal",
    # roles written before a name in news ("Democrat Chuck Schumer", "candidate Wayne Tseng", "resident Ana Cruz")
    "democrat", "republican", "candidate", "nominee", "resident", "student", "teacher", "pastor", "farmer",
    "survivor", "veteran", "voter", "witness",
}
# Words that make a capitalised name an organisation.
ORGANISATION_WORDS = {
    "police", "ministry", "department", "commission", "committee", "council", "court", "university", "college",
    "school", "institute", "agency", "organization", "organisation", "government", "party", "center", "centre",
    "association", "society", "foundation", "union", "office", "service", "services", "guard", "army", "navy",
    "force", "forces", "bank", "company", "corporation", "inc", "corp", "ltd", "llc", "group", "network",
    "news", "times", "post", "press", "herald", "journal", "tribune", "telegraph", "guardian", "board",
    "authority", "administration", "bureau", "parliament", "congress", "senate", "assembly", "federation",
    "league", "club", "church", "hospital", "airlines", "airways", "kremlin", "pentagon", "taliban",
    "secretariat", "cabinet", "coalition", "alliance", "front", "movement", "team", "tribunal",
    "reuters", "house", "street", "nations", "fund", "program", "programme", "laboratory", "lab", "museum",
    "command", "embassy", "consulate", "state", "states", "republic", "kingdom", "federal", "national",
    "international", "global", "media", "television", "radio", "mission", "observatory", "trust", "institution",
    "academy", "faculty", "hq", "headquarters", "directorate", "conference", "survey", "centers", "centres",
}
# Heads of unnamed sources that are organisations rather than people.
ORGANISATION_HEADS = {"government", "police", "military", "army", "ministry", "court", "commission", "committee",
                      "council", "company", "agency", "administration", "campaign", "state", "regime",
                      "authorities", "parliament", "organisers", "organizers", "department", "office", "board"}
SPOKESPEOPLE = {"spokesperson", "spokesman", "spokeswoman", "spokespeople", "spokesmen", "representative",
                "representatives", "official", "officials", "source", "sources", "aide", "aides", "lawyer",
                "lawyers", "statement"}
# Written things that are not speakers on their own ("according to a 2011 study").
DOCUMENTS = {"study", "studies", "report", "reports", "survey", "record", "records", "data", "figures",
             "statistics", "paper", "research", "analysis", "documents", "document", "poll", "census", "law",
             "article", "book", "letter", "summary", "ruling", "decision", "findings", "evidence", "estimates",
             "results", "hypothesis", "theory", "model", "models", "statement", "statements", "tweet", "post",
             "message", "website", "release", "filing", "order", "opinion", "judgment", "judgement", "work",
             "account", "page", "site", "video", "footage", "projections", "projection", "forecast", "memo",
             "memorandum", "communique", "communiqué", "bulletin", "email", "e-mail", "notice", "memoir", "memoirs",
             "autobiography", "diary", "advisory", "advisories", "transcript", "testimony"}
# Nouns for people by relation or role, which a name in apposition can follow ("his son-in-law, X").
KIN = {"wife", "husband", "mother", "father", "son", "daughter", "brother", "sister", "son-in-law",
       "daughter-in-law", "partner", "widow", "widower", "uncle", "aunt", "cousin", "friend", "neighbour",
       "neighbor", "colleague", "parent", "grandmother", "grandfather", "fiancée", "fiance", "fiancé"}
# Definite plural descriptions that may name the same group as an earlier one ("the authors").
GROUP_SYNONYMS = {"researchers", "scientists", "authors", "team", "investigators", "co-authors"}

PRONOUNS = {"he": "m", "she": "f", "they": "p", "it": "n", "we": "p", "i": "s"}
DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "our", "this", "these", "those", "some",
               "several", "many", "other", "another", "both", "all", "most", "one", "two", "three", "four",
               "five", "over", "more", "than", "about", "nearly", "dozens", "hundreds", "thousands", "each"}
# Words that may sit between a subject and its verb: "Lam also said", "He has since said".
VERB_PREFIX = {"also", "later", "then", "has", "have", "had", "was", "were", "is", "are", "further", "once",
               "previously", "recently", "again", "first", "finally", "since", "would", "will", "could",
               "did", "does", "do", "not", "never", "earlier", "subsequently", "promptly", "already", "just",
               "still", "even", "too", "separately", "yesterday", "today", "however", "reportedly", "both",
               "frequently", "often", "repeatedly", "publicly", "privately", "openly", "initially", "originally",
               "been", "being", "having", "allegedly", "sometimes", "always", "now", "usually", "twice"}
# Irregular past tenses: the verb after a subject ("Trump *took* to social media").
IRREGULAR_PAST = {"took", "gave", "made", "went", "came", "saw", "met", "sent", "left", "held", "won", "lost", "ran",
                  "began", "brought", "thought", "found", "became", "put", "got", "kept", "broke", "chose", "drove",
                  "flew", "grew", "knew", "led", "paid", "rose", "sat", "stood", "struck", "threw", "understood",
                  "wore", "hit", "cut", "let", "fell", "felt", "heard", "built", "bought", "caught", "fought",
                  "spent", "taught", "wrote", "spoke", "told", "said", "sought", "shot", "hung", "forgot",
                  "arose", "drew", "ate", "swore", "withdrew", "overtook", "undertook", "oversaw", "is", "was",
                  "has", "had", "does", "did", "will", "would", "can", "could", "may", "must", "should"}
# Words that never belong to a noun phrase (prepositions, conjunctions, auxiliaries).
NOT_IN_NOUN_PHRASE = {
    "in", "on", "at", "to", "into", "onto", "by", "with", "without", "after", "before", "during", "since",
    "until", "while", "when", "where", "as", "because", "if", "although", "though", "but", "or", "nor", "so",
    "that", "which", "who", "whom", "whose", "what", "is", "are", "was", "were", "be", "been", "has", "have",
    "had", "will", "would", "can", "could", "may", "might", "must", "should", "not", "also", "then", "than",
    "via", "through", "under", "over", "against", "between", "among", "amid", "amidst", "within", "upon",
    "about", "like", "unlike", "despite", "following", "per", "there", "here", "it", "its", "yet", "however",
    "did", "does", "do", "later", "once", "this",
}
# Words that may join parts of a noun phrase or name ("Court of Session", "Center for Food Safety").
NP_JOINERS = {"of", "for", "from", "and", "de", "del", "della", "dela", "van", "von", "der", "den", "bin", "al",
              "le", "la", "du", "da", "di", "dos", "das", "the", "at"}
NAME_PARTICLES = {"de", "del", "della", "dela", "van", "von", "der", "den", "bin", "al", "le", "la", "du", "da",
                  "di", "dos", "das", "ibn", "abu", "el"}
# Capitalised words that start sentences or headings but are not names.
NOT_NAMES = {
    "the", "a", "an", "he", "she", "they", "it", "we", "i", "you", "his", "her", "their", "its", "our", "my",
    "this", "that", "these", "those", "there", "here", "but", "and", "or", "so", "yet", "however", "meanwhile",
    "on", "in", "at", "after", "before", "during", "when", "while", "if", "although", "as", "since", "for",
    "with", "without", "by", "from", "to", "of", "also", "other", "some", "several", "many", "both", "all",
    "most", "one", "two", "three", "according", "yesterday", "today", "tomorrow", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may",
    "june", "july", "august", "september", "october", "november", "december", "what", "who", "why", "how",
    "where", "which", "image", "published", "date", "said", "says", "not", "no", "yes", "more", "than",
    "another", "each", "every", "earlier", "later", "then", "now", "even", "still", "just", "only", "once",
    "additionally", "furthermore", "moreover", "instead", "thus", "therefore", "following", "despite",
    "through", "among", "amid", "until", "because", "whether", "mr", "mrs", "ms", "dr", "i'm", "i've", "i'll",
    "i'd", "it's", "that's", "there's", "we're", "they're", "he's", "she's", "let's", "don't", "didn't",
    "hi", "hello", "hey", "dear", "thanks", "well", "oh", "okay", "ok", "please", "sorry", "whenever",
    "wherever", "whatever", "whoever", "unless",
}

# Days, months and other time nouns: "said on Monday", "during the weekend".
TIME_WORDS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
              "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december", "week", "month", "year", "weekend", "morning", "afternoon", "evening",
              "night", "day", "time"}
# Adjectives before a document noun ("Initial reports said", "Local reports claim"): not a name, not a subject.
DOCUMENT_ADJECTIVES = {"initial", "early", "earlier", "preliminary", "unconfirmed", "conflicting", "local",
                       "official", "recent", "later", "subsequent", "separate", "multiple", "numerous", "various",
                       "anonymous", "unverified", "previous", "new", "latest", "first", "final", "independent"}
# Auxiliaries and modals: a finite verb, the sign that a clause follows ("estimated this *would* take …").
AUXILIARIES = {"is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would", "can", "could",
               "should", "might", "may", "must", "did", "does", "do"}

