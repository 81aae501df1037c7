"""The paraphrase resource behind "every content word accounted for".

A word of a claim is accounted for when the evidence has it, has one of its lemmas (verbs and
nouns, from lemminflect's bundled lexicon: "rose" → rise, "layoffs" → layoff), or has a word
of the same synonym group below. Adjectives are never reduced to their lemma ("largest" is not
"large"). The groups are written for news copy and kept deliberately small: a synonym added here
is a paraphrase the verifier accepts, so each one must be safe in any news sentence.

Words of the categories in ``CATEGORY`` are never free: a claim that adds a superlative, a
quantifier, a cause, a comparison, an event or a date its evidence lacks fails outright.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTH_ABBREVIATIONS = {
    "jan": "january",
    "feb": "february",
    "mar": "march",
    "apr": "april",
    "jun": "june",
    "jul": "july",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "oct": "october",
    "nov": "november",
    "dec": "december",
}

# Same meaning in news copy. Direction words stay within their direction.
SYNONYM_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(g.split())
    for g in (
        "say said says tell told state stated states add added note noted explain explained report reported according "
        "announce announced announces confirm confirmed",
        "rise rose risen rising increase increased grow grew grown climb climbed gain gained jump jumped surge surged "
        "soar soared rally rallied advance advanced up higher",
        "fall fell fallen falling decrease decreased decline declined drop dropped slide slid slip slipped sink sank "
        "plunge plunged tumble tumbled shrink shrank lose lost down lower slump slumped",
        "company firm business group",
        "buy bought purchase purchased acquire acquired acquisition",
        "start started begin began begun launch launched",
        "end ended finish finished conclude concluded",
        "cut cuts reduce reduced slash slashed",
        "job jobs position positions post posts role roles",
        "worker workers employee employees staff staffer staffers",
        "big bigger biggest large larger largest",
        "small smaller smallest little",
        "plan plans planned intend intends intended",
        "help helped aid aided assist assisted",
        "show showed shown reveal revealed",
        "chief head leader",
        "chief executive ceo",
        "week weeks",
        "percent per cent",
        "official officials authority authorities",
        "law legislation bill",
        "government administration",
        "people residents citizens",
        "car cars vehicle vehicles",
        "quickly rapidly",
    )
)

# Words a faithful paraphrase may add without a source: function words, discourse markers,
# reporting frames and generic references back to something the sentence names.
_FUNCTION = """
a an the and or but nor so yet of in on at by for from to with without into onto upon over under about
above below across after before during since until till between among through throughout within against
toward towards via per as than then that this these those there here where when while which who whom whose
what why how whether if unless although though because also too very just still already even again ever
it its it's they them their theirs he him his she her hers we us our ours you your yours i me my mine one
is are was were be been being am has have had having do does did doing done will would shall should can
could may might must not no nor only own same such both each either neither any some many much several
other others another more most less least few fewer lot lots
s t d ll re ve m n't 's
""".split()
_FREE = set(_FUNCTION) | {
    "meanwhile",
    "however",
    "moreover",
    "furthermore",
    "additionally",
    "instead",
    "likewise",
    "similarly",
    "thus",
    "therefore",
    "currently",
    "now",
    "recently",
    "today",
    "yesterday",
    "earlier",
    "later",
    "this",
    "week",
    "year",
    "month",
    "day",
    "statement",
    "statements",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "told",
    "reporters",
    "news",
    "press",
    "release",
    "conference",
    "interview",
    "comment",
    "comments",
    "move",
    "decision",
    "step",
    "plan",
    "report",
    "reports",
    "according",
    "per",
    "company",
    "firm",
    "officials",
    "official",
    "people",
    "person",
    "say",
    "said",
    "says",
    "note",
    "noted",
    "add",
    "added",
    "called",
    "describe",
    "described",
    "cite",
    "cited",
    "outlet",
    "outlets",
    "source",
    "sources",
    "mr",
    "ms",
    "mrs",
    "dr",
    "group",
    "organisation",
    "organization",
    "business",
    "also",
    "well",
    "around",
    "roughly",
    "approximately",
    "nearly",
    "almost",
    "some",
    "about",
    "respectively",
}

# Words that are never free: they change what a sentence claims. Unaccounted, they fail the claim.
CATEGORY: dict[str, str] = {}
for _category, _words in {
    "superlative": "largest biggest smallest highest lowest greatest best worst first last only record unprecedented "
    "historic history ever never-before sole single-largest fastest slowest most least top",
    "quantifier": "all every entire entirely whole wholly none each always never completely fully totally "
    "majority minority most all-time solely exclusively",
    "cause": "because due driven drive caused cause causes owing thanks result resulted resulting consequence led "
    "trigger triggered prompt prompted blame blamed attributed fuelled fueled spurred",
    "comparison": "more less fewer than greater smaller higher lower larger bigger double doubled triple tripled "
    "half halved outpaced exceeded surpassed",
    "event": "bankruptcy bankrupt insolvency lawsuit sued sue sues indicted charged convicted arrested resign "
    "resigned resignation fired dismissed ousted fraud accused accusation allegation allegations alleged "
    "investigation investigated probe scandal killed died dead death injured strike layoffs hack hacked "
    "breach recall recalled banned ban fined fine merger merged acquired acquisition shut closed collapse "
    "collapsed default defaulted sanctioned sanctions raid raided seized crash crashed explosion attack "
    "attacked protest protests ruling ruled verdict guilty settlement settled",
}.items():
    for _w in _words.split():
        CATEGORY.setdefault(_w, _category)
STOPWORDS = frozenset(w for w in _FREE if w not in CATEGORY)
FUNCTION_WORDS = frozenset(_FUNCTION)  # articles, pronouns, auxiliaries, prepositions: never what a negation negates

# Words a faithful paraphrase uses to frame or join what its source says, which state no fact
# of their own: reporting and stance verbs (who said it is checked as a name, what was said word
# by word), list and scope words, and generic nouns standing for something the sentence names.
# Only the claim checker treats these as free (the writer's own word lists are unchanged).
PARAPHRASE_FREE = frozenset(
    """
    including include includes included various several aspect aspects issue issues matter matters
    process efforts effort individual individuals part parts way ways terms regard regarding
    regards respect overall particularly specifically notably primarily mainly largely
    situation circumstances details detail information case cases
    express expressed expresses expressing stress stressed stresses emphasize emphasized emphasizes
    emphasise emphasised emphasises highlight highlighted highlights highlighting mention mentioned
    mentions describe describes describing believe believes believed suggest suggests suggested
    claim claims claimed argue argues argued insist insists insisted warn warns warned
    acknowledge acknowledged acknowledges state stated states explain explained explains
    discuss discusses discussed document article text summary
    """.split()
)

# Words a section heading may use without a source ("What happened", "By the numbers").
HEADING_WORDS = frozenset(
    "what happened happens numbers number background context reaction reactions details key "
    "figures analysis outlook timeline next why matters matter how where who said say they "
    "the story latest update updates more about data facts response responses overview summary "
    "look ahead behind comes come from views view sources disagree".split()
)

# Modal strength: a claim may not say "will" where its evidence only says "may".
HEDGES = frozenset(
    "may might could would can possibly potentially likely unlikely consider considering considers "
    "considered weigh weighing weighs mull mulling explore exploring proposed propose proposes "
    "plans plan planned planning expect expects expected aims aim hopes hope seek seeks seeking "
    "reportedly rumoured rumored".split()
)
CERTAIN = frozenset("will shall won't definitely certainly".split())

DIRECTION_UP = SYNONYM_GROUPS[1]
DIRECTION_DOWN = SYNONYM_GROUPS[2]

TOKEN_PATTERN = r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z]|[A-Za-z]"  # a word, as ``tokens`` finds it
_TOKEN = re.compile(TOKEN_PATTERN)


def tokens(text: str) -> list[str]:
    """Words (letters, inner apostrophes and hyphens kept), apostrophes made straight."""
    return [t.replace("\u2019", "'") for t in _TOKEN.findall(text)]


@lru_cache(maxsize=65536)
def lemmas(word: str) -> frozenset[str]:
    """The word and its verb and noun lemmas (never its adjective lemma: "largest" stays)."""
    from lemminflect import getAllLemmas

    w = word.lower()
    out = {w}
    found = getAllLemmas(w)
    for pos in ("VERB", "NOUN"):
        out.update(found.get(pos, ()))
    if w.endswith("'s"):
        out.add(w[:-2])
    return frozenset(out)


_GROUP_OF: dict[str, list[int]] = {}
for _index, _group in enumerate(SYNONYM_GROUPS):
    for _w in _group:
        _GROUP_OF.setdefault(_w, []).append(_index)


@lru_cache(maxsize=65536)
def forms(word: str) -> frozenset[str]:
    """Everything the word may stand as in the evidence: itself, its lemmas, its synonyms and theirs."""
    out = set(lemmas(word))
    for form in list(out):
        for g in _GROUP_OF.get(form, ()):
            for synonym in SYNONYM_GROUPS[g]:
                out.update(lemmas(synonym))
    return frozenset(out)


# British and American spellings of one word compare equal ("behaviour", "theatre",
# "criticised", "anaesthetised", "programme", "defence"): both sides are brought to one spelling.
_SPELLING = (
    (re.compile(r"(?<=[a-z]{3})our(?=(?:s|ed|ing|ite|ites|able|ably|ful|hood)?$)"), "or"),
    (re.compile(r"(?<=[a-z]{3})is(?=(?:e|es|ed|ing|ation|ations|ational)$)"), "iz"),
    (re.compile(r"(?<=[a-z]{3})ys(?=(?:e|es|ed|ing)$)"), "yz"),
    (re.compile(r"(?<=[a-z]{3})tre(?=s?$)"), "ter"),
    (re.compile(r"(?<=[a-z])ae(?=[a-z]{3})"), "e"),
    (re.compile(r"^programme"), "program"),
    (re.compile(r"^(defen|offen|licen|preten)ce"), r"\1se"),
    (re.compile(r"(?<=[a-z]{3})ogue(?=s?$)"), "og"),
)


def _spelled(word: str) -> str:
    for pattern, replacement in _SPELLING:
        word = pattern.sub(replacement, word)
    return word


_STEM_LOCK = threading.Lock()  # a Snowball stemmer keeps state between calls: one caller at a time


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _key(lemma: str) -> str:
    """A lemma's derivation key: its Snowball stem in one spelling, less an agent or result ending."""
    with _STEM_LOCK:
        key = str(_stemmer().stemWord(_spelled(lemma)))
    if len(key) > 5 and key.endswith(("ur", "or")):  # failure → fail, prosecutor → prosecut
        key = key[:-2]
    return "~" + key


