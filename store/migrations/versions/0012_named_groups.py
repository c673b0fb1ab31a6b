"""Groups of unmet questions that analysts steer (issue 29): a group's name, and which questions
an analyst merged or moved into it, kept from month to month.

Revision ID: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "named_groups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("regions", sa.JSON, nullable=False),
    )
    op.create_table(
        "named_group_members",
        sa.Column("signal_id", sa.String(32), primary_key=True),
        sa.Column("group_id", sa.Integer, sa.ForeignKey("named_groups.id"), nullable=False, index=True),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("moved", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_table("named_group_members")
    op.drop_table("named_groups")
