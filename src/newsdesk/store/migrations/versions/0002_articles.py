"""Articles: versioned, structured records written from stories.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from newsdesk.store.schema import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("written_at", UTCDateTime, nullable=False),
        sa.Column("writer", sa.String(32), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name="fk_articles_story_id_stories", ondelete="CASCADE"),
        sa.UniqueConstraint("story_id", "version", name="uq_articles_story_version"),
    )


def downgrade() -> None:
    op.drop_table("articles")
