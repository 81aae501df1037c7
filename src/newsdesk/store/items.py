"""Items: every stored entry, page, reply and fact item, and the lookups ingest and the stages need."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update

from newsdesk.records import Item, NewItem
from newsdesk.store.base import StoreBase
from newsdesk.store.rows import chunks, item_row, new_id
from newsdesk.store.schema import items


class ItemsQueries(StoreBase):
    def item_ids_by_canonical_url(self, urls: Iterable[str], *, conn: Connection | None = None) -> dict[str, int]:
        """Earliest stored item for each canonical URL given."""
        found: dict[str, int] = {}
        with self.begin(conn) as conn:
            for chunk in chunks(urls):
                q = (
                    select(items.c.canonical_url, func.min(items.c.id))
                    .where(items.c.canonical_url.in_(chunk))
                    .group_by(items.c.canonical_url)
                )
                found.update({u: i for u, i in conn.execute(q)})
        return found

    def insert_item(
        self,
        item: NewItem,
        *,
        minhash: bytes | None,
        duplicate_of: int | None,
        conn: Connection | None = None,
        story_id: int | None = None,
    ) -> int | None:
        """Insert an item; return its id, or None when (source, guid) is already stored, or when it
        is a reply whose parent is not stored. Pass ``conn`` to make it part of a larger transaction."""
        if conn is None:
            with self.begin(conn) as own:
                return self.insert_item(item, minhash=minhash, duplicate_of=duplicate_of, conn=own, story_id=story_id)
        if True:
            exists = conn.execute(
                select(items.c.id).where(items.c.source_id == item.source_id, items.c.guid == item.guid)
            ).first()
            if exists:
                return None
            parent_id = None
            if item.parent_guid:
                parent_id = self.item_id_by_guid(item.source_id, item.parent_guid, conn=conn)
                if parent_id is None:
                    return None
            result = conn.execute(
                insert(items).values(
                    source_id=item.source_id,
                    guid=item.guid,
                    url=item.url,
                    canonical_url=item.canonical_url,
                    outlet=item.outlet,
                    title=item.title,
                    summary=item.summary,
                    text=item.text,
                    text_origin=item.text_origin,
                    author=item.author,
                    published_at=item.published_at,
                    fetched_at=item.fetched_at,
                    engagement=item.engagement or None,
                    minhash=minhash,
                    duplicate_of=duplicate_of,
                    parent_id=parent_id,
                    meta=item.meta or None,
                    story_id=story_id,
                )
            )
            return new_id(result)

    def item_id_by_guid(self, source_id: int, guid: str, *, conn: Connection | None = None) -> int | None:
        with self.begin(conn) as conn:
            return conn.execute(
                select(items.c.id).where(items.c.source_id == source_id, items.c.guid == guid)
            ).scalar_one_or_none()

    def minhashes_since(self, since: datetime, *, conn: Connection | None = None) -> list[tuple[int, bytes]]:
        """(item id, signature) of originals fetched since a time, for near-duplicate lookups."""
        with self.begin(conn) as conn:
            q = (
                select(items.c.id, items.c.minhash)
                .where(items.c.fetched_at >= since, items.c.minhash.is_not(None), items.c.duplicate_of.is_(None))
                .order_by(items.c.id)
            )
            return [(i, bytes(m)) for i, m in conn.execute(q)]

    def unclustered_signatures(self, *, conn: Connection | None = None) -> list[tuple[int, bytes, int | None]]:
        """(id, signature, duplicate_of) of the items not in a story yet that near-copy checks
        cover (not replies, not facts)."""
        with self.begin(conn) as conn:
            q = select(items.c.id, items.c.minhash, items.c.duplicate_of).where(
                items.c.story_id.is_(None), items.c.parent_id.is_(None), items.c.minhash.is_not(None)
            )
            return [(i, bytes(m), d) for i, m, d in conn.execute(q)]

    def set_duplicates(self, copies: dict[int, int | None], *, conn: Connection | None = None) -> int:
        """Record which item copies which; returns how many items changed."""
        changed = 0
        with self.begin(conn) as conn:
            current = {
                r.id: r.duplicate_of
                for chunk in chunks(copies)
                for r in conn.execute(select(items.c.id, items.c.duplicate_of).where(items.c.id.in_(chunk)))
            }
            for item_id, original in copies.items():
                if current.get(item_id, original) != original:
                    conn.execute(update(items).where(items.c.id == item_id).values(duplicate_of=original))
                    changed += 1
        return changed

    def items_without_story(self, *, conn: Connection | None = None) -> list[Item]:
        with self.begin(conn) as conn:
            q = select(items).where(items.c.story_id.is_(None)).order_by(items.c.id)
            return [item_row(r) for r in conn.execute(q).mappings()]

    def items_of_stories(self, story_ids: Iterable[int], *, conn: Connection | None = None) -> list[Item]:
        out: list[Item] = []
        with self.begin(conn) as conn:
            for chunk in chunks(story_ids):
                q = select(items).where(items.c.story_id.in_(chunk)).order_by(items.c.id)
                out.extend(item_row(r) for r in conn.execute(q).mappings())
        return sorted(out, key=lambda i: i.id)

    def count_items(self, *, conn: Connection | None = None) -> int:
        with self.begin(conn) as conn:
            return conn.execute(select(func.count()).select_from(items)).scalar_one()

    def items_by_id(self, ids: Iterable[int], *, conn: Connection | None = None) -> dict[int, Item]:
        out: dict[int, Item] = {}
        with self.begin(conn) as conn:
            for chunk in chunks(ids):
                q = select(items).where(items.c.id.in_(chunk))
                out.update({r["id"]: item_row(r) for r in conn.execute(q).mappings()})
        return out

    def promote_earliest_copies(self, new_ids: Iterable[int], *, conn: Connection | None = None) -> int:
        """Within each group of copies that has a new item and no story yet, make the earliest
        published the original and the rest its copies. Returns how many groups changed."""
        changed = 0
        with self.begin(conn) as conn:
            wanted = set(new_ids)
            rows = {
                r.id: r
                for r in conn.execute(
                    select(items.c.id, items.c.duplicate_of, items.c.published_at, items.c.fetched_at, items.c.story_id).where(
                        items.c.parent_id.is_(None), items.c.minhash.is_not(None)
                    )
                )
            }

            def root(i: int) -> int:
                seen = set()
                while rows[i].duplicate_of is not None and rows[i].duplicate_of in rows and i not in seen:
                    seen.add(i)
                    i = rows[i].duplicate_of
                return i

            groups: dict[int, list[int]] = {}
            for i in rows:
                if rows[i].duplicate_of is not None or i in wanted:
                    groups.setdefault(root(i), []).append(i)
            for head, members in groups.items():
                members = sorted(set(members) | {head})
                if len(members) < 2 or not wanted & set(members) or any(rows[m].story_id is not None for m in members):
                    continue
                first = min(members, key=lambda m: (rows[m].published_at or rows[m].fetched_at, m))
                if first == head and all(rows[m].duplicate_of == head for m in members if m != head):
                    continue
                conn.execute(update(items).where(items.c.id == first).values(duplicate_of=None))
                others = [m for m in members if m != first]
                for chunk in chunks(others):
                    conn.execute(update(items).where(items.c.id.in_(chunk)).values(duplicate_of=first))
                changed += 1
        return changed
