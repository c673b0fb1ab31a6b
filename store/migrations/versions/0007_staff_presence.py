"""Staff presence for live chat: who switched "Beschikbaar voor chat" on, since when, and when
their staff app was last used (store/presence.py; idle or logged-out staff do not count).

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_presence",
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), primary_key=True),
        sa.Column("since", sa.DateTime, nullable=False),
        sa.Column("last_seen", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("staff_presence")
