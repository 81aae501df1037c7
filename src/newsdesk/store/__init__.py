"""The store owns the schema and every query; stages talk to it through these methods.

SQLite is the embedded default; the same schema runs on PostgreSQL given a
``postgresql+psycopg://`` URL. Alembic migrations are applied when a store is opened.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, select, update

from newsdesk.records import Article, Fact, Item, NewItem, ScoreBreakdown, Source, Story
from newsdesk.store.schema import articles, facts, items, media, metadata, runs, sources, stories, verifications

MIGRATIONS = Path(__file__).parent / "migrations"


def utcnow() -> datetime:
    return datetime.now(UTC)


def resolve_url(url: str, newsroom: Path) -> str:
    """Make a relative ``sqlite:///file.db`` URL relative to the newsroom folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != "sqlite:///:memory:":
        path = Path(url[len(prefix) :])
        if not path.is_absolute():
            return prefix + str((newsroom / path).resolve())
    return url


class Store:
    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.migrate()

    def migrate(self) -> None:
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # --- sources -------------------------------------------------------------------------

    def add_source(self, url: str, kind: str = "feed", name: str = "", weight: float = 1.0) -> tuple[Source, bool]:
        """Add a source; return it and whether it was new (adding twice is harmless)."""
        with self.begin() as conn:
            row = conn.execute(select(sources).where(sources.c.url == url)).mappings().first()
            if row is not None:
                return _source(row), False
            conn.execute(insert(sources).values(url=url, kind=kind, name=name, weight=weight, added_at=utcnow()))
            row = conn.execute(select(sources).where(sources.c.url == url)).mappings().one()
            return _source(row), True

    def list_sources(self) -> list[Source]:
        with self.begin() as conn:
            return [_source(r) for r in conn.execute(select(sources).order_by(sources.c.id)).mappings()]

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
    ) -> None:
        values: dict = {"last_status": status, "last_error": error, "last_fetched_at": utcnow(), "last_new_items": new_items}
        # Validators are only replaced by a successful fetch: an error must not cost the next 304.
        if status == "ok":
            values.update(etag=etag, last_modified=last_modified)
        if name:
            values["name"] = name
        with self.begin() as conn:
            conn.execute(update(sources).where(sources.c.id == source_id).values(**values))

    # --- items ---------------------------------------------------------------------------

    def known_guids(self, source_id: int) -> set[str]:
        with self.begin() as conn:
            return set(conn.execute(select(items.c.guid).where(items.c.source_id == source_id)).scalars())

    def item_ids_by_canonical_url(self, urls: Iterable[str]) -> dict[str, int]:
        """Earliest stored item for each canonical URL given."""
        wanted = list(set(urls))
        found: dict[str, int] = {}
        with self.begin() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
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
            with self.begin() as own:
                return self.insert_item(item, minhash=minhash, duplicate_of=duplicate_of, conn=own, story_id=story_id)
        if True:
            exists = conn.execute(
                select(items.c.id).where(items.c.source_id == item.source_id, items.c.guid == item.guid)
            ).first()
            if exists:
                return None
            parent_id = None
            if item.parent_guid:
                parent_id = self.item_id_by_guid(conn, item.source_id, item.parent_guid)
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
            return _new_id(result)

    def item_id_by_guid(self, conn: Connection, source_id: int, guid: str) -> int | None:
        return conn.execute(select(items.c.id).where(items.c.source_id == source_id, items.c.guid == guid)).scalar_one_or_none()

    def minhashes_since(self, since: datetime) -> list[tuple[int, bytes]]:
        """(item id, signature) of originals fetched since a time, for near-duplicate lookups."""
        with self.begin() as conn:
            q = (
                select(items.c.id, items.c.minhash)
                .where(items.c.fetched_at >= since, items.c.minhash.is_not(None), items.c.duplicate_of.is_(None))
                .order_by(items.c.id)
            )
            return [(i, bytes(m)) for i, m in conn.execute(q)]

    def items_without_story(self) -> list[Item]:
        with self.begin() as conn:
            q = select(items).where(items.c.story_id.is_(None)).order_by(items.c.id)
            return [_item(r) for r in conn.execute(q).mappings()]

    def items_of_stories(self, story_ids: Iterable[int]) -> list[Item]:
        ids = list(story_ids)
        out: list[Item] = []
        with self.begin() as conn:
            for start in range(0, len(ids), 500):
                q = select(items).where(items.c.story_id.in_(ids[start : start + 500])).order_by(items.c.id)
                out.extend(_item(r) for r in conn.execute(q).mappings())
        return out

    def count_items(self) -> int:
        with self.begin() as conn:
            return conn.execute(select(func.count()).select_from(items)).scalar_one()

    # --- stories -------------------------------------------------------------------------

    def open_story_ids(self) -> list[int]:
        with self.begin() as conn:
            return list(conn.execute(select(stories.c.id).where(stories.c.status == "open")).scalars())

    def create_story(self, conn: Connection, first_seen: datetime, last_seen: datetime, title: str) -> int:
        now = utcnow()
        result = conn.execute(
            insert(stories).values(
                status="open", title=title, created_at=now, updated_at=now, first_seen=first_seen, last_seen=last_seen
            )
        )
        return _new_id(result)

    def story_of_item(self, conn: Connection, item_id: int) -> int | None:
        return conn.execute(select(items.c.story_id).where(items.c.id == item_id)).scalar_one_or_none()

    def assign_items(self, conn: Connection, story_id: int, item_ids: Iterable[int]) -> None:
        ids = list(item_ids)
        for start in range(0, len(ids), 500):
            conn.execute(update(items).where(items.c.id.in_(ids[start : start + 500])).values(story_id=story_id))

    def touch_story(self, conn: Connection, story_id: int, *, first_seen: datetime, last_seen: datetime, title: str) -> None:
        conn.execute(
            update(stories)
            .where(stories.c.id == story_id)
            .values(first_seen=first_seen, last_seen=last_seen, title=title, updated_at=utcnow())
        )

    def close_stories_quiet_since(self, cutoff: datetime) -> int:
        with self.begin() as conn:
            result = conn.execute(
                update(stories).where(stories.c.status == "open", stories.c.last_seen < cutoff).values(status="closed")
            )
            return result.rowcount or 0

    def set_score(self, conn: Connection, story_id: int, breakdown: ScoreBreakdown, tier: str) -> None:
        from dataclasses import asdict

        conn.execute(
            update(stories).where(stories.c.id == story_id).values(score=breakdown.total, tier=tier, breakdown=asdict(breakdown))
        )

    def stories(self, *, with_items: bool = True, status: str | None = None) -> list[Story]:
        with self.begin() as conn:
            q = select(stories).order_by(stories.c.score.desc(), stories.c.last_seen.desc(), stories.c.id)
            if status:
                q = q.where(stories.c.status == status)
            rows = list(conn.execute(q).mappings())
        members: dict[int, list[Item]] = {}
        if with_items:
            for it in self.items_of_stories([r["id"] for r in rows]):
                if it.story_id is not None:
                    members.setdefault(it.story_id, []).append(it)
        return [_story(r, members.get(r["id"], [])) for r in rows]

    def source_weights(self) -> dict[int, float]:
        with self.begin() as conn:
            return dict(conn.execute(select(sources.c.id, sources.c.weight)).all())

    # --- articles ------------------------------------------------------------------------

    def save_article(self, article: Article, now: datetime) -> str:
        """Store the article as its story's next version unless it equals the latest one.
        Returns "written" (first version), "updated" (new version) or "unchanged"."""
        import hashlib
        import json

        body = article.to_dict()
        for volatile in ("version", "first_published", "updated", "usage"):
            body.pop(volatile)
        fingerprint = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        with self.begin() as conn:
            latest = conn.execute(
                select(articles.c.version, articles.c.fingerprint, articles.c.content)
                .where(articles.c.story_id == article.story_id)
                .order_by(articles.c.version.desc())
                .limit(1)
            ).first()
            if latest is not None and latest.fingerprint == fingerprint:
                return "unchanged"
            article.version = 1 if latest is None else latest.version + 1
            article.first_published = now if latest is None else datetime.fromisoformat(latest.content["first_published"])
            article.updated = now
            conn.execute(
                insert(articles).values(
                    story_id=article.story_id,
                    version=article.version,
                    written_at=now,
                    writer=article.writer,
                    fingerprint=fingerprint,
                    content=article.to_dict(),
                )
            )
            return "written" if latest is None else "updated"

    def article_state(self) -> dict[int, tuple[datetime, str, str]]:
        """Per story: when its latest article version was written, at which tier, by which writer."""
        q = select(articles.c.story_id, articles.c.written_at, articles.c.content).join(*_newest(articles))
        with self.begin() as conn:
            return {r.story_id: (r.written_at, r.content["tier"], r.content["writer"]) for r in conn.execute(q)}

    def latest_articles(self) -> list[Article]:
        """The newest version of every story's article."""
        with self.begin() as conn:
            return [Article.from_dict(row.content) for row in conn.execute(select(articles.c.content).join(*_newest(articles)))]

    def articles_without_verification(self) -> list[Article]:
        """Every article version not verified yet, oldest first."""
        with self.begin() as conn:
            done = select(verifications.c.id).where(
                verifications.c.story_id == articles.c.story_id, verifications.c.version == articles.c.version
            )
            q = select(articles.c.content).where(~done.exists()).order_by(articles.c.story_id, articles.c.version)
            return [Article.from_dict(row.content) for row in conn.execute(q)]

    def save_verification(
        self, story_id: int, version: int, when: datetime, status: str, summary: dict, claims: list[dict], published: dict | None
    ) -> None:
        with self.begin() as conn:
            conn.execute(
                insert(verifications).values(
                    story_id=story_id,
                    version=version,
                    verified_at=when,
                    status=status,
                    summary=summary,
                    claims=claims,
                    published=published,
                )
            )

    def publishable(self) -> list[tuple[Article, dict, list[dict]]]:
        """Per story, the newest verified version that may be published, with its checks.
        A held newer version leaves the previous one up."""
        q = select(verifications.c.published, verifications.c.summary, verifications.c.claims).join(
            *_newest(verifications, verifications.c.status == "publish")
        )
        with self.begin() as conn:
            return [(Article.from_dict(r.published), r.summary, r.claims) for r in conn.execute(q)]

    def publishable_without_media(self) -> list[tuple[Article, list[dict]]]:
        have = {(s, v) for s, v in self._media_keys()}
        return [(a, claims) for a, _, claims in self.publishable() if (a.story_id, a.version) not in have]

    def _media_keys(self):
        with self.begin() as conn:
            return list(conn.execute(select(media.c.story_id, media.c.version)))

    def save_media(self, story_id: int, version: int, when: datetime, content: dict) -> None:
        with self.begin() as conn:
            conn.execute(insert(media).values(story_id=story_id, version=version, made_at=when, content=content))

    def media_of(self, story_id: int, version: int) -> dict | None:
        with self.begin() as conn:
            return conn.execute(
                select(media.c.content).where(media.c.story_id == story_id, media.c.version == version)
            ).scalar_one_or_none()

    def verification_of(self, story_id: int, version: int) -> dict | None:
        with self.begin() as conn:
            row = (
                conn.execute(
                    select(verifications).where(verifications.c.story_id == story_id, verifications.c.version == version)
                )
                .mappings()
                .first()
            )
            return dict(row) if row else None

    def items_by_id(self, ids: Iterable[int]) -> dict[int, Item]:
        wanted = list(set(ids))
        out: dict[int, Item] = {}
        with self.begin() as conn:
            for start in range(0, len(wanted), 500):
                q = select(items).where(items.c.id.in_(wanted[start : start + 500]))
                out.update({r["id"]: _item(r) for r in conn.execute(q).mappings()})
        return out

    # --- facts (enrichment) -------------------------------------------------------------------

    def latest_fact_values(self, conn: Connection, story_id: int, kind: str, subject: str) -> dict[str, str]:
        """metric → value of the newest facts stored for a subject in a story ({} when none)."""
        newest = (
            select(func.max(facts.c.item_id))
            .where(facts.c.story_id == story_id, facts.c.kind == kind, facts.c.subject == subject)
            .scalar_subquery()
        )
        q = select(facts.c.metric, facts.c.value).where(facts.c.item_id == newest)
        return {m: v for m, v in conn.execute(q)}

    def save_facts(self, conn: Connection, story_id: int, item_id: int, found: list[Fact]) -> None:
        conn.execute(
            insert(facts),
            [
                {
                    "story_id": story_id,
                    "item_id": item_id,
                    "kind": f.kind,
                    "subject": f.subject,
                    "metric": f.metric,
                    "value": f.value,
                    "number": f.number,
                    "as_of": f.as_of,
                    "source_url": f.source_url,
                }
                for f in found
            ],
        )

    def facts_of_story(self, story_id: int) -> list[Fact]:
        """The newest facts of each subject in a story."""
        with self.begin() as conn:
            newest = select(func.max(facts.c.item_id)).where(facts.c.story_id == story_id).group_by(facts.c.kind, facts.c.subject)
            q = select(facts).where(facts.c.story_id == story_id, facts.c.item_id.in_(newest)).order_by(facts.c.id)
            return [
                Fact(r["kind"], r["subject"], r["metric"], r["value"], r["number"], r["as_of"], r["source_url"])
                for r in conn.execute(q).mappings()
            ]

    def mark_story_updated(self, conn: Connection, story_id: int) -> None:
        conn.execute(update(stories).where(stories.c.id == story_id).values(updated_at=utcnow()))

    # --- runs ----------------------------------------------------------------------------

    def start_run(self, command: str) -> int:
        with self.begin() as conn:
            result = conn.execute(insert(runs).values(command=command, started_at=utcnow()))
            return _new_id(result)

    def finish_run(self, run_id: int, summary: dict) -> None:
        with self.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(finished_at=utcnow(), summary=summary))


def _new_id(result) -> int:
    """The primary key an INSERT just made."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _newest(table, *where):
    """Join arguments that keep, per story, only the row with the highest version."""
    newest = (
        select(table.c.story_id, func.max(table.c.version).label("version")).where(*where).group_by(table.c.story_id).subquery()
    )
    return newest, (table.c.story_id == newest.c.story_id) & (table.c.version == newest.c.version)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets `newsdesk serve` read while a run writes; foreign keys are off by default in SQLite.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _source(r) -> Source:
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
    )


def _item(r) -> Item:
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


def _story(r, members: list[Item]) -> Story:
    b = r["breakdown"]
    return Story(
        id=r["id"],
        status=r["status"],
        title=r["title"],
        first_seen=r["first_seen"],
        last_seen=r["last_seen"],
        score=r["score"],
        tier=r["tier"],
        breakdown=ScoreBreakdown(**b) if b else None,
        items=members,
        updated_at=r["updated_at"],
    )


__all__ = ["Store", "metadata", "resolve_url", "utcnow"]