@lru_cache(maxsize=65536)
def derivations(word: str) -> frozenset[str]:
    """Keys shared by a word's inflections and derivations ("withdrawal", "withdrew"; "failure",
    "failed"; "prosecution", "prosecutors"; "behaviour", "behavior"): the Snowball stem of each
    verb or noun lemma of the word in one spelling, less an agent or result ending. Prefixed
    "~" so that they never meet a plain word. Never for a word of ``CATEGORY``: "recorded"
    does not account for "record", nor "resulting" for "results"."""
    low = word.lower().replace("\u2019", "'")
    if low.endswith("'s"):
        low = low[:-2]
    if not low or CATEGORY.get(low):
        return frozenset()
    return frozenset(_key(lemma) for lemma in lemmas(low) | {low})


@lru_cache(maxsize=16384)
def evidence_forms(text: str) -> frozenset[str]:
    """The evidence as a set of word forms (each word, its lemmas and its derivation keys),
    hyphenated parts included."""
    out: set[str] = set()
    for t in tokens(text):
        low = t.lower()
        out |= lemmas(low)
        out |= _evidence_keys(low)
        if "-" in low:
            for part in low.split("-"):
                if part:
                    out |= lemmas(part)
                    out |= _evidence_keys(part)
    return frozenset(out)


@lru_cache(maxsize=65536)
def _evidence_keys(word: str) -> frozenset[str]:
    """The evidence side's derivation keys: every word's, a never-free one's too (the claim side
    decides which of its words may be matched by derivation)."""
    return frozenset(_key(lemma) for lemma in lemmas(word) | {word})


def category(word: str) -> str | None:
    """The category of a never-free word ("prompting" → cause), by the word or its lemmas."""
    low = word.lower()
    found = CATEGORY.get(low)
    if found:
        return found
    for form in lemmas(low):
        if form in CATEGORY:
            return CATEGORY[form]
    return None


def accounted(word: str, evidence: frozenset[str] | set[str]) -> bool:
    low = word.lower()
    if forms(low) & evidence or derivations(low) & evidence:
        return True
    if "-" in low:  # "AI-driven": each part on its own
        return all(not p or p in STOPWORDS or forms(p) & evidence for p in low.split("-"))
    if low.endswith("'s"):
        return bool(forms(low[:-2]) & evidence)
    return False
