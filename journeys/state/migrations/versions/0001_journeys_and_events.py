"""The first schema: journeys (current state) and events (every change, for history and undo).

Stores made before versioning have these tables already, some without the change columns;
they get the missing columns and are then at this version like a new store.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

CHANGE_COLUMNS = ("change_id", "position", "undone_by")


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    tables = set(inspector.get_table_names())
    if "journeys" not in tables:
        op.create_table(
            "journeys",
            sa.Column("user_id", sa.Text, primary_key=True),
            sa.Column("journey_id", sa.Text, primary_key=True),
            sa.Column("position", sa.Integer, nullable=False),
            sa.Column("data", sa.Text, nullable=False),
        )
    if "events" not in tables:
        op.create_table(
            "events",
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("user_id", sa.Text, nullable=False),
            sa.Column("journey_id", sa.Text, nullable=False),
            sa.Column("at", sa.Text, nullable=False),
            sa.Column("action", sa.Text, nullable=False),
            sa.Column("before", sa.Text),
            sa.Column("after", sa.Text),
            *(sa.Column(name, sa.Integer) for name in CHANGE_COLUMNS),
            sqlite_autoincrement=True,
        )
        op.create_index("events_by_user", "events", ["user_id", "seq"])
        return
    present = {column["name"] for column in inspector.get_columns("events")}
    for name in CHANGE_COLUMNS:
        if name not in present:
            op.add_column("events", sa.Column(name, sa.Integer))
    if "events_by_user" not in {index["name"] for index in inspector.get_indexes("events")}:
        op.create_index("events_by_user", "events", ["user_id", "seq"])


def downgrade() -> None:
    op.drop_index("events_by_user", "events")
    op.drop_table("events")
    op.drop_table("journeys")
