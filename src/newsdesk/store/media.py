"""Media: charts, video prompts and snippets per verified article version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from newsdesk.records import MediaRecord, VerificationRecord
from newsdesk.store.articles import ArticlesQueries
from newsdesk.store.schema import media


class MediaQueries(ArticlesQueries):
    """Media is made for publishable article versions: this group builds on the articles group."""

    def publishable_without_media(self, *, conn: Connection | None = None) -> list[VerificationRecord]:
        with self.begin(conn) as conn:
            have = {(s, v) for s, v in conn.execute(select(media.c.story_id, media.c.version))}
        return [v for v in self.publishable() if (v.story_id, v.version) not in have]

    def save_media(
        self, story_id: int, version: int, when: datetime, made: MediaRecord, *, conn: Connection | None = None
    ) -> None:
        with self.begin(conn) as conn:
            conn.execute(insert(media).values(story_id=story_id, version=version, made_at=when, content=made.to_dict()))

    def media_of(self, story_id: int, version: int, *, conn: Connection | None = None) -> MediaRecord | None:
        with self.begin(conn) as conn:
            content = conn.execute(
                select(media.c.content).where(media.c.story_id == story_id, media.c.version == version)
            ).scalar_one_or_none()
            return MediaRecord.from_dict(content) if content else None
