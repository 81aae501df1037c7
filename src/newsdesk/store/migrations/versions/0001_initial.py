"""Initial schema: sources, stories, items, runs.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from newsdesk.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False, server_default="feed"),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("weight", sa.Float, nullable=False, server_default="1.0"),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("last_fetched_at", UTCDateTime),
        sa.Column("last_status", sa.String(32)),
        sa.Column("last_error", sa.Text),
        sa.Column("last_new_items", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
        sa.UniqueConstraint("url", name="uq_sources_url"),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.Column("last_seen", UTCDateTime, nullable=False),
        sa.Column("score", sa.Float, nullable=False, server_default="0"),
        sa.Column("tier", sa.String(16), nullable=False, server_default="brief"),
        sa.Column("breakdown", sa.JSON),
        sa.PrimaryKeyConstraint("id", name="pk_stories"),
    )
    op.create_index("ix_stories_status_last_seen", "stories", ["status", "last_seen"])
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, nullable=False),
        sa.Column("guid", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("canonical_url", sa.Text, nullable=False),
        sa.Column("outlet", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_origin", sa.String(16), nullable=False),
        sa.Column("author", sa.Text),
        sa.Column("published_at", UTCDateTime),
        sa.Column("fetched_at", UTCDateTime, nullable=False),
        sa.Column("engagement", sa.JSON),
        sa.Column("minhash", sa.LargeBinary),
        sa.Column("duplicate_of", sa.Integer),
        sa.Column("story_id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_items"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name="fk_items_source_id_sources", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["duplicate_of"], ["items.id"], name="fk_items_duplicate_of_items"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name="fk_items_story_id_stories"),
        sa.UniqueConstraint("source_id", "guid", name="uq_items_source_guid"),
    )
    op.create_index("ix_items_canonical_url", "items", ["canonical_url"])
    op.create_index("ix_items_story_id", "items", ["story_id"])
    op.create_index("ix_items_fetched_at", "items", ["fetched_at"])
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("command", sa.String(32), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime),
        sa.Column("summary", sa.JSON),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )


def downgrade() -> None:
    op.drop_table("runs")
    op.drop_table("items")
    op.drop_table("stories")
    op.drop_table("sources")
