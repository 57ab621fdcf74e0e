"""Which users `journeys batch` has finished, and on what: a rerun skips them (resumable, idempotent).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch_done",
        sa.Column("user_id", sa.Text, primary_key=True),
        # What the user's journeys were found from: their activities and the settings (journeys.batch).
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("batch_done")
