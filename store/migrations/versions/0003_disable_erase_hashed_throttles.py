"""Staff accounts can be disabled; tickets can be erased on request; throttle keys are hashed.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("disabled_at", sa.DateTime))
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime))
    # Throttle rows were keyed by plain text; they are now keyed by its SHA-256 and the old
    # rows would never be read again. They hold at most an hour of counts.
    op.execute("DELETE FROM attempts")


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("erased_at")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("disabled_at")
