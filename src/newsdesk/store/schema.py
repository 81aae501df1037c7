"""The one place the database schema is defined. Migrations under ``migrations/`` must match it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[Any]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: newsdesk stores only aware UTC times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("kind", String(32), nullable=False, server_default="feed"),
    Column("name", Text, nullable=False, server_default=""),
    Column("weight", Float, nullable=False, server_default="1.0"),
    Column("added_at", UTCDateTime, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_fetched_at", UTCDateTime),
    Column("last_status", String(32)),
    Column("last_error", Text),
    Column("last_new_items", Integer, nullable=False, server_default="0"),
    Column("next_fetch_at", UTCDateTime),
    Column("interval_seconds", Float),
    Column("failures", Integer, nullable=False, server_default="0"),
)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("title", Text, nullable=False, server_default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    Column("score", Float, nullable=False, server_default="0"),
    Column("tier", String(16), nullable=False, server_default="brief"),
    Column("breakdown", JSON),
    Index("ix_stories_status_last_seen", "status", "last_seen"),
)

items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("guid", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("canonical_url", Text, nullable=False),
    Column("outlet", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False, server_default=""),
    # Stored exactly as extracted: later stages cite character spans of it.
    Column("text", Text, nullable=False),
    Column("text_origin", String(16), nullable=False),
    Column("author", Text),
    Column("published_at", UTCDateTime),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("engagement", JSON),
    Column("minhash", LargeBinary),
    Column("duplicate_of", Integer, ForeignKey("items.id")),
    Column("story_id", Integer, ForeignKey("stories.id")),
    # A reply (a Reddit comment) follows the story of the post it answers; it is never an outlet.
    Column("parent_id", Integer, ForeignKey("items.id")),
    # What a source says about an item beyond its text: flair, discussion link, subreddit.
    Column("meta", JSON),
    UniqueConstraint("source_id", "guid", name="uq_items_source_guid"),
    Index("ix_items_canonical_url", "canonical_url"),
    Index("ix_items_story_id", "story_id"),
    Index("ix_items_fetched_at", "fetched_at"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("command", String(32), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("summary", JSON),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("written_at", UTCDateTime, nullable=False),
    Column("writer", String(32), nullable=False),
    # Hash of the content without times and version: an unchanged story writes nothing new.
    Column("fingerprint", String(64), nullable=False),
    Column("content", JSON, nullable=False),
    UniqueConstraint("story_id", "version", name="uq_articles_story_version"),
)

verifications = Table(
    "verifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("verified_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),  # "publish" or "held"
    Column("summary", JSON, nullable=False),  # counts, citation recall and precision
    Column("claims", JSON, nullable=False),  # each claim's verdict, reasons and evidence spans
    Column("published", JSON),  # the article as it may be published; null when held
    UniqueConstraint("story_id", "version", name="uq_verifications_story_version"),
)

media = Table(
    "media",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("made_at", UTCDateTime, nullable=False),
    Column("content", JSON, nullable=False),  # chart (SVG, caption, points), video prompt, snippets
    UniqueConstraint("story_id", "version", name="uq_media_story_version"),
)

# Figures found by enrichment (Hub downloads, repository stars), each with when it was read and
# where. ``item_id`` is the citable item that states the figure in a sentence.
facts = Table(
    "facts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),  # hf_model, hf_dataset, github_repo
    Column("subject", Text, nullable=False),  # owner/name
    Column("metric", String(32), nullable=False),  # downloads, likes, stars, forks, last_release, licence
    Column("value", Text, nullable=False),
    Column("number", Float),
    Column("as_of", UTCDateTime, nullable=False),
    Column("source_url", Text, nullable=False),
    Index("ix_facts_story_id", "story_id"),
)

# Typed facts read from outlets' sentences (``newsdesk.facts``): whose figure, what it measures,
# its value, unit and time, with the item and character spans it was read from.
item_facts = Table(
    "item_facts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("subject", Text),
    Column("measure", String(64)),
    Column("value", Float, nullable=False),
    Column("high", Float),
    Column("unit", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("time", String(64)),
    Column("time_text", Text),
    Column("polarity", String(8), nullable=False),
    Column("modality", String(16), nullable=False),
    Column("approx", Integer, nullable=False),
    Column("qualifier", String(32), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("sentence_start", Integer, nullable=False),
    Column("sentence_end", Integer, nullable=False),
    Column("read_at", UTCDateTime, nullable=False),
    Index("ix_item_facts_story_id", "story_id"),
    Index("ix_item_facts_item_id", "item_id"),
)

# Which items the enrich stage has read into item_facts (and in which story): an item with no
# figures has no fact rows, and without this it would be read again on every run.
item_facts_read = Table(
    "item_facts_read",
    metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("facts", Integer, nullable=False),
    Column("read_at", UTCDateTime, nullable=False),
    Index("ix_item_facts_read_story_id", "story_id"),
)

# --- the live service: readers' feedback, editors, their verdicts, corrections, the audit log ---

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),  # the article version the reader saw
    Column("kind", String(16), nullable=False),  # "helpful" or "report"
    Column("helpful", Integer),  # 1 yes, 0 no (kind "helpful")
    Column("sentence", Integer),  # index into the article's sentences, dek = 0 (kind "report")
    Column("sentence_text", Text),  # the sentence as the reader saw it: reports survive new versions
    Column("reason", String(32)),  # wrong_figure, wrong_attribution, outdated, other
    Column("comment", Text, nullable=False, server_default=""),
    Column("client", String(64), nullable=False),  # salted hash of the client address, never the address
    Column("received_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime),
    # A helpful vote's reader: a keyed hash of their random voter cookie (one vote per article).
    Column("voter", String(64)),
    Index("ix_feedback_story_id", "story_id"),
    Index("ix_feedback_voter", "story_id", "voter", unique=True),
    Index("ix_feedback_client", "story_id", "client"),  # a client's recent votes (the cookieless cap)
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("created_at", UTCDateTime, nullable=False),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", UTCDateTime),
)

editor_verdicts = Table(
    "editor_verdicts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("claim_text", Text, nullable=False),  # verdicts follow the words, across versions
    Column("verdict", String(16), nullable=False),  # "PASS" (confirmed) or "FAIL" (rejected)
    Column("editor", String(64), nullable=False),
    Column("decided_at", UTCDateTime, nullable=False),
    Index("ix_editor_verdicts_story_id", "story_id"),
)

corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("editor", String(64), nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
    Index("ix_corrections_story_id", "story_id"),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("editor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("story_id", Integer),
    Column("detail", JSON),
)

# Held articles are not published until an editor releases them.
holds = Table(
    "holds",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("editor", String(64), nullable=False),
    Column("held_at", UTCDateTime, nullable=False),
)

# --- the newsletter: subscribers who opted in, issues, and one send record per subscriber ---

subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("status", String(16), nullable=False),  # pending, confirmed, unsubscribed, failed
    Column("token", String(64), nullable=False, unique=True),  # names the subscriber in unsubscribe links
    Column("created_at", UTCDateTime, nullable=False),
    Column("confirmed_at", UTCDateTime),
    Column("unsubscribed_at", UTCDateTime),
    # At most one confirmation email an hour per mailbox: the address lower-cased, any +tag dropped
    # (so "Ada+1@…" and "ada@…" count as one).
    Column("confirmation_sent_at", UTCDateTime),
    Column("mailbox", String(320)),
    # The topics followed, as one key (store/newsletter.selection_key): subscribers with the same
    # key get the same issue; NULL, none followed: the daily issue of everything.
    Column("selection", Text),
    Index("ix_subscribers_mailbox", "mailbox"),
    Index("ix_subscribers_selection", "selection"),
)

# A tag or keyword a subscriber follows (migration 0013): ``key`` as matched, ``label`` as typed.
subscriber_follows = Table(
    "subscriber_follows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # tag, keyword
    Column("key", String(200), nullable=False),
    Column("label", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("subscriber_id", "kind", "key", name="uq_subscriber_follows_subscriber_id"),
    Index("ix_subscriber_follows_topic", "kind", "key"),
)

newsletter_issues = Table(
    "newsletter_issues",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("since", UTCDateTime, nullable=False),
    Column("subject", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("stories", JSON, nullable=False),  # [story id, version] of every article in it
    # An issue for one selection of topics (its key), built with the daily issue of its edition;
    # both NULL for the daily issue itself.
    Column("selection", Text),
    Column("edition_id", Integer, ForeignKey("newsletter_issues.id", ondelete="CASCADE")),
    Index("ix_newsletter_issues_edition_id", "edition_id"),
)

sends = Table(
    "sends",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("issue_id", Integer, ForeignKey("newsletter_issues.id", ondelete="CASCADE"), nullable=False),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(16), nullable=False),  # sending, sent, retry, permanent
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("issue_id", "subscriber_id", name="uq_sends_issue_id"),
)

# --- search: one row per published article (store/search.py keeps it in step at each publish) ---

search_docs = Table(
    "search_docs",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, nullable=False),
    # The verification row indexed: re-verifying a version (after an editor's verdict) makes a new one.
    Column("verification_id", Integer, nullable=False),
    Column("headline", Text, nullable=False),
    Column("headline_key", Text, nullable=False),  # lower case, words only: an exact headline ranks first
    Column("dek", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("tags", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("published_at", UTCDateTime),
    # PostgreSQL's full-text vector (headline weighted A, dek and tags B, body C); unused on SQLite,
    # whose index is the FTS5 table below.
    Column("tsv", Text().with_variant(TSVECTOR(), "postgresql")),
    Index("ix_search_docs_headline_key", "headline_key"),
    Index("ix_search_docs_tsv", "tsv", postgresql_using="gin"),
)

# SQLite's full-text index over search_docs: an FTS5 virtual table (migration 0012) and the shadow
# tables FTS5 keeps, none of which this metadata describes; schema comparisons leave them out.
SEARCH_FTS = "search_fts"


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """For alembic's comparisons: every name but the FTS5 index's tables."""
    return not (type_ == "table" and name is not None and (name == SEARCH_FTS or name.startswith(SEARCH_FTS + "_")))
