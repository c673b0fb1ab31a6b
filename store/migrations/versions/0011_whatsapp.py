"""WhatsApp (issue 27): the sealed way back to a WhatsApp conversation for Meta's 24-hour window,
and the once-only keys that keep a redelivered message from being answered twice.

Revision ID: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "whatsapp_routes",
        sa.Column("conversation", sa.String(64), primary_key=True),
        sa.Column("phone_number_id", sa.String(40), nullable=False),
        sa.Column("wa_id", sa.Text, nullable=False),
        sa.Column("last_inbound_at", sa.DateTime, nullable=False, index=True),
    )
    op.create_table(
        "done_once",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("done_at", sa.DateTime, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("done_once")
    op.drop_table("whatsapp_routes")
