"""Media: a chart, a video prompt and snippets per verified article version.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from newsdesk.store.schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("made_at", UTCDateTime, nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_media"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name="fk_media_story_id_stories", ondelete="CASCADE"),
        sa.UniqueConstraint("story_id", "version", name="uq_media_story_version"),
    )


def downgrade() -> None:
    op.drop_table("media")
