"""Replies (Reddit comments) follow their post; item metadata; enrichment facts.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from newsdesk.store.schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer))
        batch.add_column(sa.Column("meta", sa.JSON))
        batch.create_foreign_key("fk_items_parent_id_items", "items", ["parent_id"], ["id"])
    op.create_table(
        "facts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("metric", sa.String(32), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("number", sa.Float),
        sa.Column("as_of", UTCDateTime, nullable=False),
        sa.Column("source_url", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_facts"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name="fk_facts_story_id_stories", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name="fk_facts_item_id_items", ondelete="CASCADE"),
    )
    op.create_index("ix_facts_story_id", "facts", ["story_id"])


def downgrade() -> None:
    op.drop_index("ix_facts_story_id", "facts")
    op.drop_table("facts")
    with op.batch_alter_table("items") as batch:
        batch.drop_constraint("fk_items_parent_id_items", type_="foreignkey")
        batch.drop_column("meta")
        batch.drop_column("parent_id")
