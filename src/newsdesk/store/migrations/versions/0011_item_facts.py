"""Typed facts read from outlets' sentences: subject, measure, value, unit, time, spans.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from newsdesk.store.schema import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_facts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("subject", sa.Text),
        sa.Column("measure", sa.String(64)),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("high", sa.Float),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("time", sa.String(64)),
        sa.Column("time_text", sa.Text),
        sa.Column("polarity", sa.String(8), nullable=False),
        sa.Column("modality", sa.String(16), nullable=False),
        sa.Column("approx", sa.Integer, nullable=False),
        sa.Column("qualifier", sa.String(32), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("sentence_start", sa.Integer, nullable=False),
        sa.Column("sentence_end", sa.Integer, nullable=False),
        sa.Column("read_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_item_facts_story_id", "item_facts", ["story_id"])
    op.create_index("ix_item_facts_item_id", "item_facts", ["item_id"])
    # Items read (with or without figures), so re-running enrich reads nothing twice.
    op.create_table(
        "item_facts_read",
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
        sa.Column("facts", sa.Integer, nullable=False),
        sa.Column("read_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_item_facts_read_story_id", "item_facts_read", ["story_id"])


def downgrade() -> None:
    op.drop_index("ix_item_facts_read_story_id", "item_facts_read")
    op.drop_table("item_facts_read")
    op.drop_index("ix_item_facts_item_id", "item_facts")
    op.drop_index("ix_item_facts_story_id", "item_facts")
    op.drop_table("item_facts")
