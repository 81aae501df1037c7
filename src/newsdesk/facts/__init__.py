"""Facts that know what they measure: every figure of a sentence read into a typed record —
whose figure it is (subject), what it counts (measure), its value and unit, when it holds (time
or qualifier), which way it moved, how sure the sentence is of it, and its exact span.

Pure functions over text; no store, no stage. Writers compare facts (a disagreement needs the
same subject, measure, unit and time), charts draw them (label = subject, series = measure and
unit), and the enrich stage stores them with provenance.

"Respectively" lists ("the S&P 500 and Nasdaq 100 declining by 2.3% and 3.6%, respectively")
give each figure its own subject (or time); "$7.5 billion from SoftBank, and an additional $2.5
billion from a syndicate" gives each amount the party it comes from; "between 10 and 20" is one
range; "rose from 12% to 15%" is a change whose first figure is the earlier value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import Any

from newsdesk.facts.vocabulary import DEMONYMS, DOWN, FUTURE, HEDGED, INDEX, MEASURES, MONEY_VERBS, NEGATED, TIMES, UP
from newsdesk.text.lexicon import MONTHS, STOPWORDS, WEEKDAYS
from newsdesk.text.names import NOT_NAMES, is_dictionary_word
from newsdesk.text.numbers import SCALES, Figure, figures, is_year

INTRADAY = frozenset({"premarket", "open", "midday", "close", "after hours"})
MARKET_MEASURES = frozenset({"shares", "market value", "index", "price"})


@dataclass(frozen=True)
class MeasuredFact:
    """One figure of one sentence, typed. ``start``/``end`` are the figure's span and
    ``sentence_start``/``sentence_end`` its sentence's, both in the text it was read from."""

    subject: str | None  # the entity the figure is about ("Nvidia", "SoftBank"), None when unclear
    measure: str | None  # what is counted ("market value", "jobs cut", "funding"…), None when unclear
    value: float
    unit: str  # "USD" / "EUR" / "GBP", "percent", or "count"
    text: str  # the figure as written ("$593 billion")
    time: str | None  # canonical qualifier: "open", "close", "quarter:first 2024", "year:2023", "last year"…
    time_text: str | None  # the qualifier as written ("at the close")
    polarity: str  # "up", "down" or ""
    modality: str  # "asserted", "future" (will, plans to), "hedged" (may, expects, estimates) or "negated"
    approx: bool  # "about", "nearly", "more than", a range
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    high: float | None = None  # the upper end of a range ("between 10 and 20")
    qualifier: str = ""  # "from" (an amount from a party), "earlier value" (rose from X to Y), "range", "respectively"

    @property
    def key(self) -> tuple[str | None, str | None, str]:
        """What makes two facts comparable: the same subject, measure and unit."""
        return (norm_subject(self.subject), self.measure, self.unit)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MeasuredFact:
        return cls(**d)


def norm_subject(subject: str | None) -> str | None:
    if subject is None:
        return None
    s = re.sub(r"['\u2019]s$", "", subject.strip())
    s = re.sub(r"^(?:the|The)\s+", "", s)
    s = re.sub(r",?\s+(?:Inc|Corp|Corporation|Co|Ltd|LLC|plc|Group|Holdings)\.?$", "", s)
    return s.lower() or None


# --- entities ------------------------------------------------------------------------------

_ENTITY = re.compile(
    r"(?<![\w&])(?:[A-Z][\w&'\u2019.-]*|&)(?:\s+(?:(?:of|de|del|la|van|von|for|&)\s+)?[A-Z][\w&'\u2019.-]*)*"
    r"(?:\s+\d{2,4}\b(?![,.]?\d|\s*(?:%|percent|per\s+cent|million|billion|trillion|thousand|bn|mn|tn)\b))?"
)
_NOT_HELD = {w.capitalize() for w in (*WEEKDAYS, *MONTHS)}
_NUMBER_WORDS = set(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred thousand million billion".split()
)
# Capitalised tokens that name no party: "I'd", a party-and-state tag ("R-S.C."), a numeral ("III").
_NOT_A_NAME = re.compile(r"I['\u2019](?:d|m|ve|ll)|[RDI]-[A-Z][\w.]*|[IVXLC]{2,}")
_COUNTED_OPENERS = frozenset(
    "Shares Stock Stocks Sales Investors Users Customers Employees Workers Residents Members Fans Officials Prices".split()
)
_GENERIC = {
    "AI",
    "CEO",
    "CFO",
    "CTO",
    "COO",
    "IPO",
    "GDP",
    "US",
    "U.S.",
    "U.S",
    "UK",
    "U.K",
    "EU",
    "Q1",
    "Q2",
    "Q3",
    "Q4",
    "TV",
    "AM",
    "PM",
}
_TRAIL = re.compile(r"(?:['\u2019]s|['\u2019]|\.)$")
_OPENER_KEEP = re.compile(
    r"^\s*(?:['\u2019]s\b|shares\b|stock\b|Inc\b|Corp\b|is\b|has\b|was\b|said\b|says\b|will\b|reported\b|announced\b|raised\b|cut\b|lost\b)"
)
_NOT_SUBJECT_BEFORE = re.compile(
    r"(?:according\s+to|analysts?\s+at|economists?\s+at|data\s+from|told|reported\s+by|via|per|wrote\s+in|writes\s+in|tells|survey\s+by|poll\s+by)\s+(?:the\s+)?$",
    re.I,
)


def _numbered_name(words: list[str], rest: str) -> bool:
    """ "S&P 500", "Boeing 737 Max", "Section 230 of" are names; "Pell Ardent 700" ending a
    list is a name and a figure."""
    joined = " ".join(words)
    if INDEX.fullmatch(joined) or re.match(r"\s+[A-Z]", rest):
        return True
    return len(words) == 2 and not re.match(r"\s*(?:[,.;]|and\b|or\b|$)", rest)


