"""Comparable series from an article's verified claims: the same measure (jobs, containers,
dollars, percent) for several entities or periods. Every point keeps the citation of the
claim it came from, so a chart says nothing the verified article does not."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from newsdesk.records import ArticleSentence
from newsdesk.text.numbers import Figure, figures

_NAME = re.compile(r"[A-Z][\w'-]*(?:\s+(?:of\s+)?[A-Z][\w'-]*)*")
_MEASURE_AFTER = re.compile(r"^\s*(?:more\s+|new\s+|of\s+)?([a-z][a-z-]{2,})(?:\s+([a-z][a-z-]{2,}))?")
# A period just after a figure ("$2.4 billion in 2024", "1,200 in the first quarter") or just
# before it ("in 2023, 900 jobs").
_PERIOD = re.compile(
    r"\b(?:in |during |for )?(?:the )?((?:first|second|third|fourth) quarter(?: of (?:19|20)\d\d)?|Q[1-4](?: (?:19|20)\d\d)?|(?:19|20)\d\d)\b"
)
_WHOLE = re.compile(r"\b(total|in all|altogether|combined|overall)\b", re.I)
_SKIP_MEASURES = {
    "percent",
    "per",
    "cent",
    "million",
    "billion",
    "thousand",
    "a",
    "an",
    "the",
    "and",
    "or",
    "from",
    "to",
    "in",
    "on",
    "at",
    "by",
    "of",
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
    "am",
    "pm",
    "according",
    "said",
    "says",
    "were",
    "was",
    "is",
    "are",
    "will",
    "would",
    "have",
    "has",
    "had",
    "each",
    "apiece",
    "respectively",
    "more",
    "less",
    "fewer",
    "than",
    "for",
    "with",
    "after",
    "before",
    "over",
    "under",
    "between",
}
_SKIP_LABELS = {"The", "A", "An", "It", "Its", "This", "That", "They", "He", "She", "We", "In", "On", "At", "About", "Of"}


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    text: str  # the figure as the claim states it
    refs: tuple[int, ...]  # the claim's citations
    claim: str


@dataclass
class Series:
    measure: str
    kind: str  # "plain", "money" or "percent"
    points: list[Point] = field(default_factory=list)
    total: Point | None = None  # a stated whole the points are parts of
    over_time: bool = False  # the labels are periods: drawn as a line, in time order

    @property
    def unit(self) -> str:
        return {"money": "US dollars", "percent": "percent"}.get(self.kind, self.measure)


def _label(claim: str, fig: Figure) -> str | None:
    """The nearest name before the figure, in the same clause."""
    before = claim[: fig.start]
    for m in reversed(list(_NAME.finditer(before))):
        if fig.start - m.end() > 40 or re.search(r"[.;]", before[m.end() :]):
            return None
        words = [w for w in m.group().removesuffix("'s").split() if w not in _SKIP_LABELS]
        if words:
            return " ".join(words)
    return None


_PERIOD_AFTER = re.compile(
    r"^(?:\s+[a-z-]+){0,2}?\s+(?:in|during|for) (?:the )?((?:first|second|third|fourth) quarter(?: of (?:19|20)\d\d)?|Q[1-4](?: (?:19|20)\d\d)?|(?:19|20)\d\d)\b"
)


def _period(claim: str, fig: Figure) -> str | None:
    """The period a figure belongs to: "41,000 passengers in 2024", "in 2023, 900 jobs"."""
    after = _PERIOD_AFTER.match(claim[fig.end :])
    if after:
        return after.group(1)
    before = list(_PERIOD.finditer(claim[max(0, fig.start - 25) : fig.start]))
    return before[-1].group(1) if before else None


def _period_key(label: str) -> tuple[Any, ...]:
    year = re.search(r"(?:19|20)\d\d", label)
    quarter = re.search(r"Q([1-4])|(first|second|third|fourth) quarter", label)
    q = 0
    if quarter:
        q = int(quarter.group(1)) if quarter.group(1) else ["first", "second", "third", "fourth"].index(quarter.group(2)) + 1
    return (int(year.group()) if year else 0, q)


def _measure(claim: str, fig: Figure) -> str | None:
    if fig.kind == "percent":
        return "percent"
    m = _MEASURE_AFTER.match(claim[fig.end :])
    if m and m.group(1) not in _SKIP_MEASURES:
        # "4,100 factory jobs": the second word is the head noun.
        if m.group(2) and m.group(2) not in _SKIP_MEASURES:
            return m.group(2)
        return m.group(1)
    return "dollars" if fig.kind == "money" else None


def comparable_series(claims: list[ArticleSentence], min_points: int = 3) -> list[Series]:
    """Series of at least ``min_points`` distinct labels sharing a measure, from verified claims."""
    groups: dict[tuple[str, str, bool], Series] = {}
    for claim in claims:
        refs = tuple(sorted({c.ref for c in claim.citations}))
        previous_measure = None
        for fig in figures(claim.text):
            if fig.kind == "plain" and re.fullmatch(r"(?:19|20)\d\d", fig.text):
                continue  # a year ("2024", never "2,024") is a date, not a quantity
            measure = _measure(claim.text, fig) or previous_measure
            previous_measure = measure or previous_measure
            if not measure:
                continue
            window = claim.text[max(0, fig.start - 30) : fig.start]
            period = _period(claim.text, fig)
            label = _label(claim.text, fig)
            # A lone sentence-opening word ("Ridership reached …") is a weak label; a period beats it.
            weak_label = label is None or (" " not in label and claim.text.startswith(label))
            over_time = bool(period) and weak_label
            series = groups.setdefault((fig.kind, measure, over_time), Series(measure, fig.kind, over_time=over_time))
            point = Point((period if over_time else label) or "", fig.value, fig.text, refs, claim.text)
            if _WHOLE.search(window):
                series.total = point
            elif point.label and all(p.label != point.label for p in series.points):
                series.points.append(point)
    found = [s for s in groups.values() if len(s.points) >= min_points]
    for series in found:
        if series.over_time:
            series.points.sort(key=lambda p: _period_key(p.label))
    return found


def check_whole(series: Series, tolerance: float = 0.01) -> tuple[list[Point], str | None]:
    """Parts of a stated whole must add up: parts above the total → no chart (the reason is
    returned); parts below it → an explicit "others" bar for the remainder."""
    if series.total is None:
        return series.points, None
    parts = sum(p.value for p in series.points)
    total = series.total.value
    if parts > total * (1 + tolerance):
        return [], f"parts add up to {parts:,.0f}, more than the stated total {series.total.text}"
    remainder = total - parts
    points = list(series.points)
    if remainder > total * tolerance:
        points.append(Point("Others", remainder, f"{remainder:,.0f}", series.total.refs, series.total.claim))
    return points, None
