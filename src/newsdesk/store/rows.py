"""Rows to records, and the small helpers every table group shares."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import func, select

from newsdesk.records import Article, ClaimCheck, Item, ScoreBreakdown, Source, Story, VerificationRecord

T = TypeVar("T")
CHUNK = 500  # ids per IN (...) list: well under every database's parameter limit


def utcnow() -> datetime:
    return datetime.now(UTC)


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``values`` (de-duplicated, order kept) in lists of at most ``size``, for IN queries."""
    wanted = list(dict.fromkeys(values))
    for start in range(0, len(wanted), size):
        yield wanted[start : start + size]


def new_id(result: Any) -> int:
    """The primary key an INSERT just made."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def newest(table: Any, *where: Any) -> tuple[Any, Any]:
    """Join arguments that keep, per story, only the row with the highest version."""
    newest = (
        select(table.c.story_id, func.max(table.c.version).label("version")).where(*where).group_by(table.c.story_id).subquery()
    )
    return newest, (table.c.story_id == newest.c.story_id) & (table.c.version == newest.c.version)


def sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets `newsdesk serve` read while a run writes; foreign keys are off by default in SQLite.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def source_row(r: Any) -> Source:
    return Source(
        id=r["id"],
        url=r["url"],
        kind=r["kind"],
        name=r["name"],
        weight=r["weight"],
        etag=r["etag"],
        last_modified=r["last_modified"],
        last_fetched_at=r["last_fetched_at"],
        last_status=r["last_status"],
        last_error=r["last_error"],
        last_new_items=r["last_new_items"],
        next_fetch_at=r["next_fetch_at"],
        interval_seconds=r["interval_seconds"],
        failures=r["failures"],
    )


def item_row(r: Any) -> Item:
    return Item(
        id=r["id"],
        source_id=r["source_id"],
        guid=r["guid"],
        url=r["url"],
        canonical_url=r["canonical_url"],
        outlet=r["outlet"],
        title=r["title"],
        text=r["text"],
        published_at=r["published_at"],
        fetched_at=r["fetched_at"],
        duplicate_of=r["duplicate_of"],
        story_id=r["story_id"],
        author=r["author"],
        engagement=r["engagement"] or {},
        origin=r["text_origin"],
        parent_id=r["parent_id"],
        meta=r["meta"] or {},
    )


def story_row(r: Any, members: list[Item]) -> Story:
    b = r["breakdown"]
    return Story(
        id=r["id"],
        status=r["status"],
        title=r["title"],
        first_seen=r["first_seen"],
        last_seen=r["last_seen"],
        score=r["score"],
        tier=r["tier"],
        breakdown=ScoreBreakdown(**{**b, "helpful_votes": tuple(b.get("helpful_votes", (0, 0)))}) if b else None,
        items=members,
        updated_at=r["updated_at"],
    )


def verification_row(r: Any) -> VerificationRecord:
    return VerificationRecord(
        story_id=r["story_id"],
        version=r["version"],
        status=r["status"],
        summary=dict(r["summary"] or {}),
        claims=[ClaimCheck.from_dict(c) for c in r["claims"] or []],
        published=Article.from_dict(r["published"]) if r["published"] else None,
        verified_at=r["verified_at"],
    )