_PLACE_BEFORE = re.compile(r"\b(?:in|at|near|to|from|outside|across|above|of|into|for)\s+(?:the\s+)?$", re.I)
_HOLDING_BEFORE = re.compile(r"\b(?:shares?|stakes?|stocks?|investments?|holdings)\s+(?:in|of)\s+(?:the\s+)?$", re.I)
_OWNS_FIGURE = re.compile(r"^['\u2019]s?\s+(?:[a-z]+\s+)?(?:[$\u20ac\u00a3]\s?)?$")
# A dateline or a picture credit that opens the sentence ("ALBANY, NY (NEWS 10) – ", "(Police
# Service) "): the names in it place or credit the report; they are not what its figures are about.
_LEADING_FURNITURE = re.compile(
    r"^\s*(?:[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3},?\s*\([A-Z][\w .&'-]{1,30}\)\s*[\u2013\u2014-]+\s|[A-Z][A-Z.'&-]+(?:\s+[A-Z][A-Z.'&-]+)*,(?:\s*[A-Z][A-Za-z.]*){0,3}\s*(?:\([^()]{1,40}\)\s*)?[\u2013\u2014-]+\s|\([^()]{1,60}\)\s)"
)
# A figure inside an appositive that describes the name before it: ", a new 3,830-bed".
_APPOSITIVE_FIGURE = re.compile(r",\s+(?:an?|the)\s+(?:[a-z][\w-]*\s+){0,3}(?:[$\u20ac\u00a3]\s?)?")
_OWNS_NOUN = re.compile(r"^['\u2019]s?\s+[a-z]")
_LOCATES_BEFORE = re.compile(r"\b(?:just\s+)?(?:outside|near|north|south|east|west)\s+(?:of\s+)?(?:the\s+)?$", re.I)
_SAID_ON = re.compile(
    r"\b(?:said|says|told|tells|announced|reported|stated|confirmed|added|wrote|telling)\s+(?:[A-Za-z][\w.-]*\s+){0,2}$"
)
_WON = re.compile(
    r"\b(?:won|wins|win|winning|awarded)\s+(?:(?:about|nearly|more\s+than|over|up\s+to|a\s+total\s+of)\s+)?[$\u20ac\u00a3]?$",
    re.I,
)
_A_BEFORE = re.compile(r"\b(?:a|an)\s+$", re.I)
_COUNTED_OF_A_NAME = (
    r"(?:employees|workers|officers|agents|staff(?:ers)?|members|soldiers|troops|players|customers|users|students|"
    r"fans|supporters|voters|lawmakers|stores|shops|flights|planes|vehicles|cars|shares)"
)
_NAMED_COUNT = re.compile(r"^\s+" + _COUNTED_OF_A_NAME + r"\b")
_NAMED_COUNT_AFTER = re.compile(r"^\s+(?:[a-z]+ed\s+)?(?:[A-Z][\w.&'-]*\s+){1,4}(" + _COUNTED_OF_A_NAME + r")\b")
_OBJECT_NAMED = re.compile(
    r"\b(?:to|with|for|against|by|from)\s+(?:the|a|an|his|her|their|its)\s+(?:[a-z][\w-]*\s+){0,2}?[a-z][\w-]*,\s+$"
)
_THAN_BEFORE = re.compile(r"\bthan\s+(?:the\s+)?$", re.I)
# An opening participle clause, up to its comma: "After posting a bond of $300, ".
_FRONTED_CLAUSE = re.compile(
    r"^\s*(?:(?:After|Before|While|Since|By|Upon|On|Despite|Without|When)\s+)?(?:[Hh]aving\s+)?([A-Za-z][a-z]+ing)\b[^,;:]{0,160},\s+(?:the\s+)?"
)
_APPOSITIVE_PLACE = re.compile(r",\s*(?:\d+,\s*)?of\s+(?:[A-Z][\w.'-]*\s*,?\s*)*$")
# A speaker whose report holds the figure ("Heidi Blood said that ... 100 percent", "BuzzFeed
# reports that researchers found ... 90 degrees"): the speaker says it, the figure is not theirs
# unless the report is about the speaker ("Apple said it sold ...").
_REPORTING = (
    r"(?:(?:said|says|say|told|tells|believes|believed|thinks|thought|argued|argues|wrote|writes|added|adds|"
    r"claimed|claims|warned|warns|explained|explains)\b|(?:reports|reported|estimated|estimates|found|finds|"
    r"noted|notes|predicted|predicts)\s+that\b)"
)
_SPEAKER_AFTER = re.compile(
    r"^(?:\s*,[^,;]{1,120},)?\s+(?:(?:also|later|previously|has|had|have|then|recently)\s+)?"
    + _REPORTING
    + r"\b(?!(?:\s+[\w.'\u2019-]+,?){0,4}?\s+(?:that\s+)?(?:it|they|he|she|its|their|his|her|we|our|the\s+(?:company|firm|group|bank|agency))\b)"
)


@dataclass(frozen=True)
class Entity:
    name: str
    start: int
    end: int


def entities(sentence: str) -> list[Entity]:
    """Names in a sentence with their spans: "Nvidia", "the S&P 500", "Nasdaq 100",
    "SoftBank" — without leading function words, weekdays and months, or a possessive."""
    out = []
    for m in _ENTITY.finditer(sentence):
        words = m.group().split()
        start = m.start()
        # Drop leading words that are not part of a name ("On Monday Nvidia" → "Nvidia").
        while words and (
            words[0].lower() in NOT_NAMES or words[0].lower() in STOPWORDS or words[0] in _NOT_HELD or words[0] == "&"
        ):
            start = sentence.index(words[1], start + len(words[0])) if len(words) > 1 else m.end()
            words = words[1:]
        # "Shares of Nvidia fell": a sentence's capitalised opening noun is not part of the name.
        if len(words) > 2 and words[0] in _COUNTED_OPENERS and words[1] in ("of", "in") and not sentence[:start].strip():
            start = sentence.index(words[2], start + len(words[0]))
            words = words[2:]
        while words and (words[-1] in _NOT_HELD or words[-1].lower() in NOT_NAMES):
            words = words[:-1]
        if not words:
            continue
        if words[-1].isdigit() and not _numbered_name(words, sentence[m.end() :]):
            words = words[:-1]
        if not words:
            continue
        name = _TRAIL.sub("", " ".join(words))
        if not name or name in _GENERIC or name.lower() in NOT_NAMES or name in _NOT_HELD or len(name) < 2:
            continue
        if (
            name.lower() in _NUMBER_WORDS
            or name in DEMONYMS  # "a Chinese man", "Pakistani troops": a nationality, not a party
            or _NOT_A_NAME.fullmatch(name)
            or name.lower() in STOPWORDS
            or name in ("No", "Nos")
            or name.endswith(("-based", "-born"))
        ):
            continue
        opening = start == 0 or not sentence[:start].strip() or sentence[:start].rstrip().endswith(('"', "\u201c", ":"))
        # A sentence-opening word is a name only if no dictionary knows it or it behaves like one.
        if opening and " " not in name and is_dictionary_word(name) and not _OPENER_KEEP.match(sentence[start + len(name) :]):
            continue
        out.append(Entity(name, start, start + len(name)))
    return out


# --- clauses and figures ---------------------------------------------------------------------

_BOUNDARY = re.compile(
    r"[;:()\[\]\u2014]|\s[\u2013-]\s|,\s*(?:while|but|whereas|although|though|as|after|before|when|which|who)\b|\b(?:while|whereas|but)\b"
)
_ONE_COUNTS = re.compile(r"\b(?:at\s+least|only|just|exactly|more\s+than|about)\s+$", re.I)
# Words whose number is part of a name, not a quantity ("Category 3", "Chapter 11", "Game 7").
_DESIGNATOR = re.compile(
    r"\b(?:category|chapter|article|section|level|phase|stage|game|round|class|grade|type|flight|route|highway|interstate|"
    r"channel|gate|terminal|room|apartment|suite|unit|precinct|district|ward|volume|season|episode|part|amendment|"
    r"proposition|prop|title|no\.|number|model|version|pier|platform|lane|exit|row|seat|building|floor)\s+$",
    re.I,
)
_ADDRESS = re.compile(r"^\s*(?:block|hundred\s+block)\b", re.I)
_GLUED_UNITS = frozenset("km kg cm mm m ft lb lbs mph kph g k s st nd rd th am pm mi bn mn tn b in yd oz ml l".split())
_RECORD = re.compile(r"^\s+(?:against|record|in\s+the\s+series|on\s+the\s+season|lead|win|loss|victory|defeat)\b")


def _is_record(sentence: str, f: Figure) -> bool:
    """Either side of a win-loss record ("1-4 against her rival")."""
    if re.search(r"\b\d{1,3}-$", sentence[: f.start]):
        return _RECORD.match(sentence[f.end :]) is not None
    second = re.match(r"-\d{1,3}\b", sentence[f.end :])
    return second is not None and _RECORD.match(sentence[f.end + second.end() :]) is not None


