"""The store owns the schema and every query; stages talk to it through these methods.

SQLite is the embedded default; the same schema runs on PostgreSQL given a
``postgresql+psycopg://`` URL. Alembic migrations are applied when a store is opened.
"""

from __future__ import annotations

from pathlib import Path

from newsdesk.store.facts import FactsQueries
from newsdesk.store.media import MediaQueries
from newsdesk.store.metrics import MetricsQueries
from newsdesk.store.newsletter import NewsletterQueries
from newsdesk.store.rows import utcnow
from newsdesk.store.runs import RunsQueries
from newsdesk.store.schema import metadata
from newsdesk.store.search import SearchQueries
from newsdesk.store.service import ServiceQueries
from newsdesk.store.sources import SourcesQueries
from newsdesk.store.stories import StoriesQueries


def resolve_url(url: str, newsroom: Path) -> str:
    """Make a relative ``sqlite:///file.db`` URL relative to the newsroom folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != "sqlite:///:memory:":
        path = Path(url[len(prefix) :])
        if not path.is_absolute():
            return prefix + str((newsroom / path).resolve())
    return url


class Store(
    SourcesQueries,
    StoriesQueries,
    MediaQueries,
    FactsQueries,
    RunsQueries,
    ServiceQueries,
    NewsletterQueries,
    MetricsQueries,
    SearchQueries,
):
    """One facade over the table groups (``store/sources.py``, ``items.py``, ``stories.py``,
    ``articles.py`` with verifications, ``media.py``, ``facts.py``, ``runs.py``, ``service.py``); each group's queries
    live in its module. Stories build on items and media on articles; the rest stand alone."""


__all__ = ["Store", "metadata", "resolve_url", "utcnow"]
