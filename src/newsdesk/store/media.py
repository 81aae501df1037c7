"""Media: charts, video prompts and snippets per verified article version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from newsdesk.records import Article
from newsdesk.store.articles import ArticlesQueries
from newsdesk.store.schema import media


class MediaQueries(ArticlesQueries):
    """Media is made for publishable article versions: this group builds on the articles group."""

    def publishable_without_media(self, *, conn: Connection | None = None) -> list[tuple[Article, list[dict[str, Any]]]]:
        with self.begin(conn) as conn:
            have = {(s, v) for s, v in conn.execute(select(media.c.story_id, media.c.version))}
        return [(a, claims) for a, _, claims in self.publishable() if (a.story_id, a.version) not in have]

    def save_media(
        self, story_id: int, version: int, when: datetime, content: dict[str, Any], *, conn: Connection | None = None
    ) -> None:
        with self.begin(conn) as conn:
            conn.execute(insert(media).values(story_id=story_id, version=version, made_at=when, content=content))

    def media_of(self, story_id: int, version: int, *, conn: Connection | None = None) -> dict[str, Any] | None:
        with self.begin(conn) as conn:
            return conn.execute(
                select(media.c.content).where(media.c.story_id == story_id, media.c.version == version)
            ).scalar_one_or_none()
