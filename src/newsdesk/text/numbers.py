"""Figures in text, normalised so that "1,200", "1.2k", "1.2 thousand" and "twelve hundred"
compare equal, "5%" and "five percent" too, and "$45m" with "45 million dollars"."""

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
_SCALES = {
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
    r"\b(about|around|roughly|nearly|almost|approximately|some|more than|less than|over|under|up to|close to|just over|just under)\s+(?:[$€£])?$",
    re.I,
)


_MONTHS = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_MONTH_BEFORE = re.compile(r"\b" + _MONTHS + r"\s+$")
_MONTH_AFTER = re.compile(r"(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTHS + r"\b")


@dataclass(frozen=True)
class Figure:
    value: float
    kind: str  # "percent", "money", "day" (of a month) or "plain"
    text: str
    start: int
    end: int
    significant: int  # significant digits as stated: "1.2 million" has 2
    approximate: bool = False  # "about 1,800", "nearly 50%", or a scale word ("1.2 million")


def _word_value(words: str) -> float:
    parts = re.split(r"[- ]", words.lower())
    return float(sum(_TENS.get(p, 0) + _UNITS.get(p, 0) for p in parts))


def _part_of_a_name(text: str, m: re.Match[str]) -> bool:
    """ "news4you.com", "GPT-4", "H100": digits after letters are part of a name, not figures."""
    start = m.start("num")
    before = text[max(0, start - 2) : start]
    # Digits with letters after them are a figure with its unit: "4am", "41.2C", "100th", "5G".
    return before[-1:].isalpha() or (before[-1:] == "-" and before[:1].isalpha())


def figures(text: str) -> list[Figure]:
    """Every figure in ``text`` (cached: verification asks for the same evidence sentences often)."""
    return list(_figures(text))


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
            value *= _SCALES[scale]
        kind = "percent" if m.group("pct") else "money" if (m.group("cur") or m.group("cur2")) else "plain"
        if (
            kind == "plain"
            and value.is_integer()
            and 1 <= value <= 31
            and (_MONTH_BEFORE.search(text[max(0, m.start() - 12) : m.start()]) or _MONTH_AFTER.match(text, m.end()))
        ):
            kind = "day"  # "April 14", "14 April": a date, not 14 of anything
        approximate = bool(scale) or bool(_APPROXIMATE.search(text[max(0, m.start() - 24) : m.start()]))
        out.append(Figure(value, kind, m.group().strip(), m.start(), m.end(), significant, approximate))
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


def matches(claim: Figure, source: Figure, tolerance: float = 0.0, approximation: float = APPROXIMATION) -> bool:
    """Same kind (money may match a plain amount) and the same value; an approximate claim
    ("about 1,800", "1.2 million") may round the source to the precision it states, but never by
    more than ``approximation`` of the source figure ("about 2,000" is not 1,800), and a
    relative ``tolerance`` (``verify.number_tolerance``, default 0) may be allowed."""
    if claim.kind != source.kind and {claim.kind, source.kind} != {"money", "plain"}:
        return False
    if claim.value == source.value:
        return True
    if tolerance and abs(claim.value - source.value) <= tolerance * max(abs(source.value), 1e-9):
        return True
    # Rounding is allowed only where the claim says it is approximate.
    return (
        claim.approximate
        and _rounds_to(source.value, claim.value, claim.significant)
        and abs(claim.value - source.value) <= approximation * abs(source.value)
    )


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
