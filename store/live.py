"""Live chat with a person (issue 25): the queue, who has which conversation, and the messages.

The database is the one record of a live chat, in both forms of the deployment: every message
is committed here before anyone is told about it, so a process that dies (a Rasa process with
the widget's socket, a staff app) loses nothing; whoever serves the conversation next reads on
from the last message id it delivered. How the other processes hear that something was written
is store/livebus.py (the database itself in the embedded form, Redis in the scaled form).

A chat's life: `enqueue` (waiting) -> `claim` (active, a staff member has it) -> `end` (the
staff member ends it: it becomes a ticket with the transcript, who handled it, the status
they chose and the minutes from claim to end). Or, while waiting: `time_out` (nobody picked it
up in time, or the last available colleague went offline: the user gets the ticket flow) or
`abandon` (the widget went away: a ticket if the user wrote anything). `close` marks that the
user side was told; then the sender id is replaced by its keyed hash, as everywhere else.

Every change is a compare-and-set on the status, so two staff members claiming at once, or a
claim racing the time-out, have exactly one winner. Times are the naive UTC of the database;
`now` is passed in by the caller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any, Collection, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from steunpunt import settings
from steunpunt.clock import day_range
from steunpunt.codes import code_hash, code_spans, normalise
from steunpunt.identifiers import detection_view, hide_codes, replace_spans
from store import audit, conversations
from store.livebus import notify
from store.schema import STATUSES, live_chats, live_messages, staff, tickets
from store.tickets import TicketStore, in_regions, of_channel, ticket_number

WAITING, ACTIVE, ENDED, TIMED_OUT, ABANDONED = "waiting", "active", "ended", "timed_out", "abandoned"
OPEN = (WAITING, ACTIVE)
#: What a staff member may choose at the end: the ticket is done, or stays open for follow-up.
OUTCOMES = (STATUSES[2], STATUSES[1])  # "afgehandeld", "in behandeling"
USER, STAFF, SYSTEM = "user", "staff", "system"
MESSAGE, CLAIMED, TRANSFERRED, ENDED_KIND = "message", "claimed", "transferred", "ended"
#: Changes the staff screens need to see but the user is told otherwise (or not at all).
QUEUED, LEFT_QUEUE = "queued", "left_queue"
#: What the widget receives of the system messages.
FOR_USER = (CLAIMED, TRANSFERRED, ENDED_KIND)
#: The longest message either side may send (the widget's limit is settings.MAX_MESSAGE_CHARS).
MAX_CHARS = 2000
#: A typed ticket code never reaches a staff screen or the transcript: whoever reads it could
#: open that ticket (issue 24). Contact data stays: in a live chat it is meant for the person.
CODE_MASK = "[code]"


class LiveError(Exception):
    """A change that is not possible now (already claimed, ended, not yours): the message
    says it in Dutch, for the staff member."""


class RateLimited(LiveError):
    """Too many messages of one staff member in a minute: the staff app answers 429."""


@dataclass(frozen=True)
class Chat:
    id: int
    conversation: str
    region: str
    audience: Optional[str]
    channel: Optional[str]
    status: str
    queued_at: datetime
    claimed_at: Optional[datetime]
    ended_at: Optional[datetime]
    staff_id: Optional[int]
    ticket_id: Optional[int]
    transcript: List[Dict[str, Any]]
    outcome: Optional[str]
    ended_by: Optional[str]
    closed_at: Optional[datetime]
    code_hash: Optional[str]
    user_seen_at: Optional[datetime] = None

    @property
    def ticket(self) -> Optional[str]:
        return ticket_number(self.ticket_id) if self.ticket_id else None

    def waited_seconds(self, now: datetime) -> int:
        return int(((self.claimed_at or now) - self.queued_at).total_seconds())


def _chat(row: Any) -> Chat:
    return Chat(
        id=row.id,
        conversation=row.conversation,
        region=row.region,
        audience=row.audience,
        channel=row.channel,
        status=row.status,
        queued_at=row.queued_at,
        claimed_at=row.claimed_at,
        ended_at=row.ended_at,
        staff_id=row.staff_id,
        ticket_id=row.ticket_id,
        transcript=list(row.transcript or []),
        outcome=row.outcome,
        ended_by=row.ended_by,
        closed_at=row.closed_at,
        code_hash=row.code_hash,
        user_seen_at=row.user_seen_at,
    )


def masked(text: str) -> str:
    """The text with every ticket code replaced (steunpunt/identifiers.py finds them): every
    code with a digit or written as shown, full-width forms included. Not every spelling: that
    also takes ordinary Dutch ("Waar gaat", "aanvraag", "deze week"), which would make a chat
    unreadable both ways; those spellings are hidden only when they are a real code
    (`LiveStore._hide_known_codes`)."""
    return hide_codes(text)


def clean_message(text: Any) -> str:
    """A message as it may be stored: text, stripped, not empty, not too long; codes masked."""
    if not isinstance(text, str) or not text.strip():
        raise LiveError("Een leeg bericht wordt niet verstuurd.")
    if len(text) > MAX_CHARS:
        raise LiveError(f"Een bericht is hoogstens {MAX_CHARS} tekens lang.")
    return masked(text.strip())


class LiveStore:
    """Live chats in the database. Made `for_regions`, it sees and changes only those
    regions' chats (as TicketStore), so a staff member of another region cannot reach one.
    Its tickets' store made `for_channel` keeps it to that channel's chats too: the analysts'
    live figures of one channel."""

    def __init__(self, tickets: TicketStore, regions: Optional[Collection[str]] = None) -> None:
        self.tickets = tickets
        self.engine: Engine = tickets.engine
        self.regions = None if regions is None else frozenset(regions)

    def for_regions(self, regions: Optional[Collection[str]]) -> LiveStore:
        return LiveStore(self.tickets.for_regions(regions), regions)

    def _mine(self) -> list:
        return in_regions(self.regions, live_chats.c.region) + of_channel(
            self.tickets.channel, live_chats.c.channel
        )

    def _held_by(self, chat_id: int, staff_id: int) -> list:
        """The WHERE condition: this chat, active, with this staff member, of these regions."""
        return [
            live_chats.c.id == chat_id,
            live_chats.c.status == ACTIVE,
            live_chats.c.staff_id == staff_id,
            *self._mine(),
        ]

    # --- the user's side (the Rasa and action server processes) ---------------------------------
    def enqueue(
        self,
        *,
        conversation: str,
        region: str,
        audience: Optional[str],
        channel: Optional[str],
        transcript: Sequence[Dict[str, Any]],
        code_hash: Optional[str],
        now: datetime,
    ) -> Chat:
        """Put a conversation in its region's queue; a conversation already waiting or in a chat
        keeps the chat it has (asking twice is not queueing twice)."""
        existing = self.open_chat(conversation)
        if existing is not None:
            return existing
        with self.engine.begin() as connection:
            chat_id = connection.execute(
                insert(live_chats).values(
                    conversation=conversation,
                    region=region,
                    audience=audience,
                    channel=channel,
                    status=WAITING,
                    queued_at=now,
                    transcript=list(transcript),
                    code_hash=code_hash,
                    user_seen_at=now,
                )
            ).inserted_primary_key[0]
            self._insert(connection, chat_id, SYSTEM, QUEUED, "", now)
        notify()
        return self._must(chat_id)

    def open_chat(self, conversation: str) -> Optional[Chat]:
        """The conversation's chat that is waiting or active, if any."""
        return self._newest(live_chats.c.conversation == conversation, live_chats.c.status.in_(OPEN))

    def open_on(self, channel: str) -> List[str]:
        """Conversations with a waiting or active chat on `channel`. For a channel without a
        connection to watch (WhatsApp: a user is reachable as long as the chat is open), these
        are the conversations present, whichever process asks."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(live_chats.c.conversation)
                .where(live_chats.c.channel == channel, live_chats.c.status.in_(OPEN))
                .distinct()
            ).all()
        return sorted(row[0] for row in rows)

    def unclosed(self, conversation: str) -> Optional[Chat]:
        """The conversation's chat whose user has not been told yet that it ended or timed out."""
        return self._newest(
            live_chats.c.conversation == conversation,
            live_chats.c.status.notin_(OPEN),
            live_chats.c.closed_at.is_(None),
        )

    def latest(self, conversation: str) -> Optional[Chat]:
        """The conversation's most recent chat, whatever its state."""
        return self._newest(live_chats.c.conversation == conversation)

    def place(self, chat: Chat) -> int:
        """1 for the first in the region's queue."""
        with self.engine.connect() as connection:
            ahead = connection.execute(
                select(func.count())
                .select_from(live_chats)
                .where(
                    live_chats.c.region == chat.region,
                    live_chats.c.status == WAITING,
                    live_chats.c.id < chat.id,
                )
            ).scalar_one()
        return int(ahead) + 1

    def post_user(
        self, chat_id: int, text: str, now: datetime, client_id: Optional[str] = None
    ) -> Optional[int]:
        """A message of the user (waiting or active chat); None when that client id was stored
        already (a message resent after a reconnect) or the chat is no longer open."""
        text = clean_message(text)
        with self.engine.begin() as connection:
            text = self._hide_known_codes(connection, text)
            status = connection.execute(
                select(live_chats.c.status).where(live_chats.c.id == chat_id)
            ).scalar()
            if status not in OPEN:
                return None
            connection.execute(update(live_chats).where(live_chats.c.id == chat_id).values(user_seen_at=now))
            message_id = self._insert(connection, chat_id, USER, MESSAGE, text, now, client_id=client_id)
        notify()
        return message_id

    def seen(self, conversations_seen: Collection[str], now: datetime) -> None:
        """These conversations' widgets are connected (a heartbeat from their Rasa process)."""
        if not conversations_seen:
            return
        with self.engine.begin() as connection:
            connection.execute(
                update(live_chats)
                .where(live_chats.c.conversation.in_(list(conversations_seen)), live_chats.c.status.in_(OPEN))
                .values(user_seen_at=now)
            )

    def time_out(self, chat_id: int, now: datetime, ended_by: str = "timeout") -> bool:
        """Nobody picked up in time ("timeout") or nobody is available any more ("offline"):
        the user gets the ticket flow. False when a staff member claimed it first."""
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(live_chats)
                .where(live_chats.c.id == chat_id, live_chats.c.status == WAITING)
                .values(status=TIMED_OUT, ended_at=now, ended_by=ended_by)
            ).rowcount
            if changed:
                self._insert(connection, chat_id, SYSTEM, LEFT_QUEUE, ended_by, now)
        notify()
        return bool(changed)

    def due(self, now: datetime, queue_minutes: float, abandon_seconds: float) -> List[Chat]:
        """Waiting chats past the queue limit, and waiting chats whose widget is gone."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(live_chats).where(
                    live_chats.c.status == WAITING,
                    (live_chats.c.queued_at <= now - timedelta(minutes=queue_minutes))
                    | (live_chats.c.user_seen_at <= now - timedelta(seconds=abandon_seconds)),
                )
            ).all()
        return [_chat(row) for row in rows]

    def waiting_in(self, region: str) -> List[Chat]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(live_chats).where(live_chats.c.region == region, live_chats.c.status == WAITING)
            ).all()
        return [_chat(row) for row in rows]

    def abandon(self, chat_id: int, now: datetime) -> Optional[str]:
        """The widget went away while waiting. What the user wrote while waiting still reaches
        the steunpunt: a ticket (with the code they were given), or nothing if they wrote
        nothing. Returns the ticket number, if one was made."""
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(live_chats)
                .where(live_chats.c.id == chat_id, live_chats.c.status == WAITING)
                .values(status=ABANDONED, ended_at=now, ended_by="abandoned", closed_at=now)
            ).rowcount
            if changed:
                self._insert(connection, chat_id, SYSTEM, LEFT_QUEUE, "abandoned", now)
        if not changed:
            return None
        notify()
        chat = self._must(chat_id)
        typed = [m["text"] for m in self.messages(chat_id) if m["sender"] == USER]
        number = None
        if typed:
            ticket_id = self._ticket(chat, description="\n".join(typed), staff_id=None, status=STATUSES[0])
            number = ticket_number(ticket_id)
        self._forget_sender(chat_id)
        return number

    def close(self, chat_id: int, now: datetime) -> bool:
        """The user side was told the chat is over. True for exactly one caller."""
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(live_chats)
                .where(
                    live_chats.c.id == chat_id,
                    live_chats.c.status.notin_(OPEN),
                    live_chats.c.closed_at.is_(None),
                )
                .values(closed_at=now)
            ).rowcount
        return bool(changed)

    def forget(self, chat_id: int) -> None:
        """After the user was told: the sender id gives way to its keyed hash."""
        self._forget_sender(chat_id)

    def link_ticket(self, chat_id: int, ticket_id: int) -> None:
        """A timed-out chat's ticket, made by the handoff form, belongs to the chat."""
        with self.engine.begin() as connection:
            connection.execute(
                update(live_chats)
                .where(live_chats.c.id == chat_id, live_chats.c.ticket_id.is_(None))
                .values(ticket_id=ticket_id, transcript=None, code_hash=None)
            )
        self._forget_sender(chat_id)

    def last_timed_out(self, conversation: str) -> Optional[Chat]:
        """The conversation's most recent chat that timed out and has no ticket yet."""
        return self._newest(
            live_chats.c.conversation == conversation,
            live_chats.c.status == TIMED_OUT,
            live_chats.c.ticket_id.is_(None),
        )

    def get(self, chat_id: int) -> Optional[Chat]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(live_chats).where(live_chats.c.id == chat_id, *self._mine())
            ).first()
        return _chat(row) if row else None

    def waiting(self) -> List[Chat]:
        """The queue of this store's regions, longest waiting first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(live_chats)
                .where(live_chats.c.status == WAITING, *self._mine())
                .order_by(live_chats.c.queued_at, live_chats.c.id)
            ).all()
        return [_chat(row) for row in rows]

    def active_of(self, staff_id: int) -> List[Chat]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(live_chats)
                .where(live_chats.c.status == ACTIVE, live_chats.c.staff_id == staff_id, *self._mine())
                .order_by(live_chats.c.claimed_at)
            ).all()
        return [_chat(row) for row in rows]

    def may_read(self, chat: Chat, staff_id: int) -> bool:
        """A staff member reads a chat that waits, that they have, or whose ticket they are on
        (assigned to it); one transferred away from them is no longer theirs."""
        if chat.status == WAITING or chat.staff_id == staff_id:
            return True
        if chat.ticket_id:
            ticket = self.tickets.get(chat.ticket_id)
            return bool(ticket and ticket.get("assigned_to") == staff_id)
        return False

    def claim(self, chat_id: int, staff_id: int, now: datetime) -> Chat:
        """ "Neem gesprek aan": the first to claim has it; audited."""
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(live_chats)
                .where(live_chats.c.id == chat_id, live_chats.c.status == WAITING, *self._mine())
                .values(status=ACTIVE, staff_id=staff_id, claimed_at=now)
            ).rowcount
            if not changed:
                raise LiveError("Dit gesprek is al aangenomen of wacht niet meer.")
            self._insert(connection, chat_id, SYSTEM, CLAIMED, "", now, staff_id=staff_id)
            audit.write(connection, staff_id, "live aangenomen", f"gesprek {chat_id}", now)
        notify()
        return self._must(chat_id)

    def post_staff(self, chat_id: int, staff_id: int, text: str, now: datetime) -> int:
        """A message of the staff member who has the chat."""
        text = clean_message(text)
        with self.engine.begin() as connection:
            text = self._hide_known_codes(connection, text)
            mine = connection.execute(
                select(live_chats.c.id).where(*self._held_by(chat_id, staff_id))
            ).first()
            if mine is None:
                raise LiveError("Dit gesprek is niet (meer) van jou.")
            sent = connection.execute(
                select(func.count())
                .select_from(live_messages)
                .where(
                    live_messages.c.staff_id == staff_id,
                    live_messages.c.sender == STAFF,
                    live_messages.c.created_at > now - timedelta(minutes=1),
                )
            ).scalar_one()
            if sent >= settings.LIVE_STAFF_MESSAGES_PER_MINUTE:
                raise RateLimited("Je stuurt te veel berichten achter elkaar. Wacht even.")
            message_id = self._insert(connection, chat_id, STAFF, MESSAGE, text, now, staff_id=staff_id)
        notify()
        if message_id is None:  # no client id, so never a duplicate
            raise LiveError("Het bericht is niet opgeslagen.")
        return message_id

    def transfer(
        self, chat_id: int, staff_id: int, to_staff: int, available: Collection[int], now: datetime
    ) -> Chat:
        """ "Overdragen": to a colleague who is available for the chat's region now; audited.
        The one who handed it over no longer reads it (unless they are on its ticket)."""
        if to_staff == staff_id or to_staff not in available:
            raise LiveError("Die collega is nu niet beschikbaar voor chat in deze regio.")
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(live_chats).where(*self._held_by(chat_id, staff_id)).values(staff_id=to_staff)
            ).rowcount
            if not changed:
                raise LiveError("Dit gesprek is niet (meer) van jou.")
            self._insert(connection, chat_id, SYSTEM, TRANSFERRED, "", now, staff_id=to_staff)
            audit.write(connection, staff_id, "live overgedragen", f"gesprek {chat_id} aan {to_staff}", now)
        notify()
        return self._must(chat_id)

    def end(self, chat_id: int, staff_id: int, outcome: str, now: datetime) -> str:
        """ "Gesprek beëindigen": the chat becomes a ticket (transcript, who handled it, the
        status chosen, the minutes from claim to end as time spent); audited. Returns the
        ticket number."""
        if outcome not in OUTCOMES:
            raise LiveError("Kies of het gesprek is afgehandeld of open blijft voor opvolging.")
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(live_chats)
                .where(*self._held_by(chat_id, staff_id))
                .values(status=ENDED, ended_at=now, ended_by="staff", outcome=outcome)
            ).rowcount
            if not changed:
                raise LiveError("Dit gesprek is niet (meer) van jou.")
        chat = self._must(chat_id)
        typed = [m["text"] for m in self.messages(chat_id) if m["sender"] == USER]
        ticket_id = self._ticket(chat, description="\n".join(typed), staff_id=staff_id, status=outcome)
        minutes = max(1, math.ceil((now - (chat.claimed_at or now)).total_seconds() / 60))
        self.tickets.add_minutes(ticket_id, min(minutes, 600), staff_id)
        number = ticket_number(ticket_id)
        with self.engine.begin() as connection:
            self._insert(connection, chat_id, SYSTEM, ENDED_KIND, number, now, staff_id=staff_id)
            audit.write(
                connection, staff_id, "live beëindigd", f"gesprek {chat_id}: {outcome}", now, ticket_id
            )
        notify()
        return number

    # --- messages ---------------------------------------------------------------------------
    def messages(self, chat_id: int, after: int = 0) -> List[Dict[str, Any]]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(live_messages)
                .where(live_messages.c.chat_id == chat_id, live_messages.c.id > after)
                .order_by(live_messages.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    def new_for_users(self, after: int, limit: int = 500) -> List[Dict[str, Any]]:
        """Staff and system messages after message id `after`, with their chat's conversation:
        what the Rasa processes deliver to the widgets."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(live_messages, live_chats.c.conversation)
                .select_from(live_messages.join(live_chats, live_messages.c.chat_id == live_chats.c.id))
                .where(live_messages.c.id > after, live_messages.c.kind.in_(FOR_USER + (MESSAGE,)))
                .where(live_messages.c.sender != USER)
                .order_by(live_messages.c.id)
                .limit(limit)
            ).all()
        return [dict(row._mapping) for row in rows]

    def chats_with_messages(self, since: int, upto: int) -> List[int]:
        """The chats with a message whose id is in (since, upto] (any region: the caller asks
        about a chat it may read)."""
        with self.engine.connect() as connection:
            return [
                chat_id
                for (chat_id,) in connection.execute(
                    select(live_messages.c.chat_id)
                    .where(live_messages.c.id > since, live_messages.c.id <= upto)
                    .distinct()
                )
            ]

    def last_message_id(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(select(func.coalesce(func.max(live_messages.c.id), 0))).scalar_one()
            )

    # --- figures (the analysts' "afhandeling en tijdsinvestering") ------------------------------
    def figures(self, since: date, until: date) -> Dict[str, Any]:
        """Live chats queued in the period: how many, answered by a person, timed out to a
        ticket, abandoned in the queue, the median wait until a person took over (seconds)
        and the staff minutes of the chats. No text, no sender: counts and durations."""
        start, end = day_range(since, until)
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    live_chats.c.status,
                    live_chats.c.queued_at,
                    live_chats.c.claimed_at,
                    live_chats.c.ended_at,
                ).where(live_chats.c.queued_at >= start, live_chats.c.queued_at < end, *self._mine())
            ).all()
        waits = [(r.claimed_at - r.queued_at).total_seconds() for r in rows if r.claimed_at]
        minutes = [
            max(1, math.ceil((r.ended_at - r.claimed_at).total_seconds() / 60))
            for r in rows
            if r.claimed_at and r.ended_at
        ]
        return {
            "queued": len(rows),
            "answered": sum(r.claimed_at is not None for r in rows),
            "timed_out": sum(r.status == TIMED_OUT for r in rows),
            "abandoned": sum(r.status == ABANDONED for r in rows),
            "median_wait_seconds": round(median(waits)) if waits else None,
            "minutes": sum(minutes),
        }

    # --- retention ---------------------------------------------------------------------------
    def purge(self, before: datetime) -> int:
        """Chats over before `before`: their messages are in the ticket now (or were never
        more than a wait), so the copies here go, and with them the transcript and code hash."""
        with self.engine.begin() as connection:
            over = (
                select(live_chats.c.id)
                .where(live_chats.c.status.notin_(OPEN), live_chats.c.ended_at < before)
                .scalar_subquery()
            )
            deleted = connection.execute(
                delete(live_messages).where(live_messages.c.chat_id.in_(over))
            ).rowcount
            connection.execute(
                update(live_chats)
                .where(live_chats.c.status.notin_(OPEN), live_chats.c.ended_at < before)
                .values(transcript=None, code_hash=None)
            )
            old = connection.execute(
                select(live_chats.c.id).where(
                    live_chats.c.status.notin_(OPEN),
                    live_chats.c.ended_at < before,
                    live_chats.c.conversation.notlike("#%"),
                )
            ).all()
        for (chat_id,) in old:  # a chat whose user never came back: no sender id kept either
            self._forget_sender(chat_id)
        return int(deleted or 0)

    # --- inside ---------------------------------------------------------------------------------
    def _newest(self, *conditions: Any) -> Optional[Chat]:
        """The most recent chat that meets every condition (any region: the user's side)."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(live_chats).where(*conditions).order_by(live_chats.c.id.desc())
            ).first()
        return _chat(row) if row else None

    def _hide_known_codes(self, connection: Connection, text: str) -> str:
        """A code of lower-case letters only ("kwrtabcd", "kwrt abcd") looks like Dutch words,
        so it is hidden only when it is the code of a ticket or of a waiting chat (by hash)."""
        view = detection_view(text)
        candidates: Dict[str, List[Tuple[int, int, str]]] = {}
        for start, end in code_spans(view, every_spelling=True):
            code = normalise(view[start:end])
            if code:
                candidates.setdefault(code_hash(code, self.tickets.secret), []).append((start, end, "code"))
        if not candidates:
            return text
        digests = sorted(candidates)
        known = {
            row[0]
            for row in connection.execute(select(tickets.c.code_hash).where(tickets.c.code_hash.in_(digests)))
        } | {
            row[0]
            for row in connection.execute(
                select(live_chats.c.code_hash).where(live_chats.c.code_hash.in_(digests))
            )
        }
        spans = [span for digest in known for span in candidates[digest]]
        return replace_spans(text, spans) if spans else text

    def _must(self, chat_id: int) -> Chat:
        chat = self.get(chat_id)
        if chat is None:
            raise LiveError("Dit gesprek bestaat niet (meer).")
        return chat

    def _ticket(self, chat: Chat, description: str, staff_id: Optional[int], status: str) -> int:
        """The chat as a ticket: the bot's turns before it, then the live messages."""
        lines = list(chat.transcript)
        for message in self.messages(chat.id):
            if message["kind"] == MESSAGE:
                lines.append(
                    {
                        "from": message["sender"],
                        "text": message["text"],
                        "time": message["created_at"].isoformat(),
                    }
                )
        made = self.tickets.create(
            audience=chat.audience,
            channel=chat.channel,
            topic_guess=[],
            transcript=lines,
            description=description or None,
            contact=None,
            region=chat.region,
            conversation=chat.conversation,
            code_hash=chat.code_hash,
            assigned_to=staff_id,
            status=status,
        )
        ticket_id = made.id
        with self.engine.begin() as connection:
            connection.execute(
                update(live_chats)
                .where(live_chats.c.id == chat.id)
                .values(ticket_id=ticket_id, transcript=None, code_hash=None)
            )
        return ticket_id

    def _forget_sender(self, chat_id: int) -> None:
        with self.engine.begin() as connection:
            conversation = connection.execute(
                select(live_chats.c.conversation).where(live_chats.c.id == chat_id)
            ).scalar()
            if conversation and not conversation.startswith("#"):
                key = "#" + conversations.conversation_key(conversation, self.tickets.secret)
                connection.execute(
                    update(live_chats).where(live_chats.c.id == chat_id).values(conversation=key)
                )

    @staticmethod
    def _insert(
        connection: Connection,
        chat_id: int,
        sender: str,
        kind: str,
        text: str,
        now: datetime,
        staff_id: Optional[int] = None,
        client_id: Optional[str] = None,
    ) -> Optional[int]:
        try:
            with connection.begin_nested():
                return connection.execute(
                    insert(live_messages).values(
                        chat_id=chat_id,
                        sender=sender,
                        kind=kind,
                        staff_id=staff_id,
                        text=text,
                        client_id=client_id,
                        created_at=now,
                    )
                ).inserted_primary_key[0]
        except IntegrityError:  # the same client id again: stored once
            return None


def staff_names(engine: Engine, ids: Collection[int]) -> Dict[int, str]:
    """Login names of staff members, for the transfer list."""
    if not ids:
        return {}
    with engine.connect() as connection:
        return dict(
            connection.execute(select(staff.c.id, staff.c.username).where(staff.c.id.in_(list(ids)))).all()
        )
