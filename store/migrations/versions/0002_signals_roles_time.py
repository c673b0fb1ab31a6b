"""Signals and their retained counts, staff roles, group decisions, minutes per ticket.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("role", sa.String(20), nullable=False, server_default="medewerker"))
    op.create_table(
        "signals",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("channel", sa.String(30)),
        sa.Column("audience", sa.String(10)),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(30)),
        sa.Column("content_id", sa.String(80)),
        sa.Column("candidates", sa.JSON),
        sa.Column("intents", sa.JSON),
        sa.Column("ticket", sa.String(20)),
        sa.Column("text", sa.Text),
    )
    op.create_table(
        "signal_counts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, nullable=False, index=True),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("audience", sa.String(10), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("content_id", sa.String(80), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.UniqueConstraint(
            "day",
            "channel",
            "audience",
            "region",
            "kind",
            "reason",
            "content_id",
            name="uq_signal_counts_key",
        ),
    )
    op.create_table(
        "group_decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("topic_id", sa.String(80)),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("signal_ids", sa.JSON, nullable=False),
    )
    op.create_table(
        "ticket_time",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), nullable=False, index=True),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("ticket_time", "group_decisions", "signal_counts", "signals"):
        op.drop_table(table)
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("role")
