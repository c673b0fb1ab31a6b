"""Draft topics from signals (issue 26, item 9): a group of unmet questions that an analyst marked
"nieuw onderwerp nodig" becomes a new topic's concept (a content version) and its redacted example
questions the draft training examples, kept here until a developer exports them
(`python -m staff.cli export-drafts`).

Revision ID: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topic_drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("topic_id", sa.String(80), nullable=False, unique=True),
        sa.Column("decision_id", sa.Integer, sa.ForeignKey("group_decisions.id")),
        sa.Column("examples", sa.JSON, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("staff.id")),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("topic_drafts")
