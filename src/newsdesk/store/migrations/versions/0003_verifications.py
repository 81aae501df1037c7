"""Verifications: per article version, each claim's verdict and what may be published.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from newsdesk.store.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("verified_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("claims", sa.JSON, nullable=False),
        sa.Column("published", sa.JSON),
        sa.PrimaryKeyConstraint("id", name="pk_verifications"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name="fk_verifications_story_id_stories", ondelete="CASCADE"),
        sa.UniqueConstraint("story_id", "version", name="uq_verifications_story_version"),
    )


def downgrade() -> None:
    op.drop_table("verifications")
