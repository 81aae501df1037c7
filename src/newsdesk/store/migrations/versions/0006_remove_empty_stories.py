"""Remove the empty stories (and their articles) that concurrent runs left before the run lock.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from newsdesk.store.stories import remove_empty_stories

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The tables that referred to stories at this revision (later ones do not exist yet).
    remove_empty_stories(op.get_bind(), ("facts", "media", "verifications", "articles"))


def downgrade() -> None:
    pass  # what was removed was a duplicate; nothing to restore