_TIME_OF_DAY = re.compile(r"^\s*(?:[ap]\.?m\.?\b|o'clock|:\d\d)", re.I)
_APPROX_BEFORE = re.compile(
    r"\b(?:about|around|roughly|nearly|almost|approximately|some|more\s+than|less\s+than|over|under|up\s+to|close\s+to|just\s+over|just\s+under|at\s+least|an\s+estimated|estimated|as\s+many\s+as|as\s+much\s+as)\s+(?:[$\u20ac\u00a3])?$",
    re.I,
)
_CURRENCY = {
    "$": "USD",
    "\u20ac": "EUR",
    "\u00a3": "GBP",
    "usd": "USD",
    "eur": "EUR",
    "gbp": "GBP",
    "dollars": "USD",
    "euros": "EUR",
    "pounds": "GBP",
}
_SCALE_WORD = re.compile(r"\s?(hundred|thousand|million|billion|trillion|bn|mn|tn|[kmb])\b", re.I)
_JOIN = re.compile(
    r"^\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|&\s+)(?:(?:by|of|to|at)\s+)?(?:about\s+|nearly\s+|around\s+)?$", re.I
)
_RANGE_BETWEEN = re.compile(r"\bbetween\s+(?:[$\u20ac\u00a3])?$", re.I)
_RANGE_JOIN = re.compile(r"^\s*(?:and|to|-|\u2013)\s*$")
_FROM_TO = re.compile(r"\bfrom\s+(?:about\s+|around\s+)?(?:[$\u20ac\u00a3])?$", re.I)
_FROM_PARTY = re.compile(
    r"^\s*(?:(?:in|of)\s+(?:new\s+)?(?:funding|financing|investment|capital)\s+)?from\s+(?!(?:a\s+year|last|the\s+previous|the\s+prior|about|around|[$\u20ac\u00a3\d]|(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b))((?:an?\s+|the\s+)?[\w&'\u2019.-]+(?:\s+(?:of\s+)?[\w&'\u2019.-]+){0,4})",
)


def _unit(f: Figure) -> str:
    if f.kind == "percent":
        return "percent"
    if f.kind == "money":
        head = f.text[:1]
        if head in _CURRENCY:
            return _CURRENCY[head]
        for word, code in _CURRENCY.items():
            if word in f.text.lower():
                return code
        return "USD"
    return "count"


