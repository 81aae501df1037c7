"""The live service: readers' feedback, editors, their verdicts, corrections, holds, the audit log.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from newsdesk.store.schema import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("helpful", sa.Integer),
        sa.Column("sentence", sa.Integer),
        sa.Column("sentence_text", sa.Text),
        sa.Column("reason", sa.String(32)),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("resolved_at", UTCDateTime),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name="fk_feedback_story_id_stories", ondelete="CASCADE"),
    )
    op.create_index("ix_feedback_story_id", "feedback", ["story_id"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", UTCDateTime),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "editor_verdicts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("claim_text", sa.Text, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("editor", sa.String(64), nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name="fk_editor_verdicts_story_id_stories", ondelete="CASCADE"),
    )
    op.create_index("ix_editor_verdicts_story_id", "editor_verdicts", ["story_id"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("editor", sa.String(64), nullable=False),
        sa.Column("published_at", UTCDateTime, nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name="fk_corrections_story_id_stories", ondelete="CASCADE"),
    )
    op.create_index("ix_corrections_story_id", "corrections", ["story_id"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("editor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("story_id", sa.Integer),
        sa.Column("detail", sa.JSON),
    )
    op.create_table(
        "holds",
        sa.Column("story_id", sa.Integer, primary_key=True),
        sa.Column("editor", sa.String(64), nullable=False),
        sa.Column("held_at", UTCDateTime, nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name="fk_holds_story_id_stories", ondelete="CASCADE"),
    )


def downgrade() -> None:
    for table in ("holds", "audit", "corrections", "editor_verdicts", "users", "feedback"):
        op.drop_table(table)
