"""Articles and their verifications: every version, and what may be published."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select

from newsdesk.records import Article, VerificationRecord
from newsdesk.store.base import StoreBase
from newsdesk.store.rows import newest, utcnow, verification_row
from newsdesk.store.schema import articles, verifications


class ArticlesQueries(StoreBase):
    def save_article(self, article: Article, now: datetime, *, conn: Connection | None = None) -> str:
        """Store the article as its story's next version unless it equals the latest one.
        Returns "written" (first version), "updated" (new version) or "unchanged"."""
        import hashlib

        body = article.to_dict()
        for volatile in ("version", "first_published", "updated", "usage"):
            body.pop(volatile)
        fingerprint = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        with self.begin(conn) as conn:
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

    def article_state(self, *, conn: Connection | None = None) -> dict[int, tuple[datetime, str, str]]:
        """Per story: when its latest article version was written, at which tier, by which writer."""
        q = select(articles.c.story_id, articles.c.written_at, articles.c.content).join(*newest(articles))
        with self.begin(conn) as conn:
            return {r.story_id: (r.written_at, r.content["tier"], r.content["writer"]) for r in conn.execute(q)}

    def latest_articles(self, *, conn: Connection | None = None) -> list[Article]:
        """The newest version of every story's article."""
        with self.begin(conn) as conn:
            return [Article.from_dict(row.content) for row in conn.execute(select(articles.c.content).join(*newest(articles)))]

    def articles_without_verification(self, *, conn: Connection | None = None) -> list[Article]:
        """Every article version not verified yet, oldest first."""
        with self.begin(conn) as conn:
            done = select(verifications.c.id).where(
                verifications.c.story_id == articles.c.story_id, verifications.c.version == articles.c.version
            )
            q = select(articles.c.content).where(~done.exists()).order_by(articles.c.story_id, articles.c.version)
            return [Article.from_dict(row.content) for row in conn.execute(q)]

    def save_verification(self, v: VerificationRecord, *, conn: Connection | None = None) -> None:
        with self.begin(conn) as conn:
            conn.execute(
                insert(verifications).values(
                    story_id=v.story_id,
                    version=v.version,
                    verified_at=v.verified_at or utcnow(),
                    status=v.status,
                    summary=v.summary,
                    claims=[c.to_dict() for c in v.claims],
                    published=v.published.to_dict() if v.published else None,
                )
            )

    def published_of(self, story_id: int, *, conn: Connection | None = None) -> Article | None:
        """The story's article as it may be published now (its newest verification that allows it)."""
        with self.begin(conn) as conn:
            row = conn.execute(
                select(verifications.c.published)
                .where(
                    verifications.c.story_id == story_id,
                    verifications.c.status == "publish",
                    verifications.c.published.is_not(None),
                )
                .order_by(verifications.c.version.desc())
                .limit(1)
            ).first()
            return Article.from_dict(row.published) if row and row.published else None

    def forget_verification(self, story_id: int, *, conn: Connection | None = None) -> None:
        """Drop the verification of a story's newest version, so the next verify checks it again
        (after an editor's verdict)."""
        with self.begin(conn) as conn:
            version = conn.execute(select(func.max(articles.c.version)).where(articles.c.story_id == story_id)).scalar()
            if version is not None:
                conn.execute(
                    delete(verifications).where(verifications.c.story_id == story_id, verifications.c.version == version)
                )

    def publishable(self, *, conn: Connection | None = None) -> list[VerificationRecord]:
        """Per story, the newest verification that lets a version be published (its ``published``
        article is set). A held newer version leaves the previous one up."""
        q = select(verifications).join(*newest(verifications, verifications.c.status == "publish"))
        with self.begin(conn) as conn:
            return [verification_row(r) for r in conn.execute(q).mappings()]

    def verification_of(self, story_id: int, version: int, *, conn: Connection | None = None) -> VerificationRecord | None:
        with self.begin(conn) as conn:
            row = (
                conn.execute(
                    select(verifications).where(verifications.c.story_id == story_id, verifications.c.version == version)
                )
                .mappings()
                .first()
            )
            return verification_row(row) if row else None
