"""Stories: clusters of items, their scores and tiers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, delete, exists, insert, select, update

from newsdesk.records import Item, ScoreBreakdown, Story
from newsdesk.store.items import ItemsQueries
from newsdesk.store.rows import chunks, new_id, story_row, utcnow
from newsdesk.store.schema import (
    articles,
    corrections,
    editor_verdicts,
    facts,
    feedback,
    holds,
    items,
    media,
    stories,
    verifications,
)


class StoriesQueries(ItemsQueries):
    """Stories come with their items: this group builds on the items group."""

    def open_story_ids(self, *, conn: Connection | None = None) -> list[int]:
        with self.begin(conn) as conn:
            return list(conn.execute(select(stories.c.id).where(stories.c.status == "open")).scalars())

    def create_story(self, first_seen: datetime, last_seen: datetime, title: str, *, conn: Connection | None = None) -> int:
        with self.begin(conn) as conn:
            now = utcnow()
            result = conn.execute(
                insert(stories).values(
                    status="open", title=title, created_at=now, updated_at=now, first_seen=first_seen, last_seen=last_seen
                )
            )
            return new_id(result)

    def remove_empty_stories(self, *, conn: Connection | None = None) -> int:
        """Delete stories no item belongs to, with their articles, checks and media. Only an
        interrupted or concurrent run (before the newsroom lock) leaves them: two runs clustering
        the same items each made stories, and the items ended in one of them."""
        with self.begin(conn) as conn:
            return remove_empty_stories(conn)

    def stories_touched_since(self, since: datetime, *, conn: Connection | None = None) -> set[int]:
        """Stories that gained items (or were otherwise updated) at or after ``since``."""
        with self.begin(conn) as conn:
            return set(conn.execute(select(stories.c.id).where(stories.c.updated_at >= since)).scalars())

    def story_of_item(self, item_id: int, *, conn: Connection | None = None) -> int | None:
        with self.begin(conn) as conn:
            return conn.execute(select(items.c.story_id).where(items.c.id == item_id)).scalar_one_or_none()

    def assign_items(self, story_id: int, item_ids: Iterable[int], *, conn: Connection | None = None) -> None:
        with self.begin(conn) as conn:
            for chunk in chunks(item_ids):
                conn.execute(update(items).where(items.c.id.in_(chunk)).values(story_id=story_id))

    def touch_story(
        self, story_id: int, *, first_seen: datetime, last_seen: datetime, title: str, conn: Connection | None = None
    ) -> None:
        with self.begin(conn) as conn:
            conn.execute(
                update(stories)
                .where(stories.c.id == story_id)
                .values(first_seen=first_seen, last_seen=last_seen, title=title, updated_at=utcnow())
            )

    def reopen_story(self, story_id: int, *, conn: Connection | None = None) -> None:
        """A closed story that new items continue (a trial's verdict days after it went quiet)."""
        with self.begin(conn) as conn:
            conn.execute(update(stories).where(stories.c.id == story_id).values(status="open", updated_at=utcnow()))

    def close_stories_quiet_since(self, cutoff: datetime, *, conn: Connection | None = None) -> int:
        with self.begin(conn) as conn:
            result = conn.execute(
                update(stories).where(stories.c.status == "open", stories.c.last_seen < cutoff).values(status="closed")
            )
            return result.rowcount or 0

    def set_score(self, story_id: int, breakdown: ScoreBreakdown, tier: str, *, conn: Connection | None = None) -> None:
        with self.begin(conn) as conn:
            from dataclasses import asdict

            conn.execute(
                update(stories)
                .where(stories.c.id == story_id)
                .values(score=breakdown.total, tier=tier, breakdown=asdict(breakdown))
            )

    def stories(self, *, with_items: bool = True, status: str | None = None, conn: Connection | None = None) -> list[Story]:
        with self.begin(conn) as conn:
            q = select(stories).order_by(stories.c.score.desc(), stories.c.last_seen.desc(), stories.c.id)
            if status:
                q = q.where(stories.c.status == status)
            rows = list(conn.execute(q).mappings())
        members: dict[int, list[Item]] = {}
        if with_items:
            for it in self.items_of_stories([r["id"] for r in rows]):
                if it.story_id is not None:
                    members.setdefault(it.story_id, []).append(it)
        return [story_row(r, members.get(r["id"], [])) for r in rows]

    def mark_story_updated(self, story_id: int, *, conn: Connection | None = None) -> None:
        with self.begin(conn) as conn:
            conn.execute(update(stories).where(stories.c.id == story_id).values(updated_at=utcnow()))


def remove_empty_stories(conn: Connection, dependents: tuple[str, ...] | None = None) -> int:
    """Shared with the migration that repairs newsrooms from before the run lock, which names
    the tables that existed then (``dependents``); by default every table that refers to a story."""
    empty = list(conn.execute(select(stories.c.id).where(~exists().where(items.c.story_id == stories.c.id))).scalars())
    for chunk in chunks(empty):
        for table in (facts, media, verifications, articles, feedback, editor_verdicts, corrections, holds):
            if dependents is not None and table.name not in dependents:
                continue
            conn.execute(delete(table).where(table.c.story_id.in_(chunk)))
        conn.execute(delete(stories).where(stories.c.id.in_(chunk)))
    return len(empty)