def _clauses(sentence: str) -> list[tuple[int, int]]:
    cuts = [0] + [m.start() for m in _BOUNDARY.finditer(sentence)] + [len(sentence)]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _clause_of(clauses: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    return next(((a, b) for a, b in clauses if a <= pos < b), clauses[-1])


def _quantities(sentence: str, ents: list[Entity]) -> list[Figure]:
    """The figures that count something: not years, days of a month, clock times, or digits
    that are part of a name ("S&P 500", "Boeing 737")."""
    out = []
    spans = [(t.start, t.end) for t in _times(sentence)]
    furniture = _LEADING_FURNITURE.match(sentence)
    lead = furniture.end() if furniture else 0
    for f in figures(sentence):
        if f.start < lead:
            continue  # "(NEWS 10)" in a dateline
        if f.kind == "day" or any(e.start <= f.start < e.end for e in ents) or any(a <= f.start < b for a, b in spans):
            continue
        if f.kind == "plain" and is_year(f) and not re.match(r"\s+[a-z]+s\b", sentence[f.end :]):
            continue
        if f.kind == "plain" and (_TIME_OF_DAY.match(sentence[f.end :]) or re.search(r"\d:$", sentence[: f.start])):
            continue
        if f.kind == "plain" and f.value == 1 and not f.text[0].isdigit() and not _ONE_COUNTS.search(sentence[: f.start]):
            continue  # "one of the", "no one" (but "at least one witness" counts)
        if f.kind == "plain" and (f.value == 0 or _is_record(sentence, f)):
            continue  # "0-4 against": a record, not a quantity
        if f.kind == "plain" and re.search(r"['\u2019]$", sentence[: f.start]) and sentence[f.end : f.end + 1] == "s":
            continue  # "the '70s": a decade
        if re.search(r"\[[^\]]{0,6}$", sentence[: f.start]) and re.match(r"[^\[]{0,6}\]", sentence[f.end :]):
            continue  # a citation mark "[21]"
        if (
            re.match(r"-\d{3}-\d{4}", sentence[f.end :])
            or (re.search(r"\d{3}-$", sentence[: f.start]) and re.match(r"-\d{4}\b", sentence[f.end :]))
            or re.search(r"\d{3}-\d{3}-$", sentence[: f.start])
            or (re.search(r"\(\s*$", sentence[: f.start]) and re.match(r"\)\s*\d{3}-", sentence[f.end :]))
        ):
            continue  # a telephone number
        if re.match(r"\s*(?:(?:years?\s+)?(?:to|-|and)\s+[\d,.]+\s+)?(?:years?|months?|weeks?|days?)\s+ago\b", sentence[f.end :]):
            continue  # a time, not a quantity
        if f.kind == "plain" and re.match(r"\s*(?:st|nd|rd|th)\b", sentence[f.end :]):
            continue
        if f.kind == "plain" and _DESIGNATOR.search(sentence[: f.start]):
            continue  # "a Category 3 storm", "Chapter 11", "Section 230": a name's number
        if f.kind == "plain" and _ADDRESS.match(sentence[f.end :]):
            continue  # "the 900 block of", "Suite 400": an address
        glued = re.match(r"[A-Za-z]+", sentence[f.end :])
        if f.kind == "plain" and glued and glued.group().lower() not in _GLUED_UNITS:
            continue  # "2Day FM", "3D": a digit inside a name
        out.append(f)
    return out


# --- measure, subject, time, direction -------------------------------------------------------

_AFTER = [(key, re.compile(r"^\s*(?:" + after + r")\b", re.I)) for key, after, _ in MEASURES if after]
_BEFORE = [
    (
        key,
        re.compile(
            r"(?:" + before + r")\s*(?:[\w'\u2019]+\s+){0,3}(?:by\s+|to\s+|at\s+|of\s+|from\s+)?(?:[$\u20ac\u00a3])?$", re.I
        ),
    )
    for key, _, before in MEASURES
    if before
]
_MONEY_VERBS = [
    (
        key,
        re.compile(
            verb
            + r"\s+(?:(?:an\s+estimated|an?\s+additional|another|about|around|nearly|almost|roughly|some|more\s+than|over|up\s+to|at\s+least)\s+)?[$\u20ac\u00a3]?$",
            re.I,
        ),
    )
    for key, verb in MONEY_VERBS
]
# "$34 billion in Chinese imports", "$2 million in damages": the noun a sum is "in".
_MONEY_IN = re.compile(r"^\s*in\s+((?:[A-Za-z][\w-]*\s+){0,2}[a-z][\w-]*)")
_COMPARED_NOUN = re.compile(
    r"^\s*(?:higher|lower|greater|smaller|bigger|increased|reduced|elevated|more|fewer|less)\s+([a-z]{3,})\b"
)
_CHANGE_IN = re.compile(
    r"^\s*(?:cut|cuts|increase|rise|drop|fall|decline|reduction|jump|gain|hike|boost|growth)\s+in\s+((?:[A-Za-z][\w-]*\s+){0,3}[a-z][\w-]*)"
)
# "Six (7%) patients": a parenthetical between a count and its noun.
_PARENTHETICAL = re.compile(r"^\s*\([^()]{1,24}\)")
_NOUN_AFTER = re.compile(r"^\s*(?:(?:more|new|additional|other|fewer|of)\s+)?([a-z][a-z-]{2,})(?:\s+([a-z][a-z-]{2,}))?")
_NOT_NOUNS = {
    "percent",
    "per",
    "cent",
    "million",
    "billion",
    "thousand",
    "trillion",
    "and",
    "the",
    "from",
    "than",
    "more",
    "less",
    "for",
    "with",
    "after",
    "before",
    "over",
    "under",
    "between",
    "since",
    "until",
    "into",
    "onto",
    "last",
    "this",
    "next",
    "year",
    "years",
    "month",
    "months",
    "day",
    "days",
    "week",
    "weeks",
    "hours",
    "minutes",
    "seconds",
    "times",
    "respectively",
    "each",
    "apiece",
    "lower",
    "higher",
    "down",
    "was",
    "were",
    "are",
    "had",
    "has",
    "have",
    "will",
    "would",
    "that",
    "when",
    "who",
    "which",
    "according",
    "said",
    "says",
    "points",
    "point",
    "fell",
    "rose",
    "dropped",
    "to",
    "by",
    "its",
    "their",
    "his",
    "her",
    "out",
    "off",
    "about",
    "around",
    "while",
    "but",
    "also",
    "only",
    "just",
    "worth",
}
_NOUN_MEASURES = {"percent"}


_UNIT_NOUNS = {
    "distance": r"miles?|kilometres?|kilometers?|km|feet|foot|ft|metres?|meters?|yards?|inches|inch|cm|mm",
    "speed": r"mph|km/h|kph|knots",
    "duration": r"(?:-|\s)?(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies))(?![-\w])(?!\s+(?:old|ago))",
    "weight": r"(?:kilo)?grams?|kg|lbs?|tons?|tonnes?",
}
# "eight more hours", "three straight days": a word between the figure and its unit.
_UNIT_AFTER = [
    (key, re.compile(r"^\s*(?:(?:more|additional|extra|further|straight|consecutive|full)\s+)?(?:" + words + r")\b", re.I))
    for key, words in _UNIT_NOUNS.items()
]
_AGE = re.compile(r"[A-Z][\w.'\u2019-]*,\s*(?:now\s+|aged\s+)?$")
_AGE_CUE = re.compile(
    r"(?:(?:[,(\u2014\u2013]|\s-)\s*then\s+"
    r"|\b(?:those|people|patients|adults|women|men|children|kids|anyone|voters|users|girls|boys)\s+(?:under|over|older\s+than|younger\s+than|below|above)\s+"
    r"|\b(?:born|moved|emigrated|immigrated|retired|married|died|orphaned)\b[^.;,]{0,50}\bat\s+)$",
    re.I,
)
_AGE_END = re.compile(r"^\s*(?:[,.;)\u2014\u2013]|-\s|$|and\b|in\b|were\b|was\b|are\b|had\b|have\b)")
# Two figures set against each other measure the same thing: "72 percent versus 63 percent".
_VERSUS = re.compile(r"^\s*(?:\)\s*|,\s*)?(?:versus|vs\.?|compared\s+(?:with|to))\s+(?:about\s+)?$", re.I)
# A count with its share in brackets, "68 (85%) showed", is a part of the group counted before.
_SUBSET = re.compile(r"^\s*\(\s*[\d.]+\s*(?:%|percent|per\s+cent)\s*\)")
_SHARE_OF = re.compile(r"^\s*[\"\u201d\u2019']?\s*(?:of|\))", re.I)
# A figure joined to the noun it counts: "3,830-bed", "14-page", "16,000-word" (not "5-year-old").
_COMPOUND_NOUN = re.compile(r"^-([a-z]{3,})\b(?!-)")
_NOUN_BEFORE = re.compile(
    r"\b([a-z]+(?:\s+[a-z]+)?)\s+(?:(?:was|is|were|are|has\s+been|had\s+been|will\s+be)\s+)?(?:(?:recently|now|still|initially)\s+)?"
    r"(?:(?:estimated|set|valued|put|pegged|fixed)\s+)?(?:at|to\s+be|of)\s+(?:about\s+|around\s+|nearly\s+|more\s+than\s+|over\s+|up\s+to\s+)?[$\u20ac\u00a3]?$"
)
_VAGUE = {
    "total",
    "sum",
    "amount",
    "number",
    "figure",
    "estimate",
    "average",
    "median",
    "value",
    "tune",
    "range",
    "area",
    "level",
    "increase",
    "decrease",
    "rise",
    "fall",
    "drop",
    "gain",
}


def _measure(sentence: str, f: Figure, window: str, subject: str | None, end: int | None = None) -> str | None:
    after = sentence[end or f.end : (end or f.end) + 60]
    money = f.kind == "money"
    for key, pattern in _AFTER:
        if pattern.match(after):
            if key == "price" and not money:
                continue
            return key
    if f.kind == "plain":
        named = _NAMED_COUNT_AFTER.match(after)
        if named:
            return _singular(named.group(1))  # "two uniformed Secret Service officers"
        for key, pattern in _UNIT_AFTER:
            if pattern.match(after):
                if key == "distance" and re.match(r"^[^.;,]{0,20}\btall\b", after):
                    return "height"
                return key
        if _AGE.search(sentence[: f.start]) and re.match(r"^\s*(?:,|\.|;|$|and\b|who\b|was\b|is\b)", after):
            return "age"  # "Will Smith, 46, …"
        if f.value < 120 and f.value == int(f.value) and _AGE_CUE.search(sentence[: f.start]) and _AGE_END.match(after):
            return "age"  # "Laura — then 4 —", "those under 50 were", "moved to Miami at 12,"
        compound = _COMPOUND_NOUN.match(after)
        if compound and compound.group(1) not in _NOT_NOUNS and _is_noun(compound.group(1)):
            return _singular(compound.group(1))  # "a 3,830-bed prison", "a 14-page report"
    for key, pattern in _BEFORE:
        if pattern.search(window):
            if key == "age" and f.kind != "plain":
                continue
            if key == "shares" and subject and INDEX.fullmatch(subject):
                return "index"
            if (
                key == "jobs cut"
                and f.kind != "plain"
                and not re.match(r"^\s*of\s+(?:its|the|their)\s+(?:workforce|staff|employees|jobs)", after)
            ):
                continue  # "cut by $42.7 billion", "a 2.5 percent cut in spending"
            return key
    if money:
        for key, pattern in _MONEY_VERBS:
            if pattern.search(window):
                return key
        held = _MONEY_IN.match(after)
        head = _head_noun(held.group(1)) if held else None
        if head:
            return _singular(head)
        if _WON.search(window) and not _NOUN_AFTER.match(after):
            return "prize"  # "won $500", but "won $2 million in damages" is the damages
    if f.kind == "percent":
        compared = _COMPARED_NOUN.match(after)
        if compared and compared.group(1) not in _NOT_NOUNS and _is_noun(compared.group(1)):
            return _singular(compared.group(1))  # "a 78 percent higher risk of diabetes"
    if f.kind in ("percent", "money"):
        changed = _CHANGE_IN.match(after)
        word = _head_noun(changed.group(1)) if changed else None
        if word:
            return word if word.endswith("ing") else _singular(word)  # "a 2.5 percent cut in all federal spending"
    if subject and INDEX.fullmatch(subject) and f.kind == "percent":
        return "index"
    if f.kind == "percent" and _SHARE_OF.match(after):
        return "share"  # "50% of the subjects", "68 (85%)"
    aside = _PARENTHETICAL.match(after) if f.kind == "plain" else None
    if aside:
        m = _NOUN_AFTER.match(after[aside.end() :])
        if m and m.group(1) not in _NOT_NOUNS and _is_noun(m.group(1)):
            return _singular(m.group(1))
    if f.kind in ("plain", "money"):
        m = _NOUN_AFTER.match(after)
        if m and m.group(1) not in _NOT_NOUNS and (not money or _is_noun(m.group(1))):
            first, second = m.group(1), m.group(2)
            if (
                second
                and second not in _NOT_NOUNS
                and _is_noun(second)
                and (not _is_noun(first) or (second.endswith("s") and not first.endswith("s")))
            ):
                noun = second if not _is_noun(first) else f"{first} {_singular(second)}"
                return noun if " " in noun else _singular(noun)
            if _is_noun(first) or not money:
                return _singular(first)
    if f.kind in ("money", "percent"):
        m = _NOUN_BEFORE.search(window)
        if m:
            words = [w for w in m.group(1).split() if w not in STOPWORDS]
            if words and words[-1] not in _VAGUE and _is_noun(words[-1]):
                # "posting bail of $500": a participle before the noun is the verb, not a kind of bail.
                two = len(words) == 2 and _is_noun(words[0]) and not words[0].endswith("ing")
                return " ".join(words[-2:]) if two else _singular(words[-1])
    return None


_NOT_SUM_NOUNS = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday quarter year years month months week weeks "
    "day days morning afternoon evening night total all cash".split()
)


