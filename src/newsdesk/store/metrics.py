"""What an operator watches (``/metrics``, ``/healthz``): counts over the store, each one query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Connection, func, select, text

from newsdesk.store.base import StoreBase
from newsdesk.store.rows import newest, utcnow
from newsdesk.store.schema import holds, items, sends, sources, stories, subscribers, verifications

VERDICTS = ("PASS", "FAIL", "REVIEW")


@dataclass
class StoreCounts:
    items: int = 0
    items_last_hour: int = 0
    duplicates: int = 0
    sources: dict[str, int] = field(default_factory=dict)  # by the last fetch's status ("never" for none yet)
    stories: dict[str, int] = field(default_factory=dict)  # open, closed
    articles: dict[str, int] = field(default_factory=dict)  # published, held (by the verifier or an editor)
    claims: dict[str, int] = field(default_factory=dict)  # the newest verification of each story, by verdict
    sends: dict[str, int] = field(default_factory=dict)  # the newsletter's send log, by status
    subscribers: dict[str, int] = field(default_factory=dict)
    jobs: dict[str, int] | None = None  # the PostgreSQL job queue by status; None where there is none


class MetricsQueries(StoreBase):
    def ping(self) -> None:
        """Raise unless the store answers a query now."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar()

    def counts(self, *, conn: Connection | None = None) -> StoreCounts:
        out = StoreCounts()
        with self.begin(conn) as conn:
            out.items = int(conn.execute(select(func.count()).select_from(items)).scalar() or 0)
            out.duplicates = int(
                conn.execute(select(func.count()).select_from(items).where(items.c.duplicate_of.is_not(None))).scalar() or 0
            )
            hour_ago = utcnow() - timedelta(hours=1)
            out.items_last_hour = int(
                conn.execute(select(func.count()).select_from(items).where(items.c.fetched_at > hour_ago)).scalar() or 0
            )
            out.sources = _grouped(conn, sources.c.last_status, none_as="never")
            out.stories = _grouped(conn, stories.c.status)
            out.sends = _grouped(conn, sends.c.status)
            out.subscribers = _grouped(conn, subscribers.c.status)
            # Per story its newest verification: "publish" puts it on the site unless an editor
            # holds it; "held" keeps the newest version off (an older one may still be up).
            editor_held = set(conn.execute(select(holds.c.story_id)).scalars())
            claims = dict.fromkeys(VERDICTS, 0)
            published = held = 0
            q = select(verifications.c.story_id, verifications.c.status, verifications.c.summary).join(*newest(verifications))
            for row in conn.execute(q):
                if row.status == "publish" and row.story_id not in editor_held:
                    published += 1
                else:
                    held += 1
                summary = row.summary or {}
                for verdict in VERDICTS:
                    value = summary.get(verdict)
                    claims[verdict] += int(value) if isinstance(value, int | float) else 0
            out.articles = {"published": published, "held": held}
            out.claims = claims
            if self.engine.dialect.name == "postgresql":
                if conn.execute(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).scalar():
                    rows = conn.execute(text("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status"))
                    out.jobs = {str(status): int(n) for status, n in rows}
                else:
                    out.jobs = {}
        return out


def _grouped(conn: Connection, column: object, none_as: str = "none") -> dict[str, int]:
    rows = conn.execute(select(column, func.count()).group_by(column))  # type: ignore[call-overload]
    out: dict[str, int] = {}
    for value, n in rows:
        key = none_as if value is None else str(value)
        out[key] = out.get(key, 0) + int(n)
    return out
