"""Sources: what a newsroom reads, and how each fetch went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from newsdesk.records import Source
from newsdesk.store.base import StoreBase
from newsdesk.store.rows import chunks, source_row, utcnow
from newsdesk.store.schema import facts, items, sources, stories
from newsdesk.store.stories import remove_empty_stories


@dataclass(frozen=True)
class RemovedSource:
    """What removing a source took with it."""

    items: int
    stories_removed: int  # stories left with no item
    stories_changed: int  # stories that kept other sources' items (rewritten on the next run)


class SourcesQueries(StoreBase):
    def add_source(
        self, url: str, kind: str = "feed", name: str = "", weight: float = 1.0, *, conn: Connection | None = None
    ) -> tuple[Source, bool]:
        """Add a source; return it and whether it was new (adding twice is harmless)."""
        with self.begin(conn) as conn:
            row = conn.execute(select(sources).where(sources.c.url == url)).mappings().first()
            if row is not None:
                return source_row(row), False
            conn.execute(insert(sources).values(url=url, kind=kind, name=name, weight=weight, added_at=utcnow()))
            row = conn.execute(select(sources).where(sources.c.url == url)).mappings().one()
            return source_row(row), True

    def list_sources(self, *, conn: Connection | None = None) -> list[Source]:
        with self.begin(conn) as conn:
            return [source_row(r) for r in conn.execute(select(sources).order_by(sources.c.id)).mappings()]

    def read_sources(self, *, conn: Connection | None = None) -> list[Source]:
        """The sources that are fetched (ingest, watch, status count these): every source but the
        "facts" ones, which hold what enrichment found and are never fetched."""
        return [s for s in self.list_sources(conn=conn) if s.kind != "facts"]

    def find_source(self, ref: str, *, conn: Connection | None = None) -> Source | None:
        """A source by its id (as `sources list` shows it) or its exact URL."""
        with self.begin(conn) as conn:
            q = select(sources).where(sources.c.id == int(ref)) if ref.isdigit() else select(sources).where(sources.c.url == ref)
            row = conn.execute(q).mappings().first()
            return source_row(row) if row else None

    def remove_source(self, source_id: int, *, conn: Connection | None = None) -> RemovedSource:
        """Delete a source and its items in one transaction. Another source's copy of a removed
        item becomes the original (the earliest published one, the rest its copies), replies to a
        removed post go with it, stories left with no item are deleted with their articles, and
        the others are marked updated so the next run rescores and rewrites them."""
        with self.begin(conn) as conn:
            gone = set(conn.execute(select(items.c.id).where(items.c.source_id == source_id)).scalars())
            frontier = set(gone)
            while frontier:  # replies to removed posts (and replies to those)
                replies = set()
                for chunk in chunks(sorted(frontier)):
                    replies |= set(conn.execute(select(items.c.id).where(items.c.parent_id.in_(chunk))).scalars())
                frontier = replies - gone
                gone |= frontier
            ordered = sorted(gone)
            touched: set[int] = set()
            copies: dict[int, list[Any]] = {}
            for chunk in chunks(ordered):
                touched |= {
                    i for i in conn.execute(select(items.c.story_id).where(items.c.id.in_(chunk))).scalars() if i is not None
                }
                q = select(items.c.id, items.c.duplicate_of, items.c.published_at, items.c.fetched_at).where(
                    items.c.duplicate_of.in_(chunk)
                )
                for r in conn.execute(q):
                    if r.id not in gone:
                        copies.setdefault(r.duplicate_of, []).append(r)
            for group in copies.values():
                first = min(group, key=lambda r: (r.published_at or r.fetched_at, r.id))
                conn.execute(update(items).where(items.c.id == first.id).values(duplicate_of=None))
                others = [r.id for r in group if r.id != first.id]
                for chunk in chunks(others):
                    conn.execute(update(items).where(items.c.id.in_(chunk)).values(duplicate_of=first.id))
            # Links inside the removed set first, so chunked deletes never break a foreign key.
            for chunk in chunks(ordered):
                conn.execute(update(items).where(items.c.id.in_(chunk)).values(duplicate_of=None, parent_id=None))
            for chunk in chunks(ordered):
                conn.execute(delete(facts).where(facts.c.item_id.in_(chunk)))
                conn.execute(delete(items).where(items.c.id.in_(chunk)))
            removed = remove_empty_stories(conn)
            left = sorted(touched & set(conn.execute(select(stories.c.id)).scalars()))
            for chunk in chunks(left):
                conn.execute(update(stories).where(stories.c.id.in_(chunk)).values(updated_at=utcnow()))
            conn.execute(delete(sources).where(sources.c.id == source_id))
            return RemovedSource(items=len(gone), stories_removed=removed, stories_changed=len(left))

    def record_fetch(
        self,
        source_id: int,
        *,
        status: str,
        error: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        new_items: int = 0,
        name: str | None = None,
        next_fetch_at: datetime | None = None,
        interval_seconds: float | None = None,
        failures: int | None = None,
        conn: Connection | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "last_status": status,
            "last_error": error,
            "last_fetched_at": utcnow(),
            "last_new_items": new_items,
        }
        if next_fetch_at is not None:
            values.update(next_fetch_at=next_fetch_at, interval_seconds=interval_seconds, failures=failures or 0)
        # Validators are only replaced by a successful fetch: an error must not cost the next 304.
        if status == "ok":
            values.update(etag=etag, last_modified=last_modified)
        if name:
            values["name"] = name
        with self.begin(conn) as conn:
            conn.execute(update(sources).where(sources.c.id == source_id).values(**values))

    def due_source_ids(self, now: datetime, *, conn: Connection | None = None) -> list[int]:
        """Sources `newsdesk watch` should read now: never read, or their next fetch time has come
        (facts sources are not read: enrichment fills them)."""
        with self.begin(conn) as conn:
            q = (
                select(sources.c.id)
                .where(sources.c.kind != "facts")
                .where((sources.c.next_fetch_at.is_(None)) | (sources.c.next_fetch_at <= now))
                .order_by(sources.c.id)
            )
            return list(conn.execute(q).scalars())

    def next_due_at(self, *, conn: Connection | None = None) -> datetime | None:
        with self.begin(conn) as conn:
            return conn.execute(select(func.min(sources.c.next_fetch_at)).where(sources.c.kind != "facts")).scalar()

    def known_guids(self, source_id: int, *, conn: Connection | None = None) -> set[str]:
        with self.begin(conn) as conn:
            return set(conn.execute(select(items.c.guid).where(items.c.source_id == source_id)).scalars())

    def source_weights(self, *, conn: Connection | None = None) -> dict[int, float]:
        with self.begin(conn) as conn:
            return dict(conn.execute(select(sources.c.id, sources.c.weight)).all())