def _is_not_sum_noun(word: str) -> bool:
    return word.lower() in _NOT_SUM_NOUNS


def _head_noun(phrase: str) -> str | None:
    """The head of a short noun phrase ("Chinese imports", "back taxes" → its last word): words up
    to the first function word; None when that word is no noun or names a time."""
    words: list[str] = []
    for w in phrase.split():
        if w.lower() in STOPWORDS or w.lower() in _NOT_NOUNS:
            if words:
                break
            continue
        words.append(w)
    if not words:
        return None
    head = words[-1]
    if not head.islower() or _is_not_sum_noun(head) or not (_is_noun(head) or head.endswith("ing")):
        return None
    return head


@lru_cache(maxsize=16384)
def _is_noun(word: str) -> bool:
    from lemminflect import getAllLemmas

    found = getAllLemmas(word.lower())
    return "NOUN" in found or (not found and word.isalpha())


def _singular(noun: str) -> str:
    from newsdesk.text.lexicon import lemmas

    forms = sorted(lemmas(noun), key=len)
    return forms[0] if forms else noun


def _subject(sentence: str, f: Figure, ents: list[Entity], clause: tuple[int, int]) -> tuple[str | None, str]:
    """(subject, qualifier): the party an amount comes "from", else the nearest name before the
    figure in its clause, else in the sentence, else a name right after ("17% of Nvidia's")."""
    party = _FROM_PARTY.match(sentence[f.end : f.end + 80])
    if party:
        named = [
            e for e in ents if f.end < e.start <= f.end + party.end(1) - party.start(0) + 10 and e.start >= f.end + party.start(1)
        ]
        return (named[0].name if named else _common_party(party.group(1))), "from"
    furniture = _LEADING_FURNITURE.match(sentence)
    lead = furniture.end() if furniture else 0
    usable = [
        e
        for e in ents
        if e.end <= f.start
        and e.start >= lead
        and not _NOT_SUBJECT_BEFORE.search(sentence[: e.start])
        and not _APPOSITIVE_PLACE.search(sentence[: e.start])
    ]
    # "higher than Earth does": the name a figure is compared with is not what it measures;
    # "a Target employee": a name after "a" that qualifies a noun is no party of its own.
    usable = [e for e in usable if not (_A_BEFORE.search(sentence[: e.start]) and re.match(r"\s+[a-z]", sentence[e.end :]))]
    usable = [e for e in usable if not _THAN_BEFORE.search(sentence[: e.start])] or usable
    # "apologized to the journalist, Ben Jacobs, and pledged $50,000": the name that only
    # renames an object ("to the journalist") is not the one who acts.
    usable = [
        e for e in usable if not (_OBJECT_NAMED.search(sentence[: e.start]) and re.match(r"\s*,", sentence[e.end :]))
    ] or usable
    speakers = [e for e in usable if _SPEAKER_AFTER.match(sentence[e.end : f.start])]
    if speakers:
        # Names before the speaker belong to another clause than the report's.
        usable = [e for e in usable if e.start > speakers[-1].start]
    fronted = _FRONTED_CLAUSE.match(sentence)
    if fronted and f.end <= fronted.end() and not any(e.start >= fronted.start(1) for e in usable):
        # "After posting a bond of $300, Edwards walked out": the opening clause's doer is the
        # main clause's subject, named right after its comma.
        doer = [e for e in ents if fronted.end() <= e.start <= fronted.end() + 5]
        if doer:
            return doer[0].name, ""
    described = next((e for e in reversed(usable) if _APPOSITIVE_FIGURE.fullmatch(sentence[e.end : f.start])), None)
    if described is not None:
        return described.name, ""  # "SCI Phoenix, a new 3,830-bed state prison"
    in_clause = [e for e in usable if e.start >= clause[0]]
    owner = next((e for e in reversed(in_clause) if _OWNS_FIGURE.match(sentence[e.end : f.start])), None)
    if owner is not None:
        return owner.name, ""  # "David Peace's four novels", "Nvidia's 17% fall"
    if in_clause:
        # A place ("cut 6,000 jobs in Tallin", "above Kiryat Gat") gives way to an actor.
        actors = [
            e for e in in_clause if not _PLACE_BEFORE.search(sentence[: e.start]) or _HOLDING_BEFORE.search(sentence[: e.start])
        ]
        if not actors:
            actors = [
                e for e in usable if not _PLACE_BEFORE.search(sentence[: e.start]) or _HOLDING_BEFORE.search(sentence[: e.start])
            ][-1:]
        # "the city of Hasrata just outside Damascus": a place that only locates another is not it.
        located = [e for e in in_clause if not _LOCATES_BEFORE.search(sentence[: e.start])]
        return (actors or located or in_clause)[-1].name, ""
    # "17% of Nvidia's", "a 5% stake in Tesla" — but not a place: "one meeting in Washington".
    after = re.match(
        r"^\s*(?:(?:[\w-]+\s+){0,3}?(?:of|for)|(?:[\w-]+\s+){0,2}?(?:stakes?|shares?|holdings?|interest)\s+in)\s+(?:the\s+)?",
        sentence[f.end : f.end + 60],
    )
    if after:
        right = [e for e in ents if e.start == f.end + after.end()]
        if right:
            return right[0].name, ""
    # "two uniformed Secret Service officers", "300 Tesla employees": a name between a count and
    # its noun says whose the counted are.
    named_noun = re.match(r"^\s+(?:[a-z]+ed\s+)?", sentence[f.end : f.end + 40])
    if named_noun and f.kind == "plain":
        right = [e for e in ents if e.start == f.end + named_noun.end()]
        if right and _NAMED_COUNT.match(sentence[right[0].end :]):
            return right[0].name, ""
    # "a premium of 37% to NYSE Euronext's closing price": the possessor of the price compared with.
    to_owner = re.match(r"^\s*(?:[\w-]+\s+){0,2}?to\s+(?:the\s+)?", sentence[f.end : f.end + 60])
    if to_owner:
        right = [e for e in ents if e.start == f.end + to_owner.end() and _OWNS_NOUN.match(sentence[e.end :])]
        if right:
            return right[0].name, ""
    if usable:
        return usable[-1].name, ""
    return None, ""


def _common_party(words: str) -> str | None:
    """An unnamed party ("a syndicate of investors"): its head words, so it is not mistaken for another's."""
    w = re.sub(r"^(?:an?|the)\s+", "", words.strip()).split()
    return " ".join(w[:1]) if w and w[0].isalpha() else None


@dataclass(frozen=True)
class _Time:
    key: str
    text: str
    start: int
    end: int


_TIME_PATTERNS = tuple((key, re.compile(pattern, re.I if key not in ("day",) else 0)) for key, pattern in TIMES)


@lru_cache(maxsize=16384)
def _times(sentence: str) -> tuple[_Time, ...]:
    # Remembered per sentence: a sentence is read by enrich, the writer and the verifier.
    found: list[_Time] = []
    for key, pattern in _TIME_PATTERNS:
        for m in pattern.finditer(sentence):
            if any(t.start < m.end() and m.start() < t.end for t in found):
                continue
            found.append(_Time(_time_key(key, m.group()), m.group().strip(), m.start(), m.end()))
    return tuple(sorted(found, key=lambda t: t.start))


