"""Tickets remember their conversations, as keyed hashes, so erasing a ticket reaches Rasa's
tracker store (store/conversations.py).

Tickets made before this revision have no conversations recorded: erasing one still clears the
ticket and its signal, but cannot find its conversations (they leave the tracker store after
the tracker retention period, 30 days by default).

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_conversations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("conversation", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("ticket_id", "conversation", name="uq_ticket_conversations"),
    )
    op.create_index("ix_ticket_conversations_ticket_id", "ticket_conversations", ["ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_ticket_conversations_ticket_id", "ticket_conversations")
    op.drop_table("ticket_conversations")
