"""Handoff tickets: created by the chat, handled by staff, read back by code.

Every write commits before it returns, so a ticket the user was told about already exists
on disk (or in PostgreSQL) when the confirmation is sent. Every staff change is written to
the audit log in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from datetime import date, datetime, timedelta
from typing import Any, Dict, List, Optional, Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from store import throttle
from store.codes import code_hash, new_code, normalise
from store.schema import STATUSES, audit_log, staff, ticket_notes, ticket_time, tickets

CODE_FREE_FAILURES = 3       # wrong codes per conversation before slowing down
CODE_GLOBAL_FREE_FAILURES = 50  # wrong codes across all conversations per hour


def ticket_number(ticket_id: int) -> str:
    """What users and staff call a ticket, e.g. SP-00042."""
    return f"SP-{ticket_id:05d}"


def now() -> datetime:
    return datetime.utcnow().replace(microsecond=0)


def day_range(since: Optional[date], until: Optional[date]):
    """Whole days since..until (inclusive, UTC) as [start, end) datetimes; None stays open."""
    start = datetime.combine(since, datetime.min.time()) if since else None
    end = datetime.combine(until, datetime.min.time()) + timedelta(days=1) if until else None
    return start, end


@dataclass(frozen=True)
class NewTicket:
    number: str
    code: Optional[str]  # shown once to the user; only its hash is stored


@dataclass(frozen=True)
class CodeLookup:
    ticket: Optional[Dict[str, Any]]
    wait_seconds: int = 0  # > 0: too many wrong codes, nothing was looked up


class TicketStore:
    def __init__(self, engine: Engine, secret: bytes) -> None:
        self.engine = engine
        self.secret = secret

    # --- created by the chat -------------------------------------------------------------
    def create(self, *, audience: Optional[str], channel: Optional[str],
               topic_guess: Sequence[Dict[str, Any]], transcript: Sequence[Dict[str, Any]],
               description: Optional[str], contact: Optional[str]) -> NewTicket:
        """Store a new ticket; it gets a code unless a parent left contact data."""
        code = None if contact else new_code()
        stamp = now()
        with self.engine.begin() as connection:
            result = connection.execute(insert(tickets).values(
                code_hash=code_hash(normalise(code), self.secret) if code else None,
                status=STATUSES[0], audience=audience, channel=channel,
                topic_guess=list(topic_guess), transcript=list(transcript),
                description=description, contact=contact, created_at=stamp, updated_at=stamp,
            ))
            ticket_id = result.inserted_primary_key[0]
        return NewTicket(number=ticket_number(ticket_id), code=code)

    def lookup_code(self, typed: str, conversation: str) -> CodeLookup:
        """The ticket for a typed code. Wrong and unknown codes look the same to the user,
        and repeated wrong codes (per conversation, and across all) are slowed down."""
        stamp = now()
        keys = (f"code:{conversation}", CODE_FREE_FAILURES), ("code:*", CODE_GLOBAL_FREE_FAILURES)
        wait = max(throttle.wait_seconds(self.engine, key, free, stamp) for key, free in keys)
        if wait:
            return CodeLookup(ticket=None, wait_seconds=wait)
        code = normalise(typed)
        row = None
        if code:
            with self.engine.connect() as connection:
                row = connection.execute(
                    select(tickets).where(tickets.c.code_hash == code_hash(code, self.secret))
                ).mappings().first()
        if row is None:
            for key, _ in keys:
                throttle.record_failure(self.engine, key, stamp)
            return CodeLookup(ticket=None)
        throttle.reset(self.engine, keys[0][0])
        return CodeLookup(ticket=dict(row))

    # --- read by staff ---------------------------------------------------------------------
    def get(self, ticket_id: int) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(tickets, staff.c.username.label("assigned_name"))
                .select_from(tickets.outerjoin(staff, tickets.c.assigned_to == staff.c.id))
                .where(tickets.c.id == ticket_id)
            ).mappings().first()
        return dict(row) if row else None

    def search(self, status: Optional[str] = None, audience: Optional[str] = None,
               topic: Optional[str] = None, since: Optional[date] = None,
               until: Optional[date] = None, limit: int = 200) -> List[Dict[str, Any]]:
        """The queue: newest first, filtered by status, audience, topic guess and date."""
        query = select(tickets).order_by(tickets.c.created_at.desc(), tickets.c.id.desc())
        if status:
            query = query.where(tickets.c.status == status)
        if audience:
            query = query.where(tickets.c.audience == audience)
        start, end = day_range(since, until)
        if start:
            query = query.where(tickets.c.created_at >= start)
        if end:
            query = query.where(tickets.c.created_at < end)
        with self.engine.connect() as connection:
            rows = [dict(r) for r in connection.execute(query).mappings()]
        if topic:  # JSON filtering differs per database; the queue is small, filter here
            rows = [r for r in rows if topic in [g.get("topic") for g in r["topic_guess"] or []]]
        return rows[:limit]

    def counts(self) -> Dict[str, int]:
        with self.engine.connect() as connection:
            found = dict(connection.execute(
                select(tickets.c.status, func.count()).group_by(tickets.c.status)).all())
        return {status: found.get(status, 0) for status in STATUSES}

    def notes(self, ticket_id: int) -> List[Dict[str, Any]]:
        return self._rows(ticket_notes, ticket_notes.c.ticket_id == ticket_id)

    def audit_entries(self, ticket_id: int) -> List[Dict[str, Any]]:
        return self._rows(audit_log, audit_log.c.ticket_id == ticket_id)

    def _rows(self, table, condition) -> List[Dict[str, Any]]:
        query = (select(table, staff.c.username).select_from(
            table.outerjoin(staff, table.c.staff_id == staff.c.id))
            .where(condition).order_by(table.c.created_at, table.c.id))
        with self.engine.connect() as connection:
            return [dict(r) for r in connection.execute(query).mappings()]

    # --- changed by staff, always audited ----------------------------------------------------
    def _change(self, connection: Connection, ticket_id: int, staff_id: int, action: str,
                detail: str, **values: Any) -> None:
        stamp = now()
        changed = connection.execute(update(tickets).where(tickets.c.id == ticket_id)
                                     .values(updated_at=stamp, **values)).rowcount
        if not changed:
            raise KeyError(ticket_id)
        connection.execute(insert(audit_log).values(staff_id=staff_id, action=action,
                                                    ticket_id=ticket_id, detail=detail,
                                                    created_at=stamp))

    def assign(self, ticket_id: int, staff_id: int) -> None:
        with self.engine.begin() as connection:
            self._change(connection, ticket_id, staff_id, "toegewezen", "", assigned_to=staff_id)

    def set_status(self, ticket_id: int, status: str, staff_id: int) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self.engine.begin() as connection:
            self._change(connection, ticket_id, staff_id, "status", status, status=status)

    def reply(self, ticket_id: int, text: str, staff_id: int) -> None:
        with self.engine.begin() as connection:
            self._change(connection, ticket_id, staff_id, "antwoord", text, reply=text,
                         replied_at=now())

    def add_minutes(self, ticket_id: int, minutes: int, staff_id: int) -> None:
        """Time spent on a ticket ("tijdsinvestering"), reported to the samenwerkingsverband."""
        if not 1 <= minutes <= 600:
            raise ValueError("Vul een aantal minuten in tussen 1 en 600.")
        with self.engine.begin() as connection:
            self._change(connection, ticket_id, staff_id, "tijd", f"{minutes} minuten")
            connection.execute(insert(ticket_time).values(
                ticket_id=ticket_id, staff_id=staff_id, minutes=minutes, created_at=now()))

    def minutes(self, ticket_id: int) -> int:
        with self.engine.connect() as connection:
            return connection.execute(select(func.coalesce(func.sum(ticket_time.c.minutes), 0))
                                      .where(ticket_time.c.ticket_id == ticket_id)).scalar_one()

    def handling(self, since: date, until: date) -> Dict[str, Any]:
        """Tickets made in the period: how many, how many still open now, hours to the first
        staff reply (median), and the minutes staff recorded on them."""
        start, end = day_range(since, until)
        with self.engine.connect() as connection:
            made = connection.execute(select(tickets.c.id, tickets.c.status, tickets.c.created_at)
                                      .where(tickets.c.created_at >= start, tickets.c.created_at < end)).all()
            ids = [row.id for row in made]
            first_replies = dict(connection.execute(
                select(audit_log.c.ticket_id, func.min(audit_log.c.created_at))
                .where(audit_log.c.action == "antwoord", audit_log.c.ticket_id.in_(ids))
                .group_by(audit_log.c.ticket_id)).all()) if ids else {}
            minutes = connection.execute(select(func.coalesce(func.sum(ticket_time.c.minutes), 0))
                                         .where(ticket_time.c.ticket_id.in_(ids))).scalar_one() if ids else 0
        waits = [(first_replies[row.id] - row.created_at).total_seconds() / 3600
                 for row in made if row.id in first_replies]
        return {"tickets": len(made), "open": sum(row.status != STATUSES[-1] for row in made),
                "replied": len(waits), "median_hours_to_reply": median(waits) if waits else None,
                "minutes": int(minutes)}

    def add_note(self, ticket_id: int, text: str, staff_id: int) -> None:
        with self.engine.begin() as connection:
            self._change(connection, ticket_id, staff_id, "notitie", text)
            connection.execute(insert(ticket_notes).values(
                ticket_id=ticket_id, staff_id=staff_id, text=text, created_at=now()))