_ORDINAL = {
    "1st": "first",
    "2nd": "second",
    "3rd": "third",
    "4th": "fourth",
    "q1": "first",
    "q2": "second",
    "q3": "third",
    "q4": "fourth",
}


def _time_key(kind: str, text: str) -> str:
    low = text.lower()
    if kind == "quarter":
        q = re.search(r"first|second|third|fourth|1st|2nd|3rd|4th|final|latest|q[1-4]", low)
        year = re.search(r"(?:19|20)\d\d", low)
        name = _ORDINAL.get(q.group(), q.group()) if q else ""
        return f"quarter:{name}" + (f" {year.group()}" if year else "")
    if kind == "year":
        year = re.search(r"(?:19|20)\d\d", low)
        since = "since " if low.startswith(("since", "by")) else ""
        return f"year:{since}{year.group() if year else low}"
    if kind == "years":
        return "years:" + "-".join(re.findall(r"(?:19|20)\d\d", low))
    if kind == "date":
        month = next(n for n, name in enumerate(MONTHS, 1) if low.removeprefix("on ").startswith(name[:3]))
        day, *in_year = re.findall(r"\d+", low)
        return f"date:{in_year[0] + '-' if in_year else ''}{month:02d}-{int(day):02d}"
    if kind in ("month", "week", "span"):
        return f"{kind}:" + re.sub(r"^(?:in|within|over|during)\s+(?:the\s+)?", "", low)
    if kind == "day":
        return "day:" + re.sub(r"^on\s+", "", low)
    if kind == "clock":
        # "before 6 a.m." is not "at 6 a.m.": the relation stays in the key.
        relation = re.match(r"(?:\w+\s+)?(before|after|until|by|from)\b", low)
        clock = re.search(r"(\d{1,2})(?::(\d\d))?\s*([ap])?", low)
        if clock is None:  # the pattern always holds an hour; kept for the type checker
            return kind
        hour, minute, half = clock.groups()
        return f"clock:{relation.group(1) + ' ' if relation else ''}{int(hour)}:{minute or '00'}{half or ''}"
    return kind


def time_key(text: str) -> str | None:
    """The canonical key of a time qualifier as written ("at the close" → "close"), or None."""
    found = _times(text)
    return found[0].key if found else None


def _direction(window: str, after: str) -> str:
    tail = after[:25]
    ups = [m.end() for m in UP.finditer(window)]
    downs = [m.end() for m in DOWN.finditer(window)]
    if re.match(r"^\s*(?:\w+\s+)?(?:lower|down|drop|fall|decline|loss|cut)\b", tail, re.I):
        return "down"
    if re.match(r"^\s*(?:\w+\s+)?(?:higher|up|rise|gain|increase|jump)\b", tail, re.I):
        return "up"
    if not ups and not downs:
        return ""
    return "up" if max(ups, default=-1) > max(downs, default=-1) else "down"


def _modality(clause_before: str) -> str:
    if NEGATED.search(clause_before[-60:]):
        return "negated"
    if HEDGED.search(clause_before[-80:]):
        return "hedged"
    if FUTURE.search(clause_before[-80:]):
        return "future"
    return "asserted"


# --- lists -----------------------------------------------------------------------------------

_LIST_NEXT = re.compile(
    r"(?:\s+[\w&.'\u2019-]+){0,4}?\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)"
    r"(?:(?:with|including|plus|an?|additional|another|further|the|closed|opened|ended|finished|fell|rose|down|up|lower|higher|by|to|at)\s+){0,4}(?:[A-Z][\w&.'\u2019-]*\s+){0,4}(?:[$\u20ac\u00a3])?"
)
_LIST_SEP = re.compile(r"^\s*(?:,\s*(?:and\s+|&\s+)?|,?\s+and\s+|\s*&\s*)(?:the\s+)?$")


def _figure_runs(sentence: str, figs: list[Figure]) -> list[list[Figure]]:
    """Figures listed together ("2.3% and 3.6%", "$1bn, $2bn and $3bn")."""
    runs: list[list[Figure]] = []
    for f in figs:
        if runs and _JOIN.match(re.sub(r"\b(?:percent|per\s+cent)\b", "", sentence[runs[-1][-1].end : f.start])):
            runs[-1].append(f)
        else:
            runs.append([f])
    return runs


def _entity_list(sentence: str, ents: list[Entity], before: int, n: int) -> list[Entity] | None:
    """The nearest list of ``n`` coordinated names before position ``before``."""
    usable = [e for e in ents if e.end <= before]
    for last in range(len(usable) - 1, n - 2, -1):
        group = usable[last - n + 1 : last + 1]
        if all(_LIST_SEP.match(sentence[a.end : b.start]) for a, b in zip(group, group[1:])):
            return group
    return None


def _time_list(times: tuple[_Time, ...], sentence: str, n: int) -> tuple[_Time, ...] | None:
    for k in range(len(times) - n, -1, -1):
        group = times[k : k + n]
        if all(
            re.fullmatch(r"\s*(?:,\s*(?:and\s+)?|,?\s+and\s+)(?:in\s+|the\s+)?", sentence[a.end : b.start])
            for a, b in zip(group, group[1:])
        ):
            return group
    return None


# --- the reader ------------------------------------------------------------------------------


def sentence_facts(sentence: str, offset: int = 0, sentence_start: int | None = None) -> list[MeasuredFact]:
    """Every figure of one sentence as a typed fact (spans shifted by ``offset``)."""
    if sentence_start is not None and sentence_start != offset:
        return _read_facts(sentence, offset, sentence_start)
    # Remembered per sentence (enrich, the writer, media and the verifier read the same ones),
    # read at offset 0 and shifted: the reading depends on no offset but through spans.
    facts = _facts_of(sentence)
    if not offset:
        return list(facts)
    return [
        replace(f, start=f.start + offset, end=f.end + offset, sentence_start=offset, sentence_end=f.sentence_end + offset)
        for f in facts
    ]


@lru_cache(maxsize=16384)
def _facts_of(sentence: str) -> tuple[MeasuredFact, ...]:
    return tuple(_read_facts(sentence, 0, None))


