"""Figures in text, normalised so that "1,200", "1.2k", "1.2 thousand" and "twelve hundred"
compare equal, "5%" and "five percent" too, and "$45m" with "45 million dollars".

A figure keeps its hedge ("about", "more than", "nearly"): a rounded figure matches its source
only when the hedge is honest, in direction and distance ("nearly 80,000" and "more than 79,000"
for 79,350; never "more than 80,000"). ``figures(text, fractions=True)`` also reads fractions
("a third of", "half of", "one in five", "two-thirds") as percentages."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
# Words and abbreviations that scale a figure (also read by the fact layer).
SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "dozen": 12,
}
_WORD_NUMBER = (
    r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:" + "|".join(k for k in _UNITS if k != "zero") + r"))?|" + "|".join(_UNITS) + r")"
)
_PATTERN = re.compile(
    r"(?P<cur>[$€£]|\b(?:USD|EUR|GBP)\s?)?"
    r"(?P<num>\d+(?:[,\u202f\u00a0]\d{3})*(?:\.\d+)?|\.\d+|\b" + _WORD_NUMBER + r"\b)"
    r"(?:\s?(?P<scale>hundred|thousand|million|billion|trillion|dozen|bn|mn|tn|[kmb])\b)?"
    r"(?:\s?(?P<pct>%|percent\b|per cent\b|percentage points?\b))?"
    r"(?:\s?(?P<cur2>dollars|euros|pounds|USD|EUR|GBP)\b)?",
    re.I,
)


_APPROXIMATE = re.compile(
    r"\b(about|around|roughly|nearly|almost|approximately|some|more than|less than|over|under|up to|close to|just over|just under"
    r"|fewer than|at least|at most|above|below|upwards of|in excess of|as many as|as much as|an estimated|estimated"
    r"|not quite|just shy of|no more than|no fewer than|no less than|circa|approx\.?)\s+(?:[$€£])?$",
    re.I,
)
# What a hedge says of the true value against the stated one: at or above it ("more than"), at or
# below it ("nearly", "up to"), or near it either way ("about").
_HEDGE_DIRECTION = {
    "more than": "above",
    "over": "above",
    "above": "above",
    "just over": "above",
    "upwards of": "above",
    "in excess of": "above",
    "at least": "above",
    "no fewer than": "above",
    "no less than": "above",
    "less than": "below",
    "fewer than": "below",
    "under": "below",
    "below": "below",
    "just under": "below",
    "up to": "below",
    "at most": "below",
    "no more than": "below",
    "as many as": "below",
    "as much as": "below",
    "nearly": "below",
    "almost": "below",
    "not quite": "below",
    "just shy of": "below",
}


_MONTHS = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
# Months in either case ("17 june" in lower-cased copy); before a day, "may" only as "May" (the verb).
_MONTH_BEFORE = re.compile(r"\b(?:(?i:" + _MONTHS.replace("|May|", "|") + r")|May)\s+$")
_MONTH_AFTER = re.compile(r"(?:st|nd|rd|th)?\s+(?:of\s+)?(?i:" + _MONTHS + r")\b")


@dataclass(frozen=True)
class Figure:
    value: float
    kind: str  # "percent", "money", "day" (of a month) or "plain"
    text: str
    start: int
    end: int
    significant: int  # significant digits as stated: "1.2 million" has 2
    approximate: bool = False  # "about 1,800", "nearly 50%", or a scale word ("1.2 million")
    hedge: str = ""  # "above" ("more than 1,800"), "below" ("nearly 50%"), "about", or "" (none)
    fraction: bool = False  # a fraction in words read as a percentage ("a third of" → 33.3)


def _word_value(words: str) -> float:
    parts = re.split(r"[- ]", words.lower())
    return float(sum(_TENS.get(p, 0) + _UNITS.get(p, 0) for p in parts))


def _part_of_a_name(text: str, m: re.Match[str]) -> bool:
    """ "news4you.com", "GPT-4", "H100": digits after letters are part of a name, not figures."""
    start = m.start("num")
    before = text[max(0, start - 2) : start]
    # Digits with letters after them are a figure with its unit: "4am", "41.2C", "100th", "5G".
    return before[-1:].isalpha() or (before[-1:] == "-" and before[:1].isalpha())


def figures(text: str, fractions: bool = False) -> list[Figure]:
    """Every figure in ``text`` (cached: verification asks for the same evidence sentences often);
    with ``fractions``, fractions in words too, in text order."""
    if not fractions:
        return list(_figures(text))
    shares = _fractions(text)
    # "one in five" is 20%, not the figures 1 and 5.
    rest = [f for f in _figures(text) if not any(f.start < x.end and x.start < f.end for x in shares)]
    return sorted(rest + list(shares), key=lambda f: f.start)


def _hedge(text: str, start: int) -> str:
    m = _APPROXIMATE.search(text[max(0, start - 24) : start])
    if not m:
        return ""
    return _HEDGE_DIRECTION.get(re.sub(r"\s+", " ", m.group(1).lower()), "about")


def hedge_start(text: str, f: Figure) -> int:
    """Where ``f`` begins with its hedge ("more than 80,000" from "more"), in ``text``."""
    m = _APPROXIMATE.search(text[max(0, f.start - 24) : f.start])
    return f.start - (len(m.group()) if m else 0) if f.hedge else f.start


_FRACTION_VALUES = {"half": 50.0, "third": 100 / 3, "quarter": 25.0, "fifth": 20.0, "tenth": 10.0}
_FRACTION_COUNT = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4}
# "a third of", "two-thirds of", "half of the", "one in five", "by half": a share, not an ordinal
# ("a third individual", "the second half").
_FRACTION = re.compile(
    r"(?<![\w-])(?:(?P<count>a|an|one|two|three|four)[- ](?P<part>thirds?|quarters?|fifths?|tenths?)(?=\s+(?:of|the|their|its|his|her|our)\b)"
    r"|(?<!first )(?<!second )(?<!\ban )(?<!\ba )(?P<half>half)(?=\s+(?:of|the|their|its|his|her|our|all)\b)"
    r"|(?:by|in) (?P<byhalf>half)\b(?!-)"
    r"|(?P<one>one|1) in (?P<every>two|three|four|five|six|seven|eight|nine|ten|2|3|4|5|6|7|8|9|10)\b)",
    re.I,
)


@lru_cache(maxsize=32768)
def _fractions(text: str) -> tuple[Figure, ...]:
    out = []
    for m in _FRACTION.finditer(text):
        if m.group("part"):
            part = m.group("part").lower().rstrip("s")
            value = _FRACTION_COUNT[m.group("count").lower()] * _FRACTION_VALUES[part]
        elif m.group("half") or m.group("byhalf"):
            value = 50.0
        else:
            every = m.group("every").lower()
            value = 100 / (float(every) if every.isdigit() else _UNITS[every])
        start = m.start("byhalf") if m.group("byhalf") else m.start()
        out.append(Figure(value, "percent", m.group().strip(), start, m.end(), 2, True, _hedge(text, start), True))
    return tuple(out)


@lru_cache(maxsize=32768)
def _figures(text: str) -> tuple[Figure, ...]:
    out = []
    for m in _PATTERN.finditer(text):
        if _part_of_a_name(text, m):
            continue
        raw = m.group("num")
        if raw[0].isdigit() or raw[0] == ".":
            digits = raw.replace(",", "").replace("\u202f", "").replace("\u00a0", "")
            value = float(digits)
            stripped = (
                digits.replace(".", "").lstrip("0").rstrip("0") if "." not in digits else digits.replace(".", "").lstrip("0")
            )
            significant = max(1, len(stripped))
        else:
            value = _word_value(raw)
            significant = len(str(int(value)).rstrip("0")) or 1
        scale = (m.group("scale") or "").lower()
        if scale:
            # "m"/"b" only count as scales right after a number ("5m"), never as words.
            value *= SCALES[scale]
        kind = "percent" if m.group("pct") else "money" if (m.group("cur") or m.group("cur2")) else "plain"
        if (
            kind == "plain"
            and value.is_integer()
            and 1 <= value <= 31
            and (_MONTH_BEFORE.search(text[max(0, m.start() - 12) : m.start()]) or _MONTH_AFTER.match(text, m.end()))
        ):
            kind = "day"  # "April 14", "14 April": a date, not 14 of anything
        hedge = _hedge(text, m.start())
        approximate = bool(scale) or bool(hedge)
        out.append(Figure(value, kind, m.group().strip(), m.start(), m.end(), significant, approximate, hedge))
    # "a dozen" style words without digits are rare in news; plain years are kept as plain numbers.
    return tuple(out)


def _rounds_to(source: float, claim: float, significant: int) -> bool:
    if source == claim:
        return True
    if source == 0 or claim == 0:
        return False
    digits = significant - math.floor(math.log10(abs(source))) - 1
    return round(source, digits) == round(claim, digits) or abs(source - claim) <= 1e-9 * max(abs(source), 1)


APPROXIMATION = 0.05  # how far "about N" (or "1.2 million") may stand from the source's figure


FRACTION_POINTS = 1.5  # how far "a third" may stand from a percentage (31.8%–34.8%), doubled with "about"


def matches(claim: Figure, source: Figure, tolerance: float = 0.0, approximation: float = APPROXIMATION) -> bool:
    """Same kind (money may match a plain amount) and the same value; an approximate claim
    ("about 1,800", "1.2 million") may round the source to the precision it states, but never by
    more than ``approximation`` of the source figure ("about 2,000" is not 1,800), and a
    relative ``tolerance`` (``verify.number_tolerance``, default 0) may be allowed.

    A hedged claim must be honest in direction too: "more than N" only for a source above N,
    "nearly N", "up to N", "less than N" only for one below it, each within twice
    ``approximation`` ("nearly 80,000" and "more than 79,000" for 79,350; never "more than
    80,000"); and a hedged source binds the claim ("more than 80,000" is not "nearly 80,000").
    With ``approximation`` 0 only equal values (or ``tolerance``) match."""
    if claim.kind != source.kind and {claim.kind, source.kind} != {"money", "plain"}:
        return False
    if claim.value == source.value:
        # The same figure under opposite hedges ("more than 80,000" / "nearly 80,000") disagrees.
        return not (approximation and {claim.hedge, source.hedge} == {"above", "below"})
    if tolerance and abs(claim.value - source.value) <= tolerance * max(abs(source.value), 1e-9):
        return True
    if not approximation or not (claim.approximate or claim.fraction or source.fraction):
        return False  # rounding is allowed only where the claim says it is approximate
    c, s = claim.value, source.value
    if claim.fraction or source.fraction:
        # Shares in words are coarse: compared in percentage points, not by digits.
        points = FRACTION_POINTS * (2 if claim.hedge == "about" else 1)
        if not claim.fraction:
            points = FRACTION_POINTS * 2 / 3  # a digit figure claims more precision than "a third"
        within = abs(c - s) <= points
        under, over = points * 3, points * 7 / 3
    else:
        within = _rounds_to(s, c, claim.significant) and abs(c - s) <= approximation * abs(s)
        # A bound below the truth only understates ("more than 75,000" for 79,350): twice as far
        # as one above it, which overstates ("nearly 83,000").
        under, over = 2 * approximation * abs(s), approximation * abs(s)
    if claim.hedge == "above":
        # The truth is at or above the claim: the source's figure (or its lower bound) must be.
        return source.hedge != "below" and s > c and (s - c) <= under
    if claim.hedge == "below":
        return source.hedge != "above" and s < c and (c - s) <= over
    if source.hedge in ("above", "below") and claim.hedge:
        return False  # "about 80,000" for "more than 79,000": the claim moved the bound
    return within


def is_year(f: Figure) -> bool:
    return f.kind == "plain" and f.value.is_integer() and 1800 <= f.value <= 2200 and "," not in f.text


def derivation(claim: Figure, sources: list[Figure]) -> str | None:
    """Arithmetic that yields the claim's figure from two source figures, if any."""
    # A year is a date, never an addend.
    values = [s for s in sources if (s.kind == claim.kind or {s.kind, claim.kind} == {"money", "plain"}) and not is_year(s)]
    if is_year(claim):
        return None
    for a in values:
        for b in values:
            if a is b:
                continue
            for op, result in (("+", a.value + b.value), ("−", a.value - b.value)):
                if result > 0 and _rounds_to(result, claim.value, claim.significant):
                    return f"{a.text} {op} {b.text} = {claim.text}"
            if b.value and claim.kind == "percent":
                change = 100 * (a.value - b.value) / b.value
                if _rounds_to(abs(change), claim.value, claim.significant):
                    return f"({a.text} − {b.text}) / {b.text} = {change:.1f}%"
    return None
