"""Full-text search over published articles: ``search_docs`` (one row per article on the site),
indexed by an FTS5 table on SQLite (kept in step by triggers) or a weighted tsvector with a GIN
index on PostgreSQL. Filled at the next publish.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

from newsdesk.store.schema import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

FTS_COLUMNS = "headline, dek, body, tags"


def upgrade() -> None:
    op.create_table(
        "search_docs",
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("verification_id", sa.Integer, nullable=False),
        sa.Column("headline", sa.Text, nullable=False),
        sa.Column("headline_key", sa.Text, nullable=False),
        sa.Column("dek", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("published_at", UTCDateTime),
        sa.Column("tsv", sa.Text().with_variant(TSVECTOR(), "postgresql")),
    )
    op.create_index("ix_search_docs_headline_key", "search_docs", ["headline_key"])
    op.create_index("ix_search_docs_tsv", "search_docs", ["tsv"], postgresql_using="gin")
    if op.get_bind().dialect.name == "sqlite":
        # An external-content FTS5 index: the text lives once, in search_docs; the triggers keep
        # the index in step with every insert, delete and update there.
        op.execute(
            f"CREATE VIRTUAL TABLE search_fts USING fts5({FTS_COLUMNS}, content='search_docs', "
            "content_rowid='story_id', tokenize='porter unicode61 remove_diacritics 2')"
        )
        # Its rank: BM25 with a weight per column (headline, dek, body, tags).
        op.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0, 3.0)')")
        new = "new.story_id, new.headline, new.dek, new.body, new.tags"
        old = "'delete', old.story_id, old.headline, old.dek, old.body, old.tags"
        op.execute(
            f"CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN INSERT INTO search_fts(rowid, {FTS_COLUMNS}) VALUES ({new}); END"
        )
        op.execute(
            f"CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS}) VALUES ({old}); END"
        )
        op.execute(
            f"CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN "
            f"INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS}) VALUES ({old}); "
            f"INSERT INTO search_fts(rowid, {FTS_COLUMNS}) VALUES ({new}); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_docs_ai", "search_docs_ad", "search_docs_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_index("ix_search_docs_tsv", table_name="search_docs")
    op.drop_index("ix_search_docs_headline_key", table_name="search_docs")
    op.drop_table("search_docs")
