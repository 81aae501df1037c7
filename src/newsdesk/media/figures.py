"""Comparable series from the typed facts (``newsdesk.facts``) of an article's verified claims:
one measure and unit (jobs cut, funding in dollars, an index's fall in percent) for several
entities or periods, each row labelled by its fact's subject. Every point keeps the citation of
the claim it came from and is re-read from it before drawing, so a chart says nothing the
verified article does not — "the S&P 500 and Nasdaq 100 declining by 2.3% and 3.6%,
respectively" is never "Nasdaq 2.3%"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from newsdesk.facts import MeasuredFact, firm_subject, passage_facts, past_level
from newsdesk.facts.compare import UNCOMPARED, aspect, same_subject
from newsdesk.records import ArticleSentence

_WHOLE = re.compile(r"\b(total|in all|altogether|combined|overall)\b", re.I)
_PERIOD_KINDS = ("year:", "quarter:")


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    text: str  # the figure as the claim states it
    refs: tuple[int, ...]  # the claim's citations
    claim: str
    noun: str = ""  # what the claim counts, as written right after the figure ("viewers"), if a plain word


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

    @property
    def noun(self) -> str | None:
        """The word every point's claim counts in ("viewers" for the measure "users"), else None."""
        nouns = {p.noun for p in self.points}
        return nouns.pop() if len(nouns) == 1 and "" not in nouns else None


def _period_key(label: str) -> tuple[Any, ...]:
    year = re.search(r"(?:19|20)\d\d", label)
    quarter = re.search(r"Q([1-4])|(first|second|third|fourth) quarter", label)
    q = 0
    if quarter:
        q = int(quarter.group(1)) if quarter.group(1) else ["first", "second", "third", "fourth"].index(quarter.group(2)) + 1
    return (int(year.group()) if year else 0, q)


def _kind(fact: MeasuredFact) -> str:
    return {"percent": "percent", "count": "plain"}.get(fact.unit, "money")


def _period(fact: MeasuredFact) -> str | None:
    """ "2024", "first quarter 2024": a fact's period, when it is one a timeline can order."""
    if not fact.time or not fact.time.startswith(_PERIOD_KINDS):
        return None
    kind, _, value = fact.time.partition(":")
    return (
        value
        if kind == "year" and not value.startswith("since")
        else f"{value.split()[0]} quarter{(' ' + value.split()[1]) if ' ' in value else ''}"
        if kind == "quarter"
        else None
    )


def _chartable(fact: MeasuredFact, sentence: str) -> bool:
    return (
        bool(fact.measure)
        and fact.measure not in UNCOMPARED
        and fact.modality in ("asserted", "future")
        and fact.high is None
        and fact.qualifier != "earlier value"
        and not past_level(sentence, fact)
    )


def _labelled_by(fact: MeasuredFact, sentence: str, over_time: bool) -> str | None:
    """The row label a fact earns: its period on a timeline, else its subject — only where the
    sentence ties the figure firmly to it (not a speaker, a modifier or a place nearby)."""
    if over_time:
        return _period(fact)
    return fact.subject if firm_subject(sentence, fact) else None


def comparable_series(claims: list[ArticleSentence], min_points: int = 3) -> list[Series]:
    """Series of at least ``min_points`` distinct labels from the typed facts of verified
    claims: one measure and unit (and direction) per series, each point labelled by its fact's
    subject — or, for facts of no named subject, by their period, drawn in time order. Facts
    at different times (the open, the close) never share a series of entities."""
    groups: dict[tuple[str, str, str, str, bool], Series] = {}
    for claim in claims:
        refs = tuple(sorted({c.ref for c in claim.citations}))
        for fact in passage_facts(claim.text):
            if not _chartable(fact, claim.text) or fact.measure is None:
                continue
            period = _period(fact)
            # A lone word opening the claim ("Ridership reached …") is a weak label: a period beats it.
            weak = fact.subject is None or (" " not in fact.subject and claim.text.startswith(fact.subject))
            over_time = weak and period is not None
            label = _labelled_by(fact, claim.text, over_time)
            when = "" if over_time or not fact.time or fact.time.startswith("day:") else fact.time
            key = (fact.measure, fact.unit, aspect(fact), when, over_time)
            series = groups.setdefault(key, Series(fact.measure, _kind(fact), over_time=over_time))
            window = claim.text[max(0, fact.start - 30) : fact.start]
            point = Point(label or "", fact.value, fact.text, refs, claim.text, _counted(claim.text[fact.end :]))
            if _WHOLE.search(window):
                series.total = point
            # Outlets repeating one figure ("Magnolia" and "Magnolia Homes" paying $40,000) are
            # one fact told twice, not two rows.
            elif (
                label
                and all(p.label != label for p in series.points)
                and not any(p.value == point.value and p.claim != point.claim for p in series.points)
            ):
                series.points.append(point)
    found = [s for s in groups.values() if len(s.points) >= min_points]
    for series in found:
        if series.over_time:
            series.points.sort(key=lambda p: _period_key(p.label))
    return [s for s in found if not check_points(s)]


def check_points(series: Series) -> list[str]:
    """Every point is a fact its claim states: the claim, read again, gives that figure as
    the series' measure for that label (subject or period). Reasons for the points that do not
    check; a series with any is not drawn."""
    problems = []
    for k, p in enumerate(series.points):
        for q in series.points[:k]:
            if not series.over_time and _one_entity(p.label, q.label):
                problems.append(f"{q.label} and {p.label} name one entity: it would be charted twice")
        facts = [
            f
            for f in passage_facts(p.claim)
            if f.text == p.text and f.value == p.value and f.measure == series.measure and _chartable(f, p.claim)
        ]
        labels = {_labelled_by(f, p.claim, series.over_time) for f in facts}
        if p.label not in labels:
            said = ", ".join(
                f"{f.text} for {f.subject or 'no one named'} ({f.measure})" for f in passage_facts(p.claim) if f.text == p.text
            )
            problems.append(f"{p.label} {p.text}: the claim gives {said or 'no such figure'}")
    return problems


_COUNTED = re.compile(r"\s*(?:(?:total|new|nightly|daily|monthly|active|more|additional)\s+)?([a-z]{3,})\b")


def _counted(after: str) -> str:
    """ "4.9 million total viewers across" → "viewers": the plural noun right after a count."""
    m = _COUNTED.match(after)
    return m.group(1) if m and m.group(1).endswith("s") and m.group(1) not in ("percent", "points", "times") else ""


def _one_entity(a: str, b: str) -> bool:
    """ "Ada Roe" and "Roe", "Magnolia" and "Magnolia Homes": one entity named two ways (a
    surname alone, or leading words)."""
    x, y = a.lower().split(), b.lower().split()
    return same_subject(a, b) or (bool(x) and bool(y) and x[-1] == y[-1] and min(len(x), len(y)) == 1)


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
