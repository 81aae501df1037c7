"""One helpful vote per reader and article (a keyed hash of the reader's random voter token,
never who they are), and when each mailbox was last sent a confirmation (at most one an hour).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from newsdesk.store.schema import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("voter", sa.String(64)))
    # Unique: a reader's second vote on an article replaces the first (reports have no voter).
    op.create_index("ix_feedback_voter", "feedback", ["story_id", "voter"], unique=True)
    op.create_index("ix_feedback_client", "feedback", ["story_id", "client"])
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("confirmation_sent_at", UTCDateTime))
        batch.add_column(sa.Column("mailbox", sa.String(320)))
    op.create_index("ix_subscribers_mailbox", "subscribers", ["mailbox"])


def downgrade() -> None:
    op.drop_index("ix_subscribers_mailbox", table_name="subscribers")
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("mailbox")
        batch.drop_column("confirmation_sent_at")
    op.drop_index("ix_feedback_client", table_name="feedback")
    op.drop_index("ix_feedback_voter", table_name="feedback")
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("voter")
