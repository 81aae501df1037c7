"""When two facts are about the same thing, and when they dispute it.

Two outlets disagree only where their facts have the same subject, the same measure and unit,
the same aspect (a level, or a move the same way), compatible times (the same qualifier, or
neither qualified), are both stated as fact (not "may", not "expects"), and their values differ
beyond rounding. A share fall at the open and at the close, a company's market value and its
one-day loss, a headcount and a layoff count, two models' parameters: none is a dispute.
"""

from __future__ import annotations

from newsdesk.facts import MeasuredFact, firm_subject, norm_subject, past_level, sentence_facts, time_key

# Measures that name a unit or a bare proportion, not what is measured: 14 mph (a storm's
# travel) and 131 mph (its winds) are both "speed"; "55% of voters" and "87% of supporters" are
# both "share"; ages belong to people at different moments. Never compared, never charted.
UNCOMPARED = frozenset({"age", "distance", "speed", "duration", "weight", "height", "share"})

ROUNDING = 0.05  # as text.numbers.APPROXIMATION: "about 1,800" may stand for 1,750

# What a measure is called in a sentence a reader sees, by its direction.
_PHRASES: dict[str, tuple[str, str, str]] = {  # measure → (level, rise, fall)
    "market value": ("market value", "gain in market value", "loss in market value"),
    "shares": ("share price", "share-price rise", "share-price fall"),
    "index": ("level", "rise", "fall"),
    "jobs cut": ("job cuts", "job cuts", "job cuts"),
    "layoffs": ("layoffs", "layoffs", "layoffs"),
    "headcount": ("headcount", "headcount growth", "headcount reduction"),
    "funding": ("funding", "funding", "funding"),
    "investment": ("investment", "investment", "investment"),
    "valuation": ("valuation", "valuation", "valuation"),
    "parameters": ("parameter count", "parameter count", "parameter count"),
    "users": ("user count", "user growth", "user losses"),
    "revenue": ("revenue", "revenue growth", "revenue fall"),
    "profit": ("profit", "profit growth", "profit fall"),
    "deaths": ("death toll", "death toll", "death toll"),
}


def aspect(f: MeasuredFact) -> str:
    """ "level" or the direction of a move ("up"/"down"); the earlier value of "from X to Y" is
    a level at another time, never comparable with the move."""
    if f.qualifier == "earlier value":
        return "earlier"
    if f.measure in ("jobs cut", "layoffs", "deaths", "funding", "investment"):
        return "level"  # the count itself: "cut 1,800 jobs" and "1,800 job cuts" say the same
    return f.polarity or "level"


def same_time(ta: str | None, tb: str | None) -> bool:
    """The same qualifier, or neither qualified; a weekday one side leaves out does not count."""
    if ta and ta.startswith("day:") and not (tb or "").startswith("day:"):
        ta = None
    if tb and tb.startswith("day:") and not (ta or "").startswith("day:"):
        tb = None
    return ta == tb


def same_subject(a: str | None, b: str | None) -> bool:
    """ "Velora" and "Velora Systems" name one company: equal, or one the other's leading words."""
    x, y = norm_subject(a), norm_subject(b)
    if not x or not y:
        return False
    short, long = sorted((x.split(), y.split()), key=len)
    return long[: len(short)] == short


def why_not_comparable(a: MeasuredFact, b: MeasuredFact) -> str | None:
    """None when the two facts measure the same thing; else the reason they do not."""
    if not same_subject(a.subject, b.subject):
        return f"different entities ({a.subject or 'unnamed'} and {b.subject or 'unnamed'})"
    if not a.measure or a.measure != b.measure:
        return f"different measures ({a.measure or 'unknown'} and {b.measure or 'unknown'})"
    if a.measure in UNCOMPARED:
        return f"{a.measure} names a unit, not what is measured"
    if a.unit != b.unit:
        return f"different units ({a.unit} and {b.unit})"
    if aspect(a) != aspect(b):
        return f"different aspects ({aspect(a)} and {aspect(b)})"
    if not same_time(a.time, b.time):
        return f"different times ({a.time_text or 'unqualified'} and {b.time_text or 'unqualified'})"
    if "hedged" in (a.modality, b.modality) or "negated" in (a.modality, b.modality):
        return "not both stated as fact"
    if a.high is not None or b.high is not None or "range" in (a.qualifier, b.qualifier):
        return "a range"
    return None


def disputes(a: MeasuredFact, b: MeasuredFact) -> bool:
    """The same thing, measured differently beyond rounding."""
    if why_not_comparable(a, b) is not None:
        return False
    return abs(a.value - b.value) > ROUNDING * max(abs(a.value), abs(b.value))


def _noun(f: MeasuredFact) -> str:
    level, rise, fall = _PHRASES.get(f.measure or "", (f.measure or "figure",) * 3)
    return {"up": rise, "down": fall}.get(aspect(f), level)


def measure_phrase(f: MeasuredFact, subject: str | None = None) -> str:
    """ "Nvidia's loss in market value", "Velora Systems' job cuts", "funding from SoftBank"."""
    who = subject if subject is not None else f.subject or ""
    if f.qualifier == "from":
        return f"{_noun(f)} from {who}"
    possessive = "'" if who.endswith("s") else "'s"
    return f"{who}{possessive} {_noun(f)}"


def _named_in(phrase: str, f: MeasuredFact) -> str | None:
    """The entity ``phrase`` names if it is ``f``'s kind of phrase ("X's job cuts" → X), else None."""
    noun = _noun(f)
    if f.qualifier == "from":
        return phrase[len(noun) + 6 :] if phrase.startswith(noun + " from ") else None
    if not phrase.endswith(" " + noun):
        return None
    owner = phrase[: -len(noun) - 1]
    return owner[:-2] if owner.endswith("'s") else owner[:-1] if owner.endswith("s'") else None


def attribution_problems(figure: str, phrase: str, time_text: str, span: str) -> list[str]:
    """Re-read the cited sentence: a fact stated as ``figure`` must be there, measuring what
    ``phrase`` says (of the same entity) at the time ``time_text`` says (empty: unqualified, or
    only a weekday). Reasons, or [] when it checks."""
    found = [f for f in sentence_facts(span) if f.text == figure]
    if not found:
        return [f"{figure} is not a figure of the cited sentence"]
    claimed_time = time_key(time_text) if time_text else None
    for f in found:
        if same_subject(_named_in(phrase, f), f.subject) and same_time(claimed_time, f.time):
            if f.measure in UNCOMPARED:
                return [f"the cited sentence gives {figure} in a unit ({f.measure}), not a measure to compare"]
            if not firm_subject(span, f):
                return [
                    f"the cited sentence does not tie {figure} firmly to {f.subject} (a speaker, a modifier or a distant name)"
                ]
            if past_level(span, f):
                return [f"the cited sentence gives {figure} as a past level at no stated time"]
            return []
    f = found[0]
    return [
        f"the cited sentence gives {figure} as {measure_phrase(f)} ({f.time_text or 'no time'}), "
        f"not {phrase} ({time_text or 'no time'})"
    ]


def note_time(f: MeasuredFact) -> str:
    """The time a note names: the fact's qualifier as written, except a bare weekday (which
    outlets give or leave out at will, so it tells nothing about the measure)."""
    return "" if not f.time or f.time.startswith("day:") else f.time_text or ""


__all__ = [
    "UNCOMPARED",
    "aspect",
    "attribution_problems",
    "disputes",
    "measure_phrase",
    "note_time",
    "same_subject",
    "same_time",
    "why_not_comparable",
]
