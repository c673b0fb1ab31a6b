"""Editorial versions of the content files (staff "Teksten", issue 26). The role `redacteur` is
a value of staff.role (a plain string checked in store/accounts.py): no schema change.

Revision ID: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("topic_id", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("staff.id")),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("submitted_at", sa.DateTime),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("staff.id")),
        sa.Column("reviewed_at", sa.DateTime),
        sa.Column("remark", sa.Text),
        sa.Column("restored_from", sa.Integer),
    )


def downgrade() -> None:
    op.drop_table("content_versions")
