"""Ticket codes already stored in signal texts are hidden.

Redaction did not know ticket codes before this revision, so a code a user typed in a question
("mijn code is K7MP-Q2XD") reached the signals and the analysts' export. A code opens a ticket
and its staff reply for whoever types it: analysts must never read one. The same rule as
redaction (steunpunt/codes.py code_spans, on steunpunt/identifiers.py's detection view).

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from steunpunt.identifiers import hide_codes

    connection = op.get_bind()
    signals = sa.table("signals", sa.column("id", sa.String), sa.column("text", sa.Text))
    rows = connection.execute(sa.select(signals.c.id, signals.c.text).where(signals.c.text.isnot(None))).all()
    for signal_id, text in rows:
        hidden = hide_codes(text)
        if hidden != text:
            connection.execute(sa.update(signals).where(signals.c.id == signal_id).values(text=hidden))


def downgrade() -> None:
    pass  # a hidden code is not brought back
