"""Live chat: the queue and the conversations with a person, and their messages (store/live.py).

Revision ID: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_chats",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation", sa.String(128), nullable=False, index=True),
        sa.Column("region", sa.String(40), nullable=False, index=True),
        sa.Column("audience", sa.String(10)),
        sa.Column("channel", sa.String(30)),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("queued_at", sa.DateTime, nullable=False, index=True),
        sa.Column("claimed_at", sa.DateTime),
        sa.Column("ended_at", sa.DateTime),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id")),
        sa.Column("code_hash", sa.String(64)),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), index=True),
        sa.Column("transcript", sa.JSON),
        sa.Column("outcome", sa.String(20)),
        sa.Column("ended_by", sa.String(12)),
        sa.Column("user_seen_at", sa.DateTime),
        sa.Column("closed_at", sa.DateTime),
    )
    op.create_table(
        "live_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("chat_id", sa.Integer, sa.ForeignKey("live_chats.id"), nullable=False, index=True),
        sa.Column("sender", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id")),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("client_id", sa.String(64)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("chat_id", "client_id", name="uq_live_messages_client_id"),
    )


def downgrade() -> None:
    op.drop_table("live_messages")
    op.drop_table("live_chats")