def _read_facts(sentence: str, offset: int, sentence_start: int | None) -> list[MeasuredFact]:
    ents = entities(sentence)
    figs = _quantities(sentence, ents)
    if not figs:
        return []
    clauses = _clauses(sentence)
    times = _times(sentence)
    base = offset if sentence_start is None else sentence_start
    # Ranges and changes: "between 10 and 20", "10 to 20", "rose from 12% to 15%".
    pairs: dict[int, tuple[str, Figure]] = {}  # index of the first figure → (kind, second figure)
    for k, (a, b) in enumerate(zip(figs, figs[1:])):
        gap = sentence[a.end : b.start]
        if not _RANGE_JOIN.match(gap) and not re.fullmatch(r"\s*(?:to)\s+(?:about\s+)?(?:[$\u20ac\u00a3])?", gap):
            continue
        before = sentence[: a.start]
        if _FROM_TO.search(before) and gap.strip() not in ("-", "\u2013"):
            pairs[k] = ("change", b)  # "rose from 12% to 15%", but "came from 25-50 km away" is a range
        elif _RANGE_BETWEEN.search(before) or (gap.strip() in ("-", "\u2013", "to") and _unit(b) in (_unit(a), "percent")):
            pairs[k] = ("range", b)  # "70 to 80%": the unit is written once, after the second
    # A lone number before a scaled one shares its scale: "$5 to $10 billion".
    scaled: dict[int, float] = {}
    for k, (_, b) in pairs.items():
        a = figs[k]
        m = re.search(r"(?:\d\s?|\s)(hundred|thousand|million|billion|trillion|bn|mn|tn|[kmb])\b", b.text, re.I)
        if not _SCALE_WORD.match(sentence[a.end :]) and m and a.value < 1000:
            scaled[k] = a.value * SCALES[m.group(1).lower()]
    skip = {id(b) for kind, b in pairs.values() if kind == "range"}
    # "Respectively": the k-th figure of the list belongs to the k-th name (or time) listed.
    assigned_subject: dict[int, str] = {}
    assigned_time: dict[int, _Time] = {}
    for run in _figure_runs(sentence, figs):
        if len(run) < 2:
            continue
        tail = sentence[run[-1].end : run[-1].end + 60]
        if not re.match(r"^[^.;]{0,40}\brespectively\b", tail):
            continue
        names = _entity_list(sentence, ents, run[0].start, len(run))
        if names:
            for f, e in zip(run, names):
                assigned_subject[id(f)] = e.name
        listed = _time_list(times, sentence, len(run))
        if listed:
            for f, t in zip(run, listed):
                assigned_time[id(f)] = t
    # Each time expression belongs to the figure nearest it in its clause.
    # "his lawyer said Monday": the weekday a statement was made dates the report, not its figures.
    times = tuple(t for t in times if not (t.key.startswith("day:") and _SAID_ON.search(sentence[: t.start])))
    owner: dict[int, int] = {}
    for t in times:
        clause = _clause_of(clauses, t.start)
        near = [f for f in figs if clause[0] <= f.start < clause[1]]
        if near:
            # A phrase ("in 2022", "at the open") qualifies the figure before it; a verb ("closed
            # down 17%") the figure after it.
            forward = re.match(r"(?:clos|open|finish|settl|end)", t.text, re.I) is not None
            best = min(
                near,
                key=lambda f: min(abs(t.start - f.end), abs(f.start - t.end)) + (0 if (t.start >= f.end) != forward else 15),
            )
            owner[id(t)] = id(best)
    out: list[MeasuredFact] = []
    previous: MeasuredFact | None = None
    for k, f in enumerate(figs):
        if id(f) in skip:
            continue
        clause = _clause_of(clauses, f.start)
        window_start = max(clause[0], previous.end - base if previous and previous.end - base <= f.start else clause[0])
        window = sentence[window_start : f.start]
        kind, partner = pairs.get(k, ("", None))
        # A range is read as one figure from its first number to its last, in the last's unit.
        whole = replace(f, end=partner.end, kind=partner.kind) if kind == "range" and partner is not None else f
        subject, qualifier = _subject(sentence, whole, ents, clause)
        if id(f) in assigned_subject:
            subject, qualifier = assigned_subject[id(f)], "respectively"
        measure = _measure(sentence, whole, window, subject)
        unit = _unit(f)
        if kind == "range" and partner is not None and f.kind == "plain":
            unit = _unit(partner)  # "between 98 and 100%", "Seventy to 80%"
        if unit == "GBP" and re.search(r"\bweigh\w*\s+(?:about\s+)?$", sentence[: f.start]):
            unit, measure = "count", "weight"  # "weighs 75 pounds"
        between = sentence[previous.end - base : f.start] if previous and previous.sentence_start == base else None
        in_list = between is not None and len(between) < 60 and not re.search(r"[;.]", between)
        # "cut 1,600 jobs, Marisco Foods 1,100": a bare figure in a list takes the list's
        # measure; "rose 12% to $4.5 billion": the level the change reached.
        to_level = between is not None and re.fullmatch(r"\s*to\s+", between) is not None
        # Only a list's next entry takes its measure: "…, Marisco Foods 1,100", not "… said the
        # crew stopped five times".
        next_entry = between is not None and _LIST_NEXT.fullmatch(between) is not None
        if measure is None and previous and previous.measure and (next_entry or to_level) and (previous.unit == unit or to_level):
            measure = previous.measure
        if measure is None and unit == "count" and _SUBSET.match(sentence[f.end :]):
            group = next((g for g in reversed(out) if g.unit == "count" and g.measure), None)
            measure = group.measure if group else None
        market = measure in MARKET_MEASURES or (measure is None and unit == "percent")
        time = assigned_time.get(id(f)) or _time_for(sentence, f, times, owner, clauses, market)
        if measure == "age":
            # An age is not dated by the sentence's other times, only by one in its own aside:
            # "who died in December at the age of 94,", "not yet 2 years old when … in 1994,".
            start, end = _comma_segment(sentence, f)
            in_aside = (start, end) != (0, len(sentence))
            time = next((t for t in times if start <= t.start and t.end <= end), None) if in_aside else None
            named = re.match(r"^-?years?-old\s+", sentence[f.end :])
            right = [e for e in ents if named and e.start == f.end + named.end()]
            if right:
                subject = right[0].name  # "32-year-old Nicholas Mattevi"
            elif subject and any(
                e.name == subject
                and _PLACE_BEFORE.search(sentence[: e.start])
                and not _HOLDING_BEFORE.search(sentence[: e.start])
                for e in ents
            ):
                subject = None  # an age is a person's, never a place's: "a leopard in X park … a three-year-old son"
        if time and time.key in INTRADAY and not (measure in MARKET_MEASURES or (measure is None and unit == "percent")):
            time = None  # "closed two plants" is not the close of trading
        value = scaled.get(k, f.value)
        polarity = _direction(window, sentence[f.end :])
        if not polarity and previous and in_list and previous.measure == measure:
            polarity = previous.polarity
        approx = bool(_APPROX_BEFORE.search(sentence[max(0, f.start - 30) : f.start]))
        high = None
        if kind == "range" and partner is not None:
            high, approx, qualifier = partner.value, True, qualifier or "range"
        if kind == "change":
            qualifier = "earlier value"
        fact = MeasuredFact(
            subject=subject,
            measure=measure,
            value=value,
            unit=unit,
            text=sentence[f.start : (partner.end if kind == "range" and partner else f.end)],
            time=time.key if time else None,
            time_text=time.text if time else None,
            polarity=polarity,
            modality=_modality(sentence[clause[0] : f.start]),
            approx=approx,
            start=offset + f.start,
            end=offset + (partner.end if kind == "range" and partner else f.end),
            sentence_start=base,
            sentence_end=base + len(sentence),
            high=high,
            qualifier=qualifier,
        )
        out.append(fact)
        previous = fact
    for k, (a_fact, b_fact) in enumerate(zip(out, out[1:])):
        gap = sentence[a_fact.end - base : b_fact.start - base]
        if a_fact.unit == b_fact.unit and bool(a_fact.measure) != bool(b_fact.measure) and _VERSUS.match(gap):
            shared = a_fact.measure or b_fact.measure
            out[k], out[k + 1] = replace(a_fact, measure=shared), replace(b_fact, measure=shared)
    return out


def _time_for(
    sentence: str, f: Figure, times: tuple[_Time, ...], owner: dict[int, int], clauses: list[tuple[int, int]], market: bool = True
) -> _Time | None:
    # A moment of trading ("closing") dates only a market figure; another time of the same
    # figure ("a premium of 37% to the closing price on Wednesday") is its time.
    # "evacuated to Salamiyah, a town 30km from Hama, on Thursday": a figure inside an
    # appositive describes the name; the main clause's time is not its time.
    aside = _aside_of(sentence, f)
    if aside and not any(t.end == aside[0] for t in times):  # "Early Thursday, a group of 20": no aside
        times = tuple(t for t in times if aside[0] <= t.start < aside[1])
    own = [t for t in times if owner.get(id(t)) == id(f) and (market or t.key not in INTRADAY)]
    if own:
        return min(own, key=lambda t: min(abs(t.start - f.end), abs(f.start - t.end)))
    clause = _clause_of(clauses, f.start)
    local = [t for t in times if clause[0] <= t.start < clause[1]]
    if len(local) == 1:
        return local[0]
    return None


