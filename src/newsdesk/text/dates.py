"""When an undated item happened, from its own text: the dates it names near its start.

Feeds without dates, web pages and backfills give items no publication time, and then every
such item looks as if it happened when it was fetched: two events months apart about one
company read as one story. A report names its date near the top (a dateline, "on March 3,
2025"); the latest full date there (not after the fetch) is taken as the item's time. Dates
without a year are left alone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from newsdesk.text.lexicon import MONTH_ABBREVIATIONS, MONTHS

_MONTH = r"(?P<month>" + "|".join(MONTHS) + "|" + "|".join(MONTH_ABBREVIATIONS) + r")\.?"
_PATTERNS = [
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d{2})\b", re.I),
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>(?:19|20)\d{2})\b", re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})\b"),
]
LOOK = 1000  # characters from the start: the dateline and the lead


def _month(value: str) -> int | None:
    low = value.lower().rstrip(".")
    if low.isdigit():
        return int(low)
    if low in MONTHS:
        return MONTHS.index(low) + 1
    full = MONTH_ABBREVIATIONS.get(low)
    return MONTHS.index(full) + 1 if full in MONTHS else None


def date_in_text(text: str, fetched: datetime) -> datetime | None:
    """The latest full date among the first LOOK characters, not after the fetch (plus a day's
    slack for time zones) nor before 1990; noon UTC of that day. None when there is none."""
    best: datetime | None = None
    head = text[:LOOK]
    for pattern in _PATTERNS:
        for m in pattern.finditer(head):
            month = _month(m.group("month"))
            if month is None:
                continue
            try:
                day = datetime(int(m.group("year")), month, int(m.group("day")), 12, tzinfo=UTC)
            except ValueError:
                continue
            if day.year < 1990 or day > fetched + timedelta(days=1):
                continue
            if best is None or day > best:
                best = day
    return best
