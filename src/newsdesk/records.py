"""Typed records that cross stage boundaries. Stages exchange these, never raw rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


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
    # When `newsdesk watch` fetches it next, the interval that gave that time, and how many
    # fetches in a row have failed (each doubles the interval, within [watch] bounds).
    next_fetch_at: datetime | None = None
    interval_seconds: float | None = None
    failures: int = 0


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
    # False when the entry is its own content (a self post): no article page to fetch.
    fetch_page: bool = True
    # A reply (a Reddit comment) names the entry it answers; it follows that entry's story.
    parent_guid: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedFeed:
    title: str
    entries: list[FeedEntry]
    format: str
    refresh_seconds: float | None = None  # how often the feed says to look again (ttl, sy:updatePeriod)


@dataclass
class ExtractedPage:
    """Main text of an article page, stored exactly as extracted (later stages cite spans of it)."""

    text: str
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    canonical_url: str | None = None
    image: str | None = None  # the page's own image address (og:image), never the image itself


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
    text_origin: str  # "feed", "page", "summary", "reply" or "fact"
    author: str | None
    published_at: datetime | None
    fetched_at: datetime
    engagement: dict[str, float] = field(default_factory=dict)
    parent_guid: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


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
    origin: str = "feed"  # text_origin: "feed", "page", "summary", "reply" or "fact"
    parent_id: int | None = None
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def when(self) -> datetime:
        """The item's time on the news timeline: published if known, else first seen."""
        return self.published_at or self.fetched_at

    @property
    def forum(self) -> str | None:
        """ "Reddit" or "Hacker News" for a community post or comment (their guids say so), else None."""
        if self.guid.startswith("reddit:"):
            return "Reddit"
        if self.guid.startswith("hn:"):
            return "Hacker News"
        return None

    @property
    def publisher(self) -> str:
        """Who publishes it, for counting independent outlets: the registrable domain ingest
        found (or the source's configured outlet), else the outlet's name."""
        return self.meta.get("publisher") or self.outlet

    @property
    def is_outlet_report(self) -> bool:
        """An outlet's own report of the event: not a copy, not a reply, not an enrichment fact.
        Only these count as independent outlets and shape a story's wording."""
        return self.duplicate_of is None and self.parent_id is None and self.origin != "fact"


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
    helpful_votes: tuple[int, int] = (0, 0)  # readers' yes, no
    helpfulness_score: float = 0.0

    def explain(self) -> str:
        return (
            f"{self.independent_outlets} independent outlet(s) → {self.outlets_score:.2f}; "
            f"latest item {self.recency_hours:.1f} h old → {self.recency_score:.2f}; "
            f"source weight {self.source_weight:.2f} → {self.source_score:.2f}; "
            f"engagement {self.engagement:.0f} → {self.engagement_score:.2f}; "
            f"readers {self.helpful_votes[0]} helpful, {self.helpful_votes[1]} not → {self.helpfulness_score:.2f}; "
            f"total {self.total:.2f}"
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
    updated_at: datetime | None = None  # when items last joined the story


TIERS = ("major", "standard", "brief")
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)  # older "publication dates" in feeds are junk, not news
MAX_TITLE = 500  # characters of a title kept (a feed once sent 2.6 MB of title)


def sane_date(value: datetime | None, now: datetime | None = None) -> datetime | None:
    """``value`` when it is a plausible publication time (1990 to two days ahead), else None:
    a year-0 or year-9999 date is treated as missing, not trusted, and never raises."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return value if EARLIEST <= value <= now + timedelta(days=2) else None


def date_from_timestamp(seconds: float | int | str | None) -> datetime | None:
    """A Unix time as a sane date, or None (bad, missing or out of range)."""
    try:
        return sane_date(datetime.fromtimestamp(float(seconds), tz=UTC)) if seconds not in (None, "") else None
    except (ValueError, OverflowError, OSError, TypeError):
        return None


def tiers_from(min_tier: str) -> set[str]:
    """The tiers at or above ``min_tier`` ("standard" → major and standard)."""
    return set(TIERS[: TIERS.index(min_tier) + 1])


@dataclass(frozen=True)
class Fact:
    """A figure read from a data source (the Hugging Face Hub, GitHub) at a known time."""

    kind: str  # hf_model, hf_dataset, github_repo
    subject: str  # owner/name
    metric: str  # downloads, likes, stars, forks, last_release, licence
    value: str
    number: float | None
    as_of: datetime
    source_url: str


# --- articles (write → verify → publish) ----------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """A source span a sentence rests on: ``text[start:end]`` of item ``item_id``."""

    ref: int  # the reference number shown as [n]
    item_id: int
    start: int
    end: int


@dataclass(frozen=True)
class Attribution:
    """One outlet's figure in a writer-made frame: ``figure`` stands verbatim in the span of
    citation ``ref``, whose item is the outlet's."""

    outlet: str
    figure: str
    ref: int
    # What the figure measures and when, as the cited sentence's fact reads them ("Velora's job
    # cuts", "at the close"); empty in frames written before facts were typed.
    measure: str = ""
    time: str = ""


@dataclass
class ArticleSentence:
    text: str
    # The first citation is the sentence's own source; the rest are independent outlets
    # stating the same thing (corroboration), each with its own span.
    citations: list[Citation]
    # Writer-made connecting text (``text.frames``): "disagreement" says who reports which figure.
    # Its words come from stored metadata, and verification checks each attribution.
    frame: str | None = None
    attributions: list[Attribution] = field(default_factory=list)
    # Composed by the writer from the typed facts of the sentences it cites (``write.synthesis``):
    # not a quotation, checked like one.
    composed: bool = False


