"""Typed records that cross stage boundaries. Stages exchange these, never raw rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Source:
    id: int
    url: str
    kind: str
    name: str
    weight: float = 1.0
    etag: str | None = None
    last_modified: str | None = None
    last_fetched_at: datetime | None = None
    last_status: str | None = None
    last_error: str | None = None
    last_new_items: int = 0


@dataclass
class FeedEntry:
    """One entry as a feed states it, before any page is fetched."""

    guid: str
    url: str
    title: str
    summary: str = ""
    content: str = ""
    author: str | None = None
    published_at: datetime | None = None
    engagement: dict[str, float] = field(default_factory=dict)


@dataclass
class ParsedFeed:
    title: str
    entries: list[FeedEntry]
    format: str


@dataclass
class ExtractedPage:
    """Main text of an article page, stored exactly as extracted (later stages cite spans of it)."""

    text: str
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    canonical_url: str | None = None


@dataclass
class NewItem:
    """An item ready to be stored by ingest."""

    source_id: int
    guid: str
    url: str
    canonical_url: str
    outlet: str
    title: str
    summary: str
    text: str
    text_origin: str  # "feed", "page" or "summary"
    author: str | None
    published_at: datetime | None
    fetched_at: datetime
    engagement: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    id: int
    source_id: int
    guid: str
    url: str
    canonical_url: str
    outlet: str
    title: str
    text: str
    published_at: datetime | None
    fetched_at: datetime
    duplicate_of: int | None = None
    story_id: int | None = None
    author: str | None = None
    engagement: dict[str, float] = field(default_factory=dict)

    @property
    def when(self) -> datetime:
        """The item's time on the news timeline: published if known, else first seen."""
        return self.published_at or self.fetched_at


@dataclass(frozen=True)
class ScoreBreakdown:
    independent_outlets: int
    outlets_score: float
    recency_hours: float
    recency_score: float
    source_weight: float
    source_score: float
    engagement: float
    engagement_score: float
    total: float

    def explain(self) -> str:
        return (
            f"{self.independent_outlets} independent outlet(s) → {self.outlets_score:.2f}; "
            f"latest item {self.recency_hours:.1f} h old → {self.recency_score:.2f}; "
            f"source weight {self.source_weight:.2f} → {self.source_score:.2f}; "
            f"engagement {self.engagement:.0f} → {self.engagement_score:.2f}; total {self.total:.2f}"
        )


@dataclass(frozen=True)
class Story:
    id: int
    status: str
    title: str
    first_seen: datetime
    last_seen: datetime
    score: float
    tier: str
    breakdown: ScoreBreakdown | None
    items: list[Item] = field(default_factory=list)


TIERS = ("major", "standard", "brief")
