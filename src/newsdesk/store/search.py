"""Full-text search over the articles on the site: SQLite FTS5 (BM25, the headline weighted
most), or PostgreSQL's full-text search (a weighted tsvector, ``ts_rank_cd``). An article whose
headline is exactly the query comes first either way.

``sync_search`` keeps ``search_docs`` equal to what publish puts on the site (per story the
newest version its verification lets through, unless an editor holds it), touching only the
stories that changed; the publish stage calls it after each build.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Integer, Text, bindparam, delete, insert, select, text
from sqlalchemy.types import TypeEngine

from newsdesk.records import Article
from newsdesk.site import article_path
from newsdesk.store.base import StoreBase
from newsdesk.store.rows import chunks, newest
from newsdesk.store.schema import UTCDateTime, holds, search_docs, verifications

MAX_QUERY_CHARS = 200  # a search box's worth; longer queries are refused by the app
MAX_TERMS = 12  # words taken from a query: more only slows the index down
# A query matching more articles than this is "broad": ranking every match by BM25 costs ~8 ms
# at 10,000 articles (a third of all query time on the bench's mix, 5% of its queries), and for
# words most articles have the rank says little. Broad queries list the articles with the words
# in their headline first (ranked), then the rest newest first, as news searches sort.
BROAD_MATCHES = 1000
STOP_WORDS = frozenset(
    "a an and are as at be by for from has have he her his in is it its of on or that the their they this to was were "
    "will with".split()
)
WORD = re.compile(r"\w+", re.UNICODE)
# Snippet markers no article text holds (control characters): the text is escaped, then these
# become <mark> elements, so no source text reaches the page as HTML.
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"


def headline_key(value: str) -> str:
    """A headline or query as compared for an exact match: its words, lower case, one space apart."""
    return " ".join(WORD.findall(value.casefold()))


@dataclass
class SearchHit:
    story_id: int
    headline: str
    dek: str
    path: str
    published_at: datetime | None
    snippet: str  # HTML: escaped text with <mark> around the matched words

    def as_dict(self) -> dict[str, Any]:
        return {
            "story_id": self.story_id,
            "headline": self.headline,
            "dek": self.dek,
            "path": self.path,
            "published_at": self.published_at.isoformat() if self.published_at else None,
        }


def marked(snippet: str) -> str:
    return html.escape(snippet).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


def _fts_query(words: list[str], every: bool) -> str:
    """An FTS5 query of plain words, each quoted so that none is read as an operator or a column
    name: all of them, or any."""
    return (" AND " if every else " OR ").join(f'"{w}"' for w in words)


def query_words(query: str) -> list[str]:
    """The words a query is matched by: very common ones and single letters (the "s" of
    "Bieber's") are left out unless that leaves none, as every article has them and their lists
    are the longest to read."""
    words = WORD.findall(query.casefold())
    kept = [w for w in words if w not in STOP_WORDS and len(w) > 1] or words
    return list(dict.fromkeys(kept))[:MAX_TERMS]


class SearchQueries(StoreBase):
    def sync_search(self, *, conn: Connection | None = None) -> tuple[int, int]:
        """Bring the index in step with the site: (articles indexed anew or again, removed)."""
        with self.begin(conn) as conn:
            held = set(conn.execute(select(holds.c.story_id)).scalars())
            live, match = newest(verifications, verifications.c.status == "publish", verifications.c.published.is_not(None))
            wanted = {
                r.story_id: r.id
                for r in conn.execute(select(verifications.c.story_id, verifications.c.id).join(live, match))
                if r.story_id not in held
            }
            indexed = select(search_docs.c.story_id, search_docs.c.verification_id)
            have = {r.story_id: r.verification_id for r in conn.execute(indexed)}
            gone = [s for s in have if s not in wanted]
            changed = [s for s, row_id in wanted.items() if have.get(s) != row_id]
            for part in chunks(gone + changed):
                conn.execute(delete(search_docs).where(search_docs.c.story_id.in_(part)))
            for part in chunks(changed):
                rows = conn.execute(
                    select(verifications.c.id, verifications.c.published).where(verifications.c.id.in_([wanted[s] for s in part]))
                )
                docs = [_doc(Article.from_dict(r.published), r.id) for r in rows]
                if docs:
                    conn.execute(insert(search_docs), docs)
                    if self.engine.dialect.name == "postgresql":
                        conn.execute(
                            text(
                                "UPDATE search_docs SET tsv = setweight(to_tsvector('english', headline), 'A')"
                                " || setweight(to_tsvector('english', dek || ' ' || tags), 'B')"
                                " || setweight(to_tsvector('english', body), 'C') WHERE story_id = ANY(:ids)"
                            ),
                            {"ids": [d["story_id"] for d in docs]},
                        )
            return len(changed), len(gone)

    def search(
        self, query: str, limit: int = 20, offset: int = 0, *, conn: Connection | None = None, broad: int = BROAD_MATCHES
    ) -> list[SearchHit]:
        """Published articles with every word of ``query`` (failing that, any), best first; []
        for a query with no words. Articles whose headline is the query come before the rest.
        A query with more than ``broad`` matches: those with the words in the headline first
        (ranked), then the others newest first."""
        words = query_words(query)
        if not words:
            return []
        with self.begin(conn) as conn:
            # SQLite through the driver's own cursor: SQLAlchemy's statement and result handling
            # cost about a third of a query's time (three statements a search).
            reader = _Postgres(conn) if self.engine.dialect.name == "postgresql" else _Sqlite(conn.connection.driver_connection)
            return _page(reader, query, words, limit, offset, broad)

    def newest_matching(
        self, query: str, limit: int = 50, among: Iterable[int] | None = None, *, conn: Connection | None = None
    ) -> list[SearchHit]:
        """Published articles with every word of ``query``, newest first (a followed keyword: its
        feed, the newsletter's selection); ``among``: only these stories. [] for no words."""
        words = query_words(query)
        if not words:
            return []
        pg = self.engine.dialect.name == "postgresql"
        q = _pg_query(words, True) if pg else _fts_query(words, True)
        statement = _PG_NEWEST if pg else _SQLITE_NEWEST
        if among is not None:
            wanted = sorted(set(among))
            if not wanted:
                return []
            statement = _PG_NEWEST_AMONG if pg else _SQLITE_NEWEST_AMONG
        with self.begin(conn) as conn:
            params: dict[str, Any] = {"q": q, "n": limit}
            if among is not None:
                params["among"] = wanted
            return [_hit(r, "") for r in conn.execute(statement, params)]


def _hit(r: Any, snippet: str | None) -> SearchHit:
    return SearchHit(
        story_id=r.story_id,
        headline=r.headline,
        dek=r.dek,
        path=r.path,
        published_at=r.published_at,
        snippet=marked(snippet or ""),
    )


def _pg_query(words: list[str], every: bool) -> str:
    """The same for PostgreSQL's to_tsquery (words are letters and digits only: no operator)."""
    return (" & " if every else " | ").join(words)


def _clean(value: str) -> str:
    return value.replace(MARK_OPEN, " ").replace(MARK_CLOSE, " ")


def _doc(article: Article, verification_id: int) -> dict[str, Any]:
    body = _clean(" ".join(s.text for s in article.sentences()[1:]))
    return {
        "story_id": article.story_id,
        "version": article.version,
        "verification_id": verification_id,
        "headline": _clean(article.headline),
        "headline_key": headline_key(article.headline),
        "dek": _clean(article.dek.text),
        "body": body,
        "tags": " ".join(article.tags),
        "path": article_path(article),
        "published_at": article.first_published,
        "tsv": None,
    }


_RESULT: dict[str, TypeEngine[Any]] = {
    "story_id": Integer(),
    "headline": Text(),
    "dek": Text(),
    "path": Text(),
    "published_at": UTCDateTime(),
    "snippet": Text(),
}
_EXACT = (
    select(search_docs.c.story_id, search_docs.c.headline, search_docs.c.dek, search_docs.c.path, search_docs.c.published_at)
    .where(search_docs.c.headline_key == bindparam("key"))
    .order_by(search_docs.c.story_id)
)

# FTS5's rank is bm25 with a weight per column (migration 0012: headline 10, dek 4, body 1,
# tags 3): a word in the headline counts most. These run on the sqlite3 driver directly.
_RAW_EXACT = "SELECT story_id, headline, dek, path, published_at FROM search_docs WHERE headline_key = ? ORDER BY story_id"
_RAW_COUNT = "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?{exact}"
_RAW_SEARCH = f"""
SELECT d.story_id, d.headline, d.dek, d.path, d.published_at, f.snippet
FROM (
    SELECT rowid, snippet(search_fts, 2, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 24) AS snippet
    FROM search_fts WHERE search_fts MATCH ?{{exact}}{{rest}} LIMIT ?{{skip}}
) AS f JOIN search_docs AS d ON d.story_id = f.rowid
"""
_RANKED = " ORDER BY rank"
_NEWEST_NOT_IN_HEADLINE = " AND rowid NOT IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?) ORDER BY rowid DESC"


def _page(reader: _Sqlite | _Postgres, query: str, words: list[str], limit: int, offset: int, broad: int) -> list[SearchHit]:
    """``SearchQueries.search`` on either store."""
    exact = reader.exact(headline_key(query))
    hits = exact[offset : offset + limit]
    wanted = limit - len(hits)
    skip = max(0, offset - len(exact))
    ids = tuple(h.story_id for h in exact)
    for every in (True, False):
        if wanted <= 0:
            break
        q = reader.query(words, every)
        matches = reader.count(q, ())
        if matches <= broad:
            rows = reader.ranked(q, wanted, skip, ids) if matches else []
        else:  # headline matches ranked, then the rest newest first (story ids grow with time)
            headline_q = reader.in_headlines(words, every)
            in_headlines = reader.count(headline_q, ids)
            rows = reader.ranked(headline_q, wanted, skip, ids) if skip < in_headlines else []
            if len(rows) < wanted:
                rows += reader.newest(q, headline_q, wanted - len(rows), max(0, skip - in_headlines), ids)
        # Any word only when no article has every word: an exact headline has them all (falling
        # back past it read the index's longest lists, for padding).
        if rows or exact or len(words) == 1:
            hits += rows
            break
    return hits


class _Sqlite:
    """FTS5 through the sqlite3 driver. "rowid NOT IN" and "OFFSET" appear only when needed:
    together they made SQLite take about twice as long (1.7 ms against 0.9 ms, 3,000 articles)."""

    def __init__(self, raw: Any):
        self.raw = raw

    def exact(self, key: str) -> list[SearchHit]:
        return [self._hit(r, "") for r in self.raw.execute(_RAW_EXACT, (key,))]

    @staticmethod
    def query(words: list[str], every: bool) -> str:
        return _fts_query(words, every)

    def in_headlines(self, words: list[str], every: bool) -> str:
        return f"headline : ({self.query(words, every)})"

    def count(self, q: str, exclude: tuple[int, ...]) -> int:
        return int(self.raw.execute(_RAW_COUNT.format(exact=self._not_in(exclude)), (q, *exclude)).fetchone()[0])

    def ranked(self, q: str, n: int, skip: int, exclude: tuple[int, ...]) -> list[SearchHit]:
        return self._rows(q, _RANKED, (), n, skip, exclude)

    def newest(self, q: str, not_q: str, n: int, skip: int, exclude: tuple[int, ...]) -> list[SearchHit]:
        return self._rows(q, _NEWEST_NOT_IN_HEADLINE, (not_q,), n, skip, exclude)

    def _rows(self, q: str, rest: str, extra: tuple[Any, ...], n: int, skip: int, exclude: tuple[int, ...]) -> list[SearchHit]:
        sql = _RAW_SEARCH.format(exact=self._not_in(exclude), rest=rest, skip=" OFFSET ?" if skip else "")
        return [self._hit(r, r[5]) for r in self.raw.execute(sql, (q, *exclude, *extra, n, *((skip,) if skip else ())))]

    @staticmethod
    def _not_in(ids: tuple[int, ...]) -> str:
        return f" AND rowid NOT IN ({','.join('?' * len(ids))})" if ids else ""

    @staticmethod
    def _hit(r: Any, snippet: str) -> SearchHit:
        """A driver row: story_id, headline, dek, path, published_at as SQLite stores it."""
        when = datetime.fromisoformat(r[4]).replace(tzinfo=UTC) if r[4] else None
        return SearchHit(story_id=r[0], headline=r[1], dek=r[2], path=r[3], published_at=when, snippet=marked(snippet or ""))


class _Postgres:
    """PostgreSQL's full-text search: the tsvector's weight A is the headline."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def exact(self, key: str) -> list[SearchHit]:
        return [_hit(r, "") for r in self.conn.execute(_EXACT, {"key": key})]

    @staticmethod
    def query(words: list[str], every: bool) -> str:
        return _pg_query(words, every)

    @staticmethod
    def in_headlines(words: list[str], every: bool) -> str:
        return (" & " if every else " | ").join(f"{w}:A" for w in words)

    def count(self, q: str, exclude: tuple[int, ...]) -> int:
        return int(self.conn.execute(_PG_COUNT_BUT, {"q": q, "exact": list(exclude) or [-1]}).scalar_one())

    def ranked(self, q: str, n: int, skip: int, exclude: tuple[int, ...]) -> list[SearchHit]:
        params = {"q": q, "n": n, "skip": skip, "exact": list(exclude) or [-1]}
        return [_hit(r, r.snippet) for r in self.conn.execute(_PG_SEARCH, params)]

    def newest(self, q: str, not_q: str, n: int, skip: int, exclude: tuple[int, ...]) -> list[SearchHit]:
        params = {"q": q, "hq": not_q, "n": n, "skip": skip, "exact": list(exclude) or [-1]}
        return [_hit(r, r.snippet) for r in self.conn.execute(_PG_NEWEST_REST, params)]


_PG_SEARCH = (
    text(f"""
WITH q AS (SELECT to_tsquery('english', :q) AS query),
top AS (
    SELECT d.story_id, ts_rank_cd(d.tsv, q.query) AS score
    FROM search_docs AS d, q
    WHERE d.tsv @@ q.query AND d.story_id NOT IN :exact
    ORDER BY score DESC, d.story_id
    LIMIT :n OFFSET :skip
)
SELECT d.story_id, d.headline, d.dek, d.path, d.published_at,
       ts_headline('english', d.body, q.query,
                   'StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=30, MinWords=12, ShortWord=2') AS snippet
FROM top JOIN search_docs AS d ON d.story_id = top.story_id, q
ORDER BY top.score DESC, d.story_id
""")
    .columns(**_RESULT)
    .bindparams(bindparam("exact", expanding=True))
)

_PG_COUNT_BUT = text(
    "SELECT count(*) FROM search_docs WHERE tsv @@ to_tsquery('english', :q) AND story_id NOT IN :exact"
).bindparams(bindparam("exact", expanding=True))
_PG_NEWEST_REST = (
    text(f"""
SELECT d.story_id, d.headline, d.dek, d.path, d.published_at,
       ts_headline('english', d.body, to_tsquery('english', :q),
                   'StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=30, MinWords=12, ShortWord=2') AS snippet
FROM (
    SELECT story_id FROM search_docs
    WHERE tsv @@ to_tsquery('english', :q) AND NOT tsv @@ to_tsquery('english', :hq) AND story_id NOT IN :exact
    ORDER BY story_id DESC LIMIT :n OFFSET :skip
) AS top JOIN search_docs AS d ON d.story_id = top.story_id
ORDER BY d.story_id DESC
""")
    .columns(**_RESULT)
    .bindparams(bindparam("exact", expanding=True))
)


# A followed keyword: every word, newest first (no rank: a feed or a digest lists by date).
_NEWEST_COLUMNS: dict[str, TypeEngine[Any]] = {k: v for k, v in _RESULT.items() if k != "snippet"}
_SQLITE_NEWEST_SQL = """
SELECT d.story_id, d.headline, d.dek, d.path, d.published_at
FROM search_fts AS f JOIN search_docs AS d ON d.story_id = f.rowid
WHERE search_fts MATCH :q {among}
ORDER BY d.published_at DESC, d.story_id DESC LIMIT :n
"""
_PG_NEWEST_SQL = """
SELECT d.story_id, d.headline, d.dek, d.path, d.published_at
FROM search_docs AS d WHERE d.tsv @@ to_tsquery('english', :q) {among}
ORDER BY d.published_at DESC, d.story_id DESC LIMIT :n
"""
_SQLITE_NEWEST = text(_SQLITE_NEWEST_SQL.format(among="")).columns(**_NEWEST_COLUMNS)
_PG_NEWEST = text(_PG_NEWEST_SQL.format(among="")).columns(**_NEWEST_COLUMNS)
_SQLITE_NEWEST_AMONG = (
    text(_SQLITE_NEWEST_SQL.format(among="AND f.rowid IN :among"))
    .columns(**_NEWEST_COLUMNS)
    .bindparams(bindparam("among", expanding=True))
)
_PG_NEWEST_AMONG = (
    text(_PG_NEWEST_SQL.format(among="AND d.story_id IN :among"))
    .columns(**_NEWEST_COLUMNS)
    .bindparams(bindparam("among", expanding=True))
)