@dataclass
class Section:
    heading: str
    paragraphs: list[list[ArticleSentence]]


@dataclass(frozen=True)
class Reference:
    number: int
    item_id: int
    outlet: str
    title: str
    url: str
    published: datetime | None


@dataclass
class Article:
    story_id: int
    headline: str
    dek: ArticleSentence
    sections: list[Section]
    references: list[Reference]
    tags: list[str]
    tier: str
    byline: str
    writer: str
    version: int = 1
    first_published: datetime | None = None
    updated: datetime | None = None
    # Model calls, tokens, seconds and cost that writing this version took (LLM writers).
    usage: dict[str, Any] | None = None

    def sentences(self) -> list[ArticleSentence]:
        return [self.dek] + [s for sec in self.sections for para in sec.paragraphs for s in para]

    @property
    def word_count(self) -> int:
        return sum(len(s.text.split()) for s in self.sentences())

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / 230))

    def to_dict(self) -> dict[str, Any]:
        def sentence(s: ArticleSentence) -> dict[str, Any]:
            out: dict[str, Any] = {"text": s.text, "citations": [c.__dict__ for c in s.citations]}
            if s.frame:
                out["frame"] = s.frame
                out["attributions"] = [a.__dict__ for a in s.attributions]
            if s.composed:
                out["composed"] = True
            return out

        return {
            "story_id": self.story_id,
            "version": self.version,
            "headline": self.headline,
            "dek": sentence(self.dek),
            "sections": [
                {"heading": sec.heading, "paragraphs": [[sentence(s) for s in p] for p in sec.paragraphs]}
                for sec in self.sections
            ],
            "references": [
                {**r.__dict__, "published": r.published.isoformat() if r.published else None} for r in self.references
            ],
            "tags": self.tags,
            "tier": self.tier,
            "byline": self.byline,
            "writer": self.writer,
            "first_published": self.first_published.isoformat() if self.first_published else None,
            "updated": self.updated.isoformat() if self.updated else None,
            "word_count": self.word_count,
            "reading_minutes": self.reading_minutes,
            "usage": self.usage,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        def sentence(s: dict[str, Any]) -> ArticleSentence:
            return ArticleSentence(
                text=s["text"],
                citations=[Citation(**c) for c in s["citations"]],
                frame=s.get("frame"),
                attributions=[Attribution(**a) for a in s.get("attributions", ())],
                composed=bool(s.get("composed", False)),
            )

        def when(v: str | None) -> datetime | None:
            return datetime.fromisoformat(v) if v else None

        return cls(
            story_id=d["story_id"],
            version=d["version"],
            headline=d["headline"],
            dek=sentence(d["dek"]),
            sections=[Section(sec["heading"], [[sentence(s) for s in p] for p in sec["paragraphs"]]) for sec in d["sections"]],
            references=[Reference(**{**r, "published": when(r["published"])}) for r in d["references"]],
            tags=d["tags"],
            tier=d["tier"],
            byline=d["byline"],
            writer=d["writer"],
            first_published=when(d["first_published"]),
            updated=when(d["updated"]),
            usage=d.get("usage"),
        )


# --- verification and media, as stored -------------------------------------------------------


@dataclass
class Evidence:
    """A cited item's sentence that backs (or fails to back) a claim, with its similarity."""

    item_id: int
    start: int
    end: int
    text: str
    score: float


@dataclass
class ClaimCheck:
    """One claim's verdict, with why, and the evidence a reader or an editor can check."""

    index: int
    text: str
    verdict: str  # "PASS", "FAIL" or "REVIEW"
    reasons: list[str] = field(default_factory=list)
    offending: list[str] = field(default_factory=list)  # the spans of the claim that failed
    evidence: list[Evidence] = field(default_factory=list)
    support: float = 0.0
    derived: list[str] = field(default_factory=list)
    citation_support: dict[int, bool] = field(default_factory=dict)  # reference number → supports alone
    unaccounted: list[str] = field(default_factory=list)  # content words no evidence accounts for
    locked: bool = False  # a finding stands that no judge may overrule (only FAIL it)
    # Per finding of a held or failed claim: the atom that failed ("80,000", "Ober", "amid"), its
    # family ("figure", "name", "wording"…), the reason, and the nearest evidence span (item_id,
    # start, end, text), so an editor sees at once what to compare.
    atoms: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ClaimCheck:
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        known["evidence"] = [Evidence(**e) for e in d.get("evidence", [])]
        # JSON turns the reference numbers into strings.
        known["citation_support"] = {int(k): bool(v) for k, v in (d.get("citation_support") or {}).items()}
        return cls(**known)


@dataclass
class VerificationRecord:
    """An article version's verification: its status, the summary counts, every claim's check,
    and the article as it may be published (failed claims removed), or None when held."""

    story_id: int
    version: int
    status: str  # "publish" or "held"
    summary: dict[str, Any]
    claims: list[ClaimCheck]
    published: Article | None
    verified_at: datetime | None = None

    def texts(self, verdict: str) -> set[str]:
        return {c.text for c in self.claims if c.verdict == verdict}


@dataclass
class MediaRecord:
    """What the media stage made for a published article version."""

    social: str
    newsletter: str
    chart: dict[str, Any] | None = None  # title, caption, svg, points, …
    chart_skipped: str | None = None  # why no chart, when a series did not add up
    video: dict[str, Any] | None = None  # the short-video prompt (shots, constraints, text)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MediaRecord:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})
