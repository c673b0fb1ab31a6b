"""Audit entries for changes that belong to no ticket (e.g. a region's facts, issue 26).

Why its own module: tickets (store/tickets.py), accounts and live chat write their entries in
their own transactions; a change to content files has no table of its own, only this line.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine

from steunpunt.clock import now
from store.schema import audit_log


def write(
    connection: Connection,
    staff_id: Optional[int],
    action: str,
    detail: str,
    at: datetime,
    ticket_id: Optional[int] = None,
) -> None:
    """One audit line inside the caller's transaction (so the change and its entry commit
    together): who, what, a detail without personal data, when, and the ticket if any."""
    connection.execute(
        insert(audit_log).values(
            staff_id=staff_id, action=action, ticket_id=ticket_id, detail=detail, created_at=at
        )
    )


def record(engine: Engine, staff_id: Optional[int], action: str, detail: str) -> None:
    """One audit line in a transaction of its own, for a change with no table of its own."""
    with engine.begin() as connection:
        write(connection, staff_id, action, detail[:2000], now())


def entries(engine: Engine, action: str, limit: int = 50) -> List[Dict[str, Any]]:
    """The newest audit lines of one action, newest first."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_log).where(audit_log.c.action == action).order_by(audit_log.c.id.desc()).limit(limit)
        ).mappings()
        return [dict(row) for row in rows]