_SEGMENT_MARK = re.compile(r"[,;\u2014\u2013()]")


def _comma_segment(sentence: str, f: Figure) -> tuple[int, int]:
    """The stretch between the commas (or dashes, or the sentence's ends) around a figure."""
    before = [m.end() for m in _SEGMENT_MARK.finditer(sentence, 0, f.start)]
    after = _SEGMENT_MARK.search(sentence, f.end)
    return (before[-1] if before else 0, after.start() if after else len(sentence))


_ASIDE_OPEN = re.compile(r"(?<=\w),\s+(?:an?|the)\s+[^,;()]*$")


def _aside_of(sentence: str, f: Figure) -> tuple[int, int] | None:
    """The span of an appositive (", a town 30km from Hama,") the figure sits in, if any."""
    opened = _ASIDE_OPEN.search(sentence[: f.start])
    closed = re.match(r"[^,;()]*,", sentence[f.end :])
    if not opened or not closed:
        return None
    return opened.start(), f.end + closed.end()


# What may stand between a subject and its figure: the subject's own measure words, verbs and
# function words ("Nvidia shares fell 17%", "Velora Systems said on Tuesday it will cut 1,800").
_OWN_WORDS = frozenset(
    "shares share stock stocks market value valuation net worth sales revenue revenues profit profits earnings income "
    "workforce users subscribers price prices index also now has have had is are was were will would could be been being "
    "it its they their the a an about around nearly some more than over at to by of in on from up down".split()
)
# A title's own airing: "the Tarrow Show premiere drew 5 million viewers" is the show's figure
# (unlike "the Tern cheerleaders won", where the name qualifies another party).
_OWN_EVENTS = frozenset("premiere premieres finale finales episode episodes debut broadcast telecast".split())
# An appositive that only re-describes the name, in lower-case words: "Ada Roe, an investor, has".
_APPOSITIVE = re.compile(r"^,\s+(?:an?|the)\s+[a-z][a-z'\u2019-]*(?:\s+[a-z][a-z'\u2019-]*){0,4},\s")
_SAYING = re.compile(
    r"\b(?:said|says|say|told|tells|according|reported|reports|announced|estimated|expects?|expecting|believes?|thinks?|warned)\b"
)
_SAID_IT = re.compile(
    r"\b(?:said|says|announced|reported)\s+(?:on\s+\w+\s+|that\s+|in\s+a\s+statement\s+)*(?:it|they|the\s+company|the\s+firm)\b"
)


def firm_subject(sentence: str, fact: MeasuredFact) -> bool:
    """Whether ``sentence`` (the one ``fact`` was read from, spans relative to it) ties the
    figure to its subject beyond doubt: a "respectively" list, an amount "from" the party, or
    the subject close before the figure as the clause's actor — not the speaker ("Mayor X said
    … 60 mph"), not a modifier of another noun ("Jets cheerleaders won $325,000"), not behind a
    comma (save a lower-case appositive: "Ada Roe, an investor, has"), quote or another name; a
    title's own premiere or episode is the title's. What a chart labels or a note compares must
    be this firm."""
    if not fact.subject:
        return False
    if fact.qualifier in ("respectively", "from"):
        return True
    start = fact.start - (fact.sentence_start if fact.sentence_start <= fact.start else 0)
    name = next((e for e in reversed(entities(sentence[:start])) if e.name == fact.subject), None)
    if name is None:
        return False
    if _NOT_SUBJECT_BEFORE.search(sentence[: name.start]) or (
        _PLACE_BEFORE.search(sentence[: name.start]) and not _HOLDING_BEFORE.search(sentence[: name.start])
    ):
        return False
    between = _APPOSITIVE.sub(" ", re.sub(r"^['\u2019]s?\b", "", sentence[name.end : start]), count=1)
    if re.search(r"[,;:()\"\u201c\u201d\[\]\u2014\u2013]|\s-\s", between):
        return False
    words = between.split()
    if len(words) > 10 or any(w[0].isupper() and w not in _NOT_HELD for w in words):
        return False
    if _SAYING.search(between) and not _SAID_IT.search(between):
        return False
    if any(_figure_like(w) for w in words):
        # Another figure between them is the name's only if it is the same measure of the same
        # subject ("Nvidia shares fell 13% at the open and closed down 17%").
        inside = [f for f in sentence_facts(sentence) if name.end <= f.start and f.end <= start]
        if not inside or any(f.subject != fact.subject or f.measure != fact.measure for f in inside):
            return False
    first = next((w.lower().strip(".'\u2019") for w in words), "")
    if first and first not in _OWN_WORDS and first not in _OWN_EVENTS and _is_noun(first):
        from lemminflect import getAllLemmas

        found = getAllLemmas(first)
        following = words[1].lower() if len(words) > 1 else ""
        # "the Tern cheerleaders won", "the Dunmore stores saw": the name modifies another noun.
        if "VERB" not in found and "AUX" not in found:
            return False
        if following and "VERB" in getAllLemmas(following.strip(".,")):
            return False
    return True


# Measures of a state that changes (a fortune, a market value, a headcount): stated in the past
# with no time, the level held at some earlier moment the sentence does not give.
STATE_MEASURES = frozenset({"net worth", "market value", "valuation", "headcount", "users", "price", "rate"})
_PAST = re.compile(r"\b(?:was|were|had|listed|stood|used\s+to|once)\b", re.I)


def past_level(sentence: str, fact: MeasuredFact) -> bool:
    """ "Forbes listed his net worth at $1.7 billion", "its valuation was $29 billion": a level
    of a changing state, in the past tense, at no stated time — not comparable with today's."""
    if fact.measure not in STATE_MEASURES or fact.polarity or fact.time:
        return False
    start = fact.start - (fact.sentence_start if fact.sentence_start <= fact.start else 0)
    clause = _clause_of(_clauses(sentence), start)
    return _PAST.search(sentence[clause[0] : start]) is not None


def _figure_like(word: str) -> bool:
    return bool(re.match(r"[$\u20ac\u00a3]?\d", word)) or word.lower() in _NUMBER_WORDS - _SCALE_WORDS


_SCALE_WORDS = frozenset({"hundred", "thousand", "million", "billion"})


def passage_facts(text: str) -> list[MeasuredFact]:
    """The facts of a quoted passage: of its one sentence, or of each of its sentences (a
    sentence quoted with the one it follows), so no figure's subject is read across the stop."""
    from newsdesk.text.sentences import sentence_spans

    # Splitting costs a segmenter run for every new text: only a stop or a line break inside
    # can make two sentences.
    if not (_STOP_INSIDE.search(text.rstrip()) or "\n" in text.strip()) or len(sentence_spans(text)) <= 1:
        return sentence_facts(text)
    return list(text_facts(text))


_STOP_INSIDE = re.compile(r"[.!?\u2026](?=.)", re.S)


def text_facts(text: str) -> Iterator[MeasuredFact]:
    """The facts of every sentence of a text (an item's), with spans into the text."""
    from newsdesk.text.sentences import sentence_spans

    for span in sentence_spans(text):
        yield from sentence_facts(text[span.start : span.end], offset=span.start)


__all__ = [
    "STATE_MEASURES",
    "Entity",
    "MeasuredFact",
    "entities",
    "firm_subject",
    "norm_subject",
    "passage_facts",
    "past_level",
    "sentence_facts",
    "text_facts",
    "time_key",
]
