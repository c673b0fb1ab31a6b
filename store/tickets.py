"""Handoff tickets: created by the chat, handled by staff, read back by code.

Every write commits before it returns, so a ticket the user was told about already exists
on disk (or in PostgreSQL) when the confirmation is sent. Every staff change is written to
the audit log in the same transaction.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import Any, Collection, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import Text, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from steunpunt import settings
from steunpunt.clients import UNKNOWN
from steunpunt.clock import day_range, now
from steunpunt.codes import code_hash as hash_code, code_spans, new_code, normalise
from steunpunt.identifiers import detection_view, replace_spans
from store import conversations, throttle
from store.schema import (
    STATUSES,
    audit_log,
    live_chats,
    live_messages,
    signals,
    staff,
    ticket_conversations,
    ticket_notes,
    ticket_time,
    tickets,
    whatsapp_routes,
)

CODE_FREE_FAILURES = 3  # wrong codes per conversation before slowing down
CODE_CLIENT_FREE_FAILURES = 10  # wrong codes per client address (a shared school network)
CODE_GLOBAL_ALARM = 200  # wrong codes across all clients within an hour: log an alarm
CODE_FAIL_CLOSED_SECONDS = 60  # when the database cannot count, nobody may try for a minute
#: What an erased ticket's live chat keeps of its conversation: nothing ("#": forgotten, as
#: store/live.py marks a sender id it replaced with its hash).
ERASED_CONVERSATION = "#"
logger = logging.getLogger(__name__)


def ticket_number(ticket_id: int) -> str:
    """What users and staff call a ticket, e.g. SP-00042."""
    return f"SP-{ticket_id:05d}"


def in_regions(regions: Optional[Collection[str]], column=tickets.c.region) -> list:
    """The WHERE condition that keeps rows (tickets, or any table with a region column) to
    these regions; none for None: every region."""
    return [] if regions is None else [column.in_(sorted(regions))]


def of_channel(channel: Optional[str], column=tickets.c.channel) -> list:
    """The WHERE condition that keeps rows (tickets, signals, live chats) to the ones that came
    in on this channel ("socketio", "whatsapp", "rest"); none for None: every channel."""
    return [] if channel is None else [column == channel]


@dataclass(frozen=True)
class NewTicket:
    number: str
    code: Optional[str]  # shown once to the user; only its hash is stored
    id: int = 0


@dataclass(frozen=True)
class Erased:
    """What erasing a ticket reached besides the ticket itself."""

    conversations: int  # conversations deleted from Rasa's tracker store
    tracker_events: int
    signals: int  # signals whose text and ticket number were blanked (the rows stay)


@dataclass(frozen=True)
class CodeLookup:
    ticket: Optional[Dict[str, Any]]
    wait_seconds: int = 0  # > 0: too many wrong codes, nothing was looked up


class TicketStore:
    """Tickets in the database. A store made `for_regions` reads, counts and changes only
    those regions' tickets: the staff app gives every request the store of its account, so a
    ticket of another region does not exist for it, whatever number is typed in a URL. Made
    `for_channel` as well, it keeps to the tickets of one channel (an analyst's ?kanaal=)."""

    def __init__(
        self,
        engine: Engine,
        secret: bytes,
        regions: Optional[Collection[str]] = None,
        tracker_db: Optional[str] = None,
        channel: Optional[str] = None,
    ) -> None:
        self.engine = engine
        self.secret = secret
        self.regions = None if regions is None else frozenset(regions)
        self.channel = channel
        #: Rasa's tracker store (a SQLite path or a URL) that erase() wipes conversations from;
        #: None: settings.TRACKER_DB.
        self.tracker_db = tracker_db

    def for_regions(self, regions: Optional[Collection[str]]) -> TicketStore:
        """The same store, limited to these regions (None: every region)."""
        return TicketStore(self.engine, self.secret, regions, self.tracker_db, self.channel)

    def for_channel(self, channel: Optional[str]) -> TicketStore:
        """The same store, limited to the tickets made on this channel (None: every channel)."""
        return TicketStore(self.engine, self.secret, self.regions, self.tracker_db, channel)

    def _mine(self) -> list:
        return in_regions(self.regions) + of_channel(self.channel)

    # --- created by the chat -------------------------------------------------------------
    def create(
        self,
        *,
        audience: Optional[str],
        channel: Optional[str],
        topic_guess: Sequence[Dict[str, Any]],
        transcript: Sequence[Dict[str, Any]],
        description: Optional[str],
        contact: Optional[str],
        region: Optional[str] = None,
        conversation: Optional[str] = None,
        code_hash: Optional[str] = None,
        assigned_to: Optional[int] = None,
        status: str = STATUSES[0],
    ) -> NewTicket:
        """Store a new ticket; it gets a code unless a parent left contact data. Numbers and
        codes are unique across regions: one table, one sequence. `conversation` is Rasa's
        sender id of the chat that made it: remembered (as a keyed hash), so erasing the ticket
        erases the conversation too.

        A live chat (store/live.py) gave its user a code when they joined the queue: its hash
        comes as `code_hash` (no new code then), with the staff member who handled it and the
        status they chose."""
        code = None if contact or code_hash else new_code()
        # What is hashed is the canonical form (no hyphen), as lookups normalise what is typed.
        canonical = normalise(code) if code else None
        if code and canonical is None:  # new_code() makes valid codes only: a bug, never a ticket
            raise ValueError("new_code() made a code that normalise() does not accept")
        stamp = now()
        with self.engine.begin() as connection:
            result = connection.execute(
                insert(tickets).values(
                    code_hash=code_hash or (hash_code(canonical, self.secret) if canonical else None),
                    status=status,
                    assigned_to=assigned_to,
                    audience=audience,
                    channel=channel,
                    topic_guess=list(topic_guess),
                    transcript=list(transcript),
                    description=description,
                    contact=contact,
                    created_at=stamp,
                    updated_at=stamp,
                    region=region or settings.DEFAULT_REGION,
                )
            )
            ticket_id = result.inserted_primary_key[0]
            if conversation:
                connection.execute(
                    insert(ticket_conversations).values(
                        ticket_id=ticket_id,
                        created_at=stamp,
                        conversation=conversations.conversation_key(conversation, self.secret),
                    )
                )
        return NewTicket(number=ticket_number(ticket_id), code=code, id=ticket_id)

    def _remember_conversation(self, ticket_id: int, conversation: str) -> None:
        """Link a conversation that read the ticket back (once per conversation)."""
        key = conversations.conversation_key(conversation, self.secret)
        with self.engine.begin() as connection:
            known = connection.execute(
                select(ticket_conversations.c.id).where(
                    ticket_conversations.c.ticket_id == ticket_id, ticket_conversations.c.conversation == key
                )
            ).first()
            if known is None:
                # IntegrityError: the same conversation, at the same moment, elsewhere.
                with suppress(IntegrityError):
                    connection.execute(
                        insert(ticket_conversations).values(
                            ticket_id=ticket_id, conversation=key, created_at=now()
                        )
                    )

    def may_create(self, client: str) -> bool:
        """At most settings.TICKETS_PER_CLIENT_HOUR tickets per client (address key: an IPv6 /64
        is one client) and settings.TICKETS_PER_HOUR from all clients together per hour,
        counted before the ticket is made, so a flood cannot fill the staff queue, not even
        from many addresses. Reaching the overall cap is an alarm in the log (once per hour,
        without anything about the client); a client refused on its own limit does not count
        towards it."""
        stamp = now()
        if (
            throttle.count_in_window(self.engine, f"tickets-client:{client}", stamp)
            > settings.TICKETS_PER_CLIENT_HOUR
        ):
            return False
        made = throttle.count_in_window(self.engine, "tickets:*", stamp)
        if made == settings.TICKETS_PER_HOUR + 1:
            logger.warning(
                "ALARM: more than %d handoff tickets within an hour across all clients; "
                "further tickets are refused until the hour is over",
                settings.TICKETS_PER_HOUR,
            )
        return made <= settings.TICKETS_PER_HOUR

    def lookup_code(self, typed: str, conversation: str, client: str = UNKNOWN) -> CodeLookup:
        """The ticket for a typed code. Wrong and unknown codes look the same to the user.

        Repeated wrong codes are slowed down per conversation and per client (address key), so
        rotating conversation ids does not help. Every attempt is counted before the lookup and
        taken back when the code was right; across all clients the count is an alarm in the log,
        not a lock on everyone. Any database error means "try later": the limit fails closed."""
        stamp = now()
        keys = (
            (f"code:{conversation}", CODE_FREE_FAILURES),
            (f"code-client:{client}", CODE_CLIENT_FREE_FAILURES),
        )
        try:
            wait = max(throttle.wait_seconds(self.engine, key, free, stamp) for key, free in keys)
            if wait:
                return CodeLookup(ticket=None, wait_seconds=wait)
            for key, _ in keys:
                throttle.record_failure(self.engine, key, stamp)
            if throttle.record_failure(self.engine, "code:*", stamp) == CODE_GLOBAL_ALARM:
                logger.warning(
                    "ALARM: %d wrong ticket codes within an hour across all clients", CODE_GLOBAL_ALARM
                )
            code = normalise(typed)
            row = None
            if code:
                with self.engine.connect() as connection:
                    row = (
                        connection.execute(
                            select(tickets).where(tickets.c.code_hash == hash_code(code, self.secret))
                        )
                        .mappings()
                        .first()
                    )
            if row is None:
                return CodeLookup(ticket=None)
            throttle.reset(self.engine, keys[0][0])
            throttle.forgive(self.engine, keys[1][0])
            throttle.forgive(self.engine, "code:*")
            # This conversation now holds the staff reply: erasing the ticket must reach it.
            self._remember_conversation(row["id"], conversation)
            return CodeLookup(ticket=dict(row))
        except SQLAlchemyError as error:
            logger.error("code check failed closed: %s", type(error).__name__)
            return CodeLookup(ticket=None, wait_seconds=CODE_FAIL_CLOSED_SECONDS)

    # --- read by staff ---------------------------------------------------------------------
    def get(self, ticket_id: int) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as connection:
            row = (
                connection.execute(
                    select(tickets, staff.c.username.label("assigned_name"))
                    .select_from(tickets.outerjoin(staff, tickets.c.assigned_to == staff.c.id))
                    .where(tickets.c.id == ticket_id, *self._mine())
                )
                .mappings()
                .first()
            )
        return dict(row) if row else None

    #: What the queue shows of a ticket; transcripts and descriptions stay on the ticket page.
    QUEUE_COLUMNS = (
        tickets.c.id,
        tickets.c.status,
        tickets.c.audience,
        tickets.c.channel,
        tickets.c.topic_guess,
        tickets.c.created_at,
        tickets.c.assigned_to,
        tickets.c.description,
        tickets.c.region,
    )

    def search(
        self,
        status: Optional[str] = None,
        audience: Optional[str] = None,
        topic: Optional[str] = None,
        since: Optional[date] = None,
        until: Optional[date] = None,
        limit: int = 50,
        offset: int = 0,
        with_transcripts: bool = False,
    ) -> List[Dict[str, Any]]:
        """One page of the queue: newest first, filtered by status, audience, topic guess and
        date, without transcripts unless asked; erased tickets are left out."""
        columns = (tickets,) if with_transcripts else self.QUEUE_COLUMNS
        query = (
            select(*columns)
            .where(tickets.c.erased_at.is_(None), *self._mine())
            .order_by(tickets.c.created_at.desc(), tickets.c.id.desc())
        )
        if status:
            query = query.where(tickets.c.status == status)
        if audience:
            query = query.where(tickets.c.audience == audience)
        start, end = day_range(since, until)
        if start:
            query = query.where(tickets.c.created_at >= start)
        if end:
            query = query.where(tickets.c.created_at < end)
        if topic:  # JSON filtering differs per database: match the text, then check exactly
            query = query.where(tickets.c.topic_guess.cast(Text).contains(f'"{topic}"'))
        with self.engine.connect() as connection:
            rows = [dict(r) for r in connection.execute(query.offset(max(0, offset)).limit(limit)).mappings()]
        return [r for r in rows if not topic or topic in [g.get("topic") for g in r["topic_guess"] or []]]

    def counts(self) -> Dict[str, int]:
        with self.engine.connect() as connection:
            found = dict(
                connection.execute(
                    select(tickets.c.status, func.count())
                    .where(tickets.c.erased_at.is_(None), *self._mine())
                    .group_by(tickets.c.status)
                ).all()
            )
        return {status: found.get(status, 0) for status in STATUSES}

    def _of_mine(self, ticket_column) -> list:
        """Rows belonging to a ticket of this store's regions (and channel) only (every region
        and channel: no condition)."""
        mine = self._mine()
        return [ticket_column.in_(select(tickets.c.id).where(*mine))] if mine else []

    def notes(self, ticket_id: int) -> List[Dict[str, Any]]:
        return self._rows(ticket_notes, ticket_notes.c.ticket_id == ticket_id)

    def conversation_keys(self, ticket_id: int) -> List[str]:
        """The keys of the conversations this ticket came from or was read back in, oldest
        first: how erasing finds them, and how the staff app finds a WhatsApp ticket's way back
        (store/whatsapp.py keys its routes the same way)."""
        with self.engine.connect() as connection:
            return self._conversation_keys(connection, ticket_id)

    def _conversation_keys(self, connection: Connection, ticket_id: int) -> List[str]:
        query = (
            select(ticket_conversations.c.conversation)
            .where(
                ticket_conversations.c.ticket_id == ticket_id,
                *self._of_mine(ticket_conversations.c.ticket_id),
            )
            .order_by(ticket_conversations.c.created_at, ticket_conversations.c.id)
        )
        return [key for (key,) in connection.execute(query)]

    def audit_entries(self, ticket_id: int) -> List[Dict[str, Any]]:
        return self._rows(audit_log, audit_log.c.ticket_id == ticket_id)

    def _rows(self, table, condition) -> List[Dict[str, Any]]:
        query = (
            select(table, staff.c.username)
            .select_from(table.outerjoin(staff, table.c.staff_id == staff.c.id))
            .where(condition, *self._of_mine(table.c.ticket_id))
            .order_by(table.c.created_at, table.c.id)
        )
        with self.engine.connect() as connection:
            return [dict(r) for r in connection.execute(query).mappings()]

    # --- changed by staff, always audited ----------------------------------------------------
    def _change(
        self,
        connection: Connection,
        ticket_id: int,
        staff_id: Optional[int],
        action: str,
        detail: str,
        **values: Any,
    ) -> None:
        stamp = now()
        changed = connection.execute(
            update(tickets).where(tickets.c.id == ticket_id, *self._mine()).values(updated_at=stamp, **values)
        ).rowcount
        if not changed:
            raise KeyError(ticket_id)
        connection.execute(
            insert(audit_log).values(
                staff_id=staff_id, action=action, ticket_id=ticket_id, detail=detail, created_at=stamp
            )
        )

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
            self._change(connection, ticket_id, staff_id, "antwoord", text, reply=text, replied_at=now())

    def add_minutes(self, ticket_id: int, minutes: int, staff_id: int) -> None:
        """Time spent on a ticket ("tijdsinvestering"), reported to the samenwerkingsverband."""
        if not 1 <= minutes <= 600:
            raise ValueError("Vul een aantal minuten in tussen 1 en 600.")
        with self.engine.begin() as connection:
            self._change(connection, ticket_id, staff_id, "tijd", f"{minutes} minuten")
            connection.execute(
                insert(ticket_time).values(
                    ticket_id=ticket_id, staff_id=staff_id, minutes=minutes, created_at=now()
                )
            )

    def minutes(self, ticket_id: int) -> int:
        with self.engine.connect() as connection:
            return connection.execute(
                select(func.coalesce(func.sum(ticket_time.c.minutes), 0)).where(
                    ticket_time.c.ticket_id == ticket_id, *self._of_mine(ticket_time.c.ticket_id)
                )
            ).scalar_one()

    def handling(self, since: date, until: date) -> Dict[str, Any]:
        """Tickets made in the period: how many, how many still open now, hours to the first
        staff reply (median), and the minutes staff recorded on them."""
        start, end = day_range(since, until)
        with self.engine.connect() as connection:
            made = connection.execute(
                select(tickets.c.id, tickets.c.status, tickets.c.created_at).where(
                    tickets.c.created_at >= start, tickets.c.created_at < end, *self._mine()
                )
            ).all()
            ids = [row.id for row in made]
            first_replies = (
                dict(
                    connection.execute(
                        select(audit_log.c.ticket_id, func.min(audit_log.c.created_at))
                        .where(audit_log.c.action == "antwoord", audit_log.c.ticket_id.in_(ids))
                        .group_by(audit_log.c.ticket_id)
                    ).all()
                )
                if ids
                else {}
            )
            minutes = (
                connection.execute(
                    select(func.coalesce(func.sum(ticket_time.c.minutes), 0)).where(
                        ticket_time.c.ticket_id.in_(ids)
                    )
                ).scalar_one()
                if ids
                else 0
            )
        waits = [
            (first_replies[row.id] - row.created_at).total_seconds() / 3600
            for row in made
            if row.id in first_replies
        ]
        return {
            "tickets": len(made),
            "open": sum(row.status != STATUSES[-1] for row in made),
            "replied": len(waits),
            "median_hours_to_reply": median(waits) if waits else None,
            "minutes": int(minutes),
        }

    def erase(self, ticket_id: int, staff_id: Optional[int]) -> Erased:
        """On request (the privacy topic promises it): remove every personal detail of a ticket,
        its notes and the texts in its audit entries; delete its conversations from Rasa's
        tracker store (the one that made it and those that read it back with the code); blank
        the text and ticket number of its signal and of every signal its conversations wrote.
        The number, the signals' rows and the counts stay, so the figures and the audit trail
        still add up; the erasure itself is audited.

        The tracker store goes first: if it cannot be reached (also: its SQLite file or events
        table is missing, a wrong setting), conversations.TrackerStoreUnavailable is raised,
        nothing is erased yet and the request can be repeated (the ticket still knows its
        conversations)."""
        with self.engine.connect() as connection:
            if (
                connection.execute(
                    select(tickets.c.id).where(tickets.c.id == ticket_id, *self._mine())
                ).first()
                is None
            ):
                raise KeyError(ticket_id)
            keys = self._conversation_keys(connection, ticket_id)
            kinds = [kind for (kind,) in connection.execute(select(signals.c.kind).distinct())]
        wiped = conversations.wipe(self.tracker_db or settings.TRACKER_DB, keys, self.secret, kinds)
        with self.engine.begin() as connection:
            blanked = connection.execute(
                update(signals)
                .where(signals.c.ticket == ticket_number(ticket_id))
                .values(text=None, ticket=None)
            ).rowcount
            if wiped.signal_ids:
                blanked += connection.execute(
                    update(signals)
                    .where(
                        signals.c.id.in_(sorted(wiped.signal_ids)),
                        (signals.c.text.isnot(None)) | (signals.c.ticket.isnot(None)),
                    )
                    .values(text=None, ticket=None)
                ).rowcount
            connection.execute(
                delete(ticket_conversations).where(ticket_conversations.c.ticket_id == ticket_id)
            )
            # A WhatsApp conversation's way back (store/whatsapp.py): its sealed phone number.
            if keys:
                connection.execute(delete(whatsapp_routes).where(whatsapp_routes.c.conversation.in_(keys)))
            connection.execute(delete(ticket_notes).where(ticket_notes.c.ticket_id == ticket_id))
            # A live chat that became this ticket (store/live.py): its messages go too, and its
            # conversation: the widget's sender id when the user was not told yet that the chat
            # ended (or its keyed hash, which a later ticket of that conversation would share).
            # The row stays for the live chat figures.
            chats = select(live_chats.c.id).where(live_chats.c.ticket_id == ticket_id).scalar_subquery()
            connection.execute(delete(live_messages).where(live_messages.c.chat_id.in_(chats)))
            connection.execute(
                update(live_chats)
                .where(live_chats.c.ticket_id == ticket_id)
                .values(transcript=None, code_hash=None, conversation=ERASED_CONVERSATION)
            )
            connection.execute(update(audit_log).where(audit_log.c.ticket_id == ticket_id).values(detail=""))
            self._change(
                connection,
                ticket_id,
                staff_id,
                "gewist op verzoek",
                "",
                transcript=[],
                description=None,
                contact=None,
                reply=None,
                code_hash=None,
                topic_guess=[],
                erased_at=now(),
            )
        if self.engine.dialect.name == "sqlite":  # old row versions must not wait in the WAL
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return Erased(conversations=wiped.conversations, tracker_events=wiped.events, signals=blanked)

    def add_note(self, ticket_id: int, text: str, staff_id: int) -> None:
        with self.engine.begin() as connection:
            self._change(connection, ticket_id, staff_id, "notitie", text)
            connection.execute(
                insert(ticket_notes).values(
                    ticket_id=ticket_id, staff_id=staff_id, text=text, created_at=now()
                )
            )


def hide_working_codes(text: str, engine: Engine) -> str:
    """Hide what redaction lets through of a ticket code but is one: a code of lower-case letters
    only, typed as one word or two ("kwrtabcd", "kwrt abcd"), looks like Dutch words ("aanvraag",
    "deze week"), so redaction hides it only when it is the code of a ticket (by its hash, in
    the tickets table of the same database). When that cannot be checked, every such word goes.
    Redaction has already hidden every code with a digit or written as shown. Used for signals
    (signals/record.py) and for every user text the tracker store keeps (store/tracker_store.py),
    so a code typed split in odd places ("RSR JKDSD") is kept in neither."""
    view = detection_view(text)
    candidates: Dict[str, List[Tuple[int, int, str]]] = {}
    for start, end in code_spans(view, every_spelling=True):
        code = normalise(view[start:end])
        if code:
            candidates.setdefault(hash_code(code, settings.secret_key()), []).append((start, end, "code"))
    if not candidates:
        return text
    try:
        with engine.connect() as connection:
            known = {
                row[0]
                for row in connection.execute(
                    select(tickets.c.code_hash).where(tickets.c.code_hash.in_(sorted(candidates)))
                )
            }
    except Exception as error:  # noqa: BLE001 - fail closed: hide them all
        logger.error("code check failed: %s", type(error).__name__)
        known = set(candidates)
    spans = [span for digest in known for span in candidates[digest]]
    return replace_spans(text, spans) if spans else text
