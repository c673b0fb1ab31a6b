"""Regions: every ticket belongs to one; every staff account to one or more, or all ("*").

Existing tickets belong to the default region; existing accounts keep seeing everything
(they did before regions existed), until an administrator limits them with staff.cli.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The deployment's default region, handed over by store/db.py (the migration reads no
    # settings itself, so it does the same wherever and whenever it runs).
    config = op.get_context().config
    default_region = config.attributes.get("default_region", "standaard") if config else "standaard"
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("region", sa.String(40), nullable=False, server_default=default_region))
        batch.create_index("ix_tickets_region", ["region"])
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("regions", sa.String(2000), nullable=False, server_default="*"))


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("regions")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_region")
        batch.drop_column("region")
