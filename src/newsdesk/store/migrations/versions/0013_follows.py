"""Following topics: the tags and keywords each subscriber follows (``subscriber_follows``), the
subscriber's whole selection as one key (``subscribers.selection``: NULL for the daily issue),
and per issue the selection it was built for with the daily issue of its edition.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from newsdesk.store.schema import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscriber_follows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subscriber_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name="fk_subscriber_follows_subscriber_id_subscribers", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("subscriber_id", "kind", "key", name="uq_subscriber_follows_subscriber_id"),
    )
    op.create_index("ix_subscriber_follows_topic", "subscriber_follows", ["kind", "key"])
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("selection", sa.Text))
    op.create_index("ix_subscribers_selection", "subscribers", ["selection"])
    with op.batch_alter_table("newsletter_issues") as batch:
        batch.add_column(sa.Column("selection", sa.Text))
        batch.add_column(sa.Column("edition_id", sa.Integer))
        batch.create_foreign_key(
            "fk_newsletter_issues_edition_id_newsletter_issues", "newsletter_issues", ["edition_id"], ["id"], ondelete="CASCADE"
        )
    op.create_index("ix_newsletter_issues_edition_id", "newsletter_issues", ["edition_id"])


def downgrade() -> None:
    op.drop_index("ix_newsletter_issues_edition_id", table_name="newsletter_issues")
    with op.batch_alter_table("newsletter_issues") as batch:
        batch.drop_constraint("fk_newsletter_issues_edition_id_newsletter_issues", type_="foreignkey")
        batch.drop_column("edition_id")
        batch.drop_column("selection")
    op.drop_index("ix_subscribers_selection", table_name="subscribers")
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("selection")
    op.drop_index("ix_subscriber_follows_topic", table_name="subscriber_follows")
    op.drop_table("subscriber_follows")
