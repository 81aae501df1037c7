"""Each source's own schedule for `newsdesk watch`: next fetch, interval, failures in a row.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from newsdesk.store.schema import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("next_fetch_at", UTCDateTime))
        batch.add_column(sa.Column("interval_seconds", sa.Float))
        batch.add_column(sa.Column("failures", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("failures")
        batch.drop_column("interval_seconds")
        batch.drop_column("next_fetch_at")
