"""Sources: what a newsroom reads, and how each fetch went."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from newsdesk.records import Source
from newsdesk.store.base import StoreBase
from newsdesk.store.rows import source_row, utcnow
from newsdesk.store.schema import items, sources


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
